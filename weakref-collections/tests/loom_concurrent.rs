//! loom models of `ConcurrentWeakValueDictionary`
//! (`src/concurrent_weak_value_dictionary/`): its shard lock, death ledger,
//! live counts and once-per-key loads, against the core's weak reference
//! protocol and the referents' `Arc` (all loom's under `cfg(loom)`).
//! Checked in every interleaving: a death racing `get_or_insert_with` (the
//! caller gets the old value alive or a new one, never a dead one, and `len`
//! is exact), two callers of one missing key (one `make`, one value), a
//! failing or panicking `make` with a waiter (no entry left; the waiter
//! makes its own), and stale deaths racing `insert` and `remove`
//! (semantics 16). Two-thread models are unbounded unless
//! `LOOM_MAX_PREEMPTIONS` is set (`scripts/loom.sh --ci` sets 3).
//!
//! Run: `bash scripts/loom.sh`, or
//! `RUSTFLAGS="--cfg loom" cargo test -p weakref-collections --test loom_concurrent --release`
#![cfg(loom)]

use std::hash::{BuildHasherDefault, DefaultHasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
// Plain std atomics: read only after the join.
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
// The referents' `Arc` is the core's loom model of std's (see its docs).
use weakref_core::__loom::Arc;

use loom::thread;
use weakref_collections::ConcurrentWeakValueDictionary;
use weakref_core::{Header, Referent};

/// Births and drops of the values, to check each is dropped once.
#[derive(Default, Debug)]
struct Census {
    made: AtomicUsize,
    dropped: AtomicUsize,
}

impl Census {
    fn made(&self) -> usize {
        self.made.load(SeqCst)
    }

    fn alive(&self) -> usize {
        self.made() - self.dropped.load(SeqCst)
    }
}

#[derive(Referent)]
struct Obj {
    id: u32,
    census: Arc<Census>,
    header: Header,
}

impl Drop for Obj {
    fn drop(&mut self) {
        self.census.dropped.fetch_add(1, SeqCst);
    }
}

fn obj(id: u32, census: &Arc<Census>) -> Arc<Obj> {
    census.made.fetch_add(1, SeqCst);
    Arc::new(Obj {
        id,
        census: Arc::clone(census),
        header: Header::new(),
    })
}

/// One shard and a fixed hasher: loom replays each execution, so nothing
/// may depend on a random seed.
type Dict = ConcurrentWeakValueDictionary<u32, Obj, BuildHasherDefault<DefaultHasher>>;

fn dict() -> Arc<Dict> {
    Arc::new(Dict::with_capacity_and_hasher_and_shard_amount(
        0,
        BuildHasherDefault::default(),
        1,
    ))
}

/// `len()` agrees with iteration, and survives consuming the ledger.
fn check(d: &Dict, live: usize) {
    assert_eq!(d.len(), live, "len is exact");
    assert_eq!(d.iter().count(), live, "iteration finds the live entries");
    d.shrink_to_fit();
    assert_eq!(d.len(), live, "len is exact after consuming the deaths");
}

#[test]
fn death_races_get_or_insert_with() {
    loom::model(|| {
        let census = Arc::new(Census::default());
        let d = dict();
        let doomed = obj(1, &census);
        d.insert(1, &doomed);
        let t = thread::spawn(move || drop(doomed));
        // The old value if it was still alive (then this keeps it alive),
        // else a new one: never a dead one.
        let got = d.get_or_insert_with(1, || obj(2, &census));
        t.join().unwrap();
        assert!(Arc::ptr_eq(&d.get(&1).unwrap(), &got));
        check(&d, 1);
        let made = census.made();
        assert_eq!(made, if got.id == 1 { 1 } else { 2 });
        drop(got);
        check(&d, 0);
        assert_eq!(census.alive(), 0);
    });
}

#[test]
fn two_callers_of_one_missing_key_make_once() {
    loom::model(|| {
        let census = Arc::new(Census::default());
        let d = dict();
        let (d2, c2) = (Arc::clone(&d), Arc::clone(&census));
        let t = thread::spawn(move || d2.get_or_insert_with(1, || obj(1, &c2)));
        let mine = d.get_or_insert_with(1, || obj(1, &census));
        let theirs = t.join().unwrap();
        assert!(Arc::ptr_eq(&mine, &theirs), "one value per key");
        assert_eq!(census.made(), 1, "make ran once");
        check(&d, 1);
        drop((mine, theirs));
        check(&d, 0);
    });
}

#[test]
fn a_failing_make_with_a_waiter() {
    loom::model(|| {
        let census = Arc::new(Census::default());
        let d = dict();
        let (d2, c2) = (Arc::clone(&d), Arc::clone(&census));
        let t = thread::spawn(move || d2.get_or_insert_with(1, || obj(1, &c2)));
        // Fails if it is the loader; finds the other's value otherwise.
        let mine = d.try_get_or_insert_with(1, || Err("failed"));
        let theirs = t.join().unwrap();
        if let Ok(mine) = &mine {
            assert!(Arc::ptr_eq(mine, &theirs));
        }
        assert_eq!(census.made(), 1, "the waiter made its own");
        check(&d, 1);
        drop((mine, theirs));
        check(&d, 0);
    });
}

#[test]
fn a_panicking_make_with_a_waiter() {
    loom::model(|| {
        let census = Arc::new(Census::default());
        let d = dict();
        let (d2, c2) = (Arc::clone(&d), Arc::clone(&census));
        let t = thread::spawn(move || d2.get_or_insert_with(1, || obj(1, &c2)));
        let mine = catch_unwind(AssertUnwindSafe(|| {
            d.get_or_insert_with(1, || std::panic::panic_any("make panicked"))
        }));
        let theirs = t.join().unwrap();
        if let Ok(mine) = &mine {
            assert!(Arc::ptr_eq(mine, &theirs));
        }
        assert_eq!(census.made(), 1);
        check(&d, 1);
        drop((mine, theirs));
        check(&d, 0);
    });
}

#[test]
fn stale_death_races_insert_over_the_key() {
    loom::model(|| {
        let census = Arc::new(Census::default());
        let d = dict();
        let old = obj(1, &census);
        d.insert(1, &old);
        let new = obj(2, &census);
        let t = thread::spawn(move || drop(old));
        let previous = d.insert(1, &new);
        drop(previous);
        t.join().unwrap();
        // The old value's death, recorded before or after the rebinding,
        // never touches the new entry.
        assert!(Arc::ptr_eq(&d.get(&1).unwrap(), &new));
        check(&d, 1);
        drop(new);
        check(&d, 0);
        assert_eq!(census.alive(), 0);
    });
}

#[test]
fn remove_races_death() {
    loom::model(|| {
        let census = Arc::new(Census::default());
        let d = dict();
        let (doomed, kept) = (obj(1, &census), obj(2, &census));
        d.insert(1, &doomed);
        d.insert(2, &kept);
        let t = thread::spawn(move || drop(doomed));
        // `remove` upgrades first: if it got the value, it kept it alive.
        drop(d.remove(&1));
        t.join().unwrap();
        check(&d, 1);
        // A death counted out by its hook, or by the removal's cancel,
        // exactly once: a new entry is counted normally.
        let again = obj(3, &census);
        d.insert(1, &again);
        check(&d, 2);
        drop((kept, again));
        check(&d, 0);
    });
}

#[test]
fn death_races_a_reader_and_clear() {
    loom::model(|| {
        let census = Arc::new(Census::default());
        let d = dict();
        let (doomed, kept) = (obj(1, &census), obj(2, &census));
        d.insert(1, &doomed);
        d.insert(2, &kept);
        let d2 = Arc::clone(&d);
        let t = thread::spawn(move || {
            // A reader's temporary may be the last strong reference: the
            // value then dies on this thread, outside the shard lock.
            let seen = d2.get(&1);
            drop(doomed);
            drop(seen);
        });
        d.clear();
        t.join().unwrap();
        check(&d, 0);
        d.insert(2, &kept);
        check(&d, 1);
        drop(kept);
        check(&d, 0);
    });
}
