//! Basic weak references: CPython's `ReferencesTestCase` cases that apply to
//! Rust (DESIGN semantics 1, 2, 9), minus the cycle collector. Every test
//! runs for both flavours (`name::arc`, `name::rc`: `weakref_tests::flavour`).

use std::cell::{Cell, OnceCell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock};

use weakref::{Family, Header, Ref, ReferenceType, Referent};
use weakref_tests::flavour::{Flavour, Local, ptr_eq};
use weakref_tests::{Counter, DropFlag, Obj, collect_unraisable, flavour_tests};

/// The node address printed by `Debug`: `<weakref at ADDR; ...>`.
fn node_address<F: Family>(r: &Ref<Obj, F>) -> String {
    let text = format!("{r:?}");
    let rest = text
        .strip_prefix("<weakref at ")
        .unwrap_or_else(|| panic!("unexpected Debug output {text:?}"));
    rest[..rest.find(';').expect("a `;` after the address")].to_owned()
}

// CPython 3.11: test_weakref.py ReferencesTestCase.test_basic_ref
// (check_basic_ref and the repr smoke test; functions: proxy_basic.rs).
fn basic_ref_gives_back_the_same_arc_while_alive<Fl: Flavour>() {
    let o = Fl::obj(1);
    let r = Ref::new(&o);
    let got = r.get().expect("alive");
    assert!(ptr_eq(&got, &o), "get() is the referent itself");
    assert!(r.is_alive());
    drop(got);
    // Debug works alive and dead.
    assert!(format!("{r:?}").contains("; to '"));
    drop(o);
    assert!(r.get().is_none());
    assert!(!r.is_alive());
    assert!(format!("{r:?}").ends_with("; dead>"));
}
flavour_tests!(basic_ref_gives_back_the_same_arc_while_alive);

// CPython 3.13: test_weakref.py ReferencesTestCase.test_ref_repr (not in
// 3.11, whose test_basic_ref only checks that repr works alive and dead).
fn debug_format_alive_and_dead<Fl: Flavour>() {
    let o = Fl::obj(1);
    let r = Ref::new(&o);
    let alive = format!("{r:?}");
    let addr = node_address(&r);
    assert!(addr.starts_with("0x"), "{alive}");
    assert!(addr.len() > 2 && addr[2..].chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(
        alive,
        format!(
            "<weakref at {addr}; to '{}' at {:p}>",
            std::any::type_name::<Obj>(),
            std::ptr::from_ref::<Obj>(&o)
        )
    );
    assert!(alive.contains("'weakref_tests::Obj'"));
    // Clones are the same weak reference object: same address.
    assert_eq!(node_address(&r.clone()), addr);
    // Another weak reference object has another address.
    let other = Fl::with_callback(&o, |_| ());
    assert_ne!(node_address(&other), addr);
    drop(o);
    assert_eq!(format!("{r:?}"), format!("<weakref at {addr}; dead>"));
}
flavour_tests!(debug_format_alive_and_dead);

// CPython 3.11: test_weakref.py ReferencesTestCase.test_basic_callback
fn basic_callback_runs_once_after_death<Fl: Flavour>() {
    let calls = Counter::new();
    let o = Fl::obj(1);
    let r = Fl::with_callback(&o, calls.callback_in());
    assert_eq!(calls.get(), 0);
    assert_eq!(r.get().expect("alive").id, 1);
    drop(o);
    assert_eq!(calls.get(), 1);
    assert!(r.get().is_none());
    drop(r);
    assert_eq!(calls.get(), 1);
}
flavour_tests!(basic_callback_runs_once_after_death);

// CPython 3.11: test_weakref.py ReferencesTestCase.test_multiple_callbacks
fn multiple_callbacks_all_run<Fl: Flavour>() {
    let calls = Counter::new();
    let o = Fl::obj(1);
    let r1 = Fl::with_callback(&o, calls.callback_in());
    let r2 = Fl::with_callback(&o, calls.callback_in());
    drop(o);
    assert!(r1.get().is_none(), "expected referent to be cleared");
    assert!(r2.get().is_none(), "expected referent to be cleared");
    assert_eq!(calls.get(), 2);
}
flavour_tests!(multiple_callbacks_all_run);

// CPython 3.11: test_weakref.py ReferencesTestCase.test_multiple_selfref_callbacks
// Both callbacks dereference the
// *first* ref; the newest runs first and must already see it dead, i.e. all
// refs were invalidated before any callback ran.
fn multiple_selfref_callbacks_see_every_ref_cleared<Fl: Flavour>() {
    let first: Rc<OnceCell<Ref<Obj, Fl>>> = Rc::new(OnceCell::new());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let callback = |name: &'static str| {
        let (first, seen) = (Local::new(Rc::clone(&first)), Arc::clone(&seen));
        move |_: &Ref<Obj, Fl>| {
            let first = first.into_inner();
            let deref = first.get().expect("set before the death").get();
            seen.lock().unwrap().push((name, deref.is_none()));
        }
    };
    let o = Fl::obj(1);
    let r = Fl::with_callback(&o, callback("first"));
    first.set(r.clone()).unwrap();
    let r1 = Fl::with_callback(&o, callback("second"));
    drop(o);
    assert_eq!(
        *seen.lock().unwrap(),
        [("second", true), ("first", true)],
        "newest first, and the older ref is already dead in the newer callback"
    );
    assert!(r.get().is_none() && r1.get().is_none());
}
flavour_tests!(multiple_selfref_callbacks_see_every_ref_cleared);

