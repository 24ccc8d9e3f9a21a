//! Callbacks: DESIGN semantics 2-5 (order, exactly once, own ref, clearing
//! first; refs dropped first never fire; panics reported; no locks held,
//! iterative, fixed at death, on the dropping thread), plus death hooks and
//! `Ref::cancel`. The tests run for both flavours (`name::arc`, `name::rc`:
//! `weakref_tests::flavour`), except those about threads, which only `Arc`
//! objects cross.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier, Mutex};
use std::thread::{self, ThreadId};

use weakref::{Family, Ref, rc};
use weakref_tests::flavour::{Flavour, Local, ptr_eq};
use weakref_tests::{
    Counter, DropFlag, Obj, Unraisable, collect_unraisable, flavour_tests,
    with_default_unraisable_hook,
};

type Log = Arc<Mutex<Vec<String>>>;
type Threads = Arc<Mutex<Vec<ThreadId>>>;

fn log() -> Log {
    Arc::default()
}

fn push(log: &Log, entry: impl Into<String>) {
    log.lock().unwrap().push(entry.into());
}

fn entries(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

/// A callback that logs `name`.
fn logging<F: Family>(log: &Log, name: &str) -> impl FnOnce(&Ref<Obj, F>) + Send + 'static {
    let (log, name) = (Arc::clone(log), name.to_owned());
    move |_| push(&log, name)
}

// ---------------------------------------------------------------- semantics 2

// Callbacks run most recently registered first (the 2.1 docs: "from the most
// recently registered callback to the oldest").
fn callbacks_run_newest_first<Fl: Flavour>() {
    let log = log();
    let o = Fl::obj(1);
    let refs: Vec<_> = (0..5)
        .map(|i| Fl::with_callback(&o, logging(&log, &i.to_string())))
        .collect();
    let shared = Ref::new(&o);
    drop(o);
    assert_eq!(entries(&log), ["4", "3", "2", "1", "0"]);
    assert!(!shared.is_alive() && refs.iter().all(|r| !r.is_alive()));
}
flavour_tests!(callbacks_run_newest_first);

fn each_callback_runs_exactly_once<Fl: Flavour>() {
    let counters: Vec<Counter> = (0..4).map(|_| Counter::new()).collect();
    let o = Fl::obj(1);
    let refs: Vec<_> = counters
        .iter()
        .map(|c| Fl::with_callback(&o, c.callback_in()))
        .collect();
    // Clones are the same weak reference object: no extra calls.
    let clones: Vec<_> = refs.iter().map(Ref::clone).collect();
    drop(o);
    assert!(counters.iter().all(|c| c.get() == 1));
    drop((refs, clones));
    assert!(counters.iter().all(|c| c.get() == 1));
}
flavour_tests!(each_callback_runs_exactly_once);

fn each_callback_gets_its_own_weak_reference<Fl: Flavour>() {
    type Received<Fl> = Rc<RefCell<Vec<(usize, Ref<Obj, Fl>)>>>;
    let received: Received<Fl> = Rc::default();
    let o = Fl::obj(1);
    let refs: Vec<_> = (0..3)
        .map(|i| {
            let sink = Local::new(Rc::clone(&received));
            Fl::with_callback(&o, move |r: &Ref<Obj, Fl>| {
                sink.into_inner().borrow_mut().push((i, r.clone()));
            })
        })
        .collect();
    drop(o);
    let received = received.borrow();
    assert_eq!(received.len(), 3);
    for (i, r) in received.iter() {
        for (j, mine) in refs.iter().enumerate() {
            assert_eq!(Ref::ptr_eq(r, mine), *i == j, "callback {i} got ref {j}?");
        }
        assert!(r.get().is_none() && !r.is_alive());
    }
}
flavour_tests!(each_callback_gets_its_own_weak_reference);

// All weak references of the object are cleared before the first callback
// runs, the shared one included; the callback's own argument too.
fn callbacks_see_every_other_ref_dead<Fl: Flavour>() {
    let all: Rc<RefCell<Vec<Ref<Obj, Fl>>>> = Rc::default();
    let alive_seen = Arc::new(AtomicUsize::new(0));
    let calls = Counter::new();
    let o = Fl::obj(1);
    for _ in 0..4 {
        let (all2, alive_seen, calls) = (
            Local::new(Rc::clone(&all)),
            Arc::clone(&alive_seen),
            calls.clone(),
        );
        let r = Fl::with_callback(&o, move |me: &Ref<Obj, Fl>| {
            let all2 = all2.into_inner();
            let alive = all2.borrow().iter().filter(|r| r.is_alive()).count();
            alive_seen.fetch_add(alive + usize::from(me.is_alive()), Ordering::SeqCst);
            calls.hit();
        });
        all.borrow_mut().push(r);
    }
    all.borrow_mut().push(Ref::new(&o));
    drop(o);
    assert_eq!(calls.get(), 4);
    assert_eq!(alive_seen.load(Ordering::SeqCst), 0);
    all.borrow_mut().clear();
}
flavour_tests!(callbacks_see_every_other_ref_dead);

