//! What `#[derive(Referent)]` generates is clean under the strictest lints a
//! user may turn on: clippy (`cargo clippy --all-targets -- -D warnings`)
//! lints this file with `clippy::pedantic` denied, and unsafe code forbidden.
//! The trybuild twin `ui/pass/pedantic-clean.rs` checks the same with rustc
//! alone.
#![deny(warnings, clippy::pedantic)]
#![forbid(unsafe_code)]

use std::fmt::Debug;
use std::sync::Arc;

use weakref::{Callable, CallableKind, Header, PlainKind, ProxyKind, Ref, Referent};

/// A named struct, with the usual derives beside this one.
#[derive(Referent, Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
struct Plain {
    value: u32,
    header: Header,
}

/// A tuple struct with a marked header of an aliased type.
type Slot = Header;

#[derive(Referent)]
struct Marked(u8, #[referent(header)] Slot);

/// A generic struct with bounds, a lifetime, a const parameter and a where
/// clause.
#[derive(Referent)]
struct Generic<'a, T: Debug + ?Sized, const N: usize>
where
    T: Send + Sync,
{
    items: [&'a T; N],
    header: weakref::Header,
}

/// A callable struct.
#[derive(Referent)]
#[referent(callable)]
struct Doubler {
    header: Header,
}

impl Callable for Doubler {
    type Args = i32;
    type Output = i32;
    fn call(&self, x: i32) -> i32 {
        x * 2
    }
}

/// A generic callable struct.
#[derive(Referent)]
#[referent(callable)]
struct Constant<T: Clone>(T, Header);

impl<T: Clone> Callable for Constant<T> {
    type Args = ();
    type Output = T;
    fn call(&self, (): ()) -> T {
        self.0.clone()
    }
}

/// Through the core crate's derive, with an explicit crate path.
#[derive(weakref_core::Referent)]
#[referent(crate = "::weakref_core")]
struct Core {
    header: weakref_core::Header,
}

/// `T::Kind` is `K`.
fn kind_is<T: ProxyKind<Kind = K>, K>() {}

#[test]
fn derived_structs_are_referents_and_lint_clean() {
    let plain = Arc::new(Plain {
        value: 1,
        header: Header::new(),
    });
    assert_eq!(Ref::new(&plain).get().map(|p| p.value), Some(1));

    let marked = Arc::new(Marked(2, Header::new()));
    assert!(std::ptr::eq(marked.weakref_header(), &raw const marked.1));
    assert_eq!(Ref::new(&marked).get().map(|m| m.0), Some(2));

    let text = "t";
    let generic = Arc::new(Generic::<str, 2> {
        items: [text, text],
        header: Header::new(),
    });
    assert_eq!(Ref::new(&generic).get().map(|g| g.items), Some(["t", "t"]));

    let doubler = Arc::new(Doubler {
        header: Header::new(),
    });
    assert_eq!(Ref::new(&doubler).get().map(|d| d.call(21)), Some(42));

    let constant = Arc::new(Constant('c', Header::new()));
    assert_eq!(Ref::new(&constant).get().map(|c| c.call(())), Some('c'));

    let core = Arc::new(Core {
        header: weakref_core::Header::new(),
    });
    assert!(weakref_core::Ref::new(&core).get().is_some());

    kind_is::<Plain, PlainKind>();
    kind_is::<Marked, PlainKind>();
    kind_is::<Doubler, CallableKind>();
    kind_is::<Constant<u8>, CallableKind>();
}
