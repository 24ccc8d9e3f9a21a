//! `Ref::dead()`: a future that resolves when the referent dies (DESIGN
//! semantics 22), under a hand-written executor and under tokio. The tests
//! run for both flavours (`name::arc`, `name::rc`: `weakref_tests::flavour`),
//! except those whose object dies on another thread.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;

use weakref::{Dead, Ref};
use weakref_tests::flavour::Flavour;
use weakref_tests::{Obj, flavour_tests};

/// A waker that counts its wake-ups.
#[derive(Default)]
struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl CountingWaker {
    fn woken(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

fn poll_once(dead: &mut Dead, waker: &Arc<CountingWaker>) -> Poll<()> {
    let waker = Waker::from(Arc::clone(waker));
    Pin::new(dead).poll(&mut Context::from_waker(&waker))
}

/// The smallest executor: polls `future` on this thread, parking between
/// polls until woken.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        thread::park();
    }
}

fn assert_future_traits<F: Future<Output = ()> + Send + Unpin + 'static>(_: &F) {}

fn dead_is_send_unpin_and_static<Fl: Flavour>() {
    let o = Fl::obj(1);
    let dead = Ref::new(&o).dead();
    assert_future_traits(&dead);
}
flavour_tests!(dead_is_send_unpin_and_static);

fn resolves_at_once_for_a_dead_referent<Fl: Flavour>() {
    let o = Fl::obj(1);
    let r = Ref::new(&o);
    drop(o);
    let mut dead = r.dead();
    assert!(dead.is_resolved());
    assert_eq!(poll_once(&mut dead, &Arc::default()), Poll::Ready(()));
    // A ref that never had a referent too.
    let mut never = Ref::<Obj, Fl>::default().dead();
    assert_eq!(poll_once(&mut never, &Arc::default()), Poll::Ready(()));
}
flavour_tests!(resolves_at_once_for_a_dead_referent);

fn resolves_when_the_referent_dies_and_wakes_the_waker<Fl: Flavour>() {
    let o = Fl::obj(1);
    let r = Ref::new(&o);
    let mut dead = r.dead();
    let waker = Arc::new(CountingWaker::default());
    assert_eq!(poll_once(&mut dead, &waker), Poll::Pending);
    assert_eq!(waker.woken(), 0);
    drop(o);
    assert_eq!(waker.woken(), 1);
    assert!(r.get().is_none(), "resolved only once get() is None");
    assert_eq!(poll_once(&mut dead, &waker), Poll::Ready(()));
}
flavour_tests!(resolves_when_the_referent_dies_and_wakes_the_waker);

// Semantics 22: many waiters on one object all wake.
fn many_waiters_all_wake<Fl: Flavour>() {
    let o = Fl::obj(1);
    let r = Ref::new(&o);
    let wakers: Vec<Arc<CountingWaker>> = (0..5).map(|_| Arc::default()).collect();
    let mut futures: Vec<Dead> = (0..5).map(|_| r.dead()).collect();
    for (dead, waker) in futures.iter_mut().zip(&wakers) {
        assert_eq!(poll_once(dead, waker), Poll::Pending);
    }
    drop(o);
    assert!(wakers.iter().all(|w| w.woken() == 1));
    for (dead, waker) in futures.iter_mut().zip(&wakers) {
        assert_eq!(poll_once(dead, waker), Poll::Ready(()));
    }
}
flavour_tests!(many_waiters_all_wake);

// Semantics 22: a `Dead` dropped before the death unregisters: nothing is
// left on the object, and its waker is never woken.
fn a_dead_dropped_first_leaves_nothing<Fl: Flavour>() {
    let o = Fl::obj(1);
    let r = Ref::new(&o);
    assert_eq!(Fl::getweakrefcount(&o), 1);
    let mut dead = r.dead();
    let waker = Arc::new(CountingWaker::default());
    assert_eq!(poll_once(&mut dead, &waker), Poll::Pending);
    assert_eq!(
        Fl::getweakrefcount(&o),
        2,
        "the hook is a weak reference object"
    );
    drop(dead);
    assert_eq!(Fl::getweakrefcount(&o), 1, "unregistered");
    drop(o);
    assert_eq!(waker.woken(), 0, "never woken");
}
flavour_tests!(a_dead_dropped_first_leaves_nothing);

