//! The quick benchmark: every row of the performance table, ours against its
//! anchors (std, `weak-table`, CPython 3.11) measured in the same run, in well
//! under two minutes. One line per row with both figures and the ratio.
//!
//! `cargo bench -p weakref-tests --bench quick` (add `-- --no-python` to skip
//! CPython, `-- --concurrent` for the `ConcurrentWeakValueDictionary` rows
//! alone). The criterion benches beside each crate give the detailed view.
#![allow(missing_docs)]
// a benchmark binary, no public API
// `Key` holds a `Header` (interior mutability) but its `Hash`/`Eq` ignore it.
#![allow(clippy::mutable_key_type)]

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::hint::black_box;
use std::process::Command;
use std::sync::{Arc, Barrier, Mutex, Weak};
use std::thread;
use std::time::{Duration, Instant};

use weak_table::{WeakKeyHashMap, WeakValueHashMap};
use weakref::{
    ConcurrentWeakValueDictionary, Header, Ref, Referent, WeakKeyDictionary, WeakValueDictionary,
};

#[path = "support/contention.rs"]
mod contention;

#[derive(Referent, Debug, PartialEq, Eq, Hash)]
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

/// Consumes a result (`drop` would warn on `Copy` results).
fn sink<T>(value: T) {
    drop(value);
}

