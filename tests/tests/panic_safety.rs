//! Panic safety of the weak dictionaries: a panicking `Hash`, `Eq`, `Clone`,
//! key or value `Drop`, closure, predicate or callback in any operation of
//! `WeakValueDictionary`, `WeakKeyDictionary` and `WeakSet` leaves the
//! dictionary consistent and usable: after the panic is caught, `len()` is
//! the number of live entries iteration finds, every live entry is still
//! found, later operations work, and every key and value is dropped exactly
//! once by the end (drop counters), with no weak reference left behind.
//!
//! Faults are armed per thread and fire once, at the next call of the armed
//! site (optionally only for one id).
//!
//! The cases (`panic_safety/cases.rs`) run against `Arc` and `Rc` objects,
//! keys by value: a panicking `Hash` or `Eq` of a key is what most of them
//! test, and identity collections never call either
//! (`identity_collections.rs` shows that with a referent whose `Hash` and
//! `Eq` panic).

// One source file, mounted once per family: the duplication clippy flags is
// the point.
#![allow(clippy::duplicate_mod)]

#[path = "panic_safety"]
mod arc {
    pub(crate) use weakref_tests::flavour::arc::*;
    mod cases;
}

#[path = "panic_safety"]
mod rc {
    pub(crate) use weakref_tests::flavour::rc::*;
    mod cases;
}
