//! Values that leave their `Arc` without being dropped: DESIGN semantics 9b.
//! A header belongs to one `Arc` allocation: the old weak references are
//! dead at once (as `std::sync::Weak`s are), their callbacks run when the
//! moved value is dropped or next weakly referenced, and the value starts
//! over with no weak references.

use std::sync::{Arc, Mutex};

use weakref::{Header, Ref, Referent, getweakrefcount, getweakrefs};
use weakref_tests::Counter;

#[derive(Referent, Clone, Debug, PartialEq)]
struct Val {
    id: u32,
    header: Header,
}

fn val(id: u32) -> Arc<Val> {
    Arc::new(Val {
        id,
        header: Header::new(),
    })
}

/// An object with a shared ref and two callback refs (logging `name`).
struct Watched {
    shared: Ref<Val>,
    older: Ref<Val>,
    newer: Ref<Val>,
    log: Arc<Mutex<Vec<&'static str>>>,
}

fn watch(v: &Arc<Val>) -> Watched {
    let log: Arc<Mutex<Vec<&'static str>>> = Arc::default();
    let callback = |name: &'static str| {
        let log = Arc::clone(&log);
        move |r: &Ref<Val>| {
            assert!(r.get().is_none());
            log.lock().unwrap().push(name);
        }
    };
    Watched {
        shared: Ref::new(v),
        older: Ref::with_callback(v, callback("older")),
        newer: Ref::with_callback(v, callback("newer")),
        log,
    }
}

impl Watched {
    fn all_dead(&self) -> bool {
        [&self.shared, &self.older, &self.newer]
            .iter()
            .all(|r| r.get().is_none() && !r.is_alive())
    }

    fn fired(&self) -> Vec<&'static str> {
        self.log.lock().unwrap().clone()
    }
}

/// What the moved value must look like when re-wrapped: no weak refs, and
/// a new shared ref that is not the old one.
fn starts_over(w: &Watched, rewrapped: &Arc<Val>) {
    assert_eq!(getweakrefcount(rewrapped), 0);
    assert!(getweakrefs(rewrapped).is_empty());
    let fresh = Ref::new(rewrapped);
    assert!(!Ref::ptr_eq(&fresh, &w.shared), "a new shared ref");
    assert!(Arc::ptr_eq(&fresh.get().unwrap(), rewrapped));
    assert_eq!(getweakrefcount(rewrapped), 1);
    assert!(w.all_dead(), "the old refs stay dead");
}

// ---------------------------------------------------------- Arc::try_unwrap

#[test]
fn try_unwrap_then_drop_runs_the_callbacks() {
    let v = val(1);
    let w = watch(&v);
    let value = Arc::try_unwrap(v).expect("unique");
    assert!(w.all_dead(), "dead from the moment the value left its Arc");
    assert_eq!(value.id, 1);
    drop(value);
    assert_eq!(w.fired(), ["newer", "older"]);
}

#[test]
fn try_unwrap_then_new_ref_runs_the_callbacks() {
    let v = val(1);
    let w = watch(&v);
    let value = Arc::try_unwrap(v).expect("unique");
    let rewrapped = Arc::new(value);
    let fresh = Ref::new(&rewrapped);
    assert_eq!(
        w.fired(),
        ["newer", "older"],
        "run when next weakly referenced"
    );
    assert!(!Ref::ptr_eq(&fresh, &w.shared));
    assert_eq!(getweakrefcount(&rewrapped), 1);
    drop(rewrapped);
    assert!(!fresh.is_alive());
    assert_eq!(w.fired(), ["newer", "older"], "each exactly once");
}