/// Median ns per call of `f` over several timed batches.
fn ns(mut f: impl FnMut()) -> f64 {
    let mut batch = 1_u64;
    loop {
        let t = Instant::now();
        for _ in 0..batch {
            f();
        }
        if t.elapsed() > Duration::from_millis(20) {
            break;
        }
        batch *= 2;
    }
    let mut samples: Vec<f64> = (0..15)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..batch {
                f();
            }
            t.elapsed().as_nanos() as f64 / batch as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Median ns per call of `run` on inputs made by `setup` (not timed).
fn ns_batched<I>(mut setup: impl FnMut() -> I, mut run: impl FnMut(I)) -> f64 {
    const BATCH: usize = 2_000;
    let mut samples: Vec<f64> = (0..15)
        .map(|_| {
            let inputs: Vec<I> = (0..BATCH).map(|_| setup()).collect();
            let t = Instant::now();
            for input in inputs {
                run(input);
            }
            t.elapsed().as_nanos() as f64 / BATCH as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// A multiplicative (Fx-style) hasher: what the dictionaries cost once the
/// hash function is not the bottleneck. Used for ours and the anchors alike.
#[derive(Default, Clone, Copy)]
struct MulHasher(u64);

impl Hasher for MulHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

struct Table {
    python: HashMap<String, f64>,
}

impl Table {
    fn row(&self, name: &str, target: &str, ours: f64, anchors: &[(&str, f64)]) {
        let mut line = format!("{name:<28} ours {ours:>9.2} ns");
        for (anchor, t) in anchors {
            line += &format!(" | {anchor} {t:>9.2} ns = {:>5.2}x", ours / t);
        }
        // The `rc` rows compare with the same CPython rows as the `Arc` ones.
        let base = name
            .trim_end_matches("_fast_hash")
            .trim_start_matches("rc_");
        if let Some(py) = self.python.get(base) {
            line += &format!(" | cpython {py:>8.2} ns ({:>5.1}x faster)", py / ours);
        }
        println!("{line}   [target: {target}]");
    }
}

fn cpython() -> HashMap<String, f64> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../bench/cpython_weakref.py");
    let Ok(out) = Command::new("python3").arg(script).arg("--quick").output() else {
        eprintln!("python3 not found: no CPython column");
        return HashMap::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let (name, value) = line.split_once(": ")?;
            Some((name.to_owned(), value.trim().parse().ok()?))
        })
        .collect()
}

fn refs(t: &Table) {
    let o = key(1);
    let weak: Weak<Key> = Arc::downgrade(&o);
    let r = Ref::new(&o);
    let upgrade = ns(|| sink(black_box(&weak).upgrade()));
    t.row(
        "ref_get_alive",
        "<= 1.1x std",
        ns(|| sink(black_box(&r).get())),
        &[("std Weak::upgrade", upgrade)],
    );
    let downgrade = ns(|| drop(Arc::downgrade(black_box(&o))));
    t.row(
        "ref_new_shared",
        "<= 3x std",
        ns(|| drop(Ref::new(black_box(&o)))),
        &[("std Arc::downgrade", downgrade)],
    );
    t.row(
        "ref_with_callback_and_drop",
        "report",
        ns(|| drop(Ref::with_callback(black_box(&o), |_| ()))),
        &[("std Arc::downgrade", downgrade)],
    );
    // The rc flavour: `rc::Ref::get` is `rc::Weak::upgrade` (issue 12).
    let local = std::rc::Rc::new(Key {
        id: 1,
        header: Header::new(),
    });
    let rc_weak = std::rc::Rc::downgrade(&local);
    let rc_ref = weakref::rc::Ref::new(&local);
    t.row(
        "rc_ref_get_alive",
        "<= 1.1x std",
        ns(|| sink(black_box(&rc_ref).get())),
        &[(
            "rc::Weak::upgrade",
            ns(|| sink(black_box(&rc_weak).upgrade())),
        )],
    );
    t.row(
        "rc_ref_new_shared",
        "<= 3x std",
        ns(|| drop(weakref::rc::Ref::new(black_box(&local)))),
        &[(
            "Rc::downgrade",
            ns(|| drop(std::rc::Rc::downgrade(black_box(&local)))),
        )],
    );
    drop(o);
    let upgrade = ns(|| sink(black_box(&weak).upgrade()));
    t.row(
        "ref_get_dead",
        "<= 1.1x std",
        ns(|| sink(black_box(&r).get())),
        &[("std Weak::upgrade", upgrade)],
    );

    let plain = ns_batched(|| key(0), drop);
    for n in [0, 1, 16] {
        let ours = ns_batched(
            || {
                let o = key(0);
                let refs: Vec<_> = (0..n).map(|_| Ref::with_callback(&o, |_| ())).collect();
                (o, refs)
            },
            |(o, refs)| {
                drop(o);
                black_box(refs);
            },
        );
        t.row(
            &format!("death_with_{n}_callback_refs"),
            "report, linear",
            ours,
            &[("std Arc drop", plain)],
        );
    }
}

fn dictionaries<S: BuildHasher + Default + Clone>(t: &Table, sizes: &[u64], suffix: &str) {
    for &size in sizes {
        let keys: Vec<_> = (0..size).map(key).collect();
        let ours: WeakKeyDictionary<Key, u64, S> =
            keys.iter().map(|k| (Arc::clone(k), k.id)).collect();
        let mut wt: WeakKeyHashMap<Weak<Key>, u64, S> = WeakKeyHashMap::with_hasher(S::default());
        let mut std_map: HashMap<Arc<Key>, u64, S> = HashMap::default();
        for k in &keys {
            wt.insert(Arc::clone(k), k.id);
            std_map.insert(Arc::clone(k), k.id);
        }
        let probe = &*keys[7 % keys.len()];
        t.row(
            &format!("wkd_get_{size}{suffix}"),
            "<= 1.5x weak-table",
            ns(|| sink(black_box(ours.get(black_box(probe))))),
            &[
                (
                    "weak-table",
                    ns(|| sink(black_box(wt.get(black_box(probe))))),
                ),
                (
                    "HashMap<Arc<K>,V>",
                    ns(|| sink(black_box(std_map.get(black_box(probe))))),
                ),
            ],
        );

        let ours: WeakValueDictionary<u64, Key, S> =
            keys.iter().map(|k| (k.id, Arc::clone(k))).collect();
        let mut wt: WeakValueHashMap<u64, Weak<Key>, S> =
            WeakValueHashMap::with_hasher(S::default());
        let mut std_map: HashMap<u64, Arc<Key>, S> = HashMap::default();
        for k in &keys {
            wt.insert(k.id, Arc::clone(k));
            std_map.insert(k.id, Arc::clone(k));
        }
        let probe = 7 % size;
        t.row(
            &format!("wvd_get_{size}{suffix}"),
            "<= 1.5x weak-table",
            ns(|| sink(black_box(ours.get(black_box(&probe))))),
            &[
                (
                    "weak-table",
                    ns(|| sink(black_box(wt.get(black_box(&probe))))),
                ),
                (
                    "HashMap<K,Arc<V>>",
                    ns(|| sink(black_box(std_map.get(black_box(&probe)).cloned()))),
                ),
            ],
        );
    }

    let keys: Vec<_> = (0..1_000).map(key).collect();
    let extra = key(u64::MAX);
    let mut ours: WeakKeyDictionary<Key, u64, S> =
        keys.iter().map(|k| (Arc::clone(k), k.id)).collect();
    let mut wt: WeakKeyHashMap<Weak<Key>, u64, S> =
        keys.iter().map(|k| (Arc::clone(k), k.id)).collect();
    let mut std_map: HashMap<Arc<Key>, u64, S> =
        keys.iter().map(|k| (Arc::clone(k), k.id)).collect();
    t.row(
        &format!("wkd_insert_remove{suffix}"),
        "<= 2x weak-table",
        ns(|| {
            ours.insert(&extra, 1);
            black_box(ours.remove(&extra));
        }),
        &[
            (
                "weak-table",
                ns(|| {
                    wt.insert(Arc::clone(&extra), 1);
                    black_box(wt.remove(&*extra));
                }),
            ),
            (
                "HashMap<Arc<K>,V>",
                ns(|| {
                    std_map.insert(Arc::clone(&extra), 1);
                    black_box(std_map.remove(&*extra));
                }),
            ),
        ],
    );

    let mut ours: WeakValueDictionary<u64, Key, S> =
        keys.iter().map(|k| (k.id, Arc::clone(k))).collect();
    let mut wt: WeakValueHashMap<u64, Weak<Key>, S> =
        keys.iter().map(|k| (k.id, Arc::clone(k))).collect();
    let mut std_map: HashMap<u64, Arc<Key>, S> =
        keys.iter().map(|k| (k.id, Arc::clone(k))).collect();
    t.row(
        &format!("wvd_insert_remove{suffix}"),
        "<= 2x weak-table",
        ns(|| {
            ours.insert(u64::MAX, &extra);
            black_box(ours.remove(&u64::MAX));
        }),
        &[
            (
                "weak-table",
                ns(|| {
                    wt.insert(u64::MAX, Arc::clone(&extra));
                    black_box(wt.remove(&u64::MAX));
                }),
            ),
            (
                "HashMap<K,Arc<V>>",
                ns(|| {
                    std_map.insert(u64::MAX, Arc::clone(&extra));
                    black_box(std_map.remove(&u64::MAX));
                }),
            ),
        ],
    );
    t.row(
        &format!("wvd_get_or_insert{suffix}"),
        "<= 1.5x weak-table",
        ns(|| sink(black_box(ours.get_or_insert_with(7, || Arc::clone(&extra))))),
        &[(
            "weak-table get+insert",
            ns(|| {
                let v = wt.get(&7).unwrap_or_else(|| {
                    wt.insert(7, Arc::clone(&extra));
                    Arc::clone(&extra)
                });
                sink(black_box(v));
            }),
        )],
    );

    let mut half: Vec<_> = (0..10_000).map(key).collect();
    let ours: WeakKeyDictionary<Key, u64, S> = half.iter().map(|k| (Arc::clone(k), k.id)).collect();
    let wt: WeakKeyHashMap<Weak<Key>, u64, S> =
        half.iter().map(|k| (Arc::clone(k), k.id)).collect();
    let mut i = 0;
    half.retain(|_| {
        i += 1;
        i % 2 == 0
    });
    let probe = &*half[7];
    t.row(
        &format!("wkd_half_dead_get{suffix}"),
        "report",
        ns(|| sink(black_box(ours.get(black_box(probe))))),
        &[(
            "weak-table (keeps dead entries)",
            ns(|| sink(black_box(wt.get(black_box(probe))))),
        )],
    );
    println!(
        "{:<28} ours {} live of {} (dead ones dropped at the next &mut) | weak-table len() {}",
        "wkd_half_dead_len",
        ours.len(),
        10_000,
        wt.len()
    );
}

/// Median ns per operation of all threads together (the slowest thread's
/// wall time over every thread's operations: the inverse of throughput) of
/// `threads` threads each running `op(thread, i)` for `i` in `0..OPS`.
fn ns_threads(threads: usize, op: impl Fn(usize, usize) + Sync) -> f64 {
    const OPS: usize = 200_000;
    let mut samples: Vec<f64> = (0..9)
        .map(|_| {
            let start = Barrier::new(threads);
            let slowest = thread::scope(|s| {
                let handles: Vec<_> = (0..threads)
                    .map(|t| {
                        let (start, op) = (&start, &op);
                        s.spawn(move || {
                            start.wait();
                            let t0 = Instant::now();
                            for i in 0..OPS {
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
            });
            slowest.as_nanos() as f64 / (OPS * threads) as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// `ConcurrentWeakValueDictionary` against `Mutex<WeakValueDictionary>` and
/// `Mutex<weak_table::WeakValueHashMap>`, on 1 and 2 threads, every lookup a
/// hit. Each thread walks 1,024 keys in its own order (the threads meet on
/// shards and values only by chance, as in a cache shared by workers).
fn concurrent(t: &Table) {
    const N: usize = 1024;
    let values: Vec<_> = (0..N as u64).map(key).collect();
    let ours: ConcurrentWeakValueDictionary<u64, Key> =
        values.iter().map(|v| (v.id, Arc::clone(v))).collect();
    let single: WeakValueDictionary<u64, Key> =
        values.iter().map(|v| (v.id, Arc::clone(v))).collect();
    t.row(
        "cwvd_get_1k",
        "<= 1.5x WeakValueDictionary",
        ns(|| sink(black_box(ours.get(black_box(&7))))),
        &[(
            "WeakValueDictionary",
            ns(|| sink(black_box(single.get(black_box(&7))))),
        )],
    );
    let locked = Mutex::new(single);
    let wt: WeakValueHashMap<u64, Weak<Key>> =
        values.iter().map(|v| (v.id, Arc::clone(v))).collect();
    let wt = Mutex::new(wt);
    let probe = |t: usize, i: usize| ((i * 7 + t * 509) % N) as u64;
    let extra = key(u64::MAX);
    for threads in [1, 2] {
        let target = if threads == 1 {
            "report"
        } else {
            "throughput > Mutex"
        };
        t.row(
            &format!("cwvd_get_{threads}_threads"),
            target,
            ns_threads(threads, |t, i| sink(black_box(ours.get(&probe(t, i))))),
            &[
                (
                    "Mutex<WVD>",
                    ns_threads(threads, |t, i| {
                        sink(black_box(locked.lock().unwrap().get(&probe(t, i))));
                    }),
                ),
                (
                    "Mutex<weak-table>",
                    ns_threads(threads, |t, i| {
                        sink(black_box(wt.lock().unwrap().get(&probe(t, i))));
                    }),
                ),
            ],
        );
        t.row(
            &format!("cwvd_get_or_insert_{threads}_threads"),
            target,
            ns_threads(threads, |t, i| {
                sink(black_box(
                    ours.get_or_insert_with(probe(t, i), || Arc::clone(&extra)),
                ));
            }),
            &[
                (
                    "Mutex<WVD>",
                    ns_threads(threads, |t, i| {
                        let v = locked
                            .lock()
                            .unwrap()
                            .get_or_insert_with(probe(t, i), || Arc::clone(&extra));
                        sink(black_box(v));
                    }),
                ),
                (
                    "Mutex<weak-table>",
                    ns_threads(threads, |t, i| {
                        let k = probe(t, i);
                        let mut wt = wt.lock().unwrap();
                        let v = wt.get(&k).unwrap_or_else(|| {
                            wt.insert(k, Arc::clone(&extra));
                            Arc::clone(&extra)
                        });
                        drop(wt);
                        sink(black_box(v));
                    }),
                ),
            ],
        );
    }
    // One hot key on both threads: the same shard's reader count and the
    // same value's strong count, the worst case for any design that
    // returns an `Arc`.
    t.row(
        "cwvd_get_2_threads_one_key",
        "report",
        ns_threads(2, |_, _| sink(black_box(ours.get(&7)))),
        &[
            (
                "Mutex<WVD>",
                ns_threads(2, |_, _| sink(black_box(locked.lock().unwrap().get(&7)))),
            ),
            (
                "std Weak::upgrade, 2 threads",
                ns_threads(2, {
                    let weak = Arc::downgrade(&values[7]);
                    move |_, _| sink(black_box(weak.upgrade()))
                }),
            ),
        ],
    );
}

/// Round 2 rows: the identity dictionary against weak-table's
/// `PtrWeakKeyHashMap` (with std's hasher in both, then with the address
/// hasher in both), and the `rc` dictionaries against weak-table over
/// `std::rc::Weak`. Kept apart from `dictionaries` so other row sets merge
/// beside it.
fn identity_and_rc_rows(t: &Table) {
    use weak_table::PtrWeakKeyHashMap;
    use weakref::{BuildAddressHasher, WeakKeyIdentityDictionary};

    fn identity<S: BuildHasher + Default>(t: &Table, suffix: &str) {
        let keys: Vec<_> = (0..1_000).map(key).collect();
        let ours: WeakKeyIdentityDictionary<Key, u64, S> = keys.iter().map(|k| (k, k.id)).collect();
        let mut wt: PtrWeakKeyHashMap<Weak<Key>, u64, S> =
            PtrWeakKeyHashMap::with_hasher(S::default());
        for k in &keys {
            wt.insert(Arc::clone(k), k.id);
        }
        let probe = &keys[7];
        t.row(
            &format!("identity_get_1000{suffix}"),
            "<= 1x weak-table Ptr",
            ns(|| sink(black_box(ours.get(black_box(&**probe))))),
            &[(
                "weak-table PtrWeakKeyHashMap",
                ns(|| sink(black_box(wt.get(black_box(probe))))),
            )],
        );
        let extra = key(u64::MAX);
        let mut ours = ours;
        t.row(
            &format!("identity_insert_remove{suffix}"),
            "<= 2x weak-table Ptr",
            ns(|| {
                ours.insert(&extra, 1);
                black_box(ours.remove(&extra));
            }),
            &[(
                "weak-table PtrWeakKeyHashMap",
                ns(|| {
                    wt.insert(Arc::clone(&extra), 1);
                    black_box(wt.remove(&extra));
                }),
            )],
        );
    }
    identity::<std::collections::hash_map::RandomState>(t, "");
    identity::<BuildAddressHasher>(t, "_address_hash");

    rc_rows::<std::collections::hash_map::RandomState>(t, "");
    rc_rows::<BuildHasherDefault<MulHasher>>(t, "_fast_hash");
}

/// The `rc` dictionaries against weak-table over `rc::Weak`, and against
/// CPython, whose reference counts are not atomic either (one thread under
/// the GIL), as `Rc`'s are not.
fn rc_rows<S: BuildHasher + Default + Clone>(t: &Table, suffix: &str) {
    use std::rc::{Rc, Weak as RcWeak};
    use weakref::rc;
    let rc_key = |id| {
        Rc::new(Key {
            id,
            header: Header::new(),
        })
    };
    let keys: Vec<_> = (0..1_000).map(rc_key).collect();
    let ours: rc::WeakKeyDictionary<Key, u64, S> = keys.iter().map(|k| (k, k.id)).collect();
    let wt: WeakKeyHashMap<RcWeak<Key>, u64, S> =
        keys.iter().map(|k| (Rc::clone(k), k.id)).collect();
    let probe = &*keys[7];
    t.row(
        &format!("rc_wkd_get_1000{suffix}"),
        "<= 1.5x weak-table",
        ns(|| sink(black_box(ours.get(black_box(probe))))),
        &[(
            "weak-table rc",
            ns(|| sink(black_box(wt.get(black_box(probe))))),
        )],
    );
    let extra = rc_key(u64::MAX);
    let (mut ours, mut wt) = (ours, wt);
    // Issue 12 set the `rc` insert + remove target with std's hasher. With
    // a fast one the row is bounded by the node protocol's 4 atomic steps
    // against weak-table's none over `rc::Weak`: reported, not targeted.
    let insert_remove_target = if suffix.is_empty() {
        "<= 2x weak-table"
    } else {
        "report: 4 atomic steps vs none"
    };
    t.row(
        &format!("rc_wkd_insert_remove{suffix}"),
        insert_remove_target,
        ns(|| {
            ours.insert(&extra, 1);
            black_box(ours.remove(&extra));
        }),
        &[(
            "weak-table rc",
            ns(|| {
                wt.insert(Rc::clone(&extra), 1);
                black_box(wt.remove(&*extra));
            }),
        )],
    );
    let ours: rc::WeakValueDictionary<u64, Key, S> = keys.iter().map(|k| (k.id, k)).collect();
    let wt: WeakValueHashMap<u64, RcWeak<Key>, S> =
        keys.iter().map(|k| (k.id, Rc::clone(k))).collect();
    t.row(
        &format!("rc_wvd_get_1000{suffix}"),
        "<= 1.5x weak-table",
        ns(|| sink(black_box(ours.get(black_box(&7))))),
        &[(
            "weak-table rc",
            ns(|| sink(black_box(wt.get(black_box(&7))))),
        )],
    );
    let (mut ours, mut wt) = (ours, wt);
    t.row(
        &format!("rc_wvd_insert_remove{suffix}"),
        insert_remove_target,
        ns(|| {
            ours.insert(u64::MAX, &extra);
            black_box(ours.remove(&u64::MAX));
        }),
        &[(
            "weak-table rc",
            ns(|| {
                wt.insert(u64::MAX, Rc::clone(&extra));
                black_box(wt.remove(&u64::MAX));
            }),
        )],
    );
    t.row(
        &format!("rc_wvd_get_or_insert{suffix}"),
        "<= 1.5x weak-table",
        ns(|| sink(black_box(ours.get_or_insert_with(7, || Rc::clone(&extra))))),
        &[(
            "weak-table rc get+insert",
            ns(|| {
                let v = wt.get(&7).unwrap_or_else(|| {
                    wt.insert(7, Rc::clone(&extra));
                    Rc::clone(&extra)
                });
                sink(black_box(v));
            }),
        )],
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let full = args.iter().any(|a| a == "--full");
    let python = if args.iter().any(|a| a == "--no-python") {
        HashMap::new()
    } else {
        cpython()
    };
    let table = Table { python };
    let started = Instant::now();
    if args.iter().any(|a| a == "--concurrent") {
        concurrent(&table);
        println!("concurrent rows done in {:.1?}", started.elapsed());
        return;
    }
    refs(&table);
    contention::rows(&table);
    let sizes: &[u64] = if full {
        &[1_000, 1_000_000]
    } else {
        &[1_000, 100_000]
    };
    dictionaries::<std::collections::hash_map::RandomState>(&table, sizes, "");
    println!(
        "-- the same with a multiplicative hasher in every map (std's SipHash bounds the rows above) --"
    );
    dictionaries::<BuildHasherDefault<MulHasher>>(&table, &sizes[..1], "_fast_hash");
    println!(
        "-- ConcurrentWeakValueDictionary (std's hasher; ns per operation, all threads together) --"
    );
    concurrent(&table);
    println!("-- round 2: identity and rc dictionaries --");
    identity_and_rc_rows(&table);
    println!("quick bench done in {:.1?}", started.elapsed());
}
