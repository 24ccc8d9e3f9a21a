//! The concurrency primitives of the death ledger ([`Deaths`](crate::deaths)),
//! in one place.
//!
//! Under `cfg(loom)` they are loom's model-checked versions, so the loom
//! models in `tests/loom_deaths.rs` explore every interleaving of a death
//! hook with the dictionary's own operations (crossbeam's `primitive` module
//! pattern, as in `weakref-core`). The hash table itself has one owner and
//! needs no model.

#[cfg(not(loom))]
pub(crate) use std::sync::{
    Mutex, MutexGuard,
    atomic::{AtomicUsize, Ordering},
};

/// The referents' `Arc`: std's, or under `cfg(loom)` the core crate's loom
/// model of it (which the core's API then takes).
#[cfg(not(loom))]
pub(crate) use std::sync::Arc;
#[cfg(loom)]
pub(crate) use weakref_core::__loom::Arc;

#[cfg(loom)]
pub(crate) use loom::sync::{
    Mutex, MutexGuard,
    atomic::{AtomicUsize, Ordering},
};
