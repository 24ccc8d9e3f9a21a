//! The std traits of [`WeakKeyMap`], written once for both key modes and
//! both pointer families: indexing, `Clone` (Python's `copy()`), `Debug`,
//! `PartialEq`, `Extend` (`update()`), `FromIterator`, `IntoIterator`, and
//! Python 3.9's union operators `|` and `|=`.
//!
//! `Extend` and `FromIterator` name the strong pointer in their item type,
//! and impls for `(F::Strong<K>, V)` and `(&F::Strong<K>, V)` would overlap
//! for the coherence checker (it cannot see that a family's pointer is
//! never a reference), so those two are written once in a macro and
//! stamped out per family: `Arc<K>` for `ArcFamily`, `Rc<K>` for `RcFamily`.

use core::fmt;
use core::hash::BuildHasher;
use core::ops::{BitOr, BitOrAssign, Index};
use std::rc::Rc;

use weakref_core::{ArcFamily, Family, RcFamily, Referent, StrongRef};

use super::{Iter, IterMut, WeakKeyMap};
use crate::key_mode::KeyMode;
use crate::sync::Arc;

/// `d[&key]`: the value of `key`.
///
/// # Panics
/// If no live key equal to `key` is stored, like `HashMap`'s `Index`.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakKeyDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
/// let k = Arc::new(Key { header: Header::new() });
/// let mut d = WeakKeyDictionary::new();
/// d.insert(&k, 7);
/// assert_eq!(d[&k], 7);
/// ```
impl<K, V, S, F, M> Index<&K> for WeakKeyMap<K, V, S, F, M>
where
    K: ?Sized + Referent,
    S: BuildHasher,
    F: Family,
    M: KeyMode<K>,
{
    type Output = V;

    fn index(&self, key: &K) -> &V {
        self.get(key).expect("key not found in WeakKeyDictionary")
    }
}

/// Python's `copy()`: a new dictionary of the live entries (values cloned),
/// safe while other threads drop keys.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakKeyDictionary;
/// # use weakref_core::{Header, Referent, getweakrefcount};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
/// let k = Arc::new(Key { header: Header::new() });
/// let mut d = WeakKeyDictionary::new();
/// d.insert(&k, 1);
/// let copy = d.clone();
/// assert_eq!(getweakrefcount(&k), 2);
/// d.clear();
/// assert_eq!(copy[&k], 1);
/// ```
impl<K, V, S, F, M> Clone for WeakKeyMap<K, V, S, F, M>
where
    K: ?Sized + Referent,
    V: Clone,
    S: Clone,
    F: Family,
{
    fn clone(&self) -> Self {
        WeakKeyMap {
            table: self.table.clone_live(V::clone),
            hash_builder: self.hash_builder.clone(),
            mode: core::marker::PhantomData,
        }
    }
}

/// An empty dictionary.
///
/// ```
/// # use weakref_collections::WeakKeyDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
/// let d: WeakKeyDictionary<Key, u8> = Default::default();
/// assert!(d.is_empty());
/// ```
impl<K: ?Sized + Referent, V, S: Default, F: Family, M> Default for WeakKeyMap<K, V, S, F, M> {
    fn default() -> Self {
        Self::with_hasher(S::default())
    }
}

/// Like a map of the live entries: `{Key { .. }: 1}`. Python's repr,
/// `<WeakKeyDictionary at 0x..>`, says less and is not used.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakKeyDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash, Debug)] struct Key { id: u32, #[referent(header)] h: Header }
/// let k = Arc::new(Key { id: 1, h: Header::new() });
/// let mut d = WeakKeyDictionary::new();
/// d.insert(&k, "one");
/// assert!(format!("{d:?}").starts_with("{Key { id: 1"));
/// ```
impl<K, V, S, F, M> fmt::Debug for WeakKeyMap<K, V, S, F, M>
where
    K: ?Sized + Referent + fmt::Debug,
    V: fmt::Debug,
    F: Family,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(key, value)| (KeyDebug(key), value)))
            .finish()
    }
}

/// Python's `==`: the same live keys (equal keys by value, the same objects
/// by identity) mapping to equal values.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakKeyDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
/// let k = Arc::new(Key { header: Header::new() });
/// let mut d1 = WeakKeyDictionary::new();
/// d1.insert(&k, 1);
/// let mut d2 = d1.clone();
/// assert!(d1 == d2);
/// d2.insert(&k, 2);
/// assert!(d1 != d2);
/// ```
impl<K, V, S, F, M> PartialEq for WeakKeyMap<K, V, S, F, M>
where
    K: ?Sized + Referent,
    V: PartialEq,
    S: BuildHasher,
    F: Family,
    M: KeyMode<K>,
{
    fn eq(&self, other: &Self) -> bool {
        let mut count = 0;
        for (key, value) in self {
            count += 1;
            if other.get(&key) != Some(value) {
                return false;
            }
        }
        count == other.iter().count()
    }
}

