//! The std traits of [`WeakKeySet`], written once for both key modes and
//! both pointer families: `Clone` (Python's `copy()`), `Debug`,
//! `PartialEq` and `PartialOrd` (Python's set comparisons), `Extend`
//! (`update()`), `FromIterator`, `IntoIterator`, the set operators (`|`,
//! `&`, `^`, `-` and their assigning forms), and the iterator. `Extend` and
//! `FromIterator` are stamped out per family by a macro (see the weak-keyed
//! map's traits for why).

use core::cmp::Ordering;
use core::fmt;
use core::hash::BuildHasher;
use core::iter::FusedIterator;
use core::ops::{BitAnd, BitAndAssign, BitOr, BitOrAssign, BitXor, BitXorAssign, Sub, SubAssign};
use std::rc::Rc;

use weakref_core::{ArcFamily, Family, RcFamily, Referent};

use super::WeakKeySet;
use crate::key_mode::KeyMode;
use crate::sync::Arc;
use crate::weak_key_dictionary;

/// Python's `copy()`: a new set of the live elements.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakSet;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { header: Header }
/// let a = Arc::new(Obj { header: Header::new() });
/// let mut s = WeakSet::new();
/// s.insert(&a);
/// let copy = s.clone();
/// s.clear();
/// assert!(copy.contains(&a));
/// ```
impl<T, S, F, M> Clone for WeakKeySet<T, S, F, M>
where
    T: ?Sized + Referent,
    S: Clone,
    F: Family,
{
    fn clone(&self) -> Self {
        WeakKeySet {
            map: self.map.clone(),
        }
    }
}

/// An empty set.
///
/// ```
/// # use weakref_collections::WeakSet;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { header: Header }
/// let s: WeakSet<Obj> = Default::default();
/// assert!(s.is_empty());
/// ```
impl<T: ?Sized + Referent, S: Default, F: Family, M> Default for WeakKeySet<T, S, F, M> {
    fn default() -> Self {
        Self::with_hasher(S::default())
    }
}

/// Like a set of the live elements: `{Obj { .. }}`. Python's repr is not used.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakSet;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash, Debug)] struct Obj { n: u8, #[referent(header)] h: Header }
/// let a = Arc::new(Obj { n: 1, h: Header::new() });
/// let mut s = WeakSet::new();
/// s.insert(&a);
/// assert!(format!("{s:?}").starts_with("{Obj { n: 1"));
/// ```
impl<T: ?Sized + Referent + fmt::Debug, S, F: Family, M> fmt::Debug for WeakKeySet<T, S, F, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut set = f.debug_set();
        for element in self {
            set.entry(&&*element);
        }
        set.finish()
    }
}

/// Python's `==` between weak sets: the same live elements (equal ones by
/// value, the same objects by identity).
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
/// assert!(s1 != s2);
/// drop(b);
/// assert!(s1 == s2);
/// ```
impl<T, S, F, M> PartialEq for WeakKeySet<T, S, F, M>
where
    T: ?Sized + Referent,
    S: BuildHasher,
    F: Family,
    M: KeyMode<T>,
{
    fn eq(&self, other: &Self) -> bool {
        self.map == other.map
    }
}

/// Python's set order: `a < b` when `a` is a proper subset of `b`, `a <= b`
/// a subset; two sets neither of which contains the other are unordered
/// (`partial_cmp` is `None`, and `<`, `<=`, `>`, `>=` are all `false`).
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakSet;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
/// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
/// let (a, b, c) = (obj(1), obj(2), obj(3));
/// let ab: WeakSet<Obj> = [&a, &b].into_iter().collect();
/// let abc: WeakSet<Obj> = [&a, &b, &c].into_iter().collect();
/// let c_only: WeakSet<Obj> = [&c].into_iter().collect();
/// assert!(ab < abc && ab <= abc && abc > ab && !(ab < ab) && ab <= ab);
/// assert!(!(ab < c_only) && !(ab > c_only) && ab.partial_cmp(&c_only).is_none());
/// ```
impl<T, S, F, M> PartialOrd for WeakKeySet<T, S, F, M>
where
    T: ?Sized + Referent,
    S: BuildHasher,
    F: Family,
    M: KeyMode<T>,
{
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.compare(other)
    }
}

