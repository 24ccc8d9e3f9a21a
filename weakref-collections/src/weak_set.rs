//! [`WeakKeySet`], the weak set engine, with its public names [`WeakSet`]
//! (elements by value) and [`WeakIdentitySet`] (elements by identity), and
//! its iterator.

use core::cmp::Ordering;
use core::hash::BuildHasher;
use std::hash::RandomState;

use weakref_core::{ArcFamily, Family, Referent, StrongRef};

use crate::address_hasher::BuildAddressHasher;
use crate::key_mode::{ByIdentity, ByValue, KeyMode};
use crate::weak_key_dictionary::WeakKeyMap;

mod traits;

pub use self::traits::Iter;

/// The set behind [`WeakSet`] and [`WeakIdentitySet`]; use those names.
///
/// A [`WeakKeyMap<T, (), S, F, M>`](WeakKeyMap) underneath, so one engine
/// serves both key modes (`M`) and both pointer families (`F`).
///
/// ```
/// use std::sync::Arc;
/// use weakref_collections::{ByValue, WeakKeySet, WeakSet};
/// use weakref_core::{ArcFamily, Header, Referent};
///
/// #[derive(Referent, PartialEq, Eq, Hash)]
/// struct Obj { header: Header }
///
/// let o = Arc::new(Obj { header: Header::new() });
/// let mut s: WeakKeySet<Obj, _, ArcFamily, ByValue> = WeakSet::new();
/// s.insert(&o);
/// assert!(s.contains(&o));
/// ```
pub struct WeakKeySet<T: ?Sized + Referent, S, F: Family, M> {
    map: WeakKeyMap<T, (), S, F, M>,
}

/// Python's `weakref.WeakSet`: a hash set of objects held weakly, compared
/// **by value** (`T`'s `Hash` and `Eq`). An element disappears when it dies.
///
/// Pick it when elements equal by content should be one element. For a set
/// of *objects* — any referent, `dyn Trait` included, two equal objects
/// being two elements, `Hash`/`Eq` never called — use [`WeakIdentitySet`].
///
/// Elements are `Arc<T>` of a [`Referent`] type (`Rc<T>` for
/// [`rc::WeakSet`](crate::rc::WeakSet)), one weak reference each. From the
/// moment an element's last strong pointer is dropped, on any thread,
/// [`len`](WeakKeySet::len), [`contains`](WeakKeySet::contains) and
/// iteration no longer see it.
///
/// ```
/// use std::sync::Arc;
/// use weakref_collections::WeakSet;
/// use weakref_core::{Header, Referent};
///
/// #[derive(Referent, PartialEq, Eq, Hash)]
/// struct Listener { id: u32, header: Header }
///
/// let a = Arc::new(Listener { id: 1, header: Header::new() });
/// let b = Arc::new(Listener { id: 2, header: Header::new() });
/// let mut listeners = WeakSet::new();
/// listeners.insert(&a);
/// listeners.insert(&b);
/// drop(a);
/// assert_eq!(listeners.iter().map(|l| l.id).collect::<Vec<_>>(), [2]);
/// ```
pub type WeakSet<T, S = RandomState, F = ArcFamily> = WeakKeySet<T, S, F, ByValue>;

/// A weak set of **objects** (by identity): JavaScript's `WeakSet`,
/// Python's `WeakSet` of objects that keep the default hash, weak-table's
/// `PtrWeakHashSet`.
///
/// Pick it for "the objects I am watching": any referent works, `dyn Trait`
/// included; two equal objects are two elements; `T`'s `Hash` and `Eq` are
/// never called. For elements equal by content to be one, use [`WeakSet`].
/// Equality and the set operations are by identity too (the same objects).
///
/// ```
/// use std::sync::Arc;
/// use weakref_collections::WeakIdentitySet;
/// use weakref_core::{Header, Referent};
///
/// trait Observer: Referent { fn notify(&self, event: &str) -> String; }
///
/// #[derive(Referent)]
/// struct Logger { name: &'static str, header: Header }
/// impl Observer for Logger {
///     fn notify(&self, event: &str) -> String { format!("{} saw {event}", self.name) }
/// }
///
/// let a: Arc<dyn Observer> = Arc::new(Logger { name: "a", header: Header::new() });
/// let b: Arc<dyn Observer> = Arc::new(Logger { name: "b", header: Header::new() });
/// let mut observers = WeakIdentitySet::new();
/// observers.insert(&a);
/// observers.insert(&b);
/// drop(b); // an observer that goes away unsubscribes itself
/// let seen: Vec<String> = observers.iter().map(|o| o.notify("save")).collect();
/// assert_eq!(seen, ["a saw save"]);
/// ```
pub type WeakIdentitySet<T, S = BuildAddressHasher, F = ArcFamily> =
    WeakKeySet<T, S, F, ByIdentity>;

