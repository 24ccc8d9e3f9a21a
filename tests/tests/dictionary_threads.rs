//! Weak dictionaries while other threads kill their keys and values: CPython's
//! threaded `MappingTestCase` cases (and WeakSet's test_len_race), scaled
//! down, plus races between explicit removal and death.
//!
//! Threads need `Arc` objects: the cases (`dictionary_threads/cases.rs`)
//! run against the `Arc` collections, with keys by value and by identity
//! (the weak-valued cases run in both mounts, unchanged).

// One source file, mounted once per key mode: the duplication clippy flags
// is the point.
#![allow(clippy::duplicate_mod)]

#[path = "dictionary_threads"]
mod arc {
    pub(crate) use weakref_tests::flavour::arc::*;
    mod cases;
}

#[path = "dictionary_threads"]
mod arc_identity {
    pub(crate) use weakref_tests::flavour::arc_identity::*;
    mod cases;
}