macro_rules! from_elements {
    ($family:ident, $ptr:ident, $import:literal, $module:literal) => {
        #[doc = concat!("Python's `update()` from `", stringify!($ptr), "<T>` elements. An element whose")]
        /// only strong reference was the one passed in dies at once.
        ///
        /// ```
        #[doc = concat!("use ", $import, ";")]
        #[doc = concat!("use ", $module, "::WeakSet;")]
        /// use weakref_core::{Header, Referent};
        ///
        /// #[derive(Referent, PartialEq, Eq, Hash)]
        /// struct Obj { n: u8, header: Header }
        ///
        #[doc = concat!("let obj = |n| ", stringify!($ptr), "::new(Obj { n, header: Header::new() });")]
        /// let a = obj(1);
        /// let mut s = WeakSet::new();
        /// s.extend([a.clone(), obj(2)]);
        /// assert_eq!(s.len(), 1);
        /// ```
        impl<T, S, M> Extend<$ptr<T>> for WeakKeySet<T, S, $family, M>
        where
            T: ?Sized + Referent,
            S: BuildHasher,
            M: KeyMode<T>,
        {
            fn extend<I: IntoIterator<Item = $ptr<T>>>(&mut self, iter: I) {
                self.map.extend(iter.into_iter().map(|element| (element, ())));
            }
        }

        #[doc = concat!("Python's `update()` from borrowed elements (`&", stringify!($ptr), "<T>`).")]
        ///
        /// ```
        #[doc = concat!("use ", $import, ";")]
        #[doc = concat!("use ", $module, "::WeakIdentitySet;")]
        /// use weakref_core::{Header, Referent};
        ///
        /// #[derive(Referent)]
        /// struct Obj { header: Header }
        ///
        #[doc = concat!("let obj = || ", stringify!($ptr), "::new(Obj { header: Header::new() });")]
        /// let (a, b) = (obj(), obj());
        /// let mut s = WeakIdentitySet::new();
        /// s.extend([&a, &b, &a]);
        /// assert_eq!(s.len(), 2);
        /// ```
        impl<'a, T, S, M> Extend<&'a $ptr<T>> for WeakKeySet<T, S, $family, M>
        where
            T: ?Sized + Referent + 'a,
            S: BuildHasher,
            M: KeyMode<T>,
        {
            fn extend<I: IntoIterator<Item = &'a $ptr<T>>>(&mut self, iter: I) {
                self.map.extend(iter.into_iter().map(|element| (element, ())));
            }
        }

        #[doc = concat!("Python's `WeakSet(elements)`, from `", stringify!($ptr), "<T>` elements.")]
        ///
        /// ```
        #[doc = concat!("use ", $import, ";")]
        #[doc = concat!("use ", $module, "::WeakSet;")]
        /// use weakref_core::{Header, Referent};
        ///
        /// #[derive(Referent, PartialEq, Eq, Hash)]
        /// struct Obj { header: Header }
        ///
        #[doc = concat!("let a = ", stringify!($ptr), "::new(Obj { header: Header::new() });")]
        /// let s: WeakSet<Obj> = [a.clone()].into_iter().collect();
        /// assert!(s.contains(&a));
        /// ```
        impl<T, S, M> FromIterator<$ptr<T>> for WeakKeySet<T, S, $family, M>
        where
            T: ?Sized + Referent,
            S: BuildHasher + Default,
            M: KeyMode<T>,
        {
            fn from_iter<I: IntoIterator<Item = $ptr<T>>>(iter: I) -> Self {
                let mut s = Self::default();
                s.extend(iter);
                s
            }
        }

        #[doc = concat!("Python's `WeakSet(elements)`, from borrowed elements (`&", stringify!($ptr), "<T>`).")]
        ///
        /// ```
        #[doc = concat!("use ", $import, ";")]
        #[doc = concat!("use ", $module, "::WeakIdentitySet;")]
        /// use weakref_core::{Header, Referent};
        ///
        /// #[derive(Referent)]
        /// struct Obj { header: Header }
        ///
        #[doc = concat!("let a = ", stringify!($ptr), "::new(Obj { header: Header::new() });")]
        /// let s: WeakIdentitySet<Obj> = [&a].into_iter().collect();
        /// assert!(s.contains(&a));
        /// ```
        impl<'a, T, S, M> FromIterator<&'a $ptr<T>> for WeakKeySet<T, S, $family, M>
        where
            T: ?Sized + Referent + 'a,
            S: BuildHasher + Default,
            M: KeyMode<T>,
        {
            fn from_iter<I: IntoIterator<Item = &'a $ptr<T>>>(iter: I) -> Self {
                let mut s = Self::default();
                s.extend(iter);
                s
            }
        }
    };
}

