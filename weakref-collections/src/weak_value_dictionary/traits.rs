//! The std traits of [`WeakValueDictionary`]: `Clone` (Python's `copy()`),
//! `Debug`, `PartialEq`, `Extend` (`update()`), `FromIterator`,
//! `IntoIterator`.

use crate::sync::Arc;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use weakref_core::Referent;

use super::{Iter, WeakValueDictionary};

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
impl<K: Clone, V: ?Sized + Referent, S: Clone> Clone for WeakValueDictionary<K, V, S> {
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
impl<K, V: ?Sized + Referent, S: Default> Default for WeakValueDictionary<K, V, S> {
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
impl<K: fmt::Debug, V: ?Sized + Referent + fmt::Debug, S> fmt::Debug
    for WeakValueDictionary<K, V, S>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
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
impl<K, V, S> PartialEq for WeakValueDictionary<K, V, S>
where
    K: Hash + Eq,
    V: ?Sized + Referent + PartialEq,
    S: BuildHasher,
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

/// Python's `update()`: inserts every pair. A value whose only strong
/// reference was the one passed in dies at once, and its entry with it.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakValueDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent)] struct Obj { header: Header }
/// let a = Arc::new(Obj { header: Header::new() });
/// let mut d = WeakValueDictionary::new();
/// d.extend([(1, a.clone()), (2, Arc::new(Obj { header: Header::new() }))]);
/// assert_eq!(d.len(), 1); // the second value died at once
/// ```
impl<K, V, S> Extend<(K, Arc<V>)> for WeakValueDictionary<K, V, S>
where
    K: Hash + Eq,
    V: ?Sized + Referent,
    S: BuildHasher,
{
    fn extend<I: IntoIterator<Item = (K, Arc<V>)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.insert(key, &value);
        }
        self.table.collect();
    }
}

/// Python's `update()` from borrowed values.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakValueDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent)] struct Obj { header: Header }
/// let a = Arc::new(Obj { header: Header::new() });
/// let mut d = WeakValueDictionary::new();
/// d.extend([(1, &a), (2, &a)]);
/// assert_eq!(d.len(), 2);
/// ```
impl<'a, K, V, S> Extend<(K, &'a Arc<V>)> for WeakValueDictionary<K, V, S>
where
    K: Hash + Eq,
    V: ?Sized + Referent + 'a,
    S: BuildHasher,
{
    fn extend<I: IntoIterator<Item = (K, &'a Arc<V>)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.insert(key, value);
        }
    }
}

/// Python's `WeakValueDictionary(pairs)`.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakValueDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent)] struct Obj { header: Header }
/// let a = Arc::new(Obj { header: Header::new() });
/// let d: WeakValueDictionary<_, _> = [(1, a.clone())].into_iter().collect();
/// assert!(d.contains_key(&1));
/// ```
impl<K, V, S> FromIterator<(K, Arc<V>)> for WeakValueDictionary<K, V, S>
where
    K: Hash + Eq,
    V: ?Sized + Referent,
    S: BuildHasher + Default,
{
    fn from_iter<I: IntoIterator<Item = (K, Arc<V>)>>(iter: I) -> Self {
        let mut d = Self::default();
        d.extend(iter);
        d
    }
}

/// Python's `WeakValueDictionary(pairs)` from borrowed values.
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakValueDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent)] struct Obj { header: Header }
/// let a = Arc::new(Obj { header: Header::new() });
/// let d: WeakValueDictionary<_, _> = [(1, &a)].into_iter().collect();
/// assert!(d.contains_key(&1));
/// ```
impl<'a, K, V, S> FromIterator<(K, &'a Arc<V>)> for WeakValueDictionary<K, V, S>
where
    K: Hash + Eq,
    V: ?Sized + Referent + 'a,
    S: BuildHasher + Default,
{
    fn from_iter<I: IntoIterator<Item = (K, &'a Arc<V>)>>(iter: I) -> Self {
        let mut d = Self::default();
        d.extend(iter);
        d
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
impl<'a, K, V: ?Sized + Referent, S> IntoIterator for &'a WeakValueDictionary<K, V, S> {
    type Item = (&'a K, Arc<V>);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}