// `Rc` only, what that flavour is for: its callbacks need not be `Send`, so
// they capture `Rc<RefCell<_>>`s and `Rc` objects themselves (the generic
// bodies pass `Send` closures, which both flavours take).
#[test]
fn rc_callbacks_capture_what_is_not_send() {
    let log: Rc<RefCell<Vec<&str>>> = Rc::default();
    let o = Rc::new(Obj::default());
    let other = Rc::new(Obj::default());
    let other_ref = rc::Ref::new(&other);
    let (sink, owned) = (Rc::clone(&log), other);
    let r = rc::Ref::with_callback(&o, move |me: &rc::Ref<Obj>| {
        assert!(me.get().is_none());
        sink.borrow_mut().push("o died");
        drop(owned); // the last `Rc` of `other`
    });
    let sink = Rc::clone(&log);
    let _watch = rc::Ref::with_callback(&other_ref.get().unwrap(), move |_| {
        sink.borrow_mut().push("other died");
    });
    drop(o);
    assert_eq!(*log.borrow(), ["o died", "other died"]);
    assert!(!r.is_alive() && !other_ref.is_alive());
}

// ---------------------------------------------------------------- semantics 3

// A weak reference whose every handle is dropped before its referent never
// calls its callback, is no longer counted or listed, and its callback
// closure is dropped at that moment.
fn ref_dropped_before_referent_never_fires<Fl: Flavour>() {
    let calls = Counter::new();
    let dropped = DropFlag::new();
    let o = Fl::obj(1);
    let keep = Fl::with_callback(&o, calls.callback_in());
    let guard = dropped.guard();
    let counter = calls.clone();
    let gone = Fl::with_callback(&o, move |_| {
        let _guard = &guard;
        counter.hit();
        panic!("a ref dropped before its referent fired");
    });
    let gone_clone = gone.clone();
    assert_eq!(Fl::getweakrefcount(&o), 2);
    drop(gone);
    assert!(
        !dropped.is_set(),
        "a clone still holds the weak reference object"
    );
    assert_eq!(Fl::getweakrefcount(&o), 2);
    drop(gone_clone);
    assert!(
        dropped.is_set(),
        "the closure is dropped with the last handle"
    );
    assert_eq!(Fl::getweakrefcount(&o), 1);
    let listed = Fl::getweakrefs(&o);
    assert_eq!(listed.len(), 1);
    assert!(Ref::ptr_eq(&listed[0], &keep));
    drop(listed);
    let ((), reports) = collect_unraisable(|| drop(o));
    assert_eq!(reports, []);
    assert_eq!(calls.get(), 1, "only the kept ref's callback ran");
}
flavour_tests!(ref_dropped_before_referent_never_fires);

// The closure of a callback that never ran is dropped with its ref also when
// the referent is still alive long after, and other callbacks are unaffected.
fn dropping_refs_in_any_order_keeps_the_rest<Fl: Flavour>() {
    let log = log();
    let o = Fl::obj(1);
    let mut refs: Vec<Option<Ref<Obj, Fl>>> = (0..6)
        .map(|i| Some(Fl::with_callback(&o, logging(&log, &i.to_string()))))
        .collect();
    for i in [0, 3, 5] {
        refs[i] = None;
    }
    assert_eq!(Fl::getweakrefcount(&o), 3);
    drop(o);
    assert_eq!(entries(&log), ["4", "2", "1"]);
}
flavour_tests!(dropping_refs_in_any_order_keeps_the_rest);

