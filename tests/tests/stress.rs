//! Many threads at once: objects dying on any thread while others create,
//! clone, drop and dereference weak references to them. Counts must stay
//! exact and every callback of a ref alive at death must run exactly once.
//! Scaled down under Miri.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

use weakref::{Ref, getweakrefcount, getweakrefs};
use weakref_tests::Obj;

const THREADS: usize = if cfg!(miri) { 2 } else { 8 };
const ROUNDS: usize = if cfg!(miri) { 2 } else { 400 };
const OBJECTS: usize = if cfg!(miri) { 2 } else { 8 };

#[derive(Default)]
struct Counts {
    /// Callback refs kept alive until after their referent died.
    registered: AtomicUsize,
    /// Callbacks of those that ran.
    fired: AtomicUsize,
    /// Callbacks of refs dropped or cancelled before death that ran (must be 0).
    wrongly_fired: AtomicUsize,
    /// Callback closures dropped, whether they ran or not.
    closures_dropped: AtomicUsize,
    /// Callback closures made.
    closures_made: AtomicUsize,
}

/// Counts its closure's drop.
struct ClosureGuard(Arc<Counts>);

impl Drop for ClosureGuard {
    fn drop(&mut self) {
        self.0.closures_dropped.fetch_add(1, Ordering::SeqCst);
    }
}

fn counted_callback(
    counts: &Arc<Counts>,
    expected: bool,
) -> impl FnOnce(&Ref<Obj>) + Send + 'static {
    counts.closures_made.fetch_add(1, Ordering::SeqCst);
    let guard = ClosureGuard(Arc::clone(counts));
    move |r: &Ref<Obj>| {
        assert!(!r.is_alive());
        let counts = &guard.0;
        if expected {
            counts.fired.fetch_add(1, Ordering::SeqCst);
        } else {
            counts.wrongly_fired.fetch_add(1, Ordering::SeqCst);
        }
    }
}

// Objects die on whichever thread drops the last `Arc` (possibly a temporary
// from `get`), while every thread makes shared and callback refs, clones,
// drops and dereferences them.
#[test]
fn callbacks_fire_exactly_once_under_contention() {
    let counts = Arc::new(Counts::default());
    for _ in 0..ROUNDS {
        let objects: Vec<_> = (0..OBJECTS)
            .map(|i| Obj::new(u32::try_from(i).unwrap()))
            .collect();
        // Shared refs to every object, for dereferencing from other threads.
        let shared: Vec<_> = objects.iter().map(Ref::new).collect();
        let barrier = Arc::new(Barrier::new(THREADS + 1));
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let mut mine = objects.clone();
                let (shared, barrier, counts) =
                    (shared.clone(), Arc::clone(&barrier), Arc::clone(&counts));
                thread::spawn(move || {
                    let mut kept = Vec::new();
                    barrier.wait();
                    // Each thread walks the objects from a different start.
                    mine.rotate_left(t % OBJECTS);
                    for (k, o) in mine.into_iter().enumerate() {
                        let s = Ref::new(&o);
                        let s2 = s.clone();
                        assert!(Arc::ptr_eq(&s2.get().unwrap(), &o));
                        drop(s2);
                        // Dropped while this thread holds `o`: must never fire.
                        drop(Ref::with_callback(&o, counted_callback(&counts, false)));
                        let cancelled = Ref::with_callback(&o, counted_callback(&counts, false));
                        assert!(cancelled.cancel());
                        // Kept past the death: must fire exactly once.
                        counts.registered.fetch_add(1, Ordering::SeqCst);
                        let r = Ref::with_callback(&o, counted_callback(&counts, true));
                        kept.push(r.clone());
                        kept.push(s);
                        // Dereference another object that may be dying now: the
                        // temporary may be its last strong reference.
                        let other = &shared[(t + k + 1) % shared.len()];
                        if let Some(temp) = other.get() {
                            assert!(Ref::ptr_eq(&Ref::new(&temp), other));
                            drop(temp);
                        }
                        drop(o);
                        drop(r);
                    }
                    kept
                })
            })
            .collect();
        barrier.wait();
        drop(objects); // maybe the last reference of some
        let kept: Vec<Ref<Obj>> = workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect();
        assert!(kept.iter().all(|r| !r.is_alive()), "every object is dead");
        assert!(shared.iter().all(|r| r.get().is_none()));
    }
    let registered = counts.registered.load(Ordering::SeqCst);
    assert_eq!(counts.fired.load(Ordering::SeqCst), registered);
    assert_eq!(counts.wrongly_fired.load(Ordering::SeqCst), 0);
    assert_eq!(
        counts.closures_dropped.load(Ordering::SeqCst),
        counts.closures_made.load(Ordering::SeqCst),
        "every callback closure is dropped exactly once"
    );
}

