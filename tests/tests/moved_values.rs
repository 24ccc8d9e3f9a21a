//! Values that leave their `Arc` without being dropped: DESIGN semantics 9b.
//! A header belongs to one `Arc` allocation: the old weak references are
//! dead at once (as `std::sync::Weak`s are), their callbacks run when the
//! moved value is dropped or next weakly referenced, and the value starts
//! over with no weak references. The same holds for values leaving their
//! `Rc` (`Rc::try_unwrap`, `into_inner`, `unwrap_or_clone`, `make_mut`):
//! the tests run for both flavours (`name::arc`, `name::rc`:
//! `weakref_tests::flavour`), except the ones sending the value to another
//! thread, whose outcome differs by flavour.

use std::sync::{Arc, Mutex};

use weakref::{ArcFamily, Header, RcFamily, Ref, Referent};
use weakref_tests::flavour::{Flavour, ptr_eq};
use weakref_tests::{Counter, flavour_tests};

#[derive(Referent, Clone, Debug, PartialEq)]
struct Val {
    id: u32,
    header: Header,
}

fn val<Fl: Flavour>(id: u32) -> Fl::Ptr<Val> {
    Fl::new(Val {
        id,
        header: Header::new(),
    })
}

/// An object with a shared ref and two callback refs (logging `name`).
struct Watched<Fl: Flavour> {
    shared: Ref<Val, Fl>,
    older: Ref<Val, Fl>,
    newer: Ref<Val, Fl>,
    log: Arc<Mutex<Vec<&'static str>>>,
}

fn watch<Fl: Flavour>(v: &Fl::Ptr<Val>) -> Watched<Fl> {
    let log: Arc<Mutex<Vec<&'static str>>> = Arc::default();
    let callback = |name: &'static str| {
        let log = Arc::clone(&log);
        move |r: &Ref<Val, Fl>| {
            assert!(r.get().is_none());
            log.lock().unwrap().push(name);
        }
    };
    Watched {
        shared: Ref::new(v),
        older: Fl::with_callback(v, callback("older")),
        newer: Fl::with_callback(v, callback("newer")),
        log,
    }
}

