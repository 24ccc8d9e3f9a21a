//! The std traits of [`WeakValueDictionary`], written once for both pointer
//! families: `Clone` (Python's `copy()`), `Debug`, `PartialEq`, `Extend`
//! (`update()`), `FromIterator`, `IntoIterator`, and Python 3.9's union
//! operators `|` and `|=`. `Extend` and `FromIterator` are stamped out per
//! family by a macro (see the weak-keyed map's traits for why).

use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::ops::{BitOr, BitOrAssign};
use std::rc::Rc;

use weakref_core::{ArcFamily, Family, RcFamily, Referent, StrongRef};

use super::{Iter, WeakValueDictionary};
use crate::sync::Arc;

/// Python's `copy()`: a new dictionary of the live entries (keys cloned),
/// safe while other threads drop values.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakValueDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent)] struct Obj { header: Header }
/// let a = Arc::new(Obj { header: Header::new() });
/// let mut d = WeakValueDictionary::new();
/// d.insert(1, &a);
/// let copy = d.clone();
/// d.clear();
/// assert!(Arc::ptr_eq(&copy.get(&1).unwrap(), &a));
/// ```
impl<K, V, S, F> Clone for WeakValueDictionary<K, V, S, F>
where
    K: Clone,
    V: ?Sized + Referent,
    S: Clone,
    F: Family,
{
    fn clone(&self) -> Self {
        WeakValueDictionary {
            table: self.table.clone_live(K::clone),
            hash_builder: self.hash_builder.clone(),
        }
    }
}

/// An empty dictionary.
///
/// ```
/// # use weakref_collections::WeakValueDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent)] struct Obj { header: Header }
/// let d: WeakValueDictionary<u8, Obj> = Default::default();
/// assert!(d.is_empty());
/// ```
impl<K, V: ?Sized + Referent, S: Default, F: Family> Default for WeakValueDictionary<K, V, S, F> {
    fn default() -> Self {
        Self::with_hasher(S::default())
    }
}

/// Like a map of the live entries: `{1: Obj { .. }}`. Python's repr,
/// `<WeakValueDictionary at 0x..>`, says less and is not used.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakValueDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, Debug)] struct Obj { n: u32, #[referent(header)] h: Header }
/// let a = Arc::new(Obj { n: 1, h: Header::new() });
/// let mut d = WeakValueDictionary::new();
/// d.insert("a", &a);
/// assert!(format!("{d:?}").starts_with("{\"a\": Obj { n: 1"));
/// ```
impl<K: fmt::Debug, V: ?Sized + Referent + fmt::Debug, S, F: Family> fmt::Debug
    for WeakValueDictionary<K, V, S, F>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (key, value) in self {
            map.entry(key, &&*value);
        }
        map.finish()
    }
}

/// Python's `==`: the same keys mapping to equal live values.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakValueDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq)] struct Obj { n: u32, header: Header }
/// # fn obj(n: u32) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
/// let (a, b) = (obj(1), obj(1));
/// let mut d1 = WeakValueDictionary::new();
/// let mut d2 = WeakValueDictionary::new();
/// d1.insert("k", &a);
/// d2.insert("k", &b);
/// assert!(d1 == d2);
/// drop(b);
/// assert!(d1 != d2);
/// ```
impl<K, V, S, F> PartialEq for WeakValueDictionary<K, V, S, F>
where
    K: Hash + Eq,
    V: ?Sized + Referent + PartialEq,
    S: BuildHasher,
    F: Family,
{
    fn eq(&self, other: &Self) -> bool {
        let mut count = 0;
        for (key, value) in self {
            count += 1;
            if other.get(key).is_none_or(|theirs| *theirs != *value) {
                return false;
            }
        }
        count == other.iter().count()
    }
}