// Callback refs dropped on some threads while the referent dies on another:
// each callback runs at most once, every closure is dropped exactly once,
// and the refs still held after the death have all fired.
#[test]
fn refs_dropped_while_the_referent_dies() {
    let counts = Arc::new(Counts::default());
    let maybe_fired = Arc::new(AtomicUsize::new(0));
    for _ in 0..ROUNDS {
        let o = Obj::new(0);
        let barrier = Arc::new(Barrier::new(THREADS + 1));
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                // Racing: may or may not fire; counted apart.
                let racing: Vec<_> = (0..4)
                    .map(|_| {
                        let m = Arc::clone(&maybe_fired);
                        let guard = ClosureGuard(Arc::clone(&counts));
                        counts.closures_made.fetch_add(1, Ordering::SeqCst);
                        Ref::with_callback(&o, move |_| {
                            let _guard = guard;
                            m.fetch_add(1, Ordering::SeqCst);
                        })
                    })
                    .collect();
                // Held past the death: must fire.
                counts.registered.fetch_add(1, Ordering::SeqCst);
                let held = Ref::with_callback(&o, counted_callback(&counts, true));
                let o = (t == 0).then(|| Arc::clone(&o));
                let barrier = Arc::clone(&barrier);
                thread::spawn(move || {
                    barrier.wait();
                    drop(o); // thread 0 races the main thread for the last `Arc`
                    for r in racing {
                        let clone = r.clone();
                        drop(r);
                        drop(clone);
                    }
                    held
                })
            })
            .collect();
        barrier.wait();
        drop(o);
        let held: Vec<_> = workers.into_iter().map(|w| w.join().unwrap()).collect();
        assert!(held.iter().all(|r| !r.is_alive()));
    }
    let registered = counts.registered.load(Ordering::SeqCst);
    assert_eq!(counts.fired.load(Ordering::SeqCst), registered);
    assert!(maybe_fired.load(Ordering::SeqCst) <= ROUNDS * THREADS * 4);
    assert_eq!(
        counts.closures_dropped.load(Ordering::SeqCst),
        counts.closures_made.load(Ordering::SeqCst)
    );
}

// Threads racing `Ref::new` on one object all get the same shared weak
// reference object, also while others drop their handles (the shared ref's
// last handle going away races its re-creation).
#[test]
fn racing_shared_ref_creation_agrees() {
    const ITERATIONS: usize = if cfg!(miri) { 3 } else { 300 };
    for _ in 0..ROUNDS / 3 + 1 {
        let o = Obj::new(0);
        let barrier = Arc::new(Barrier::new(THREADS));
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                let (o, barrier) = (Arc::clone(&o), Arc::clone(&barrier));
                thread::spawn(move || {
                    barrier.wait();
                    for _ in 0..ITERATIONS {
                        let a = Ref::new(&o);
                        let b = Ref::new(&o);
                        assert!(Ref::ptr_eq(&a, &b), "made while `a` is held");
                        drop(a);
                        drop(b);
                    }
                    barrier.wait();
                    Ref::new(&o)
                })
            })
            .collect();
        let refs: Vec<_> = workers.into_iter().map(|w| w.join().unwrap()).collect();
        assert!(refs.iter().all(|r| Ref::ptr_eq(r, &refs[0])));
        assert_eq!(getweakrefcount(&o), 1);
        assert!(Ref::ptr_eq(&getweakrefs(&o)[0], &refs[0]));
        drop(o);
        assert!(refs.iter().all(|r| !r.is_alive()));
    }
}

// After the threads join, `getweakrefcount` is the number of distinct weak
// reference objects whose handles are still held.
#[test]
fn count_after_joins_equals_live_handles() {
    const PER_THREAD: usize = if cfg!(miri) { 3 } else { 200 };
    let counts = Arc::new(Counts::default());
    for _ in 0..ROUNDS / 10 + 1 {
        let o = Obj::new(0);
        let barrier = Arc::new(Barrier::new(THREADS));
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let (o, barrier, counts) =
                    (Arc::clone(&o), Arc::clone(&barrier), Arc::clone(&counts));
                thread::spawn(move || {
                    barrier.wait();
                    let mut kept = Vec::new();
                    for i in 0..PER_THREAD {
                        let shared = Ref::new(&o);
                        let keep = i % 3 == 0;
                        let r = Ref::with_callback(&o, counted_callback(&counts, keep));
                        let clone = r.clone();
                        drop(r);
                        if keep {
                            counts.registered.fetch_add(1, Ordering::SeqCst);
                            kept.push(clone);
                        }
                        if t == 0 && i == 0 {
                            kept.push(shared); // one thread keeps the shared ref
                        }
                    }
                    kept
                })
            })
            .collect();
        let kept: Vec<Ref<Obj>> = workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect();
        // `kept` holds exactly one handle per distinct weak reference object.
        assert_eq!(getweakrefcount(&o), kept.len());
        let listed = getweakrefs(&o);
        assert_eq!(listed.len(), kept.len());
        assert!(
            kept.iter()
                .all(|k| listed.iter().filter(|l| Ref::ptr_eq(l, k)).count() == 1)
        );
        drop(listed);
        drop(o);
        assert!(kept.iter().all(|r| !r.is_alive()));
    }
    let registered = counts.registered.load(Ordering::SeqCst);
    assert_eq!(counts.fired.load(Ordering::SeqCst), registered);
    assert_eq!(counts.wrongly_fired.load(Ordering::SeqCst), 0);
    assert_eq!(
        counts.closures_dropped.load(Ordering::SeqCst),
        counts.closures_made.load(Ordering::SeqCst)
    );
}

