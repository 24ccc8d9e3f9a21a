//! The death ledger a dictionary shares with the death hooks of its entries.
//!
//! Each entry of a weak dictionary holds one weak reference made with
//! `Ref::with_death_hook`; the hook calls [`Deaths::record`] with the entry's
//! hash and id, on whatever thread the referent dies, at once. The dictionary
//! consumes the records in its next `&mut` operation (`Table::collect`).
//!
//! Accounting: `dead` is the number of records in `queue` (plus those a
//! `collect` has taken and not finished, which only happens inside a `&mut`
//! operation). Each death adds exactly one record and one to `dead`, and each
//! record is consumed exactly once, subtracting one — either by `collect`, or
//! by an explicit removal whose `Ref::cancel` lost the race with the death
//! ([`Deaths::forget`]). If the removal wins the lock before the hook, the
//! entry's id goes to `ignore` and the late hook records nothing. So
//! `entries.len() - dead` is the number of entries whose referent is alive
//! (or whose hook has not run yet).

use std::sync::PoisonError;

use crate::sync::{AtomicUsize, Mutex, MutexGuard, Ordering};

/// The deaths not yet consumed by a dictionary (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct Deaths {
    state: Mutex<DeathState>,
    /// Records in `state.queue`, readable without the lock (`len`, and the
    /// fast path of `collect`).
    dead: AtomicUsize,
    /// Queue records and removed entries looked at by `forget_all`, so a
    /// test can check that removal stays linear (no timing in tests).
    #[cfg(test)]
    pub(crate) scanned: AtomicUsize,
}

#[derive(Debug, Default)]
struct DeathState {
    /// `(hash, id)` of entries whose referent died, oldest first.
    queue: Vec<(u64, u64)>,
    /// Ids of entries removed after their death claimed the hook but before
    /// the hook ran: the hook must not count them. Each id is removed by the
    /// hook it waits for. Almost always empty.
    ignore: Vec<u64>,
}

/// The death hook of every entry: records its `(hash, id)`.
impl weakref_core::__pool::PooledHook for Deaths {
    fn on_death(&self, [hash, id]: [u64; 2]) {
        self.record(hash, id);
    }
}

impl Deaths {
    fn lock(&self) -> MutexGuard<'_, DeathState> {
        // No user code runs under this lock, so poisoning can only come from
        // an allocation failure; the state is still consistent then.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The death hook of entry `id`: called once, on the dying thread.
    pub(crate) fn record(&self, hash: u64, id: u64) {
        let mut state = self.lock();
        if let Some(i) = state.ignore.iter().position(|&ignored| ignored == id) {
            state.ignore.swap_remove(i);
            return;
        }
        state.queue.push((hash, id));
        // Relaxed: a plain counter; a reader on another thread that must see
        // this death is ordered after it by whatever told it of the death.
        self.dead.fetch_add(1, Ordering::Relaxed);
    }

    /// Deaths recorded and not consumed.
    #[inline]
    pub(crate) fn dead(&self) -> usize {
        // Relaxed: see `record`.
        self.dead.load(Ordering::Relaxed)
    }

    /// Takes the queued records; each must be followed by one
    /// [`consumed`](Deaths::consumed).
    pub(crate) fn take(&self) -> Vec<(u64, u64)> {
        core::mem::take(&mut self.lock().queue)
    }

    /// One taken record was consumed (its entry, if still there, removed).
    pub(crate) fn consumed(&self) {
        // Relaxed: see `record`.
        self.dead.fetch_sub(1, Ordering::Relaxed);
    }

    /// Entry `id` was removed, but its death claimed its hook first: consume
    /// its record if the hook already ran, or tell the hook to record nothing.
    pub(crate) fn forget(&self, hash: u64, id: u64) {
        self.forget_all(&[(hash, id)]);
    }

    /// [`forget`](Deaths::forget) for many removed entries at once, in one
    /// pass over the queue: linear in the queue and `records`, however many
    /// entries died (a `clear` after many deaths was quadratic with one
    /// search per entry: outside review, failure 7).
    pub(crate) fn forget_all(&self, records: &[(u64, u64)]) {
        if records.is_empty() {
            return;
        }
        let mut state = self.lock();
        let mut missing: std::collections::HashSet<(u64, u64)> = records.iter().copied().collect();
        #[cfg(test)]
        self.scanned
            .fetch_add(state.queue.len() + records.len(), Ordering::Relaxed);
        let before = state.queue.len();
        state.queue.retain(|record| !missing.remove(record));
        // Relaxed: see `record`.
        self.dead
            .fetch_sub(before - state.queue.len(), Ordering::Relaxed);
        state.ignore.extend(missing.into_iter().map(|(_, id)| id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_then_forget_consumes_the_record() {
        let deaths = Deaths::default();
        deaths.record(1, 7);
        assert_eq!(deaths.dead(), 1);
        deaths.forget(1, 7);
        assert_eq!(deaths.dead(), 0);
        assert!(deaths.take().is_empty());
    }

    #[test]
    fn forget_then_record_records_nothing() {
        let deaths = Deaths::default();
        deaths.forget(1, 7);
        deaths.record(1, 7);
        assert_eq!(deaths.dead(), 0);
        assert!(deaths.take().is_empty());
        deaths.record(1, 7);
        assert_eq!(deaths.dead(), 1);
    }

    #[test]
    fn take_and_consume() {
        let deaths = Deaths::default();
        deaths.record(1, 1);
        deaths.record(2, 2);
        let taken = deaths.take();
        assert_eq!(taken, [(1, 1), (2, 2)]);
        for _ in taken {
            deaths.consumed();
        }
        assert_eq!(deaths.dead(), 0);
    }
}
