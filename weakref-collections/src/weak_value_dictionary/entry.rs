//! The entry API of [`WeakValueDictionary`](crate::WeakValueDictionary):
//! `HashMap`'s shape, for weak values. An entry is occupied when its key
//! maps to a *live* value; a dead value's entry is vacant (filling it keeps
//! the stored key).

use core::fmt;
use core::marker::PhantomData;

use weakref_core::{Family, Referent, StrongRef};

use crate::table::{Occupied, Vacant};

/// Where a vacant entry's value goes: a new entry, or the entry of the same
/// key whose value died (rebound to the new value, keeping its key).
pub(super) enum Place<'a, K, V: ?Sized + Referent, F: Family> {
    Absent(Vacant<'a, V, K, F>),
    Dead(Occupied<'a, V, K, F>),
}

impl<K, V: ?Sized + Referent, F: Family> Place<'_, K, V, F> {
    /// Stores `value` here, with the key `make_key` gives if a new entry is
    /// needed (it is dropped unused otherwise); returns the value. Entries
    /// that dropping the unused key killed are collected before returning.
    fn fill(self, value: &F::Strong<V>, make_key: impl FnOnce() -> K) -> F::Strong<V> {
        let table = match self {
            Place::Absent(vacant) => {
                let hash = vacant.hash();
                let table = vacant.into_table();
                table.insert(hash, value, make_key());
                table
            }
            Place::Dead(mut found) => {
                found.rebind(value);
                drop(make_key);
                found.into_table()
            }
        };
        let value = value.clone();
        table.collect();
        value
    }
}

/// The entry of one key in a [`WeakValueDictionary`](crate::WeakValueDictionary),
/// from [`entry`](crate::WeakValueDictionary::entry).
///
/// ```
/// use std::sync::Arc;
/// use weakref_collections::{WeakValueDictionary, weak_value_dictionary::Entry};
/// use weakref_core::{Header, Referent};
///
/// #[derive(Referent)]
/// struct Obj { header: Header }
///
/// let a = Arc::new(Obj { header: Header::new() });
/// let mut d = WeakValueDictionary::new();
/// assert!(matches!(d.entry("a"), Entry::Vacant(_)));
/// d.insert("a", &a);
/// assert!(matches!(d.entry("a"), Entry::Occupied(_)));
/// drop(a);
/// assert!(matches!(d.entry("a"), Entry::Vacant(_))); // a dead value is vacant
/// ```
pub enum Entry<'a, K, V: ?Sized + Referent, S, F: Family> {
    /// The key maps to a live value.
    Occupied(OccupiedEntry<'a, K, V, S, F>),
    /// The key maps to no live value.
    Vacant(VacantEntry<'a, K, V, S, F>),
}

/// The entry of a borrowed key, from
/// [`entry_ref`](crate::WeakValueDictionary::entry_ref): like [`Entry`],
/// but an owned key is made (`K: From<&Q>`) only when a new entry is
/// inserted.
///
/// ```
/// use std::sync::Arc;
/// use weakref_collections::{WeakValueDictionary, weak_value_dictionary::EntryRef};
/// use weakref_core::{Header, Referent};
///
/// #[derive(Referent)]
/// struct Obj { header: Header }
///
/// let mut d: WeakValueDictionary<String, Obj> = WeakValueDictionary::new();
/// match d.entry_ref("k") {
///     EntryRef::Vacant(v) => assert_eq!(v.key(), "k"),
///     EntryRef::Occupied(_) => unreachable!(),
/// }
/// ```
pub enum EntryRef<'a, 'q, K, Q: ?Sized, V: ?Sized + Referent, S, F: Family> {
    /// The key maps to a live value.
    Occupied(OccupiedEntry<'a, K, V, S, F>),
    /// The key maps to no live value.
    Vacant(VacantEntryRef<'a, 'q, K, Q, V, S, F>),
}

/// A key mapping to a live value, which the entry holds (a strong pointer),
/// so it cannot die while you hold the entry.
///
/// ```
/// use std::sync::Arc;
/// use weakref_collections::{WeakValueDictionary, weak_value_dictionary::Entry};
/// use weakref_core::{Header, Referent};
///
/// #[derive(Referent)]
/// struct Obj { n: u8, header: Header }
///
/// let a = Arc::new(Obj { n: 1, header: Header::new() });
/// let mut d = WeakValueDictionary::new();
/// d.insert("a", &a);
/// if let Entry::Occupied(o) = d.entry("a") {
///     assert_eq!((*o.key(), o.get().n), ("a", 1));
/// }
/// ```
pub struct OccupiedEntry<'a, K, V: ?Sized + Referent, S, F: Family> {
    found: Occupied<'a, V, K, F>,
    value: F::Strong<V>,
    map: PhantomData<fn() -> S>,
}

/// A key with no live value, from [`Entry::Vacant`]; it holds the key.
///
/// ```
/// use std::sync::Arc;
/// use weakref_collections::{WeakValueDictionary, weak_value_dictionary::Entry};
/// use weakref_core::{Header, Referent};
///
/// #[derive(Referent)]
/// struct Obj { header: Header }
///
/// let a = Arc::new(Obj { header: Header::new() });
/// let mut d = WeakValueDictionary::new();
/// if let Entry::Vacant(v) = d.entry(7) {
///     assert_eq!(*v.key(), 7);
///     assert!(Arc::ptr_eq(&v.insert(&a), &a));
/// }
/// assert!(Arc::ptr_eq(&d.get(&7).unwrap(), &a));
/// ```
pub struct VacantEntry<'a, K, V: ?Sized + Referent, S, F: Family> {
    place: Place<'a, K, V, F>,
    key: K,
    map: PhantomData<fn() -> S>,
}

