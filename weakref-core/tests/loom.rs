//! loom models of the weak reference protocol: list creation, shared-ref
//! reuse and revival, refs dropped or cancelled while their referent dies
//! (shared and callback refs at once, two handles of one ref on two threads),
//! callback claiming (also of a ref whose last handle goes after the death
//! but before the header clears), death hooks against `cancel`, counting and
//! listing racing revival and drops, and a value re-homed out of its `Arc`
//! racing an old handle's drop. Every interleaving of the library's atomics
//! and locks is explored (they come from `loom` under `cfg(loom)`), unbounded
//! unless `LOOM_MAX_PREEMPTIONS` is set (`scripts/loom.sh --ci` sets 3); the
//! four three-thread models are bounded at 4 by default (see
//! `model_three_threads`).
//!
//! Run: `bash scripts/loom.sh`, or
//! `RUSTFLAGS="--cfg loom" cargo test -p weakref-core --test loom --release`
#![cfg(loom)]

use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use loom::thread;
// The referent's `Arc` is the crate's loom model of std's, so the models
// see its strong count: the window between the last strong reference going
// and the header clearing the weak references is explored like any other.
use weakref_core::__loom::Arc;

use weakref_core::{Header, Ref, Referent, getweakrefcount, getweakrefs};

#[derive(Referent)]
struct Obj {
    header: Header,
}

/// Three threads explode unbounded (over 10 minutes each for the two with
/// a slow referent): explores with `LOOM_MAX_PREEMPTIONS` preemptions if
/// set, else 4 (about 30 s for all four; CI uses 3).
fn model_three_threads(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(4);
    }
    builder.check(f);
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

/// Drops `r`, telling whether its holder saw the referent dead first: then
/// the ref had a handle at the death, and its callback must run exactly once
/// (DESIGN 25). A ref seen alive may be dropped before or after the death
/// (the drop decides under the list lock), so its callback runs at most once.
fn drop_witnessing(r: Ref<Obj>) -> bool {
    let dead = !r.is_alive();
    drop(r);
    dead
}