from_elements!(ArcFamily, Arc, "std::sync::Arc", "weakref_collections");
from_elements!(RcFamily, Rc, "std::rc::Rc", "weakref_collections::rc");

/// `for element in &s`: the live elements.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakSet;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
/// let a = Arc::new(Obj { n: 4, header: Header::new() });
/// let s: WeakSet<Obj> = [&a].into_iter().collect();
/// let mut sum = 0;
/// for element in &s { sum += element.n; }
/// assert_eq!(sum, 4);
/// ```
impl<'a, T: ?Sized + Referent, S, F: Family, M> IntoIterator for &'a WeakKeySet<T, S, F, M> {
    type Item = F::Strong<T>;
    type IntoIter = Iter<'a, T, F>;

    fn into_iter(self) -> Iter<'a, T, F> {
        self.iter()
    }
}

macro_rules! operator {
    ($(#[$doc:meta])* $op:ident, $method:ident, $set_method:ident) => {
        $(#[$doc])*
        impl<T, S, F, M> $op<&WeakKeySet<T, S, F, M>> for &WeakKeySet<T, S, F, M>
        where
            T: ?Sized + Referent,
            S: BuildHasher + Clone,
            F: Family,
            M: KeyMode<T>,
        {
            type Output = WeakKeySet<T, S, F, M>;

            fn $method(self, other: &WeakKeySet<T, S, F, M>) -> WeakKeySet<T, S, F, M> {
                self.$set_method(other)
            }
        }
    };
}

operator! {
    /// `&a | &b`: [`union`](crate::WeakKeySet::union).
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
    /// assert_eq!((&s1 | &s2).len(), 2);
    /// ```
    BitOr, bitor, union
}

operator! {
    /// `&a & &b`: [`intersection`](crate::WeakKeySet::intersection).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
    /// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
    /// let (a, b) = (obj(1), obj(2));
    /// let s1: WeakSet<Obj> = [&a, &b].into_iter().collect();
    /// let s2: WeakSet<Obj> = [&b].into_iter().collect();
    /// assert!((&s1 & &s2) == s2);
    /// ```
    BitAnd, bitand, intersection
}

operator! {
    /// `&a ^ &b`: [`symmetric_difference`](crate::WeakKeySet::symmetric_difference).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
    /// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
    /// let (a, b) = (obj(1), obj(2));
    /// let s1: WeakSet<Obj> = [&a, &b].into_iter().collect();
    /// let s2: WeakSet<Obj> = [&b].into_iter().collect();
    /// assert_eq!((&s1 ^ &s2).len(), 1);
    /// ```
    BitXor, bitxor, symmetric_difference
}

operator! {
    /// `&a - &b`: [`difference`](crate::WeakKeySet::difference).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakSet;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
    /// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
    /// let (a, b) = (obj(1), obj(2));
    /// let s1: WeakSet<Obj> = [&a, &b].into_iter().collect();
    /// let s2: WeakSet<Obj> = [&b].into_iter().collect();
    /// assert!((&s1 - &s2).contains(&a));
    /// ```
    Sub, sub, difference
}

/// `a |= &b`: Python's `update` / `|=`.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakSet;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
/// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
/// let (a, b) = (obj(1), obj(2));
/// let mut s1: WeakSet<Obj> = [&a].into_iter().collect();
/// let other: WeakSet<Obj> = [&b].into_iter().collect();
/// s1 |= &other;
/// assert_eq!(s1.len(), 2);
/// ```
impl<T, S, S2, F, M> BitOrAssign<&WeakKeySet<T, S2, F, M>> for WeakKeySet<T, S, F, M>
where
    T: ?Sized + Referent,
    S: BuildHasher,
    F: Family,
    M: KeyMode<T>,
{
    fn bitor_assign(&mut self, other: &WeakKeySet<T, S2, F, M>) {
        self.map
            .insert_all::<_, F::Strong<T>, _>(other.iter().map(|element| (element, ())));
    }
}

/// `a &= &b`: Python's `intersection_update` / `&=`.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakSet;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
/// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
/// let (a, b) = (obj(1), obj(2));
/// let mut s1: WeakSet<Obj> = [&a, &b].into_iter().collect();
/// let other: WeakSet<Obj> = [&b].into_iter().collect();
/// s1 &= &other;
/// assert!(s1.len() == 1 && s1.contains(&b));
/// ```
impl<T, S, S2, F, M> BitAndAssign<&WeakKeySet<T, S2, F, M>> for WeakKeySet<T, S, F, M>
where
    T: ?Sized + Referent,
    S: BuildHasher,
    S2: BuildHasher,
    F: Family,
    M: KeyMode<T>,
{
    fn bitand_assign(&mut self, other: &WeakKeySet<T, S2, F, M>) {
        self.retain(|element| other.contains(element));
    }
}

/// `a -= &b`: Python's `difference_update` / `-=`.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakSet;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
/// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
/// let (a, b) = (obj(1), obj(2));
/// let mut s1: WeakSet<Obj> = [&a, &b].into_iter().collect();
/// let other: WeakSet<Obj> = [&b].into_iter().collect();
/// s1 -= &other;
/// assert!(s1.len() == 1 && s1.contains(&a));
/// ```
impl<T, S, S2, F, M> SubAssign<&WeakKeySet<T, S2, F, M>> for WeakKeySet<T, S, F, M>
where
    T: ?Sized + Referent,
    S: BuildHasher,
    S2: BuildHasher,
    F: Family,
    M: KeyMode<T>,
{
    fn sub_assign(&mut self, other: &WeakKeySet<T, S2, F, M>) {
        self.retain(|element| !other.contains(element));
    }
}

/// `a ^= &b`: Python's `symmetric_difference_update` / `^=`.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakSet;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
/// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
/// let (a, b, c) = (obj(1), obj(2), obj(3));
/// let mut s1: WeakSet<Obj> = [&a, &b].into_iter().collect();
/// let other: WeakSet<Obj> = [&b, &c].into_iter().collect();
/// s1 ^= &other;
/// assert!(s1.len() == 2 && s1.contains(&a) && s1.contains(&c));
/// ```
impl<T, S, S2, F, M> BitXorAssign<&WeakKeySet<T, S2, F, M>> for WeakKeySet<T, S, F, M>
where
    T: ?Sized + Referent,
    S: BuildHasher,
    S2: BuildHasher,
    F: Family,
    M: KeyMode<T>,
{
    fn bitxor_assign(&mut self, other: &WeakKeySet<T, S2, F, M>) {
        for element in other {
            if !self.remove(&element) {
                self.insert(&element);
            }
        }
    }
}

/// Iterator over the live elements of a [`WeakSet`](crate::WeakSet), from
/// [`iter`](crate::WeakKeySet::iter).
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakSet;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { header: Header }
/// let a = Arc::new(Obj { header: Header::new() });
/// let s: WeakSet<Obj> = [&a].into_iter().collect();
/// let mut it = s.iter();
/// assert!(it.next().is_some() && it.next().is_none());
/// ```
pub struct Iter<'a, T: ?Sized + Referent, F: Family = ArcFamily> {
    pub(super) inner: weak_key_dictionary::Keys<'a, T, (), F>,
}

impl<T: ?Sized + Referent, F: Family> Iterator for Iter<'_, T, F> {
    type Item = F::Strong<T>;

    fn next(&mut self) -> Option<F::Strong<T>> {
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T: ?Sized + Referent, F: Family> FusedIterator for Iter<'_, T, F> {}

impl<T: ?Sized + Referent, F: Family> fmt::Debug for Iter<'_, T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Iter").field(&self.inner).finish()
    }
}
