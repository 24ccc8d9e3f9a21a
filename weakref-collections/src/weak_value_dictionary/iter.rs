//! The iterators of [`WeakValueDictionary`](super::WeakValueDictionary).

use core::fmt;
use core::iter::FusedIterator;

use hashbrown::hash_table;
use weakref_core::{ArcFamily, Family, Referent};

use crate::table::Entry;

/// Iterator over the live entries of a [`WeakValueDictionary`](super::WeakValueDictionary), from
/// [`iter`](super::WeakValueDictionary::iter).
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakValueDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent)] struct Obj { header: Header }
/// let a = Arc::new(Obj { header: Header::new() });
/// let mut d = WeakValueDictionary::new();
/// d.insert(1, &a);
/// let mut it = d.iter();
/// assert_eq!(it.next().map(|(k, _)| *k), Some(1));
/// assert!(it.next().is_none());
/// ```
pub struct Iter<'a, K, V: ?Sized + Referent, F: Family = ArcFamily> {
    pub(super) inner: hash_table::Iter<'a, Entry<V, K, F>>,
}

impl<'a, K, V: ?Sized + Referent, F: Family> Iterator for Iter<'a, K, V, F> {
    type Item = (&'a K, F::Strong<V>);

    fn next(&mut self) -> Option<Self::Item> {
        self.inner
            .by_ref()
            .find_map(|entry| Some((&entry.data, entry.weak.get()?)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.inner.len()))
    }
}

impl<K, V: ?Sized + Referent, F: Family> FusedIterator for Iter<'_, K, V, F> {}

impl<K, V: ?Sized + Referent, F: Family> Clone for Iter<'_, K, V, F> {
    fn clone(&self) -> Self {
        Iter {
            inner: self.inner.clone(),
        }
    }
}

impl<K, V: ?Sized + Referent, F: Family> fmt::Debug for Iter<'_, K, V, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter")
            .field("remaining_entries", &self.inner.len())
            .finish()
    }
}

/// Iterator over the keys of the live entries, from
/// [`keys`](super::WeakValueDictionary::keys).
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakValueDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent)] struct Obj { header: Header }
/// let a = Arc::new(Obj { header: Header::new() });
/// let mut d = WeakValueDictionary::new();
/// d.insert("a", &a);
/// assert_eq!(d.keys().copied().collect::<Vec<_>>(), ["a"]);
/// ```
pub struct Keys<'a, K, V: ?Sized + Referent, F: Family = ArcFamily> {
    pub(super) inner: hash_table::Iter<'a, Entry<V, K, F>>,
}

impl<'a, K, V: ?Sized + Referent, F: Family> Iterator for Keys<'a, K, V, F> {
    type Item = &'a K;

    fn next(&mut self) -> Option<&'a K> {
        self.inner
            .by_ref()
            .find(|entry| entry.weak.is_alive())
            .map(|entry| &entry.data)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.inner.len()))
    }
}

impl<K, V: ?Sized + Referent, F: Family> FusedIterator for Keys<'_, K, V, F> {}

impl<K, V: ?Sized + Referent, F: Family> fmt::Debug for Keys<'_, K, V, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys")
            .field("remaining_entries", &self.inner.len())
            .finish()
    }
}

/// Iterator over the live values, from [`values`](super::WeakValueDictionary::values).
///
/// ```
/// # use std::sync::Arc;
/// # use weakref_collections::WeakValueDictionary;
/// # use weakref_core::{Header, Referent};
/// # #[derive(Referent)] struct Obj { n: u8, header: Header }
/// let a = Arc::new(Obj { n: 3, header: Header::new() });
/// let mut d = WeakValueDictionary::new();
/// d.insert("a", &a);
/// assert_eq!(d.values().map(|v| v.n).sum::<u8>(), 3);
/// ```
pub struct Values<'a, K, V: ?Sized + Referent, F: Family = ArcFamily> {
    pub(super) inner: hash_table::Iter<'a, Entry<V, K, F>>,
}

impl<K, V: ?Sized + Referent, F: Family> Iterator for Values<'_, K, V, F> {
    type Item = F::Strong<V>;

    fn next(&mut self) -> Option<F::Strong<V>> {
        self.inner.by_ref().find_map(|entry| entry.weak.get())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.inner.len()))
    }
}

impl<K, V: ?Sized + Referent, F: Family> FusedIterator for Values<'_, K, V, F> {}

impl<K, V: ?Sized + Referent, F: Family> fmt::Debug for Values<'_, K, V, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Values")
            .field("remaining_entries", &self.inner.len())
            .finish()
    }
}
