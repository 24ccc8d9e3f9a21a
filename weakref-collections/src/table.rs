//! The hash table shared by the weak collections: one engine for every
//! key mode and pointer family.
//!
//! A [`Table<W, D, F>`] maps entries that hold one weak reference
//! (`Ref<W, F>`) to a `W` (the weak side: the key of a weak-keyed map or
//! set, the value of a `WeakValueDictionary`) and one strong `D` (the other
//! side). It knows nothing of keys, key modes or hashing: the collections
//! hash with their own `BuildHasher` (and key mode), store the hash in the
//! entry, and pass lookups as `eq` closures. It is generic over the pointer
//! family `F` (`Arc` or `Rc`): it takes and returns `F::Strong<W>`; the death
//! hooks it arms are `Send` closures whatever the family, because they only
//! touch the [`Deaths`] ledger.
//!
//! Every entry's weak reference carries a death hook that records the entry
//! in the table's ledger. A dead entry stays in the hash table, invisible
//! (lookups and iteration check the reference), until the next `&mut`
//! operation calls [`Table::collect`], which removes it and then drops its
//! strong side — user code, run after the table work, in a loop, so
//! cascades finish there in bounded stack.
//!
//! [`Table::lookup`] is the one search-then-act primitive (the entry APIs,
//! `insert`, `remove` and rebinding are built on it): it finds the entry an
//! `eq` closure accepts and hands back an [`Occupied`] or a [`Vacant`] place
//! that borrows the whole table.

use hashbrown::HashTable;
use hashbrown::hash_table;
use weakref_core::{Family, Ref, Referent};

use weakref_core::__pool::HookPool;

use crate::deaths::Deaths;
use crate::key_mode::address;

/// One entry: a weak reference with a death hook, the strong side, the hash
/// of the key (whichever side it is), and the id its death is recorded under.
pub(crate) struct Entry<W: ?Sized + Referent, D, F: Family> {
    pub(crate) weak: Ref<W, F>,
    pub(crate) data: D,
    pub(crate) hash: u64,
    pub(crate) id: u64,
}

/// Entries, plus what arms and disarms their death hooks.
pub(crate) struct Table<W: ?Sized + Referent, D, F: Family> {
    entries: HashTable<Entry<W, D, F>>,
    hooks: Hooks,
    /// Where `pop_live` resumes its scan, so popping everything is linear.
    pop_cursor: usize,
}

/// The table's side of the death protocol, a field apart from `entries` so
/// both can be borrowed at once.
struct Hooks {
    /// The death ledger, and the recycled nodes of removed entries: an
    /// insert after a remove allocates nothing (issue 14).
    pool: HookPool<Deaths>,
    next_id: u64,
}

impl Hooks {
    /// A new weak reference to `obj` whose death records `(hash, id)`.
    fn arm<W, F>(&mut self, obj: &F::Strong<W>, hash: u64) -> (Ref<W, F>, u64)
    where
        W: ?Sized + Referent,
        F: Family,
    {
        let id = self.next_id;
        self.next_id += 1;
        (self.pool.register(obj, [hash, id]), id)
    }

    fn deaths(&self) -> &Deaths {
        self.pool.hook()
    }

    /// The entry `(hash, id)` left the table: its death must never be counted.
    /// Its node goes back to the pool for the next insert.
    fn disarm<W: ?Sized + Referent, F: Family>(&mut self, weak: Ref<W, F>, hash: u64, id: u64) {
        if !self.pool.cancel(weak) {
            self.deaths().forget(hash, id);
        }
    }

    /// [`disarm`](Hooks::disarm) for many entries, with one pass over the
    /// ledger for those whose death came first: linear in the entries.
    fn disarm_all<W: ?Sized + Referent, F: Family>(
        &mut self,
        entries: impl Iterator<Item = (Ref<W, F>, u64, u64)>,
    ) {
        let late: Vec<(u64, u64)> = entries
            .filter_map(|(weak, hash, id)| (!self.pool.cancel(weak)).then_some((hash, id)))
            .collect();
        self.deaths().forget_all(&late);
    }
}

