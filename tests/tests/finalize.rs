//! `finalize` (Python 3.4's `weakref.finalize`): a function run exactly once
//! when its object dies, whether or not anyone keeps the finalizer
//! (DESIGN semantics 20), for both pointer families: the tests run for both
//! flavours (`name::arc`, `name::rc`: `weakref_tests::flavour`), except those
//! about threads and the process exit, which are `Arc` only.

use std::sync::{Arc, Mutex};

use weakref::{Finalize, Ref, finalize};
use weakref_tests::flavour::{Flavour, Local, ptr_eq};
use weakref_tests::{ChildTest, Counter, DropFlag, Obj, collect_unraisable, flavour_tests};

type Log = Arc<Mutex<Vec<String>>>;

fn log() -> Log {
    Arc::default()
}

fn entries(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

fn pushing(log: &Log, entry: &str) -> impl FnOnce() + Send + 'static {
    let log = Arc::clone(log);
    let entry = entry.to_owned();
    move || log.lock().unwrap().push(entry)
}

// CPython 3.11: test_weakref.py FinalizeTestCase.test_finalize (the three
// parts: call, detach, death; Rust passes no arguments, the closure holds
// them, so `peek` gives the object and `detach` the object and function).
fn call_detach_and_death<Fl: Flavour>() {
    let a = Fl::obj(1);
    let res = log();

    let f = Fl::finalize(&a, pushing(&res, "199"));
    assert!(f.alive());
    assert!(ptr_eq(&f.peek().unwrap(), &a));
    assert!(f.call());
    assert!(!f.call());
    assert!(!f.call());
    assert!(f.peek().is_none());
    assert!(Fl::detach(&f).is_none());
    assert!(!f.alive());
    assert_eq!(entries(&res), ["199"]);

    let res = log();
    let f = Fl::finalize(&a, pushing(&res, "199"));
    assert!(ptr_eq(&f.peek().unwrap(), &a));
    let (obj, func) = Fl::detach(&f).expect("alive");
    assert!(ptr_eq(&obj, &a));
    assert!(!f.call());
    assert!(f.peek().is_none());
    assert!(Fl::detach(&f).is_none());
    assert!(!f.alive());
    assert!(entries(&res).is_empty());
    func(); // the detached function is the caller's to run
    assert_eq!(entries(&res), ["199"]);
    drop(obj);

    let res = log();
    let f = Fl::finalize(&a, pushing(&res, "199"));
    drop(a);
    assert!(!f.call());
    assert!(f.peek().is_none());
    assert!(Fl::detach(&f).is_none());
    assert!(!f.alive());
    assert_eq!(entries(&res), ["199"]);
}
flavour_tests!(call_detach_and_death);

// CPython 3.11: test_weakref.py FinalizeTestCase.test_order: finalizers
// keep themselves alive without handles; detached and called ones do not run
// at the death; the rest run newest first.
fn finalizers_run_newest_first_and_keep_themselves_alive<Fl: Flavour>() {
    let a = Fl::obj(1);
    let res = log();
    let f1 = Fl::finalize(&a, pushing(&res, "f1"));
    let f2 = Fl::finalize(&a, pushing(&res, "f2"));
    let f3 = Fl::finalize(&a, pushing(&res, "f3"));
    let f4 = Fl::finalize(&a, pushing(&res, "f4"));
    let f5 = Fl::finalize(&a, pushing(&res, "f5"));
    drop((f1, f4)); // finalizers keep themselves alive
    assert!(f2.alive() && f3.alive() && f5.alive());
    assert!(Fl::detach(&f5).is_some());
    assert!(!f5.alive());
    assert!(!f5.call()); // nothing: previously detached
    res.lock().unwrap().push("A".into());
    assert!(f3.call());
    assert!(!f3.alive());
    res.lock().unwrap().push("B".into());
    assert!(!f3.call()); // nothing: previously called
    res.lock().unwrap().push("C".into());
    drop(a); // f4, f2, f1
    assert!(!f2.alive());
    res.lock().unwrap().push("D".into());
    assert!(!f2.call()); // nothing: previously run at the death
    assert_eq!(entries(&res), ["A", "f3", "B", "C", "f4", "f2", "f1", "D"]);
}
flavour_tests!(finalizers_run_newest_first_and_keep_themselves_alive);

