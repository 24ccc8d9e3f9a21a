//! The concurrency primitives of the death ledgers ([`Deaths`](crate::deaths)
//! and the concurrent dictionary's shards), in one place.
//!
//! Under `cfg(loom)` they are loom's model-checked versions, so the loom
//! models in `tests/loom_deaths.rs` and `tests/loom_concurrent.rs` explore
//! every interleaving of a death hook with the dictionaries' own operations,
//! and of the concurrent dictionary's loaders and waiters (crossbeam's
//! `primitive` module pattern, as in `weakref-core`). The single-owner hash
//! tables need no model.

use std::sync::{LockResult, PoisonError};

#[cfg(not(loom))]
pub(crate) use std::sync::{
    Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard,
    atomic::{AtomicU64, AtomicUsize, Ordering},
};

/// The referents' `Arc`: std's, or under `cfg(loom)` the core crate's loom
/// model of it (which the core's API then takes).
#[cfg(not(loom))]
pub(crate) use std::sync::Arc;
#[cfg(loom)]
pub(crate) use weakref_core::__loom::Arc;

#[cfg(loom)]
pub(crate) use loom::sync::{
    Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard,
    atomic::{AtomicU64, AtomicUsize, Ordering},
};

#[cfg(loom)]
pub(crate) use loom::thread::ThreadId;
/// A thread's identity (loom's threads share one OS thread, so std's
/// `ThreadId` cannot tell them apart under `cfg(loom)`).
#[cfg(not(loom))]
pub(crate) use std::thread::ThreadId;

/// The calling thread's [`ThreadId`].
pub(crate) fn current_thread() -> ThreadId {
    #[cfg(not(loom))]
    {
        std::thread::current().id()
    }
    #[cfg(loom)]
    {
        loom::thread::current().id()
    }
}

/// The guard of a lock result, poisoned or not. The locks of this crate are
/// only poisoned by a panic in user code (`Eq`, `Clone`, a closure) run where
/// the protected state is consistent, or by an allocation failure: the state
/// is valid either way.
pub(crate) fn unpoison<G>(result: LockResult<G>) -> G {
    result.unwrap_or_else(PoisonError::into_inner)
}
