//! Weak dictionary costs, each group measured against `weak-table` and a
//! plain `std::collections::HashMap` in the same run:
//! `cargo bench -p weakref-collections --bench dictionaries` (the
//! `concurrent` groups alone: `-- concurrent`).
#![allow(missing_docs)]
// criterion's macros generate undocumented items
// `Key` holds a `Header` (interior mutability) but its `Hash`/`Eq` ignore it.
#![allow(clippy::mutable_key_type)]

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::{Arc, Barrier, Mutex, Weak};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use weak_table::{WeakKeyHashMap, WeakValueHashMap};
use weakref_collections::{ConcurrentWeakValueDictionary, WeakKeyDictionary, WeakValueDictionary};
use weakref_core::{Header, Referent};

#[derive(Referent, PartialEq, Eq, Hash)]
struct Key {
    id: u64,
    header: Header,
}

fn key(id: u64) -> Arc<Key> {
    Arc::new(Key {
        id,
        header: Header::new(),
    })
}

fn get(c: &mut Criterion) {
    for size in [1_000_u64, 1_000_000] {
        let keys: Vec<_> = (0..size).map(key).collect();
        let probe = &*keys[7];

        let mut group = c.benchmark_group("weak_key_get");
        let ours: WeakKeyDictionary<Key, u64> =
            keys.iter().map(|k| (Arc::clone(k), k.id)).collect();
        let wt: WeakKeyHashMap<Weak<Key>, u64> =
            keys.iter().map(|k| (Arc::clone(k), k.id)).collect();
        let std_map: HashMap<Arc<Key>, u64> = keys.iter().map(|k| (Arc::clone(k), k.id)).collect();
        group.bench_with_input(BenchmarkId::new("weakref", size), probe, |b, k| {
            b.iter(|| black_box(ours.get(black_box(k)).copied()))
        });
        group.bench_with_input(BenchmarkId::new("weak_table", size), probe, |b, k| {
            b.iter(|| black_box(wt.get(black_box(k)).copied()))
        });
        group.bench_with_input(BenchmarkId::new("std_hashmap", size), probe, |b, k| {
            b.iter(|| black_box(std_map.get(black_box(k)).copied()))
        });
        group.finish();

        let mut group = c.benchmark_group("weak_value_get");
        let ours: WeakValueDictionary<u64, Key> =
            keys.iter().map(|k| (k.id, Arc::clone(k))).collect();
        let wt: WeakValueHashMap<u64, Weak<Key>> =
            keys.iter().map(|k| (k.id, Arc::clone(k))).collect();
        let std_map: HashMap<u64, Arc<Key>> = keys.iter().map(|k| (k.id, Arc::clone(k))).collect();
        group.bench_with_input(BenchmarkId::new("weakref", size), &7, |b, k| {
            b.iter(|| black_box(ours.get(black_box(k))))
        });
        group.bench_with_input(BenchmarkId::new("weak_table", size), &7, |b, k| {
            b.iter(|| black_box(wt.get(black_box(k))))
        });
        group.bench_with_input(BenchmarkId::new("std_hashmap", size), &7, |b, k| {
            b.iter(|| black_box(std_map.get(black_box(k)).cloned()))
        });
        group.finish();
    }
}

