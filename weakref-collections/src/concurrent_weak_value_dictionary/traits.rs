//! The std traits of [`ConcurrentWeakValueDictionary`]: `Clone` (Python's
//! `copy()`), `Default`, `Debug`, `Extend` (`update()`), `FromIterator`,
//! `IntoIterator` for a reference (a snapshot).

use core::fmt;
use core::hash::{BuildHasher, Hash};

use weakref_core::Referent;

use super::{ConcurrentWeakValueDictionary, Iter, Slot};
use crate::sync::Arc;

/// Python's `copy()`: a new dictionary (same hasher, same number of shards)
/// of the live entries, keys cloned; safe while other threads insert and
/// drop values (an entry whose value dies during the copy is not in it).
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::ConcurrentWeakValueDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent)] struct Obj { header: Header }
/// let a = Arc::new(Obj { header: Header::new() });
/// let d = ConcurrentWeakValueDictionary::new();
/// d.insert(1, &a);
/// let copy = d.clone();
/// d.clear();
/// assert!(Arc::ptr_eq(&copy.get(&1).unwrap(), &a));
/// ```
impl<K, V, S> Clone for ConcurrentWeakValueDictionary<K, V, S>
where
    K: Clone + Hash + Eq,
    V: ?Sized + Referent,
    S: Clone + BuildHasher,
{
    fn clone(&self) -> Self {
        let copy = Self::with_capacity_and_hasher_and_shard_amount(
            self.len(),
            self.hash_builder.clone(),
            self.shard_amount(),
        );
        for (key, value) in self.iter() {
            copy.insert(key, &value);
        }
        copy
    }
}

/// An empty dictionary with the default number of shards.
///
/// ```
/// # use weakref_collections::ConcurrentWeakValueDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent)] struct Obj { header: Header }
/// let d: ConcurrentWeakValueDictionary<u8, Obj> = Default::default();
/// assert!(d.is_empty());
/// ```
impl<K, V: ?Sized + Referent, S: Default> Default for ConcurrentWeakValueDictionary<K, V, S> {
    fn default() -> Self {
        Self::with_hasher(S::default())
    }
}

/// Like a map of the live entries, shard by shard: `{1: Obj { .. }}`. Keys
/// and values are formatted under their shard's read lock.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::ConcurrentWeakValueDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, Debug)] struct Obj { n: u32, #[referent(header)] h: Header }
/// let a = Arc::new(Obj { n: 1, h: Header::new() });
/// let d = ConcurrentWeakValueDictionary::new();
/// d.insert("a", &a);
/// assert!(format!("{d:?}").starts_with("{\"a\": Obj { n: 1"));
/// ```
impl<K, V, S> fmt::Debug for ConcurrentWeakValueDictionary<K, V, S>
where
    K: fmt::Debug,
    V: ?Sized + Referent + fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for shard in &self.shards {
            // Upgraded values are dropped after unlocking (user code).
            let mut shown: Vec<Arc<V>> = Vec::new();
            {
                let table = shard.read();
                for slot in table.iter() {
                    if let Some(value) = Slot::value(slot) {
                        shown.push(value);
                        map.entry(&slot.key, &shown[shown.len() - 1]);
                    }
                }
            }
            drop(shown);
        }
        map.finish()
    }
}

/// Python's `update()`: inserts every pair. A value whose only strong
/// reference was the one passed in dies at once, and its entry with it.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::ConcurrentWeakValueDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent)] struct Obj { header: Header }
/// let a = Arc::new(Obj { header: Header::new() });
/// let mut d = ConcurrentWeakValueDictionary::new();
/// d.extend([(1, a.clone()), (2, Arc::new(Obj { header: Header::new() }))]);
/// assert_eq!(d.len(), 1); // the second value died at once
/// ```
impl<K, V, S> Extend<(K, Arc<V>)> for ConcurrentWeakValueDictionary<K, V, S>
where
    K: Hash + Eq,
    V: ?Sized + Referent,
    S: BuildHasher,
{
    fn extend<I: IntoIterator<Item = (K, Arc<V>)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.insert(key, &value);
        }
    }
}

/// Python's `update()` from borrowed values.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::ConcurrentWeakValueDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent)] struct Obj { header: Header }
/// let a = Arc::new(Obj { header: Header::new() });
/// let mut d = ConcurrentWeakValueDictionary::new();
/// d.extend([(1, &a), (2, &a)]);
/// assert_eq!(d.len(), 2);
/// ```
impl<'a, K, V, S> Extend<(K, &'a Arc<V>)> for ConcurrentWeakValueDictionary<K, V, S>
where
    K: Hash + Eq,
    V: ?Sized + Referent + 'a,
    S: BuildHasher,
{
    fn extend<I: IntoIterator<Item = (K, &'a Arc<V>)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.insert(key, value);
        }
    }
}

/// A dictionary of the pairs (the last value of a repeated key wins). The
/// dictionary holds the values weakly: keep them alive elsewhere.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::ConcurrentWeakValueDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent)] struct Obj { header: Header }
/// let objs: Vec<_> = (0..3).map(|_| Arc::new(Obj { header: Header::new() })).collect();
/// let d: ConcurrentWeakValueDictionary<usize, Obj> = objs.iter().cloned().enumerate().collect();
/// assert_eq!(d.len(), 3);
/// ```
impl<K, V, S> FromIterator<(K, Arc<V>)> for ConcurrentWeakValueDictionary<K, V, S>
where
    K: Hash + Eq,
    V: ?Sized + Referent,
    S: BuildHasher + Default,
{
    fn from_iter<I: IntoIterator<Item = (K, Arc<V>)>>(iter: I) -> Self {
        let mut dict = Self::default();
        dict.extend(iter);
        dict
    }
}

/// `for (key, value) in &dict`: a snapshot, as [`iter`](ConcurrentWeakValueDictionary::iter).
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::ConcurrentWeakValueDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent)] struct Obj { header: Header }
/// let a = Arc::new(Obj { header: Header::new() });
/// let d = ConcurrentWeakValueDictionary::new();
/// d.insert(7, &a);
/// for (key, value) in &d {
///     assert_eq!(key, 7);
///     assert!(Arc::ptr_eq(&value, &a));
/// }
/// ```
impl<K: Clone, V: ?Sized + Referent, S> IntoIterator for &ConcurrentWeakValueDictionary<K, V, S> {
    type Item = (K, Arc<V>);
    type IntoIter = Iter<K, V>;

    fn into_iter(self) -> Iter<K, V> {
        self.iter()
    }
}
