//! The std traits of [`WeakKeyDictionary`]: indexing, `Clone` (Python's
//! `copy()`), `Debug`, `PartialEq`, `Extend` (`update()`), `FromIterator`,
//! `IntoIterator`.

use crate::sync::Arc;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::ops::Index;

use weakref_core::Referent;

use super::{Iter, IterMut, WeakKeyDictionary};

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
impl<K, V, S> Index<&K> for WeakKeyDictionary<K, V, S>
where
    K: ?Sized + Referent + Hash + Eq,
    S: BuildHasher,
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
impl<K: ?Sized + Referent, V: Clone, S: Clone> Clone for WeakKeyDictionary<K, V, S> {
    fn clone(&self) -> Self {
        WeakKeyDictionary {
            table: self.table.clone_live(V::clone),
            hash_builder: self.hash_builder.clone(),
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
impl<K: ?Sized + Referent, V, S: Default> Default for WeakKeyDictionary<K, V, S> {
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
impl<K: ?Sized + Referent + fmt::Debug, V: fmt::Debug, S> fmt::Debug
    for WeakKeyDictionary<K, V, S>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Python's `==`: the same live keys mapping to equal values.
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
impl<K, V, S> PartialEq for WeakKeyDictionary<K, V, S>
where
    K: ?Sized + Referent + Hash + Eq,
    V: PartialEq,
    S: BuildHasher,
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

/// Python's `update()`: inserts every pair. A key whose only strong
/// reference was the one passed in dies at once, and its entry with it.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakKeyDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { id: u32, header: Header }
/// # fn key(id: u32) -> Arc<Key> { Arc::new(Key { id, header: Header::new() }) }
/// let a = key(1);
/// let mut d = WeakKeyDictionary::new();
/// d.extend([(a.clone(), 1), (key(2), 2)]);
/// assert_eq!(d.len(), 1); // key 2 died at once
/// ```
impl<K, V, S> Extend<(Arc<K>, V)> for WeakKeyDictionary<K, V, S>
where
    K: ?Sized + Referent + Hash + Eq,
    S: BuildHasher,
{
    fn extend<I: IntoIterator<Item = (Arc<K>, V)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.insert(&key, value);
        }
        self.table.collect();
    }
}

/// Python's `update()` from borrowed keys.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakKeyDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { id: u32, header: Header }
/// # fn key(id: u32) -> Arc<Key> { Arc::new(Key { id, header: Header::new() }) }
/// let (a, b) = (key(1), key(2));
/// let mut d = WeakKeyDictionary::new();
/// d.extend([(&a, 1), (&b, 2), (&a, 3)]);
/// assert_eq!((d.len(), d[&a]), (2, 3));
/// ```
impl<'a, K, V, S> Extend<(&'a Arc<K>, V)> for WeakKeyDictionary<K, V, S>
where
    K: ?Sized + Referent + Hash + Eq + 'a,
    S: BuildHasher,
{
    fn extend<I: IntoIterator<Item = (&'a Arc<K>, V)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.insert(key, value);
        }
    }
}

/// Python's `WeakKeyDictionary(pairs)`.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakKeyDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
/// let k = Arc::new(Key { header: Header::new() });
/// let d: WeakKeyDictionary<Key, u8> = [(k.clone(), 1)].into_iter().collect();
/// assert_eq!(d[&k], 1);
/// ```
impl<K, V, S> FromIterator<(Arc<K>, V)> for WeakKeyDictionary<K, V, S>
where
    K: ?Sized + Referent + Hash + Eq,
    S: BuildHasher + Default,
{
    fn from_iter<I: IntoIterator<Item = (Arc<K>, V)>>(iter: I) -> Self {
        let mut d = Self::default();
        d.extend(iter);
        d
    }
}

/// Python's `WeakKeyDictionary(pairs)` from borrowed keys.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakKeyDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
/// let k = Arc::new(Key { header: Header::new() });
/// let d: WeakKeyDictionary<Key, u8> = [(&k, 1)].into_iter().collect();
/// assert_eq!(d[&k], 1);
/// ```
impl<'a, K, V, S> FromIterator<(&'a Arc<K>, V)> for WeakKeyDictionary<K, V, S>
where
    K: ?Sized + Referent + Hash + Eq + 'a,
    S: BuildHasher + Default,
{
    fn from_iter<I: IntoIterator<Item = (&'a Arc<K>, V)>>(iter: I) -> Self {
        let mut d = Self::default();
        d.extend(iter);
        d
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
impl<'a, K: ?Sized + Referent, V, S> IntoIterator for &'a WeakKeyDictionary<K, V, S> {
    type Item = (Arc<K>, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
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
impl<'a, K: ?Sized + Referent, V, S> IntoIterator for &'a mut WeakKeyDictionary<K, V, S> {
    type Item = (Arc<K>, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;

    fn into_iter(self) -> IterMut<'a, K, V> {
        self.iter_mut()
    }
}