impl<T: ?Sized + Referent, F: Family> WeakKeySet<T, BuildAddressHasher, F, ByIdentity> {
    /// An empty identity set. Its family (`Arc` or `Rc` elements) is
    /// inferred from the first insert.
    ///
    /// ```
    /// # use weakref_collections::WeakIdentitySet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let s: WeakIdentitySet<Obj> = WeakIdentitySet::new();
    /// assert!(s.is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::with_hasher(BuildAddressHasher)
    }

    /// An empty identity set with room for `capacity` elements.
    ///
    /// ```
    /// # use weakref_collections::WeakIdentitySet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let s: WeakIdentitySet<Obj> = WeakIdentitySet::with_capacity(8);
    /// assert!(s.capacity() >= 8);
    /// ```
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_and_hasher(capacity, BuildAddressHasher)
    }
}

impl<T: ?Sized + Referent, F: Family> WeakKeySet<T, RandomState, F, ByValue> {
    /// An empty set. Its family (`Arc` or `Rc` elements) is inferred from
    /// the first insert.
    ///
    /// ```
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { header: Header }
    /// let s: WeakSet<Obj> = WeakSet::new();
    /// assert!(s.is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::with_hasher(RandomState::new())
    }

    /// An empty set with room for `capacity` elements.
    ///
    /// ```
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { header: Header }
    /// let s: WeakSet<Obj> = WeakSet::with_capacity(8);
    /// assert!(s.capacity() >= 8);
    /// ```
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_and_hasher(capacity, RandomState::new())
    }
}

impl<T: ?Sized + Referent, S, F: Family, M> WeakKeySet<T, S, F, M> {
    /// An empty set hashing elements with `hash_builder`.
    ///
    /// ```
    /// # use std::hash::RandomState;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { header: Header }
    /// let s: WeakSet<Obj> = WeakSet::with_hasher(RandomState::new());
    /// assert_eq!(s.len(), 0);
    /// ```
    #[must_use]
    pub fn with_hasher(hash_builder: S) -> Self {
        Self::with_capacity_and_hasher(0, hash_builder)
    }

    /// An empty set with room for `capacity` elements, hashing with
    /// `hash_builder`.
    ///
    /// ```
    /// # use std::hash::RandomState;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { header: Header }
    /// let s: WeakSet<Obj> = WeakSet::with_capacity_and_hasher(8, RandomState::new());
    /// assert!(s.capacity() >= 8);
    /// ```
    #[must_use]
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        WeakKeySet {
            map: WeakKeyMap::with_capacity_and_hasher(capacity, hash_builder),
        }
    }

    /// The set's `BuildHasher`.
    ///
    /// ```
    /// # use std::hash::RandomState;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { header: Header }
    /// let s: WeakSet<Obj> = WeakSet::new();
    /// let _: &RandomState = s.hasher();
    /// ```
    pub fn hasher(&self) -> &S {
        self.map.hasher()
    }

    /// Number of live elements (Python's `len(s)`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
    /// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
    /// let (a, b) = (obj(1), obj(2));
    /// let mut s = WeakSet::new();
    /// s.insert(&a);
    /// s.insert(&b);
    /// drop(a);
    /// assert_eq!(s.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no element is alive.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut s = WeakSet::new();
    /// s.insert(&a);
    /// drop(a);
    /// assert!(s.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Elements the set can hold without reallocating.
    ///
    /// ```
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { header: Header }
    /// let s: WeakSet<Obj> = WeakSet::with_capacity(100);
    /// assert!(s.capacity() >= 100);
    /// ```
    pub fn capacity(&self) -> usize {
        self.map.capacity()
    }

    /// The live elements, as strong `Arc`s, in arbitrary order. An element
    /// that dies while the iterator is suspended is skipped.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut s = WeakSet::new();
    /// s.insert(&a);
    /// assert!(s.iter().all(|e| Arc::ptr_eq(&e, &a)));
    /// ```
    pub fn iter(&self) -> Iter<'_, T, F> {
        Iter {
            inner: self.map.keys(),
        }
    }

    /// Removes every element (Python's `clear()`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut s = WeakSet::new();
    /// s.insert(&a);
    /// s.clear();
    /// assert!(s.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.map.clear();
    }

    /// Removes and returns some live element (Python's `pop()`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut s = WeakSet::new();
    /// s.insert(&a);
    /// assert!(Arc::ptr_eq(&s.pop().unwrap(), &a));
    /// assert!(s.pop().is_none());
    /// ```
    pub fn pop(&mut self) -> Option<F::Strong<T>> {
        self.map.popitem().map(|(element, ())| element)
    }

    /// Keeps only the live elements for which `keep` returns `true`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
    /// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
    /// let objs: Vec<_> = (0..4).map(obj).collect();
    /// let mut s: WeakSet<Obj> = objs.iter().collect();
    /// s.retain(|o| o.n > 1);
    /// assert_eq!(s.len(), 2);
    /// ```
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.map.retain(|element, ()| keep(element));
    }
}