/// The callback ran exactly once if any holder saw the death, at most once
/// otherwise, and its closure was dropped exactly once.
fn assert_exactly_once_if_witnessed(tally: &Tally, witnessed: bool) {
    let ran = tally.ran.load(SeqCst);
    if witnessed {
        assert_eq!(
            ran, 1,
            "a ref that had a handle at the death calls back once"
        );
    } else {
        assert!(ran <= 1, "a callback runs at most once: {ran}");
    }
    assert_eq!(tally.dropped.load(SeqCst), 1, "the closure is dropped once");
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
        let t = thread::spawn(move || drop_witnessing(r));
        drop(o);
        let witnessed = t.join().unwrap();
        // The callback either ran (death claimed it first) or was dropped
        // unrun (the ref went first); its closure is dropped exactly once.
        assert_exactly_once_if_witnessed(&tally, witnessed);
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

#[test]
fn shared_and_callback_refs_dropped_while_referent_dies() {
    loom::model(|| {
        let tally = Arc::new(Tally::default());
        let o = obj();
        let cb = counted_callback(&o, &tally);
        let shared = Ref::new(&o);
        let t = thread::spawn(move || {
            drop(shared);
            drop_witnessing(cb)
        });
        drop(o);
        let witnessed = t.join().unwrap();
        assert_exactly_once_if_witnessed(&tally, witnessed);
    });
}

#[test]
fn shared_and_callback_refs_dropped_on_two_threads_while_referent_dies() {
    model_three_threads(|| {
        let tally = Arc::new(Tally::default());
        let o = obj();
        let cb = counted_callback(&o, &tally);
        let shared = Ref::new(&o);
        let a = thread::spawn(move || drop(shared));
        let b = thread::spawn(move || drop_witnessing(cb));
        drop(o);
        a.join().unwrap();
        let witnessed = b.join().unwrap();
        assert_exactly_once_if_witnessed(&tally, witnessed);
    });
}

#[test]
fn two_handles_dropped_on_two_threads_while_referent_dies_on_a_third() {
    model_three_threads(|| {
        let tally = Arc::new(Tally::default());
        let o = obj();
        let r = counted_callback(&o, &tally);
        let r2 = r.clone();
        let a = thread::spawn(move || drop_witnessing(r));
        let b = thread::spawn(move || drop_witnessing(r2));
        drop(o);
        let witnessed = a.join().unwrap() | b.join().unwrap();
        // Claimed by the death (then run once) or freed by the last handle
        // (never run): the closure is dropped exactly once either way; and
        // run exactly once if either handle outlived the death.
        assert_exactly_once_if_witnessed(&tally, witnessed);
    });
}

#[test]
fn callback_claimed_while_one_handle_survives() {
    loom::model(|| {
        let tally = Arc::new(Tally::default());
        let o = obj();
        let r = counted_callback(&o, &tally);
        let keep = r.clone();
        let t = thread::spawn(move || drop(r));
        drop(o);
        t.join().unwrap();
        // A handle was alive throughout: the death must claim and run it.
        assert_eq!(tally.ran.load(SeqCst), 1);
        assert!(keep.get().is_none());
        drop(keep);
        assert_eq!(tally.dropped.load(SeqCst), 1);
    });
}

#[test]
fn getweakrefcount_races_shared_ref_revival() {
    loom::model(|| {
        let o = obj();
        let first = Ref::new(&o);
        let o2 = Arc::clone(&o);
        let t = thread::spawn(move || {
            drop(first);
            Ref::new(&o2)
        });
        let seen = getweakrefcount(&o);
        assert!(seen <= 1, "one shared ref, dead or alive: {seen}");
        let again = t.join().unwrap();
        assert_eq!(getweakrefcount(&o), 1);
        assert!(Ref::ptr_eq(&again, &Ref::new(&o)));
        drop(again);
        assert_eq!(getweakrefcount(&o), 0);
    });
}

#[test]
fn getweakrefcount_races_revival_and_drop_on_both_sides() {
    loom::model(|| {
        let o = obj();
        let first = Ref::new(&o);
        let o2 = Arc::clone(&o);
        let t = thread::spawn(move || {
            let r = Ref::new(&o2);
            let n = getweakrefcount(&o2);
            assert_eq!(n, 1, "a held shared ref is counted");
            drop(r);
        });
        drop(first);
        let n = getweakrefcount(&o);
        assert!(n <= 1);
        t.join().unwrap();
        assert_eq!(getweakrefcount(&o), 0);
        assert!(getweakrefs(&o).is_empty());
    });
}

/// Counts a death hook's runs and drops.
fn counted_hook(o: &Arc<Obj>, tally: &Arc<Tally>) -> Ref<Obj> {
    let guard = Guard(Arc::clone(tally));
    Ref::with_death_hook(o, move || {
        guard.0.ran.fetch_add(1, SeqCst);
    })
}

#[test]
fn death_hook_races_cancel_exactly_one_wins() {
    loom::model(|| {
        let tally = Arc::new(Tally::default());
        let o = obj();
        let r = counted_hook(&o, &tally);
        let t = thread::spawn(move || r.cancel());
        drop(o);
        let cancelled = t.join().unwrap();
        // Exactly one of: the hook ran, or cancel returned true.
        assert_eq!(tally.ran.load(SeqCst) + usize::from(cancelled), 1);
        assert_eq!(tally.dropped.load(SeqCst), 1);
    });
}

#[test]
fn rehome_after_try_unwrap_races_old_handle_drop() {
    loom::model(|| {
        let tally = Arc::new(Tally::default());
        let o = obj();
        let old_cb = counted_callback(&o, &tally);
        let old_shared = Ref::new(&o);
        let t = thread::spawn(move || {
            drop(old_shared);
            drop_witnessing(old_cb)
        });
        // The value leaves its `Arc`; weak refs to the old `Arc` are dead.
        let value = Arc::try_unwrap(o).ok().expect("the only strong reference");
        let moved = Arc::new(value);
        let fresh = Ref::new(&moved);
        let witnessed = t.join().unwrap();
        // A parked old handle's callback runs when the list is next used
        // (or the value dropped); `getweakrefcount` re-homes a stale list.
        assert_eq!(getweakrefcount(&moved), 1, "only the fresh ref");
        // The old callback ran at re-homing (if its handle was still there)
        // or was dropped unrun; never both, never twice.
        assert_exactly_once_if_witnessed(&tally, witnessed);
        assert!(Arc::ptr_eq(&fresh.get().unwrap(), &moved));
        drop(moved);
        assert!(fresh.get().is_none());
    });
}

#[test]
fn rehome_with_a_surviving_old_handle_runs_its_callback_once() {
    loom::model(|| {
        let tally = Arc::new(Tally::default());
        let o = obj();
        let old_cb = counted_callback(&o, &tally);
        let keep = old_cb.clone();
        let t = thread::spawn(move || drop(old_cb));
        let value = Arc::try_unwrap(o).ok().expect("the only strong reference");
        let moved = Arc::new(value);
        let fresh = Ref::new(&moved);
        t.join().unwrap();
        assert_eq!(tally.ran.load(SeqCst), 1, "re-homing kills the old refs");
        assert!(keep.get().is_none());
        assert_eq!(getweakrefcount(&moved), 1);
        drop((keep, fresh, moved));
        assert_eq!(tally.dropped.load(SeqCst), 1);
    });
}

/// An object whose fields before its header take a while to drop (a loom
/// scheduling point): the window between "weak refs no longer upgrade" and
/// "the header clears the refs".
#[derive(Referent)]
struct SlowObj {
    _before_header: Gate,
    header: Header,
}

struct Gate(AtomicUsize);

impl Drop for Gate {
    fn drop(&mut self) {
        self.0.store(1, SeqCst);
    }
}

#[test]
fn callback_runs_when_its_last_handle_goes_between_death_and_clearing() {
    loom::model(|| {
        let ran = Arc::new(AtomicUsize::new(0));
        let o = Arc::new(SlowObj {
            _before_header: Gate(AtomicUsize::new(0)),
            header: Header::new(),
        });
        let counter = Arc::clone(&ran);
        let r = Ref::with_callback(&o, move |_| {
            counter.fetch_add(1, SeqCst);
        });
        let t = thread::spawn(move || {
            // The referent was already dead when the last handle went: the
            // callbacks to run were fixed at the death (DESIGN 2/5).
            let dead = r.get().is_none();
            drop(r);
            dead
        });
        drop(o);
        let dead_first = t.join().unwrap();
        let ran = ran.load(SeqCst);
        assert!(ran <= 1);
        if dead_first {
            assert_eq!(
                ran, 1,
                "a ref dropped after its referent died still calls back"
            );
        }
    });
}

/// Outside review, failure 1: thread A starts dropping `h1` and (before the
/// fix) read the referent alive; the referent dies on another thread (its
/// fields still dropping, so its header has not cleared the refs); thread B
/// sees it dead and drops `h2` lock-free (2 -> 1); A, now the last handle,
/// acted on its stale "alive" and freed the node: the callback was lost,
/// though `h2` existed at the death. Now the last handle asks whether the
/// referent is dead under the list lock, when it decides.
#[test]
fn a_stale_alive_read_does_not_lose_the_callback_of_a_handle_seen_dead() {
    model_three_threads(|| {
        let tally = Arc::new(Tally::default());
        let o = Arc::new(SlowObj {
            _before_header: Gate(AtomicUsize::new(0)),
            header: Header::new(),
        });
        let guard = Guard(Arc::clone(&tally));
        let h1 = Ref::with_callback(&o, move |_| {
            guard.0.ran.fetch_add(1, SeqCst);
        });
        let h2 = h1.clone();
        let a = thread::spawn(move || drop(h1));
        let dying = thread::spawn(move || drop(o));
        let witnessed = !h2.is_alive();
        drop(h2);
        a.join().unwrap();
        dying.join().unwrap();
        assert_exactly_once_if_witnessed(&tally, witnessed);
    });
}

/// Outside review, failure 2: `cancel` after the death raced a lock-free
/// drop of the other handle: cancel read two handles under the lock, decided
/// "not last", the other handle went (2 -> 1), and cancel's decrement was
/// then the last one: the node was freed, its callback never run, though
/// `cancel` returned false ("has run, is running, or is queued").
#[test]
fn cancel_after_the_death_racing_the_other_handles_drop_still_calls_back() {
    loom::model(|| {
        let tally = Arc::new(Tally::default());
        let o = obj();
        let h1 = counted_callback(&o, &tally);
        let h2 = h1.clone();
        drop(o);
        // The death claimed the node with both handles alive; this model
        // checks the handles' own race after it.
        let t = thread::spawn(move || drop(h2));
        let cancelled = h1.cancel();
        t.join().unwrap();
        assert!(!cancelled, "the death came first");
        assert_exactly_once_if_witnessed(&tally, true);
    });
}

/// Failure 2 in the clearing window: the referent is dead but its header
/// has not cleared the refs (slow fields) when `cancel` and a drop of the
/// other handle race: whichever goes last parks the node, and the clearing
/// runs the callback; `cancel` never reports a cancellation it did not make.
#[test]
fn cancel_in_the_clearing_window_racing_a_drop_still_calls_back() {
    model_three_threads(|| {
        let ran = Arc::new(AtomicUsize::new(0));
        let o = Arc::new(SlowObj {
            _before_header: Gate(AtomicUsize::new(0)),
            header: Header::new(),
        });
        let counter = Arc::clone(&ran);
        let h1 = Ref::with_callback(&o, move |_| {
            counter.fetch_add(1, SeqCst);
        });
        let h2 = h1.clone();
        let dying = thread::spawn(move || drop(o));
        let other = thread::spawn(move || drop(h2));
        let seen_dead = !h1.is_alive();
        let cancelled = h1.cancel();
        dying.join().unwrap();
        other.join().unwrap();
        let ran = ran.load(SeqCst);
        assert_eq!(ran, usize::from(!cancelled), "cancelled, or run once");
        if seen_dead {
            assert!(!cancelled, "cancel after the death cancels nothing");
        }
    });
}

/// `Ref::dead()`: a waker registering (the first poll) while the object
/// dies on another thread is woken, or the poll sees the death: no lost
/// wake-up (loom reports a deadlock if `block_on` would park forever).
#[test]
fn dead_future_waker_registering_while_the_object_dies() {
    loom::model(|| {
        let o = obj();
        let r = Ref::new(&o);
        let dead = r.dead();
        let t = thread::spawn(move || drop(o));
        loom::future::block_on(dead);
        assert!(r.get().is_none(), "resolved only once the refs are cleared");
        t.join().unwrap();
    });
}

/// A `Dead` dropped while the object dies: its hook is disarmed or runs,
/// never both half-way; nothing is left on the object either way.
#[test]
fn dead_future_dropped_while_the_object_dies() {
    loom::model(|| {
        let o = obj();
        let r = Ref::new(&o);
        let dead = r.dead();
        let t = thread::spawn(move || drop(dead));
        drop(o);
        t.join().unwrap();
        assert!(r.get().is_none());
    });
}