// CPython 3.11: test_weakref.py SubclassableWeakrefTestCase.test_subclass_refs_with_cycle
// (bpo-3100.) The weak reference holds the only strong reference to its own
// referent (CPython: an attribute of a ref subclass; here: its callback
// closure). Dropping the ref's last handle drops the closure, which kills
// the referent while the ref is being torn down: the ref's callback must not
// run, and nothing may deadlock or crash. Then the same with two refs, the
// first holding the second, the second holding the referent.
fn a_ref_owning_its_referent_dies_without_calling_back<Fl: Flavour>() {
    let calls = Counter::new();
    let dropped = DropFlag::new();

    let o = Fl::obj(1);
    let (counter, owned, guard) = (calls.clone(), Local::new(o.clone()), dropped.guard());
    let r1 = Fl::with_callback(&o, move |_| {
        let _keep = (&owned, &guard);
        counter.hit();
    });
    let watch = Ref::new(&o);
    drop(o);
    assert!(watch.is_alive(), "the callback closure keeps the referent");
    let ((), reports) = collect_unraisable(|| drop(r1)); // used to crash here
    assert_eq!(reports, []);
    assert!(dropped.is_set());
    assert!(!watch.is_alive(), "the referent died with the closure");
    assert_eq!(calls.get(), 0);

    // Same test, with two weak references to the same object.
    let o = Fl::obj(2);
    let (counter, owned) = (calls.clone(), Local::new(o.clone()));
    let r2 = Fl::with_callback(&o, move |_| {
        let _keep = &owned;
        counter.hit();
    });
    let (counter, held) = (calls.clone(), Local::new(r2.clone()));
    let r1 = Fl::with_callback(&o, move |_| {
        let _keep = &held;
        counter.hit();
    });
    let watch = Ref::new(&o);
    drop(o);
    drop(r2);
    assert_eq!(
        Fl::getweakrefcount(&<Fl::Ptr<Obj>>::from(watch.get().unwrap())),
        3
    );
    let ((), reports) = collect_unraisable(|| drop(r1)); // used to crash here
    assert_eq!(reports, []);
    assert!(!watch.is_alive());
    assert_eq!(calls.get(), 0);
}
flavour_tests!(a_ref_owning_its_referent_dies_without_calling_back);

// ---------------------------------------------------------------- semantics 4

// A panicking callback is reported with its message, the remaining callbacks
// still run, and the `drop` that triggered it returns normally.
fn panicking_callback_is_reported_and_the_rest_still_run<Fl: Flavour>() {
    let log = log();
    let o = Fl::obj(1);
    let _first = Fl::with_callback(&o, logging(&log, "first"));
    let _boom = Fl::with_callback(&o, |_| panic!("boom"));
    let _third = Fl::with_callback(&o, logging(&log, "third"));
    let ((), reports) = collect_unraisable(|| {
        drop(o);
        push(&log, "drop returned");
    });
    assert_eq!(entries(&log), ["third", "first", "drop returned"]);
    assert_eq!(
        reports,
        [Unraisable {
            message: "boom".into(),
            context: "weakref callback".into()
        }]
    );
}
flavour_tests!(panicking_callback_is_reported_and_the_rest_still_run);

fn panic_messages_are_reported_whatever_the_payload<Fl: Flavour>() {
    let o = Fl::obj(1);
    let _a = Fl::with_callback(&o, |_| std::panic::panic_any(42_u8));
    let _b = Fl::with_callback(&o, |_| panic!("formatted {}", 7));
    let _c = Fl::with_callback(&o, |_| panic!("static"));
    let ((), reports) = collect_unraisable(|| drop(o));
    let messages: Vec<_> = reports.iter().map(|r| r.message.as_str()).collect();
    assert_eq!(
        messages,
        ["static", "formatted 7", "<non-string panic payload>"]
    );
}
flavour_tests!(panic_messages_are_reported_whatever_the_payload);

// Every callback of a batch panics: all are reported, none propagates.
fn every_callback_panicking_is_still_contained<Fl: Flavour>() {
    let o = Fl::obj(1);
    let _refs: Vec<_> = (0..3)
        .map(|i| Fl::with_callback(&o, move |_| panic!("boom {i}")))
        .collect();
    let ((), reports) = collect_unraisable(|| drop(o));
    let messages: Vec<_> = reports.iter().map(|r| r.message.as_str()).collect();
    assert_eq!(messages, ["boom 2", "boom 1", "boom 0"]);
}
flavour_tests!(every_callback_panicking_is_still_contained);

