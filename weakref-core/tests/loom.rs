//! loom models of the weak reference protocol: list creation, shared-ref
//! reuse and revival, a ref dropped or cancelled while its referent dies,
//! and `getweakrefs` racing both. Every interleaving of the library's atomics
//! and locks is explored (they come from `loom` under `cfg(loom)`).
//!
//! Run: `RUSTFLAGS="--cfg loom" cargo test -p weakref-core --test loom --release`
#![cfg(loom)]

use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use loom::thread;
use std::sync::Arc;

use weakref_core::{Header, Ref, Referent, getweakrefcount, getweakrefs};

#[derive(Referent)]
struct Obj {
    header: Header,
}

fn obj() -> Arc<Obj> {
    Arc::new(Obj {
        header: Header::new(),
    })
}

/// Counts how often a callback ran and how often its closure was dropped.
#[derive(Default)]
struct Tally {
    ran: AtomicUsize,
    dropped: AtomicUsize,
}

struct Guard(Arc<Tally>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.dropped.fetch_add(1, SeqCst);
    }
}

fn counted_callback(o: &Arc<Obj>, tally: &Arc<Tally>) -> Ref<Obj> {
    let guard = Guard(Arc::clone(tally));
    Ref::with_callback(o, move |r: &Ref<Obj>| {
        assert!(r.get().is_none(), "cleared before callbacks run");
        guard.0.ran.fetch_add(1, SeqCst);
    })
}

#[test]
fn racing_first_refs_share_one_list_and_node() {
    loom::model(|| {
        let o = obj();
        let o2 = Arc::clone(&o);
        let t = thread::spawn(move || Ref::new(&o2));
        let mine = Ref::new(&o);
        let theirs = t.join().unwrap();
        assert!(Ref::ptr_eq(&mine, &theirs));
        assert_eq!(getweakrefcount(&o), 1);
    });
}

#[test]
fn shared_ref_dropped_and_revived_concurrently() {
    loom::model(|| {
        let o = obj();
        let first = Ref::new(&o);
        let o2 = Arc::clone(&o);
        let t = thread::spawn(move || {
            let r = Ref::new(&o2);
            assert!(r.get().is_some());
        });
        drop(first);
        let again = Ref::new(&o);
        t.join().unwrap();
        assert_eq!(getweakrefcount(&o), 1);
        drop(again);
        assert_eq!(getweakrefcount(&o), 0);
    });
}

#[test]
fn callback_ref_dropped_while_referent_dies() {
    loom::model(|| {
        let tally = Arc::new(Tally::default());
        let o = obj();
        let r = counted_callback(&o, &tally);
        let t = thread::spawn(move || drop(r));
        drop(o);
        t.join().unwrap();
        // The callback either ran (death claimed it first) or was dropped
        // unrun (the ref went first); its closure is dropped exactly once.
        assert!(tally.ran.load(SeqCst) <= 1);
        assert_eq!(tally.dropped.load(SeqCst), 1);
    });
}

#[test]
fn referent_dies_on_another_thread_with_cloned_handles() {
    loom::model(|| {
        let tally = Arc::new(Tally::default());
        let o = obj();
        let r = counted_callback(&o, &tally);
        let shared = Ref::new(&o);
        let t = thread::spawn(move || drop(o));
        let clone = r.clone();
        drop(shared);
        t.join().unwrap();
        assert!(clone.get().is_none());
        assert_eq!(tally.ran.load(SeqCst), 1, "a live ref's callback runs once");
        drop((r, clone));
        assert_eq!(tally.dropped.load(SeqCst), 1);
    });
}

#[test]
fn cancel_races_death() {
    loom::model(|| {
        let tally = Arc::new(Tally::default());
        let o = obj();
        let r = counted_callback(&o, &tally);
        let t = thread::spawn(move || r.cancel());
        drop(o);
        let cancelled = t.join().unwrap();
        assert_eq!(tally.ran.load(SeqCst), usize::from(!cancelled));
        assert_eq!(tally.dropped.load(SeqCst), 1);
    });
}

#[test]
fn getweakrefs_races_ref_drop() {
    loom::model(|| {
        let tally = Arc::new(Tally::default());
        let o = obj();
        let r = counted_callback(&o, &tally);
        let t = thread::spawn(move || drop(r));
        let listed = getweakrefs(&o);
        assert!(listed.len() <= 1);
        t.join().unwrap();
        assert_eq!(getweakrefcount(&o), listed.len());
        drop(o);
        // A ref listed before its other handle went keeps its callback armed.
        assert_eq!(tally.ran.load(SeqCst), listed.len());
        drop(listed);
        assert_eq!(tally.dropped.load(SeqCst), 1);
    });
}
