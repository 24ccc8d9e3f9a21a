//! The snapshot iterators of [`ConcurrentWeakValueDictionary`](super::ConcurrentWeakValueDictionary).

use core::fmt;
use core::iter::FusedIterator;

use crate::sync::Arc;

/// Defines a snapshot iterator over a `Vec` of owned items.
macro_rules! snapshot {
    ($(#[$doc:meta])* $name:ident<$($param:ident),*> where $($bounded:ident)*: ?Sized => $item:ty) => {
        $(#[$doc])*
        pub struct $name<$($param),*>
        where
            $($bounded: ?Sized,)*
        {
            pub(super) inner: std::vec::IntoIter<$item>,
        }

        impl<$($param),*> Iterator for $name<$($param),*>
        where
            $($bounded: ?Sized,)*
        {
            type Item = $item;

            fn next(&mut self) -> Option<$item> {
                self.inner.next()
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
            }
        }

        impl<$($param),*> DoubleEndedIterator for $name<$($param),*>
        where
            $($bounded: ?Sized,)*
        {
            fn next_back(&mut self) -> Option<$item> {
                self.inner.next_back()
            }
        }

        impl<$($param),*> ExactSizeIterator for $name<$($param),*> where $($bounded: ?Sized,)* {}

        impl<$($param),*> FusedIterator for $name<$($param),*> where $($bounded: ?Sized,)* {}

        impl<$($param),*> fmt::Debug for $name<$($param),*>
        where
            $($bounded: ?Sized,)*
        {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("remaining", &self.inner.len())
                    .finish_non_exhaustive()
            }
        }
    };
}

snapshot! {
    /// A snapshot of a concurrent dictionary's live entries:
    /// [`iter`](super::ConcurrentWeakValueDictionary::iter). Owns its keys
    /// and strong values, so the dictionary may change meanwhile.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let d = ConcurrentWeakValueDictionary::new();
    /// d.insert(1, &a);
    /// let snapshot = d.iter();
    /// d.clear();
    /// assert_eq!(snapshot.map(|(k, _)| k).collect::<Vec<_>>(), [1]);
    /// ```
    Iter<K, V> where V: ?Sized => (K, Arc<V>)
}

snapshot! {
    /// A snapshot of a concurrent dictionary's live keys:
    /// [`keys`](super::ConcurrentWeakValueDictionary::keys).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let d = ConcurrentWeakValueDictionary::new();
    /// d.insert("a", &a);
    /// assert_eq!(d.keys().len(), 1);
    /// ```
    Keys<K> where : ?Sized => K
}

snapshot! {
    /// A snapshot of a concurrent dictionary's live values, as strong
    /// `Arc`s: [`values`](super::ConcurrentWeakValueDictionary::values).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let d = ConcurrentWeakValueDictionary::new();
    /// d.insert("a", &a);
    /// let values = d.values();
    /// drop(a); // the snapshot keeps it alive
    /// assert_eq!(values.count(), 1);
    /// ```
    Values<V> where V: ?Sized => Arc<V>
}