impl<T, S, F, M> WeakKeySet<T, S, F, M>
where
    T: ?Sized + Referent,
    S: BuildHasher,
    F: Family,
    M: KeyMode<T>,
{
    /// Adds `value` (Python's `add`); `true` if no equal element was there.
    /// An equal element already there stays.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut s = WeakSet::new();
    /// assert!(s.insert(&a));
    /// assert!(!s.insert(&a));
    /// ```
    pub fn insert<P>(&mut self, value: &P) -> bool
    where
        P: StrongRef<T, Family = F>,
    {
        self.map.insert(value, ()).is_none()
    }

    /// Whether a live element equal to `value` is in the set (`value in s`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut s = WeakSet::new();
    /// s.insert(&a);
    /// assert!(s.contains(&a));
    /// ```
    #[must_use]
    pub fn contains(&self, value: &T) -> bool {
        self.map.contains_key(value)
    }

    /// The stored element equal to `value`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
    /// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
    /// let a = obj(1);
    /// let mut s = WeakSet::new();
    /// s.insert(&a);
    /// assert!(Arc::ptr_eq(&s.get(&obj(1)).unwrap(), &a));
    /// ```
    #[must_use]
    pub fn get(&self, value: &T) -> Option<F::Strong<T>> {
        self.map.get_key_value(value).map(|(element, ())| element)
    }

    /// Removes `value` (Python's `discard`); `true` if it was there (where
    /// Python's `remove` would raise `KeyError`, this returns `false`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut s = WeakSet::new();
    /// s.insert(&a);
    /// assert!(s.remove(&a));
    /// assert!(!s.remove(&a));
    /// ```
    pub fn remove(&mut self, value: &T) -> bool {
        self.map.remove(value).is_some()
    }

    /// Removes and returns the stored element equal to `value`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let mut s = WeakSet::new();
    /// s.insert(&a);
    /// assert!(Arc::ptr_eq(&s.take(&a).unwrap(), &a));
    /// assert!(s.is_empty());
    /// ```
    pub fn take(&mut self, value: &T) -> Option<F::Strong<T>> {
        self.map.remove_entry(value).map(|(element, ())| element)
    }

    /// Whether every live element of `self` is in `other` (`s <= other`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
    /// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
    /// let (a, b) = (obj(1), obj(2));
    /// let small: WeakSet<Obj> = [&a].into_iter().collect();
    /// let big: WeakSet<Obj> = [&a, &b].into_iter().collect();
    /// assert!(small.is_subset(&big) && !big.is_subset(&small));
    /// ```
    #[must_use]
    pub fn is_subset<S2: BuildHasher>(&self, other: &WeakKeySet<T, S2, F, M>) -> bool {
        self.iter().all(|element| other.contains(&element))
    }

    /// Whether every live element of `other` is in `self` (`s >= other`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
    /// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
    /// let (a, b) = (obj(1), obj(2));
    /// let small: WeakSet<Obj> = [&a].into_iter().collect();
    /// let big: WeakSet<Obj> = [&a, &b].into_iter().collect();
    /// assert!(big.is_superset(&small));
    /// ```
    #[must_use]
    pub fn is_superset<S2: BuildHasher>(&self, other: &WeakKeySet<T, S2, F, M>) -> bool {
        other.is_subset(self)
    }

    /// Whether `self` is a subset of `other` with fewer live elements
    /// (Python's `s < other`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
    /// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
    /// let (a, b) = (obj(1), obj(2));
    /// let small: WeakSet<Obj> = [&a].into_iter().collect();
    /// let big: WeakSet<Obj> = [&a, &b].into_iter().collect();
    /// assert!(small.is_proper_subset(&big) && !big.is_proper_subset(&big));
    /// ```
    #[must_use]
    pub fn is_proper_subset<S2: BuildHasher>(&self, other: &WeakKeySet<T, S2, F, M>) -> bool {
        self.compare(other) == Some(Ordering::Less)
    }

    /// Whether `self` is a superset of `other` with more live elements
    /// (Python's `s > other`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
    /// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
    /// let (a, b) = (obj(1), obj(2));
    /// let small: WeakSet<Obj> = [&a].into_iter().collect();
    /// let big: WeakSet<Obj> = [&a, &b].into_iter().collect();
    /// assert!(big.is_proper_superset(&small) && !small.is_proper_superset(&small));
    /// ```
    #[must_use]
    pub fn is_proper_superset<S2: BuildHasher>(&self, other: &WeakKeySet<T, S2, F, M>) -> bool {
        self.compare(other) == Some(Ordering::Greater)
    }

    /// The subset order: `Less` for a proper subset, `Equal` for the same
    /// live elements, `Greater` for a proper superset, `None` otherwise.
    /// Each side's elements are counted and looked up in the other once
    /// (the element counts are compared first, so the lookups go one way).
    pub(crate) fn compare<S2: BuildHasher>(
        &self,
        other: &WeakKeySet<T, S2, F, M>,
    ) -> Option<Ordering> {
        let (mine, theirs) = (self.iter().count(), other.iter().count());
        match mine.cmp(&theirs) {
            Ordering::Less | Ordering::Equal if self.is_subset(other) => Some(mine.cmp(&theirs)),
            Ordering::Greater if other.is_subset(self) => Some(Ordering::Greater),
            _ => None,
        }
    }

    /// Whether no live element is in both sets (Python's `isdisjoint`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
    /// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
    /// let (a, b) = (obj(1), obj(2));
    /// let s1: WeakSet<Obj> = [&a].into_iter().collect();
    /// let s2: WeakSet<Obj> = [&b].into_iter().collect();
    /// assert!(s1.is_disjoint(&s2));
    /// ```
    #[must_use]
    pub fn is_disjoint<S2: BuildHasher>(&self, other: &WeakKeySet<T, S2, F, M>) -> bool {
        self.iter().all(|element| !other.contains(&element))
    }
}