// A panic in a callback that runs deferred (a death inside another callback)
// is reported too, and the outer callback continues.
fn panicking_nested_callback_is_reported<Fl: Flavour>() {
    let log = log();
    let outer = Fl::obj(1);
    let inner = Fl::obj(2);
    let _inner_ref = Fl::with_callback(&inner, |_| panic!("inner boom"));
    let log2 = Arc::clone(&log);
    let holder = Local::new(inner);
    let _outer_ref = Fl::with_callback(&outer, move |_| {
        drop(holder.into_inner());
        push(&log2, "outer finished");
    });
    let ((), reports) = collect_unraisable(|| drop(outer));
    assert_eq!(entries(&log), ["outer finished"]);
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].message, "inner boom");
}
flavour_tests!(panicking_nested_callback_is_reported);

// The default hook prints to stderr and must not panic: run a panicking
// callback under it on a child thread, which must join normally (every
// object lives and dies on that thread).
fn default_hook_does_not_panic<Fl: Flavour>() {
    let calls = Counter::new();
    let calls2 = calls.clone();
    with_default_unraisable_hook(|| {
        thread::spawn(move || {
            let o = Fl::obj(1);
            let _after = Fl::with_callback(&o, calls2.callback_in());
            let _boom = Fl::with_callback(&o, |_| panic!("reported on stderr"));
            drop(o);
        })
        .join()
        .expect("a callback panic never unwinds out of drop");
    });
    assert_eq!(calls.get(), 1);
}
flavour_tests!(default_hook_does_not_panic);

/// Set in the child process of `default_hook_prints_exception_ignored`.
const CHILD_ENV: &str = "WEAKREF_TESTS_DEFAULT_HOOK_CHILD";

/// What the child process does for each flavour.
fn default_hook_child<Fl: Flavour>() {
    let o = Fl::obj(1);
    let _boom = Fl::with_callback(&o, |_| panic!("child boom"));
    drop(o);
    eprintln!("child: drop returned");
}

// Not a test of its own: the body of the child process below (does nothing
// unless that process runs it). One test for both flavours: the hook is
// process-wide, so one child process reports for both.
#[test]
fn default_hook_child_process_body() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    weakref::set_unraisable_hook(None);
    default_hook_child::<weakref::ArcFamily>();
    default_hook_child::<weakref::RcFamily>();
}

// The default report is Python's "Exception ignored in ..." line on stderr,
// with the panic message: run the test binary again, alone, to see it.
#[test]
#[cfg_attr(miri, ignore = "spawns a process")]
fn default_hook_prints_exception_ignored() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "default_hook_child_process_body",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "child failed: {stderr}");
    assert!(
        stderr.contains("Exception ignored in weakref callback: child boom"),
        "stderr: {stderr}"
    );
    assert!(stderr.contains("child: drop returned"), "stderr: {stderr}");
    // Once for each flavour.
    assert_eq!(
        stderr
            .matches("Exception ignored in weakref callback: child boom")
            .count(),
        2,
        "stderr: {stderr}"
    );
    assert_eq!(
        stderr.matches("child: drop returned").count(),
        2,
        "stderr: {stderr}"
    );
}

// ---------------------------------------------------------------- semantics 5

// A callback may create and drop refs to other objects, count them, and
// drop other objects, whose callbacks then run after the current batch; all
// without deadlock. Clearing of the other object is immediate.
fn callbacks_can_use_weakrefs_and_kill_other_objects<Fl: Flavour>() {
    let log = log();
    let a = Fl::obj(1);
    let b = Fl::obj(2);
    let c = Fl::obj(3);
    let b_ref = Fl::with_callback(&b, logging(&log, "b"));
    let _a_old = Fl::with_callback(&a, logging(&log, "a old"));
    let log2 = Arc::clone(&log);
    let captured = Local::new((c.clone(), b_ref.clone(), b));
    let _a_new = Fl::with_callback(&a, move |_| {
        let (c2, b_ref2, b_holder) = captured.into_inner();
        // Make and drop weak references to a live object.
        let shared = Ref::new(&c2);
        let temp = Fl::with_callback(&c2, |_| unreachable!("dropped before c"));
        assert_eq!(Fl::getweakrefcount(&c2), 2);
        assert_eq!(Fl::getweakrefs(&c2).len(), 2);
        drop((shared, temp));
        assert_eq!(Fl::getweakrefcount(&c2), 0);
        // Kill another object: cleared now, its callback queued.
        drop(b_holder);
        assert!(!b_ref2.is_alive(), "clearing is not deferred");
        push(&log2, "a new");
    });
    drop(a);
    assert_eq!(entries(&log), ["a new", "a old", "b"]);
    assert_eq!(Fl::getweakrefcount(&c), 0);
    assert!(!b_ref.is_alive());
}
flavour_tests!(callbacks_can_use_weakrefs_and_kill_other_objects);

