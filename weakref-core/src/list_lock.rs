//! A list's owner count and the lock of its state, in one atomic word.
//!
//! Every thread that locks a [`List`](crate::list::List) owns one of its
//! counts (the header's, a payload node's, or a shared node's), and the
//! usual critical sections end by taking or giving up a count: registering
//! a node takes the count it will own, and unlinking a node's last handle
//! (or clearing the list at the death) gives one up. With the count and the
//! lock in one word, each of those is one atomic read-modify-write, where a
//! `Mutex` beside an `AtomicUsize` took two: an insert and a remove in a weak
//! dictionary went from 8 to 6.
//!
//! Every unlock is one atomic step, after which the unlocking thread never
//! touches the list again unless it gave up the last count there. (With
//! std's `Mutex`, whose unlock may still wake a waiter after releasing, the
//! count had to be given up after the unlock, as a second step.)
//!
//! The lock spins, then yields: its critical sections are a few pointer
//! writes (linking or unlinking a node), or one pass over the list at the
//! death; no user code runs under it.
//!
//! Layout: bit 0 is [`LOCKED`]; the rest counts owners in steps of [`ONE`].
//!
//! Under loom, a thread that finds the lock taken cannot spin (loom would
//! explore every number of spins): it blocks instead on one loom mutex that
//! every list lock of the model takes with its bit (`model`). The lock bit,
//! the counts and their orderings are the real code; what differs is only
//! how a waiter waits, and that two lists' critical sections never overlap
//! in a model (they share nothing but the atomics, which loom still
//! explores against every other step). Because that mutex also orders the
//! critical sections, the word's Acquire/Release for the locked state is
//! checked by Miri, which runs this real lock, not by loom (RELIABILITY.md).

use crate::sync::{AtomicUsize, Ordering};

/// The lock bit.
const LOCKED: usize = 1;
/// One owner.
const ONE: usize = 2;

/// A list's owner count and its lock (see the module docs).
#[derive(Debug)]
pub(crate) struct ListLock {
    word: AtomicUsize,
}

impl ListLock {
    /// One owner, unlocked.
    pub(crate) fn new() -> Self {
        ListLock {
            word: AtomicUsize::new(ONE),
        }
    }

    /// Number of owners (for tests and debug assertions; racy otherwise).
    pub(crate) fn count(&self) -> usize {
        self.word.load(Ordering::Relaxed) / ONE
    }

    /// Takes the lock. The caller owns a count (so the word is alive).
    #[inline]
    pub(crate) fn lock(&self) {
        #[cfg(loom)]
        model::enter();
        // Acquire: pairs with the Release of the unlock that let us in, so
        // the previous holder's writes to the state are visible.
        if self.word.fetch_or(LOCKED, Ordering::Acquire) & LOCKED == 0 {
            return;
        }
        self.lock_contended();
    }

    #[cold]
    #[cfg(not(loom))]
    fn lock_contended(&self) {
        let mut step = 0;
        loop {
            // Wait with plain loads, so waiters do not fight over the line.
            while self.word.load(Ordering::Relaxed) & LOCKED != 0 {
                crate::sync::backoff(&mut step);
            }
            // Acquire, as in `lock`.
            if self.word.fetch_or(LOCKED, Ordering::Acquire) & LOCKED == 0 {
                return;
            }
        }
    }

    #[cfg(loom)]
    fn lock_contended(&self) {
        unreachable!("under loom, `model::enter` lets one locker in at a time");
    }

    /// Releases the lock.
    #[inline]
    pub(crate) fn unlock(&self) {
        // Release: the state written under the lock happens before the next
        // holder's Acquire.
        let old = self.word.fetch_sub(LOCKED, Ordering::Release);
        left(old);
    }

    /// Releases the lock and takes one more count, in one step.
    #[inline]
    pub(crate) fn unlock_acquiring(&self) {
        // `ONE - LOCKED` added to a locked word clears the lock bit and
        // carries one owner into the count. Release, as in `unlock`; the
        // count needs nothing more, as `Arc::clone`: the caller already
        // owns one.
        let old = self.word.fetch_add(ONE - LOCKED, Ordering::Release);
        left(old);
        check_count(old);
    }

    /// Releases the lock and gives up one count, in one step. Returns
    /// whether that was the last count: then the caller frees the list, and
    /// otherwise it must not touch the list again.
    #[inline]
    #[must_use]
    pub(crate) fn unlock_releasing(&self) -> bool {
        // Release: as in `unlock`, and as `Arc::drop` for the count.
        let old = self.word.fetch_sub(ONE + LOCKED, Ordering::Release);
        left(old);
        self.was_last(old - LOCKED)
    }

