//! [`WeakKeyMap`], the weak-keyed map engine, with its public names
//! [`WeakKeyDictionary`] (keys by value) and [`WeakKeyIdentityDictionary`]
//! (keys by identity); its iterators and its entry API.

use core::hash::BuildHasher;
use core::marker::PhantomData;
use std::hash::RandomState;

use weakref_core::{ArcFamily, Family, Ref, Referent, StrongRef};

use crate::address_hasher::BuildAddressHasher;
use crate::key_mode::{ByIdentity, ByValue, KeyMode};
use crate::table::{Entry as TableEntry, Lookup, Table};

mod entry;
mod iter;
mod traits;

pub use self::entry::{Entry, OccupiedEntry, VacantEntry};
pub use self::iter::{Iter, IterMut, Keys, Values, ValuesMut};

/// The map behind [`WeakKeyDictionary`] and [`WeakKeyIdentityDictionary`];
/// use those names.
///
/// One engine for both key modes (`M`: [`ByValue`] or [`ByIdentity`]) and
/// both pointer families (`F`: [`ArcFamily`] or
/// [`RcFamily`](weakref_core::RcFamily)); every method is written once,
/// here. The public names are type aliases that pin the mode (two `new`
/// functions for two modes would be ambiguous if the mode were a defaulted
/// parameter: defaults do not apply in expression position), and
/// [`crate::rc`] pins the family.
///
/// ```
/// use std::sync::Arc;
/// use weakref_collections::{ByIdentity, WeakKeyIdentityDictionary, WeakKeyMap};
/// use weakref_core::{ArcFamily, Header, Referent};
///
/// #[derive(Referent)]
/// struct Obj { header: Header }
///
/// let o = Arc::new(Obj { header: Header::new() });
/// let mut d: WeakKeyMap<Obj, u8, _, ArcFamily, ByIdentity> = WeakKeyIdentityDictionary::new();
/// d.insert(&o, 1);
/// assert_eq!(d[&o], 1);
/// ```
pub struct WeakKeyMap<K: ?Sized + Referent, V, S, F: Family, M> {
    table: Table<K, V, F>,
    hash_builder: S,
    mode: PhantomData<fn() -> M>,
}

/// Python's `weakref.WeakKeyDictionary`: a hash map from objects held
/// weakly to values, keys compared **by value** (`K`'s `Hash` and `Eq`). An
/// entry disappears when its key dies — handy to attach data to objects
/// owned elsewhere.
///
/// Pick it when keys equal by content should be one key (an equal object
/// finds the entry; inserting one keeps the stored key). To attach data to
/// *objects* — any referent, `dyn Trait` included, two equal objects being
/// two keys, `Hash`/`Eq` never called — use [`WeakKeyIdentityDictionary`].
///
/// Keys are `Arc<K>` of a [`Referent`] type (`Rc<K>` for
/// [`rc::WeakKeyDictionary`](crate::rc::WeakKeyDictionary)); the dictionary
/// keeps one weak reference per entry. `K` must hash and compare by values
/// that do not change. Inserting a key equal to a stored one keeps the
/// stored key and replaces the value. Lookups take `&K`, so `&Arc<K>`
/// coerces.
///
/// From the moment a key's last strong `Arc` is dropped, on any thread,
/// [`len`](WeakKeyMap::len), [`get`](WeakKeyMap::get),
/// [`contains_key`](WeakKeyMap::contains_key) and iteration no longer see
/// its entry; its value is dropped by the next `&mut` operation on the
/// dictionary.
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
pub type WeakKeyDictionary<K, V, S = RandomState, F = ArcFamily> = WeakKeyMap<K, V, S, F, ByValue>;

/// A weak-keyed map whose keys are **objects** (by identity): JavaScript's
/// `WeakMap`, .NET's `ConditionalWeakTable`, Python's `WeakKeyDictionary`
/// with keys that keep the default object hash, weak-table's
/// `PtrWeakKeyHashMap`.
///
/// Pick it to attach data to objects owned elsewhere: any referent works,
/// `dyn Trait` included; two equal objects are two keys; `K`'s `Hash` and
/// `Eq` are never called (it needs neither). For keys equal by content to
/// be one key, use [`WeakKeyDictionary`].
///
/// It is [`WeakKeyMap`] with the [`ByIdentity`] mode: the same API and
/// guarantees as [`WeakKeyDictionary`] — an entry disappears the moment its
/// key dies, `len` is exact — keyed by address. A dead key's address cannot
/// be reused while its entry exists (the entry's weak reference keeps the
/// allocation), so an address always names one object. The default hasher,
/// [`BuildAddressHasher`], is one multiply per lookup.
///
/// ```
/// use std::sync::Arc;
/// use weakref_collections::WeakKeyIdentityDictionary;
/// use weakref_core::{Header, Referent};
///
/// trait Shape: Referent { fn area(&self) -> f64; }
///
/// #[derive(Referent)]
/// struct Square { side: f64, header: Header }
/// impl Shape for Square { fn area(&self) -> f64 { self.side * self.side } }
///
/// let a: Arc<dyn Shape> = Arc::new(Square { side: 2.0, header: Header::new() });
/// let b: Arc<dyn Shape> = Arc::new(Square { side: 2.0, header: Header::new() });
/// let mut labels = WeakKeyIdentityDictionary::new();
/// labels.insert(&a, "a");
/// labels.insert(&b, "b"); // equal shapes, two objects: two keys
/// assert_eq!((labels[&*a], labels.len()), ("a", 2));
/// drop(a);
/// assert_eq!(labels.len(), 1);
/// ```
pub type WeakKeyIdentityDictionary<K, V, S = BuildAddressHasher, F = ArcFamily> =
    WeakKeyMap<K, V, S, F, ByIdentity>;

