//! [`WeakValueDictionary`]: a map whose values are held weakly, its
//! iterators and its entry API.

use core::borrow::Borrow;
use core::hash::{BuildHasher, Hash};
use std::hash::RandomState;

use weakref_core::{ArcFamily, Family, Ref, Referent, StrongRef};

use crate::table::{Entry as TableEntry, Lookup, Table};

use self::entry::Place;

mod entry;
mod iter;
mod traits;

pub use self::entry::{Entry, EntryRef, OccupiedEntry, VacantEntry, VacantEntryRef};
pub use self::iter::{Iter, Keys, Values};

/// Python's `weakref.WeakValueDictionary`: a hash map from `K` to objects
/// held weakly. An entry disappears when its value dies.
///
/// Values are `Arc<V>` of a [`Referent`] type (`Rc<V>` for
/// [`rc::WeakValueDictionary`](crate::rc::WeakValueDictionary): the last
/// parameter, `F`, is the pointer family); the dictionary keeps one weak
/// reference per entry. From the moment a value's last strong `Arc` is
/// dropped, on any thread, [`len`](Self::len), [`get`](Self::get),
/// [`contains_key`](Self::contains_key) and iteration no longer see its
/// entry; its key is dropped by the next `&mut` operation on the dictionary.
///
/// Lookups take `&Q` where `K: Borrow<Q>`, as `HashMap`'s do. Operations that
/// return values return strong `Arc`s: never a dead value.
///
/// ```
/// use std::sync::Arc;
/// use weakref_collections::WeakValueDictionary;
/// use weakref_core::{Header, Referent};
///
/// #[derive(Referent, Debug)]
/// struct Image { pixels: Vec<u8>, header: Header }
///
/// let mut cache = WeakValueDictionary::new();
/// let img = Arc::new(Image { pixels: vec![0; 16], header: Header::new() });
/// cache.insert("logo".to_string(), &img);
/// assert_eq!(cache.get("logo").unwrap().pixels.len(), 16);
/// drop(img); // the only strong reference
/// assert!(cache.get("logo").is_none());
/// assert!(cache.is_empty());
/// ```
pub struct WeakValueDictionary<K, V: ?Sized + Referent, S = RandomState, F: Family = ArcFamily> {
    table: Table<V, K, F>,
    hash_builder: S,
}

impl<K, V: ?Sized + Referent, F: Family> WeakValueDictionary<K, V, RandomState, F> {
    /// An empty dictionary. Its family (`Arc` or `Rc` values) is inferred
    /// from the first insert.
    ///
    /// ```
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let d: WeakValueDictionary<u32, Obj> = WeakValueDictionary::new();
    /// assert!(d.is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::with_hasher(RandomState::new())
    }

    /// An empty dictionary with room for `capacity` entries.
    ///
    /// ```
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let d: WeakValueDictionary<u32, Obj> = WeakValueDictionary::with_capacity(10);
    /// assert!(d.capacity() >= 10);
    /// ```
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_and_hasher(capacity, RandomState::new())
    }
}

