//! The interning entry points of [`ConcurrentWeakValueDictionary`]:
//! `get_or_insert_with` and its variants (borrowed key, fallible `make`),
//! and `setdefault`. Each looks the key up under the shard's read lock and
//! hands a miss to the loading engine (`load.rs`).

use core::borrow::Borrow;
use core::hash::{BuildHasher, Hash};

use weakref_core::Referent;

use super::ConcurrentWeakValueDictionary;
use super::load::Lookup;
use super::shard::{Slot, State};
use crate::sync::Arc;

impl<K, V, S> ConcurrentWeakValueDictionary<K, V, S>
where
    K: Hash + Eq,
    V: ?Sized + Referent,
    S: BuildHasher,
{
    /// The value of `key` (hashed to `hash`) under the read lock, or the
    /// load to wait for.
    fn lookup<Q>(&self, hash: u64, key: &Q) -> Lookup<V>
    where
        K: Borrow<Q>,
        Q: ?Sized + Eq,
    {
        let table = self.shard(hash).read();
        match table.find(hash, |slot| slot.hash == hash && slot.key.borrow() == key) {
            Some(Slot {
                state: State::Live(armed),
                ..
            }) => armed.get().map_or(Lookup::Miss, Lookup::Hit),
            Some(Slot {
                state: State::Loading(load),
                ..
            }) => Lookup::Wait(std::sync::Arc::clone(load)),
            None => Lookup::Miss,
        }
    }

    /// The value of `key` if alive; otherwise maps `key` to `default` and
    /// returns it (Python's `setdefault`), once per key as
    /// [`get_or_insert_with`](Self::get_or_insert_with).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// # fn obj() -> Arc<Obj> { Arc::new(Obj { header: Header::new() }) }
    /// let (a, b) = (obj(), obj());
    /// let d = ConcurrentWeakValueDictionary::new();
    /// assert!(Arc::ptr_eq(&d.setdefault(1, &a), &a));
    /// assert!(Arc::ptr_eq(&d.setdefault(1, &b), &a));
    /// ```
    pub fn setdefault(&self, key: K, default: &Arc<V>) -> Arc<V> {
        self.get_or_insert_with(key, || Arc::clone(default))
    }

    /// The value of `key` if alive; otherwise `make()`, which becomes the
    /// key's value: the interning (flyweight) idiom, for many threads.
    ///
    /// While a value of `key` lives, every caller on every thread gets that
    /// one value. Concurrent callers for a missing key run `make` once: the
    /// first becomes the loader, the others wait for its value (holding no
    /// lock); callers of other keys never wait for it. If `make` panics, the
    /// panic propagates to its caller, no entry is left, and one waiting
    /// caller runs its own `make`. The dictionary holds the value weakly: it
    /// stays the key's value while someone keeps the returned `Arc`.
    ///
    /// `make` runs with no lock held and may use the dictionary, but must
    /// not ask for `key` itself (that panics: it would wait for itself).
    /// Two `make`s on two threads that each ask for the other's key wait
    /// for each other forever, as with any lazy initialisation.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::sync::atomic::{AtomicUsize, Ordering};
    /// # use std::thread;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { n: u32, header: Header }
    /// let cache = ConcurrentWeakValueDictionary::new();
    /// let made = AtomicUsize::new(0);
    /// let load = |n| {
    ///     cache.get_or_insert_with(n, || {
    ///         made.fetch_add(1, Ordering::Relaxed);
    ///         Arc::new(Obj { n, header: Header::new() })
    ///     })
    /// };
    /// let first = load(7);
    /// let others: Vec<_> = thread::scope(|s| {
    ///     let handles: Vec<_> = (0..4).map(|_| s.spawn(|| load(7))).collect();
    ///     handles.into_iter().map(|h| h.join().unwrap()).collect()
    /// });
    /// assert!(others.iter().all(|o| Arc::ptr_eq(o, &first)));
    /// assert_eq!(made.load(Ordering::Relaxed), 1);
    /// drop((first, others));
    /// let _reloaded = load(7); // the value died: made again
    /// assert_eq!(made.load(Ordering::Relaxed), 2);
    /// ```
    pub fn get_or_insert_with(&self, key: K, make: impl FnOnce() -> Arc<V>) -> Arc<V> {
        let hash = self.hash_builder.hash_one(&key);
        match self.lookup(hash, &key) {
            Lookup::Hit(value) => {
                drop(key);
                return value;
            }
            Lookup::Wait(load) => {
                if let Some(value) = load.wait() {
                    drop(key);
                    return value;
                }
            }
            Lookup::Miss => {}
        }
        self.load_infallible(hash, key, make)
    }

    /// [`get_or_insert_with`](Self::get_or_insert_with) looked up by a
    /// borrowed key: the owned key is made by `make_key(key)` only on a
    /// miss, so cache hits allocate nothing (`&str` for `String` keys).
    /// `make_key` must return a key equal to `key` (with the same hash).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let d: ConcurrentWeakValueDictionary<String, Obj> = ConcurrentWeakValueDictionary::new();
    /// let a = d.get_or_insert_with_key("a", str::to_owned, || Arc::new(Obj { header: Header::new() }));
    /// let again = d.get_or_insert_with_key("a", |_| unreachable!("a hit"), || unreachable!());
    /// assert!(Arc::ptr_eq(&a, &again));
    /// ```
    pub fn get_or_insert_with_key<Q>(
        &self,
        key: &Q,
        make_key: impl FnOnce(&Q) -> K,
        make: impl FnOnce() -> Arc<V>,
    ) -> Arc<V>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let hash = self.hash_builder.hash_one(key);
        match self.lookup(hash, key) {
            Lookup::Hit(value) => return value,
            Lookup::Wait(load) => {
                if let Some(value) = load.wait() {
                    return value;
                }
            }
            Lookup::Miss => {}
        }
        self.load_infallible(hash, make_key(key), make)
    }

    /// [`get_or_insert_with`](Self::get_or_insert_with) for a fallible
    /// loader: an `Err` from `make` is returned to its caller and leaves no
    /// entry, and a waiting caller then runs its own `make` (the error is
    /// not shared: each caller learns only of its own).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let d: ConcurrentWeakValueDictionary<u32, Obj> = ConcurrentWeakValueDictionary::new();
    /// let failed = d.try_get_or_insert_with(1, || Err("disk on fire"));
    /// assert_eq!(failed.err(), Some("disk on fire"));
    /// assert!(!d.contains_key(&1));
    /// let ok = d.try_get_or_insert_with(1, || Ok::<_, ()>(Arc::new(Obj { header: Header::new() })));
    /// assert!(Arc::ptr_eq(&ok.unwrap(), &d.get(&1).unwrap()));
    /// ```
    pub fn try_get_or_insert_with<E>(
        &self,
        key: K,
        make: impl FnOnce() -> Result<Arc<V>, E>,
    ) -> Result<Arc<V>, E> {
        let hash = self.hash_builder.hash_one(&key);
        match self.lookup(hash, &key) {
            Lookup::Hit(value) => {
                drop(key);
                return Ok(value);
            }
            Lookup::Wait(load) => {
                if let Some(value) = load.wait() {
                    drop(key);
                    return Ok(value);
                }
            }
            Lookup::Miss => {}
        }
        self.load_slow(hash, key, make)
    }

    /// [`try_get_or_insert_with`](Self::try_get_or_insert_with) looked up by
    /// a borrowed key, as [`get_or_insert_with_key`](Self::get_or_insert_with_key).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use weakref_collections::ConcurrentWeakValueDictionary;
    /// # use weakref_core::{Header, Referent};
    /// # #[derive(Referent)] struct Obj { header: Header }
    /// let d: ConcurrentWeakValueDictionary<String, Obj> = ConcurrentWeakValueDictionary::new();
    /// let r: Result<_, std::io::Error> =
    ///     d.try_get_or_insert_with_key("a", str::to_owned, || Ok(Arc::new(Obj { header: Header::new() })));
    /// let a = r.unwrap();
    /// assert!(Arc::ptr_eq(&d.get("a").unwrap(), &a));
    /// ```
    pub fn try_get_or_insert_with_key<Q, E>(
        &self,
        key: &Q,
        make_key: impl FnOnce(&Q) -> K,
        make: impl FnOnce() -> Result<Arc<V>, E>,
    ) -> Result<Arc<V>, E>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let hash = self.hash_builder.hash_one(key);
        match self.lookup(hash, key) {
            Lookup::Hit(value) => return Ok(value),
            Lookup::Wait(load) => {
                if let Some(value) = load.wait() {
                    return Ok(value);
                }
            }
            Lookup::Miss => {}
        }
        self.load_slow(hash, make_key(key), make)
    }
}
