//! The std traits of [`WeakSet`]: `Clone` (Python's `copy()`), `Debug`,
//! `PartialEq`, `Extend` (`update()`), `FromIterator`, `IntoIterator`, the
//! set operators (`|`, `&`, `^`, `-` and their assigning forms), and the
//! iterator.

use crate::sync::Arc;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::iter::FusedIterator;
use core::ops::{BitAnd, BitAndAssign, BitOr, BitOrAssign, BitXor, BitXorAssign, Sub, SubAssign};

use weakref_core::Referent;

use super::WeakSet;
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
impl<T: ?Sized + Referent, S: Clone> Clone for WeakSet<T, S> {
    fn clone(&self) -> Self {
        WeakSet {
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
impl<T: ?Sized + Referent, S: Default> Default for WeakSet<T, S> {
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
impl<T: ?Sized + Referent + fmt::Debug, S> fmt::Debug for WeakSet<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// Python's `==` between weak sets: the same live elements.
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
impl<T, S> PartialEq for WeakSet<T, S>
where
    T: ?Sized + Referent + Hash + Eq,
    S: BuildHasher,
{
    fn eq(&self, other: &Self) -> bool {
        self.map == other.map
    }
}

/// Python's `update()`. An element whose only strong reference was the one
/// passed in dies at once.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakSet;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
/// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
/// let a = obj(1);
/// let mut s = WeakSet::new();
/// s.extend([a.clone(), obj(2)]);
/// assert_eq!(s.len(), 1);
/// ```
impl<T, S> Extend<Arc<T>> for WeakSet<T, S>
where
    T: ?Sized + Referent + Hash + Eq,
    S: BuildHasher,
{
    fn extend<I: IntoIterator<Item = Arc<T>>>(&mut self, iter: I) {
        self.map
            .extend(iter.into_iter().map(|element| (element, ())));
    }
}

/// Python's `update()` from borrowed elements.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakSet;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { n: u8, header: Header }
/// # fn obj(n: u8) -> Arc<Obj> { Arc::new(Obj { n, header: Header::new() }) }
/// let (a, b) = (obj(1), obj(2));
/// let mut s = WeakSet::new();
/// s.extend([&a, &b, &a]);
/// assert_eq!(s.len(), 2);
/// ```
impl<'a, T, S> Extend<&'a Arc<T>> for WeakSet<T, S>
where
    T: ?Sized + Referent + Hash + Eq + 'a,
    S: BuildHasher,
{
    fn extend<I: IntoIterator<Item = &'a Arc<T>>>(&mut self, iter: I) {
        self.map
            .extend(iter.into_iter().map(|element| (element, ())));
    }
}

/// Python's `WeakSet(elements)`.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakSet;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { header: Header }
/// let a = Arc::new(Obj { header: Header::new() });
/// let s: WeakSet<Obj> = [a.clone()].into_iter().collect();
/// assert!(s.contains(&a));
/// ```
impl<T, S> FromIterator<Arc<T>> for WeakSet<T, S>
where
    T: ?Sized + Referent + Hash + Eq,
    S: BuildHasher + Default,
{
    fn from_iter<I: IntoIterator<Item = Arc<T>>>(iter: I) -> Self {
        let mut s = Self::default();
        s.extend(iter);
        s
    }
}

/// Python's `WeakSet(elements)` from borrowed elements.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakSet;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Obj { header: Header }
/// let a = Arc::new(Obj { header: Header::new() });
/// let s: WeakSet<Obj> = [&a].into_iter().collect();
/// assert!(s.contains(&a));
/// ```
impl<'a, T, S> FromIterator<&'a Arc<T>> for WeakSet<T, S>
where
    T: ?Sized + Referent + Hash + Eq + 'a,
    S: BuildHasher + Default,
{
    fn from_iter<I: IntoIterator<Item = &'a Arc<T>>>(iter: I) -> Self {
        let mut s = Self::default();
        s.extend(iter);
        s
    }
}

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
impl<'a, T: ?Sized + Referent, S> IntoIterator for &'a WeakSet<T, S> {
    type Item = Arc<T>;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

macro_rules! operator {
    ($(#[$doc:meta])* $op:ident, $method:ident, $set_method:ident) => {
        $(#[$doc])*
        impl<T, S> $op<&WeakSet<T, S>> for &WeakSet<T, S>
        where
            T: ?Sized + Referent + Hash + Eq,
            S: BuildHasher + Clone,
        {
            type Output = WeakSet<T, S>;

            fn $method(self, other: &WeakSet<T, S>) -> WeakSet<T, S> {
                self.$set_method(other)
            }
        }
    };
}

operator! {
    /// `&a | &b`: [`union`](WeakSet::union).
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
    /// `&a & &b`: [`intersection`](WeakSet::intersection).
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
    /// `&a ^ &b`: [`symmetric_difference`](WeakSet::symmetric_difference).
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
    /// `&a - &b`: [`difference`](WeakSet::difference).
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
impl<T, S, S2> BitOrAssign<&WeakSet<T, S2>> for WeakSet<T, S>
where
    T: ?Sized + Referent + Hash + Eq,
    S: BuildHasher,
{
    fn bitor_assign(&mut self, other: &WeakSet<T, S2>) {
        self.extend(other);
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
impl<T, S, S2> BitAndAssign<&WeakSet<T, S2>> for WeakSet<T, S>
where
    T: ?Sized + Referent + Hash + Eq,
    S: BuildHasher,
    S2: BuildHasher,
{
    fn bitand_assign(&mut self, other: &WeakSet<T, S2>) {
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
impl<T, S, S2> SubAssign<&WeakSet<T, S2>> for WeakSet<T, S>
where
    T: ?Sized + Referent + Hash + Eq,
    S: BuildHasher,
    S2: BuildHasher,
{
    fn sub_assign(&mut self, other: &WeakSet<T, S2>) {
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
impl<T, S, S2> BitXorAssign<&WeakSet<T, S2>> for WeakSet<T, S>
where
    T: ?Sized + Referent + Hash + Eq,
    S: BuildHasher,
    S2: BuildHasher,
{
    fn bitxor_assign(&mut self, other: &WeakSet<T, S2>) {
        for element in other {
            if !self.remove(&element) {
                self.insert(&element);
            }
        }
    }
}

/// Iterator over the live elements of a [`WeakSet`], from
/// [`iter`](WeakSet::iter).
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
pub struct Iter<'a, T: ?Sized + Referent> {
    pub(super) inner: weak_key_dictionary::Keys<'a, T, ()>,
}

impl<T: ?Sized + Referent> Iterator for Iter<'_, T> {
    type Item = Arc<T>;

    fn next(&mut self) -> Option<Arc<T>> {
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T: ?Sized + Referent> FusedIterator for Iter<'_, T> {}

impl<T: ?Sized + Referent> fmt::Debug for Iter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Iter").field(&self.inner).finish()
    }
}