fn insert_remove(c: &mut Criterion) {
    let keys: Vec<_> = (0..1_000).map(key).collect();
    let extra = key(u64::MAX);

    let mut group = c.benchmark_group("weak_key_insert_remove");
    let mut ours: WeakKeyDictionary<Key, u64> =
        keys.iter().map(|k| (Arc::clone(k), k.id)).collect();
    group.bench_function("weakref", |b| {
        b.iter(|| {
            ours.insert(&extra, 1);
            black_box(ours.remove(&extra))
        })
    });
    let mut wt: WeakKeyHashMap<Weak<Key>, u64> =
        keys.iter().map(|k| (Arc::clone(k), k.id)).collect();
    group.bench_function("weak_table", |b| {
        b.iter(|| {
            wt.insert(Arc::clone(&extra), 1);
            black_box(wt.remove(&*extra))
        })
    });
    let mut std_map: HashMap<Arc<Key>, u64> = keys.iter().map(|k| (Arc::clone(k), k.id)).collect();
    group.bench_function("std_hashmap", |b| {
        b.iter(|| {
            std_map.insert(Arc::clone(&extra), 1);
            black_box(std_map.remove(&*extra))
        })
    });
    group.finish();

    let mut group = c.benchmark_group("weak_value_insert_remove");
    let mut ours: WeakValueDictionary<u64, Key> =
        keys.iter().map(|k| (k.id, Arc::clone(k))).collect();
    group.bench_function("weakref", |b| {
        b.iter(|| {
            ours.insert(u64::MAX, &extra);
            black_box(ours.remove(&u64::MAX))
        })
    });
    let mut wt: WeakValueHashMap<u64, Weak<Key>> =
        keys.iter().map(|k| (k.id, Arc::clone(k))).collect();
    group.bench_function("weak_table", |b| {
        b.iter(|| {
            wt.insert(u64::MAX, Arc::clone(&extra));
            black_box(wt.remove(&u64::MAX))
        })
    });
    let mut std_map: HashMap<u64, Arc<Key>> = keys.iter().map(|k| (k.id, Arc::clone(k))).collect();
    group.bench_function("std_hashmap", |b| {
        b.iter(|| {
            std_map.insert(u64::MAX, Arc::clone(&extra));
            black_box(std_map.remove(&u64::MAX))
        })
    });
    group.finish();

    let mut group = c.benchmark_group("weak_value_get_or_insert_with");
    group.bench_function("weakref", |b| {
        b.iter(|| black_box(ours.get_or_insert_with(7, || Arc::clone(&extra))))
    });
    group.bench_function("weak_table", |b| {
        b.iter(|| {
            black_box(wt.get(&7).unwrap_or_else(|| {
                wt.insert(7, Arc::clone(&extra));
                Arc::clone(&extra)
            }))
        })
    });
    group.finish();
}

fn half_dead(c: &mut Criterion) {
    let mut keys: Vec<_> = (0..10_000).map(key).collect();
    let ours: WeakKeyDictionary<Key, u64> = keys.iter().map(|k| (Arc::clone(k), k.id)).collect();
    let wt: WeakKeyHashMap<Weak<Key>, u64> = keys.iter().map(|k| (Arc::clone(k), k.id)).collect();
    let mut i = 0;
    keys.retain(|_| {
        i += 1;
        i % 2 == 0
    });
    let mut group = c.benchmark_group("weak_key_get_half_dead");
    let probes: Vec<&Key> = keys.iter().map(|k| &**k).collect();
    group.bench_function("weakref", |b| {
        b.iter(|| probes.iter().filter(|k| ours.get(k).is_some()).count())
    });
    group.bench_function("weak_table", |b| {
        b.iter(|| probes.iter().filter(|k| wt.get(**k).is_some()).count())
    });
    group.finish();
}

/// Wall time of `iters` rounds in which each of `threads` threads runs
/// `op(thread, round)` once: with perfect scaling it does not grow with the
/// thread count (criterion reports it per round; throughput is
/// `threads / time`).
fn rounds(threads: usize, iters: u64, op: &(impl Fn(usize, u64) + Sync)) -> Duration {
    let start = Barrier::new(threads);
    thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let start = &start;
                s.spawn(move || {
                    start.wait();
                    let t0 = Instant::now();
                    for i in 0..iters {
                        op(t, i);
                    }
                    t0.elapsed()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .max()
            .unwrap()
    })
}

