//! Runs one operation N times, for instruction counting under callgrind
//! (`bench/callgrind.sh`): `ops <operation> <N>`. Not a timing benchmark.
#![allow(missing_docs)] // a benchmark binary, no public API

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};

use weakref::{ConcurrentWeakValueDictionary, Header, Ref, Referent, WeakValueDictionary};

#[derive(Referent)]
struct Obj {
    header: Header,
}

/// A key that hashes by value (`Header` hashes and compares as nothing).
#[derive(Referent, Hash, PartialEq, Eq)]
struct Key {
    id: u64,
    header: Header,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(op), Some(n)) = (args.next(), args.next()) else {
        eprintln!(
            "usage: ops <weak_upgrade|ref_get|weak_upgrade_dead|ref_get_dead|arc_downgrade|ref_new|life_0|life_1|life_anchor|wvd_get|cwvd_get|wvd_insert_remove|wt_wvd_insert_remove|wkd_insert_remove|rc_wkd_insert_remove> <N>"
        );
        std::process::exit(2);
    };
    // `cargo bench` passes `--bench`; ignore anything else.
    let n: u64 = n.parse().expect("N is a number");
    let o = Arc::new(Obj {
        header: Header::new(),
    });
    let weak: Weak<Obj> = Arc::downgrade(&o);
    let r = Ref::new(&o);
    let dead = Arc::new(Obj {
        header: Header::new(),
    });
    let (weak_dead, r_dead) = (Arc::downgrade(&dead), Ref::new(&dead));
    drop(dead);
    // What the callbacks of `life_1` and `life_anchor` capture: one `Arc`,
    // as a real callback would (a log, a channel).
    let counter = Arc::new(AtomicUsize::new(0));
    match op.as_str() {
        "weak_upgrade" => repeat(n, || drop(black_box(black_box(&weak).upgrade()))),
        "ref_get" => repeat(n, || drop(black_box(black_box(&r).get()))),
        "weak_upgrade_dead" => repeat(n, || drop(black_box(black_box(&weak_dead).upgrade()))),
        "ref_get_dead" => repeat(n, || drop(black_box(black_box(&r_dead).get()))),
        "arc_downgrade" => repeat(n, || drop(black_box(Arc::downgrade(black_box(&o))))),
        "ref_new" => repeat(n, || drop(black_box(Ref::new(black_box(&o))))),
        "life_0" => repeat(n, || {
            drop(black_box(Arc::new(Obj {
                header: Header::new(),
            })))
        }),
        "life_1" => repeat(n, || {
            let o = Arc::new(Obj {
                header: Header::new(),
            });
            let hits = Arc::clone(&counter);
            let r = Ref::with_callback(&o, move |_| {
                hits.fetch_add(1, Ordering::Relaxed);
            });
            drop(black_box(o));
            drop(black_box(r));
        }),
        // The anchor of `life_1`: an `Arc` life with one `Weak` and one boxed
        // closure run at the death.
        "life_anchor" => repeat(n, || {
            let o = Arc::new(Obj {
                header: Header::new(),
            });
            let weak = Arc::downgrade(&o);
            let hits = Arc::clone(&counter);
            let callback: AnchorCallback = Box::new(move |w| {
                black_box(w);
                hits.fetch_add(1, Ordering::Relaxed);
            });
            drop(black_box(o));
            callback(&weak);
            drop(black_box(weak));
        }),
        "wvd_get" | "cwvd_get" => {
            // 1,024 entries (as in the quick bench), one probed key.
            let values: Vec<_> = (0..1024)
                .map(|_| {
                    Arc::new(Obj {
                        header: Header::new(),
                    })
                })
                .collect();
            let pairs = || (0..1024_u64).zip(values.iter().cloned());
            if op == "wvd_get" {
                let d: WeakValueDictionary<u64, Obj> = pairs().collect();
                repeat(n, || drop(black_box(d.get(black_box(&7)))));
            } else {
                let d: ConcurrentWeakValueDictionary<u64, Obj> = pairs().collect();
                repeat(n, || drop(black_box(d.get(black_box(&7)))));
            }
        }
        // A dictionary entry registered and removed (issue 14), ours and
        // weak-table's, with std's hasher in both.
        "wvd_insert_remove" => {
            let mut d: weakref::WeakValueDictionary<u64, Obj> = weakref::WeakValueDictionary::new();
            repeat(n, || {
                d.insert(1, &o);
                drop(black_box(d.remove(&1)));
            });
        }
        "wt_wvd_insert_remove" => {
            let mut d: weak_table::WeakValueHashMap<u64, Weak<Obj>> =
                weak_table::WeakValueHashMap::new();
            repeat(n, || {
                d.insert(1, Arc::clone(&o));
                drop(black_box(d.remove(&1)));
            });
        }
        // The same through a `WeakKeyDictionary`, for both families.
        "wkd_insert_remove" => {
            let k = Arc::new(Key {
                id: 1,
                header: Header::new(),
            });
            let mut d: weakref::WeakKeyDictionary<Key, u64> = weakref::WeakKeyDictionary::new();
            repeat(n, || {
                d.insert(&k, 1);
                black_box(d.remove(&*k));
            });
        }
        "rc_wkd_insert_remove" => {
            let k = std::rc::Rc::new(Key {
                id: 1,
                header: Header::new(),
            });
            let mut d: weakref::rc::WeakKeyDictionary<Key, u64> =
                weakref::rc::WeakKeyDictionary::new();
            repeat(n, || {
                d.insert(&k, 1);
                black_box(d.remove(&*k));
            });
        }
        other => panic!("unknown operation {other}"),
    }
}

/// The anchor's boxed callback.
type AnchorCallback = Box<dyn FnOnce(&Weak<Obj>)>;

/// The operation is chosen once, outside the loop, so every loop has the
/// same overhead.
#[inline(never)]
fn repeat(n: u64, mut op: impl FnMut()) {
    for _ in 0..n {
        op();
    }
}
