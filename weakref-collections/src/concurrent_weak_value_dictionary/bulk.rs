//! The whole-map operations of [`ConcurrentWeakValueDictionary`]: snapshots
//! (`iter`, `keys`, `values`), `retain`, `clear`, `shrink_to_fit`. Each
//! visits the shards one at a time.

use weakref_core::Referent;

use super::shard::{Slot, State};
use super::{ConcurrentWeakValueDictionary, Iter, Keys, Values};
use crate::sync::Arc;

impl<K, V: ?Sized + Referent, S> ConcurrentWeakValueDictionary<K, V, S> {
    /// The live values (Python's `values()`), as a snapshot of strong `Arc`s.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let d = ConcurrentWeakValueDictionary::new();
    /// d.insert(1, &a);
    /// d.insert(2, &a);
    /// assert!(d.values().all(|v| Arc::ptr_eq(&v, &a)));
    /// assert_eq!(d.values().len(), 2);
    /// ```
    pub fn values(&self) -> Values<V> {
        let mut values = Vec::with_capacity(self.len());
        for shard in &self.shards {
            values.extend(shard.read().iter().filter_map(Slot::value));
        }
        Values {
            inner: values.into_iter(),
        }
    }

    /// Keeps only the live entries for which `keep` returns `true`; removes
    /// the dead ones too. Shard by shard: `keep` runs under a shard's read
    /// lock (it must not call into this dictionary), then the entries it
    /// rejected are removed under the write lock, unless they were given a
    /// new value meanwhile.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// # fn obj() -> Arc<Obj> { Arc::new(Obj { header: Header::new() }) }
    /// let objs: Vec<_> = (0..4).map(|_| obj()).collect();
    /// let d: ConcurrentWeakValueDictionary<_, _> = (0..4).zip(objs.iter().cloned()).collect();
    /// d.retain(|k, _| k % 2 == 0);
    /// assert_eq!(d.len(), 2);
    /// assert!(d.contains_key(&2) && !d.contains_key(&3));
    /// ```
    pub fn retain(&self, mut keep: impl FnMut(&K, &Arc<V>) -> bool) {
        for shard in &self.shards {
            // The values seen, upgraded under the lock, are dropped after
            // unlocking (user code); each is stored before `keep` runs, so a
            // panicking `keep` drops none under the lock either.
            let mut seen = Vec::new();
            let mut rejected = Vec::new();
            {
                let table = shard.read();
                for slot in table.iter() {
                    if let Some(value) = slot.value() {
                        seen.push(value);
                        let value = &seen[seen.len() - 1];
                        if !keep(&slot.key, value) {
                            rejected.push((slot.hash, slot.id()));
                        }
                    }
                }
            }
            let mut dead = Vec::new();
            let mut removed = Vec::with_capacity(rejected.len());
            {
                let mut table = shard.write(&mut dead);
                for &(hash, id) in &rejected {
                    // By entry id (unique in the shard): an entry given a
                    // new value since has a new id and stays.
                    if let Ok(found) = table.find_entry(hash, |slot| slot.id() == id) {
                        removed.push(shard.release(found.remove().0).0);
                    }
                }
            }
            drop(removed);
            drop(seen);
            shard.settle(dead);
        }
        self.shrink_to_fit_inner(false);
    }

    /// Removes every entry (Python's `clear()`), shard by shard. Keys whose
    /// value is being made by `get_or_insert_with` keep their placeholder.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let d = ConcurrentWeakValueDictionary::new();
    /// d.insert(1, &a);
    /// d.clear();
    /// assert!(d.is_empty() && d.get(&1).is_none());
    /// ```
    pub fn clear(&self) {
        for shard in &self.shards {
            let mut dead = Vec::new();
            let mut removed = Vec::new();
            {
                let mut table = shard.write(&mut dead);
                let entries = table.extract_if(|slot| matches!(slot.state, State::Live(_)));
                removed.extend(entries.map(|slot| shard.release(slot).0));
            }
            drop(removed);
            shard.settle(dead);
        }
    }

    /// Drops the keys of dead entries in every shard, and shrinks each
    /// shard's table to what it holds.
    ///
    /// ```
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let d: ConcurrentWeakValueDictionary<u8, Obj> =
    ///     ConcurrentWeakValueDictionary::with_capacity(1000);
    /// d.shrink_to_fit();
    /// assert!(d.capacity() < 1000);
    /// ```
    pub fn shrink_to_fit(&self) {
        self.shrink_to_fit_inner(true);
    }

    /// Consumes every shard's deaths; and shrinks if `shrink`.
    fn shrink_to_fit_inner(&self, shrink: bool) {
        for shard in &self.shards {
            let mut dead = Vec::new();
            {
                let mut table = shard.write(&mut dead);
                if shrink {
                    table.shrink_to_fit(|slot| slot.hash);
                }
            }
            shard.settle(dead);
        }
    }
}

impl<K: Clone, V: ?Sized + Referent, S> ConcurrentWeakValueDictionary<K, V, S> {
    /// A snapshot of the live entries, keys cloned (Python's `items()`),
    /// shard by shard. Each value is a strong `Arc`, so every entry of the
    /// snapshot stays alive while you hold it; entries added or killed after
    /// their shard was visited are not reflected.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { n: u32, header: Header }
    /// # fn obj(n: u32) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
    /// let (a, b) = (obj(1), obj(2));
    /// let d: ConcurrentWeakValueDictionary<_, _> =
    ///     [("a", a.clone()), ("b", b.clone())].into_iter().collect();
    /// let mut sum = 0;
    /// for (_key, value) in d.iter() {
    ///     sum += value.n;
    /// }
    /// assert_eq!(sum, 3);
    /// ```
    pub fn iter(&self) -> Iter<K, V> {
        let mut entries = Vec::with_capacity(self.len());
        for shard in &self.shards {
            // A key cloned for a value that died meanwhile is dropped after
            // unlocking (user code); the key is cloned before the value is
            // upgraded, so a panicking `Clone` drops no value under the lock.
            let mut died = Vec::new();
            {
                let table = shard.read();
                for slot in table.iter().filter(|slot| slot.is_alive()) {
                    let key = slot.key.clone();
                    match slot.value() {
                        Some(value) => entries.push((key, value)),
                        None => died.push(key),
                    }
                }
            }
            drop(died);
        }
        Iter {
            inner: entries.into_iter(),
        }
    }

    /// A snapshot of the keys of the live entries (Python's `keys()`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// # fn obj() -> Arc<Obj> { Arc::new(Obj { header: Header::new() }) }
    /// let (a, b) = (obj(), obj());
    /// let d = ConcurrentWeakValueDictionary::new();
    /// d.insert(1, &a);
    /// d.insert(2, &b);
    /// drop(b);
    /// assert_eq!(d.keys().collect::<Vec<_>>(), [1]);
    /// ```
    pub fn keys(&self) -> Keys<K> {
        let mut keys = Vec::with_capacity(self.len());
        for shard in &self.shards {
            let table = shard.read();
            keys.extend(
                table
                    .iter()
                    .filter(|slot| slot.is_alive())
                    .map(|slot| slot.key.clone()),
            );
        }
        Keys {
            inner: keys.into_iter(),
        }
    }
}
