//! The unraisable hook (Python's `sys.unraisablehook`): where panics in
//! callbacks go, and the promise that reporting one never panics and never
//! deadlocks (DESIGN semantics 4 and 25). The hook and standard error are
//! process-wide, so each test here runs its body alone in a child process
//! (`ChildTest`).

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use weakref::{Ref, UnraisableInfo, set_unraisable_hook};
use weakref_tests::{ChildTest, Counter, Obj};

/// Runs the child test `name` and asserts it succeeded and printed `done`.
fn run_child(name: &str, marker: &str) -> String {
    let output = ChildTest::new(name, marker).run();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "child failed: {}\nstdout: {stdout}\nstderr: {stderr}",
        output.status
    );
    assert!(stdout.contains("child: done"), "stdout: {stdout}");
    stdout
}

/// A hook that collects the messages it is given.
fn collecting(into: &Arc<Mutex<Vec<String>>>) -> Arc<dyn Fn(&UnraisableInfo<'_>) + Send + Sync> {
    let into = Arc::clone(into);
    Arc::new(move |info: &UnraisableInfo<'_>| into.lock().unwrap().push(info.message.to_owned()))
}

const REPLACE_DROPS_OLD: &str = "WEAKREF_TESTS_REPLACE_DROPS_OLD";

// Outside review, failure 4: `set_unraisable_hook` dropped the old hook
// while holding the hook's write lock. If that drop kills an object whose
// callback panics, reporting the panic takes the read lock on the same
// thread: a deadlock. The old hook is now dropped after the lock is released.
#[test]
fn replacing_the_hook_drops_the_old_one_outside_the_lock_body() {
    if !ChildTest::is_child(REPLACE_DROPS_OLD) {
        return;
    }
    let seen = Arc::new(Mutex::new(Vec::new()));
    let o = Obj::new(1);
    let _boom = Ref::with_callback(&o, |_| panic!("boom while replacing the hook"));
    // The old hook holds the object's only strong reference.
    let held = Mutex::new(Some(o));
    set_unraisable_hook(Some(Arc::new(move |_: &UnraisableInfo<'_>| {
        let _ = held.lock().map(|held| held.is_some());
    })));
    set_unraisable_hook(Some(collecting(&seen)));
    assert_eq!(*seen.lock().unwrap(), ["boom while replacing the hook"]);
    println!("child: done");
}

#[test]
#[cfg_attr(miri, ignore = "spawns a process")]
fn replacing_the_hook_drops_the_old_one_outside_the_lock() {
    run_child(
        "replacing_the_hook_drops_the_old_one_outside_the_lock_body",
        REPLACE_DROPS_OLD,
    );
}

const CALLBACK_REPLACES: &str = "WEAKREF_TESTS_CALLBACK_REPLACES_HOOK";

// A callback may install a hook (and a hook may be replaced by a callback
// whose own panic is then reported to the new hook), without deadlock.
#[test]
fn a_callback_may_replace_the_hook_body() {
    if !ChildTest::is_child(CALLBACK_REPLACES) {
        return;
    }
    let seen = Arc::new(Mutex::new(Vec::new()));
    let o = Obj::new(1);
    let first = Arc::new(Mutex::new(Vec::new()));
    set_unraisable_hook(Some(collecting(&first)));
    let new_hook = collecting(&seen);
    let _replace = Ref::with_callback(&o, move |_| {
        set_unraisable_hook(Some(new_hook));
        panic!("after replacing");
    });
    drop(o);
    assert!(first.lock().unwrap().is_empty());
    assert_eq!(*seen.lock().unwrap(), ["after replacing"]);
    set_unraisable_hook(None);
    println!("child: done");
}

#[test]
#[cfg_attr(miri, ignore = "spawns a process")]
fn a_callback_may_replace_the_hook() {
    run_child("a_callback_may_replace_the_hook_body", CALLBACK_REPLACES);
}

const CLOSED_STDERR: &str = "WEAKREF_TESTS_CLOSED_STDERR";

// Outside review, failure 5: the default report used `eprintln!`, which
// panics when standard error is a closed pipe (a program piped into `head`);
// the panic unwound out of the `Arc` drop, and the thread's callback queue
// stayed "draining", so later callbacks on that thread never ran. The child
// waits on its standard input until the parent has closed the read end of
// its standard error, then kills objects whose callbacks panic.
#[test]
fn reporting_to_a_closed_stderr_never_panics_body() {
    if !ChildTest::is_child(CLOSED_STDERR) {
        return;
    }
    let mut gate = Vec::new();
    std::io::stdin().read_to_end(&mut gate).unwrap();
    set_unraisable_hook(None);
    let calls = Counter::new();
    for round in 0..3 {
        let o = Obj::new(round);
        let _after = Ref::with_callback(&o, calls.callback());
        let _boom = Ref::with_callback(&o, |_| panic!("reported to a closed stderr"));
        let dropped = std::panic::catch_unwind(move || drop(o));
        assert!(dropped.is_ok(), "the drop returned normally");
    }
    assert_eq!(calls.get(), 3, "later callbacks on the thread still ran");
    println!("child: done");
}

#[test]
#[cfg_attr(miri, ignore = "spawns a process")]
fn reporting_to_a_closed_stderr_never_panics() {
    let mut child = ChildTest::new(
        "reporting_to_a_closed_stderr_never_panics_body",
        CLOSED_STDERR,
    );
    child.command().stdin(std::process::Stdio::piped());
    let mut child = child.spawn();
    // Close the read end of the child's stderr, then open the gate.
    drop(child.stderr.take());
    drop(child.stdin.take());
    let output = weakref_tests::wait_with_timeout(child);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child failed: {}\n{stdout}",
        output.status
    );
    assert!(stdout.contains("child: done"), "stdout: {stdout}");
}

/// A panic payload whose own `Drop` panics.
struct Bomb;

impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("the payload's drop panics");
    }
}

const BOMB_PAYLOADS: &str = "WEAKREF_TESTS_BOMB_PAYLOADS";

// A callback's panic payload, or a hook's, whose own `Drop` panics: neither
// escapes the drop that set off the callback, and later callbacks still run.
#[test]
fn payloads_whose_drop_panics_never_escape_body() {
    if !ChildTest::is_child(BOMB_PAYLOADS) {
        return;
    }
    let reports = Arc::new(AtomicUsize::new(0));
    let r2 = Arc::clone(&reports);
    set_unraisable_hook(Some(Arc::new(move |_: &UnraisableInfo<'_>| {
        r2.fetch_add(1, Ordering::SeqCst);
        std::panic::panic_any(Bomb);
    })));
    let calls = Counter::new();
    for round in 0..2 {
        let o = Obj::new(round);
        let _after = Ref::with_callback(&o, calls.callback());
        let _boom = Ref::with_callback(&o, |_| std::panic::panic_any(Bomb));
        let dropped = std::panic::catch_unwind(move || drop(o));
        assert!(dropped.is_ok(), "the drop returned normally");
    }
    assert_eq!(reports.load(Ordering::SeqCst), 2);
    assert_eq!(calls.get(), 2);
    set_unraisable_hook(None);
    println!("child: done");
}

#[test]
#[cfg_attr(miri, ignore = "spawns a process")]
// The second payload (the one a panicking `Drop` raises) is leaked by
// design, which LeakSanitizer reports in the child at its exit.
#[cfg_attr(sanitizer, ignore = "leaks a payload by design")]
fn payloads_whose_drop_panics_never_escape() {
    run_child(
        "payloads_whose_drop_panics_never_escape_body",
        BOMB_PAYLOADS,
    );
}
