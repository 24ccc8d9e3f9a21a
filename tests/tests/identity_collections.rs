//! The identity collections, `WeakKeyIdentityDictionary` and
//! `WeakIdentitySet` (DESIGN semantics 18): trait-object keys and elements,
//! two equal objects as two keys, a referent whose `Hash` and `Eq` panic
//! (so they are never called), the death semantics of 13 and 16 (exact
//! `len`, eager logical removal, cascades, stale deaths), and the rest of
//! the API (clone, extend, from_iter, debug, entry, retain, set algebra).
//!
//! The bodies, in `identity_collections/cases.rs`, run against `Arc` and
//! `Rc` objects; `Send + Sync` is checked for `Arc` ones here.
// One source file of cases, mounted once per flavour: the duplication
// clippy flags is the point (each mount runs the cases on another surface).
#![allow(clippy::duplicate_mod)]

#[path = "identity_collections"]
mod arc {
    pub(crate) use weakref_tests::flavour::arc::*;
    mod cases;
}

#[path = "identity_collections"]
mod rc {
    pub(crate) use weakref_tests::flavour::rc::*;
    mod cases;
}

// DESIGN 18: identity collections are `Send + Sync` when `K`, `V` and `S`
// are (the `rc` ones never are: tests/ui/fail/rc-weak-*-not-send.rs).
#[test]
fn send_and_sync() {
    use weakref::{Referent, WeakIdentitySet, WeakKeyIdentityDictionary};
    trait Observer: Referent + Send + Sync {}
    fn check<T: Send + Sync>() {}
    check::<WeakKeyIdentityDictionary<dyn Observer, String>>();
    check::<WeakIdentitySet<dyn Observer>>();
    check::<<&WeakIdentitySet<dyn Observer> as IntoIterator>::IntoIter>();
}
