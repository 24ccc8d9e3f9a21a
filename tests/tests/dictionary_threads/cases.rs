//! The threaded cases for one key mode: see `dictionary_threads.rs`.

use std::sync::mpsc;
use std::sync::{Arc, Barrier, Mutex};
use std::thread;

use weakref::{Header, Referent};

#[allow(unused_imports)]
use super::*;

#[derive(Referent, Debug, PartialEq, Eq, Hash)]
struct Obj {
    n: u32,
    header: Header,
}

fn obj(n: u32) -> Arc<Obj> {
    Arc::new(Obj {
        n,
        header: Header::new(),
    })
}

fn scaled(n: u32) -> u32 {
    if cfg!(miri) { (n / 1000).max(2) } else { n }
}

/// Drops the objects sent to it, on its own thread.
fn killer() -> (mpsc::Sender<Arc<Obj>>, thread::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel::<Arc<Obj>>();
    let handle = thread::spawn(move || {
        for o in rx {
            drop(o);
        }
    });
    (tx, handle)
}

/// A tiny deterministic generator, for shuffles.
fn shuffle<T>(v: &mut [T], mut seed: u64) {
    for i in (1..v.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        v.swap(i, (seed % (i as u64 + 1)) as usize);
    }
}

/// CPython's `check_len_race` step: an iterator is started and suspended
/// (the item it yielded held, as CPython's generator holds it), `len` is
/// read; then the iterator and its item go and `len` is read again.
fn lens_around_a_suspended_iterator<I: Iterator>(
    len: impl Fn() -> usize,
    mut it: I,
) -> (usize, usize) {
    let held = it.next();
    let n1 = len();
    drop(held);
    drop(it);
    (n1, len())
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_keyed_len_race
// CPython 3.11: test_weakref.py MappingTestCase.test_weak_valued_len_race
// CPython 3.11: test_weakset.py TestWeakSet.test_len_race
// (check_len_race: CPython collects at arbitrary points with tiny GC
// thresholds; here two other threads drop the referents.) With an iterator
// suspended, `0 <= n1 <= N`; once it is gone, `n2 <= n1`; and `len` never
// grows from one step to the next. Exact once the threads are done.
#[test]
fn len_race() {
    const N: u32 = 20;
    for round in 0..scaled(200) {
        let items: Vec<_> = (0..N).map(obj).collect();
        let keyed: WeakKeyDictionary<Obj, u32> = items.iter().map(|o| (o, o.n)).collect();
        let valued: WeakValueDictionary<u32, Obj> = items.iter().map(|o| (o.n, o)).collect();
        let set: WeakSet<Obj> = items.iter().collect();
        let start = Barrier::new(3);
        let (mut half1, mut half2) = (items, Vec::new());
        half2.extend(half1.drain(N as usize / 2..));
        shuffle(&mut half1, u64::from(round) + 1);
        thread::scope(|s| {
            for half in [half1, half2] {
                let start = &start;
                s.spawn(move || {
                    start.wait();
                    for o in half {
                        drop(o);
                    }
                });
            }
            start.wait();
            let mut last = [N as usize; 3];
            for _ in 0..50 {
                let steps = [
                    lens_around_a_suspended_iterator(|| keyed.len(), keyed.iter()),
                    lens_around_a_suspended_iterator(|| valued.len(), valued.iter()),
                    lens_around_a_suspended_iterator(|| set.len(), set.iter()),
                ];
                for (i, (n1, n2)) in steps.into_iter().enumerate() {
                    assert!(n1 <= N as usize, "n1 = {n1}");
                    assert!(n2 <= n1, "len grew when the iterator went: {n2} > {n1}");
                    assert!(n1 <= last[i], "len grew: {n1} > {}", last[i]);
                    last[i] = n2;
                }
                assert!(keyed.iter().count() <= N as usize);
            }
        });
        assert_eq!((keyed.len(), valued.len(), set.len()), (0, 0, 0));
        assert_eq!(keyed.iter().count() + valued.iter().count(), 0);
        assert_eq!(set.iter().count(), 0);
    }
}

// CPython 3.11: test_weakref.py MappingTestCase.test_threaded_weak_valued_setdefault
// The returned value is never dead,
// while the previous value dies on another thread.
#[test]
fn threaded_weak_valued_setdefault() {
    let (tx, handle) = killer();
    let mut d = WeakValueDictionary::new();
    let mut previous: Option<Arc<Obj>> = None;
    for i in 0..scaled(20_000) {
        let fresh = obj(i);
        let x = d.setdefault(10, &fresh);
        match &previous {
            // The old value may or may not have died yet.
            Some(old) if Arc::ptr_eq(&x, old) => {}
            _ => assert!(Arc::ptr_eq(&x, &fresh)),
        }
        assert!(d.len() <= 1);
        if let Some(old) = previous.take() {
            tx.send(old).unwrap();
        }
        drop(fresh);
        previous = Some(x);
    }
    drop(previous);
    drop(tx);
    handle.join().unwrap();
    assert_eq!(d.len(), 0);
    assert!(d.get(&10).is_none());
}

// CPython 3.11: test_weakref.py MappingTestCase.test_threaded_weak_valued_pop
// Popping a value that dies on another
// thread gives it (alive) or nothing, never a dead one.
#[test]
fn threaded_weak_valued_pop() {
    let (tx, handle) = killer();
    let mut d = WeakValueDictionary::new();
    for i in 0..scaled(20_000) {
        let v = obj(i);
        d.insert(10, &v);
        tx.send(v).unwrap();
        if let Some(x) = d.remove(&10) {
            assert_eq!(x.n, i);
        }
        assert_eq!(d.len(), 0);
    }
    drop(tx);
    handle.join().unwrap();
    assert!(d.is_empty());
}

// CPython 3.11: test_weakref.py MappingTestCase.test_threaded_weak_valued_consistency
// (Issue 28427.) The previous
// value of key 10 dies on another thread while the key is rebound; the new
// entry is never removed by the stale death.
#[test]
fn threaded_weak_valued_consistency() {
    let (tx, handle) = killer();
    let mut d = WeakValueDictionary::new();
    for i in 0..scaled(20_000) {
        let v = obj(i);
        d.insert(10, &v);
        assert!((1..=2).contains(&d.len())); // 11's old value may be dying now
        assert_eq!(d.get(&10).unwrap().n, i);
        d.insert(11, &v);
        tx.send(v.clone()).unwrap();
        // Our strong reference keeps it: the stale death of the previous
        // value (racing right now) must not take key 10 or 11 away.
        assert_eq!(d.len(), 2);
        assert!(d.contains_key(&10) && d.contains_key(&11));
        drop(v);
    }
    drop(tx);
    handle.join().unwrap();
    assert_eq!(d.len(), 0);
}

/// `n` keys and `n` values, every value held only by `values`.
fn many(n: u32) -> (Vec<Arc<Obj>>, Vec<Arc<Obj>>) {
    (
        (0..n).map(obj).collect(),
        (0..n).map(|i| obj(i + n)).collect(),
    )
}

// CPython 3.11: test_weakref.py MappingTestCase.test_threaded_weak_key_dict_copy
// CPython 3.11: test_weakref.py MappingTestCase.test_threaded_weak_key_dict_deepcopy
// (Issue 35615.) `clone` while another thread kills keys. Rust's `clone`
// clones each value: a copy of an owned value (Python's `deepcopy`), a
// shared object for an `Arc` value (Python's `copy`); it serves for both.
#[test]
fn threaded_weak_key_dict_copy() {
    let n = scaled(20_000);
    let (mut keys, _) = many(n);
    let d: WeakKeyDictionary<Obj, u32> = keys.iter().map(|k| (k, k.n)).collect();
    shuffle(&mut keys, 7);
    let survivors = keys.split_off(n as usize / 2);
    let start = Barrier::new(2);
    let copy = thread::scope(|s| {
        s.spawn(|| {
            start.wait();
            for k in keys {
                drop(k);
            }
        });
        start.wait();
        d.clone()
    });
    // Every key alive throughout the copy is in it, mapped right; nothing else.
    assert_eq!(copy.len(), survivors.len());
    for k in &survivors {
        assert_eq!(copy[k], k.n);
    }
    assert!(copy.iter().all(|(k, v)| k.n == *v));
    drop(survivors);
    assert!(copy.is_empty() && d.is_empty());
}

// CPython 3.11: test_weakref.py MappingTestCase.test_threaded_weak_value_dict_copy
// CPython 3.11: test_weakref.py MappingTestCase.test_threaded_weak_value_dict_deepcopy
// (Issue 35615.) `clone` while another thread kills values. Rust's `clone`
// copies the keys (as `deepcopy` does) and never the values, so it serves
// for both.
#[test]
fn threaded_weak_value_dict_copy() {
    let n = scaled(20_000);
    let (_, mut values) = many(n);
    let d: WeakValueDictionary<u32, Obj> = values.iter().map(|v| (v.n, v)).collect();
    shuffle(&mut values, 11);
    let survivors = values.split_off(n as usize / 2);
    let start = Barrier::new(2);
    let copy = thread::scope(|s| {
        s.spawn(|| {
            start.wait();
            for v in values {
                drop(v);
            }
        });
        start.wait();
        d.clone()
    });
    assert_eq!(copy.len(), survivors.len());
    for v in &survivors {
        assert!(Arc::ptr_eq(&copy.get(&v.n).unwrap(), v));
    }
    drop(survivors);
    assert!(copy.is_empty() && d.is_empty());
}

// Explicit removal racing with death: every death is counted exactly once,
// whichever side wins (`Ref::cancel` true, or the ledger consumes/ignores).
#[test]
fn removal_races_with_death() {
    for round in 0..scaled(50) {
        let n = if cfg!(miri) { 40 } else { 200 };
        let objects: Vec<_> = (0..n).map(obj).collect();
        let mut wkd: WeakKeyDictionary<Obj, u32> = objects.iter().map(|o| (o, o.n)).collect();
        let mut wvd: WeakValueDictionary<u32, Obj> = objects.iter().map(|o| (o.n, o)).collect();
        let mut set: WeakSet<Obj> = objects.iter().collect();
        let probes: Vec<_> = (0..n).map(obj).collect(); // equal, not the same
        let mut doomed = objects;
        shuffle(&mut doomed, u64::from(round) + 3);
        let start = Barrier::new(2);
        thread::scope(|s| {
            s.spawn(|| {
                start.wait();
                drop(doomed);
            });
            start.wait();
            for p in &probes {
                wkd.remove(p);
                wvd.remove(&p.n);
                set.remove(p);
            }
        });
        assert_eq!((wkd.len(), wvd.len(), set.len()), (0, 0, 0));
        // The bookkeeping is settled: new entries count exactly.
        let fresh = obj(1);
        wkd.insert(&fresh, 1);
        wvd.insert(1, &fresh);
        set.insert(&fresh);
        assert_eq!((wkd.len(), wvd.len(), set.len()), (1, 1, 1));
    }
}

// `clear` and dropping the dictionary while the referents die elsewhere.
#[test]
fn clear_and_drop_race_with_death() {
    for round in 0..scaled(50) {
        let n = if cfg!(miri) { 40 } else { 200 };
        let objects: Vec<_> = (0..n).map(obj).collect();
        let mut wkd: WeakKeyDictionary<Obj, u32> = objects.iter().map(|o| (o, o.n)).collect();
        let wvd: WeakValueDictionary<u32, Obj> = objects.iter().map(|o| (o.n, o)).collect();
        let mut doomed = objects;
        shuffle(&mut doomed, u64::from(round) + 5);
        let start = Barrier::new(2);
        thread::scope(|s| {
            s.spawn(|| {
                start.wait();
                drop(doomed);
            });
            start.wait();
            wkd.clear();
            drop(wvd);
        });
        assert!(wkd.is_empty());
        let fresh = obj(0);
        wkd.insert(&fresh, 0);
        assert_eq!(wkd.len(), 1);
    }
}

// Dictionaries shared behind a lock; values die on the threads that use them.
#[test]
fn shared_dictionary_under_a_mutex() {
    let d = Arc::new(Mutex::new(WeakValueDictionary::<u32, Obj>::new()));
    let keep: Vec<_> = (0..8).map(obj).collect();
    for o in &keep {
        d.lock().unwrap().insert(o.n, o);
    }
    thread::scope(|s| {
        for t in 0..4u32 {
            let d = &d;
            s.spawn(move || {
                for i in 0..scaled(2_000) {
                    let temp = obj(100 + t * 10_000 + i);
                    let mut d = d.lock().unwrap();
                    d.insert(temp.n, &temp);
                    drop(temp); // dies under the user's lock: no deadlock
                    assert_eq!(d.len(), 8);
                }
            });
        }
    });
    assert_eq!(d.lock().unwrap().len(), 8);
}