/// A borrowed key with no live value, from [`EntryRef::Vacant`].
///
/// ```
/// use std::sync::Arc;
/// use weakref_collections::{WeakValueDictionary, weak_value_dictionary::EntryRef};
/// use weakref_core::{Header, Referent};
///
/// #[derive(Referent)]
/// struct Obj { header: Header }
///
/// let a = Arc::new(Obj { header: Header::new() });
/// let mut d: WeakValueDictionary<String, Obj> = WeakValueDictionary::new();
/// if let EntryRef::Vacant(v) = d.entry_ref("a") {
///     v.insert(&a); // makes the `String` now
/// }
/// assert!(d.contains_key("a"));
/// ```
pub struct VacantEntryRef<'a, 'q, K, Q: ?Sized, V: ?Sized + Referent, S, F: Family> {
    place: Place<'a, K, V, F>,
    key: &'q Q,
    map: PhantomData<fn() -> S>,
}

impl<'a, K, V: ?Sized + Referent, S, F: Family> OccupiedEntry<'a, K, V, S, F> {
    pub(super) fn new(found: Occupied<'a, V, K, F>, value: F::Strong<V>) -> Self {
        OccupiedEntry {
            found,
            value,
            map: PhantomData,
        }
    }

    /// The stored key.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::{WeakValueDictionary, weak_value_dictionary::Entry};
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut d = WeakValueDictionary::new();
    /// d.insert(String::from("a"), &a);
    /// if let Entry::Occupied(o) = d.entry("a".to_string()) { assert_eq!(o.key(), "a"); }
    /// ```
    #[must_use]
    pub fn key(&self) -> &K {
        &self.found.entry().data
    }

    /// The live value.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::{WeakValueDictionary, weak_value_dictionary::Entry};
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut d = WeakValueDictionary::new();
    /// d.insert(1, &a);
    /// if let Entry::Occupied(o) = d.entry(1) { assert!(Arc::ptr_eq(o.get(), &a)); }
    /// ```
    #[must_use]
    pub fn get(&self) -> &F::Strong<V> {
        &self.value
    }

