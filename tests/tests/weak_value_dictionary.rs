//! `WeakValueDictionary`: CPython's `MappingTestCase` cases for weak-valued
//! dictionaries (Lib/test/test_weakref.py), plus re-entrancy and the death
//! bookkeeping. Threaded cases live in `dictionary_threads.rs`.
//!
//! Each body runs against both pointer families (DESIGN "One engine,
//! several surfaces"): `weak_value_dictionary/cases.rs` against `Arc` and
//! `Rc` values; `arc_only.rs` (`Send + Sync`) against `Arc` values.
// One source file of cases, mounted once per flavour: the duplication
// clippy flags is the point (each mount runs the cases on another surface).
#![allow(clippy::duplicate_mod)]

#[path = "weak_value_dictionary"]
mod arc {
    pub(crate) use weakref_tests::flavour::arc::*;
    mod arc_only;
    mod cases;
}

#[path = "weak_value_dictionary"]
mod rc {
    pub(crate) use weakref_tests::flavour::rc::*;
    mod cases;
}
