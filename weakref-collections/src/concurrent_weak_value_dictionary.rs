//! [`ConcurrentWeakValueDictionary`]: a weak-valued map that many threads
//! use at once through `&self`, and the interning (flyweight) cache built on
//! it: [`get_or_insert_with`](ConcurrentWeakValueDictionary::get_or_insert_with).
//!
//! ```
//! use std::sync::{Arc, LazyLock};
//! use std::thread;
//! use weakref_collections::ConcurrentWeakValueDictionary;
//! use weakref_core::{Header, Referent};
//!
//! #[derive(Referent)]
//! struct Texture { path: String, header: Header }
//!
//! // A process-wide cache: each texture loaded once while anyone uses it.
//! static TEXTURES: LazyLock<ConcurrentWeakValueDictionary<String, Texture>> =
//!     LazyLock::new(ConcurrentWeakValueDictionary::new);
//!
//! fn texture(path: &str) -> Arc<Texture> {
//!     TEXTURES.get_or_insert_with_key(path, str::to_owned, || {
//!         Arc::new(Texture { path: path.to_owned(), header: Header::new() })
//!     })
//! }
//!
//! let workers: Vec<_> = (0..4).map(|_| thread::spawn(|| texture("grass.png"))).collect();
//! let loaded: Vec<_> = workers.into_iter().map(|w| w.join().unwrap()).collect();
//! assert!(loaded.iter().all(|t| Arc::ptr_eq(t, &loaded[0]) && t.path == "grass.png"));
//! assert_eq!(TEXTURES.len(), 1);
//! drop(loaded); // nobody uses it any more: the entry is gone
//! assert!(TEXTURES.is_empty());
//! ```
//!
//! # Design
//!
//! **Sharding.** The keys are spread by hash over a power-of-two number of
//! *shards* (by default the power of two at or above 4x
//! `std::thread::available_parallelism()`, so two threads rarely meet on one
//! shard), each a `std::sync::RwLock` over a hashbrown `HashTable` and padded
//! to its own cache lines. The shard is chosen from high bits of the
//! key's hash multiplied by a Fibonacci constant: every hash bit takes part,
//! even with a weak hasher, and the bits hashbrown uses inside the shard
//! (the low ones and the top seven) stay spread. `get` takes only its
//! shard's read lock, finds the entry and upgrades its weak reference: two
//! atomic operations on the lock plus what the single-threaded
//! `WeakValueDictionary::get` does. No global lock or counter is touched by
//! any operation but `len`, `clear`, `retain`, iteration and `Debug`, which
//! visit the shards one at a time (so they are not atomic snapshots of the
//! whole map, as in every sharded map). Single-threaded, `get` costs what a
//! `Mutex<WeakValueDictionary>` costs (the same two atomics); with several
//! threads, lookups of different keys share nothing but, one time in
//! `shard_amount()`, a reader count. A lock-free read path would save the
//! lock's round trip, but it needs `unsafe` memory reclamation (epochs or
//! hazard pointers), which this `#![forbid(unsafe_code)]` crate cannot
//! host, and a lock-free map crate would still pay a pin or a fence and
//! need the death protocol rebuilt on its API. std's `RwLock` is
//! futex-based and measured no slower uncontended than `parking_lot`'s, so
//! no dependency was added (BENCHMARKS.md has the figures).
//!
//! **Deaths.** Each entry holds one weak reference made with
//! `Ref::with_death_hook`. The hook runs on the dying thread, at once; it
//! takes only its shard's small *ledger* lock (never a shard lock), appends
//! the entry's `(hash, id)` to the ledger and decrements the shard's atomic
//! count of live entries. So `len()` (the sum of those counts) is exact as
//! soon as the drop that killed a value returns, on any thread, also inside
//! callbacks; `get`, `contains_key` and iteration never see a dead entry
//! (they upgrade its reference). The dead entry itself, and with it its key,
//! is removed by the next write to its shard, which consumes the ledger
//! first (one atomic load when nothing died). An entry removed explicitly
//! is disarmed with `Ref::cancel`, which decides atomically against the
//! death which of the two uncounts it, so every entry is counted out exactly
//! once. Ids are unique per shard, so a stale death (the old value of a key
//! that was given a new one) only ever matches its own entry.
//!
//! **No user code under a lock that a death could need.** Keys and values
//! are never dropped while a shard lock is held: whatever a write removes
//! (keys, values upgraded on the way, placeholders) is dropped after
//! unlocking, and if that kills further entries of the shard the operation
//! consumes their deaths too before returning (a cascade finishes there,
//! iteratively). The hook's ledger lock is a leaf: nobody holding it waits
//! for anything or drops anything. So a death may happen anywhere — inside
//! a key's `Eq` or `Clone` while a shard lock is held, inside a callback,
//! on any thread — without deadlock.
//!
//! **Once per key.** `get_or_insert_with` looks the key up under the read
//! lock; a live value is returned at once. On a miss it takes the write lock
//! and inserts a *placeholder* slot holding a shared `Load` (a mutex and a
//! condition variable), then runs `make` with no lock held. Callers of the
//! same key that arrive meanwhile find the placeholder, clone the `Load` and
//! wait on it without holding any shard lock, so callers of other keys (of
//! the same shard too) are never blocked by a running `make`. When `make`
//! returns, the loader turns the placeholder into an entry and wakes the
//! waiters with the value. If `make` panics (or, in the `try_` variants,
//! returns `Err`), a drop guard removes the placeholder and wakes the
//! waiters with a failure: each retries from the start, and the first to
//! take the write lock becomes the new loader. Placeholders are not entries:
//! `len`, `get`, `contains_key`, `remove`, `clear`, `retain` and iteration
//! ignore them; an `insert` of the key while it loads gives it its value at
//! once (the running `make`'s value is then dropped, and its caller and the
//! waiters get the inserted one: one value per key).
//!
//! # User code and locks
//! `Hash` runs with no lock held. A key's `Eq` (on lookups), `Clone` (in
//! [`iter`](ConcurrentWeakValueDictionary::iter) and
//! [`keys`](ConcurrentWeakValueDictionary::keys)), `Debug`, and the closure
//! of [`retain`](ConcurrentWeakValueDictionary::retain) run while one shard
//! is locked: they must not call into the same dictionary (that may
//! deadlock, as with any locking map), though they may kill its values.
//! Everything else — `make`, `make_key`, every `Drop` — runs with no lock of
//! the dictionary held. A `make` that asks the dictionary for its own key
//! would wait for itself: that panics. A panic in user code leaves the
//! dictionary consistent.
//!
//! # Costs
//! An entry costs what a `WeakValueDictionary` entry costs (a table slot
//! and one registered weak reference object). Each shard costs about 400
//! bytes before it holds anything (its lock, and its ledger behind an
//! `Arc`, each padded to 128-byte cache lines), so an empty dictionary with
//! the default amount takes about 1.5 KiB per available core; use
//! [`with_shard_amount`](ConcurrentWeakValueDictionary::with_shard_amount)
//! for many small dictionaries. `get_or_insert_with` allocates only on a
//! miss (the placeholder's load).
//!
//! # Differences from [`WeakValueDictionary`](crate::WeakValueDictionary)
//! - Every method takes `&self`; iteration returns a snapshot of owned
//!   `(K, Arc<V>)` pairs (keys cloned), since no borrow of a key can outlive
//!   its shard's lock.
//! - A dead entry's key is dropped by the next write to *its shard* (or
//!   [`clear`](ConcurrentWeakValueDictionary::clear),
//!   [`retain`](ConcurrentWeakValueDictionary::retain),
//!   [`shrink_to_fit`](ConcurrentWeakValueDictionary::shrink_to_fit)), not by
//!   the next write to the dictionary.
//! - No `popitem`, `valuerefs` or `PartialEq`: they are not meaningful on a
//!   map that changes while you look.

