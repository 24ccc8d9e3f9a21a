//! The entry API of [`WeakKeyMap`]: `HashMap`'s shape, for weak keys.

use core::fmt;
use core::marker::PhantomData;

use weakref_core::{Family, Referent};

use crate::table::{Occupied, Vacant};

/// The entry of one key in a [`WeakKeyDictionary`](crate::WeakKeyDictionary)
/// or [`WeakKeyIdentityDictionary`](crate::WeakKeyIdentityDictionary), from
/// [`entry`](crate::WeakKeyMap::entry): occupied (a live entry for the key) or
/// vacant (none, or only a dead one).
///
/// ```
/// use std::sync::Arc;
/// use weakref_collections::{WeakKeyDictionary, weak_key_dictionary::Entry};
/// use weakref_core::{Header, Referent};
///
/// #[derive(Referent, PartialEq, Eq, Hash)]
/// struct Key { header: Header }
///
/// let k = Arc::new(Key { header: Header::new() });
/// let mut d = WeakKeyDictionary::new();
/// match d.entry(&k) {
///     Entry::Occupied(_) => unreachable!(),
///     Entry::Vacant(v) => { v.insert(vec![1]); }
/// }
/// match d.entry(&k) {
///     Entry::Occupied(mut o) => o.get_mut().push(2),
///     Entry::Vacant(_) => unreachable!(),
/// }
/// assert_eq!(d[&k], [1, 2]);
/// ```
pub enum Entry<'a, K: ?Sized + Referent, V, S, F: Family, M> {
    /// A live entry for the key.
    Occupied(OccupiedEntry<'a, K, V, S, F, M>),
    /// No live entry for the key.
    Vacant(VacantEntry<'a, K, V, S, F, M>),
}

/// A live entry of a weak-keyed map, from [`Entry::Occupied`]. It holds a
/// strong pointer to the stored key, so the entry cannot die while you hold
/// it.
///
/// ```
/// use std::sync::Arc;
/// use weakref_collections::{WeakKeyDictionary, weak_key_dictionary::Entry};
/// use weakref_core::{Header, Referent};
///
/// #[derive(Referent, PartialEq, Eq, Hash)]
/// struct Key { id: u8, header: Header }
///
/// let k = Arc::new(Key { id: 1, header: Header::new() });
/// let mut d = WeakKeyDictionary::new();
/// d.insert(&k, "one");
/// if let Entry::Occupied(o) = d.entry(&k) {
///     assert_eq!((o.key().id, *o.get()), (1, "one"));
///     assert_eq!(o.remove(), "one");
/// }
/// assert!(d.is_empty());
/// ```
pub struct OccupiedEntry<'a, K: ?Sized + Referent, V, S, F: Family, M> {
    found: Occupied<'a, K, V, F>,
    key: F::Strong<K>,
    map: PhantomData<fn() -> (S, M)>,
}

/// A vacant entry of a weak-keyed map, from [`Entry::Vacant`]: no live key
/// equal to (or, by identity, the same as) the probe. It holds a clone of
/// the probe's strong pointer, which [`insert`](VacantEntry::insert) stores
/// weakly.
///
/// ```
/// use std::sync::Arc;
/// use weakref_collections::{WeakKeyDictionary, weak_key_dictionary::Entry};
/// use weakref_core::{Header, Referent};
///
/// #[derive(Referent, PartialEq, Eq, Hash)]
/// struct Key { id: u8, header: Header }
///
/// let k = Arc::new(Key { id: 4, header: Header::new() });
/// let mut d = WeakKeyDictionary::new();
/// if let Entry::Vacant(v) = d.entry(&k) {
///     let id = v.key().id;
///     *v.insert(0) += id;
/// }
/// assert_eq!(d[&k], 4);
/// ```
pub struct VacantEntry<'a, K: ?Sized + Referent, V, S, F: Family, M> {
    vacant: Vacant<'a, K, V, F>,
    key: F::Strong<K>,
    map: PhantomData<fn() -> (S, M)>,
}

impl<'a, K: ?Sized + Referent, V, S, F: Family, M> OccupiedEntry<'a, K, V, S, F, M> {
    pub(super) fn new(found: Occupied<'a, K, V, F>, key: F::Strong<K>) -> Self {
        OccupiedEntry {
            found,
            key,
            map: PhantomData,
        }
    }

