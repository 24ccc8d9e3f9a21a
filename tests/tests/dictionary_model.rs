//! Model-based tests: random sequences of operations on a
//! `WeakValueDictionary` and a `WeakKeyDictionary` (and the `WeakSet` over
//! the same keys), checked after every step against a plain `HashMap` of
//! what is alive.
//!
//! The programs run against every surface (`dictionary_model/model.rs`
//! mounted once per flavour): `Arc` and `Rc` objects, and the keyed
//! collections by value and by identity (every object here is equal only to
//! itself, so the same model holds for both modes).

// One source file, mounted once per flavour: the duplication clippy flags
// is the point (each mount runs the programs on another surface).
#![allow(clippy::duplicate_mod)]

#[path = "dictionary_model"]
mod arc {
    pub(crate) use weakref_tests::flavour::arc::*;
    mod model;
}

#[path = "dictionary_model"]
mod arc_identity {
    pub(crate) use weakref_tests::flavour::arc_identity::*;
    mod model;
}

#[path = "dictionary_model"]
mod rc {
    pub(crate) use weakref_tests::flavour::rc::*;
    mod model;
}

#[path = "dictionary_model"]
mod rc_identity {
    pub(crate) use weakref_tests::flavour::rc_identity::*;
    mod model;
}
