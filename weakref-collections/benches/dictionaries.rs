//! Weak dictionary costs, each group measured against `weak-table` and a
//! plain `std::collections::HashMap` in the same run:
//! `cargo bench -p weakref-collections --bench dictionaries`.
#![allow(missing_docs)]
// criterion's macros generate undocumented items
// `Key` holds a `Header` (interior mutability) but its `Hash`/`Eq` ignore it.
#![allow(clippy::mutable_key_type)]

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::{Arc, Weak};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use weak_table::{WeakKeyHashMap, WeakValueHashMap};
use weakref_collections::{WeakKeyDictionary, WeakValueDictionary};
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

criterion_group!(benches, get, insert_remove, half_dead);
criterion_group!(round_two, identity_and_rc);
criterion_main!(benches, round_two);