use core::borrow::Borrow;
use core::hash::{BuildHasher, Hash};
use core::mem;
use std::hash::RandomState;

use weakref_core::Referent;

use crate::sync::Arc;

mod bulk;
mod constructors;
mod get_or_insert;
mod iter;
mod load;
mod shard;
mod traits;

use self::constructors::{MAX_SHARDS, default_shard_amount};
pub use self::iter::{Iter, Keys, Values};
use self::shard::{Shard, Slot, State};

/// A weak-valued hash map for many threads: Python's
/// `weakref.WeakValueDictionary` with every method on `&self`, and the
/// interning cache [`get_or_insert_with`](Self::get_or_insert_with) that
/// makes each key's value exactly once while it lives.
///
/// It is `Send` and `Sync` when `K`, `V` and `S` are (share it in an `Arc`,
/// or in a `static` through `LazyLock`). An entry disappears when its value
/// dies, on any thread (see the [module docs](self) for how, and for what
/// user code runs under a shard's lock).
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use weakref_collections::ConcurrentWeakValueDictionary;
/// use weakref_core::{Header, Referent};
///
/// #[derive(Referent, Debug)]
/// struct Symbol { name: String, header: Header }
///
/// let symbols = ConcurrentWeakValueDictionary::<String, Symbol>::new();
/// let intern = |name: &str| {
///     symbols.get_or_insert_with_key(name, str::to_owned, || {
///         Arc::new(Symbol { name: name.to_owned(), header: Header::new() })
///     })
/// };
/// let here = intern("x");
/// let there = thread::scope(|s| s.spawn(|| intern("x")).join().unwrap());
/// assert!(Arc::ptr_eq(&here, &there)); // one instance per name
/// drop((here, there));
/// assert!(symbols.is_empty()); // the entry went with its value
/// ```
pub struct ConcurrentWeakValueDictionary<K, V: ?Sized + Referent, S = RandomState> {
    shards: Box<[Shard<K, V>]>,
    hash_builder: S,
}