// CPython 3.11: test_weakref.py FinalizeTestCase.test_all_freed: once run,
// the function and the finalizer are freed (the registry keeps nothing).
fn everything_is_freed_once_the_finalizer_ran<Fl: Flavour>() {
    let a = Fl::obj(1);
    let runs = Counter::new();
    let closure_dropped = DropFlag::new();
    let guard = closure_dropped.guard();
    let c = runs.clone();
    let f = Fl::finalize(&a, move || {
        let _guard = &guard;
        c.hit();
    });
    drop(f);
    assert!(!closure_dropped.is_set(), "kept alive by the registry");
    assert_eq!(
        Fl::getweakrefcount(&a),
        1,
        "a finalizer is a weak reference"
    );
    drop(a);
    assert_eq!(runs.get(), 1);
    assert!(closure_dropped.is_set(), "the function was freed");
}
flavour_tests!(everything_is_freed_once_the_finalizer_ran);

// Several finalizers and callback refs of one object run together, newest
// first, after every weak reference was cleared.
fn finalizers_run_with_callbacks_after_clearing<Fl: Flavour>() {
    let a = Fl::obj(1);
    let res = log();
    let shared = Ref::new(&a);
    let l = Arc::clone(&res);
    let probe = Local::new(shared.clone());
    let _cb = Fl::with_callback(&a, move |_| {
        assert!(probe.into_inner().get().is_none());
        l.lock().unwrap().push("callback".into());
    });
    let probe = Local::new(shared.clone());
    let l = Arc::clone(&res);
    Fl::finalize(&a, move || {
        assert!(
            probe.into_inner().get().is_none(),
            "refs are cleared before finalizers run"
        );
        l.lock().unwrap().push("finalizer".into());
    });
    drop(a);
    assert_eq!(entries(&res), ["finalizer", "callback"]);
}
flavour_tests!(finalizers_run_with_callbacks_after_clearing);

// A panicking finalizer is reported through the unraisable hook; the others
// still run, and the drop that killed the object returns normally.
fn panicking_finalizers_are_reported<Fl: Flavour>() {
    let res = log();
    let ((), reports) = collect_unraisable(|| {
        let a = Fl::obj(1);
        Fl::finalize(&a, pushing(&res, "first"));
        Fl::finalize(&a, || panic!("finalizer boom"));
        drop(a);
    });
    assert_eq!(entries(&res), ["first"]);
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].message, "finalizer boom");
}
flavour_tests!(panicking_finalizers_are_reported);

// `call`'s panic propagates to its caller (Python's `f()` raises), and the
// finalizer is dead afterwards.
fn a_panic_in_call_propagates<Fl: Flavour>() {
    let a = Fl::obj(1);
    let f = Fl::finalize(&a, || panic!("called"));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f.call()));
    assert!(result.is_err());
    assert!(!f.alive());
}
flavour_tests!(a_panic_in_call_propagates);

// The object dies on another thread: the finalizer runs there, once. (This
// test and the next are `Arc` only: threads.)
#[test]
fn finalizers_run_on_the_thread_that_kills_the_object() {
    let a = Obj::new(1);
    let ran_on = Arc::new(Mutex::new(None));
    let r = Arc::clone(&ran_on);
    let f = finalize(&a, move || {
        *r.lock().unwrap() = Some(std::thread::current().id())
    });
    let killer = std::thread::spawn(move || {
        drop(a);
        std::thread::current().id()
    });
    let killer_id = killer.join().unwrap();
    assert_eq!(*ran_on.lock().unwrap(), Some(killer_id));
    assert!(!f.alive());
}

// Many threads calling `call` on one finalizer while the object dies: it
// runs exactly once.
#[test]
fn call_racing_the_death_runs_once() {
    const ROUNDS: usize = if cfg!(miri) { 5 } else { 200 };
    for _ in 0..ROUNDS {
        let a = Obj::new(1);
        let runs = Counter::new();
        let c = runs.clone();
        let f = finalize(&a, move || c.hit());
        std::thread::scope(|s| {
            for _ in 0..3 {
                let f = f.clone();
                s.spawn(move || f.call());
            }
            s.spawn(move || drop(a));
        });
        assert_eq!(runs.get(), 1);
    }
}

// DESIGN 9b: a value moved out of its `Arc` leaves its finalizers behind:
// they run when the moved value is dropped.
fn a_moved_value_runs_its_finalizers_when_dropped<Fl: Flavour>() {
    let a = Fl::obj(1);
    let runs = Counter::new();
    let c = runs.clone();
    Fl::finalize(&a, move || c.hit());
    let Ok(value) = Fl::try_unwrap(a) else {
        panic!("unique")
    };
    assert_eq!(runs.get(), 0);
    drop(value);
    assert_eq!(runs.get(), 1);
}
flavour_tests!(a_moved_value_runs_its_finalizers_when_dropped);

