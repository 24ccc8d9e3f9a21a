//! Proxies as weak reference objects of their referent: counted, listed,
//! and calling back with the refs, newest first (DESIGN semantics 2, 6,
//! 10): the proxies' side of CPython's `test_getweakrefcount` and
//! `test_getweakrefs`. Every test runs for both flavours (`name::arc`,
//! `name::rc`: `weakref_tests::flavour`).

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use weakref::{CallableProxy, Function, Header, Proxy, Ref, Referent};
use weakref_tests::flavour::{Flavour, Local};
use weakref_tests::{collect_unraisable, flavour_tests};

#[derive(Referent)]
struct Obj {
    header: Header,
}

fn obj<Fl: Flavour>() -> Fl::Ptr<Obj> {
    Fl::new(Obj {
        header: Header::new(),
    })
}

// CPython 3.11: test_weakref.py ReferencesTestCase.test_getweakrefcount
// Ref + ref with callback = 2, with proxy + proxy
// with callback = 4, and 0 once they are all dropped.
fn getweakrefcount_counts_proxies<Fl: Flavour>() {
    let o = obj::<Fl>();
    let r1 = Ref::new(&o);
    let r2 = Fl::with_callback(&o, |_| ());
    assert_eq!(Fl::getweakrefcount(&o), 2);
    let p1 = Fl::proxy(&o);
    let p2 = Fl::proxy_with_callback(&o, |_| ());
    assert_eq!(Fl::getweakrefcount(&o), 4);
    let _again = Fl::proxy(&o); // the shared proxy, not another one
    assert_eq!(Fl::getweakrefcount(&o), 4);
    drop((r1, r2, p1, p2, _again));
    assert_eq!(Fl::getweakrefcount(&o), 0);
}
flavour_tests!(getweakrefcount_counts_proxies);

// Extends CPython 3.11's test_weakref.py ReferencesTestCase.test_getweakrefs
// to proxies: the shared ref, the shared proxy, then the others
// newest first; a dropped proxy leaves the list.
fn getweakrefs_lists_the_refs_under_proxies_in_order<Fl: Flavour>() {
    let o = obj::<Fl>();
    let old_ref = Fl::with_callback(&o, |_| ());
    let old_proxy = Fl::proxy_with_callback(&o, |_| ());
    let shared_proxy = Fl::proxy(&o);
    let shared_ref = Ref::new(&o);
    let new_ref = Fl::with_callback(&o, |_| ());
    let new_proxy = Fl::proxy_with_callback(&o, |_| ());

    let listed = Fl::getweakrefs(&o);
    let expected = [
        &shared_ref,
        shared_proxy.weakref(),
        new_proxy.weakref(),
        &new_ref,
        old_proxy.weakref(),
        &old_ref,
    ];
    assert_eq!(listed.len(), expected.len());
    for (i, (got, want)) in listed.iter().zip(expected).enumerate() {
        assert!(Ref::ptr_eq(got, want), "entry {i}: {got:?} is not {want:?}");
    }
    drop(listed);

    drop(new_proxy);
    drop(shared_proxy);
    let listed = Fl::getweakrefs(&o);
    assert_eq!(listed.len(), 4);
    assert!(Ref::ptr_eq(&listed[0], &shared_ref));
    assert!(Ref::ptr_eq(&listed[1], &new_ref));
    assert!(Ref::ptr_eq(&listed[2], old_proxy.weakref()));
    drop(listed);

    drop((old_ref, shared_ref, new_ref, old_proxy));
    assert!(Fl::getweakrefs(&o).is_empty());
}
flavour_tests!(getweakrefs_lists_the_refs_under_proxies_in_order);

// Semantics 2 and 10: callbacks of refs and proxies run together, newest
// first, after all of them were cleared; a proxy's callback gets that proxy.
fn proxy_callbacks_get_their_proxy_and_run_newest_first_with_refs<Fl: Flavour>() {
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = Rc::new(RefCell::new(Vec::<Proxy<Obj, Fl>>::new()));
    let o = obj::<Fl>();
    let shared = Fl::proxy(&o);

    let l = log.clone();
    let r = Fl::with_callback(&o, move |_| l.lock().unwrap().push("ref 1".into()));
    let (l, captured) = (log.clone(), Local::new((seen.clone(), shared.clone())));
    let p1 = Fl::proxy_with_callback(&o, move |p: &Proxy<Obj, Fl>| {
        let (s, check) = captured.into_inner();
        // Every weak reference and proxy is already dead.
        assert!(!p.is_alive() && !check.is_alive());
        s.borrow_mut().push(p.clone());
        l.lock().unwrap().push("proxy 2".into());
    });
    let l = log.clone();
    let r3 = Fl::with_callback(&o, move |r: &Ref<Obj, Fl>| {
        assert!(r.get().is_none());
        l.lock().unwrap().push("ref 3".into());
    });
    let (l, s) = (log.clone(), Local::new(seen.clone()));
    let p4 = Fl::proxy_with_callback(&o, move |p: &Proxy<Obj, Fl>| {
        s.into_inner().borrow_mut().push(p.clone());
        l.lock().unwrap().push("proxy 4".into());
    });

    drop(o);
    assert_eq!(
        *log.lock().unwrap(),
        ["proxy 4", "ref 3", "proxy 2", "ref 1"]
    );
    let seen = seen.borrow();
    assert!(Proxy::ptr_eq(&seen[0], &p4));
    assert!(Proxy::ptr_eq(&seen[1], &p1));
    assert!(Ref::ptr_eq(seen[1].weakref(), p1.weakref()));
    assert!(!shared.is_alive() && !r.is_alive() && !r3.is_alive());
}
flavour_tests!(proxy_callbacks_get_their_proxy_and_run_newest_first_with_refs);

// The callback of a callable proxy gets the callable proxy.
fn callable_proxy_callback_gets_the_callable_proxy<Fl: Flavour>() {
    type F = Function<u32, u32>;
    let seen = Rc::new(RefCell::new(None));
    let f = Fl::new(Function::new(|x: u32| x * 2));
    let s = Local::new(seen.clone());
    let p = Fl::proxy_with_callback(&f, move |p: &CallableProxy<F, Fl>| {
        *s.into_inner().borrow_mut() = Some((p.clone(), p.call(1)));
    });
    assert_eq!(p.call(21), Ok(42));
    drop(f);
    let (given, result) = seen.borrow_mut().take().unwrap();
    assert!(CallableProxy::ptr_eq(&given, &p));
    assert!(result.is_err());
}
flavour_tests!(callable_proxy_callback_gets_the_callable_proxy);

// A panicking proxy callback is reported, not propagated (semantics 4), and
// the other callbacks still run. (Reported to `collect_unraisable`, which
// captures this thread's reports while the other flavour's test may run.)
fn a_panicking_proxy_callback_is_reported_and_the_others_run<Fl: Flavour>() {
    let ran = Arc::new(Mutex::new(false));
    let o = obj::<Fl>();
    let flag = ran.clone();
    let _older = Fl::proxy_with_callback(&o, move |_| *flag.lock().unwrap() = true);
    let _newer = Fl::proxy_with_callback(&o, |_| panic!("proxy callback failed"));
    let ((), reported) = collect_unraisable(|| drop(o));
    assert!(*ran.lock().unwrap());
    assert_eq!(reported.len(), 1);
    assert!(reported[0].message.contains("proxy callback failed"));
}
flavour_tests!(a_panicking_proxy_callback_is_reported_and_the_others_run);
