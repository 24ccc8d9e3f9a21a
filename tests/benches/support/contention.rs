//! The quick bench's object-life and contention rows (issue 14): one
//! thread, then two threads on one shared object and on one object each,
//! ours against std in the same run. Throughput is per thread: nanoseconds
//! per operation as each thread sees it (lower is better).

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex, Weak};
use std::time::Instant;

use weak_table::WeakValueHashMap;
use weakref::{Ref, WeakValueDictionary};

use super::{Key, Table, key, ns_batched};

/// The anchor's boxed callback.
type AnchorCallback = Box<dyn FnOnce(&Weak<Key>)>;

/// Median over `ROUNDS` runs of `threads` threads each doing `op` `N` times
/// after a common start: ns per operation per thread.
fn per_thread_ns<S: Sync>(threads: usize, state: &S, op: impl Fn(&S, usize) + Sync) -> f64 {
    const N: usize = 200_000;
    const ROUNDS: usize = 7;
    let mut samples: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let start = Barrier::new(threads);
            let elapsed = Mutex::new(Vec::new());
            std::thread::scope(|s| {
                for t in 0..threads {
                    let (start, elapsed, op) = (&start, &elapsed, &op);
                    s.spawn(move || {
                        start.wait();
                        let began = Instant::now();
                        for _ in 0..N {
                            op(state, t);
                        }
                        let ns = began.elapsed().as_nanos() as f64 / N as f64;
                        elapsed.lock().unwrap().push(ns);
                    });
                }
            });
            let times = elapsed.into_inner().unwrap();
            times.iter().sum::<f64>() / times.len() as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// One object per thread (index by thread), or one shared by all.
struct Objects {
    shared: Arc<Key>,
    own: Vec<Arc<Key>>,
    shared_weak: Weak<Key>,
    own_weak: Vec<Weak<Key>>,
    shared_ref: Ref<Key>,
    own_ref: Vec<Ref<Key>>,
}

fn objects() -> Objects {
    let shared = key(0);
    let own: Vec<_> = (1..=2).map(key).collect();
    Objects {
        shared_weak: Arc::downgrade(&shared),
        own_weak: own.iter().map(Arc::downgrade).collect(),
        shared_ref: Ref::new(&shared),
        own_ref: own.iter().map(Ref::new).collect(),
        shared,
        own,
    }
}

pub(super) fn rows(t: &Table) {
    // A whole object life with one callback ref, against an `Arc` life with
    // one `Weak` and one boxed closure run at the death; both closures
    // capture one `Arc`, as real callbacks do.
    let hits = Arc::new(AtomicUsize::new(0));
    let ours = ns_batched(
        || (),
        |()| {
            let o = key(1);
            let h = Arc::clone(&hits);
            let r = Ref::with_callback(&o, move |_| {
                h.fetch_add(1, Ordering::Relaxed);
            });
            drop(black_box(o));
            drop(black_box(r));
        },
    );
    let anchor = ns_batched(
        || (),
        |()| {
            let o = key(1);
            let weak = Arc::downgrade(&o);
            let h = Arc::clone(&hits);
            let callback: AnchorCallback = Box::new(move |w| {
                black_box(w);
                h.fetch_add(1, Ordering::Relaxed);
            });
            drop(black_box(o));
            callback(&weak);
            drop(black_box(weak));
        },
    );
    t.row(
        "object_life_with_callback",
        "<= 3x std",
        ours,
        &[("Arc+Weak+boxed closure", anchor)],
    );

    println!(
        "-- contention: per-thread ns/op, 1 thread, then 2 threads on one object / one each --"
    );
    let objs = objects();
    for threads in [1, 2] {
        for shared in [true, false] {
            if threads == 1 && !shared {
                continue;
            }
            let what = match (threads, shared) {
                (1, _) => "1 thread",
                (_, true) => "2 threads, one object",
                _ => "2 threads, one each",
            };
            fn pick(o: &Objects, t: usize, shared: bool) -> &Arc<Key> {
                if shared { &o.shared } else { &o.own[t] }
            }
            let ours = per_thread_ns(threads, &objs, |o, t| {
                let r = if shared { &o.shared_ref } else { &o.own_ref[t] };
                black_box(black_box(r).get());
            });
            let std = per_thread_ns(threads, &objs, |o, t| {
                let w = if shared {
                    &o.shared_weak
                } else {
                    &o.own_weak[t]
                };
                black_box(black_box(w).upgrade());
            });
            t.row(
                &format!("ref_get ({what})"),
                "<= 1.1x std",
                ours,
                &[("Weak::upgrade", std)],
            );
            let ours = per_thread_ns(threads, &objs, |o, t| {
                drop(Ref::new(black_box(pick(o, t, shared))))
            });
            let std = per_thread_ns(threads, &objs, |o, t| {
                drop(Arc::downgrade(black_box(pick(o, t, shared))));
            });
            t.row(
                &format!("ref_new_shared ({what})"),
                "<= 3x std",
                ours,
                &[("Arc::downgrade+drop", std)],
            );
        }
        let ours = per_thread_ns(threads, &(), |(), _| {
            let o = key(1);
            let r = Ref::with_callback(&o, |_| ());
            drop(black_box(o));
            drop(black_box(r));
        });
        let std = per_thread_ns(threads, &(), |(), _| {
            let o = key(1);
            let weak = Arc::downgrade(&o);
            let callback: Box<dyn FnOnce()> = Box::new(|| ());
            drop(black_box(o));
            callback();
            drop(black_box(weak));
        });
        let what = if threads == 1 {
            "1 thread"
        } else {
            "2 threads, one each"
        };
        t.row(
            &format!("with_callback+death ({what})"),
            "report",
            ours,
            &[("Arc+Weak+closure", std)],
        );
        let keys: Vec<_> = (0..1_000).map(key).collect();
        let ours = Mutex::new(
            keys.iter()
                .map(|k| (k.id, Arc::clone(k)))
                .collect::<WeakValueDictionary<u64, Key>>(),
        );
        let wt = Mutex::new(
            keys.iter()
                .map(|k| (k.id, Arc::clone(k)))
                .collect::<WeakValueHashMap<u64, Weak<Key>>>(),
        );
        let ours = per_thread_ns(threads, &ours, |d, t| {
            black_box(d.lock().unwrap().get(&(7 + t as u64)));
        });
        let theirs = per_thread_ns(threads, &wt, |d, t| {
            black_box(d.lock().unwrap().get(&(7 + t as u64)));
        });
        t.row(
            &format!("wvd_get_under_mutex ({threads} thread(s))"),
            "<= 1.5x weak-table",
            ours,
            &[("weak-table under a Mutex", theirs)],
        );
    }
    drop(objs);
}
