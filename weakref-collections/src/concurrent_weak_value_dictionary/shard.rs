//! One shard of a [`ConcurrentWeakValueDictionary`](super::ConcurrentWeakValueDictionary):
//! a hash table of slots behind a `RwLock`, and the [`Ledger`] its entries'
//! death hooks write to.
//!
//! Accounting (see the module docs of the dictionary for the why):
//! `Ledger::live` counts the *armed and counted* weak references: each entry
//! that entered the table with a live value adds one
//! ([`Ledger::count`]), and exactly one of two events takes it away again —
//! its death hook ([`Ledger::died`]), or a [`Ledger::disarm`] whose
//! `Ref::cancel` won against the death. `Ref::cancel` decides that race
//! atomically in the core, so every entry is uncounted exactly once, by
//! whichever thread gets there first, and no `ignore` list is needed.
//!
//! The hook also records `(hash, id)` so that the next write to the shard
//! can remove the dead entry and drop its key ([`Ledger::consume`]). A
//! record whose entry is already gone (removed explicitly, or replaced) is
//! stale: ids are never reused within a shard, so it matches nothing and is
//! simply dropped. A stale death never removes a newer entry.

use core::mem;

use hashbrown::HashTable;
use weakref_core::{Ref, Referent};

use super::load::Load;
use crate::sync::{
    Arc, AtomicU64, AtomicUsize, Mutex, Ordering, RwLock, RwLockReadGuard, RwLockWriteGuard,
    unpoison,
};

/// A shard's hash table.
pub(super) type Table<K, V> = HashTable<Slot<K, V>>;

/// One key of the table: a live (or dead, not yet consumed) entry, or a
/// placeholder while `get_or_insert_with` makes its value.
pub(super) struct Slot<K, V: ?Sized + Referent> {
    pub(super) hash: u64,
    pub(super) key: K,
    pub(super) state: State<V>,
}

pub(super) enum State<V: ?Sized + Referent> {
    /// An entry: the value is held through this weak reference.
    Live(Armed<V>),
    /// No value yet: a loader is running `make`; waiters block on the load.
    Loading(std::sync::Arc<Load<V>>),
}

impl<K, V: ?Sized + Referent> Slot<K, V> {
    /// The id of this slot's armed reference, if it is an entry.
    pub(super) fn id(&self) -> Option<u64> {
        match &self.state {
            State::Live(armed) => Some(armed.id),
            State::Loading(_) => None,
        }
    }

    /// The entry's value, if this is an entry and its value is alive.
    ///
    /// The `Arc` is a strong reference: if the value's other owners drop
    /// theirs meanwhile, dropping this one kills it and runs its death hook
    /// and callbacks. Never drop it while holding a shard lock.
    pub(super) fn value(&self) -> Option<Arc<V>> {
        match &self.state {
            State::Live(armed) => armed.weak.get(),
            State::Loading(_) => None,
        }
    }

    /// Whether this is an entry whose value is alive.
    pub(super) fn is_alive(&self) -> bool {
        matches!(&self.state, State::Live(armed) if armed.weak.is_alive())
    }
}

/// A weak reference whose death hook writes `(hash, id)` to a shard's ledger.
pub(super) struct Armed<V: ?Sized + Referent> {
    weak: Ref<V>,
    id: u64,
}

impl<V: ?Sized + Referent> Armed<V> {
    /// The value, if alive (see [`Slot::value`] for the care it needs).
    pub(super) fn get(&self) -> Option<Arc<V>> {
        self.weak.get()
    }

    /// Disarms a reference that was never [counted](Ledger::count) (armed
    /// for an entry that turned out not to be needed).
    pub(super) fn discard(self) {
        let _ = self.weak.cancel();
    }
}

/// A shard: its table, padded to its own cache lines so that readers of
/// different shards never share one.
#[repr(align(128))]
pub(super) struct Shard<K, V: ?Sized + Referent> {
    table: RwLock<Table<K, V>>,
    /// Shared with the hooks. std's `Arc` even under loom: only a
    /// container, whose count the models need not explore.
    pub(super) ledger: std::sync::Arc<Ledger>,
}

impl<K, V: ?Sized + Referent> Shard<K, V> {
    pub(super) fn with_capacity(capacity: usize) -> Self {
        Shard {
            table: RwLock::new(HashTable::with_capacity(capacity)),
            ledger: std::sync::Arc::new(Ledger::default()),
        }
    }