macro_rules! from_pairs {
    ($family:ident, $ptr:ident, $import:literal, $module:literal) => {
        #[doc = concat!("Python's `update()`: inserts every `(", stringify!($ptr), "<K>, V)` pair. A key")]
        /// whose only strong reference was the one passed in dies at once,
        /// and its entry with it.
        ///
        /// ```
        #[doc = concat!("use ", $import, ";")]
        #[doc = concat!("use ", $module, "::WeakKeyDictionary;")]
        /// use weakref_core::{Header, Referent};
        ///
        /// #[derive(Referent, PartialEq, Eq, Hash)]
        /// struct Key { id: u32, header: Header }
        ///
        #[doc = concat!("let key = |id| ", stringify!($ptr), "::new(Key { id, header: Header::new() });")]
        /// let a = key(1);
        /// let mut d = WeakKeyDictionary::new();
        /// d.extend([(a.clone(), 1), (key(2), 2)]);
        /// assert_eq!(d.len(), 1); // key 2 died at once
        /// ```
        impl<K, V, S, M> Extend<($ptr<K>, V)> for WeakKeyMap<K, V, S, $family, M>
        where
            K: ?Sized + Referent,
            S: BuildHasher,
            M: KeyMode<K>,
        {
            fn extend<I: IntoIterator<Item = ($ptr<K>, V)>>(&mut self, iter: I) {
                self.insert_all::<_, $ptr<K>, _>(iter);
            }
        }

        #[doc = concat!("Python's `update()` from borrowed keys (`(&", stringify!($ptr), "<K>, V)`).")]
        ///
        /// ```
        #[doc = concat!("use ", $import, ";")]
        #[doc = concat!("use ", $module, "::WeakKeyDictionary;")]
        /// use weakref_core::{Header, Referent};
        ///
        /// #[derive(Referent, PartialEq, Eq, Hash)]
        /// struct Key { id: u32, header: Header }
        ///
        #[doc = concat!("let key = |id| ", stringify!($ptr), "::new(Key { id, header: Header::new() });")]
        /// let (a, b) = (key(1), key(2));
        /// let mut d = WeakKeyDictionary::new();
        /// d.extend([(&a, 1), (&b, 2), (&a, 3)]);
        /// assert_eq!((d.len(), d[&a]), (2, 3));
        /// ```
        impl<'a, K, V, S, M> Extend<(&'a $ptr<K>, V)> for WeakKeyMap<K, V, S, $family, M>
        where
            K: ?Sized + Referent + 'a,
            S: BuildHasher,
            M: KeyMode<K>,
        {
            fn extend<I: IntoIterator<Item = (&'a $ptr<K>, V)>>(&mut self, iter: I) {
                self.insert_all::<_, $ptr<K>, _>(iter);
            }
        }

        #[doc = concat!("Python's `WeakKeyDictionary(pairs)`, from `(", stringify!($ptr), "<K>, V)` pairs.")]
        ///
        /// ```
        #[doc = concat!("use ", $import, ";")]
        #[doc = concat!("use ", $module, "::WeakKeyIdentityDictionary;")]
        /// use weakref_core::{Header, Referent};
        ///
        /// #[derive(Referent)]
        /// struct Key { header: Header }
        ///
        #[doc = concat!("let k = ", stringify!($ptr), "::new(Key { header: Header::new() });")]
        /// let d: WeakKeyIdentityDictionary<Key, u8> = [(k.clone(), 1)].into_iter().collect();
        /// assert_eq!(d[&k], 1);
        /// ```
        impl<K, V, S, M> FromIterator<($ptr<K>, V)> for WeakKeyMap<K, V, S, $family, M>
        where
            K: ?Sized + Referent,
            S: BuildHasher + Default,
            M: KeyMode<K>,
        {
            fn from_iter<I: IntoIterator<Item = ($ptr<K>, V)>>(iter: I) -> Self {
                let mut d = Self::default();
                d.extend(iter);
                d
            }
        }

        #[doc = concat!("Python's `WeakKeyDictionary(pairs)`, from `(&", stringify!($ptr), "<K>, V)` pairs.")]
        ///
        /// ```
        #[doc = concat!("use ", $import, ";")]
        #[doc = concat!("use ", $module, "::WeakKeyDictionary;")]
        /// use weakref_core::{Header, Referent};
        ///
        /// #[derive(Referent, PartialEq, Eq, Hash)]
        /// struct Key { header: Header }
        ///
        #[doc = concat!("let k = ", stringify!($ptr), "::new(Key { header: Header::new() });")]
        /// let d: WeakKeyDictionary<Key, u8> = [(&k, 1)].into_iter().collect();
        /// assert_eq!(d[&k], 1);
        /// ```
        impl<'a, K, V, S, M> FromIterator<(&'a $ptr<K>, V)> for WeakKeyMap<K, V, S, $family, M>
        where
            K: ?Sized + Referent + 'a,
            S: BuildHasher + Default,
            M: KeyMode<K>,
        {
            fn from_iter<I: IntoIterator<Item = (&'a $ptr<K>, V)>>(iter: I) -> Self {
                let mut d = Self::default();
                d.extend(iter);
                d
            }
        }
    };
}

from_pairs!(ArcFamily, Arc, "std::sync::Arc", "weakref_collections");
from_pairs!(RcFamily, Rc, "std::rc::Rc", "weakref_collections::rc");