impl<Fl: Flavour> Watched<Fl> {
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
fn starts_over<Fl: Flavour>(w: &Watched<Fl>, rewrapped: &Fl::Ptr<Val>) {
    assert_eq!(Fl::getweakrefcount(rewrapped), 0);
    assert!(Fl::getweakrefs(rewrapped).is_empty());
    let fresh = Ref::new(rewrapped);
    assert!(!Ref::ptr_eq(&fresh, &w.shared), "a new shared ref");
    assert!(ptr_eq(&fresh.get().unwrap(), rewrapped));
    assert_eq!(Fl::getweakrefcount(rewrapped), 1);
    assert!(w.all_dead(), "the old refs stay dead");
}

// ------------------------------------------ Arc::try_unwrap, Rc::try_unwrap

fn try_unwrap_then_drop_runs_the_callbacks<Fl: Flavour>() {
    let v = val::<Fl>(1);
    let w = watch::<Fl>(&v);
    let Ok(value) = Fl::try_unwrap(v) else {
        panic!("unique")
    };
    assert!(w.all_dead(), "dead from the moment the value left its Arc");
    assert_eq!(value.id, 1);
    drop(value);
    assert_eq!(w.fired(), ["newer", "older"]);
}
flavour_tests!(try_unwrap_then_drop_runs_the_callbacks);

fn try_unwrap_then_new_ref_runs_the_callbacks<Fl: Flavour>() {
    let v = val::<Fl>(1);
    let w = watch::<Fl>(&v);
    let Ok(value) = Fl::try_unwrap(v) else {
        panic!("unique")
    };
    let rewrapped = Fl::new(value);
    let fresh = Ref::new(&rewrapped);
    assert_eq!(
        w.fired(),
        ["newer", "older"],
        "run when next weakly referenced"
    );
    assert!(!Ref::ptr_eq(&fresh, &w.shared));
    assert_eq!(Fl::getweakrefcount(&rewrapped), 1);
    drop(rewrapped);
    assert!(!fresh.is_alive());
    assert_eq!(w.fired(), ["newer", "older"], "each exactly once");
}
flavour_tests!(try_unwrap_then_new_ref_runs_the_callbacks);

// Outside review, failure 6: the value leaves its `Arc`, its last old ref
// is dropped (parked: the callback must still run), and the value is
// wrapped again — and the allocator hands back the same address. A header
// that knew its list's owner by address alone took the old list as its own:
// `getweakrefcount` was 1, `getweakrefs` listed the old callback ref, and
// `Ref::new` never ran the old callback. A last handle that sees its referent
// dead now marks the list stale, so the next use re-homes it.
fn a_value_rewrapped_at_the_same_address_starts_with_no_weak_refs<Fl: Flavour>() {
    let mut same_address = 0;
    for _ in 0..if cfg!(miri) { 4 } else { 64 } {
        let calls = Counter::new();
        let v = val::<Fl>(1);
        let address = std::ptr::from_ref::<Val>(&v);
        let old = Fl::with_callback(&v, calls.callback_in());
        let Ok(value) = Fl::try_unwrap(v) else {
            panic!("unique")
        };
        drop(old); // parked: its referent died (left its `Arc`) before it
        let rewrapped = Fl::new(value);
        same_address += usize::from(std::ptr::from_ref::<Val>(&rewrapped) == address);
        assert_eq!(
            Fl::getweakrefcount(&rewrapped),
            0,
            "no weak refs of its own"
        );
        assert!(Fl::getweakrefs(&rewrapped).is_empty());
        assert_eq!(
            calls.get(),
            1,
            "the old callback ran when the list was used"
        );
        let fresh = Ref::new(&rewrapped);
        assert_eq!(Fl::getweakrefcount(&rewrapped), 1);
        drop(rewrapped);
        assert!(!fresh.is_alive());
        assert_eq!(calls.get(), 1, "exactly once");
    }
    // The scenario the review found needs the address to be reused; the
    // system allocator does that for a freed block of the same size at once
    // (Miri's and the sanitizers' allocators do not).
    if !cfg!(any(miri, sanitizer)) {
        assert!(same_address > 0, "the allocator never reused the address");
    }
}
flavour_tests!(a_value_rewrapped_at_the_same_address_starts_with_no_weak_refs);

// The same through `Ref::new` first (the shared ref of the re-wrapped value
// must be a new object, and the old callback runs then).
fn a_value_rewrapped_at_the_same_address_gets_a_new_shared_ref<Fl: Flavour>() {
    for _ in 0..if cfg!(miri) { 4 } else { 64 } {
        let calls = Counter::new();
        let v = val::<Fl>(1);
        let old_shared = Ref::new(&v);
        let old = Fl::with_callback(&v, calls.callback_in());
        let Ok(value) = Fl::try_unwrap(v) else {
            panic!("unique")
        };
        drop((old, old_shared));
        let rewrapped = Fl::new(value);
        let fresh = Ref::new(&rewrapped);
        assert_eq!(calls.get(), 1);
        assert_eq!(Fl::getweakrefcount(&rewrapped), 1);
        assert!(ptr_eq(&fresh.get().unwrap(), &rewrapped));
        drop(rewrapped);
        assert_eq!(calls.get(), 1);
    }
}
flavour_tests!(a_value_rewrapped_at_the_same_address_gets_a_new_shared_ref);

// --------------------------------------- Arc::into_inner, Rc::into_inner

fn into_inner_then_drop_runs_the_callbacks<Fl: Flavour>() {
    let v = val::<Fl>(2);
    let w = watch::<Fl>(&v);
    let value = Fl::into_inner(v).expect("unique");
    assert!(w.all_dead());
    drop(value);
    assert_eq!(w.fired(), ["newer", "older"]);
}
flavour_tests!(into_inner_then_drop_runs_the_callbacks);

fn into_inner_value_starts_with_no_weak_refs<Fl: Flavour>() {
    let v = val::<Fl>(2);
    let w = watch::<Fl>(&v);
    let rewrapped = Fl::new(Fl::into_inner(v).expect("unique"));
    starts_over(&w, &rewrapped);
    assert_eq!(w.fired(), ["newer", "older"]);
    let calls = Counter::new();
    let _again = Fl::with_callback(&rewrapped, calls.callback_in());
    drop(rewrapped);
    assert_eq!(calls.get(), 1, "the new life has its own callbacks");
    assert_eq!(w.fired(), ["newer", "older"]);
}
flavour_tests!(into_inner_value_starts_with_no_weak_refs);

// ------------------------------ Arc::unwrap_or_clone, Rc::unwrap_or_clone

fn unwrap_or_clone_when_unique_moves_the_value<Fl: Flavour>() {
    let v = val::<Fl>(3);
    let w = watch::<Fl>(&v);
    let value = Fl::unwrap_or_clone(v);
    assert!(w.all_dead());
    let rewrapped = Fl::new(value);
    starts_over(&w, &rewrapped);
    assert_eq!(w.fired(), ["newer", "older"]);
}
flavour_tests!(unwrap_or_clone_when_unique_moves_the_value);

fn unwrap_or_clone_when_shared_clones_with_a_fresh_header<Fl: Flavour>() {
    let v = val::<Fl>(3);
    let keep = v.clone();
    let w = watch::<Fl>(&v);
    let value = Fl::unwrap_or_clone(v);
    assert_eq!(value, *keep);
    assert!(!value.header.is_referenced(), "a clone's header is fresh");
    assert!(
        ptr_eq(&w.shared.get().unwrap(), &keep),
        "the original lives on"
    );
    drop(value);
    assert!(w.fired().is_empty());
    drop(keep);
    assert_eq!(w.fired(), ["newer", "older"]);
}
flavour_tests!(unwrap_or_clone_when_shared_clones_with_a_fresh_header);

// ------------------------------------------- Arc::make_mut, Rc::make_mut

// With weak refs but no other strong `Arc`, `make_mut` moves the value to a
// new allocation (the weak refs are disassociated, no clone is made).
fn make_mut_away_from_weak_refs_then_drop<Fl: Flavour>() {
    let mut v = val::<Fl>(4);
    let w = watch::<Fl>(&v);
    Fl::make_mut(&mut v).id = 40;
    assert!(w.all_dead(), "disassociated from the moved value");
    assert_eq!(v.id, 40);
    drop(v);
    assert_eq!(w.fired(), ["newer", "older"]);
}
flavour_tests!(make_mut_away_from_weak_refs_then_drop);

fn make_mut_away_from_weak_refs_then_new_ref<Fl: Flavour>() {
    let mut v = val::<Fl>(4);
    let w = watch::<Fl>(&v);
    Fl::make_mut(&mut v).id = 40;
    let fresh = Ref::new(&v);
    assert_eq!(w.fired(), ["newer", "older"]);
    assert!(!Ref::ptr_eq(&fresh, &w.shared));
    assert_eq!(fresh.get().unwrap().id, 40);
    assert_eq!(Fl::getweakrefcount(&v), 1);
    drop(v);
    assert!(!fresh.is_alive());
    assert_eq!(w.fired(), ["newer", "older"]);
}
flavour_tests!(make_mut_away_from_weak_refs_then_new_ref);

fn make_mut_value_starts_with_no_weak_refs<Fl: Flavour>() {
    let mut v = val::<Fl>(4);
    let w = watch::<Fl>(&v);
    Fl::make_mut(&mut v).id = 41;
    starts_over(&w, &v);
    assert_eq!(w.fired(), ["newer", "older"]);
}
flavour_tests!(make_mut_value_starts_with_no_weak_refs);

// With another strong `Arc`, `make_mut` clones: the clone (Header's Clone)
// has no weak refs, the original keeps its own.
fn make_mut_when_shared_clones_with_a_fresh_header<Fl: Flavour>() {
    let mut v = val::<Fl>(5);
    let original = v.clone();
    let w = watch::<Fl>(&v);
    Fl::make_mut(&mut v).id = 50;
    assert_eq!(Fl::getweakrefcount(&v), 0);
    assert!(!v.header.is_referenced());
    assert_eq!(Fl::getweakrefcount(&original), 3);
    assert!(ptr_eq(&w.shared.get().unwrap(), &original));
    drop(v);
    assert!(w.fired().is_empty());
    drop(original);
    assert_eq!(w.fired(), ["newer", "older"]);
}
flavour_tests!(make_mut_when_shared_clones_with_a_fresh_header);

// ------------------------------------------------------------------ others

// A value moved out and back several times: each life's callbacks run once,
// in their own life's order.
fn repeated_moves_each_life_fires_once<Fl: Flavour>() {
    let mut v = val::<Fl>(6);
    let mut lives = Vec::new();
    for _ in 0..3 {
        lives.push(watch::<Fl>(&v));
        v = Fl::new(Fl::into_inner(v).expect("unique"));
    }
    assert!(lives.iter().all(Watched::all_dead));
    let _ = Fl::getweakrefcount(&v);
    assert!(lives.iter().all(|w| w.fired() == ["newer", "older"]));
}
flavour_tests!(repeated_moves_each_life_fires_once);

// A moved value dropped on another thread runs the old callbacks there.
// (`Arc` only; the `Rc` flavour's outcome is the next test's.)
#[test]
fn moved_value_dropped_on_another_thread() {
    let v = val::<ArcFamily>(7);
    let w = watch::<ArcFamily>(&v);
    let value = Arc::try_unwrap(v).expect("unique");
    std::thread::spawn(move || drop(value)).join().unwrap();
    assert_eq!(w.fired(), ["newer", "older"]);
}

// `Rc` only: a value moved out of its `Rc` may be `Send` and be dropped on
// another thread; an `Rc` object's callbacks belong to its own thread (they
// need not be `Send`), so there they neither run nor are dropped: they are
// leaked (weakref_core::family's `ThreadBound`). The old refs are dead.
#[test]
#[cfg_attr(
    any(miri, sanitizer),
    ignore = "leaks the callbacks by design, which Miri and LeakSanitizer report"
)]
fn rc_moved_value_dropped_on_another_thread_leaks_the_callbacks() {
    let v = val::<RcFamily>(7);
    let w = watch::<RcFamily>(&v);
    let value = std::rc::Rc::try_unwrap(v).expect("unique");
    assert!(w.all_dead());
    std::thread::spawn(move || drop(value)).join().unwrap();
    assert!(w.fired().is_empty(), "never run off the object's thread");
    assert!(w.all_dead());
    drop(w);
}

// Refs dropped before the value leaves its `Arc` never fire, as usual.
fn refs_dropped_before_the_move_never_fire<Fl: Flavour>() {
    let calls = Counter::new();
    let v = val::<Fl>(8);
    let r = Fl::with_callback(&v, calls.callback_in());
    let keep = Fl::with_callback(&v, calls.callback_in());
    drop(r);
    let value = Fl::into_inner(v).expect("unique");
    drop(value);
    assert_eq!(calls.get(), 1);
    assert!(!keep.is_alive());
}
flavour_tests!(refs_dropped_before_the_move_never_fire);