    pub(super) fn read(&self) -> RwLockReadGuard<'_, Table<K, V>> {
        unpoison(self.table.read())
    }

    /// The table, for writing, with the recorded deaths consumed first: the
    /// dead entries' keys go to `dead`, to be dropped after unlocking.
    pub(super) fn write(&self, dead: &mut Vec<K>) -> RwLockWriteGuard<'_, Table<K, V>> {
        let mut table = unpoison(self.table.write());
        self.ledger.consume(&mut table, dead);
        table
    }

    /// The table, without locking (the dictionary is being dropped).
    pub(super) fn get_mut(&mut self) -> &mut Table<K, V> {
        unpoison(self.table.get_mut())
    }

    /// Drops the keys of consumed deaths — user code, so never under the
    /// shard lock — looping while that kills more entries of this shard: a
    /// cascade finishes here, iteratively.
    pub(super) fn settle(&self, mut dead: Vec<K>) {
        while !dead.is_empty() {
            drop(mem::take(&mut dead));
            if self.ledger.has_records() {
                drop(self.write(&mut dead));
            }
        }
    }

    /// Removes `slot`'s entry from the accounting (`Live`), or hands back
    /// its placeholder (`Loading`); the key is left to the caller to drop
    /// after unlocking.
    pub(super) fn release(&self, slot: Slot<K, V>) -> (K, Option<std::sync::Arc<Load<V>>>) {
        match slot.state {
            State::Live(armed) => {
                self.ledger.disarm(armed);
                (slot.key, None)
            }
            State::Loading(load) => (slot.key, Some(load)),
        }
    }
}

/// Where a shard's death hooks write, shared with them through an `Arc`
/// (they are `'static`: no lifetime or type of the dictionary in them).
#[repr(align(128))]
#[derive(Debug, Default)]
pub(super) struct Ledger {
    /// Armed references counted and not yet uncounted (see the module docs):
    /// the shard's share of `len()`.
    live: AtomicUsize,
    /// Length of `records`, readable without its lock: the fast path of
    /// [`consume`](Ledger::consume). Written only under the `records` lock.
    queued: AtomicUsize,
    /// `(hash, id)` of entries whose value died, oldest first.
    records: Mutex<Vec<(u64, u64)>>,
    /// The next entry id: ids are unique within the shard.
    next_id: AtomicU64,
}

impl Ledger {
    /// A weak reference to `obj` whose death uncounts it and records
    /// `(hash, its id)`. Not counted yet: [`count`](Ledger::count) it when
    /// it enters the table, or [`discard`](Armed::discard) it.
    pub(super) fn arm<V: ?Sized + Referent>(
        self: &std::sync::Arc<Self>,
        obj: &Arc<V>,
        hash: u64,
    ) -> Armed<V> {
        // Relaxed: only uniqueness matters, which the RMW gives.
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let ledger = std::sync::Arc::clone(self);
        let weak = Ref::with_death_hook(obj, move || ledger.died(hash, id));
        Armed { weak, id }
    }

    /// An armed reference entered the table. Its hook cannot run before:
    /// whoever arms it holds a strong `Arc` of its value until after this.
    pub(super) fn count(&self) {
        // Relaxed: a plain counter. The increment happens-before the hook's
        // decrement (the hook runs after the last strong `Arc` is dropped,
        // which the counting thread does only later, and `Arc`'s drop is
        // Release/Acquire), so the count never wraps.
        self.live.fetch_add(1, Ordering::Relaxed);
    }