macro_rules! from_pairs {
    ($family:ident, $ptr:ident, $import:literal, $module:literal) => {
        #[doc = concat!("Python's `update()`: inserts every `(K, ", stringify!($ptr), "<V>)` pair. A value")]
        /// whose only strong reference was the one passed in dies at once,
        /// and its entry with it.
        ///
        /// ```
        #[doc = concat!("use ", $import, ";")]
        #[doc = concat!("use ", $module, "::WeakValueDictionary;")]
        /// use weakref_core::{Header, Referent};
        ///
        /// #[derive(Referent)]
        /// struct Obj { header: Header }
        ///
        #[doc = concat!("let obj = || ", stringify!($ptr), "::new(Obj { header: Header::new() });")]
        /// let a = obj();
        /// let mut d = WeakValueDictionary::new();
        /// d.extend([(1, a.clone()), (2, obj())]);
        /// assert_eq!(d.len(), 1); // the second value died at once
        /// ```
        impl<K, V, S> Extend<(K, $ptr<V>)> for WeakValueDictionary<K, V, S, $family>
        where
            K: Hash + Eq,
            V: ?Sized + Referent,
            S: BuildHasher,
        {
            fn extend<I: IntoIterator<Item = (K, $ptr<V>)>>(&mut self, iter: I) {
                self.insert_all::<_, $ptr<V>, _>(iter);
            }
        }

        #[doc = concat!("Python's `update()` from borrowed values (`(K, &", stringify!($ptr), "<V>)`).")]
        ///
        /// ```
        #[doc = concat!("use ", $import, ";")]
        #[doc = concat!("use ", $module, "::WeakValueDictionary;")]
        /// use weakref_core::{Header, Referent};
        ///
        /// #[derive(Referent)]
        /// struct Obj { header: Header }
        ///
        #[doc = concat!("let a = ", stringify!($ptr), "::new(Obj { header: Header::new() });")]
        /// let mut d = WeakValueDictionary::new();
        /// d.extend([(1, &a), (2, &a)]);
        /// assert_eq!(d.len(), 2);
        /// ```
        impl<'a, K, V, S> Extend<(K, &'a $ptr<V>)> for WeakValueDictionary<K, V, S, $family>
        where
            K: Hash + Eq,
            V: ?Sized + Referent + 'a,
            S: BuildHasher,
        {
            fn extend<I: IntoIterator<Item = (K, &'a $ptr<V>)>>(&mut self, iter: I) {
                self.insert_all::<_, $ptr<V>, _>(iter);
            }
        }

        #[doc = concat!("Python's `WeakValueDictionary(pairs)`, from `(K, ", stringify!($ptr), "<V>)` pairs.")]
        ///
        /// ```
        #[doc = concat!("use ", $import, ";")]
        #[doc = concat!("use ", $module, "::WeakValueDictionary;")]
        /// use weakref_core::{Header, Referent};
        ///
        /// #[derive(Referent)]
        /// struct Obj { header: Header }
        ///
        #[doc = concat!("let a = ", stringify!($ptr), "::new(Obj { header: Header::new() });")]
        /// let d: WeakValueDictionary<u8, Obj> = [(1, a.clone())].into_iter().collect();
        /// assert!(d.contains_key(&1));
        /// ```
        impl<K, V, S> FromIterator<(K, $ptr<V>)> for WeakValueDictionary<K, V, S, $family>
        where
            K: Hash + Eq,
            V: ?Sized + Referent,
            S: BuildHasher + Default,
        {
            fn from_iter<I: IntoIterator<Item = (K, $ptr<V>)>>(iter: I) -> Self {
                let mut d = Self::default();
                d.extend(iter);
                d
            }
        }

        #[doc = concat!("Python's `WeakValueDictionary(pairs)`, from `(K, &", stringify!($ptr), "<V>)` pairs.")]
        ///
        /// ```
        #[doc = concat!("use ", $import, ";")]
        #[doc = concat!("use ", $module, "::WeakValueDictionary;")]
        /// use weakref_core::{Header, Referent};
        ///
        /// #[derive(Referent)]
        /// struct Obj { header: Header }
        ///
        #[doc = concat!("let a = ", stringify!($ptr), "::new(Obj { header: Header::new() });")]
        /// let d: WeakValueDictionary<u8, Obj> = [(1, &a)].into_iter().collect();
        /// assert!(d.contains_key(&1));
        /// ```
        impl<'a, K, V, S> FromIterator<(K, &'a $ptr<V>)> for WeakValueDictionary<K, V, S, $family>
        where
            K: Hash + Eq,
            V: ?Sized + Referent + 'a,
            S: BuildHasher + Default,
        {
            fn from_iter<I: IntoIterator<Item = (K, &'a $ptr<V>)>>(iter: I) -> Self {
                let mut d = Self::default();
                d.extend(iter);
                d
            }
        }
    };
}