    /// The stored key (by value, possibly another object equal to the
    /// probe).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::{WeakKeyDictionary, weak_key_dictionary::Entry};
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { id: u8, header: Header }
    /// # fn key(id: u8) -> Arc<Key> { Arc::new(Key { id, header: Header::new() }) }
    /// let stored = key(1);
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&stored, ());
    /// if let Entry::Occupied(o) = d.entry(&key(1)) {
    ///     assert!(Arc::ptr_eq(o.key(), &stored));
    /// }
    /// ```
    #[must_use]
    pub fn key(&self) -> &F::Strong<K> {
        &self.key
    }

    /// The value.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::{WeakKeyDictionary, weak_key_dictionary::Entry};
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&k, 3);
    /// if let Entry::Occupied(o) = d.entry(&k) { assert_eq!(*o.get(), 3); }
    /// ```
    #[must_use]
    pub fn get(&self) -> &V {
        &self.found.entry().data
    }

    /// The value, mutably.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::{WeakKeyDictionary, weak_key_dictionary::Entry};
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&k, 3);
    /// if let Entry::Occupied(mut o) = d.entry(&k) { *o.get_mut() += 1; }
    /// assert_eq!(d[&k], 4);
    /// ```
    pub fn get_mut(&mut self) -> &mut V {
        &mut self.found.entry_mut().data
    }

    /// The value, borrowed for as long as the map was.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::{WeakKeyDictionary, weak_key_dictionary::Entry};
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&k, 3);
    /// let v = match d.entry(&k) { Entry::Occupied(o) => o.into_mut(), Entry::Vacant(_) => unreachable!() };
    /// *v = 9;
    /// assert_eq!(d[&k], 9);
    /// ```
    #[must_use]
    pub fn into_mut(self) -> &'a mut V {
        &mut self.found.into_entry().data
    }

    /// Replaces the value, returning the old one (the stored key stays).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::{WeakKeyDictionary, weak_key_dictionary::Entry};
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&k, 3);
    /// if let Entry::Occupied(mut o) = d.entry(&k) { assert_eq!(o.insert(5), 3); }
    /// assert_eq!(d[&k], 5);
    /// ```
    pub fn insert(&mut self, value: V) -> V {
        core::mem::replace(self.get_mut(), value)
    }

    /// Removes the entry, returning its value.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::{WeakKeyDictionary, weak_key_dictionary::Entry};
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&k, 3);
    /// if let Entry::Occupied(o) = d.entry(&k) { assert_eq!(o.remove(), 3); }
    /// assert!(!d.contains_key(&k));
    /// ```
    pub fn remove(self) -> V {
        self.remove_entry().1
    }

    /// Removes the entry, returning the stored key and the value.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::{WeakKeyDictionary, weak_key_dictionary::Entry};
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&k, 3);
    /// if let Entry::Occupied(o) = d.entry(&k) {
    ///     let (key, value) = o.remove_entry();
    ///     assert!(Arc::ptr_eq(&key, &k) && value == 3);
    /// }
    /// ```
    pub fn remove_entry(self) -> (F::Strong<K>, V) {
        let value = self.found.remove();
        (self.key, value)
    }
}

impl<'a, K: ?Sized + Referent, V, S, F: Family, M> VacantEntry<'a, K, V, S, F, M> {
    pub(super) fn new(vacant: Vacant<'a, K, V, F>, key: F::Strong<K>) -> Self {
        VacantEntry {
            vacant,
            key,
            map: PhantomData,
        }
    }

    /// The key that [`insert`](Self::insert) would store.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::{WeakKeyDictionary, weak_key_dictionary::Entry};
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d: WeakKeyDictionary<Key, u8> = WeakKeyDictionary::new();
    /// if let Entry::Vacant(v) = d.entry(&k) { assert!(Arc::ptr_eq(v.key(), &k)); }
    /// ```
    #[must_use]
    pub fn key(&self) -> &F::Strong<K> {
        &self.key
    }

    /// Gives back the key without inserting.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::{WeakKeyDictionary, weak_key_dictionary::Entry};
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d: WeakKeyDictionary<Key, u8> = WeakKeyDictionary::new();
    /// if let Entry::Vacant(v) = d.entry(&k) { assert!(Arc::ptr_eq(&v.into_key(), &k)); }
    /// assert!(d.is_empty());
    /// ```
    #[must_use]
    pub fn into_key(self) -> F::Strong<K> {
        self.key
    }
}

