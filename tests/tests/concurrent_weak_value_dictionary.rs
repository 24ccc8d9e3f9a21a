//! `ConcurrentWeakValueDictionary`: the `WeakValueDictionary` behaviours
//! that apply to a `&self` map (CPython's `MappingTestCase` weak-valued
//! cases), then what only a concurrent map has: one `make` per missing key
//! however many threads ask, other keys served while a `make` runs, a
//! panicking or failing `make` with waiters, stale deaths and `len` under
//! threads (DESIGN semantics 13, 16, 17, 23). Thread counts are small under
//! Miri.

use std::hash::{Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Barrier, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use weakref::{ConcurrentWeakValueDictionary, Header, Ref, Referent, getweakrefcount};

#[derive(Referent, Debug, PartialEq, Eq, Hash)]
struct Object {
    arg: u32,
    header: Header,
}

fn object(arg: u32) -> Arc<Object> {
    Arc::new(Object {
        arg,
        header: Header::new(),
    })
}

type Dict = ConcurrentWeakValueDictionary<u32, Object>;

/// `n`, or a few under Miri.
fn scaled(n: usize) -> usize {
    if cfg!(miri) { n.min(4) } else { n }
}

const COUNT: u32 = 10;

/// CPython's `make_weak_valued_dict`.
fn make_weak_valued_dict() -> (Dict, Vec<Arc<Object>>) {
    let objects: Vec<_> = (0..COUNT).map(object).collect();
    let dict = Dict::new();
    for o in &objects {
        dict.insert(o.arg, o);
    }
    (dict, objects)
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_values
#[test]
fn weak_values() {
    let (dict, mut objects) = make_weak_valued_dict();
    assert_eq!(dict.len(), COUNT as usize);
    for o in &objects {
        assert_eq!(getweakrefcount(o), 1);
        assert!(Arc::ptr_eq(&dict.get(&o.arg).unwrap(), o));
    }
    let o = objects.pop().unwrap();
    drop(objects);
    assert_eq!(dict.len(), 1);
    assert_eq!(dict.keys().collect::<Vec<_>>(), [o.arg]);
    drop(o);
    assert!(dict.is_empty());
    assert!(dict.get(&(COUNT - 1)).is_none());
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_valued_iters
#[test]
fn snapshots_agree_with_the_live_entries() {
    let (dict, objects) = make_weak_valued_dict();
    let mut keys: Vec<_> = dict.keys().collect();
    keys.sort_unstable();
    assert_eq!(keys, (0..COUNT).collect::<Vec<_>>());
    let mut items: Vec<_> = dict.iter().map(|(k, v)| (k, v.arg)).collect();
    items.sort_unstable();
    assert!(items.iter().all(|(k, arg)| k == arg));
    assert_eq!(items.len(), COUNT as usize);
    assert_eq!(dict.values().len(), COUNT as usize);
    assert_eq!((&dict).into_iter().count(), COUNT as usize);
    drop(objects);
    assert_eq!(dict.iter().count(), 0);
    assert_eq!(dict.values().count(), 0);
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_values_destroy_while_iterating
// A snapshot holds strong values: the entries it lists stay alive while
// it lives, whatever their other owners do.
#[test]
fn a_snapshot_keeps_its_values_alive() {
    let (dict, objects) = make_weak_valued_dict();
    let mut snapshot = dict.iter();
    let first = snapshot.next().unwrap();
    drop(objects);
    assert_eq!(dict.len(), COUNT as usize);
    drop(snapshot);
    assert_eq!(dict.len(), 1);
    drop(first);
    assert!(dict.is_empty());
}

#[test]
fn from_pairs_and_clone() {
    let objects: Vec<_> = (0..COUNT).map(object).collect();
    let dict: Dict = objects.iter().map(|o| (o.arg, Arc::clone(o))).collect();
    assert_eq!(dict.len(), COUNT as usize);
    let copy = dict.clone();
    assert_eq!(copy.len(), COUNT as usize);
    assert_eq!(copy.shard_amount(), dict.shard_amount());
    for o in &objects {
        assert!(Arc::ptr_eq(&copy.get(&o.arg).unwrap(), o));
        assert_eq!(
            getweakrefcount(o),
            2,
            "each dictionary holds one weak reference"
        );
    }
    drop(objects);
    assert!(dict.is_empty() && copy.is_empty());
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_valued_dict_setdefault
#[test]
fn setdefault() {
    let (a, b) = (object(1), object(2));
    let dict = Dict::new();
    assert!(Arc::ptr_eq(&dict.setdefault(1, &a), &a));
    assert!(Arc::ptr_eq(&dict.setdefault(1, &b), &a));
    drop(a);
    assert!(Arc::ptr_eq(&dict.setdefault(1, &b), &b));
    assert_eq!(dict.len(), 1);
}

#[test]
fn get_or_insert_with_makes_only_on_a_miss() {
    let dict = Dict::new();
    let made = AtomicUsize::new(0);
    let make = |n| {
        made.fetch_add(1, SeqCst);
        object(n)
    };
    let first = dict.get_or_insert_with(7, || make(7));
    let again = dict.get_or_insert_with(7, || make(7));
    assert!(Arc::ptr_eq(&first, &again));
    assert_eq!(made.load(SeqCst), 1);
    drop((first, again));
    assert!(dict.is_empty());
    let _third = dict.get_or_insert_with(7, || make(7));
    assert_eq!(made.load(SeqCst), 2);
    assert_eq!(dict.len(), 1);
}

#[test]
fn get_or_insert_with_key_makes_the_key_only_on_a_miss() {
    let dict: ConcurrentWeakValueDictionary<String, Object> = ConcurrentWeakValueDictionary::new();
    let keys_made = AtomicUsize::new(0);
    let intern = |name: &str| {
        dict.get_or_insert_with_key(
            name,
            |name| {
                keys_made.fetch_add(1, SeqCst);
                name.to_owned()
            },
            || object(name.len() as u32),
        )
    };
    let a = intern("abc");
    let b = intern("abc");
    assert!(Arc::ptr_eq(&a, &b));
    assert_eq!(keys_made.load(SeqCst), 1);
    assert_eq!(a.arg, 3);
    let r = dict.try_get_or_insert_with_key("abc", |_| unreachable!(), || Err::<_, ()>(()));
    assert!(Arc::ptr_eq(&r.unwrap(), &a));
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_valued_dict_update
#[test]
fn update() {
    let (a, b) = (object(1), object(2));
    let mut dict = Dict::new();
    dict.extend([(1, &a), (2, &b)]);
    dict.extend([(3, object(3))]);
    assert_eq!(dict.len(), 2, "the third value died at once");
    assert!(Arc::ptr_eq(&dict.get(&2).unwrap(), &b));
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_valued_delitem
#[test]
fn remove() {
    let (a, b) = (object(1), object(2));
    let dict = Dict::new();
    dict.insert(1, &a);
    dict.insert(2, &b);
    assert!(Arc::ptr_eq(&dict.remove(&1).unwrap(), &a));
    assert_eq!(dict.len(), 1);
    assert!(dict.remove(&1).is_none());
    assert_eq!(dict.remove_entry(&2).map(|(k, _)| k), Some(2));
    assert!(dict.is_empty());
    assert_eq!(
        getweakrefcount(&a),
        0,
        "a removed entry's weak reference is gone"
    );
}

#[test]
fn remove_of_a_dead_value_returns_none_and_removes_the_entry() {
    let dict = Dict::new();
    dict.insert(1, &object(1));
    assert!(dict.remove(&1).is_none());
    assert!(dict.is_empty());
    let fresh = object(2);
    dict.insert(1, &fresh);
    assert_eq!(dict.len(), 1);
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_valued_consistency
// (semantics 16): the old value of key 10 dies after the key was rebound.
#[test]
fn stale_death_after_replacement_never_removes_the_new_entry() {
    let dict = Dict::new();
    let old = object(1);
    dict.insert(10, &old);
    let new = object(2);
    assert!(Arc::ptr_eq(&dict.insert(10, &new).unwrap(), &old));
    drop(old);
    assert_eq!(dict.len(), 1);
    dict.shrink_to_fit();
    assert!(Arc::ptr_eq(&dict.get(&10).unwrap(), &new));
    assert_eq!(dict.len(), 1);
}

#[test]
fn replacing_with_the_same_value_keeps_one_weak_reference() {
    let a = object(1);
    let dict = Dict::new();
    dict.insert(1, &a);
    assert!(Arc::ptr_eq(&dict.insert(1, &a).unwrap(), &a));
    assert_eq!(getweakrefcount(&a), 1);
    assert_eq!(dict.len(), 1);
}

/// A key with an id and a tag: equal and hashed by `id` only, so a test can
/// tell which of two equal keys a dictionary kept.
#[derive(Debug, Clone)]
struct Tagged {
    id: u32,
    tag: &'static str,
}

impl PartialEq for Tagged {
    fn eq(&self, other: &Tagged) -> bool {
        self.id == other.id
    }
}
impl Eq for Tagged {}
impl Hash for Tagged {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

#[test]
fn insert_keeps_the_stored_key() {
    let (a, b) = (object(1), object(2));
    let dict = ConcurrentWeakValueDictionary::new();
    dict.insert(
        Tagged {
            id: 1,
            tag: "first",
        },
        &a,
    );
    dict.insert(
        Tagged {
            id: 1,
            tag: "second",
        },
        &b,
    );
    let keys: Vec<_> = dict.keys().collect();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].tag, "first");
}

/// A key that counts its drops.
struct CountedKey {
    id: u32,
    drops: Arc<AtomicUsize>,
    /// What else the key owns (to build cascades).
    _next: Option<Arc<Object>>,
}

impl PartialEq for CountedKey {
    fn eq(&self, other: &CountedKey) -> bool {
        self.id == other.id
    }
}
impl Eq for CountedKey {}
impl Hash for CountedKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}
impl Drop for CountedKey {
    fn drop(&mut self) {
        self.drops.fetch_add(1, SeqCst);
    }
}

// Semantics 13, for a sharded map: a dead entry's key is dropped by the
// next write to its shard (one shard here, so by the next write at all).
#[test]
fn dead_entry_keys_are_dropped_by_the_next_write_to_their_shard() {
    let drops = Arc::new(AtomicUsize::new(0));
    let key = |id| CountedKey {
        id,
        drops: Arc::clone(&drops),
        _next: None,
    };
    let dict = ConcurrentWeakValueDictionary::with_shard_amount(1);
    let (a, b) = (object(1), object(2));
    dict.insert(key(1), &a);
    drop(a);
    assert_eq!(dict.len(), 0);
    assert!(dict.get(&key(1)).is_none());
    let probes = drops.load(SeqCst);
    assert_eq!(probes, 1, "only the probe key went");
    dict.insert(key(2), &b);
    assert_eq!(drops.load(SeqCst), 2, "the dead entry's key went");
    drop(dict);
    assert_eq!(drops.load(SeqCst), 3);
}

#[test]
fn retain_and_clear() {
    let objects: Vec<_> = (0..COUNT).map(object).collect();
    let dict: Dict = objects.iter().map(|o| (o.arg, Arc::clone(o))).collect();
    dict.retain(|k, v| {
        assert_eq!(*k, v.arg);
        k % 2 == 0
    });
    assert_eq!(dict.len(), COUNT as usize / 2);
    assert!(dict.contains_key(&2) && !dict.contains_key(&3));
    assert_eq!(getweakrefcount(&objects[3]), 0);
    dict.clear();
    assert!(dict.is_empty());
    assert!(objects.iter().all(|o| getweakrefcount(o) == 0));
}

#[test]
fn debug_shows_the_live_entries() {
    let a = object(1);
    let dict = Dict::new();
    dict.insert(1, &a);
    dict.insert(2, &object(2));
    assert_eq!(format!("{dict:?}"), format!("{{1: {a:?}}}"));
}

// A key's `Drop` (run when its dead entry is consumed) kills the value of
// the next key, and so on: the cascade finishes within the write that
// consumed the first death, iteratively.
#[test]
fn cascade_of_deaths_finishes_in_one_write() {
    const N: u32 = if cfg!(miri) { 30 } else { 1000 };
    let drops = Arc::new(AtomicUsize::new(0));
    let values: Vec<_> = (0..N).map(object).collect();
    let dict = ConcurrentWeakValueDictionary::with_shard_amount(1);
    for (i, v) in values.iter().enumerate() {
        // Key i holds the only strong reference to value i + 1.
        let key = CountedKey {
            id: i as u32,
            drops: Arc::clone(&drops),
            _next: values.get(i + 1).cloned(),
        };
        dict.insert(key, v);
    }
    drop(values);
    assert_eq!(dict.len(), N as usize - 1);
    let keep = object(u32::MAX);
    let key = |id| CountedKey {
        id,
        drops: Arc::clone(&drops),
        _next: None,
    };
    dict.insert(key(u32::MAX), &keep); // consumes value 0's death: kills all
    assert_eq!(dict.len(), 1);
    assert_eq!(
        drops.load(SeqCst),
        N as usize,
        "every dead entry's key dropped"
    );
}

// Deaths inside callbacks: a callback of a dying value uses the dictionary
// (its bookkeeping for the death is done when the callback runs).
#[test]
fn callback_touching_the_dictionary() {
    let dict = Arc::new(Dict::new());
    let (a, b) = (object(1), object(2));
    dict.insert(1, &a);
    dict.insert(2, &b);
    let seen = Arc::new(Mutex::new(None));
    let (d, s) = (Arc::clone(&dict), Arc::clone(&seen));
    let _r = Ref::with_callback(&a, move |_| {
        let fresh = object(3);
        d.insert(3, &fresh);
        let with_fresh = d.len();
        drop(fresh);
        *s.lock().unwrap() = Some((with_fresh, d.len(), d.get(&1).is_none()));
    });
    drop(a);
    assert_eq!(*seen.lock().unwrap(), Some((2, 1, true)));
    assert_eq!(dict.len(), 1);
}

/// A value whose `Drop` uses the dictionary it is in.
#[derive(Referent)]
struct Reentrant {
    dict: Arc<ConcurrentWeakValueDictionary<u32, Reentrant>>,
    header: Header,
}

impl Drop for Reentrant {
    fn drop(&mut self) {
        let _ = self.dict.get(&1);
        let _ = self.dict.len();
        self.dict.remove(&99);
        self.dict.shrink_to_fit();
    }
}

// No value is dropped while a shard lock is held: a value whose `Drop`
// uses the dictionary, dying on every path that can drop a value.
#[test]
fn a_value_whose_drop_uses_the_dictionary_never_deadlocks() {
    let dict = Arc::new(ConcurrentWeakValueDictionary::with_shard_amount(1));
    let value = || {
        Arc::new(Reentrant {
            dict: Arc::clone(&dict),
            header: Header::new(),
        })
    };
    dict.insert(1, &value()); // dies right after
    let a = value();
    dict.insert(1, &a);
    drop(dict.insert(1, &value())); // the old value dies, returned
    drop(dict.remove(&1));
    drop(dict.get_or_insert_with(2, value));
    drop(dict.iter());
    drop(dict.values());
    let b = value();
    dict.insert(3, &b);
    let copy = dict.clone();
    drop(b);
    drop(copy);
    dict.retain(|_, _| false);
    drop(a);
    assert!(dict.is_empty());
}

#[test]
fn unsized_values() {
    trait Shape: Referent + Send + Sync {
        fn area(&self) -> u32;
    }
    #[derive(Referent)]
    struct Square(u32, Header);
    impl Shape for Square {
        fn area(&self) -> u32 {
            self.0 * self.0
        }
    }
    let s: Arc<dyn Shape> = Arc::new(Square(3, Header::new()));
    let dict: ConcurrentWeakValueDictionary<&str, dyn Shape> = ConcurrentWeakValueDictionary::new();
    dict.insert("sq", &s);
    assert_eq!(dict.get("sq").unwrap().area(), 9);
    let again = dict.get_or_insert_with("sq", || unreachable!());
    assert!(Arc::ptr_eq(&again, &s));
    drop((s, again));
    assert!(dict.is_empty());
}

#[test]
fn send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<ConcurrentWeakValueDictionary<String, Object>>();
    check::<<&ConcurrentWeakValueDictionary<String, Object> as IntoIterator>::IntoIter>();
}

// DESIGN 9b: a value moved out of its `Arc` is dead at once; its entry is
// counted out when the moved value is dropped.
#[test]
fn value_moved_out_of_its_arc() {
    let (a, b) = (object(1), object(2));
    let dict = Dict::new();
    dict.insert(1, &a);
    dict.insert(2, &b);
    let moved = Arc::try_unwrap(a).unwrap();
    assert!(!dict.contains_key(&1));
    assert!(dict.get(&1).is_none());
    assert_eq!(dict.iter().count(), 1);
    drop(moved);
    assert_eq!(dict.len(), 1);
    assert!(dict.remove(&1).is_none());
    assert_eq!(dict.len(), 1);
}

// ---- once per key ----

// The case: 8 threads ask for one missing key at once; `make` runs
// once and every thread gets its value.
#[test]
fn eight_threads_asking_for_one_missing_key_run_make_once() {
    let threads = scaled(8);
    let dict = Dict::new();
    let made = AtomicUsize::new(0);
    let start = Barrier::new(threads);
    let values: Vec<_> = thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    dict.get_or_insert_with(42, || {
                        made.fetch_add(1, SeqCst);
                        // Slow, so that the others arrive while it runs.
                        thread::sleep(Duration::from_millis(if cfg!(miri) { 1 } else { 50 }));
                        object(42)
                    })
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(made.load(SeqCst), 1);
    assert!(values.iter().all(|v| Arc::ptr_eq(v, &values[0])));
    assert_eq!(dict.len(), 1);
    drop(values);
    assert!(dict.is_empty());
}

// The case: a slow `make` for key A does not block key B, even in
// the same shard (one shard here): B is read, made, inserted and removed
// while A's `make` is parked until the test lets it go.
#[test]
fn a_slow_make_on_one_key_does_not_block_another() {
    let dict = ConcurrentWeakValueDictionary::<u32, Object>::with_shard_amount(1);
    let b = object(2);
    dict.insert(2, &b);
    let (release, parked) = mpsc::channel::<()>();
    let parked = Mutex::new(parked); // shared with the loader's thread
    let (started, running) = mpsc::channel::<()>();
    thread::scope(|s| {
        let loader = s.spawn(|| {
            dict.get_or_insert_with(1, || {
                started.send(()).unwrap();
                parked.lock().unwrap().recv().unwrap();
                object(1)
            })
        });
        running.recv().unwrap();
        // A's `make` is running (and parked): B is served meanwhile.
        assert!(Arc::ptr_eq(&dict.get(&2).unwrap(), &b));
        assert!(Arc::ptr_eq(
            &dict.get_or_insert_with(2, || unreachable!()),
            &b
        ));
        let c = dict.get_or_insert_with(3, || object(3));
        assert!(dict.contains_key(&3));
        assert_eq!(dict.len(), 2, "a placeholder is not an entry");
        assert!(dict.get(&1).is_none() && !dict.contains_key(&1));
        assert!(dict.remove(&1).is_none(), "remove leaves the placeholder");
        dict.clear();
        assert_eq!(dict.len(), 0);
        drop(c);
        release.send(()).unwrap();
        let a = loader.join().unwrap();
        assert_eq!(a.arg, 1);
        assert!(Arc::ptr_eq(&dict.get(&1).unwrap(), &a));
        assert_eq!(dict.len(), 1);
    });
}

// The case: a panicking `make` propagates to its caller, leaves no
// entry and wakes the waiters; one of them runs its own `make`.
#[test]
fn a_panicking_make_wakes_the_waiters_and_one_retries() {
    let waiters = scaled(4);
    let dict = Dict::new();
    let made = AtomicUsize::new(0);
    let (release, parked) = mpsc::channel::<()>();
    let parked = Mutex::new(parked); // shared with the loader's thread
    let (started, running) = mpsc::channel::<()>();
    thread::scope(|s| {
        let loader = s.spawn(|| {
            catch_unwind(AssertUnwindSafe(|| {
                dict.get_or_insert_with(1, || {
                    started.send(()).unwrap();
                    parked.lock().unwrap().recv().unwrap();
                    panic!("make failed");
                })
            }))
        });
        running.recv().unwrap();
        let handles: Vec<_> = (0..waiters)
            .map(|_| {
                s.spawn(|| {
                    dict.get_or_insert_with(1, || {
                        made.fetch_add(1, SeqCst);
                        object(1)
                    })
                })
            })
            .collect();
        // Let the waiters block on the running load (they retry correctly
        // whenever they arrive; this only makes the test meaningful).
        thread::sleep(Duration::from_millis(if cfg!(miri) { 1 } else { 50 }));
        release.send(()).unwrap();
        let panic = loader.join().unwrap().unwrap_err();
        assert_eq!(panic.downcast_ref::<&str>(), Some(&"make failed"));
        let values: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(
            made.load(SeqCst),
            1,
            "one waiter retried, the others got its value"
        );
        assert!(values.iter().all(|v| Arc::ptr_eq(v, &values[0])));
        assert_eq!(dict.len(), 1);
    });
}

#[test]
fn a_panicking_make_leaves_no_entry() {
    let dict = Dict::new();
    let r = catch_unwind(AssertUnwindSafe(|| {
        dict.get_or_insert_with(1, || panic!("no"))
    }));
    assert!(r.is_err());
    assert!(dict.is_empty() && !dict.contains_key(&1));
    let a = dict.get_or_insert_with(1, || object(1));
    assert!(Arc::ptr_eq(&dict.get(&1).unwrap(), &a));
}

#[test]
fn a_failing_try_make_wakes_the_waiters_and_one_retries() {
    let waiters = scaled(4);
    let dict = Dict::new();
    let made = AtomicUsize::new(0);
    let (release, parked) = mpsc::channel::<()>();
    let parked = Mutex::new(parked); // shared with the loader's thread
    let (started, running) = mpsc::channel::<()>();
    thread::scope(|s| {
        let loader = s.spawn(|| {
            dict.try_get_or_insert_with(1, || {
                started.send(()).unwrap();
                parked.lock().unwrap().recv().unwrap();
                Err("unavailable")
            })
        });
        running.recv().unwrap();
        let handles: Vec<_> = (0..waiters)
            .map(|_| {
                s.spawn(|| {
                    dict.try_get_or_insert_with(1, || {
                        made.fetch_add(1, SeqCst);
                        Ok::<_, &str>(object(1))
                    })
                })
            })
            .collect();
        thread::sleep(Duration::from_millis(if cfg!(miri) { 1 } else { 50 }));
        release.send(()).unwrap();
        assert_eq!(loader.join().unwrap().err(), Some("unavailable"));
        let values: Vec<_> = handles
            .into_iter()
            .map(|h| h.join().unwrap().unwrap())
            .collect();
        assert_eq!(made.load(SeqCst), 1);
        assert!(values.iter().all(|v| Arc::ptr_eq(v, &values[0])));
    });
}

// An `insert` while the key loads gives the key its value: the loader and
// its waiters all get the inserted value (one value per key).
#[test]
fn an_insert_while_loading_is_the_value_everyone_gets() {
    let dict = Dict::new();
    let inserted = object(100);
    let (release, parked) = mpsc::channel::<()>();
    let parked = Mutex::new(parked); // shared with the loader's thread
    let (started, running) = mpsc::channel::<()>();
    let made_ref = Mutex::new(None);
    thread::scope(|s| {
        let loader = s.spawn(|| {
            dict.get_or_insert_with(1, || {
                started.send(()).unwrap();
                parked.lock().unwrap().recv().unwrap();
                let made = object(1);
                *made_ref.lock().unwrap() = Some(Ref::new(&made));
                made
            })
        });
        running.recv().unwrap();
        assert!(dict.insert(1, &inserted).is_none());
        assert!(Arc::ptr_eq(&dict.get(&1).unwrap(), &inserted));
        release.send(()).unwrap();
        let got = loader.join().unwrap();
        assert!(Arc::ptr_eq(&got, &inserted));
    });
    let made_ref = made_ref.into_inner().unwrap().unwrap();
    assert!(!made_ref.is_alive(), "the made value was dropped");
    assert_eq!(dict.len(), 1);
}

#[test]
fn a_make_asking_for_its_own_key_panics_instead_of_waiting_forever() {
    let dict = Dict::new();
    let r = catch_unwind(AssertUnwindSafe(|| {
        dict.get_or_insert_with(1, || dict.get_or_insert_with(1, || object(1)))
    }));
    let panic = r.unwrap_err();
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .unwrap_or_else(|| panic.downcast_ref::<&str>().copied().unwrap_or_default());
    assert!(
        message.contains("asked for the key it is making"),
        "{message}"
    );
    assert!(dict.is_empty());
    // Another key from inside `make` is fine.
    let a = dict.get_or_insert_with(1, || {
        let b = dict.get_or_insert_with(2, || object(2));
        assert!(dict.contains_key(&2));
        drop(b);
        object(1)
    });
    assert_eq!(a.arg, 1);
}

// ---- deaths under threads ----

// Semantics 16 under threads (CPython's threaded_weak_valued_consistency,
// widened): threads rebind keys while other threads kill the old values;
// every key ends mapped to its newest value and `len` is exact.
#[test]
fn stale_deaths_under_threads_never_remove_newer_entries() {
    let threads = scaled(4);
    let rounds = scaled(500) as u32;
    let dict = Dict::new();
    thread::scope(|s| {
        for t in 0..threads as u32 {
            let dict = &dict;
            s.spawn(move || {
                let (tx, rx) = mpsc::channel::<Arc<Object>>();
                let killer = thread::spawn(move || rx.into_iter().for_each(drop));
                let key = t;
                let mut current = object(0);
                dict.insert(key, &current);
                for round in 1..=rounds {
                    let next = object(round);
                    dict.insert(key, &next);
                    // The old value dies on the killer thread, maybe after
                    // the next rebinding.
                    tx.send(std::mem::replace(&mut current, next)).unwrap();
                    let seen = dict.get(&key).expect("the newest value is alive");
                    assert_eq!(seen.arg, round);
                }
                drop(tx);
                killer.join().unwrap();
                assert_eq!(dict.get(&key).unwrap().arg, rounds);
                // Keep the final value alive until every thread checked.
                current
            });
        }
    });
    // The scoped threads returned their values, which died at the join.
    assert!(dict.is_empty());
}

// `len` while other threads kill values: it never grows while nothing is
// inserted, and is exact once they are done (CPython's len race, threaded).
#[test]
fn len_while_threads_kill_values() {
    let n = scaled(2000);
    let dict = Dict::new();
    let objects: Vec<_> = (0..n as u32).map(object).collect();
    for o in &objects {
        dict.insert(o.arg, o);
    }
    let (left, right): (Vec<_>, Vec<_>) = objects.into_iter().partition(|o| o.arg % 2 == 0);
    thread::scope(|s| {
        let a = s.spawn(move || left.into_iter().for_each(drop));
        let b = s.spawn(move || right.into_iter().for_each(drop));
        let mut last = dict.len();
        while !(a.is_finished() && b.is_finished()) {
            let now = dict.len();
            assert!(now <= last, "len grew from {last} to {now}");
            last = now;
        }
    });
    assert_eq!(dict.len(), 0);
    assert_eq!(dict.iter().count(), 0);
}

// Semantics 17: clone and iterate while other threads drop values; only
// live entries are copied, and the copy's `len` is exact at the end.
#[test]
fn clone_while_threads_drop_values() {
    let n = scaled(1000);
    let dict = Dict::new();
    let objects: Vec<_> = (0..n as u32).map(object).collect();
    for o in &objects {
        dict.insert(o.arg, o);
    }
    let (doomed, kept): (Vec<_>, Vec<_>) = objects.into_iter().partition(|o| o.arg % 3 != 0);
    let copy = thread::scope(|s| {
        s.spawn(move || doomed.into_iter().for_each(drop));
        let copy = dict.clone();
        for (k, v) in dict.iter() {
            assert_eq!(k, v.arg);
        }
        copy
    });
    assert_eq!(copy.len(), kept.len());
    assert_eq!(dict.len(), kept.len());
    for o in &kept {
        assert!(Arc::ptr_eq(&copy.get(&o.arg).unwrap(), o));
    }
}

// Mixed traffic on a few keys: interning, inserts, removals, deaths on
// every thread. Afterwards the dictionary maps exactly the live values.
#[test]
fn mixed_traffic_keeps_len_exact() {
    let threads = scaled(4);
    let rounds = scaled(2000) as u32;
    let dict = Dict::with_shard_amount(2);
    let kept: Vec<Arc<Object>> = thread::scope(|s| {
        let handles: Vec<_> = (0..threads as u32)
            .map(|t| {
                let dict = &dict;
                s.spawn(move || {
                    let mut hold = Vec::new();
                    for i in 0..rounds {
                        let key = (i * 7 + t) % 16;
                        match i % 5 {
                            0 => hold.push(dict.get_or_insert_with(key, || object(key))),
                            1 => drop(dict.get(&key)),
                            2 => drop(dict.remove(&key)),
                            3 => {
                                let fresh = object(key);
                                dict.insert(key, &fresh);
                                if i % 2 == 0 {
                                    hold.push(fresh);
                                }
                            }
                            _ => {
                                if hold.len() > 4 {
                                    hold.remove(0);
                                }
                            }
                        }
                    }
                    hold
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let live = dict.iter().count();
    assert_eq!(dict.len(), live);
    for (k, v) in dict.iter() {
        assert_eq!(k, v.arg);
    }
    drop(kept);
    assert_eq!(dict.len(), 0);
}

// ---- panic safety ----

/// A key whose `Hash`, `Eq` or `Clone` panics when armed.
#[derive(Debug)]
struct Touchy {
    id: u32,
    panic_on: &'static AtomicUsize,
}

const HASH: usize = 1;
const EQ: usize = 2;
const CLONE: usize = 3;

impl Hash for Touchy {
    fn hash<H: Hasher>(&self, state: &mut H) {
        assert_ne!(self.panic_on.load(SeqCst), HASH, "hash panicked");
        self.id.hash(state);
    }
}
impl PartialEq for Touchy {
    fn eq(&self, other: &Touchy) -> bool {
        assert_ne!(self.panic_on.load(SeqCst), EQ, "eq panicked");
        self.id == other.id
    }
}
impl Eq for Touchy {}
impl Clone for Touchy {
    fn clone(&self) -> Touchy {
        assert_ne!(self.panic_on.load(SeqCst), CLONE, "clone panicked");
        Touchy {
            id: self.id,
            panic_on: self.panic_on,
        }
    }
}

#[test]
fn panicking_hash_eq_and_clone_leave_the_dictionary_usable() {
    static PANIC_ON: AtomicUsize = AtomicUsize::new(0);
    let key = |id| Touchy {
        id,
        panic_on: &PANIC_ON,
    };
    let dict = ConcurrentWeakValueDictionary::with_shard_amount(1);
    let (a, b) = (object(1), object(2));
    dict.insert(key(1), &a);
    for what in [HASH, EQ, CLONE] {
        PANIC_ON.store(what, SeqCst);
        let r = catch_unwind(AssertUnwindSafe(|| {
            dict.insert(key(1), &b);
            drop(dict.get(&key(1)));
            drop(dict.get_or_insert_with(key(1), || object(9)));
            drop(dict.iter());
        }));
        assert!(r.is_err(), "case {what} panicked");
        PANIC_ON.store(0, SeqCst);
        // Still consistent and usable (a poisoned lock is recovered).
        assert_eq!(dict.len(), 1);
        let now = dict.get(&key(1)).unwrap();
        assert!(Arc::ptr_eq(&now, &a) || Arc::ptr_eq(&now, &b));
        assert_eq!(dict.iter().count(), 1);
    }
    dict.insert(key(2), &b);
    assert_eq!(dict.len(), 2);
    drop(a);
    drop(b);
    assert!(dict.is_empty());
}

// A key's `Eq` kills a value of the same dictionary while its shard is
// locked: the death only touches the ledger, so nothing deadlocks.
#[test]
fn a_death_inside_eq_under_the_shard_lock() {
    static VICTIM: Mutex<Option<Arc<Object>>> = Mutex::new(None);
    let dict = ConcurrentWeakValueDictionary::with_shard_amount(1);
    let (a, victim) = (object(1), object(2));
    dict.insert(KillOnEq(1), &a);
    dict.insert(KillOnEq(2), &victim);
    *VICTIM.lock().unwrap() = Some(victim);
    // Looking up key 3 compares it with keys 1 and 2 under the lock; the
    // first comparison drops the victim's last strong reference.
    assert!(dict.get(&KillOnEq(3)).is_none());
    assert!(dict.insert(KillOnEq(3), &a).is_none());
    assert_eq!(dict.len(), 2);
    assert!(!dict.contains_key(&KillOnEq(2)));

    #[derive(Debug)]
    struct KillOnEq(u32);
    impl PartialEq for KillOnEq {
        fn eq(&self, other: &KillOnEq) -> bool {
            drop(VICTIM.lock().unwrap().take());
            self.0 == other.0
        }
    }
    impl Eq for KillOnEq {}
    impl Hash for KillOnEq {
        fn hash<H: Hasher>(&self, state: &mut H) {
            0_u32.hash(state); // every key collides: `eq` runs
        }
    }
}

// ---- model-based ----

mod model {
    //! Random programs on a `ConcurrentWeakValueDictionary` (two shards),
    //! checked after every step against a `HashMap` of what is alive, as
    //! `dictionary_model.rs` does for `WeakValueDictionary`.

    use std::collections::HashMap;
    use std::sync::Arc;

    use proptest::prelude::*;
    use weakref::ConcurrentWeakValueDictionary;

    use super::{Object, object};

    const SLOTS: u8 = 6;
    const KEYS: u8 = 8;
    const MAX_OPS: usize = if cfg!(miri) { 24 } else { 80 };

    #[derive(Debug, Clone)]
    enum Op {
        /// Map key -> the object in slot (made if the slot is empty).
        Insert(u8, u8),
        Remove(u8),
        Get(u8),
        /// Drop the test's strong reference in a slot: the object dies.
        Kill(u8),
        /// `get_or_insert_with(key, the object in slot)`.
        Intern(u8, u8),
        /// Replace the dictionary by its clone.
        Clone,
        Clear,
        /// Keep the entries whose key has this parity.
        Retain(bool),
        ShrinkToFit,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (0..KEYS, 0..SLOTS).prop_map(|(k, s)| Op::Insert(k, s)),
            2 => (0..KEYS).prop_map(Op::Remove),
            2 => (0..KEYS).prop_map(Op::Get),
            4 => (0..SLOTS).prop_map(Op::Kill),
            3 => (0..KEYS, 0..SLOTS).prop_map(|(k, s)| Op::Intern(k, s)),
            1 => Just(Op::Clone),
            1 => Just(Op::Clear),
            1 => any::<bool>().prop_map(Op::Retain),
            1 => Just(Op::ShrinkToFit),
        ]
    }

    fn config() -> ProptestConfig {
        ProptestConfig {
            cases: if cfg!(miri) { 1 } else { 256 },
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn concurrent_dictionary_matches_model(ops in prop::collection::vec(op(), 1..MAX_OPS)) {
            let mut slots: Vec<Option<Arc<Object>>> = vec![None; SLOTS as usize];
            let mut next = 0;
            let mut get_or_make = |slots: &mut Vec<Option<Arc<Object>>>, s: u8| {
                Arc::clone(slots[s as usize].get_or_insert_with(|| {
                    next += 1;
                    object(next)
                }))
            };
            let mut d = ConcurrentWeakValueDictionary::<u8, Object>::with_shard_amount(2);
            // key -> arg of the value
            let mut model: HashMap<u8, u32> = HashMap::new();
            for op in ops {
                match op {
                    Op::Insert(k, s) => {
                        let o = get_or_make(&mut slots, s);
                        let old = d.insert(k, &o);
                        prop_assert_eq!(old.map(|o| o.arg), model.insert(k, o.arg));
                    }
                    Op::Remove(k) => {
                        prop_assert_eq!(d.remove(&k).map(|o| o.arg), model.remove(&k));
                    }
                    Op::Get(k) => {
                        prop_assert_eq!(d.get(&k).map(|o| o.arg), model.get(&k).copied());
                        prop_assert_eq!(d.contains_key(&k), model.contains_key(&k));
                    }
                    Op::Kill(s) => {
                        slots[s as usize] = None;
                        let alive: Vec<u32> = slots.iter().flatten().map(|o| o.arg).collect();
                        model.retain(|_, arg| alive.contains(arg));
                    }
                    Op::Intern(k, s) => {
                        let o = get_or_make(&mut slots, s);
                        let got = d.get_or_insert_with(k, || Arc::clone(&o));
                        let expected = *model.entry(k).or_insert(o.arg);
                        prop_assert_eq!(got.arg, expected);
                    }
                    Op::Clone => d = d.clone(),
                    Op::Clear => {
                        d.clear();
                        model.clear();
                    }
                    Op::Retain(even) => {
                        d.retain(|k, _| (k % 2 == 0) == even);
                        model.retain(|k, _| (k % 2 == 0) == even);
                    }
                    Op::ShrinkToFit => d.shrink_to_fit(),
                }
                prop_assert_eq!(d.len(), model.len());
                let seen: HashMap<u8, u32> = d.iter().map(|(k, o)| (k, o.arg)).collect();
                prop_assert_eq!(&seen, &model);
                prop_assert_eq!(d.keys().count(), model.len());
                prop_assert_eq!(d.values().count(), model.len());
            }
            drop(slots);
            prop_assert!(d.is_empty());
        }
    }
}