impl<K, V: ?Sized + Referent, S> ConcurrentWeakValueDictionary<K, V, S> {
    /// An empty dictionary hashing keys with `hash_builder`.
    ///
    /// ```
    /// # use std::hash::{BuildHasherDefault, DefaultHasher};
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let d: ConcurrentWeakValueDictionary<u32, Obj, _> =
    ///     ConcurrentWeakValueDictionary::with_hasher(BuildHasherDefault::<DefaultHasher>::default());
    /// assert_eq!(d.len(), 0);
    /// ```
    #[must_use]
    pub fn with_hasher(hash_builder: S) -> Self {
        Self::with_capacity_and_hasher(0, hash_builder)
    }

    /// An empty dictionary with room for about `capacity` entries, hashing
    /// keys with `hash_builder`.
    ///
    /// ```
    /// # use std::hash::RandomState;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let d: ConcurrentWeakValueDictionary<u32, Obj> =
    ///     ConcurrentWeakValueDictionary::with_capacity_and_hasher(64, RandomState::new());
    /// assert!(d.capacity() >= 64);
    /// ```
    #[must_use]
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        Self::with_capacity_and_hasher_and_shard_amount(
            capacity,
            hash_builder,
            default_shard_amount(),
        )
    }

    /// An empty dictionary with room for about `capacity` entries, hashing
    /// keys with `hash_builder`, over `amount` shards (rounded up to a power
    /// of two, at most 65,536).
    ///
    /// ```
    /// # use std::hash::RandomState;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let d: ConcurrentWeakValueDictionary<u32, Obj> =
    ///     ConcurrentWeakValueDictionary::with_capacity_and_hasher_and_shard_amount(
    ///         100, RandomState::new(), 1,
    ///     );
    /// assert_eq!(d.shard_amount(), 1);
    /// assert!(d.capacity() >= 100);
    /// ```
    #[must_use]
    pub fn with_capacity_and_hasher_and_shard_amount(
        capacity: usize,
        hash_builder: S,
        amount: usize,
    ) -> Self {
        let amount = amount.clamp(1, MAX_SHARDS).next_power_of_two();
        let per_shard = capacity.div_ceil(amount);
        ConcurrentWeakValueDictionary {
            shards: (0..amount)
                .map(|_| Shard::with_capacity(per_shard))
                .collect(),
            hash_builder,
        }
    }

    /// The dictionary's `BuildHasher`.
    ///
    /// ```
    /// # use std::hash::RandomState;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let d: ConcurrentWeakValueDictionary<u32, Obj> = ConcurrentWeakValueDictionary::new();
    /// let _: &RandomState = d.hasher();
    /// ```
    pub fn hasher(&self) -> &S {
        &self.hash_builder
    }

    /// The number of shards (a power of two).
    ///
    /// ```
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let d: ConcurrentWeakValueDictionary<u32, Obj> = ConcurrentWeakValueDictionary::new();
    /// assert!(d.shard_amount().is_power_of_two());
    /// ```
    pub fn shard_amount(&self) -> usize {
        self.shards.len()
    }

    /// The shard of a key hashed to `hash`: the top bits of the hash
    /// multiplied by 2^64 / φ (every bit of the hash moves them).
    fn shard(&self, hash: u64) -> &Shard<K, V> {
        let mixed = hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 48;
        // The mask keeps the index below the (power-of-two) shard count.
        #[allow(clippy::cast_possible_truncation)] // at most 16 bits
        let index = mixed as usize & (self.shards.len() - 1);
        &self.shards[index]
    }

    /// Number of entries whose value is alive (Python's `len(d)`). Exact
    /// once the drops that killed values have returned; while other threads
    /// insert and drop, it is the sum of each shard's count when it was read.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// # fn obj() -> Arc<Obj> { Arc::new(Obj { header: Header::new() }) }
    /// let (a, b) = (obj(), obj());
    /// let d = ConcurrentWeakValueDictionary::new();
    /// d.insert(1, &a);
    /// d.insert(2, &b);
    /// drop(a);
    /// assert_eq!(d.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.shards.iter().map(|shard| shard.ledger.live()).sum()
    }

    /// Whether no entry's value is alive.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let d = ConcurrentWeakValueDictionary::new();
    /// d.insert("a", &a);
    /// assert!(!d.is_empty());
    /// drop(a);
    /// assert!(d.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entries the shards can hold without reallocating, in total.
    ///
    /// ```
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let d: ConcurrentWeakValueDictionary<u8, Obj> =
    ///     ConcurrentWeakValueDictionary::with_capacity(100);
    /// assert!(d.capacity() >= 100);
    /// ```
    pub fn capacity(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| shard.read().capacity())
            .sum()
    }
}