    /// The live value, giving up the entry.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::{WeakValueDictionary, weak_value_dictionary::Entry};
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut d = WeakValueDictionary::new();
    /// d.insert(1, &a);
    /// if let Entry::Occupied(o) = d.entry(1) { assert!(Arc::ptr_eq(&o.into_value(), &a)); }
    /// ```
    #[must_use]
    pub fn into_value(self) -> F::Strong<V> {
        self.value
    }

    /// Removes the entry, returning its value.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::{WeakValueDictionary, weak_value_dictionary::Entry};
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut d = WeakValueDictionary::new();
    /// d.insert(1, &a);
    /// if let Entry::Occupied(o) = d.entry(1) { assert!(Arc::ptr_eq(&o.remove(), &a)); }
    /// assert!(d.is_empty());
    /// ```
    pub fn remove(self) -> F::Strong<V> {
        let (key, value) = self.remove_entry();
        // Before the value becomes the return value: see `insert`.
        drop(key);
        value
    }

    /// Removes the entry, returning the stored key and the value.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::{WeakValueDictionary, weak_value_dictionary::Entry};
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut d = WeakValueDictionary::new();
    /// d.insert("k", &a);
    /// if let Entry::Occupied(o) = d.entry("k") { assert_eq!(o.remove_entry().0, "k"); }
    /// ```
    pub fn remove_entry(self) -> (K, F::Strong<V>) {
        let key = self.found.remove();
        (key, self.value)
    }
}

impl<K, V: ?Sized + Referent, S, F: Family> OccupiedEntry<'_, K, V, S, F> {
    /// Maps the stored key to `value` instead, returning the old value. The
    /// old value's death can no longer touch the entry.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::{WeakValueDictionary, weak_value_dictionary::Entry};
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// # fn obj() -> Arc<Obj> { Arc::new(Obj { header: Header::new() }) }
    /// let (a, b) = (obj(), obj());
    /// let mut d = WeakValueDictionary::new();
    /// d.insert(1, &a);
    /// if let Entry::Occupied(mut o) = d.entry(1) { assert!(Arc::ptr_eq(&o.insert(&b), &a)); }
    /// drop(a);
    /// assert!(Arc::ptr_eq(&d.get(&1).unwrap(), &b));
    /// ```
    pub fn insert<P>(&mut self, value: &P) -> F::Strong<V>
    where
        P: StrongRef<V, Family = F>,
    {
        let value = value.as_family();
        self.found.rebind(value);
        core::mem::replace(&mut self.value, value.clone())
    }
}

impl<'a, K, V: ?Sized + Referent, S, F: Family> VacantEntry<'a, K, V, S, F> {
    pub(super) fn new(place: Place<'a, K, V, F>, key: K) -> Self {
        VacantEntry {
            place,
            key,
            map: PhantomData,
        }
    }

    /// The key given to [`entry`](crate::WeakValueDictionary::entry).
    ///
    /// ```
    /// # use weakref_collections::{WeakValueDictionary, weak_value_dictionary::Entry};
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let mut d: WeakValueDictionary<u8, Obj> = WeakValueDictionary::new();
    /// if let Entry::Vacant(v) = d.entry(3) { assert_eq!(*v.key(), 3); }
    /// ```
    #[must_use]
    pub fn key(&self) -> &K {
        &self.key
    }

    /// Gives the key back without inserting.
    ///
    /// ```
    /// # use weakref_collections::{WeakValueDictionary, weak_value_dictionary::Entry};
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let mut d: WeakValueDictionary<u8, Obj> = WeakValueDictionary::new();
    /// if let Entry::Vacant(v) = d.entry(3) { assert_eq!(v.into_key(), 3); }
    /// ```
    #[must_use]
    pub fn into_key(self) -> K {
        self.key
    }
}