impl<'a, K: ?Sized + Referent, V, S, F: Family, M> VacantEntry<'a, K, V, S, F, M> {
    /// Inserts `value` under the key (held weakly) and returns it.
    ///
    /// If the caller dropped its own pointers to the key meanwhile, the
    /// entry's clone was the last one: the key dies as this returns, and the
    /// entry with it (its value is dropped by the next `&mut` operation).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::{WeakKeyDictionary, weak_key_dictionary::Entry};
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// if let Entry::Vacant(v) = d.entry(&k) { *v.insert(1) += 1; }
    /// assert_eq!(d[&k], 2);
    /// ```
    pub fn insert(self, value: V) -> &'a mut V {
        &mut self.vacant.insert(&self.key, value).data
    }
}

impl<'a, K: ?Sized + Referent, V, S, F: Family, M> Entry<'a, K, V, S, F, M> {
    /// The entry's key: the stored one if occupied, the probe if vacant.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d: WeakKeyDictionary<Key, u8> = WeakKeyDictionary::new();
    /// assert!(Arc::ptr_eq(d.entry(&k).key(), &k));
    /// ```
    #[must_use]
    pub fn key(&self) -> &F::Strong<K> {
        match self {
            Entry::Occupied(o) => o.key(),
            Entry::Vacant(v) => v.key(),
        }
    }

    /// Runs `f` on the value if the entry is occupied.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.entry(&k).and_modify(|v| *v += 1).or_insert(10);
    /// d.entry(&k).and_modify(|v| *v += 1).or_insert(10);
    /// assert_eq!(d[&k], 11);
    /// ```
    #[must_use]
    pub fn and_modify(mut self, f: impl FnOnce(&mut V)) -> Self {
        if let Entry::Occupied(o) = &mut self {
            f(o.get_mut());
        }
        self
    }
}

impl<'a, K: ?Sized + Referent, V, S, F: Family, M> Entry<'a, K, V, S, F, M> {
    /// The value, inserting `default` first if vacant.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// *d.entry(&k).or_insert(1) += 1;
    /// assert_eq!(d[&k], 2);
    /// ```
    pub fn or_insert(self, default: V) -> &'a mut V {
        self.or_insert_with(|| default)
    }

    /// The value, inserting `make()` first if vacant (`make` runs only then).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.entry(&k).or_insert_with(Vec::new).push(1);
    /// d.entry(&k).or_insert_with(|| unreachable!()).push(2);
    /// assert_eq!(d[&k], [1, 2]);
    /// ```
    pub fn or_insert_with(self, make: impl FnOnce() -> V) -> &'a mut V {
        self.or_insert_with_key(|_| make())
    }

    /// The value, inserting `make(&key)` first if vacant.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { id: u32, header: Header }
    /// let k = Arc::new(Key { id: 6, header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// assert_eq!(*d.entry(&k).or_insert_with_key(|k| k.id * 7), 42);
    /// ```
    pub fn or_insert_with_key(self, make: impl FnOnce(&F::Strong<K>) -> V) -> &'a mut V {
        match self {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => {
                let value = make(&v.key);
                v.insert(value)
            }
        }
    }

    /// The value, inserting `V::default()` first if vacant.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d: WeakKeyDictionary<Key, Vec<u8>> = WeakKeyDictionary::new();
    /// d.entry(&k).or_default().push(1);
    /// assert_eq!(d[&k], [1]);
    /// ```
    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }
}

impl<K, V, S, F, M> fmt::Debug for Entry<'_, K, V, S, F, M>
where
    K: ?Sized + Referent + fmt::Debug,
    V: fmt::Debug,
    F: Family,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Occupied(o) => f.debug_tuple("Occupied").field(o).finish(),
            Entry::Vacant(v) => f.debug_tuple("Vacant").field(v).finish(),
        }
    }
}

impl<K, V, S, F, M> fmt::Debug for OccupiedEntry<'_, K, V, S, F, M>
where
    K: ?Sized + Referent + fmt::Debug,
    V: fmt::Debug,
    F: Family,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OccupiedEntry")
            .field("key", &&*self.key)
            .field("value", self.get())
            .finish()
    }
}

impl<K, V, S, F, M> fmt::Debug for VacantEntry<'_, K, V, S, F, M>
where
    K: ?Sized + Referent + fmt::Debug,
    F: Family,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VacantEntry").field(&&*self.key).finish()
    }
}