impl<K, V, S> ConcurrentWeakValueDictionary<K, V, S>
where
    K: Hash + Eq,
    V: ?Sized + Referent,
    S: BuildHasher,
{
    /// Maps `key` to `value` (Python's `d[key] = value`), returning the
    /// previous value if it was alive. An existing entry keeps its key.
    ///
    /// The entry's old weak reference is disarmed: if the old value dies
    /// later, even on another thread, `key` still maps to `value`. If
    /// `get_or_insert_with` is making the key's value, `value` becomes it:
    /// the waiting callers get `value`.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// # fn obj() -> Arc<Obj> { Arc::new(Obj { header: Header::new() }) }
    /// let (a, b) = (obj(), obj());
    /// let d = ConcurrentWeakValueDictionary::new();
    /// assert!(d.insert(10, &a).is_none());
    /// assert!(Arc::ptr_eq(&d.insert(10, &b).unwrap(), &a));
    /// drop(a);
    /// assert!(Arc::ptr_eq(&d.get(&10).unwrap(), &b));
    /// ```
    pub fn insert(&self, key: K, value: &Arc<V>) -> Option<Arc<V>> {
        let hash = self.hash_builder.hash_one(&key);
        let shard = self.shard(hash);
        // Armed before locking (an allocation and a registration on the
        // value): the lock is held only for the table work.
        let armed = shard.ledger.arm(value, hash);
        let mut dead = Vec::new();
        let (mut spare, mut unused, mut placeholder) = (None, None, None);
        let old = {
            let mut table = shard.write(&mut dead);
            match table.find_entry(hash, |slot| slot.hash == hash && slot.key == key) {
                Ok(mut found) => {
                    spare = Some(key);
                    let slot = found.get_mut();
                    let old = slot.value();
                    if old.as_ref().is_some_and(|old| Arc::ptr_eq(old, value)) {
                        unused = Some(armed);
                    } else {
                        if let State::Loading(load) = &slot.state {
                            load.settle(Some(value));
                        }
                        shard.ledger.count();
                        match mem::replace(&mut slot.state, State::Live(armed)) {
                            // Uncounted under the lock, so that `len` never
                            // counts the key twice.
                            State::Live(old) => shard.ledger.disarm(old),
                            State::Loading(load) => placeholder = Some(load),
                        }
                    }
                    old
                }
                Err(absent) => {
                    let slot = Slot {
                        hash,
                        key,
                        state: State::Live(armed),
                    };
                    absent
                        .into_table()
                        .insert_unique(hash, slot, |slot| slot.hash);
                    shard.ledger.count();
                    None
                }
            }
        };
        if let Some(armed) = unused {
            armed.discard();
        }
        drop(placeholder);
        // User code after unlocking, while `old` is still a local: a value
        // already moved out as the return value is leaked if a later `Drop`
        // panics (rust-lang/rust#47949).
        drop(spare);
        shard.settle(dead);
        old
    }

    /// The value of `key`, if its entry exists and the value is alive
    /// (Python's `d.get(key)`). Takes only the key's shard's read lock.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { n: u32, header: Header }
    /// let a = Arc::new(Obj { n: 5, header: Header::new() });
    /// let d = ConcurrentWeakValueDictionary::new();
    /// d.insert(String::from("a"), &a);
    /// assert_eq!(d.get("a").unwrap().n, 5);
    /// assert!(d.get("b").is_none());
    /// ```
    #[must_use]
    pub fn get<Q>(&self, key: &Q) -> Option<Arc<V>>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let hash = self.hash_builder.hash_one(key);
        let table = self.shard(hash).read();
        table
            .find(hash, |slot| slot.hash == hash && slot.key.borrow() == key)?
            .value()
    }

    /// Whether `key` maps to a live value (Python's `key in d`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let d = ConcurrentWeakValueDictionary::new();
    /// d.insert(1, &a);
    /// assert!(d.contains_key(&1));
    /// drop(a);
    /// assert!(!d.contains_key(&1));
    /// ```
    #[must_use]
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let hash = self.hash_builder.hash_one(key);
        let table = self.shard(hash).read();
        table
            .find(hash, |slot| slot.hash == hash && slot.key.borrow() == key)
            .is_some_and(Slot::is_alive)
    }

    /// Removes the entry of `key` and returns its value if it was alive
    /// (Python's `d.pop(key, None)`: a dead value counts as missing).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let d = ConcurrentWeakValueDictionary::new();
    /// d.insert(1, &a);
    /// assert!(Arc::ptr_eq(&d.remove(&1).unwrap(), &a));
    /// assert!(d.remove(&1).is_none());
    /// ```
    pub fn remove<Q>(&self, key: &Q) -> Option<Arc<V>>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let (key, value) = self.remove_entry(key)?;
        // Before the value becomes the return value: see `insert`.
        drop(key);
        Some(value)
    }

    /// Removes the entry of `key` and returns its key and value if the value
    /// was alive.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let a = Arc::new(Obj { header: Header::new() });
    /// let d = ConcurrentWeakValueDictionary::new();
    /// d.insert(String::from("a"), &a);
    /// assert_eq!(d.remove_entry("a").unwrap().0, "a");
    /// assert!(d.is_empty());
    /// ```
    pub fn remove_entry<Q>(&self, key: &Q) -> Option<(K, Arc<V>)>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let hash = self.hash_builder.hash_one(key);
        let shard = self.shard(hash);
        let mut dead = Vec::new();
        let removed = {
            let mut table = shard.write(&mut dead);
            let is_key = |slot: &Slot<K, V>| {
                slot.hash == hash
                    && matches!(slot.state, State::Live(_))
                    && slot.key.borrow() == key
            };
            match table.find_entry(hash, is_key) {
                Ok(found) => {
                    let (slot, _) = found.remove();
                    let value = slot.value();
                    Some((shard.release(slot).0, value))
                }
                Err(_) => None,
            }
        };
        shard.settle(dead);
        match removed? {
            (key, Some(value)) => Some((key, value)),
            (_, None) => None,
        }
    }
}

impl<K, V: ?Sized + Referent, S> Drop for ConcurrentWeakValueDictionary<K, V, S> {
    /// Drops every slot, each table drained so that one panicking `Drop`
    /// does not leak the others. Hooks of values killed meanwhile only write
    /// to their ledger, which they keep alive.
    fn drop(&mut self) {
        for shard in &mut self.shards {
            shard.get_mut().drain().for_each(drop);
        }
    }
}