    /// Gives up one count without the lock. Returns whether it was the
    /// last: then the caller frees the list.
    #[inline]
    #[must_use]
    pub(crate) fn release(&self) -> bool {
        // Release: as `Arc::drop`, every use happens before the free.
        let old = self.word.fetch_sub(ONE, Ordering::Release);
        self.was_last(old)
    }

    /// Whether `old`, the word before a count was given up (lock bit
    /// clear), held only that count.
    fn was_last(&self, old: usize) -> bool {
        debug_assert!(old >= ONE, "gave up a count nobody held");
        // Nobody locks a list without owning a count, so the last count is
        // never given up while another thread holds the lock.
        debug_assert_ne!(old, ONE | LOCKED, "the last count went while locked");
        if old != ONE {
            return false;
        }
        // Acquire: synchronises with every earlier Release decrement and
        // unlock (as `Arc::drop`'s fence; a load, because ThreadSanitizer
        // does not model fences, so the free would be reported as a race).
        self.word.load(Ordering::Acquire);
        true
    }
}

/// After an unlock step whose previous word was `old`: checks it was
/// locked, and under loom lets the next waiter in (after the step, and on
/// memory outside the list, which another owner may free from then on).
fn left(old: usize) {
    debug_assert!(old & LOCKED != 0, "unlocked a list that was not locked");
    #[cfg(loom)]
    model::leave();
}

/// Aborts on a count that could overflow, as `Arc` does: each count is a
/// header or a node (an allocation), so only reachable by leaking nodes
/// about 2^62 times.
fn check_count(old: usize) {
    if old > usize::MAX / 4 {
        std::process::abort();
    }
}

/// Under loom: how a list locker waits (see the module docs).
#[cfg(loom)]
mod model {
    use core::cell::RefCell;
    use loom::sync::{Mutex, MutexGuard};

    loom::lazy_static! {
        /// Taken with every list lock of the model, so a locker that would
        /// wait blocks on it instead of spinning. One per model execution.
        static ref EXCLUSION: Mutex<()> = Mutex::new(());
    }

    loom::thread_local! {
        /// The guard of `EXCLUSION` while this thread holds a list lock.
        static HELD: RefCell<Option<MutexGuard<'static, ()>>> = RefCell::new(None);
    }

    pub(super) fn enter() {
        let guard = EXCLUSION.lock().unwrap();
        HELD.with(|held| {
            let previous = held.borrow_mut().replace(guard);
            assert!(previous.is_none(), "a thread locks one list at a time");
        });
    }

    pub(super) fn leave() {
        HELD.with(|held| drop(held.borrow_mut().take().expect("a list lock is held")));
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn counts_and_lock_share_one_word() {
        let lock = ListLock::new();
        assert_eq!(lock.count(), 1);
        lock.lock();
        lock.unlock_acquiring();
        assert_eq!(lock.count(), 2);
        lock.lock();
        assert!(!lock.unlock_releasing(), "one count left");
        assert_eq!(lock.count(), 1);
        lock.lock();
        lock.unlock_acquiring();
        assert!(!lock.release());
        lock.lock();
        lock.unlock();
        assert!(lock.release(), "the last count");
    }

    #[test]
    fn the_last_count_can_be_given_up_with_the_unlock() {
        let lock = ListLock::new();
        lock.lock();
        assert!(lock.unlock_releasing());
    }

    #[test]
    fn a_waiter_gets_the_lock_after_the_holder() {
        use std::sync::atomic::AtomicBool;
        let lock = ListLock::new();
        let inside = AtomicBool::new(false);
        lock.lock();
        std::thread::scope(|s| {
            s.spawn(|| {
                lock.lock();
                assert!(!inside.swap(true, Ordering::Relaxed));
                inside.store(false, Ordering::Relaxed);
                lock.unlock();
            });
            // The waiter cannot get in while we hold the lock.
            std::thread::sleep(std::time::Duration::from_millis(if cfg!(miri) {
                1
            } else {
                20
            }));
            assert!(!inside.load(Ordering::Relaxed));
            lock.unlock();
        });
        assert_eq!(lock.count(), 1);
        assert!(lock.word.load(Ordering::Relaxed) & LOCKED == 0);
    }
}
