// One derived type, two flavours: the same `Node` lives in an `Arc` in one
// place and in an `Rc` in another; refs, proxies and introspection work for
// both, each in its own family, with the same header.

use std::rc::Rc;
use std::sync::Arc;

use weakref::{Header, Ref, Referent, rc};

#[derive(Referent, PartialEq, Debug)]
struct Node {
    name: &'static str,
    header: Header,
}

fn node(name: &'static str) -> Node {
    Node {
        name,
        header: Header::new(),
    }
}

fn main() {
    let shared = Arc::new(node("shared"));
    let local = Rc::new(node("local"));

    let a: Ref<Node> = Ref::new(&shared);
    let b: rc::Ref<Node> = rc::Ref::new(&local);
    // The family is inferred from the pointer: no annotation needed.
    let a2 = Ref::new(&shared);
    let b2 = Ref::new(&local);
    assert!(Ref::ptr_eq(&a, &a2) && rc::Ref::ptr_eq(&b, &b2));

    assert_eq!(a.get().unwrap().name, "shared");
    assert_eq!(b.get().unwrap().name, "local");
    let pa = weakref::proxy(&shared);
    let pb = rc::proxy(&local);
    assert_eq!(pa.with(|n| n.name), Ok("shared"));
    assert_eq!(pb.with(|n| n.name), Ok("local"));
    assert_eq!(weakref::getweakrefcount(&shared), 2);
    assert_eq!(rc::getweakrefcount(&local), 2);

    // A value moves between flavours with a fresh header.
    let moved = Rc::new(Arc::into_inner(shared).expect("unique"));
    assert!(!a.is_alive() && pa.with(|n| n.name).is_err());
    assert_eq!(rc::getweakrefcount(&moved), 0);
    let c = rc::Ref::new(&moved);
    assert_eq!(c.get().as_deref(), Some(&node("shared")));

    drop(local);
    assert!(!b.is_alive() && pb.with(|n| n.name).is_err());
}
