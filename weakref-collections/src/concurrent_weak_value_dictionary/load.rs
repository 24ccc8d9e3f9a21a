//! Once-per-key loading: the engine of `get_or_insert_with` and its
//! variants.
//!
//! A caller that misses inserts a *placeholder* slot for the key
//! ([`State::Loading`]) holding a shared [`Load`], and becomes its *loader*:
//! it runs `make` with no lock held, then *publishes* the value (the slot
//! becomes an entry, the load is `Ready`) or, if `make` failed or panicked,
//! *unloads* (the slot is removed, the load is `Failed`). Other callers for
//! the key find the placeholder, clone the `Load` and block on its condition
//! variable, holding no shard lock, so callers of every other key (of this
//! shard too) go on. A `Failed` load sends each waiter back to the start:
//! the first to take the shard's write lock inserts a new placeholder and
//! runs its own `make`, the others wait on that one.
//!
//! Invariant: a placeholder for a load is in its shard exactly while the
//! load is `Pending`; both change together, under the shard's write lock
//! (publish, unload, or an `insert` that provides the value itself).

use core::convert::Infallible;
use core::hash::{BuildHasher, Hash};
use core::mem;
use std::sync::Arc as LoadArc;

use weakref_core::Referent;

use super::ConcurrentWeakValueDictionary;
use super::shard::{Shard, Slot, State};
use crate::sync::{Arc, Condvar, Mutex, ThreadId, current_thread, unpoison};

/// The value of a key being made, shared by its loader and its waiters.
pub(super) struct Load<V: ?Sized> {
    outcome: Mutex<Outcome<V>>,
    settled: Condvar,
    /// The loader's thread: a waiter on it is a `make` asking for its own
    /// key, which would wait forever.
    loader: ThreadId,
}

enum Outcome<V: ?Sized> {
    Pending,
    Ready(Arc<V>),
    Failed,
}

impl<V: ?Sized> Load<V> {
    fn new() -> LoadArc<Self> {
        LoadArc::new(Load {
            outcome: Mutex::new(Outcome::Pending),
            settled: Condvar::new(),
            loader: current_thread(),
        })
    }

    /// Settles a pending load (under its shard's write lock): `Some` value,
    /// or `None` for a failed `make`. Wakes every waiter.
    pub(super) fn settle(&self, value: Option<&Arc<V>>) {
        let mut outcome = unpoison(self.outcome.lock());
        if let Outcome::Pending = *outcome {
            *outcome = value.map_or(Outcome::Failed, |value| Outcome::Ready(Arc::clone(value)));
            self.settled.notify_all();
        }
    }

    /// The value an `insert` gave the key while the loader ran, if any.
    fn inserted(&self) -> Option<Arc<V>> {
        match &*unpoison(self.outcome.lock()) {
            Outcome::Ready(value) => Some(Arc::clone(value)),
            Outcome::Pending | Outcome::Failed => None,
        }
    }

    /// Blocks until the load settles (the caller holds no shard lock): the
    /// value, or `None` if `make` failed.
    ///
    /// # Panics
    /// If called on the loader's own thread: its `make` asked for the key
    /// it is making, which would never finish.
    pub(super) fn wait(&self) -> Option<Arc<V>> {
        assert!(
            self.loader != current_thread(),
            "ConcurrentWeakValueDictionary: `make` asked for the key it is making \
             (a recursive get_or_insert_with would wait for itself forever)"
        );
        let mut outcome = unpoison(self.outcome.lock());
        loop {
            match &*outcome {
                Outcome::Pending => outcome = unpoison(self.settled.wait(outcome)),
                Outcome::Ready(value) => return Some(Arc::clone(value)),
                Outcome::Failed => return None,
            }
        }
    }
}

/// What a lookup under the read lock found.
pub(super) enum Lookup<V: ?Sized> {
    Hit(Arc<V>),
    Wait(LoadArc<Load<V>>),
    Miss,
}

/// What a caller that missed gets under the write lock.
enum Claim<K, V: ?Sized> {
    /// The key has a live value (it appeared since the lookup).
    Found(Arc<V>),
    /// Another loader is making it: wait, then retry with the key.
    Wait(LoadArc<Load<V>>, K),
    /// This caller is the key's loader.
    Load(LoadArc<Load<V>>),
}

/// Removes a loader's placeholder if `make` fails or panics (drop guard).
struct Unload<'a, K, V: ?Sized + Referent> {
    shard: &'a Shard<K, V>,
    hash: u64,
    load: &'a LoadArc<Load<V>>,
}

impl<K, V: ?Sized + Referent> Drop for Unload<'_, K, V> {
    fn drop(&mut self) {
        let mut dead = Vec::new();
        let mut removed = None;
        {
            let mut table = self.shard.write(&mut dead);
            if let Ok(found) =
                table.find_entry(self.hash, |slot| is_placeholder_of(slot, self.load))
            {
                removed = Some(found.remove().0);
            }
            self.load.settle(None);
        }
        drop(removed);
        self.shard.settle(dead);
    }
}

