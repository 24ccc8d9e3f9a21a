//! [`WeakSet`]: a set whose elements are held weakly, and its iterator.

use crate::sync::Arc;
use core::hash::{BuildHasher, Hash};
use std::hash::RandomState;

use weakref_core::Referent;

use crate::weak_key_dictionary::WeakKeyDictionary;

mod traits;

pub use self::traits::Iter;

/// Python's `weakref.WeakSet`: a hash set of objects held weakly. An
/// element disappears when it dies.
///
/// Elements are `Arc<T>` of a [`Referent`] type, compared by `T`'s `Eq` and
/// `Hash`, one weak reference each. It is a [`WeakKeyDictionary<T, ()>`]
/// underneath, with the same guarantees: from the moment an element's last
/// strong `Arc` is dropped, on any thread, [`len`](Self::len),
/// [`contains`](Self::contains) and iteration no longer see it.
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
pub struct WeakSet<T: ?Sized + Referent, S = RandomState> {
    map: WeakKeyDictionary<T, (), S>,
}

impl<T: ?Sized + Referent> WeakSet<T, RandomState> {
    /// An empty set.
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
        WeakSet {
            map: WeakKeyDictionary::new(),
        }
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
        WeakSet {
            map: WeakKeyDictionary::with_capacity(capacity),
        }
    }
}

impl<T: ?Sized + Referent, S> WeakSet<T, S> {
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
        WeakSet {
            map: WeakKeyDictionary::with_hasher(hash_builder),
        }
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
        WeakSet {
            map: WeakKeyDictionary::with_capacity_and_hasher(capacity, hash_builder),
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
    pub fn iter(&self) -> Iter<'_, T> {
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
    pub fn pop(&mut self) -> Option<Arc<T>> {
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

impl<T, S> WeakSet<T, S>
where
    T: ?Sized + Referent + Hash + Eq,
    S: BuildHasher,
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
    pub fn insert(&mut self, value: &Arc<T>) -> bool {
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
    pub fn get(&self, value: &T) -> Option<Arc<T>> {
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
    pub fn take(&mut self, value: &T) -> Option<Arc<T>> {
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
    pub fn is_subset<S2: BuildHasher>(&self, other: &WeakSet<T, S2>) -> bool {
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
    pub fn is_superset<S2: BuildHasher>(&self, other: &WeakSet<T, S2>) -> bool {
        other.is_subset(self)
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
    pub fn is_disjoint<S2: BuildHasher>(&self, other: &WeakSet<T, S2>) -> bool {
        self.iter().all(|element| !other.contains(&element))
    }
}

impl<T, S> WeakSet<T, S>
where
    T: ?Sized + Referent + Hash + Eq,
    S: BuildHasher + Clone,
{
    fn filtered<S2: BuildHasher>(&self, other: &WeakSet<T, S2>, keep_common: bool) -> Self {
        let mut out = WeakSet::with_hasher(self.hasher().clone());
        for element in self {
            if other.contains(&element) == keep_common {
                out.insert(&element);
            }
        }
        out
    }

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
    pub fn union<S2: BuildHasher>(&self, other: &WeakSet<T, S2>) -> Self {
        let mut out = self.clone();
        out.extend(other);
        out
    }

    /// A new set of the live elements in both sets (`s & other`).
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
    /// assert_eq!(s1.intersection(&s2).len(), 1);
    /// ```
    #[must_use]
    pub fn intersection<S2: BuildHasher>(&self, other: &WeakSet<T, S2>) -> Self {
        self.filtered(other, true)
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
    pub fn difference<S2: BuildHasher>(&self, other: &WeakSet<T, S2>) -> Self {
        self.filtered(other, false)
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
    pub fn symmetric_difference<S2: BuildHasher>(&self, other: &WeakSet<T, S2>) -> Self {
        let mut out = self.difference(other);
        for element in other {
            if !self.contains(&element) {
                out.insert(&element);
            }
        }
        out
    }
}
