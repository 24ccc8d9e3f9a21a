//! [`WeakKeyDictionary`]: a map whose keys are held weakly, and its
//! iterators.

use crate::sync::Arc;
use core::hash::{BuildHasher, Hash};
use std::hash::RandomState;

use weakref_core::{Ref, Referent};

use crate::table::{Entry, Table};

mod iter;
mod traits;

pub use self::iter::{Iter, IterMut, Keys, Values, ValuesMut};

/// Python's `weakref.WeakKeyDictionary`: a hash map from objects held
/// weakly to values. An entry disappears when its key dies — handy to attach
/// data to objects owned elsewhere.
///
/// Keys are `Arc<K>` of a [`Referent`] type; the dictionary keeps one weak
/// reference per entry. Keys compare by `K`'s `Eq` and `Hash` (not by
/// address), so `K` must hash and compare by values that do not change.
/// Inserting a key equal to a stored one keeps the stored key and replaces
/// the value. Lookups take `&K`, so `&Arc<K>` coerces.
///
/// From the moment a key's last strong `Arc` is dropped, on any thread,
/// [`len`](Self::len), [`get`](Self::get), [`contains_key`](Self::contains_key)
/// and iteration no longer see its entry; its value is dropped by the next
/// `&mut` operation on the dictionary.
///
/// ```
/// use std::sync::Arc;
/// use weakref_collections::WeakKeyDictionary;
/// use weakref_core::{Header, Referent};
///
/// #[derive(Referent, PartialEq, Eq, Hash)]
/// struct Widget { id: u32, header: Header }
///
/// let w = Arc::new(Widget { id: 1, header: Header::new() });
/// let mut tooltips = WeakKeyDictionary::new();
/// tooltips.insert(&w, "click me");
/// assert_eq!(tooltips[&w], "click me");
/// drop(w);
/// assert!(tooltips.is_empty());
/// ```
pub struct WeakKeyDictionary<K: ?Sized + Referent, V, S = RandomState> {
    table: Table<K, V>,
    hash_builder: S,
}

impl<K: ?Sized + Referent, V> WeakKeyDictionary<K, V, RandomState> {
    /// An empty dictionary.
    ///
    /// ```
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let d: WeakKeyDictionary<Key, u32> = WeakKeyDictionary::new();
    /// assert!(d.is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::with_hasher(RandomState::new())
    }

    /// An empty dictionary with room for `capacity` entries.
    ///
    /// ```
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let d: WeakKeyDictionary<Key, u32> = WeakKeyDictionary::with_capacity(10);
    /// assert!(d.capacity() >= 10);
    /// ```
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_and_hasher(capacity, RandomState::new())
    }
}

impl<K: ?Sized + Referent, V, S> WeakKeyDictionary<K, V, S> {
    /// An empty dictionary hashing keys with `hash_builder`.
    ///
    /// ```
    /// # use std::hash::BuildHasherDefault;
    /// # use std::collections::hash_map::DefaultHasher;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let d: WeakKeyDictionary<Key, u32, _> =
    ///     WeakKeyDictionary::with_hasher(BuildHasherDefault::<DefaultHasher>::default());
    /// assert_eq!(d.len(), 0);
    /// ```
    #[must_use]
    pub fn with_hasher(hash_builder: S) -> Self {
        Self::with_capacity_and_hasher(0, hash_builder)
    }

