//! The iterators of [`WeakKeyMap`](crate::WeakKeyMap).

use core::fmt;
use core::iter::FusedIterator;

use hashbrown::hash_table;
use weakref_core::{ArcFamily, Family, Referent};

use crate::table::Entry;

macro_rules! iterator {
    (
        $(#[$doc:meta])*
        $name:ident, $inner:ident, $item:ty, |$entry:ident| $map:expr
    ) => {
        $(#[$doc])*
        pub struct $name<'a, K: ?Sized + Referent, V, F: Family = ArcFamily> {
            pub(super) inner: hash_table::$inner<'a, Entry<K, V, F>>,
        }

        impl<'a, K: ?Sized + Referent, V, F: Family> Iterator for $name<'a, K, V, F> {
            type Item = $item;

            fn next(&mut self) -> Option<$item> {
                self.inner.by_ref().find_map(|$entry| $map)
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                (0, Some(self.inner.len()))
            }
        }

        impl<K: ?Sized + Referent, V, F: Family> FusedIterator for $name<'_, K, V, F> {}

        impl<K: ?Sized + Referent, V, F: Family> fmt::Debug for $name<'_, K, V, F> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("remaining_entries", &self.inner.len())
                    .finish()
            }
        }
    };
}
iterator! {
    /// Iterator over the live entries of a [`WeakKeyDictionary`](crate::WeakKeyDictionary), from
    /// [`iter`](crate::WeakKeyMap::iter).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&k, 1);
    /// let mut it = d.iter();
    /// assert_eq!(it.next().map(|(_, v)| *v), Some(1));
    /// assert!(it.next().is_none());
    /// ```
    Iter, Iter, (F::Strong<K>, &'a V), |entry| Some((entry.weak.get()?, &entry.data))
}

impl<K: ?Sized + Referent, V, F: Family> Clone for Iter<'_, K, V, F> {
    fn clone(&self) -> Self {
        Iter {
            inner: self.inner.clone(),
        }
    }
}

iterator! {
    /// Iterator over the live entries with mutable values, from
    /// [`iter_mut`](crate::WeakKeyMap::iter_mut).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&k, 1);
    /// d.iter_mut().for_each(|(_, v)| *v = 5);
    /// assert_eq!(d[&k], 5);
    /// ```
    IterMut, IterMut, (F::Strong<K>, &'a mut V), |entry| Some((entry.weak.get()?, &mut entry.data))
}

iterator! {
    /// Iterator over the live keys, from [`keys`](crate::WeakKeyMap::keys).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&k, 1);
    /// assert_eq!(d.keys().count(), 1);
    /// ```
    Keys, Iter, F::Strong<K>, |entry| entry.weak.get()
}

iterator! {
    /// Iterator over the values of the live entries, from
    /// [`values`](crate::WeakKeyMap::values).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&k, 4);
    /// assert_eq!(d.values().sum::<i32>(), 4);
    /// ```
    Values, Iter, &'a V, |entry| entry.weak.is_alive().then_some(&entry.data)
}

iterator! {
    /// Iterator over the values of the live entries, mutably, from
    /// [`values_mut`](crate::WeakKeyMap::values_mut).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::WeakKeyDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent, PartialEq, Eq, Hash)] struct Key { header: Header }
    /// let k = Arc::new(Key { header: Header::new() });
    /// let mut d = WeakKeyDictionary::new();
    /// d.insert(&k, 4);
    /// d.values_mut().for_each(|v| *v *= 2);
    /// assert_eq!(d[&k], 8);
    /// ```
    ValuesMut, IterMut, &'a mut V, |entry| entry.weak.is_alive().then_some(&mut entry.data)
}
