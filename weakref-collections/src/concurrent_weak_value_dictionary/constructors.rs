//! The `RandomState` constructors of [`ConcurrentWeakValueDictionary`] and
//! the default number of shards (the others, generic over the hasher, sit
//! with the type).

use std::hash::RandomState;
use std::sync::OnceLock;

use weakref_core::Referent;

use super::ConcurrentWeakValueDictionary;

/// The default number of shards: the power of two at or above 4x the
/// available parallelism (computed once: it reads cgroup limits).
pub(super) fn default_shard_amount() -> usize {
    static AMOUNT: OnceLock<usize> = OnceLock::new();
    *AMOUNT.get_or_init(|| {
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        (4 * threads).next_power_of_two()
    })
}

/// The most shards a dictionary has (the shard index comes from 16 bits).
pub(super) const MAX_SHARDS: usize = 1 << 16;

impl<K, V: ?Sized + Referent> ConcurrentWeakValueDictionary<K, V, RandomState> {
    /// An empty dictionary with the default number of shards.
    ///
    /// ```
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let d: ConcurrentWeakValueDictionary<u32, Obj> = ConcurrentWeakValueDictionary::new();
    /// assert!(d.is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::with_hasher(RandomState::new())
    }

    /// An empty dictionary with room for about `capacity` entries (spread
    /// over the shards).
    ///
    /// ```
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let d: ConcurrentWeakValueDictionary<u32, Obj> =
    ///     ConcurrentWeakValueDictionary::with_capacity(1000);
    /// assert!(d.capacity() >= 1000);
    /// ```
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_and_hasher(capacity, RandomState::new())
    }

    /// An empty dictionary with `amount` shards, rounded up to a power of
    /// two (at most 65,536). One shard is a `RwLock<HashMap>` with this
    /// dictionary's death protocol.
    ///
    /// ```
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let d: ConcurrentWeakValueDictionary<u32, Obj> =
    ///     ConcurrentWeakValueDictionary::with_shard_amount(6);
    /// assert_eq!(d.shard_amount(), 8);
    /// ```
    #[must_use]
    pub fn with_shard_amount(amount: usize) -> Self {
        Self::with_capacity_and_hasher_and_shard_amount(0, RandomState::new(), amount)
    }
}
