//! Proxies as weak reference objects of their referent: counted, listed,
//! and calling back with the refs, newest first (DESIGN semantics 2, 6,
//! 10): the proxies' side of CPython's `test_getweakrefcount` and
//! `test_getweakrefs`.

use std::sync::{Arc, Mutex};

use weakref::{
    CallableProxy, Function, Header, Proxy, Ref, Referent, getweakrefcount, getweakrefs, proxy,
    proxy_with_callback,
};

#[derive(Referent)]
struct Obj {
    header: Header,
}

fn obj() -> Arc<Obj> {
    Arc::new(Obj {
        header: Header::new(),
    })
}

// CPython 3.11: test_weakref.py ReferencesTestCase.test_getweakrefcount
// Ref + ref with callback = 2, with proxy + proxy
// with callback = 4, and 0 once they are all dropped.
#[test]
fn getweakrefcount_counts_proxies() {
    let o = obj();
    let r1 = Ref::new(&o);
    let r2 = Ref::with_callback(&o, |_| ());
    assert_eq!(getweakrefcount(&o), 2);
    let p1 = proxy(&o);
    let p2 = proxy_with_callback(&o, |_| ());
    assert_eq!(getweakrefcount(&o), 4);
    let _again = proxy(&o); // the shared proxy, not another one
    assert_eq!(getweakrefcount(&o), 4);
    drop((r1, r2, p1, p2, _again));
    assert_eq!(getweakrefcount(&o), 0);
}

// Extends CPython 3.11's test_weakref.py ReferencesTestCase.test_getweakrefs
// to proxies: the shared ref, the shared proxy, then the others
// newest first; a dropped proxy leaves the list.
#[test]
fn getweakrefs_lists_the_refs_under_proxies_in_order() {
    let o = obj();
    let old_ref = Ref::with_callback(&o, |_| ());
    let old_proxy = proxy_with_callback(&o, |_| ());
    let shared_proxy = proxy(&o);
    let shared_ref = Ref::new(&o);
    let new_ref = Ref::with_callback(&o, |_| ());
    let new_proxy = proxy_with_callback(&o, |_| ());

    let listed = getweakrefs(&o);
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
    let listed = getweakrefs(&o);
    assert_eq!(listed.len(), 4);
    assert!(Ref::ptr_eq(&listed[0], &shared_ref));
    assert!(Ref::ptr_eq(&listed[1], &new_ref));
    assert!(Ref::ptr_eq(&listed[2], old_proxy.weakref()));
    drop(listed);

    drop((old_ref, shared_ref, new_ref, old_proxy));
    assert!(getweakrefs(&o).is_empty());
}

// Semantics 2 and 10: callbacks of refs and proxies run together, newest
// first, after all of them were cleared; a proxy's callback gets that proxy.
#[test]
fn proxy_callbacks_get_their_proxy_and_run_newest_first_with_refs() {
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = Arc::new(Mutex::new(Vec::<Proxy<Obj>>::new()));
    let o = obj();
    let shared = proxy(&o);

    let l = log.clone();
    let r = Ref::with_callback(&o, move |_| l.lock().unwrap().push("ref 1".into()));
    let (l, s) = (log.clone(), seen.clone());
    let check = shared.clone();
    let p1 = proxy_with_callback(&o, move |p: &Proxy<Obj>| {
        // Every weak reference and proxy is already dead.
        assert!(!p.is_alive() && !check.is_alive());
        s.lock().unwrap().push(p.clone());
        l.lock().unwrap().push("proxy 2".into());
    });
    let l = log.clone();
    let r3 = Ref::with_callback(&o, move |r: &Ref<Obj>| {
        assert!(r.get().is_none());
        l.lock().unwrap().push("ref 3".into());
    });
    let (l, s) = (log.clone(), seen.clone());
    let p4 = proxy_with_callback(&o, move |p: &Proxy<Obj>| {
        s.lock().unwrap().push(p.clone());
        l.lock().unwrap().push("proxy 4".into());
    });

    drop(o);
    assert_eq!(
        *log.lock().unwrap(),
        ["proxy 4", "ref 3", "proxy 2", "ref 1"]
    );
    let seen = seen.lock().unwrap();
    assert!(Proxy::ptr_eq(&seen[0], &p4));
    assert!(Proxy::ptr_eq(&seen[1], &p1));
    assert!(Ref::ptr_eq(seen[1].weakref(), p1.weakref()));
    assert!(!shared.is_alive() && !r.is_alive() && !r3.is_alive());
}

// The callback of a callable proxy gets the callable proxy.
#[test]
fn callable_proxy_callback_gets_the_callable_proxy() {
    type F = Function<u32, u32>;
    let seen = Arc::new(Mutex::new(None));
    let f = Arc::new(Function::new(|x: u32| x * 2));
    let s = seen.clone();
    let p = proxy_with_callback(&f, move |p: &CallableProxy<F>| {
        *s.lock().unwrap() = Some((p.clone(), p.call(1)));
    });
    assert_eq!(p.call(21), Ok(42));
    drop(f);
    let (given, result) = seen.lock().unwrap().take().unwrap();
    assert!(CallableProxy::ptr_eq(&given, &p));
    assert!(result.is_err());
}

// A panicking proxy callback is reported, not propagated (semantics 4), and
// the other callbacks still run.
#[test]
fn a_panicking_proxy_callback_is_reported_and_the_others_run() {
    use std::thread;
    let reported = Arc::new(Mutex::new(Vec::<String>::new()));
    let r = reported.clone();
    let me = thread::current().id();
    weakref::set_unraisable_hook(Some(Arc::new(move |info: &weakref::UnraisableInfo<'_>| {
        if info.thread == me {
            r.lock().unwrap().push(info.message.to_owned());
        }
    })));
    let ran = Arc::new(Mutex::new(false));
    let o = obj();
    let flag = ran.clone();
    let _older = proxy_with_callback(&o, move |_| *flag.lock().unwrap() = true);
    let _newer = proxy_with_callback(&o, |_| panic!("proxy callback failed"));
    drop(o);
    weakref::set_unraisable_hook(None);
    assert!(*ran.lock().unwrap());
    assert_eq!(reported.lock().unwrap().len(), 1);
    assert!(reported.lock().unwrap()[0].contains("proxy callback failed"));
}