// The future resolves at the clearing, before callbacks run.
fn resolved_before_callbacks_run<Fl: Flavour>() {
    let o = Fl::obj(1);
    let r = Ref::new(&o);
    let dead = Arc::new(Mutex::new(r.dead()));
    let seen = Arc::new(Mutex::new(None));
    let (d, s) = (Arc::clone(&dead), Arc::clone(&seen));
    let _cb = Fl::with_callback(&o, move |_| {
        *s.lock().unwrap() = Some(d.lock().unwrap().is_resolved());
    });
    drop(o);
    assert_eq!(*seen.lock().unwrap(), Some(true));
}
flavour_tests!(resolved_before_callbacks_run);

// The last strong reference dropped inside `dead()` itself (the temporary
// it upgrades to): the hook runs there, and the future is already resolved.
// (`Arc` only: the object dies on another thread.)
#[test]
fn resolved_when_dead_takes_the_last_reference() {
    let o = Obj::new(1);
    let r = Ref::new(&o);
    let r2 = r.clone();
    let killer = thread::spawn(move || drop(o));
    let dead = r2.dead();
    killer.join().unwrap();
    assert!(dead.is_resolved());
    assert!(r.get().is_none());
}

// A waiter on one thread, the death on another, the hand-written executor
// parking in between. (`Dead` is `Send` for both flavours: an `Rc` object's
// death wakes a waiter on another thread too.)
fn wakes_a_waiter_on_another_thread<Fl: Flavour>() {
    let o = Fl::obj(1);
    let r = Ref::new(&o);
    let dead = r.dead();
    let waiter = thread::spawn(move || block_on(dead));
    thread::sleep(std::time::Duration::from_millis(if cfg!(miri) {
        1
    } else {
        20
    }));
    drop(o);
    waiter.join().unwrap();
    assert!(r.get().is_none());
}
flavour_tests!(wakes_a_waiter_on_another_thread);

// Proxies reach it through `weakref()`; refs have it too (it was the `rc`
// refs' own test before every test ran for both flavours).
fn proxies_and_refs_await_deaths<Fl: Flavour>() {
    let o = Fl::obj(1);
    let p = Fl::proxy(&o);
    let dead = p.weakref().dead();
    drop(o);
    assert!(dead.is_resolved());

    let local = Fl::new(Obj::default());
    let r = Ref::new(&local);
    let dead = r.dead();
    assert!(!dead.is_resolved());
    drop(local);
    assert!(dead.is_resolved());
}
flavour_tests!(proxies_and_refs_await_deaths);

// With a real runtime: a task that works until its owner is dropped
// (`select!` between the work and `owner_ref.dead()`). (`Arc` only: the ref
// moves into a task of a multi-threaded runtime.)
#[test]
#[cfg_attr(miri, ignore = "tokio's runtime is not meant for Miri")]
fn a_tokio_task_stops_when_its_owner_is_dropped() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(async {
        let owner = Obj::new(1);
        let owner_ref = Ref::new(&owner);
        let ticks = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&ticks);
        let task = tokio::spawn(async move {
            let gone = owner_ref.dead();
            tokio::pin!(gone);
            loop {
                tokio::select! {
                    () = &mut gone => return "owner dropped",
                    () = tokio::time::sleep(std::time::Duration::from_millis(1)) => {
                        counted.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
        });
        while ticks.load(Ordering::SeqCst) < 3 {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        drop(owner);
        assert_eq!(task.await.unwrap(), "owner dropped");
    });
}