impl<K, V: ?Sized + Referent, S, F: Family> WeakValueDictionary<K, V, S, F> {
    /// An empty dictionary hashing keys with `hash_builder`.
    ///
    /// ```
    /// # use std::hash::BuildHasherDefault;
    /// # use std::collections::hash_map::DefaultHasher;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let d: WeakValueDictionary<u32, Obj, _> =
    ///     WeakValueDictionary::with_hasher(BuildHasherDefault::<DefaultHasher>::default());
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
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let d: WeakValueDictionary<u32, Obj> =
    ///     WeakValueDictionary::with_capacity_and_hasher(4, RandomState::new());
    /// assert!(d.capacity() >= 4);
    /// ```
    #[must_use]
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        WeakValueDictionary {
            table: Table::with_capacity(capacity),
            hash_builder,
        }
    }

    /// The dictionary's `BuildHasher`.
    ///
    /// ```
    /// # use std::hash::RandomState;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let d: WeakValueDictionary<u32, Obj> = WeakValueDictionary::new();
    /// let _: &RandomState = d.hasher();
    /// ```
    pub fn hasher(&self) -> &S {
        &self.hash_builder
    }

    /// Number of entries whose value is alive (Python's `len(d)`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// # fn obj() -> Arc<Obj> { Arc::new(Obj { header: Header::new() }) }
    /// let (a, b) = (obj(), obj());
    /// let mut d = WeakValueDictionary::new();
    /// d.insert(1, &a);
    /// d.insert(2, &b);
    /// drop(a);
    /// assert_eq!(d.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether no entry's value is alive.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut d = WeakValueDictionary::new();
    /// d.insert("a", &a);
    /// assert!(!d.is_empty());
    /// drop(a);
    /// assert!(d.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entries the dictionary can hold without reallocating.
    ///
    /// ```
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let d: WeakValueDictionary<u8, Obj> = WeakValueDictionary::with_capacity(100);
    /// assert!(d.capacity() >= 100);
    /// ```
    pub fn capacity(&self) -> usize {
        self.table.capacity()
    }

    /// The live entries, in arbitrary order (Python's `items()`). Each value
    /// is a strong `Arc` taken as the iterator reaches it; an entry whose
    /// value dies while the iterator is suspended is skipped.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { n: u32, header: Header }
    /// # fn obj(n: u32) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
    /// let (a, b) = (obj(1), obj(2));
    /// let d: WeakValueDictionary<_, _> = [("a", a.clone()), ("b", b.clone())].into_iter().collect();
    /// let mut sum = 0;
    /// for (_key, value) in d.iter() {
    ///     sum += value.n;
    /// }
    /// assert_eq!(sum, 3);
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V, F> {
        Iter {
            inner: self.table.iter(),
        }
    }

    /// The keys of the live entries (Python's `keys()`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// # fn obj() -> Arc<Obj> { Arc::new(Obj { header: Header::new() }) }
    /// let (a, b) = (obj(), obj());
    /// let mut d = WeakValueDictionary::new();
    /// d.insert(1, &a);
    /// d.insert(2, &b);
    /// drop(b);
    /// assert_eq!(d.keys().collect::<Vec<_>>(), [&1]);
    /// ```
    pub fn keys(&self) -> Keys<'_, K, V, F> {
        Keys {
            inner: self.table.iter(),
        }
    }

    /// The live values (Python's `values()`), as strong `Arc`s.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut d = WeakValueDictionary::new();
    /// d.insert(1, &a);
    /// assert!(d.values().all(|v| Arc::ptr_eq(&v, &a)));
    /// ```
    pub fn values(&self) -> Values<'_, K, V, F> {
        Values {
            inner: self.table.iter(),
        }
    }

    /// Removes every entry (Python's `clear()`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut d = WeakValueDictionary::new();
    /// d.insert(1, &a);
    /// d.clear();
    /// assert!(d.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.table.clear();
    }

    /// Removes and returns some live entry (Python's `popitem()`), or `None`
    /// if there is none.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut d = WeakValueDictionary::new();
    /// d.insert("a", &a);
    /// let (key, value) = d.popitem().unwrap();
    /// assert_eq!(key, "a");
    /// assert!(Arc::ptr_eq(&value, &a));
    /// assert!(d.popitem().is_none());
    /// ```
    pub fn popitem(&mut self) -> Option<(K, F::Strong<V>)> {
        self.table.pop_live().map(|(value, key)| (key, value))
    }

    /// Keeps only the live entries for which `keep` returns `true`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// # fn obj() -> Arc<Obj> { Arc::new(Obj { header: Header::new() }) }
    /// let objs: Vec<_> = (0..4).map(|_| obj()).collect();
    /// let mut d: WeakValueDictionary<_, _> = (0..4).zip(objs.iter().cloned()).collect();
    /// d.retain(|k, _| k % 2 == 0);
    /// assert_eq!(d.len(), 2);
    /// ```
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &F::Strong<V>) -> bool) {
        self.table.retain(|value, key| keep(key, value));
    }

    /// Reserves room for `additional` more entries.
    ///
    /// ```
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let mut d: WeakValueDictionary<u8, Obj> = WeakValueDictionary::new();
    /// d.reserve(10);
    /// assert!(d.capacity() >= 10);
    /// ```
    pub fn reserve(&mut self, additional: usize) {
        self.table.reserve(additional);
    }

    /// Drops the entries of dead values and shrinks the allocation,
    /// including the entries' weak reference objects kept for reuse.
    ///
    /// ```
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let mut d: WeakValueDictionary<u8, Obj> = WeakValueDictionary::with_capacity(100);
    /// d.shrink_to_fit();
    /// assert!(d.capacity() < 100);
    /// ```
    pub fn shrink_to_fit(&mut self) {
        self.table.shrink_to_fit();
    }
}