// A callback may make a weak reference (with a callback) to another object
// and kill that object itself: the new callback runs after the batch.
fn callback_registering_on_an_object_it_then_kills<Fl: Flavour>() {
    let log = log();
    let a = Fl::obj(1);
    let log2 = Arc::clone(&log);
    let _r = Fl::with_callback(&a, move |_| {
        let other = Fl::obj(2);
        let r = Fl::with_callback(&other, logging(&log2, "other"));
        drop(other);
        assert!(!r.is_alive());
        push(&log2, "a");
        drop(r); // claimed at the death: dropping the handle cancels nothing
    });
    drop(a);
    assert_eq!(entries(&log), ["a", "other"]);
}
flavour_tests!(callback_registering_on_an_object_it_then_kills);

/// The stack size of the threads that run long chains of deaths.
const SMALL_STACK: usize = 256 * 1024;

/// Kills a fresh object whose callback kills the next one, `remaining` times.
fn chain_link<Fl: Flavour>(remaining: usize, deaths: Arc<AtomicUsize>) {
    deaths.fetch_add(1, Ordering::Relaxed);
    if remaining == 0 {
        return;
    }
    let next = Fl::obj(0);
    let d = Arc::clone(&deaths);
    let r = Fl::with_callback(&next, move |_| chain_link::<Fl>(remaining - 1, d));
    drop(next); // dies inside the current callback: queued, not recursed into
    drop(r);
}