fn entry_hash<W: ?Sized + Referent, D, F: Family>(entry: &Entry<W, D, F>) -> u64 {
    entry.hash
}

/// Whether two strong pointers point to the same object.
fn same_object<T: ?Sized>(a: &T, b: &T) -> bool {
    address(a) == address(b)
}

/// What [`Table::lookup`] found.
pub(crate) enum Lookup<'a, W: ?Sized + Referent, D, F: Family> {
    /// The entry the `eq` closure accepted (alive or not: the closure
    /// decides whether dead entries count).
    Found(Occupied<'a, W, D, F>),
    /// No such entry.
    Absent(Vacant<'a, W, D, F>),
}

/// A found entry, with the whole table borrowed.
pub(crate) struct Occupied<'a, W: ?Sized + Referent, D, F: Family> {
    table: &'a mut Table<W, D, F>,
    index: usize,
}

/// Where an entry of `hash` would go, with the whole table borrowed.
pub(crate) struct Vacant<'a, W: ?Sized + Referent, D, F: Family> {
    table: &'a mut Table<W, D, F>,
    hash: u64,
}

/// `index` came from `find_bucket_index` and the table is borrowed since.
const BUCKET: &str = "an occupied bucket stays occupied while borrowed";

impl<'a, W: ?Sized + Referent, D, F: Family> Occupied<'a, W, D, F> {
    pub(crate) fn entry(&self) -> &Entry<W, D, F> {
        self.table.entries.get_bucket(self.index).expect(BUCKET)
    }

    pub(crate) fn entry_mut(&mut self) -> &mut Entry<W, D, F> {
        self.table.entries.get_bucket_mut(self.index).expect(BUCKET)
    }

    pub(crate) fn into_entry(self) -> &'a mut Entry<W, D, F> {
        self.table.entries.get_bucket_mut(self.index).expect(BUCKET)
    }

    /// The entry's referent, if alive (a strong pointer taken now).
    pub(crate) fn referent(&self) -> Option<F::Strong<W>> {
        self.entry().weak.get()
    }

    /// Removes the entry (disarming its hook) and gives back its data.
    pub(crate) fn remove(self) -> D {
        let Ok(found) = self.table.entries.get_bucket_entry(self.index) else {
            unreachable!("{BUCKET}");
        };
        let (entry, _) = found.remove();
        self.table.hooks.disarm(entry.weak, entry.hash, entry.id);
        entry.data
    }

    /// Leaves the found entry alone: a place for a new entry of the same
    /// hash (used when the found entry is dead and must not be reused).
    pub(crate) fn into_vacant(self) -> Vacant<'a, W, D, F> {
        let hash = self.entry().hash;
        Vacant {
            table: self.table,
            hash,
        }
    }

    pub(crate) fn into_table(self) -> &'a mut Table<W, D, F> {
        self.table
    }

    /// Collects the table's dead entries ([`Table::collect`]) and keeps
    /// this place. The caller holds this entry's referent (a strong pointer
    /// from [`referent`](Self::referent)), so this entry is not among them,
    /// and removals move no other entry.
    pub(crate) fn collected(self) -> Self {
        self.table.collect();
        self
    }
}

impl<W: ?Sized + Referent, D, F: Family> Occupied<'_, W, D, F> {
    /// Points the entry at `obj` with a new weak reference, keeping its
    /// data; its old reference is disarmed, so a stale death never touches
    /// the new referent. Returns the old referent if it was alive. Nothing
    /// changes if `obj` already is the referent.
    pub(crate) fn rebind(&mut self, obj: &F::Strong<W>) -> Option<F::Strong<W>> {
        let old = self.referent();
        if old.as_ref().is_some_and(|old| same_object(&**old, &**obj)) {
            return old;
        }
        let hash = self.entry().hash;
        let (weak, id) = self.table.hooks.arm(obj, hash);
        let entry = self.table.entries.get_bucket_mut(self.index).expect(BUCKET);
        let old_weak = core::mem::replace(&mut entry.weak, weak);
        let old_id = core::mem::replace(&mut entry.id, id);
        self.table.hooks.disarm(old_weak, hash, old_id);
        old
    }
}