// Outside review, failure 6: the value leaves its `Arc`, its last old ref
// is dropped (parked: the callback must still run), and the value is
// wrapped again — and the allocator hands back the same address. A header
// that knew its list's owner by address alone took the old list as its own:
// `getweakrefcount` was 1, `getweakrefs` listed the old callback ref, and
// `Ref::new` never ran the old callback. A last handle that sees its referent
// dead now marks the list stale, so the next use re-homes it.
#[test]
fn a_value_rewrapped_at_the_same_address_starts_with_no_weak_refs() {
    let mut same_address = 0;
    for _ in 0..if cfg!(miri) { 4 } else { 64 } {
        let calls = Counter::new();
        let v = val(1);
        let address = Arc::as_ptr(&v);
        let old = Ref::with_callback(&v, calls.callback());
        let value = Arc::try_unwrap(v).expect("unique");
        drop(old); // parked: its referent died (left its `Arc`) before it
        let rewrapped = Arc::new(value);
        same_address += usize::from(Arc::as_ptr(&rewrapped) == address);
        assert_eq!(getweakrefcount(&rewrapped), 0, "no weak refs of its own");
        assert!(getweakrefs(&rewrapped).is_empty());
        assert_eq!(
            calls.get(),
            1,
            "the old callback ran when the list was used"
        );
        let fresh = Ref::new(&rewrapped);
        assert_eq!(getweakrefcount(&rewrapped), 1);
        drop(rewrapped);
        assert!(!fresh.is_alive());
        assert_eq!(calls.get(), 1, "exactly once");
    }
    // The scenario the review found needs the address to be reused; the
    // system allocator does that for a freed block of the same size at once.
    if !cfg!(miri) {
        assert!(same_address > 0, "the allocator never reused the address");
    }
}

// The same through `Ref::new` first (the shared ref of the re-wrapped value
// must be a new object, and the old callback runs then).
#[test]
fn a_value_rewrapped_at_the_same_address_gets_a_new_shared_ref() {
    for _ in 0..if cfg!(miri) { 4 } else { 64 } {
        let calls = Counter::new();
        let v = val(1);
        let old_shared = Ref::new(&v);
        let old = Ref::with_callback(&v, calls.callback());
        let value = Arc::try_unwrap(v).expect("unique");
        drop((old, old_shared));
        let rewrapped = Arc::new(value);
        let fresh = Ref::new(&rewrapped);
        assert_eq!(calls.get(), 1);
        assert_eq!(getweakrefcount(&rewrapped), 1);
        assert!(Arc::ptr_eq(&fresh.get().unwrap(), &rewrapped));
        drop(rewrapped);
        assert_eq!(calls.get(), 1);
    }
}

// ------------------------------------------------------- Arc::into_inner

#[test]
fn into_inner_then_drop_runs_the_callbacks() {
    let v = val(2);
    let w = watch(&v);
    let value = Arc::into_inner(v).expect("unique");
    assert!(w.all_dead());
    drop(value);
    assert_eq!(w.fired(), ["newer", "older"]);
}

#[test]
fn into_inner_value_starts_with_no_weak_refs() {
    let v = val(2);
    let w = watch(&v);
    let rewrapped = Arc::new(Arc::into_inner(v).expect("unique"));
    starts_over(&w, &rewrapped);
    assert_eq!(w.fired(), ["newer", "older"]);
    let calls = Counter::new();
    let _again = Ref::with_callback(&rewrapped, calls.callback());
    drop(rewrapped);
    assert_eq!(calls.get(), 1, "the new life has its own callbacks");
    assert_eq!(w.fired(), ["newer", "older"]);
}

// --------------------------------------------------- Arc::unwrap_or_clone

#[test]
fn unwrap_or_clone_when_unique_moves_the_value() {
    let v = val(3);
    let w = watch(&v);
    let value = Arc::unwrap_or_clone(v);
    assert!(w.all_dead());
    let rewrapped = Arc::new(value);
    starts_over(&w, &rewrapped);
    assert_eq!(w.fired(), ["newer", "older"]);
}