// CPython 3.11: test_weakref.py ReferencesTestCase.test_callback_attribute_after_deletion
// (`__callback__` is None
// after the death: the callback was consumed). The closure is dropped right
// after it ran, even though handles of its ref are still alive.
fn callback_is_consumed_by_the_death<Fl: Flavour>() {
    let dropped = DropFlag::new();
    let guard = dropped.guard();
    let calls = Counter::new();
    let counter = calls.clone();
    let o = Fl::obj(1);
    let r = Fl::with_callback(&o, move |_| {
        let _guard = &guard;
        counter.hit();
    });
    assert!(!dropped.is_set());
    drop(o);
    assert_eq!(calls.get(), 1);
    assert!(dropped.is_set(), "the callback is released once it ran");
    assert!(!r.clone().cancel(), "nothing left to cancel");
    drop(r);
    assert_eq!(calls.get(), 1);
}
flavour_tests!(callback_is_consumed_by_the_death);

// CPython 3.11: test_weakref.py ReferencesTestCase.test_callback_attribute
// (a ref made without a callback has none):
// the shared ref never "fires"; only the callback ref's callback runs.
fn ref_without_callback_never_fires<Fl: Flavour>() {
    let calls = Counter::new();
    let o = Fl::obj(1);
    let plain = Ref::new(&o);
    let with = Fl::with_callback(&o, calls.callback_in());
    assert!(
        !plain.clone().cancel(),
        "a ref without callback has nothing to cancel"
    );
    drop(o);
    assert_eq!(calls.get(), 1);
    assert!(!plain.is_alive() && !with.is_alive());
}
flavour_tests!(ref_without_callback_never_fires);

// CPython 3.11: test_weakref.py ReferencesTestCase.test_classes
// (the callback `l.append` receives the ref object
// itself: `l == [a]`).
fn callback_receives_its_own_weak_reference<Fl: Flavour>() {
    let received: Rc<RefCell<Vec<Ref<Obj, Fl>>>> = Rc::default();
    let sink = Local::new(Rc::clone(&received));
    let o = Fl::obj(1);
    let a = Fl::with_callback(&o, move |r: &Ref<Obj, Fl>| {
        sink.into_inner().borrow_mut().push(r.clone());
    });
    drop(o);
    let received = received.borrow();
    assert_eq!(received.len(), 1);
    assert!(Ref::ptr_eq(&received[0], &a));
    assert!(received[0].get().is_none());
    assert!(a.get().is_none());
}
flavour_tests!(callback_receives_its_own_weak_reference);

/// CPython test_trashcan_16602's `C`: a child kept alive by its parent's
/// death (there: a `WeakKeyDictionary` entry; here: a callback that owns it),
/// with a callback ref to its parent.
#[derive(Referent)]
struct Node<Fl: Flavour> {
    header: Header,
    wparent: OnceLock<Ref<Node<Fl>, Fl>>,
}

// CPython 3.11: test_weakref.py ReferencesTestCase.test_trashcan_16602
// A chain of 100 objects, each with a callback
// ref to its parent whose callback dereferences a ref to the child. The
// child dies (dropped by a newer callback of the parent) before the older
// callback runs: the dereference must see `None`, never a dying object.
fn trashcan_16602_chain_of_deaths_sees_dead_children<Fl: Flavour>() {
    let saw_none = Counter::new();
    let saw_some = Counter::new();
    let new_node = || {
        Fl::new(Node::<Fl> {
            header: Header::new(),
            wparent: OnceLock::new(),
        })
    };
    let root = new_node();
    let mut keepers = Vec::new();
    let mut c = root.clone();
    for _ in 0..100 {
        let child = new_node();
        let wself = Local::new(Ref::new(&child));
        let (none, some) = (saw_none.clone(), saw_some.clone());
        let wparent = Fl::with_callback(&c, move |_| {
            if wself.into_inner().get().is_none() {
                none.hit();
            } else {
                some.hit();
            }
        });
        child.wparent.set(wparent).ok().unwrap();
        // Newer than `wparent`, so it runs first: the parent's death drops the
        // child (as the weak dictionary entry does in CPython's test).
        let owned = Local::new(child.clone());
        keepers.push(Fl::with_callback(&c, move |_| drop(owned)));
        c = child;
    }
    drop(c);
    drop(root);
    assert_eq!(saw_some.get(), 0, "a dead object was reachable");
    assert_eq!(saw_none.get(), 100);
    assert!(keepers.iter().all(|k| !k.is_alive()));
}
flavour_tests!(trashcan_16602_chain_of_deaths_sees_dead_children);