    /// An empty dictionary with room for `capacity` entries, hashing keys
    /// with `hash_builder`.
    ///
    /// ```
    /// # use std::hash::RandomState;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let d: WeakKeyDictionary<Key, u32> =
    ///     WeakKeyDictionary::with_capacity_and_hasher(4, RandomState::new());
    /// assert!(d.capacity() >= 4);
    /// ```
    #[must_use]
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        WeakKeyDictionary {
            table: Table::with_capacity(capacity),
            hash_builder,
        }
    }

    /// The dictionary's `BuildHasher`.
    ///
    /// ```
    /// # use std::hash::RandomState;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let d: WeakKeyDictionary<Key, u32> = WeakKeyDictionary::new();
    /// let _: &RandomState = d.hasher();
    /// ```
    pub fn hasher(&self) -> &S {
        &self.hash_builder
    }

    /// Number of entries whose key is alive (Python's `len(d)`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { id: u32, header: Header }
    /// # fn key(id: u32) -> Arc<Key> { Arc::new(Key { id, header: Header::new() }) }
    /// let (a, b) = (key(1), key(2));
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&a, ());
    /// d.insert(&b, ());
    /// drop(a);
    /// assert_eq!(d.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether no entry's key is alive.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&k, 1);
    /// assert!(!d.is_empty());
    /// drop(k);
    /// assert!(d.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entries the dictionary can hold without reallocating.
    ///
    /// ```
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let d: WeakKeyDictionary<Key, u8> = WeakKeyDictionary::with_capacity(100);
    /// assert!(d.capacity() >= 100);
    /// ```
    pub fn capacity(&self) -> usize {
        self.table.capacity()
    }

    /// The live entries, in arbitrary order (Python's `items()`). Each key is
    /// a strong `Arc` taken as the iterator reaches it; an entry whose key
    /// dies while the iterator is suspended is skipped.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { id: u32, header: Header }
    /// # fn key(id: u32) -> Arc<Key> { Arc::new(Key { id, header: Header::new() }) }
    /// let (a, b) = (key(1), key(2));
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&a, 10);
    /// d.insert(&b, 20);
    /// let sum: u32 = d.iter().map(|(k, v)| k.id * v).sum();
    /// assert_eq!(sum, 50);
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            inner: self.table.iter(),
        }
    }

    /// The live entries with mutable values.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { id: u32, header: Header }
    /// let k = Arc::new(Key { id: 2, header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&k, 10);
    /// for (key, value) in d.iter_mut() {
    ///     *value *= key.id;
    /// }
    /// assert_eq!(d[&k], 20);
    /// ```
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        IterMut {
            inner: self.table.iter_mut(),
        }
    }

    /// The live keys (Python's `keys()`), as strong `Arc`s.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&k, ());
    /// assert!(d.keys().all(|key| Arc::ptr_eq(&key, &k)));
    /// ```
    pub fn keys(&self) -> Keys<'_, K, V> {
        Keys {
            inner: self.table.iter(),
        }
    }

    /// The values of the live entries (Python's `values()`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { id: u32, header: Header }
    /// # fn key(id: u32) -> Arc<Key> { Arc::new(Key { id, header: Header::new() }) }
    /// let (a, b) = (key(1), key(2));
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&a, "a");
    /// d.insert(&b, "b");
    /// drop(b);
    /// assert_eq!(d.values().collect::<Vec<_>>(), [&"a"]);
    /// ```
    pub fn values(&self) -> Values<'_, K, V> {
        Values {
            inner: self.table.iter(),
        }
    }

    /// The values of the live entries, mutably.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&k, 1);
    /// d.values_mut().for_each(|v| *v += 1);
    /// assert_eq!(d[&k], 2);
    /// ```
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V> {
        ValuesMut {
            inner: self.table.iter_mut(),
        }
    }

    /// Weak references to the live keys (Python's `keyrefs()`).
    ///
    /// These are each key's shared weak reference (`Ref::new`), equal to the
    /// entries' own references but not the same objects: an entry's
    /// reference carries the dictionary's bookkeeping and is never handed
    /// out. While you hold them, `getweakrefcount` counts one more per key.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Ref, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&k, ());
    /// let refs = d.keyrefs();
    /// assert!(Ref::ptr_eq(&refs[0], &Ref::new(&k)));
    /// drop(k);
    /// assert!(d.keyrefs().is_empty());
    /// ```
    pub fn keyrefs(&self) -> Vec<Ref<K>> {
        self.keys().map(|key| Ref::new(&key)).collect()
    }

    /// Removes every entry (Python's `clear()`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&k, ());
    /// d.clear();
    /// assert!(d.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.table.clear();
    }

    /// Removes and returns some live entry (Python's `popitem()`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&k, "v");
    /// let (key, value) = d.popitem().unwrap();
    /// assert!(Arc::ptr_eq(&key, &k) && value == "v");
    /// assert!(d.popitem().is_none());
    /// ```
    pub fn popitem(&mut self) -> Option<(Arc<K>, V)> {
        self.table.pop_live()
    }

    /// Keeps only the live entries for which `keep` returns `true`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { id: u32, header: Header }
    /// # fn key(id: u32) -> Arc<Key> { Arc::new(Key { id, header: Header::new() }) }
    /// let keys: Vec<_> = (0..4).map(key).collect();
    /// let mut d: WeakKeyDictionary<Key, u32> = keys.iter().map(|k| (k, k.id)).collect();
    /// d.retain(|k, v| { *v += 1; k.id % 2 == 0 });
    /// assert_eq!(d.len(), 2);
    /// assert_eq!(d[&keys[2]], 3);
    /// ```
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.table.retain(|key, value| keep(key, value));
    }

    /// Reserves room for `additional` more entries.
    ///
    /// ```
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let mut d: WeakKeyDictionary<Key, u8> = WeakKeyDictionary::new();
    /// d.reserve(10);
    /// assert!(d.capacity() >= 10);
    /// ```
    pub fn reserve(&mut self, additional: usize) {
        self.table.reserve(additional);
    }

    /// Drops the entries of dead keys and shrinks the allocation.
    ///
    /// ```
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let mut d: WeakKeyDictionary<Key, u8> = WeakKeyDictionary::with_capacity(100);
    /// d.shrink_to_fit();
    /// assert!(d.capacity() < 100);
    /// ```
    pub fn shrink_to_fit(&mut self) {
        self.table.shrink_to_fit();
    }
}