impl<K, V: ?Sized + Referent, S, F: Family> VacantEntry<'_, K, V, S, F> {
    /// Maps the key to `value` (held weakly) and returns `value`. If the
    /// key's entry held a dead value, the entry is reused with its stored
    /// key (this one is dropped).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::{WeakValueDictionary, weak_value_dictionary::Entry};
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut d = WeakValueDictionary::new();
    /// if let Entry::Vacant(v) = d.entry("a") { v.insert(&a); }
    /// assert_eq!(d.len(), 1);
    /// ```
    pub fn insert<P>(self, value: &P) -> F::Strong<V>
    where
        P: StrongRef<V, Family = F>,
    {
        let key = self.key;
        self.place.fill(value.as_family(), move || key)
    }
}

impl<'a, 'q, K, Q: ?Sized, V: ?Sized + Referent, S, F: Family>
    VacantEntryRef<'a, 'q, K, Q, V, S, F>
{
    pub(super) fn new(place: Place<'a, K, V, F>, key: &'q Q) -> Self {
        VacantEntryRef {
            place,
            key,
            map: PhantomData,
        }
    }

    /// The borrowed key given to
    /// [`entry_ref`](crate::WeakValueDictionary::entry_ref).
    ///
    /// ```
    /// # use weakref_collections::{WeakValueDictionary, weak_value_dictionary::EntryRef};
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let mut d: WeakValueDictionary<String, Obj> = WeakValueDictionary::new();
    /// if let EntryRef::Vacant(v) = d.entry_ref("x") { assert_eq!(v.key(), "x"); }
    /// ```
    #[must_use]
    pub fn key(&self) -> &'q Q {
        self.key
    }
}

impl<'q, K, Q: ?Sized, V: ?Sized + Referent, S, F: Family> VacantEntryRef<'_, 'q, K, Q, V, S, F> {
    /// Maps the key to `value` and returns `value`; an owned key is made
    /// from the borrowed one only if the key had no entry at all (an entry
    /// whose value died is reused with its stored key).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::{WeakValueDictionary, weak_value_dictionary::EntryRef};
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut d: WeakValueDictionary<String, Obj> = WeakValueDictionary::new();
    /// if let EntryRef::Vacant(v) = d.entry_ref("a") { v.insert(&a); }
    /// assert!(d.contains_key("a"));
    /// ```
    pub fn insert<P>(self, value: &P) -> F::Strong<V>
    where
        P: StrongRef<V, Family = F>,
        K: From<&'q Q>,
    {
        let key = self.key;
        self.place.fill(value.as_family(), || K::from(key))
    }
}

impl<K, V: ?Sized + Referent, S, F: Family> Entry<'_, K, V, S, F> {
    /// The entry's key: the stored one if occupied, the given one if vacant.
    ///
    /// ```
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let mut d: WeakValueDictionary<u8, Obj> = WeakValueDictionary::new();
    /// assert_eq!(*d.entry(5).key(), 5);
    /// ```
    #[must_use]
    pub fn key(&self) -> &K {
        match self {
            Entry::Occupied(o) => o.key(),
            Entry::Vacant(v) => v.key(),
        }
    }
}