/// CPython test_ref_created_during_del's `Target`: its `Drop` (the `__del__`
/// analogue) creates weak references. In Rust it cannot reach itself as an
/// `Arc` any more, so it references another object.
#[derive(Referent)]
struct Target<Fl: Flavour> {
    header: Header,
    other: Fl::Ptr<Obj>,
    made: Rc<RefCell<Vec<Ref<Obj, Fl>>>>,
    calls: Counter,
    self_ref: Rc<OnceCell<Ref<Target<Fl>, Fl>>>,
    self_ref_alive_in_drop: Rc<Cell<Option<bool>>>,
}

impl<Fl: Flavour> Drop for Target<Fl> {
    fn drop(&mut self) {
        // The last strong `Arc` is gone: refs to `self` already fail.
        let alive = self.self_ref.get().is_some_and(Ref::is_alive);
        self.self_ref_alive_in_drop.set(Some(alive));
        let mut made = self.made.borrow_mut();
        made.push(Ref::new(&self.other));
        made.push(Fl::with_callback(&self.other, self.calls.callback_in()));
    }
}

// CPython 3.11: test_weakref.py ReferencesTestCase.test_ref_created_during_del
// (bug 1377858): weak references made in
// a destructor must not dangle.
fn refs_created_in_drop_are_sound<Fl: Flavour>() {
    let other = Fl::obj(2);
    let made = Rc::new(RefCell::new(Vec::new()));
    let calls = Counter::new();
    let self_ref = Rc::new(OnceCell::new());
    let alive_in_drop = Rc::new(Cell::new(None));
    let target_calls = Counter::new();
    let t = Fl::new(Target::<Fl> {
        header: Header::new(),
        other: other.clone(),
        made: Rc::clone(&made),
        calls: calls.clone(),
        self_ref: Rc::clone(&self_ref),
        self_ref_alive_in_drop: Rc::clone(&alive_in_drop),
    });
    self_ref.set(Ref::new(&t)).ok().unwrap();
    let tr = Fl::with_callback(&t, target_calls.callback_in());
    drop(t);
    assert_eq!(alive_in_drop.get(), Some(false));
    assert_eq!(target_calls.get(), 1);
    assert!(!tr.is_alive() && !self_ref.get().unwrap().is_alive());
    // The refs made during the drop work and count.
    assert_eq!(Fl::getweakrefcount(&other), 2);
    assert!(
        made.borrow()
            .iter()
            .all(|r| ptr_eq(&r.get().unwrap(), &other))
    );
    drop(other);
    assert_eq!(calls.get(), 1);
    assert!(made.borrow().iter().all(|r| !r.is_alive()));
}
flavour_tests!(refs_created_in_drop_are_sound);

// CPython 3.11: test_weakref.py ReferencesTestCase.test_callbacks_protected
// (SF bug 478534: a callback must not
// clobber an exception that is propagating). The Rust analogue: an object
// dies while its thread unwinds from a panic; its callbacks run during the
// unwinding and the panic in flight reaches `catch_unwind` unchanged.
//
// The core's docs say a callback that itself panics during unwinding aborts
// the process. That was true of Rust before 1.71; since then (and so for the
// workspace's MSRV) a nested panic caught inside the `drop` is allowed, and
// the callback's `catch_unwind` reports it like any other. The second half
// checks exactly that.
fn callbacks_protected_during_unwinding<Fl: Flavour>() {
    let calls = Counter::new();
    let (caught, reports) = collect_unraisable(|| {
        catch_unwind(AssertUnwindSafe(|| {
            // Declared before `f`, so dropped after it: the refs outlive it.
            let mut refs = Vec::new();
            let f = Fl::obj(1);
            refs.push(Fl::with_callback(&f, calls.callback_in()));
            refs.push(Fl::with_callback(&f, |_| {
                panic!("callback panic while unwinding")
            }));
            std::panic::panic_any("BogusError");
        }))
    });
    let payload = caught.expect_err("the outer panic propagates");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"BogusError"));
    assert_eq!(calls.get(), 1, "callbacks still ran during unwinding");
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].message, "callback panic while unwinding");
}
flavour_tests!(callbacks_protected_during_unwinding);

