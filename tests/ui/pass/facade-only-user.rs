// A user who depends only on the `weakref` facade: every path below starts
// with `weakref::`, and the derive is used both as `#[derive(weakref::Referent)]`
// and, after `use weakref::Referent`, as `#[derive(Referent)]` (the import
// brings the trait and the derive together).

mod qualified {
    use std::sync::Arc;

    #[derive(weakref::Referent)]
    pub struct Node {
        pub name: &'static str,
        pub header: weakref::Header,
    }

    pub fn check() {
        let n = Arc::new(Node {
            name: "a",
            header: weakref::Header::new(),
        });
        let r: weakref::ReferenceType<Node> = weakref::Ref::new(&n);
        assert_eq!(r.get().map(|n| n.name), Some("a"));
        assert_eq!(weakref::getweakrefcount(&n), 1);
        assert_eq!(weakref::getweakrefs(&n).len(), 1);
        drop(n);
        assert!(r.get().is_none());
    }
}

mod imported {
    use std::sync::Arc;

    use weakref::{Header, Ref, Referent};

    #[derive(Referent)]
    pub struct Tuple(pub u32, pub Header);

    pub fn check() {
        let t = Arc::new(Tuple(7, Header::new()));
        let r = Ref::with_callback(&t, |r: &Ref<Tuple>| assert!(r.get().is_none()));
        // The trait is in scope too: its method gives the header back.
        assert!(std::ptr::eq(t.weakref_header(), &t.1));
        assert_eq!(r.get().map(|t| t.0), Some(7));
    }
}

fn main() {
    qualified::check();
    imported::check();
}