impl<K, V: ?Sized + Referent, S, F: Family> Entry<'_, K, V, S, F> {
    /// The live value, or `default` after mapping the key to it (Python's
    /// `setdefault`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// # fn obj() -> Arc<Obj> { Arc::new(Obj { header: Header::new() }) }
    /// let (a, b) = (obj(), obj());
    /// let mut d = WeakValueDictionary::new();
    /// assert!(Arc::ptr_eq(&d.entry(1).or_insert(&a), &a));
    /// assert!(Arc::ptr_eq(&d.entry(1).or_insert(&b), &a));
    /// ```
    pub fn or_insert<P>(self, default: &P) -> F::Strong<V>
    where
        P: StrongRef<V, Family = F>,
    {
        match self {
            Entry::Occupied(o) => o.into_value(),
            Entry::Vacant(v) => v.insert(default),
        }
    }

    /// The live value, or `make()` after mapping the key to it (`make`
    /// runs only then): the cache idiom.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let mut d: WeakValueDictionary<u8, Obj> = WeakValueDictionary::new();
    /// let a = d.entry(1).or_insert_with(|| Arc::new(Obj { header: Header::new() }));
    /// assert!(Arc::ptr_eq(&a, &d.entry(1).or_insert_with(|| unreachable!())));
    /// ```
    pub fn or_insert_with(self, make: impl FnOnce() -> F::Strong<V>) -> F::Strong<V> {
        match self {
            Entry::Occupied(o) => o.into_value(),
            Entry::Vacant(v) => {
                let value = make();
                v.insert(&value)
            }
        }
    }
}

impl<'q, K, Q: ?Sized, V: ?Sized + Referent, S, F: Family> EntryRef<'_, 'q, K, Q, V, S, F>
where
    K: From<&'q Q>,
{
    /// The live value, or `default` after mapping (an owned copy of) the key
    /// to it.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut d: WeakValueDictionary<String, Obj> = WeakValueDictionary::new();
    /// assert!(Arc::ptr_eq(&d.entry_ref("a").or_insert(&a), &a));
    /// ```
    pub fn or_insert<P>(self, default: &P) -> F::Strong<V>
    where
        P: StrongRef<V, Family = F>,
    {
        match self {
            EntryRef::Occupied(o) => o.into_value(),
            EntryRef::Vacant(v) => v.insert(default),
        }
    }

    /// The live value, or `make()` after mapping (an owned copy of) the key
    /// to it; a hit runs neither `make` nor `K::from`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let mut d: WeakValueDictionary<String, Obj> = WeakValueDictionary::new();
    /// let a = d.entry_ref("a").or_insert_with(|| Arc::new(Obj { header: Header::new() }));
    /// assert!(Arc::ptr_eq(&a, &d.entry_ref("a").or_insert_with(|| unreachable!())));
    /// ```
    pub fn or_insert_with(self, make: impl FnOnce() -> F::Strong<V>) -> F::Strong<V> {
        match self {
            EntryRef::Occupied(o) => o.into_value(),
            EntryRef::Vacant(v) => {
                let value = make();
                v.insert(&value)
            }
        }
    }
}

impl<K: fmt::Debug, V: ?Sized + Referent + fmt::Debug, S, F: Family> fmt::Debug
    for Entry<'_, K, V, S, F>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Occupied(o) => f.debug_tuple("Occupied").field(o).finish(),
            Entry::Vacant(v) => f.debug_tuple("Vacant").field(v).finish(),
        }
    }
}

impl<K: fmt::Debug, Q: ?Sized + fmt::Debug, V: ?Sized + Referent + fmt::Debug, S, F: Family>
    fmt::Debug for EntryRef<'_, '_, K, Q, V, S, F>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryRef::Occupied(o) => f.debug_tuple("Occupied").field(o).finish(),
            EntryRef::Vacant(v) => f.debug_tuple("Vacant").field(v).finish(),
        }
    }
}

impl<K: fmt::Debug, V: ?Sized + Referent + fmt::Debug, S, F: Family> fmt::Debug
    for OccupiedEntry<'_, K, V, S, F>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OccupiedEntry")
            .field("key", self.key())
            .field("value", &&*self.value)
            .finish()
    }
}

impl<K: fmt::Debug, V: ?Sized + Referent, S, F: Family> fmt::Debug for VacantEntry<'_, K, V, S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VacantEntry").field(&self.key).finish()
    }
}

impl<K, Q: ?Sized + fmt::Debug, V: ?Sized + Referent, S, F: Family> fmt::Debug
    for VacantEntryRef<'_, '_, K, Q, V, S, F>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VacantEntryRef").field(&self.key).finish()
    }
}
