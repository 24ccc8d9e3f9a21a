//! `getweakrefcount` and `getweakrefs`: DESIGN semantics 6 (CPython's
//! test_getweakrefcount, test_getweakrefs, and the ordering of
//! test_subclass_refs_dont_replace_standard_refs). Proxies are counted here
//! as weak reference objects of their referent; proxy_callbacks.rs has the
//! rest of the proxies' side. Every test runs for both flavours (`name::arc`,
//! `name::rc`: `weakref_tests::flavour`).

use std::sync::{Arc, Mutex};

use weakref::{Family, Ref};
use weakref_tests::flavour::{Flavour, ptr_eq};
use weakref_tests::{Counter, Obj, flavour_tests};

fn same<F: Family>(listed: &[Ref<Obj, F>], expected: &[&Ref<Obj, F>]) -> bool {
    listed.len() == expected.len() && listed.iter().zip(expected).all(|(a, b)| Ref::ptr_eq(a, b))
}

// A never referenced object has no list, and asking about it makes none.
fn never_referenced_object_has_no_list<Fl: Flavour>() {
    let o = Fl::obj(1);
    assert!(!o.header.is_referenced());
    assert_eq!(Fl::getweakrefcount(&o), 0);
    assert!(Fl::getweakrefs(&o).is_empty());
    assert!(!o.header.is_referenced(), "introspection allocates nothing");
    let r = Ref::new(&o);
    assert!(o.header.is_referenced());
    drop(r);
}
flavour_tests!(never_referenced_object_has_no_list);

// CPython 3.11: test_weakref.py ReferencesTestCase.test_getweakrefcount
// (`getweakrefcount(1) == 0`, an object that cannot be weakly referenced, is
// ui/fail/getweakrefcount-without-derive.rs.)
fn getweakrefcount_counts_refs_and_proxies<Fl: Flavour>() {
    let calls = Counter::new();
    let o = Fl::obj(1);
    let ref1 = Ref::new(&o);
    let ref2 = Fl::with_callback(&o, calls.callback_in());
    assert_eq!(
        Fl::getweakrefcount(&o),
        2,
        "got wrong number of weak reference objects"
    );
    // Handles of the same objects add nothing.
    let more = (ref1.clone(), Ref::new(&o), ref2.clone());
    assert_eq!(Fl::getweakrefcount(&o), 2);
    drop(more);
    let proxy1 = Fl::proxy(&o);
    let counter = calls.clone();
    let proxy2 = Fl::proxy_with_callback(&o, move |_| counter.hit());
    assert_eq!(
        Fl::getweakrefcount(&o),
        4,
        "got wrong number of weak reference objects"
    );
    // A callback ref counts like a proxy with a callback.
    let ref3 = Fl::with_callback(&o, calls.callback_in());
    assert_eq!(Fl::getweakrefcount(&o), 5);
    drop((ref1, ref2, proxy1, proxy2, ref3));
    assert_eq!(
        Fl::getweakrefcount(&o),
        0,
        "weak reference objects not unlinked from referent when discarded"
    );
    drop(o);
    assert_eq!(calls.get(), 0);
}
flavour_tests!(getweakrefcount_counts_refs_and_proxies);

// CPython 3.11: test_weakref.py ReferencesTestCase.test_getweakrefs
// After deleting one of two refs the list is
// exactly the survivor, whichever end it was; empty after both.
fn getweakrefs_lists_survivors<Fl: Flavour>() {
    let calls = Counter::new();
    let o = Fl::obj(1);
    let ref1 = Fl::with_callback(&o, calls.callback_in());
    let ref2 = Fl::with_callback(&o, calls.callback_in());
    drop(ref1);
    assert!(
        same(&Fl::getweakrefs(&o), &[&ref2]),
        "list of refs does not match"
    );

    let o = Fl::obj(2);
    let ref1 = Fl::with_callback(&o, calls.callback_in());
    let ref2 = Fl::with_callback(&o, calls.callback_in());
    drop(ref2);
    assert!(
        same(&Fl::getweakrefs(&o), &[&ref1]),
        "list of refs does not match"
    );
    drop(ref1);
    assert!(Fl::getweakrefs(&o).is_empty(), "list of refs not cleared");
    drop(o);
    assert_eq!(calls.get(), 0, "dropped refs never fire");
}
flavour_tests!(getweakrefs_lists_survivors);

// The order: the shared ref, the shared proxy, then the others newest first
// (the order their callbacks run), whatever the creation order.
fn getweakrefs_order_shared_ref_then_proxy_then_newest_first<Fl: Flavour>() {
    let o = Fl::obj(1);
    let c1 = Fl::with_callback(&o, |_| ());
    let proxy = Fl::proxy(&o);
    let c2 = Fl::with_callback(&o, |_| ());
    let shared = Ref::new(&o);
    let c3 = Fl::with_callback(&o, |_| ());
    let listed = Fl::getweakrefs(&o);
    assert!(same(&listed, &[&shared, proxy.weakref(), &c3, &c2, &c1]));
    assert_eq!(Fl::getweakrefcount(&o), 5);
    // Every listed ref reaches the object.
    assert!(listed.iter().all(|r| ptr_eq(&r.get().unwrap(), &o)));
}
flavour_tests!(getweakrefs_order_shared_ref_then_proxy_then_newest_first);