fn is_placeholder_of<K, V: ?Sized + Referent>(slot: &Slot<K, V>, load: &LoadArc<Load<V>>) -> bool {
    matches!(&slot.state, State::Loading(ours) if LoadArc::ptr_eq(ours, load))
}

impl<K, V, S> ConcurrentWeakValueDictionary<K, V, S>
where
    K: Hash + Eq,
    V: ?Sized + Referent,
    S: BuildHasher,
{
    /// The slow path of every `get_or_insert_with` variant: `key` (hashed to
    /// `hash`) missed, or the load it waited for failed.
    pub(super) fn load_slow<E>(
        &self,
        hash: u64,
        key: K,
        make: impl FnOnce() -> Result<Arc<V>, E>,
    ) -> Result<Arc<V>, E> {
        let shard = self.shard(hash);
        let mut key = key;
        loop {
            match claim(shard, hash, key) {
                Claim::Found(value) => return Ok(value),
                Claim::Load(load) => return run(shard, hash, &load, make),
                Claim::Wait(load, spare) => match load.wait() {
                    Some(value) => {
                        drop(spare);
                        return Ok(value);
                    }
                    None => key = spare,
                },
            }
        }
    }

    /// `get_or_insert_with` for callers whose `make` cannot fail.
    pub(super) fn load_infallible(
        &self,
        hash: u64,
        key: K,
        make: impl FnOnce() -> Arc<V>,
    ) -> Arc<V> {
        match self.load_slow(hash, key, || Ok::<_, Infallible>(make())) {
            Ok(value) => value,
            Err(never) => match never {},
        }
    }
}

/// Under the write lock: the key's live value, its running load, or a new
/// placeholder that makes the caller the loader. A dead entry becomes the
/// placeholder (and keeps its stored key).
fn claim<K: Eq, V: ?Sized + Referent>(shard: &Shard<K, V>, hash: u64, key: K) -> Claim<K, V> {
    let fresh = Load::new();
    let mut dead = Vec::new();
    let mut spare = None;
    let claim = {
        let mut table = shard.write(&mut dead);
        match table.find_entry(hash, |slot| slot.hash == hash && slot.key == key) {
            Ok(mut found) => {
                let slot = found.get_mut();
                match &slot.state {
                    State::Live(armed) => {
                        spare = Some(key);
                        match armed.get() {
                            Some(value) => Claim::Found(value),
                            None => {
                                let placeholder = State::Loading(LoadArc::clone(&fresh));
                                if let State::Live(armed) =
                                    mem::replace(&mut slot.state, placeholder)
                                {
                                    shard.ledger.disarm(armed);
                                }
                                Claim::Load(fresh)
                            }
                        }
                    }
                    State::Loading(load) => Claim::Wait(LoadArc::clone(load), key),
                }
            }
            Err(absent) => {
                let state = State::Loading(LoadArc::clone(&fresh));
                let slot = Slot { hash, key, state };
                absent
                    .into_table()
                    .insert_unique(hash, slot, |slot| slot.hash);
                Claim::Load(fresh)
            }
        }
    };
    // User code after unlocking: the spare key's `Drop`, dead entries' keys.
    drop(spare);
    shard.settle(dead);
    claim
}

/// The loader: runs `make` with no lock held, then publishes its value, or
/// unloads (on `Err` or a panic) so that a waiter can try its own `make`.
fn run<K, V: ?Sized + Referent, E>(
    shard: &Shard<K, V>,
    hash: u64,
    load: &LoadArc<Load<V>>,
    make: impl FnOnce() -> Result<Arc<V>, E>,
) -> Result<Arc<V>, E> {
    let unload = Unload { shard, hash, load };
    let value = make()?;
    mem::forget(unload);
    Ok(publish(shard, hash, load, value))
}

/// Makes the loader's placeholder an entry for `value`, and wakes the
/// waiters. If an `insert` gave the key a value meanwhile, that value wins
/// (every caller gets the one value of the key) and `value` is dropped.
fn publish<K, V: ?Sized + Referent>(
    shard: &Shard<K, V>,
    hash: u64,
    load: &LoadArc<Load<V>>,
    value: Arc<V>,
) -> Arc<V> {
    let armed = shard.ledger.arm(&value, hash);
    let mut dead = Vec::new();
    let (mut unused, mut placeholder) = (None, None);
    let winner = {
        let mut table = shard.write(&mut dead);
        if let Some(inserted) = load.inserted() {
            unused = Some(armed);
            inserted
        } else {
            let slot = table
                .find_mut(hash, |slot| is_placeholder_of(slot, load))
                .expect("a pending load keeps its placeholder");
            placeholder = Some(mem::replace(&mut slot.state, State::Live(armed)));
            shard.ledger.count();
            load.settle(Some(&value));
            Arc::clone(&value)
        }
    };
    if let Some(armed) = unused {
        armed.discard();
    }
    drop(placeholder);
    drop(value);
    shard.settle(dead);
    winner
}