/// `ConcurrentWeakValueDictionary` against the single-owner dictionary
/// (alone, then under a `Mutex`) and `weak-table` under a `Mutex`: `get`
/// and `get_or_insert_with`, every lookup a hit on one of 1,024 keys, on 1
/// and 2 threads.
fn concurrent(c: &mut Criterion) {
    const N: u64 = 1024;
    let values: Vec<_> = (0..N).map(key).collect();
    let ours: ConcurrentWeakValueDictionary<u64, Key> =
        values.iter().map(|v| (v.id, Arc::clone(v))).collect();
    let single: WeakValueDictionary<u64, Key> =
        values.iter().map(|v| (v.id, Arc::clone(v))).collect();

    let mut group = c.benchmark_group("concurrent_get_single_thread");
    group.bench_function("concurrent", |b| {
        b.iter(|| black_box(ours.get(black_box(&7))))
    });
    group.bench_function("weak_value_dictionary", |b| {
        b.iter(|| black_box(single.get(black_box(&7))))
    });
    group.finish();

    let locked = Mutex::new(single);
    let wt: WeakValueHashMap<u64, Weak<Key>> =
        values.iter().map(|v| (v.id, Arc::clone(v))).collect();
    let wt = Mutex::new(wt);
    let extra = key(u64::MAX);
    let probe = |t: usize, i: u64| (i * 7 + t as u64 * 509) % N;
    let get_ours = |t, i| drop(black_box(ours.get(&probe(t, i))));
    let get_locked = |t, i| drop(black_box(locked.lock().unwrap().get(&probe(t, i))));
    let get_wt = |t, i| drop(black_box(wt.lock().unwrap().get(&probe(t, i))));
    let make_ours = |t, i| {
        drop(black_box(
            ours.get_or_insert_with(probe(t, i), || Arc::clone(&extra)),
        ))
    };
    let make_locked = |t, i| {
        let v = locked
            .lock()
            .unwrap()
            .get_or_insert_with(probe(t, i), || Arc::clone(&extra));
        drop(black_box(v));
    };
    let make_wt = |t, i| {
        let k = probe(t, i);
        let mut wt = wt.lock().unwrap();
        let v = wt.get(&k).unwrap_or_else(|| {
            wt.insert(k, Arc::clone(&extra));
            Arc::clone(&extra)
        });
        drop(wt);
        drop(black_box(v));
    };
    for (name, ours, locked, wt) in [
        (
            "concurrent_get",
            &get_ours as &(dyn Fn(usize, u64) + Sync),
            &get_locked as &(dyn Fn(usize, u64) + Sync),
            &get_wt as &(dyn Fn(usize, u64) + Sync),
        ),
        (
            "concurrent_get_or_insert_with",
            &make_ours,
            &make_locked,
            &make_wt,
        ),
    ] {
        let mut group = c.benchmark_group(name);
        group.measurement_time(Duration::from_secs(2));
        for threads in [1, 2] {
            group.bench_function(BenchmarkId::new("concurrent", threads), |b| {
                b.iter_custom(|iters| rounds(threads, iters, &ours))
            });
            group.bench_function(
                BenchmarkId::new("mutex_weak_value_dictionary", threads),
                |b| b.iter_custom(|iters| rounds(threads, iters, &locked)),
            );
            group.bench_function(BenchmarkId::new("mutex_weak_table", threads), |b| {
                b.iter_custom(|iters| rounds(threads, iters, &wt))
            });
        }
        group.finish();
    }
}

