//! `WeakKeyDictionary`: CPython's `MappingTestCase` cases for weak-keyed
//! dictionaries (Lib/test/test_weakref.py), plus cascades, re-entrancy and
//! the death bookkeeping. Threaded cases live in `dictionary_threads.rs`.
//!
//! Each body runs against every surface it applies to (DESIGN "One engine,
//! several surfaces"): `weak_key_dictionary/cases.rs` against `Arc` and `Rc`
//! keys, by value (`WeakKeyDictionary`) and by identity
//! (`WeakKeyIdentityDictionary`, under the name `WeakKeyDictionary` in the
//! `*_identity` flavours); `by_value.rs` (keys equal by content are one key)
//! against both families by value; `arc_only.rs` (statics, threads, `Send`)
//! against `Arc` keys by value.
// One source file of cases, mounted once per flavour: the duplication
// clippy flags is the point (each mount runs the cases on another surface).
#![allow(clippy::duplicate_mod)]

#[path = "weak_key_dictionary"]
mod arc {
    pub(crate) use weakref_tests::flavour::arc::*;
    mod arc_only;
    mod by_value;
    mod cases;
}

#[path = "weak_key_dictionary"]
mod arc_identity {
    pub(crate) use weakref_tests::flavour::arc_identity::*;
    mod cases;
}

#[path = "weak_key_dictionary"]
mod rc {
    pub(crate) use weakref_tests::flavour::rc::*;
    mod by_value;
    mod cases;
}

#[path = "weak_key_dictionary"]
mod rc_identity {
    pub(crate) use weakref_tests::flavour::rc_identity::*;
    mod cases;
}