impl<'a, W: ?Sized + Referent, D, F: Family> Vacant<'a, W, D, F> {
    pub(crate) fn hash(&self) -> u64 {
        self.hash
    }

    pub(crate) fn into_table(self) -> &'a mut Table<W, D, F> {
        self.table
    }
}

impl<'a, W: ?Sized + Referent, D, F: Family> Vacant<'a, W, D, F> {
    /// Adds an entry for `obj` with `data`.
    pub(crate) fn insert(self, obj: &F::Strong<W>, data: D) -> &'a mut Entry<W, D, F> {
        self.table.insert(self.hash, obj, data)
    }
}

impl<W: ?Sized + Referent, D, F: Family> Table<W, D, F> {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Table {
            entries: HashTable::with_capacity(capacity),
            hooks: Hooks {
                pool: HookPool::new(Deaths::default()),
                next_id: 0,
            },
            pop_cursor: 0,
        }
    }

    /// Entries whose referent is alive: exact whenever no death hook is
    /// running (a hook runs right after its referent's last strong pointer
    /// dropped).
    pub(crate) fn len(&self) -> usize {
        self.entries
            .len()
            .saturating_sub(self.hooks.deaths().dead())
    }

    pub(crate) fn capacity(&self) -> usize {
        self.entries.capacity()
    }

    /// Every entry, dead ones included: callers check `weak`.
    pub(crate) fn iter(&self) -> hash_table::Iter<'_, Entry<W, D, F>> {
        self.entries.iter()
    }

    /// Every entry, dead ones included, after collecting the dead.
    pub(crate) fn iter_mut(&mut self) -> hash_table::IterMut<'_, Entry<W, D, F>> {
        self.collect();
        self.entries.iter_mut()
    }

    pub(crate) fn find(
        &self,
        hash: u64,
        eq: impl FnMut(&Entry<W, D, F>) -> bool,
    ) -> Option<&Entry<W, D, F>> {
        self.entries.find(hash, eq)
    }

    pub(crate) fn find_mut(
        &mut self,
        hash: u64,
        eq: impl FnMut(&Entry<W, D, F>) -> bool,
    ) -> Option<&mut Entry<W, D, F>> {
        self.entries.find_mut(hash, eq)
    }

    /// The entry `eq` accepts, or the place for a new one.
    pub(crate) fn lookup(
        &mut self,
        hash: u64,
        eq: impl FnMut(&Entry<W, D, F>) -> bool,
    ) -> Lookup<'_, W, D, F> {
        match self.entries.find_bucket_index(hash, eq) {
            Some(index) => Lookup::Found(Occupied { table: self, index }),
            None => Lookup::Absent(Vacant { table: self, hash }),
        }
    }

    /// Removes the entry `eq` finds: its referent if alive, and its data.
    pub(crate) fn remove(
        &mut self,
        hash: u64,
        eq: impl FnMut(&Entry<W, D, F>) -> bool,
    ) -> Option<(Option<F::Strong<W>>, D)> {
        let (entry, _) = self.entries.find_entry(hash, eq).ok()?.remove();
        let referent = entry.weak.get();
        self.hooks.disarm(entry.weak, entry.hash, entry.id);
        Some((referent, entry.data))
    }

    /// Removes the entry `eq` finds, giving back only its data (no upgrade).
    pub(crate) fn remove_data(
        &mut self,
        hash: u64,
        eq: impl FnMut(&Entry<W, D, F>) -> bool,
    ) -> Option<D> {
        let (entry, _) = self.entries.find_entry(hash, eq).ok()?.remove();
        self.hooks.disarm(entry.weak, entry.hash, entry.id);
        Some(entry.data)
    }

    /// Removes some entry whose referent is alive (Python's `popitem`).
    pub(crate) fn pop_live(&mut self) -> Option<(F::Strong<W>, D)> {
        self.collect();
        let buckets = self.entries.num_buckets();
        let start = self.pop_cursor.min(buckets);
        let found = (start..buckets).chain(0..start).find_map(|index| {
            let entry = self.entries.get_bucket(index)?;
            entry.weak.get().map(|obj| (index, obj))
        });
        let (index, obj) = found?;
        self.pop_cursor = index;
        let data = Occupied { table: self, index }.remove();
        Some((obj, data))
    }

    /// Keeps the live entries for which `keep` is true (dead ones are left
    /// to `collect`); then collects.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&F::Strong<W>, &mut D) -> bool) {
        self.collect();
        let removed: Vec<Entry<W, D, F>> = self
            .entries
            .extract_if(|entry| match entry.weak.get() {
                Some(obj) => !keep(&obj, &mut entry.data),
                None => false,
            })
            .collect();
        let mut garbage = Vec::with_capacity(removed.len());
        let hooks = removed.into_iter().map(|entry| {
            garbage.push(entry.data);
            (entry.weak, entry.hash, entry.id)
        });
        self.hooks.disarm_all(hooks);
        // User code (the strong sides' `Drop`): after the table work.
        drop(garbage);
        self.collect();
    }

    /// Removes every entry; the removed data is dropped after every hook
    /// was disarmed, so it may kill referents of this table freely.
    pub(crate) fn clear(&mut self) {
        let hooks = self
            .entries
            .iter()
            .map(|entry| (entry.weak.clone(), entry.hash, entry.id));
        self.hooks.disarm_all(hooks);
        self.pop_cursor = 0;
        drop_all(&mut self.entries);
        self.collect();
    }

    /// Removes the entries whose death was recorded and drops them, looping
    /// while dropping them kills more (a cascade runs here, iteratively).
    /// Costs one atomic load when nothing died.
    #[inline]
    pub(crate) fn collect(&mut self) {
        if self.hooks.deaths().dead() > 0 {
            self.collect_dead();
        }
    }

    #[cold]
    fn collect_dead(&mut self) {
        while self.hooks.deaths().dead() > 0 {
            let records = self.hooks.deaths().take();
            if records.is_empty() {
                return;
            }
            let mut garbage = Vec::with_capacity(records.len());
            for (hash, id) in records {
                if let Ok(found) = self.entries.find_entry(hash, |entry| entry.id == id) {
                    garbage.push(found.remove().0);
                }
                self.hooks.deaths().consumed();
            }
            // User code (the strong sides' `Drop`): after the table work.
            drop(garbage);
        }
    }

    pub(crate) fn reserve(&mut self, additional: usize) {
        self.collect();
        self.entries.reserve(additional, entry_hash);
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.collect();
        self.entries.shrink_to_fit(entry_hash);
        // The nodes kept for reuse go too, as a `HashMap`'s spare capacity
        // does: a dictionary keeps as many as it has removed since.
        self.hooks.pool.release_kept();
    }
}

