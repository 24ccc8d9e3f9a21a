// `#[referent(callable)]` with `impl Callable`: the derive makes the type's
// proxy kind `CallableKind` (so `proxy()` gives Python's
// `CallableProxyType`), and without the attribute it is `PlainKind`. The
// kinds are checked at compile time with a type-equality helper.

use std::sync::Arc;

use weakref::{Callable, CallableKind, Header, PlainKind, ProxyKind, Ref, Referent};

/// Implemented only for `T: SameAs<T>`: `A: SameAs<B>` holds iff `A == B`.
trait SameAs<T> {}
impl<T> SameAs<T> for T {}

fn assert_kind<T, K>()
where
    T: ProxyKind,
    T::Kind: SameAs<K>,
{
}

#[derive(Referent)]
#[referent(callable)]
struct Greeter {
    greeting: String,
    header: Header,
}

impl Callable for Greeter {
    type Args = &'static str;
    type Output = String;
    fn call(&self, name: &'static str) -> String {
        format!("{}, {name}", self.greeting)
    }
}

#[derive(Referent)]
#[referent(callable)]
struct Generic<T: Clone>(#[referent(header)] Header, T);

impl<T: Clone> Callable for Generic<T> {
    type Args = ();
    type Output = T;
    fn call(&self, (): ()) -> T {
        self.1.clone()
    }
}

#[derive(Referent)]
struct Plain {
    header: Header,
}

/// A callable type may even be named `Callable`, `IsCallable` or
/// `AssertCallable`: the derive's own checks never shadow it.
mod named {
    use weakref::{Header, Referent};

    #[derive(Referent)]
    #[referent(callable)]
    pub struct Callable {
        pub header: Header,
    }

    impl weakref::Callable for Callable {
        type Args = ();
        type Output = u8;
        fn call(&self, (): ()) -> u8 {
            1
        }
    }

    #[derive(Referent)]
    #[referent(callable)]
    pub struct IsCallable(pub Header);

    impl weakref::Callable for IsCallable {
        type Args = ();
        type Output = u8;
        fn call(&self, (): ()) -> u8 {
            2
        }
    }

    #[derive(Referent)]
    #[referent(callable)]
    pub struct AssertCallable(pub Header);

    impl weakref::Callable for AssertCallable {
        type Args = ();
        type Output = u8;
        fn call(&self, (): ()) -> u8 {
            3
        }
    }
}

fn main() {
    assert_kind::<named::Callable, CallableKind>();
    assert_kind::<named::IsCallable, CallableKind>();
    assert_kind::<named::AssertCallable, CallableKind>();
    assert_kind::<Greeter, CallableKind>();
    assert_kind::<Generic<u8>, CallableKind>();
    assert_kind::<Plain, PlainKind>();

    let g = Arc::new(Greeter {
        greeting: "hello".into(),
        header: Header::new(),
    });
    let r = Ref::new(&g);
    assert_eq!(r.get().unwrap().call("world"), "hello, world");
    let c = Arc::new(Generic(Header::new(), 9_u8));
    assert_eq!(Ref::new(&c).get().unwrap().call(()), 9);
    let p = Arc::new(Plain {
        header: Header::new(),
    });
    assert!(Ref::new(&p).get().is_some());
}