    /// A counted reference left the table: uncount it unless its death came
    /// first (then the hook uncounts it, or already did).
    pub(super) fn disarm<V: ?Sized + Referent>(&self, armed: Armed<V>) {
        if armed.weak.cancel() {
            // Relaxed: see `count`.
            self.live.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// The death hook of entry `id`: runs once, on the dying thread, with
    /// no lock of the core held. It takes only the `records` lock, which no
    /// thread holds while it could trigger a death: so a thread that holds
    /// a shard lock (and must never drop user data under it) never waits
    /// for a hook, and a hook never waits for a shard lock.
    fn died(&self, hash: u64, id: u64) {
        let mut records = unpoison(self.records.lock());
        records.push((hash, id));
        // Relaxed: a hint, written under the `records` lock; a writer that
        // misses it leaves the record to the next one.
        self.queued.store(records.len(), Ordering::Relaxed);
        drop(records);
        // Relaxed: see `count`. A thread that must see this death (it
        // joined the dying thread, or is it) is ordered after it.
        self.live.fetch_sub(1, Ordering::Relaxed);
    }

    /// Live entries of the shard.
    pub(super) fn live(&self) -> usize {
        // Relaxed: see `count`.
        self.live.load(Ordering::Relaxed)
    }

    /// Whether deaths are recorded and not consumed.
    pub(super) fn has_records(&self) -> bool {
        // Relaxed: see `died`.
        self.queued.load(Ordering::Relaxed) > 0
    }

    /// Removes the entries whose death was recorded from `table` (which the
    /// caller has locked for writing), passing their keys to `dead`. One
    /// atomic load when nothing died.
    fn consume<K, V: ?Sized + Referent>(&self, table: &mut Table<K, V>, dead: &mut Vec<K>) {
        if !self.has_records() {
            return;
        }
        let records = {
            let mut records = unpoison(self.records.lock());
            // Relaxed: see `died`.
            self.queued.store(0, Ordering::Relaxed);
            mem::take(&mut *records)
        };
        for (hash, id) in records {
            if let Ok(found) = table.find_entry(hash, |slot| slot.id() == Some(id)) {
                let (slot, _) = found.remove();
                // Dead: its hook ran, so this only drops the handle.
                if let State::Live(armed) = slot.state {
                    self.disarm(armed);
                }
                dead.push(slot.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use weakref_core::Header;

    #[derive(Referent)]
    struct Obj {
        header: Header,
    }

    fn obj() -> Arc<Obj> {
        Arc::new(Obj {
            header: Header::new(),
        })
    }

    fn add(shard: &Shard<u32, Obj>, key: u32, value: &Arc<Obj>) {
        let armed = shard.ledger.arm(value, u64::from(key));
        let mut table = shard.write(&mut Vec::new());
        let slot = Slot {
            hash: u64::from(key),
            key,
            state: State::Live(armed),
        };
        table.insert_unique(u64::from(key), slot, |slot| slot.hash);
        shard.ledger.count();
    }

    #[test]
    fn a_shard_and_its_ledger_fill_their_cache_lines_exactly() {
        // The module docs quote ~400 bytes per shard: 128 + an `Arc` of
        // 128 (its counts padded to the ledger's alignment: 256).
        assert_eq!(core::mem::size_of::<Shard<u64, Obj>>(), 128);
        assert_eq!(core::mem::size_of::<Ledger>(), 128);
    }

    #[test]
    fn a_death_is_uncounted_at_once_and_consumed_by_the_next_write() {
        let shard = Shard::with_capacity(0);
        let (a, b) = (obj(), obj());
        add(&shard, 1, &a);
        add(&shard, 2, &b);
        drop(a);
        assert_eq!(shard.ledger.live(), 1);
        assert!(shard.ledger.has_records());
        assert_eq!(shard.read().len(), 2, "the dead entry waits for a write");
        let mut dead = Vec::new();
        drop(shard.write(&mut dead));
        assert_eq!(dead, [1]);
        assert_eq!(shard.read().len(), 1);
        assert!(!shard.ledger.has_records());
    }

    #[test]
    fn a_removal_that_loses_to_the_death_is_uncounted_once() {
        let shard = Shard::with_capacity(0);
        let a = obj();
        add(&shard, 1, &a);
        drop(a);
        let slot = {
            let mut table = unpoison(shard.table.write());
            table.find_entry(1, |_| true).ok().unwrap().remove().0
        };
        let (key, _) = shard.release(slot);
        assert_eq!((key, shard.ledger.live()), (1, 0));
        // The stale record matches nothing.
        let mut dead = Vec::new();
        drop(shard.write(&mut dead));
        assert!(dead.is_empty() && !shard.ledger.has_records());
    }

    #[test]
    fn a_removal_that_wins_is_uncounted_and_its_hook_never_runs() {
        let shard = Shard::with_capacity(0);
        let a = obj();
        add(&shard, 1, &a);
        let slot = {
            let mut table = unpoison(shard.table.write());
            table.find_entry(1, |_| true).ok().unwrap().remove().0
        };
        let _ = shard.release(slot);
        assert_eq!(shard.ledger.live(), 0);
        drop(a);
        assert_eq!(shard.ledger.live(), 0);
        assert!(!shard.ledger.has_records());
    }
}