impl<K, V, S> WeakKeyDictionary<K, V, S>
where
    K: ?Sized + Referent + Hash + Eq,
    S: BuildHasher,
{
    fn find(&self, key: &K) -> Option<&Entry<K, V>> {
        let hash = self.hash_builder.hash_one(key);
        self.table.find(hash, same_key(hash, key))
    }

    /// Maps `key` to `value` (Python's `d[key] = value`), returning the
    /// previous value. If an equal key is stored, it stays (with its weak
    /// reference) and only the value is replaced.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { id: u32, header: Header }
    /// # fn key(id: u32) -> Arc<Key> { Arc::new(Key { id, header: Header::new() }) }
    /// let (a, equal_to_a) = (key(1), key(1));
    /// let mut d = WeakKeyDictionary::new();
    /// assert_eq!(d.insert(&a, "one"), None);
    /// assert_eq!(d.insert(&equal_to_a, "uno"), Some("one"));
    /// assert!(Arc::ptr_eq(&d.keys().next().unwrap(), &a)); // the stored key stays
    /// drop(a);
    /// assert!(d.is_empty()); // ... and dies with `a`
    /// ```
    pub fn insert(&mut self, key: &Arc<K>, value: V) -> Option<V> {
        self.table.collect();
        let hash = self.hash_builder.hash_one(&**key);
        if let Some(entry) = self.table.find_mut(hash, same_key(hash, &**key)) {
            let old = core::mem::replace(&mut entry.data, value);
            self.table.collect();
            return Some(old);
        }
        self.table.insert(hash, key, value);
        self.table.collect();
        None
    }

    /// The value of `key`, if a live key equal to it is stored (Python's
    /// `d.get(key)`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { id: u32, header: Header }
    /// # fn key(id: u32) -> Arc<Key> { Arc::new(Key { id, header: Header::new() }) }
    /// let a = key(1);
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&a, "one");
    /// assert_eq!(d.get(&a), Some(&"one"));
    /// assert_eq!(d.get(&key(1)), Some(&"one")); // an equal key finds it
    /// assert_eq!(d.get(&key(2)), None);
    /// ```
    #[must_use]
    pub fn get(&self, key: &K) -> Option<&V> {
        self.find(key).map(|entry| &entry.data)
    }

    /// The value of `key`, mutably.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&k, vec![1]);
    /// d.get_mut(&k).unwrap().push(2);
    /// assert_eq!(d[&k], [1, 2]);
    /// ```
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.table.collect();
        let hash = self.hash_builder.hash_one(key);
        self.table
            .find_mut(hash, same_key(hash, key))
            .map(|entry| &mut entry.data)
    }

    /// The stored key equal to `key` and its value.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { id: u32, header: Header }
    /// # fn key(id: u32) -> Arc<Key> { Arc::new(Key { id, header: Header::new() }) }
    /// let a = key(1);
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&a, "one");
    /// let (stored, value) = d.get_key_value(&key(1)).unwrap();
    /// assert!(Arc::ptr_eq(&stored, &a) && *value == "one");
    /// ```
    #[must_use]
    pub fn get_key_value(&self, key: &K) -> Option<(Arc<K>, &V)> {
        let entry = self.find(key)?;
        Some((entry.weak.get()?, &entry.data))
    }

    /// Whether a live key equal to `key` is stored (Python's `key in d`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { id: u32, header: Header }
    /// # fn key(id: u32) -> Arc<Key> { Arc::new(Key { id, header: Header::new() }) }
    /// let a = key(1);
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&a, ());
    /// assert!(d.contains_key(&a));
    /// assert!(!d.contains_key(&key(2)));
    /// ```
    #[must_use]
    pub fn contains_key(&self, key: &K) -> bool {
        self.find(key).is_some()
    }

    /// Removes the entry of `key` and returns its value (Python's
    /// `d.pop(key, None)`); `None` if no live equal key is stored.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&k, 5);
    /// assert_eq!(d.remove(&k), Some(5));
    /// assert_eq!(d.remove(&k), None);
    /// ```
    pub fn remove(&mut self, key: &K) -> Option<V> {
        self.table.collect();
        let hash = self.hash_builder.hash_one(key);
        let removed = self.table.remove_data(hash, same_key(hash, key));
        self.table.collect();
        removed
    }

    /// Removes the entry of `key` and returns the stored key and its value.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { id: u32, header: Header }
    /// # fn key(id: u32) -> Arc<Key> { Arc::new(Key { id, header: Header::new() }) }
    /// let a = key(1);
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&a, 5);
    /// let (stored, value) = d.remove_entry(&key(1)).unwrap();
    /// assert!(Arc::ptr_eq(&stored, &a) && value == 5);
    /// ```
    pub fn remove_entry(&mut self, key: &K) -> Option<(Arc<K>, V)> {
        self.table.collect();
        let hash = self.hash_builder.hash_one(key);
        let removed = match self.table.remove(hash, same_key(hash, key)) {
            Some((Some(stored), value)) => Some((stored, value)),
            // Found alive, but its key died since (on another thread): the
            // entry counts as missing, as for a `get` just after.
            Some((None, value)) => {
                drop(value);
                None
            }
            None => None,
        };
        self.table.collect();
        removed
    }

    /// The value of `key`, inserting `default` first if no live equal key
    /// is stored (Python's `setdefault`; `default` is dropped otherwise).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// *d.setdefault(&k, 0) += 1;
    /// *d.setdefault(&k, 0) += 1;
    /// assert_eq!(d[&k], 2);
    /// ```
    pub fn setdefault(&mut self, key: &Arc<K>, default: V) -> &mut V {
        self.table.collect();
        let hash = self.hash_builder.hash_one(&**key);
        let (entry, _) = self
            .table
            .find_or_insert(hash, same_key(hash, &**key), key, || default);
        &mut entry.data
    }
}

/// The lookup predicate of a key hashed to `hash`: the same object (no
/// upgrade), or a live key equal to it.
fn same_key<'a, K, V>(hash: u64, key: &'a K) -> impl FnMut(&Entry<K, V>) -> bool + 'a
where
    K: ?Sized + Referent + Eq,
{
    let address: *const () = (key as *const K).cast();
    move |entry| {
        entry.hash == hash
            && if Ref::as_ptr(&entry.weak) == address {
                entry.weak.is_alive()
            } else {
                entry.weak.get().is_some_and(|stored| *stored == *key)
            }
    }
}
