// What the derive generates compiles with no warning under the strictest
// settings a user may have: `deny(warnings)` and `forbid(unsafe_code)`. (This
// file is compiled by rustc, which does not run clippy's lints; the same
// structs under `deny(clippy::pedantic)` are linted by clippy in
// `tests/tests/derive_lints.rs`.)
#![deny(warnings, clippy::pedantic)]
#![forbid(unsafe_code)]

use std::sync::Arc;

use weakref::{Callable, Header, Ref, Referent};

/// A plain referent.
#[derive(Referent, Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Plain {
    /// The header.
    pub header: Header,
}

/// A callable referent.
#[derive(Referent)]
#[referent(callable)]
pub struct Multiplier {
    factor: i64,
    header: Header,
}

impl Callable for Multiplier {
    type Args = i64;
    type Output = i64;
    fn call(&self, x: i64) -> i64 {
        x * self.factor
    }
}

/// A generic callable tuple struct.
#[derive(Referent)]
#[referent(callable)]
pub struct Constant<T: Clone>(T, Header);

impl<T: Clone> Callable for Constant<T> {
    type Args = ();
    type Output = T;
    fn call(&self, (): ()) -> T {
        self.0.clone()
    }
}

fn main() {
    let p = Arc::new(Plain::default());
    assert!(Ref::new(&p).get().is_some());
    let m = Arc::new(Multiplier {
        factor: 3,
        header: Header::new(),
    });
    assert_eq!(Ref::new(&m).get().unwrap().call(14), 42);
    let c = Arc::new(Constant("c", Header::new()));
    assert_eq!(Ref::new(&c).get().unwrap().call(()), "c");
}