impl<K, V, S, F> WeakValueDictionary<K, V, S, F>
where
    K: Hash + Eq,
    V: ?Sized + Referent,
    S: BuildHasher,
    F: Family,
{
    fn find<Q>(&self, key: &Q) -> Option<&TableEntry<V, K, F>>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let hash = self.hash_builder.hash_one(key);
        self.table.find(hash, same_key(hash, key))
    }

    /// Maps `key` to `value` (Python's `d[key] = value`), returning the
    /// previous value if it was alive. An existing entry keeps its key.
    ///
    /// The entry's old weak reference is disarmed: if the old value dies
    /// later, even on another thread, `key` still maps to `value`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// # fn obj() -> Arc<Obj> { Arc::new(Obj { header: Header::new() }) }
    /// let (a, b) = (obj(), obj());
    /// let mut d = WeakValueDictionary::new();
    /// assert!(d.insert(10, &a).is_none());
    /// assert!(Arc::ptr_eq(&d.insert(10, &b).unwrap(), &a));
    /// drop(a);
    /// assert!(Arc::ptr_eq(&d.get(&10).unwrap(), &b));
    /// ```
    pub fn insert<P>(&mut self, key: K, value: &P) -> Option<F::Strong<V>>
    where
        P: StrongRef<V, Family = F>,
    {
        let value = value.as_family();
        self.table.collect();
        let hash = self.hash_builder.hash_one(&key);
        let (old, spare_key) = match self.table.rebind(hash, same_key(hash, &key), value) {
            Some(old) => (old, Some(key)),
            None => {
                self.table.insert(hash, value, key);
                (None, None)
            }
        };
        self.table.collect();
        // The entry kept its own key. Drop the spare one while `old` is a
        // local: a value already moved out as the return value is leaked if
        // a later `Drop` panics (rust-lang/rust#47949).
        drop(spare_key);
        old
    }

    /// The value of `key`, if its entry exists and the value is alive
    /// (Python's `d.get(key)`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { n: u32, header: Header }
    /// let a = Arc::new(Obj { n: 5, header: Header::new() });
    /// let mut d = WeakValueDictionary::new();
    /// d.insert(String::from("a"), &a);
    /// assert_eq!(d.get("a").unwrap().n, 5);
    /// assert!(d.get("b").is_none());
    /// ```
    #[must_use]
    pub fn get<Q>(&self, key: &Q) -> Option<F::Strong<V>>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.find(key)?.weak.get()
    }

    /// The stored key and the value of `key`, if alive.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut d = WeakValueDictionary::new();
    /// d.insert(String::from("a"), &a);
    /// let (k, v) = d.get_key_value("a").unwrap();
    /// assert_eq!(k, "a");
    /// assert!(Arc::ptr_eq(&v, &a));
    /// ```
    #[must_use]
    pub fn get_key_value<Q>(&self, key: &Q) -> Option<(&K, F::Strong<V>)>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let entry = self.find(key)?;
        Some((&entry.data, entry.weak.get()?))
    }

    /// Whether `key` maps to a live value (Python's `key in d`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut d = WeakValueDictionary::new();
    /// d.insert(1, &a);
    /// assert!(d.contains_key(&1));
    /// drop(a);
    /// assert!(!d.contains_key(&1));
    /// ```
    #[must_use]
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.find(key).is_some_and(|entry| entry.weak.is_alive())
    }

    /// Removes the entry of `key` and returns its value if it was alive
    /// (Python's `d.pop(key, None)`: a dead value counts as missing).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut d = WeakValueDictionary::new();
    /// d.insert(1, &a);
    /// assert!(Arc::ptr_eq(&d.remove(&1).unwrap(), &a));
    /// assert!(d.remove(&1).is_none());
    /// ```
    pub fn remove<Q>(&mut self, key: &Q) -> Option<F::Strong<V>>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let (key, value) = self.remove_entry(key)?;
        // Before the value becomes the return value: see `insert`.
        drop(key);
        Some(value)
    }

    /// Removes the entry of `key` and returns its key and value if the
    /// value was alive.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut d = WeakValueDictionary::new();
    /// d.insert(String::from("a"), &a);
    /// assert_eq!(d.remove_entry("a").unwrap().0, "a");
    /// assert!(d.is_empty());
    /// ```
    pub fn remove_entry<Q>(&mut self, key: &Q) -> Option<(K, F::Strong<V>)>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.table.collect();
        let hash = self.hash_builder.hash_one(key);
        let (value, key) = self.table.remove(hash, same_key(hash, key))?;
        self.table.collect();
        Some((key, value?))
    }

    /// The value of `key` if alive; otherwise maps `key` to `default` and
    /// returns it (Python's `setdefault`). Never returns a dead value.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// # fn obj() -> Arc<Obj> { Arc::new(Obj { header: Header::new() }) }
    /// let (a, b) = (obj(), obj());
    /// let mut d = WeakValueDictionary::new();
    /// assert!(Arc::ptr_eq(&d.setdefault(1, &a), &a));
    /// assert!(Arc::ptr_eq(&d.setdefault(1, &b), &a));
    /// drop(a);
    /// assert!(Arc::ptr_eq(&d.setdefault(1, &b), &b));
    /// ```
    pub fn setdefault<P>(&mut self, key: K, default: &P) -> F::Strong<V>
    where
        P: StrongRef<V, Family = F>,
    {
        self.entry(key).or_insert(default)
    }

    /// The value of `key` if alive; otherwise maps `key` to `make()` and
    /// returns it: the cache idiom. `make` runs only on a miss.
    ///
    /// The dictionary holds the value weakly: it stays cached while the
    /// caller (or anyone) keeps the returned `Arc`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { n: u32, header: Header }
    /// let mut cache = WeakValueDictionary::new();
    /// let mut made = 0;
    /// let mut load = |cache: &mut WeakValueDictionary<u32, Obj>, n| {
    ///     cache.get_or_insert_with(n, || {
    ///         made += 1;
    ///         Arc::new(Obj { n, header: Header::new() })
    ///     })
    /// };
    /// let first = load(&mut cache, 7);
    /// let again = load(&mut cache, 7);
    /// assert!(Arc::ptr_eq(&first, &again));
    /// drop((first, again));
    /// let _reloaded = load(&mut cache, 7);
    /// assert_eq!(made, 2);
    /// ```
    pub fn get_or_insert_with(
        &mut self,
        key: K,
        make: impl FnOnce() -> F::Strong<V>,
    ) -> F::Strong<V> {
        // The hit first, without an entry (the cache's common case).
        self.table.collect();
        let hash = self.hash_builder.hash_one(&key);
        let hit = self.table.find(hash, same_key(hash, &key));
        if let Some(value) = hit.and_then(|entry| entry.weak.get()) {
            // Before the value becomes the return value: see `insert`.
            drop((key, make));
            return value;
        }
        self.entry(key).or_insert_with(make)
    }

    /// [`get_or_insert_with`](Self::get_or_insert_with) for a `make` that
    /// can fail: on `Err`, nothing is inserted (and `key` is dropped).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Doc { text: String, header: Header }
    /// let mut open: WeakValueDictionary<String, Doc> = WeakValueDictionary::new();
    /// let failed = open.try_get_or_insert_with("missing.txt".into(), || Err("no such file"));
    /// assert_eq!(failed.err(), Some("no such file"));
    /// assert!(open.is_empty());
    /// let doc = open.try_get_or_insert_with("a.txt".into(), || {
    ///     Ok::<_, &str>(Arc::new(Doc { text: "hi".into(), header: Header::new() }))
    /// });
    /// assert_eq!(doc.unwrap().text, "hi");
    /// ```
    pub fn try_get_or_insert_with<E>(
        &mut self,
        key: K,
        make: impl FnOnce() -> Result<F::Strong<V>, E>,
    ) -> Result<F::Strong<V>, E> {
        match self.entry(key) {
            Entry::Occupied(found) => Ok(found.into_value()),
            Entry::Vacant(vacant) => {
                let value = make()?;
                Ok(vacant.insert(&value))
            }
        }
    }

    /// The entry of `key`, to read or fill in place (`HashMap`'s entry API):
    /// occupied if `key` maps to a live value, vacant otherwise (also when
    /// its entry's value died: filling it then keeps the stored key).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { n: u32, header: Header }
    /// let mut d: WeakValueDictionary<u8, Obj> = WeakValueDictionary::new();
    /// let a = d.entry(1).or_insert_with(|| Arc::new(Obj { n: 10, header: Header::new() }));
    /// let again = d.entry(1).or_insert_with(|| unreachable!("alive"));
    /// assert!(Arc::ptr_eq(&a, &again) && a.n == 10);
    /// ```
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V, S, F> {
        self.table.collect();
        let hash = self.hash_builder.hash_one(&key);
        match self.table.lookup(hash, same_key(hash, &key)) {
            Lookup::Found(found) => match found.referent() {
                Some(value) => {
                    // The stored key stays; the probe goes now, with what
                    // its `Drop` kills (the found value is held).
                    drop(key);
                    Entry::Occupied(OccupiedEntry::new(found.collected(), value))
                }
                None => Entry::Vacant(VacantEntry::new(Place::Dead(found), key)),
            },
            Lookup::Absent(vacant) => Entry::Vacant(VacantEntry::new(Place::Absent(vacant), key)),
        }
    }

    /// The entry of `key` looked up by a borrowed form (`&str` for a
    /// `String` key): an owned key is made, with `K: From<&Q>`, only if a
    /// new entry is inserted — a hit allocates nothing. hashbrown's name.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Font { name: String, header: Header }
    /// let mut fonts: WeakValueDictionary<String, Font> = WeakValueDictionary::new();
    /// let load = |name: &str| Arc::new(Font { name: name.into(), header: Header::new() });
    /// let mono = fonts.entry_ref("mono").or_insert_with(|| load("mono"));
    /// let again = fonts.entry_ref("mono").or_insert_with(|| unreachable!("cached"));
    /// assert!(Arc::ptr_eq(&mono, &again) && mono.name == "mono");
    /// ```
    pub fn entry_ref<'q, Q>(&mut self, key: &'q Q) -> EntryRef<'_, 'q, K, Q, V, S, F>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.table.collect();
        let hash = self.hash_builder.hash_one(key);
        match self.table.lookup(hash, same_key(hash, key)) {
            Lookup::Found(found) => match found.referent() {
                Some(value) => EntryRef::Occupied(OccupiedEntry::new(found, value)),
                None => EntryRef::Vacant(VacantEntryRef::new(Place::Dead(found), key)),
            },
            Lookup::Absent(vacant) => {
                EntryRef::Vacant(VacantEntryRef::new(Place::Absent(vacant), key))
            }
        }
    }

    /// The value of `key` if alive; otherwise maps an owned copy of `key`
    /// (`K::from(key)`) to `make()` and returns it. The cache idiom without
    /// an owned key per lookup: a hit allocates nothing.
    /// [`entry_ref`](Self::entry_ref)`(key).or_insert_with(make)`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Glyph { c: char, header: Header }
    /// let mut glyphs: WeakValueDictionary<String, Glyph> = WeakValueDictionary::new();
    /// let a = glyphs.get_or_insert_with_ref("a", || Arc::new(Glyph { c: 'a', header: Header::new() }));
    /// assert!(Arc::ptr_eq(&a, &glyphs.get_or_insert_with_ref("a", || unreachable!())));
    /// ```
    pub fn get_or_insert_with_ref<'q, Q>(
        &mut self,
        key: &'q Q,
        make: impl FnOnce() -> F::Strong<V>,
    ) -> F::Strong<V>
    where
        K: Borrow<Q> + From<&'q Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.entry_ref(key).or_insert_with(make)
    }

    /// Weak references to the live values (Python's `valuerefs()`).
    ///
    /// These are each object's shared weak reference (`Ref::new`), equal to
    /// the entries' own references but not the same objects: an entry's
    /// reference carries the dictionary's bookkeeping and is never handed
    /// out. While you hold them, `getweakrefcount` counts one more per object.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Ref, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut d = WeakValueDictionary::new();
    /// d.insert(1, &a);
    /// let refs = d.valuerefs();
    /// assert!(Ref::ptr_eq(&refs[0], &Ref::new(&a)));
    /// drop(a);
    /// assert!(d.valuerefs().is_empty());
    /// ```
    pub fn valuerefs(&self) -> Vec<Ref<V, F>> {
        self.values().map(|value| Ref::new(&value)).collect()
    }
}

/// The lookup predicate of a key hashed to `hash`.
fn same_key<'a, K, V, F, Q>(hash: u64, key: &'a Q) -> impl FnMut(&TableEntry<V, K, F>) -> bool + 'a
where
    K: Borrow<Q>,
    V: ?Sized + Referent,
    F: Family,
    Q: ?Sized + Eq,
{
    move |entry| entry.hash == hash && entry.data.borrow() == key
}