/// What needs new weak references from strong pointers the table itself
/// holds (`F::Strong<W>`, not a caller's `P: StrongRef`; `Family` states
/// that its strong pointers are `StrongRef`s of itself).
impl<W: ?Sized + Referent, D, F: Family> Table<W, D, F> {
    /// Adds an entry for `obj` (the caller checked there is no live equal one).
    pub(crate) fn insert(&mut self, hash: u64, obj: &F::Strong<W>, data: D) -> &mut Entry<W, D, F> {
        let (weak, id) = self.hooks.arm(obj, hash);
        let entry = Entry {
            weak,
            data,
            hash,
            id,
        };
        self.entries
            .insert_unique(hash, entry, entry_hash)
            .into_mut()
    }

    /// Points the entry `eq` finds at `obj` ([`Occupied::rebind`]):
    /// `Some(old referent if it was alive)`, or `None` if nothing was found.
    pub(crate) fn rebind(
        &mut self,
        hash: u64,
        eq: impl FnMut(&Entry<W, D, F>) -> bool,
        obj: &F::Strong<W>,
    ) -> Option<Option<F::Strong<W>>> {
        match self.lookup(hash, eq) {
            Lookup::Found(mut found) => Some(found.rebind(obj)),
            Lookup::Absent(_) => None,
        }
    }