impl<K: ?Sized + Referent, V, F: Family> WeakKeyMap<K, V, BuildAddressHasher, F, ByIdentity> {
    /// An empty identity dictionary. Its family (`Arc` or `Rc` keys) is
    /// inferred from the first insert.
    ///
    /// ```
    /// # use weakref_collections::WeakKeyIdentityDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Key { header: Header }
    /// let d: WeakKeyIdentityDictionary<Key, u32> = WeakKeyIdentityDictionary::new();
    /// assert!(d.is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::with_hasher(BuildAddressHasher)
    }

    /// An empty identity dictionary with room for `capacity` entries.
    ///
    /// ```
    /// # use weakref_collections::WeakKeyIdentityDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Key { header: Header }
    /// let d: WeakKeyIdentityDictionary<Key, u32> = WeakKeyIdentityDictionary::with_capacity(10);
    /// assert!(d.capacity() >= 10);
    /// ```
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_and_hasher(capacity, BuildAddressHasher)
    }
}

impl<K: ?Sized + Referent, V, F: Family> WeakKeyMap<K, V, RandomState, F, ByValue> {
    /// An empty dictionary. Its family (`Arc` or `Rc` keys) is inferred
    /// from the first insert.
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

impl<K: ?Sized + Referent, V, S, F: Family, M> WeakKeyMap<K, V, S, F, M> {
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
        WeakKeyMap {
            table: Table::with_capacity(capacity),
            hash_builder,
            mode: PhantomData,
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
    pub fn iter(&self) -> Iter<'_, K, V, F> {
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
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V, F> {
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
    pub fn keys(&self) -> Keys<'_, K, V, F> {
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
    pub fn values(&self) -> Values<'_, K, V, F> {
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
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V, F> {
        ValuesMut {
            inner: self.table.iter_mut(),
        }
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
    pub fn popitem(&mut self) -> Option<(F::Strong<K>, V)> {
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

    /// Drops the entries of dead keys and shrinks the allocation,
    /// including the entries' weak reference objects kept for reuse.
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

impl<K, V, S, F, M> WeakKeyMap<K, V, S, F, M>
where
    K: ?Sized + Referent,
    S: BuildHasher,
    F: Family,
    M: KeyMode<K>,
{
    fn find(&self, key: &K) -> Option<&TableEntry<K, V, F>> {
        let hash = M::hash(&self.hash_builder, key);
        self.table.find(hash, matcher::<K, V, F, M>(hash, key))
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
    pub fn insert<P>(&mut self, key: &P, value: V) -> Option<V>
    where
        P: StrongRef<K, Family = F>,
    {
        self.table.collect();
        let key = key.as_family();
        let hash = M::hash(&self.hash_builder, &**key);
        if let Some(entry) = self
            .table
            .find_mut(hash, matcher::<K, V, F, M>(hash, &**key))
        {
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
        let hash = M::hash(&self.hash_builder, key);
        self.table
            .find_mut(hash, matcher::<K, V, F, M>(hash, key))
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
    pub fn get_key_value(&self, key: &K) -> Option<(F::Strong<K>, &V)> {
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
        let hash = M::hash(&self.hash_builder, key);
        let removed = self
            .table
            .remove_data(hash, matcher::<K, V, F, M>(hash, key));
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
    pub fn remove_entry(&mut self, key: &K) -> Option<(F::Strong<K>, V)> {
        self.table.collect();
        let hash = M::hash(&self.hash_builder, key);
        let removed = match self.table.remove(hash, matcher::<K, V, F, M>(hash, key)) {
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

    /// The entry of `key`, to read, insert or update in place (`HashMap`'s
    /// entry API). An entry whose key died counts as vacant.
    ///
    /// The entry holds a strong pointer to its key: the stored one if
    /// occupied (which, by value, may be another object equal to `key`),
    /// a clone of `key` if vacant.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut visits = WeakKeyDictionary::new();
    /// for _ in 0..3 {
    ///     *visits.entry(&k).or_insert(0) += 1;
    /// }
    /// visits.entry(&k).and_modify(|n| *n *= 10).or_insert(0);
    /// assert_eq!(visits[&k], 30);
    /// ```
    pub fn entry<P>(&mut self, key: &P) -> Entry<'_, K, V, S, F, M>
    where
        P: StrongRef<K, Family = F>,
    {
        self.table.collect();
        let key = key.as_family();
        let hash = M::hash(&self.hash_builder, &**key);
        let vacant = match self.table.lookup(hash, matcher::<K, V, F, M>(hash, &**key)) {
            Lookup::Found(found) => match found.referent() {
                Some(stored) => return Entry::Occupied(OccupiedEntry::new(found, stored)),
                // It died since it matched (on another thread): its hook
                // accounts for it; a new entry goes beside it.
                None => found.into_vacant(),
            },
            Lookup::Absent(vacant) => vacant,
        };
        Entry::Vacant(VacantEntry::new(vacant, key.clone()))
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
    pub fn setdefault<P>(&mut self, key: &P, default: V) -> &mut V
    where
        P: StrongRef<K, Family = F>,
    {
        self.entry(key).or_insert(default)
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
    pub fn keyrefs(&self) -> Vec<Ref<K, F>> {
        self.keys().map(|key| Ref::new(&key)).collect()
    }
}

/// The lookup predicate of a key hashed to `hash` under mode `M`: an entry
/// with that hash whose key is alive and matches.
fn matcher<'k, K, V, F, M>(hash: u64, key: &'k K) -> impl FnMut(&TableEntry<K, V, F>) -> bool + 'k
where
    K: ?Sized + Referent,
    F: Family,
    M: KeyMode<K>,
{
    move |entry| entry.hash == hash && M::matches(&entry.weak, key)
}