impl<K, V, S, F, M> WeakKeyMap<K, V, S, F, M>
where
    K: ?Sized + Referent,
    S: BuildHasher,
    F: Family,
    M: KeyMode<K>,
{
    /// `extend` for either family and either form of key: inserts every
    /// pair, then drops the entries of keys that died meanwhile (an owned
    /// key passed in may have been its key's last strong pointer).
    pub(crate) fn insert_all<P, Q, I>(&mut self, iter: I)
    where
        P: core::borrow::Borrow<Q>,
        Q: StrongRef<K, Family = F>,
        I: IntoIterator<Item = (P, V)>,
    {
        for (key, value) in iter {
            self.insert(key.borrow(), value);
        }
        self.table.collect();
    }
}

/// `for (key, value) in &d`: the live entries.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakKeyDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
/// let k = Arc::new(Key { header: Header::new() });
/// let mut d = WeakKeyDictionary::new();
/// d.insert(&k, 2);
/// let mut sum = 0;
/// for (_key, value) in &d { sum += value; }
/// assert_eq!(sum, 2);
/// ```
impl<'a, K: ?Sized + Referent, V, S, F: Family, M> IntoIterator for &'a WeakKeyMap<K, V, S, F, M> {
    type Item = (F::Strong<K>, &'a V);
    type IntoIter = Iter<'a, K, V, F>;

    fn into_iter(self) -> Iter<'a, K, V, F> {
        self.iter()
    }
}

/// `for (key, value) in &mut d`: the live entries, values mutably.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakKeyDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
/// let k = Arc::new(Key { header: Header::new() });
/// let mut d = WeakKeyDictionary::new();
/// d.insert(&k, 2);
/// for (_key, value) in &mut d { *value += 1; }
/// assert_eq!(d[&k], 3);
/// ```
impl<'a, K: ?Sized + Referent, V, S, F: Family, M> IntoIterator
    for &'a mut WeakKeyMap<K, V, S, F, M>
{
    type Item = (F::Strong<K>, &'a mut V);
    type IntoIter = IterMut<'a, K, V, F>;

    fn into_iter(self) -> IterMut<'a, K, V, F> {
        self.iter_mut()
    }
}

/// Python 3.9's `d1 | d2`: a new dictionary of the live entries of both;
/// for a key in both, the value of the right side (and the key stored on
/// the left, as `insert` keeps a stored key). The result has the left
/// side's hasher.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakKeyDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { id: u32, header: Header }
/// # fn key(id: u32) -> Arc<Key> { Arc::new(Key { id, header: Header::new() }) }
/// let (a, b) = (key(1), key(2));
/// let left: WeakKeyDictionary<Key, &str> = [(&a, "left")].into_iter().collect();
/// let right: WeakKeyDictionary<Key, &str> = [(&a, "right"), (&b, "b")].into_iter().collect();
/// let union = &left | &right;
/// assert_eq!((union.len(), union[&a]), (2, "right"));
/// ```
impl<K, V, S, S2, F, M> BitOr<&WeakKeyMap<K, V, S2, F, M>> for &WeakKeyMap<K, V, S, F, M>
where
    K: ?Sized + Referent,
    V: Clone,
    S: BuildHasher + Clone,
    F: Family,
    M: KeyMode<K>,
{
    type Output = WeakKeyMap<K, V, S, F, M>;

    fn bitor(self, other: &WeakKeyMap<K, V, S2, F, M>) -> Self::Output {
        let mut union = self.clone();
        union |= other;
        union
    }
}

/// Python 3.9's `d1 |= d2`: inserts the live entries of `d2` (values
/// cloned), its values winning. For pairs from elsewhere, use
/// [`extend`](Extend::extend) (Python's `d |= pairs`).
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakKeyDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { id: u32, header: Header }
/// # fn key(id: u32) -> Arc<Key> { Arc::new(Key { id, header: Header::new() }) }
/// let (a, b) = (key(1), key(2));
/// let mut d: WeakKeyDictionary<Key, u8> = [(&a, 1)].into_iter().collect();
/// let other: WeakKeyDictionary<Key, u8> = [(&a, 10), (&b, 20)].into_iter().collect();
/// d |= &other;
/// assert_eq!((d[&a], d[&b]), (10, 20));
/// ```
impl<K, V, S, S2, F, M> BitOrAssign<&WeakKeyMap<K, V, S2, F, M>> for WeakKeyMap<K, V, S, F, M>
where
    K: ?Sized + Referent,
    V: Clone,
    S: BuildHasher,
    F: Family,
    M: KeyMode<K>,
{
    fn bitor_assign(&mut self, other: &WeakKeyMap<K, V, S2, F, M>) {
        self.insert_all::<_, F::Strong<K>, _>(
            other.iter().map(|(key, value)| (key, value.clone())),
        );
    }
}

/// Shows a key through `&K` (the map's keys are strong pointers of either
/// family, which are `Debug` only through their referent).
struct KeyDebug<P>(P);

impl<P: core::ops::Deref> fmt::Debug for KeyDebug<P>
where
    P::Target: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (*self.0).fmt(f)
    }
}
