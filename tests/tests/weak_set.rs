//! `WeakSet`: the cases of CPython's Lib/test/test_weakset.py that apply
//! (tests/CPYTHON.md lists every case and where it went). Python's `ustr`
//! letters are `Letter`s here: equal and hashed by their character, each one
//! a distinct object.
//!
//! Each body runs against every surface it applies to (DESIGN "One engine,
//! several surfaces"): `weak_set/cases.rs` against `Arc` and `Rc` elements,
//! by value (`WeakSet`) and by identity (`WeakIdentitySet`, under the name
//! `WeakSet` in the `*_identity` flavours); `by_value.rs` (the fixture's
//! letters are distinct objects equal by character, as CPython's `ustr`s)
//! against both families by value; `arc_only.rs` (`Send + Sync`) against
//! `Arc` elements.
// One source file of cases, mounted once per flavour: the duplication
// clippy flags is the point (each mount runs the cases on another surface).
#![allow(clippy::duplicate_mod)]

#[path = "weak_set"]
mod arc {
    pub(crate) use weakref_tests::flavour::arc::*;
    mod arc_only;
    mod by_value;
    mod cases;
}

#[path = "weak_set"]
mod arc_identity {
    pub(crate) use weakref_tests::flavour::arc_identity::*;
    mod cases;
}

#[path = "weak_set"]
mod rc {
    pub(crate) use weakref_tests::flavour::rc::*;
    mod by_value;
    mod cases;
}

#[path = "weak_set"]
mod rc_identity {
    pub(crate) use weakref_tests::flavour::rc_identity::*;
    mod cases;
}
