//! The concurrency primitives the protocol is built from, in one place.
//!
//! Under `cfg(loom)` they are loom's model-checked versions, so the loom
//! models in `tests/loom.rs` explore every interleaving of the real code
//! (crossbeam's `primitive` module pattern). That includes the referent's own
//! `Arc` and `Weak` ([`model_arc`]): the race between the last strong
//! reference going and the header clearing the weak references involves
//! std's strong count, which loom could not see otherwise. Nothing else in
//! the crate names `std::sync` atomics, locks or `Arc` directly.

#[cfg(not(loom))]
pub(crate) use std::sync::{Arc, Weak};
#[cfg(not(loom))]
pub(crate) use std::sync::{
    Mutex, MutexGuard,
    atomic::{AtomicBool, AtomicPtr, AtomicU8, AtomicU64, AtomicUsize, Ordering},
};

#[cfg(loom)]
pub(crate) use loom::sync::{
    Mutex, MutexGuard,
    atomic::{AtomicBool, AtomicPtr, AtomicU8, AtomicU64, AtomicUsize, Ordering},
};
#[cfg(loom)]
pub(crate) mod model_arc;
#[cfg(loom)]
pub(crate) use model_arc::{Arc, Weak};

/// Locks `mutex`, ignoring poisoning: no critical section in this crate runs
/// user code, so a poisoned lock can only come from an allocation failure
/// and the protected state is still consistent.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    #[cfg(not(loom))]
    {
        mutex
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
    #[cfg(loom)]
    {
        mutex.lock().unwrap()
    }
}

/// One step of waiting for a lock another thread holds (`list_lock.rs`):
/// spins a little longer each time, then yields the processor. (Loom
/// models block instead: see `list_lock.rs`.)
#[cfg(not(loom))]
pub(crate) fn backoff(step: &mut u32) {
    const SPIN_STEPS: u32 = 6;
    if *step < SPIN_STEPS {
        for _ in 0..1_u32 << *step {
            core::hint::spin_loop();
        }
        *step += 1;
    } else {
        std::thread::yield_now();
    }
}

/// An `UnsafeCell` with loom's closure-based access API, so loom can check
/// that accesses to the cell never race.
#[cfg(not(loom))]
#[derive(Debug)]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    pub(crate) const fn new(value: T) -> Self {
        Self(std::cell::UnsafeCell::new(value))
    }

    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

#[cfg(loom)]
pub(crate) use loom::cell::UnsafeCell;