    /// Python's `copy()`: a new table of the live entries, each with a new
    /// weak reference. Safe while other threads kill referents: an entry
    /// whose referent dies during the copy is collected before returning.
    pub(crate) fn clone_live(&self, mut clone_data: impl FnMut(&D) -> D) -> Self {
        let mut copy = Table::with_capacity(self.len());
        for entry in &self.entries {
            if let Some(obj) = entry.weak.get() {
                copy.insert(entry.hash, &obj, clone_data(&entry.data));
            }
        }
        copy.collect();
        copy
    }
}

impl<W: ?Sized + Referent, D, F: Family> Drop for Table<W, D, F> {
    /// Disarms every hook first, then drops the entries: data that holds the
    /// last strong reference to another entry's referent kills it without
    /// any bookkeeping, and nothing recurses (bounded stack for any chain).
    fn drop(&mut self) {
        for entry in &self.entries {
            let _ = entry.weak.clone().cancel();
        }
        drop_all(&mut self.entries);
    }
}

/// Empties `entries`, dropping every entry even if one's `Drop` panics.
///
/// `HashTable::clear` stops at a panicking element and forgets the rest
/// (leaking their data and weak references). A drain drops the rest as it
/// unwinds and leaves the table empty either way.
fn drop_all<T>(entries: &mut HashTable<T>) {
    entries.drain().for_each(drop);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::Arc;
    use weakref_core::{ArcFamily, Header, Referent};

    #[derive(Referent)]
    struct Obj {
        header: Header,
    }

    fn obj() -> Arc<Obj> {
        Arc::new(Obj {
            header: Header::new(),
        })
    }

    #[test]
    fn death_is_counted_then_collected() {
        let mut table = Table::<Obj, u32, ArcFamily>::with_capacity(0);
        let a = obj();
        let b = obj();
        table.insert(1, &a, 10);
        table.insert(2, &b, 20);
        assert_eq!(table.len(), 2);
        drop(a);
        assert_eq!(table.len(), 1);
        assert_eq!(table.entries.len(), 2);
        table.collect();
        assert_eq!(table.entries.len(), 1);
        assert_eq!(table.hooks.deaths().dead(), 0);
    }

    #[test]
    fn removal_after_death_consumes_the_record() {
        let mut table = Table::<Obj, u32, ArcFamily>::with_capacity(0);
        let a = obj();
        table.insert(1, &a, 10);
        drop(a);
        let (obj, data) = table.remove(1, |_| true).unwrap();
        assert!(obj.is_none());
        assert_eq!(data, 10);
        assert_eq!(table.hooks.deaths().dead(), 0);
        assert_eq!(table.len(), 0);
    }

    // Outside review, failure 7: `clear` after many deaths disarmed each
    // dead entry with its own search of the death ledger: quadratic (40,000
    // dead keys took 209 ms). One pass now; counted, not timed.
    #[test]
    fn clear_after_many_deaths_is_linear() {
        const N: usize = if cfg!(miri) { 50 } else { 5_000 };
        let mut table = Table::<Obj, u32, ArcFamily>::with_capacity(0);
        let objs: Vec<_> = (0..N).map(|_| obj()).collect();
        for (i, o) in objs.iter().enumerate() {
            table.insert(i as u64, o, 0);
        }
        drop(objs);
        assert_eq!(table.len(), 0);
        table.clear();
        assert_eq!(table.hooks.deaths().dead(), 0);
        let scanned = table
            .hooks
            .deaths()
            .scanned
            .load(core::sync::atomic::Ordering::Relaxed);
        assert!(scanned <= 4 * N, "{scanned} ledger steps for {N} deaths");
    }

    #[test]
    fn rebinding_disarms_the_old_reference() {
        let mut table = Table::<Obj, u32, ArcFamily>::with_capacity(0);
        let (a, b) = (obj(), obj());
        table.insert(1, &a, 10);
        let old = table.rebind(1, |_| true, &b);
        assert!(Arc::ptr_eq(&old.unwrap().unwrap(), &a));
        drop(a);
        table.collect();
        assert_eq!(table.len(), 1);
        assert!(table.iter().all(|e| e.weak.is_alive() && e.data == 10));
    }
}