/// Round 2: the identity dictionary against weak-table's
/// `PtrWeakKeyHashMap` (std's hasher in both, then the address hasher in
/// both), and the `rc` dictionaries against weak-table over `rc::Weak`.
/// A group of its own, so other groups merge beside it.
fn identity_and_rc(c: &mut Criterion) {
    use std::collections::hash_map::RandomState;
    use std::rc::{Rc, Weak as RcWeak};
    use weak_table::PtrWeakKeyHashMap;
    use weakref_collections::{BuildAddressHasher, WeakKeyIdentityDictionary, rc};

    fn identity<S: std::hash::BuildHasher + Default>(c: &mut Criterion, hasher: &str) {
        let keys: Vec<_> = (0..1_000).map(key).collect();
        let mut ours: WeakKeyIdentityDictionary<Key, u64, S> =
            keys.iter().map(|k| (k, k.id)).collect();
        let mut wt: PtrWeakKeyHashMap<Weak<Key>, u64, S> =
            PtrWeakKeyHashMap::with_hasher(S::default());
        for k in &keys {
            wt.insert(Arc::clone(k), k.id);
        }
        let probe = &keys[7];
        let mut group = c.benchmark_group(format!("identity_get_{hasher}"));
        group.bench_function("weakref", |b| {
            b.iter(|| black_box(ours.get(black_box(&**probe)).copied()))
        });
        group.bench_function("weak_table_ptr", |b| {
            b.iter(|| black_box(wt.get(black_box(probe)).copied()))
        });
        group.finish();
        let extra = key(u64::MAX);
        let mut group = c.benchmark_group(format!("identity_insert_remove_{hasher}"));
        group.bench_function("weakref", |b| {
            b.iter(|| {
                ours.insert(&extra, 1);
                black_box(ours.remove(&extra))
            })
        });
        group.bench_function("weak_table_ptr", |b| {
            b.iter(|| {
                wt.insert(Arc::clone(&extra), 1);
                black_box(wt.remove(&extra))
            })
        });
        group.finish();
    }
    identity::<RandomState>(c, "std_hasher");
    identity::<BuildAddressHasher>(c, "address_hasher");

    let rc_key = |id| {
        Rc::new(Key {
            id,
            header: Header::new(),
        })
    };
    let keys: Vec<_> = (0..1_000).map(rc_key).collect();
    let extra = rc_key(u64::MAX);
    let mut ours: rc::WeakKeyDictionary<Key, u64> = keys.iter().map(|k| (k, k.id)).collect();
    let mut wt: WeakKeyHashMap<RcWeak<Key>, u64> =
        keys.iter().map(|k| (Rc::clone(k), k.id)).collect();
    let probe = &*keys[7];
    let mut group = c.benchmark_group("rc_weak_key_get");
    group.bench_function("weakref", |b| {
        b.iter(|| black_box(ours.get(black_box(probe)).copied()))
    });
    group.bench_function("weak_table", |b| {
        b.iter(|| black_box(wt.get(black_box(probe)).copied()))
    });
    group.finish();
    let mut group = c.benchmark_group("rc_weak_key_insert_remove");
    group.bench_function("weakref", |b| {
        b.iter(|| {
            ours.insert(&extra, 1);
            black_box(ours.remove(&extra))
        })
    });
    group.bench_function("weak_table", |b| {
        b.iter(|| {
            wt.insert(Rc::clone(&extra), 1);
            black_box(wt.remove(&*extra))
        })
    });
    group.finish();

    let mut ours: rc::WeakValueDictionary<u64, Key> = keys.iter().map(|k| (k.id, k)).collect();
    let mut wt: WeakValueHashMap<u64, RcWeak<Key>> =
        keys.iter().map(|k| (k.id, Rc::clone(k))).collect();
    let mut group = c.benchmark_group("rc_weak_value_get");
    group.bench_function("weakref", |b| b.iter(|| black_box(ours.get(black_box(&7)))));
    group.bench_function("weak_table", |b| {
        b.iter(|| black_box(wt.get(black_box(&7))))
    });
    group.finish();
    let mut group = c.benchmark_group("rc_weak_value_insert_remove");
    group.bench_function("weakref", |b| {
        b.iter(|| {
            ours.insert(u64::MAX, &extra);
            black_box(ours.remove(&u64::MAX))
        })
    });
    group.bench_function("weak_table", |b| {
        b.iter(|| {
            wt.insert(u64::MAX, Rc::clone(&extra));
            black_box(wt.remove(&u64::MAX))
        })
    });
    group.finish();
}

criterion_group!(benches, get, insert_remove, half_dead, concurrent);
criterion_group!(round_two, identity_and_rc);
criterion_main!(benches, round_two);