fn debug_shows_the_referent_while_alive<Fl: Flavour>() {
    let a = Fl::obj(1);
    let f = Fl::finalize(&a, || ());
    let text = format!("{f:?}");
    assert!(text.starts_with("<finalize object at "), "{text}");
    assert!(text.contains("Obj"), "{text}");
    drop(a);
    assert!(format!("{f:?}").ends_with("dead>"), "{f:?}");
}
flavour_tests!(debug_shows_the_referent_while_alive);

fn assert_send_sync<T: Send + Sync>(_: &T) {}

// `Arc` only: `rc` finalizers are neither (ui/fail/rc-finalize-not-send.rs).
#[test]
fn finalize_handles_are_send_and_sync() {
    let a = Obj::new(1);
    let f: Finalize<Obj> = finalize(&a, || ());
    assert_send_sync(&f);
}

// The same semantics in one scenario (it was the `Rc` flavour's own test
// before every test ran for both): a dropped handle still runs at the death,
// a called one not again, a detached one not by itself.
fn call_detach_death_and_order<Fl: Flavour>() {
    let res = log();
    let a = Fl::obj(1);
    let f1 = Fl::finalize(&a, pushing(&res, "f1"));
    let f2 = Fl::finalize(&a, pushing(&res, "f2"));
    let f3 = Fl::finalize(&a, pushing(&res, "f3"));
    drop(f1);
    assert!(f3.call() && !f3.call());
    let (obj, func) = Fl::detach(&f2).unwrap();
    assert!(ptr_eq(&obj, &a));
    drop((a, obj));
    assert_eq!(entries(&res), ["f3", "f1"]);
    func();
    assert_eq!(entries(&res), ["f3", "f1", "f2"]);
}
flavour_tests!(call_detach_death_and_order);

// ---------------------------------------------------------------- at exit

// At exit: `Arc` only. The objects stay alive in a static until the process
// exits (a static cannot hold an `Rc`), and an `rc` finalizer can only run at
// exit on the thread calling `exit` (the main thread), not on the libtest
// thread that made it.

const ATEXIT_CHILD: &str = "WEAKREF_TESTS_FINALIZE_ATEXIT";

/// The object the exit-time finalizers belong to: alive until exit.
static KEEP: Mutex<Vec<Arc<Obj>>> = Mutex::new(Vec::new());

// CPython 3.11: test_weakref.py FinalizeTestCase.run_in_child: finalizers
// still alive at exit run newest first, except those with `atexit` off; one
// created by a finalizer at exit runs next; a panicking one is reported.
#[test]
fn finalizers_at_exit_body() {
    if !ChildTest::is_child(ATEXIT_CHILD) {
        return;
    }
    let cls = Obj::new(7);
    let error_cls = Arc::clone(&cls);
    let f1 = finalize(&cls, || println!("f1 foobar"));
    let f2 = finalize(&cls, || println!("f2 foobar"));
    let f3 = finalize(&cls, move || {
        // Created by a finalizer at exit: the next to run.
        finalize(&error_cls, || println!("g1"));
        println!("f3 error");
        panic!("division by zero");
    });
    let f4 = finalize(&cls, || println!("f4 foobar"));
    assert!(f1.atexit());
    f2.set_atexit(false);
    assert!(f3.atexit() && f4.atexit());
    KEEP.lock().unwrap().push(cls);
    if std::env::var_os("WEAKREF_TESTS_EXIT_CALL").is_some() {
        // `std::process::exit` runs them too.
        std::process::exit(0);
    }
}

fn run_atexit_child(exit_call: bool) {
    let mut child = ChildTest::new("finalizers_at_exit_body", ATEXIT_CHILD);
    if exit_call {
        child.command().env("WEAKREF_TESTS_EXIT_CALL", "1");
    }
    let output = child.run();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{}\n{stdout}\n{stderr}",
        output.status
    );
    // libtest's "test ... " may share the first line (`exit` comes before
    // its "ok").
    let lines: Vec<&str> = stdout
        .lines()
        .map(|l| l.rsplit("... ").next().unwrap_or(l))
        .filter(|l| l.ends_with("foobar") || *l == "g1" || *l == "f3 error")
        .collect();
    assert_eq!(
        lines,
        ["f4 foobar", "f3 error", "g1", "f1 foobar"],
        "{stdout}"
    );
    assert!(
        stderr.contains("Exception ignored in weakref finalizer at exit: division by zero"),
        "{stderr}"
    );
}

// CPython 3.11: test_weakref.py FinalizeTestCase.test_atexit
#[test]
#[cfg_attr(miri, ignore = "spawns a process")]
fn finalizers_run_at_exit_newest_first() {
    run_atexit_child(false);
}

#[test]
#[cfg_attr(miri, ignore = "spawns a process")]
fn finalizers_run_at_process_exit_call() {
    run_atexit_child(true);
}