impl<T, S, F, M> WeakKeySet<T, S, F, M>
where
    T: ?Sized + Referent,
    S: BuildHasher + Clone,
    F: Family,
    M: KeyMode<T>,
{
    /// A new set of the live elements in either set (`s | other`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
    /// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
    /// let (a, b) = (obj(1), obj(2));
    /// let s1: WeakSet<Obj> = [&a].into_iter().collect();
    /// let s2: WeakSet<Obj> = [&a, &b].into_iter().collect();
    /// assert_eq!(s1.union(&s2).len(), 2);
    /// ```
    #[must_use]
    pub fn union<S2: BuildHasher>(&self, other: &WeakKeySet<T, S2, F, M>) -> Self {
        let mut out = self.clone();
        out.map
            .insert_all::<_, F::Strong<T>, _>(other.iter().map(|element| (element, ())));
        out
    }

    /// A new set of the live elements in both sets (`s & other`). As in
    /// Python, the elements are `other`'s (by value, an element of `other`
    /// equal to one of `self` is the one kept); the hasher is `self`'s.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
    /// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
    /// let (a, b, a_again) = (obj(1), obj(2), obj(1));
    /// let s1: WeakSet<Obj> = [&a].into_iter().collect();
    /// let s2: WeakSet<Obj> = [&a_again, &b].into_iter().collect();
    /// let both = s1.intersection(&s2);
    /// assert_eq!(both.len(), 1);
    /// assert!(Arc::ptr_eq(&both.get(&a).unwrap(), &a_again)); // `other`'s element
    /// ```
    #[must_use]
    pub fn intersection<S2: BuildHasher>(&self, other: &WeakKeySet<T, S2, F, M>) -> Self {
        let mut out = WeakKeySet::with_hasher(self.hasher().clone());
        for element in other {
            if self.contains(&element) {
                out.insert(&element);
            }
        }
        out
    }

    /// A new set of the live elements of `self` not in `other` (`s - other`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
    /// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
    /// let (a, b) = (obj(1), obj(2));
    /// let s1: WeakSet<Obj> = [&a, &b].into_iter().collect();
    /// let s2: WeakSet<Obj> = [&a].into_iter().collect();
    /// assert!(s1.difference(&s2).contains(&b));
    /// ```
    #[must_use]
    pub fn difference<S2: BuildHasher>(&self, other: &WeakKeySet<T, S2, F, M>) -> Self {
        let mut out = WeakKeySet::with_hasher(self.hasher().clone());
        for element in self {
            if !other.contains(&element) {
                out.insert(&element);
            }
        }
        out
    }

    /// A new set of the live elements in exactly one of the sets
    /// (`s ^ other`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
    /// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
    /// let (a, b, c) = (obj(1), obj(2), obj(3));
    /// let s1: WeakSet<Obj> = [&a, &b].into_iter().collect();
    /// let s2: WeakSet<Obj> = [&b, &c].into_iter().collect();
    /// let x = s1.symmetric_difference(&s2);
    /// assert!(x.contains(&a) && !x.contains(&b) && x.contains(&c));
    /// ```
    #[must_use]
    pub fn symmetric_difference<S2: BuildHasher>(&self, other: &WeakKeySet<T, S2, F, M>) -> Self {
        let mut out = self.difference(other);
        for element in other {
            if !self.contains(&element) {
                out.insert(&element);
            }
        }
        out
    }
}