from_pairs!(ArcFamily, Arc, "std::sync::Arc", "weakref_collections");
from_pairs!(RcFamily, Rc, "std::rc::Rc", "weakref_collections::rc");

impl<K, V, S, F> WeakValueDictionary<K, V, S, F>
where
    K: Hash + Eq,
    V: ?Sized + Referent,
    S: BuildHasher,
    F: Family,
{
    /// `extend` for either family and either form of value: inserts every
    /// pair, then drops the entries of values that died meanwhile (an owned
    /// value passed in may have been its object's last strong pointer).
    fn insert_all<P, Q, I>(&mut self, iter: I)
    where
        P: core::borrow::Borrow<Q>,
        Q: StrongRef<V, Family = F>,
        I: IntoIterator<Item = (K, P)>,
    {
        for (key, value) in iter {
            self.insert(key, value.borrow());
        }
        self.table.collect();
    }
}

/// `for (key, value) in &d`: the live entries.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakValueDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent)] struct Obj { header: Header }
/// let a = Arc::new(Obj { header: Header::new() });
/// let mut d = WeakValueDictionary::new();
/// d.insert(1, &a);
/// let mut n = 0;
/// for (key, _value) in &d { n += key; }
/// assert_eq!(n, 1);
/// ```
impl<'a, K, V: ?Sized + Referent, S, F: Family> IntoIterator
    for &'a WeakValueDictionary<K, V, S, F>
{
    type Item = (&'a K, F::Strong<V>);
    type IntoIter = Iter<'a, K, V, F>;

    fn into_iter(self) -> Iter<'a, K, V, F> {
        self.iter()
    }
}

/// Python 3.9's `d1 | d2`: a new dictionary of the live entries of both
/// (keys cloned); for a key in both, the value of the right side. The
/// result has the left side's hasher.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakValueDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent)] struct Obj { header: Header }
/// # fn obj() -> Arc<Obj> { Arc::new(Obj { header: Header::new() }) }
/// let (a, b) = (obj(), obj());
/// let left: WeakValueDictionary<u8, Obj> = [(1, &a)].into_iter().collect();
/// let right: WeakValueDictionary<u8, Obj> = [(1, &b), (2, &a)].into_iter().collect();
/// let union = &left | &right;
/// assert!(union.len() == 2 && Arc::ptr_eq(&union.get(&1).unwrap(), &b));
/// ```
impl<K, V, S, S2, F> BitOr<&WeakValueDictionary<K, V, S2, F>> for &WeakValueDictionary<K, V, S, F>
where
    K: Hash + Eq + Clone,
    V: ?Sized + Referent,
    S: BuildHasher + Clone,
    F: Family,
{
    type Output = WeakValueDictionary<K, V, S, F>;

    fn bitor(self, other: &WeakValueDictionary<K, V, S2, F>) -> Self::Output {
        let mut union = self.clone();
        union |= other;
        union
    }
}

/// Python 3.9's `d1 |= d2`: maps each key of `d2`'s live entries (cloned)
/// to its value. For pairs from elsewhere, use [`extend`](Extend::extend)
/// (Python's `d |= pairs`).
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakValueDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent)] struct Obj { header: Header }
/// # fn obj() -> Arc<Obj> { Arc::new(Obj { header: Header::new() }) }
/// let (a, b) = (obj(), obj());
/// let mut d: WeakValueDictionary<u8, Obj> = [(1, &a)].into_iter().collect();
/// let other: WeakValueDictionary<u8, Obj> = [(1, &b)].into_iter().collect();
/// d |= &other;
/// assert!(Arc::ptr_eq(&d.get(&1).unwrap(), &b));
/// ```
impl<K, V, S, S2, F> BitOrAssign<&WeakValueDictionary<K, V, S2, F>>
    for WeakValueDictionary<K, V, S, F>
where
    K: Hash + Eq + Clone,
    V: ?Sized + Referent,
    S: BuildHasher,
    F: Family,
{
    fn bitor_assign(&mut self, other: &WeakValueDictionary<K, V, S2, F>) {
        self.insert_all::<_, F::Strong<V>, _>(
            other.iter().map(|(key, value)| (key.clone(), value)),
        );
    }
}