// DESIGN 1: `with_callback` always makes a new weak reference object.
fn with_callback_always_makes_a_new_ref<Fl: Flavour>() {
    let o = Fl::obj(1);
    let shared = Ref::new(&o);
    let a = Fl::with_callback(&o, |_| ());
    let b = Fl::with_callback(&o, |_| ());
    assert!(!Ref::ptr_eq(&a, &b));
    assert!(!Ref::ptr_eq(&a, &shared) && !Ref::ptr_eq(&b, &shared));
    assert!(Ref::ptr_eq(&a, &a.clone()));
    assert_eq!(Fl::getweakrefcount(&o), 3);
}
flavour_tests!(with_callback_always_makes_a_new_ref);

// CPython 3.11: test_weakref.py ReferencesTestCase.test_ref_reuse
// `Ref::new` shares, also with the shared proxy created in between; ref +
// proxy count 2, 1 after the proxy is dropped.
fn ref_reuse_with_a_proxy_in_between<Fl: Flavour>() {
    let o = Fl::obj(1);
    let ref1 = Ref::new(&o);
    // create a proxy to make sure that there's an intervening creation
    // between these two; it should make no difference
    let proxy = Fl::proxy(&o);
    let ref2 = Ref::new(&o);
    assert!(
        Ref::ptr_eq(&ref1, &ref2),
        "reference object w/out callback should be re-used"
    );
    assert!(
        !Ref::ptr_eq(&ref1, proxy.weakref()),
        "the shared proxy is its own object"
    );
    drop((ref1, ref2, proxy));

    let o = Fl::obj(2);
    let proxy = Fl::proxy(&o);
    let ref1 = Ref::new(&o);
    let ref2 = Ref::new(&o);
    assert!(
        Ref::ptr_eq(&ref1, &ref2),
        "reference object w/out callback should be re-used"
    );
    assert_eq!(
        Fl::getweakrefcount(&o),
        2,
        "wrong weak ref count for object"
    );
    drop(proxy);
    assert_eq!(
        Fl::getweakrefcount(&o),
        1,
        "wrong weak ref count after deleting proxy"
    );
}
flavour_tests!(ref_reuse_with_a_proxy_in_between);

// CPython 3.11: test_weakref.py ReferencesTestCase.test_shared_ref_without_callback
// (check_shared_without_callback):
// every callback-less ref of an object is the same object, whichever `Arc`
// clone it is made from, and callback refs made in between do not change
// that.
fn shared_ref_without_callback<Fl: Flavour>() {
    let o = Fl::obj(1);
    let o2 = o.clone();
    let r1 = Ref::new(&o);
    let _cb = Fl::with_callback(&o, |_| ());
    let r2 = Ref::new(&o2);
    let r3: ReferenceType<Obj, Fl> = Ref::new(&o);
    assert!(Ref::ptr_eq(&r1, &r2) && Ref::ptr_eq(&r2, &r3));
    assert!(
        Fl::getweakrefs(&o)
            .iter()
            .filter(|r| Ref::ptr_eq(r, &r1))
            .count()
            == 1
    );
}
flavour_tests!(shared_ref_without_callback);

// The shared ref lives while it has handles; after its last handle is gone
// `Ref::new` makes a new one (not counted in between).
fn shared_ref_is_remade_after_its_handles_are_gone<Fl: Flavour>() {
    let o = Fl::obj(1);
    let r = Ref::new(&o);
    assert_eq!(Fl::getweakrefcount(&o), 1);
    drop(r);
    assert_eq!(Fl::getweakrefcount(&o), 0);
    let again = Ref::new(&o);
    assert_eq!(Fl::getweakrefcount(&o), 1);
    assert!(ptr_eq(&again.get().unwrap(), &o));
    drop(o);
    assert!(!again.is_alive());
}
flavour_tests!(shared_ref_is_remade_after_its_handles_are_gone);

// A dead ref stays dead: it does not come back for a new object at the same
// address.
fn dead_ref_never_revives<Fl: Flavour>() {
    let o = Fl::obj(1);
    let r = Ref::new(&o);
    drop(o);
    for id in 0..16 {
        let fresh = Fl::obj(id);
        assert!(r.get().is_none());
        drop(fresh);
    }
}
flavour_tests!(dead_ref_never_revives);
