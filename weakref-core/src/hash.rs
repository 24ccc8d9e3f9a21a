//! The hash a weak reference object caches (Python's `ref.__hash__`).
//!
//! Computed from the referent the first time it is asked for, then kept for
//! the life of the weak reference object, which is what lets a dead weak
//! reference still be hashed (DESIGN semantics 7).

use crate::sync::{AtomicU8, AtomicU64, Ordering};

const EMPTY: u8 = 0;
const WRITING: u8 = 1;
const SET: u8 = 2;

/// A write-once `u64`, lock-free.
#[derive(Debug)]
pub(crate) struct HashCache {
    state: AtomicU8,
    value: AtomicU64,
}

impl HashCache {
    pub(crate) fn new() -> Self {
        Self {
            state: AtomicU8::new(EMPTY),
            value: AtomicU64::new(0),
        }
    }

    /// The cached hash, if one was stored.
    pub(crate) fn get(&self) -> Option<u64> {
        // Acquire: pairs with the Release store in `set`, making `value` visible.
        (self.state.load(Ordering::Acquire) == SET).then(|| self.value.load(Ordering::Relaxed))
    }

    /// Caches `hash` unless another thread got there first; returns the value
    /// the caller should report (its own while a racing writer is mid-store:
    /// both computed it from the same live referent).
    pub(crate) fn set(&self, hash: u64) -> u64 {
        match self
            .state
            .compare_exchange(EMPTY, WRITING, Ordering::Relaxed, Ordering::Acquire)
        {
            Ok(_) => {
                self.value.store(hash, Ordering::Relaxed);
                // Release: publishes `value` to readers that see SET.
                self.state.store(SET, Ordering::Release);
                hash
            }
            Err(SET) => self.value.load(Ordering::Relaxed),
            Err(_) => hash,
        }
    }

    /// Forgets the cached value. Only called with the list lock held on a
    /// shared node that has no handles, so no other thread is reading it.
    pub(crate) fn reset(&self) {
        self.state.store(EMPTY, Ordering::Relaxed);
    }
}
