//! Proxies shared between threads while their referent dies on another
//! thread: every use returns a value or `Err(ReferenceError)`, never panics,
//! and once the referent is dead every use fails.

use std::ops::Add;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;

use weakref::{
    Callable, CallableProxy, Header, Proxy, ReferenceError, Referent, getweakrefcount, proxy,
    proxy_with_callback,
};

#[derive(Referent, PartialEq, PartialOrd)]
#[referent(callable)]
struct Counter {
    base: u64,
    header: Header,
}

impl Callable for Counter {
    type Args = u64;
    type Output = u64;
    fn call(&self, x: u64) -> u64 {
        self.base + x
    }
}

impl Add<u64> for &Counter {
    type Output = u64;
    fn add(self, rhs: u64) -> u64 {
        self.base + rhs
    }
}

const WORKERS: usize = 4;
const BEFORE_DEATH: usize = if cfg!(miri) { 5 } else { 2_000 };
const ROUNDS: usize = if cfg!(miri) { 1 } else { 20 };
/// Failed uses per worker before it stops (each kind fails once dead).
const FAILURES: usize = if cfg!(miri) { 3 } else { 100 };
const PER_WORKER: usize = if cfg!(miri) { 10 } else { 1_000 };

#[test]
fn proxies_race_with_the_death_of_their_referent() {
    for _round in 0..ROUNDS {
        let obj = Arc::new(Counter {
            base: 1000,
            header: Header::new(),
        });
        let callable: CallableProxy<Counter> = proxy(&obj);
        let plain = Proxy::new(&obj);
        let died = Arc::new(AtomicUsize::new(0));
        let d = died.clone();
        let with_callback = proxy_with_callback(&obj, move |p: &CallableProxy<Counter>| {
            assert_eq!(p.call(1), Err(ReferenceError));
            d.fetch_add(1, Ordering::SeqCst);
        });
        let successes = Arc::new(AtomicUsize::new(0));
        let start = Arc::new(Barrier::new(WORKERS + 1));

        // The referent dies on its own thread, once the workers are busy.
        let holder = Mutex::new(Some(obj));
        let killer = {
            let successes = successes.clone();
            let start = start.clone();
            thread::spawn(move || {
                start.wait();
                while successes.load(Ordering::SeqCst) < BEFORE_DEATH {
                    thread::yield_now();
                }
                drop(holder.lock().unwrap().take());
            })
        };

        let workers: Vec<_> = (0..WORKERS)
            .map(|i| {
                let (callable, plain, with_callback) =
                    (callable.clone(), plain.clone(), with_callback.clone());
                let (successes, start) = (successes.clone(), start.clone());
                thread::spawn(move || {
                    start.wait();
                    let mut failures = 0;
                    let mut n = 0u64;
                    // Run until every kind of use has failed a few times.
                    while failures < FAILURES {
                        n += 1;
                        let results = [
                            callable.call(n),
                            with_callback.call(n),
                            plain.with(|c| c.base + n),
                            callable.try_add(n),
                            plain.try_add(n),
                            plain.get().map(|c| c.base + n),
                        ];
                        let mut dead = 0;
                        for result in results {
                            match result {
                                Ok(value) => assert_eq!(value, 1000 + n, "worker {i}"),
                                Err(ReferenceError) => dead += 1,
                            }
                        }
                        if dead == 0 {
                            successes.fetch_add(1, Ordering::SeqCst);
                        } else {
                            failures += 1;
                        }
                        // Comparisons race with the death the same way.
                        let probe = Counter {
                            base: n,
                            header: Header::new(),
                        };
                        assert!(matches!(
                            plain.try_partial_cmp(&probe),
                            Ok(Some(_)) | Err(ReferenceError)
                        ));
                    }
                    // After death, every use fails.
                    assert_eq!(callable.call(1), Err(ReferenceError));
                    assert_eq!(with_callback.call(1), Err(ReferenceError));
                    assert_eq!(plain.with(|c| c.base), Err(ReferenceError));
                    assert_eq!(callable.try_add(1), Err(ReferenceError));
                    assert!(!plain.is_alive() && !callable.is_alive());
                })
            })
            .collect();

        killer.join().unwrap();
        for worker in workers {
            worker.join().expect("no use of a proxy panics");
        }
        assert!(successes.load(Ordering::SeqCst) >= BEFORE_DEATH);
        assert_eq!(died.load(Ordering::SeqCst), 1, "the callback ran once");
        assert_eq!(callable.call(1), Err(ReferenceError));
        assert!(format!("{plain:?}").ends_with("; dead>"));
    }
}

// Proxies are created and dropped from many threads at once: counting stays
// exact and the shared proxy stays one object.
#[test]
fn proxies_are_created_and_dropped_concurrently() {
    let obj = Arc::new(Counter {
        base: 0,
        header: Header::new(),
    });
    let shared = proxy(&obj);
    let calls = Arc::new(AtomicUsize::new(0));
    thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| {
                for _ in 0..PER_WORKER {
                    let p = proxy(&obj);
                    assert!(CallableProxy::ptr_eq(&p, &shared));
                    let c = calls.clone();
                    let q = proxy_with_callback(&obj, move |_| {
                        c.fetch_add(1, Ordering::SeqCst);
                    });
                    assert_eq!(q.call(1), Ok(1));
                }
            });
        }
    });
    assert_eq!(getweakrefcount(&obj), 1);
    drop(obj);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "dropped proxies never call back"
    );
}