#[test]
fn unwrap_or_clone_when_shared_clones_with_a_fresh_header() {
    let v = val(3);
    let keep = Arc::clone(&v);
    let w = watch(&v);
    let value = Arc::unwrap_or_clone(v);
    assert_eq!(value, *keep);
    assert!(!value.header.is_referenced(), "a clone's header is fresh");
    assert!(
        Arc::ptr_eq(&w.shared.get().unwrap(), &keep),
        "the original lives on"
    );
    drop(value);
    assert!(w.fired().is_empty());
    drop(keep);
    assert_eq!(w.fired(), ["newer", "older"]);
}

// --------------------------------------------------------- Arc::make_mut

// With weak refs but no other strong `Arc`, `make_mut` moves the value to a
// new allocation (the weak refs are disassociated, no clone is made).
#[test]
fn make_mut_away_from_weak_refs_then_drop() {
    let mut v = val(4);
    let w = watch(&v);
    Arc::make_mut(&mut v).id = 40;
    assert!(w.all_dead(), "disassociated from the moved value");
    assert_eq!(v.id, 40);
    drop(v);
    assert_eq!(w.fired(), ["newer", "older"]);
}

#[test]
fn make_mut_away_from_weak_refs_then_new_ref() {
    let mut v = val(4);
    let w = watch(&v);
    Arc::make_mut(&mut v).id = 40;
    let fresh = Ref::new(&v);
    assert_eq!(w.fired(), ["newer", "older"]);
    assert!(!Ref::ptr_eq(&fresh, &w.shared));
    assert_eq!(fresh.get().unwrap().id, 40);
    assert_eq!(getweakrefcount(&v), 1);
    drop(v);
    assert!(!fresh.is_alive());
    assert_eq!(w.fired(), ["newer", "older"]);
}

#[test]
fn make_mut_value_starts_with_no_weak_refs() {
    let mut v = val(4);
    let w = watch(&v);
    Arc::make_mut(&mut v).id = 41;
    starts_over(&w, &v);
    assert_eq!(w.fired(), ["newer", "older"]);
}

// With another strong `Arc`, `make_mut` clones: the clone (Header's Clone)
// has no weak refs, the original keeps its own.
#[test]
fn make_mut_when_shared_clones_with_a_fresh_header() {
    let mut v = val(5);
    let original = Arc::clone(&v);
    let w = watch(&v);
    Arc::make_mut(&mut v).id = 50;
    assert_eq!(getweakrefcount(&v), 0);
    assert!(!v.header.is_referenced());
    assert_eq!(getweakrefcount(&original), 3);
    assert!(Arc::ptr_eq(&w.shared.get().unwrap(), &original));
    drop(v);
    assert!(w.fired().is_empty());
    drop(original);
    assert_eq!(w.fired(), ["newer", "older"]);
}

// ------------------------------------------------------------------ others

// A value moved out and back several times: each life's callbacks run once,
// in their own life's order.
#[test]
fn repeated_moves_each_life_fires_once() {
    let mut v = val(6);
    let mut lives = Vec::new();
    for _ in 0..3 {
        lives.push(watch(&v));
        v = Arc::new(Arc::into_inner(v).expect("unique"));
    }
    assert!(lives.iter().all(Watched::all_dead));
    let _ = getweakrefcount(&v);
    assert!(lives.iter().all(|w| w.fired() == ["newer", "older"]));
}

// A moved value dropped on another thread runs the old callbacks there.
#[test]
fn moved_value_dropped_on_another_thread() {
    let v = val(7);
    let w = watch(&v);
    let value = Arc::try_unwrap(v).expect("unique");
    std::thread::spawn(move || drop(value)).join().unwrap();
    assert_eq!(w.fired(), ["newer", "older"]);
}

// Refs dropped before the value leaves its `Arc` never fire, as usual.
#[test]
fn refs_dropped_before_the_move_never_fire() {
    let calls = Counter::new();
    let v = val(8);
    let r = Ref::with_callback(&v, calls.callback());
    let keep = Ref::with_callback(&v, calls.callback());
    drop(r);
    let value = Arc::into_inner(v).expect("unique");
    drop(value);
    assert_eq!(calls.get(), 1);
    assert!(!keep.is_alive());
}