// A chain of 1,000,000 deaths, each triggered by the previous callback, runs
// on a 256 KiB stack: deaths inside callbacks are iterative. (The thread is
// only for the small stack: every object lives and dies on it.)
fn million_chained_deaths_run_in_bounded_stack<Fl: Flavour>() {
    const N: usize = if cfg!(miri) { 50 } else { 1_000_000 };
    let deaths = Arc::new(AtomicUsize::new(0));
    let d = Arc::clone(&deaths);
    thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(move || {
            let first = Fl::obj(0);
            let d2 = Arc::clone(&d);
            let r = Fl::with_callback(&first, move |_| chain_link::<Fl>(N - 1, d2));
            drop(first);
            drop(r);
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(deaths.load(Ordering::Relaxed), N);
}
flavour_tests!(million_chained_deaths_run_in_bounded_stack);

// The same with the whole chain built first: each object's callback owns the
// next object (its only strong `Arc`) and the next object's callback ref.
// (The thread is only for the small stack.)
fn prebuilt_chain_of_deaths_runs_in_bounded_stack<Fl: Flavour>() {
    const N: usize = if cfg!(miri) { 50 } else { 100_000 };
    let calls = Counter::new();
    let c = calls.clone();
    thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(move || {
            let (head, r) = prebuilt_chain::<Fl>(N, &c);
            drop(head);
            drop(r);
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(calls.get(), N);
}
flavour_tests!(prebuilt_chain_of_deaths_runs_in_bounded_stack);

// CPython test_multiple_selfref_callbacks' corollary: the set of callbacks is
// fixed at death. The newest callback drops the last handle of the older
// ref; the older callback still runs.
fn callbacks_are_fixed_at_death<Fl: Flavour>() {
    let log = log();
    let o = Fl::obj(1);
    let older = Fl::with_callback(&o, logging(&log, "older"));
    let slot = Rc::new(RefCell::new(Some(older)));
    let (slot2, log2) = (Local::new(Rc::clone(&slot)), Arc::clone(&log));
    let _newer = Fl::with_callback(&o, move |_| {
        let older = slot2.into_inner().borrow_mut().take();
        drop(older); // the last user handle of `older`
        push(&log2, "newer");
    });
    drop(o);
    assert_eq!(entries(&log), ["newer", "older"]);
    assert!(slot.borrow().is_none());
}
flavour_tests!(callbacks_are_fixed_at_death);

/// Records the thread each callback ran on.
fn thread_recorder() -> (Threads, impl FnOnce(&Ref<Obj>) + Send + 'static) {
    let threads: Threads = Arc::default();
    let sink = Arc::clone(&threads);
    (threads, move |_: &Ref<Obj>| {
        sink.lock().unwrap().push(thread::current().id());
    })
}

// Callbacks run on the thread that drops the last strong `Arc`. (`Arc` only,
// as every test here whose objects cross threads.)
#[test]
fn callbacks_run_on_the_thread_dropping_the_last_arc() {
    let (threads, callback) = thread_recorder();
    let o = Obj::new(1);
    let r = Ref::with_callback(&o, callback);
    let o2 = Arc::clone(&o);
    let t = thread::spawn(move || {
        drop(o2);
        thread::current().id()
    });
    drop(o); // maybe the last, maybe not
    let other = t.join().unwrap();
    let ran_on = threads.lock().unwrap().clone();
    assert_eq!(ran_on.len(), 1);
    assert!(ran_on[0] == other || ran_on[0] == thread::current().id());
    assert!(!r.is_alive());

    // Deterministic: the other thread holds the last one.
    let (threads, callback) = thread_recorder();
    let o = Obj::new(2);
    let _r = Ref::with_callback(&o, callback);
    let t = thread::spawn(move || {
        drop(o);
        thread::current().id()
    });
    let other = t.join().unwrap();
    assert_eq!(*threads.lock().unwrap(), [other]);
}

// ... also when that last `Arc` is a temporary taken by `get()` on another
// thread while the owner dropped its own.
#[test]
fn callbacks_run_where_a_get_temporary_is_dropped() {
    let (threads, callback) = thread_recorder();
    let o = Obj::new(1);
    let _cb = Ref::with_callback(&o, callback);
    let r = Ref::new(&o);
    let (got_tx, got_rx) = mpsc::channel();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let t = thread::spawn(move || {
        let temp = r.get().expect("alive");
        got_tx.send(()).unwrap();
        go_rx.recv().unwrap();
        drop(temp); // the last strong reference
        assert!(!r.is_alive());
        thread::current().id()
    });
    got_rx.recv().unwrap();
    drop(o);
    assert!(
        threads.lock().unwrap().is_empty(),
        "the temporary keeps it alive"
    );
    go_tx.send(()).unwrap();
    let other = t.join().unwrap();
    assert_eq!(*threads.lock().unwrap(), [other]);
}

/// Kills a throwaway object with a callback: makes this thread's callback
/// queue (a thread-local of the library) exist.
fn touch_callback_queue<Fl: Flavour>() {
    let dummy = Fl::obj(0);
    let _r = Fl::with_callback(&dummy, |_| ());
    drop(dummy);
}

// The last `Arc` may be dropped by a thread-local destructor at thread exit,
// when this library's own thread-locals may already be gone: the callbacks
// still run, once, on that thread, and deaths they cause too. Tried with the
// library's queue made before and after the user's thread-local.
#[test]
fn callbacks_run_when_a_thread_local_drops_the_last_arc() {
    thread_local! {
        static HELD: RefCell<Vec<Arc<Obj>>> = const { RefCell::new(Vec::new()) };
    }
    for queue_first in [false, true] {
        let log = log();
        let first = Obj::new(1);
        let second = Obj::new(2);
        let _r2 = Ref::with_callback(&second, logging(&log, "second"));
        let log2 = Arc::clone(&log);
        let holder = Mutex::new(Some(second));
        let _r1 = Ref::with_callback(&first, move |_| {
            drop(holder.lock().unwrap().take());
            push(&log2, "first");
        });
        let (threads, callback) = thread_recorder();
        let _r3 = Ref::with_callback(&first, callback);
        let t = thread::spawn(move || {
            if queue_first {
                touch_callback_queue::<weakref::ArcFamily>();
            }
            HELD.with(|held| held.borrow_mut().push(first));
            if !queue_first {
                touch_callback_queue::<weakref::ArcFamily>();
            }
            thread::current().id()
        });
        let id = t.join().unwrap();
        assert_eq!(*threads.lock().unwrap(), [id]);
        // The queue outlives every thread-local destructor: a death inside
        // a callback is queued after the batch, as on any other thread.
        assert_eq!(entries(&log), ["first", "second"]);
    }
}

/// Builds a chain of `n` objects on this thread, each object's callback
/// owning the next object (its only strong `Arc`) and the next object's
/// callback ref; returns the head and its ref. Every callback hits `calls`.
fn prebuilt_chain<Fl: Flavour>(n: usize, calls: &Counter) -> (Fl::Ptr<Obj>, Ref<Obj, Fl>) {
    let mut next: Option<(Fl::Ptr<Obj>, Ref<Obj, Fl>)> = None;
    for _ in 0..n {
        let o = Fl::obj(0);
        let c = calls.clone();
        let owned = Local::new(next.take());
        let r = Fl::with_callback(&o, move |_| {
            c.hit();
            drop(owned);
        });
        next = Some((o, r));
    }
    next.expect("n > 0")
}

// Outside review, failure 3: once the library's callback queue (a
// thread-local) was destroyed at thread exit, callbacks ran nested, so a
// chain of deaths set off by a later thread-local destructor recursed and
// overflowed the stack (5,000 links in debug, 20,000 in release, on 2 MiB).
// The queue's thread-local now has no destructor: the chain is queued there
// too. Both orders of the library's and the user's thread-locals are tried,
// on a small stack. (The chain's `Local`s, see `prebuilt_chain`, are made
// before `HEAD`, so their table outlives it: thread-locals are destroyed
// newest first.)
fn a_chain_of_deaths_from_a_thread_local_destructor_runs_in_bounded_stack<Fl: Flavour>() {
    const N: usize = if cfg!(miri) { 50 } else { 50_000 };
    thread_local! {
        /// The chain's head and its ref, of either flavour.
        static HEAD: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
    }
    for queue_first in [false, true] {
        let calls = Counter::new();
        let c = calls.clone();
        thread::Builder::new()
            .stack_size(SMALL_STACK)
            .spawn(move || {
                if queue_first {
                    touch_callback_queue::<Fl>();
                }
                let head = prebuilt_chain::<Fl>(N, &c);
                HEAD.with(|slot| *slot.borrow_mut() = Some(Box::new(head)));
                if !queue_first {
                    touch_callback_queue::<Fl>();
                }
            })
            .unwrap()
            .join()
            .expect("the chain ran at thread exit without overflowing");
        assert_eq!(calls.get(), N, "queue_first: {queue_first}");
    }
}
flavour_tests!(a_chain_of_deaths_from_a_thread_local_destructor_runs_in_bounded_stack);

// Deaths on many threads at once each run their callbacks on their thread.
#[test]
fn concurrent_deaths_run_on_their_own_threads() {
    const THREADS: usize = if cfg!(miri) { 2 } else { 8 };
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let barrier = Arc::clone(&barrier);
            let o = Obj::new(u32::try_from(i).unwrap());
            let (threads, callback) = thread_recorder();
            let r = Ref::with_callback(&o, callback);
            let t = thread::spawn(move || {
                barrier.wait();
                drop(o);
                thread::current().id()
            });
            (t, threads, r)
        })
        .collect();
    for (t, threads, r) in handles {
        let id = t.join().unwrap();
        assert_eq!(*threads.lock().unwrap(), [id]);
        assert!(!r.is_alive());
    }
}

// ---------------------------------------------------------------- death hooks

// A death hook runs before every user callback, whatever the registration
// order.
fn death_hook_runs_before_callbacks<Fl: Flavour>() {
    let log = log();
    let o = Fl::obj(1);
    let _older_cb = Fl::with_callback(&o, logging(&log, "older callback"));
    let log2 = Arc::clone(&log);
    let _hook = Ref::with_death_hook(&o, move || push(&log2, "hook"));
    let _newer_cb = Fl::with_callback(&o, logging(&log, "newer callback"));
    drop(o);
    assert_eq!(entries(&log), ["hook", "newer callback", "older callback"]);
}
flavour_tests!(death_hook_runs_before_callbacks);

// A death inside a callback runs the dead object's hooks at once (they are
// visible before the callback that killed it continues), while its user
// callbacks are deferred until after the current batch.
fn death_hook_is_not_deferred_inside_a_callback<Fl: Flavour>() {
    let log = log();
    let a = Fl::obj(1);
    let b = Fl::obj(2);
    let hooked = Arc::new(AtomicBool::new(false));
    let (log2, hooked2) = (Arc::clone(&log), Arc::clone(&hooked));
    let _b_cb = Fl::with_callback(&b, logging(&log, "b callback"));
    let _b_hook = Ref::with_death_hook(&b, move || {
        hooked2.store(true, Ordering::SeqCst);
        push(&log2, "b hook");
    });
    let (log3, hooked3) = (Arc::clone(&log), Arc::clone(&hooked));
    let b_holder = Local::new(b);
    let _a_cb = Fl::with_callback(&a, move |_| {
        push(&log3, "a callback: dropping b");
        drop(b_holder.into_inner());
        assert!(hooked3.load(Ordering::SeqCst), "hook ran inside the drop");
        push(&log3, "a callback: b dropped");
    });
    drop(a);
    assert_eq!(
        entries(&log),
        [
            "a callback: dropping b",
            "b hook",
            "a callback: b dropped",
            "b callback"
        ]
    );
}
flavour_tests!(death_hook_is_not_deferred_inside_a_callback);

fn panicking_death_hook_is_reported<Fl: Flavour>() {
    let calls = Counter::new();
    let o = Fl::obj(1);
    let _cb = Fl::with_callback(&o, calls.callback_in());
    let _hook = Ref::with_death_hook(&o, || panic!("hook boom"));
    let ((), reports) = collect_unraisable(|| drop(o));
    assert_eq!(
        reports,
        [Unraisable {
            message: "hook boom".into(),
            context: "weakref death hook".into()
        }]
    );
    assert_eq!(calls.get(), 1);
}
flavour_tests!(panicking_death_hook_is_reported);

fn death_hook_dropped_first_never_runs<Fl: Flavour>() {
    let dropped = DropFlag::new();
    let guard = dropped.guard();
    let o = Fl::obj(1);
    let hook = Ref::with_death_hook(&o, move || {
        let _guard = &guard;
        unreachable!("dropped before its referent");
    });
    assert_eq!(Fl::getweakrefcount(&o), 1);
    drop(hook);
    assert!(dropped.is_set());
    assert_eq!(Fl::getweakrefcount(&o), 0);
    let ((), reports) = collect_unraisable(|| drop(o));
    assert_eq!(reports, []);
}
flavour_tests!(death_hook_dropped_first_never_runs);

// ---------------------------------------------------------------- cancel

fn cancel_before_death_disarms_the_callback<Fl: Flavour>() {
    let log = log();
    let o = Fl::obj(1);
    let _a = Fl::with_callback(&o, logging(&log, "a"));
    let b = Fl::with_callback(&o, logging(&log, "b"));
    let keep = b.clone();
    assert!(b.cancel());
    assert!(
        keep.is_alive(),
        "the other handles stay valid weak references"
    );
    assert!(ptr_eq(&keep.get().unwrap(), &o));
    assert!(!keep.clone().cancel(), "already cancelled");
    drop(o);
    assert_eq!(entries(&log), ["a"]);
    assert!(!keep.is_alive());
}
flavour_tests!(cancel_before_death_disarms_the_callback);

fn cancel_drops_the_closure_with_the_last_handle<Fl: Flavour>() {
    let dropped = DropFlag::new();
    let guard = dropped.guard();
    let o = Fl::obj(1);
    let r = Fl::with_callback(&o, move |_| {
        let _guard = &guard;
        unreachable!("cancelled");
    });
    assert!(r.cancel());
    assert!(dropped.is_set());
    assert_eq!(Fl::getweakrefcount(&o), 0);
}
flavour_tests!(cancel_drops_the_closure_with_the_last_handle);

fn cancel_after_death_is_false<Fl: Flavour>() {
    let calls = Counter::new();
    let o = Fl::obj(1);
    let r = Fl::with_callback(&o, calls.callback_in());
    drop(o);
    assert_eq!(calls.get(), 1);
    assert!(!r.cancel());
}
flavour_tests!(cancel_after_death_is_false);

fn cancel_inside_a_sibling_callback_is_too_late<Fl: Flavour>() {
    let log = log();
    let o = Fl::obj(1);
    let older = Fl::with_callback(&o, logging(&log, "older"));
    let slot = Local::new(older);
    let log2 = Arc::clone(&log);
    let result = Arc::new(Mutex::new(None));
    let result2 = Arc::clone(&result);
    let _newer = Fl::with_callback(&o, move |_| {
        let older = slot.into_inner();
        *result2.lock().unwrap() = Some(older.cancel());
        push(&log2, "newer");
    });
    drop(o);
    assert_eq!(
        *result.lock().unwrap(),
        Some(false),
        "the death claimed it first"
    );
    assert_eq!(entries(&log), ["newer", "older"]);
}
flavour_tests!(cancel_inside_a_sibling_callback_is_too_late);

fn cancel_without_callback_is_false<Fl: Flavour>() {
    let o = Fl::obj(1);
    let r = Ref::new(&o);
    let keep = r.clone();
    assert!(!r.cancel());
    assert!(keep.is_alive());
}
flavour_tests!(cancel_without_callback_is_false);

fn cancel_death_hook<Fl: Flavour>() {
    let o = Fl::obj(1);
    let hook = Ref::with_death_hook(&o, || unreachable!("cancelled"));
    let keep = hook.clone();
    assert!(hook.cancel());
    let ((), reports) = collect_unraisable(|| drop(o));
    assert_eq!(reports, []);
    assert!(!keep.is_alive());
}
flavour_tests!(cancel_death_hook);