// One object's list lock (its count and lock in one word, `list_lock.rs`)
// hammered by every thread at once: registering, cancelling and dropping
// callback refs, counting, listing. The count of weak reference objects
// stays exact, the list is freed once (the leak checks run this file), and
// exactly the refs kept past the death call back.
#[test]
fn one_list_lock_hammered_by_every_thread() {
    const PER_THREAD: usize = if cfg!(miri) { 3 } else { 2_000 };
    let counts = Arc::new(Counts::default());
    let o = Obj::new(0);
    let barrier = Arc::new(Barrier::new(THREADS));
    let kept: Vec<Ref<Obj>> = thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                let (o, barrier, counts) = (&o, Arc::clone(&barrier), Arc::clone(&counts));
                s.spawn(move || {
                    barrier.wait();
                    let mut kept = Vec::new();
                    for i in 0..PER_THREAD {
                        drop(Ref::with_callback(o, counted_callback(&counts, false)));
                        let cancelled = Ref::with_callback(o, counted_callback(&counts, false));
                        assert!(cancelled.cancel());
                        assert!(getweakrefcount(o) >= kept.len());
                        if i % 100 == 0 {
                            counts.registered.fetch_add(1, Ordering::SeqCst);
                            kept.push(Ref::with_callback(o, counted_callback(&counts, true)));
                            assert!(getweakrefs(o).len() >= kept.len());
                        }
                    }
                    kept
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    assert_eq!(getweakrefcount(&o), kept.len());
    drop(o);
    let registered = counts.registered.load(Ordering::SeqCst);
    assert_eq!(registered, kept.len());
    assert_eq!(counts.fired.load(Ordering::SeqCst), registered);
    assert_eq!(counts.wrongly_fired.load(Ordering::SeqCst), 0);
    drop(kept);
    assert_eq!(
        counts.closures_dropped.load(Ordering::SeqCst),
        counts.closures_made.load(Ordering::SeqCst),
        "every callback closure is dropped exactly once"
    );
}

/// Polls `future` on this thread, parking between polls until its waker
/// runs. A wake-up the death never sends would park forever: after a minute
/// with no wake-up, this fails instead of hanging the test run (a deadline
/// for a lost wake-up, not a timing of anything).
fn block_on_or_lost<F: std::future::Future>(future: F) -> F::Output {
    use std::sync::atomic::AtomicBool;
    use std::task::{Context, Poll, Wake, Waker};
    use std::time::{Duration, Instant};

    struct Unpark(thread::Thread, AtomicBool);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.1.store(true, Ordering::SeqCst);
            self.0.unpark();
        }
    }
    let unpark = Arc::new(Unpark(thread::current(), AtomicBool::new(false)));
    let waker = Waker::from(Arc::clone(&unpark));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        // Park until woken (spurious unparks just go round again).
        while !unpark.1.swap(false, Ordering::SeqCst) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "a waiter of `Ref::dead` was never woken");
            thread::park_timeout(left);
        }
    }
}

// `Ref::dead` (DESIGN 22) with the death racing every waiter's poll: each
// round, several threads await one object's death (one of them polls once
// and drops its future, unregistering while the death may be clearing),
// and the object dies on whichever thread drops its last `Arc`. Every
// waiter that keeps its future must be woken and see the ref cleared; a
// dropped future leaves nothing behind (the leak checks run this file).
#[test]
fn awaited_deaths_wake_every_waiter_under_contention() {
    use std::future::Future;
    use std::task::{Context, Waker};

    const WAITERS: usize = if cfg!(miri) { 2 } else { 4 };
    let rounds: u32 = if cfg!(miri) { 2 } else { 200 };
    for round in 0..rounds {
        let o = Obj::new(round);
        let r = Ref::new(&o);
        let barrier = Barrier::new(WAITERS + 2);
        thread::scope(|s| {
            for w in 0..WAITERS {
                let (o, r, barrier) = (Arc::clone(&o), r.clone(), &barrier);
                s.spawn(move || {
                    let dead = r.dead();
                    barrier.wait();
                    // Each waiter also holds the object for a while: the
                    // last `Arc` goes on any of these threads.
                    drop(o);
                    if w == 0 {
                        let mut dead = dead;
                        let _ = std::pin::Pin::new(&mut dead)
                            .poll(&mut Context::from_waker(Waker::noop()));
                        drop(dead);
                    } else {
                        block_on_or_lost(dead);
                        assert!(r.get().is_none(), "resolved before the clearing");
                    }
                });
            }
            let (r, barrier) = (r.clone(), &barrier);
            s.spawn(move || {
                barrier.wait();
                // A waiter that starts after the death resolves at once.
                while r.is_alive() {
                    thread::yield_now();
                }
                block_on_or_lost(r.dead());
            });
            barrier.wait();
            drop(o);
        });
        assert!(!r.is_alive());
    }
}