// CPython 3.11: test_weakref.py SubclassableWeakrefTestCase.test_subclass_refs_dont_replace_standard_refs
// Rust has no subclasses of `Ref`; what CPython never shares (a subclass
// instance) is a ref with a callback here. A ref made with a callback first
// does not become the shared one; the shared ref is listed
// first; a later callback ref goes after it.
fn callback_refs_dont_replace_the_shared_ref<Fl: Flavour>() {
    let o = Fl::obj(42);
    let r1 = Fl::with_callback(&o, |_| ());
    let r2 = Ref::new(&o);
    assert!(!Ref::ptr_eq(&r1, &r2));
    assert!(same(&Fl::getweakrefs(&o), &[&r2, &r1]));
    assert_eq!(Fl::getweakrefcount(&o), 2);
    let r3 = Fl::with_callback(&o, |_| ());
    assert_eq!(Fl::getweakrefcount(&o), 3);
    let refs = Fl::getweakrefs(&o);
    assert_eq!(refs.len(), 3);
    assert!(Ref::ptr_eq(&r2, &refs[0]));
    assert!(refs[1..].iter().any(|r| Ref::ptr_eq(r, &r1)));
    assert!(refs[1..].iter().any(|r| Ref::ptr_eq(r, &r3)));
    assert!(
        same(&refs, &[&r2, &r3, &r1]),
        "newest first after the shared ref"
    );
}
flavour_tests!(callback_refs_dont_replace_the_shared_ref);

// CPython 3.11: test_weakref.py SubclassableWeakrefTestCase.test_subclass_refs_dont_conflate_callbacks
// CPython's `MyRef(o, id)` and `MyRef(o, str)` are two refs with different
// callbacks: two weak reference objects, both listed, each calling back its
// own callback.
fn refs_with_different_callbacks_are_not_conflated<Fl: Flavour>() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let o = Fl::obj(42);
    let (l1, l2) = (Arc::clone(&log), Arc::clone(&log));
    let r1 = Fl::with_callback(&o, move |_| l1.lock().unwrap().push("id"));
    let r2 = Fl::with_callback(&o, move |_| l2.lock().unwrap().push("str"));
    assert!(!Ref::ptr_eq(&r1, &r2));
    let refs = Fl::getweakrefs(&o);
    assert!(refs.iter().any(|r| Ref::ptr_eq(r, &r1)));
    assert!(refs.iter().any(|r| Ref::ptr_eq(r, &r2)));
    assert_eq!(refs.len(), 2);
    drop(refs);
    drop(o);
    assert_eq!(*log.lock().unwrap(), ["str", "id"]);
}
flavour_tests!(refs_with_different_callbacks_are_not_conflated);

// `getweakrefs` hands out handles: they keep their weak reference objects
// (and the count) alive after the caller's own handles are gone, and
// dropping them changes nothing else.
fn listed_handles_are_real_handles<Fl: Flavour>() {
    let calls = Counter::new();
    let o = Fl::obj(1);
    let shared = Ref::new(&o);
    let cb = Fl::with_callback(&o, calls.callback_in());
    let listed = Fl::getweakrefs(&o);
    assert_eq!(
        Fl::getweakrefcount(&o),
        2,
        "listing does not add weak reference objects"
    );
    drop((shared, cb));
    assert_eq!(Fl::getweakrefcount(&o), 2, "the listed handles keep them");
    assert!(
        Ref::ptr_eq(&listed[0], &Ref::new(&o)),
        "still the shared ref"
    );
    drop(o);
    assert_eq!(calls.get(), 1, "the listed callback ref fires");
    assert!(listed.iter().all(|r| !r.is_alive()));
}
flavour_tests!(listed_handles_are_real_handles);

// The count drops as handles go, in any order, and a dead object's refs are
// all dead (its count can no longer be asked).
fn count_tracks_drops_then_death_clears_all<Fl: Flavour>() {
    let o = Fl::obj(1);
    let mut refs: Vec<Option<Ref<Obj, Fl>>> = (0..5)
        .map(|_| Some(Fl::with_callback(&o, |_| ())))
        .collect();
    let shared = Ref::new(&o);
    assert_eq!(Fl::getweakrefcount(&o), 6);
    for (n, i) in [3, 0, 4].into_iter().enumerate() {
        refs[i] = None;
        assert_eq!(Fl::getweakrefcount(&o), 5 - n);
        assert_eq!(Fl::getweakrefs(&o).len(), 5 - n);
    }
    drop(o);
    assert!(!shared.is_alive());
    assert!(refs.iter().flatten().all(|r| !r.is_alive()));
}
flavour_tests!(count_tracks_drops_then_death_clears_all);

// A listed handle may be the last handle of its weak reference object, and
// free it. (Regression: `getweakrefs` once made these handles from a `&Node`,
// whose provenance does not cover the node's allocation; Miri flagged the
// free as undefined behaviour.)
fn listed_handle_can_be_the_last_handle<Fl: Flavour>() {
    let o = Fl::obj(1);
    let r = Fl::with_callback(&o, |_| ());
    let listed = Fl::getweakrefs(&o);
    drop(r);
    assert_eq!(Fl::getweakrefcount(&o), 1);
    drop(listed); // the last handle: frees the node
    assert_eq!(Fl::getweakrefcount(&o), 0);
}
flavour_tests!(listed_handle_can_be_the_last_handle);
