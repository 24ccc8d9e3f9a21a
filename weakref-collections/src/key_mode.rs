//! Key modes: how a weakly keyed collection hashes a key and recognises it
//! among its entries — by value ([`ByValue`]) or by identity
//! ([`ByIdentity`]).
//!
//! One map engine ([`WeakKeyMap`](crate::WeakKeyMap)) and one set engine
//! ([`WeakKeySet`](crate::WeakKeySet)) serve both modes: the mode is their
//! last type parameter, and it only supplies the two closures hashbrown's
//! `HashTable` takes (a hash of the probe key, and a predicate matching a
//! stored entry against it). The public names pin it:
//! [`WeakKeyDictionary`](crate::WeakKeyDictionary) and
//! [`WeakSet`](crate::WeakSet) are by value,
//! [`WeakKeyIdentityDictionary`](crate::WeakKeyIdentityDictionary) and
//! [`WeakIdentitySet`](crate::WeakIdentitySet) by identity.
//!
//! # Which to pick
//! - **By value** (Python's `WeakKeyDictionary` with keys that define
//!   `__eq__`/`__hash__`): keys equal by content are one key, so an object
//!   equal to a stored key finds its entry, and inserting it keeps the stored
//!   key. `K` needs `Hash + Eq`, which must not change while stored.
//! - **By identity** (Python's default object hash, JavaScript's
//!   `WeakMap`/`WeakSet`, .NET's `ConditionalWeakTable`, weak-table's
//!   `PtrWeak*`): a key is one object; two equal objects are two keys. Any
//!   referent works, `dyn Trait` included, and `K`'s `Hash` and `Eq` are
//!   never called. This is what "attach data to an object" usually means.

use core::hash::{BuildHasher, Hash};

use weakref_core::{Family, Ref, Referent};

mod sealed {
    pub trait Sealed {}
}

/// How a weakly keyed collection hashes and matches keys of type `K`:
/// [`ByValue`] or [`ByIdentity`]. Sealed.
///
/// The methods are for this crate's engines; users meet a mode only as the
/// last type parameter of [`WeakKeyMap`](crate::WeakKeyMap) and
/// [`WeakKeySet`](crate::WeakKeySet), which the public aliases pin.
///
/// ```
/// use weakref_collections::{ByIdentity, ByValue, KeyMode};
/// use weakref_core::{Header, Referent};
///
/// #[derive(Referent, PartialEq, Eq, Hash)]
/// struct Key { header: Header }
///
/// fn by_value<M: KeyMode<Key>>() {}
/// by_value::<ByValue>();
/// by_value::<ByIdentity>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot key `{K}`",
    label = "this key mode needs more of `{K}`",
    note = "`ByValue` (WeakKeyDictionary, WeakSet) compares keys by `Hash` and `Eq`; for keys without them (trait objects, foreign types) use the identity collections, WeakKeyIdentityDictionary and WeakIdentitySet"
)]
pub trait KeyMode<K: ?Sized + Referent>: sealed::Sealed + 'static {
    /// The hash of `key` by `hash_builder`.
    #[doc(hidden)]
    fn hash<S: BuildHasher>(hash_builder: &S, key: &K) -> u64;

    /// Whether `stored` (an entry's weak reference) is alive and stands for
    /// `key`.
    #[doc(hidden)]
    fn matches<F: Family>(stored: &Ref<K, F>, key: &K) -> bool;
}

/// Keys compare by the referent's `Eq` and hash by its `Hash`: equal objects
/// are one key. The mode of [`WeakKeyDictionary`](crate::WeakKeyDictionary)
/// and [`WeakSet`](crate::WeakSet).
///
/// A stored entry matches a probe key when it is the same object and alive
/// (no `Eq` call, no upgrade), or else when its key is alive and `==` the
/// probe.
///
/// ```
/// use std::sync::Arc;
/// use weakref_collections::WeakKeyDictionary;
/// use weakref_core::{Header, Referent};
///
/// #[derive(Referent, PartialEq, Eq, Hash)]
/// struct Key { id: u32, header: Header }
///
/// let (a, a_again) = (Arc::new(Key { id: 1, header: Header::new() }),
///                     Arc::new(Key { id: 1, header: Header::new() }));
/// let mut d = WeakKeyDictionary::new();
/// d.insert(&a, "one");
/// assert_eq!(d.get(&a_again), Some(&"one")); // an equal object is the same key
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ByValue;

/// Keys are objects: an entry matches only its own object (by address), and
/// keys hash by address. The mode of
/// [`WeakKeyIdentityDictionary`](crate::WeakKeyIdentityDictionary) and
/// [`WeakIdentitySet`](crate::WeakIdentitySet).
///
/// Never calls the referent's `Hash` or `Eq` (it needs neither, so any
/// referent works, `dyn Trait` included).
///
/// ```
/// use std::sync::Arc;
/// use weakref_collections::WeakKeyIdentityDictionary;
/// use weakref_core::{Header, Referent};
///
/// #[derive(Referent, PartialEq)]
/// struct Key { id: u32, header: Header }
///
/// let (a, a_again) = (Arc::new(Key { id: 1, header: Header::new() }),
///                     Arc::new(Key { id: 1, header: Header::new() }));
/// let mut d = WeakKeyIdentityDictionary::new();
/// d.insert(&a, "one");
/// assert_eq!(d.get(&a_again), None); // equal, but another object
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ByIdentity;

impl sealed::Sealed for ByValue {}
impl sealed::Sealed for ByIdentity {}

impl<K: ?Sized + Referent + Hash + Eq> KeyMode<K> for ByValue {
    #[inline]
    fn hash<S: BuildHasher>(hash_builder: &S, key: &K) -> u64 {
        hash_builder.hash_one(key)
    }

    #[inline]
    fn matches<F: Family>(stored: &Ref<K, F>, key: &K) -> bool {
        if Ref::as_ptr(stored) == address(key) {
            stored.is_alive()
        } else {
            stored.get().is_some_and(|stored| *stored == *key)
        }
    }
}

impl<K: ?Sized + Referent> KeyMode<K> for ByIdentity {
    #[inline]
    fn hash<S: BuildHasher>(hash_builder: &S, key: &K) -> u64 {
        hash_builder.hash_one(address(key).addr())
    }

    #[inline]
    fn matches<F: Family>(stored: &Ref<K, F>, key: &K) -> bool {
        // The address alone identifies the object: an entry's weak reference
        // keeps its object's allocation (though not the object) alive, so no
        // other object can be allocated at that address while the entry
        // exists — a dead key's address is never reused under it. The
        // liveness check makes a dead entry invisible as in the other mode.
        Ref::as_ptr(stored) == address(key) && stored.is_alive()
    }
}

/// The address of `value`, without metadata (so `dyn Trait` views of one
/// object agree with its concrete type).
#[inline]
pub(crate) fn address<T: ?Sized>(value: &T) -> *const () {
    (value as *const T).cast()
}
