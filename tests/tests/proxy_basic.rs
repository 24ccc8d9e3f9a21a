//! Weak proxies: creation, sharing, access, the proxy types, `Debug`.
//! Ported from CPython's `test_weakref.ReferencesTestCase` (each test names
//! the case it ports). The tests run for both flavours (`name::arc`,
//! `name::rc`: `weakref_tests::flavour`), except the one about `Send`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use weakref::{
    AnyProxy, Callable, CallableProxy, CallableProxyType, Function, Header, Proxy, ProxyOf,
    ProxyType, Ref, ReferenceError, Referent, is_proxy,
};
use weakref_tests::flavour::{Flavour, ptr_eq};
use weakref_tests::flavour_tests;

/// A Python-style object: attributes in a dictionary, and a list payload.
#[derive(Referent, Default)]
struct Object {
    attrs: Mutex<HashMap<&'static str, i64>>,
    items: Mutex<Vec<i64>>,
    header: Header,
}

fn object<Fl: Flavour>() -> Fl::Ptr<Object> {
    Fl::new(Object::default())
}

/// A callable object (Python: a class with `__call__`).
#[derive(Referent)]
#[referent(callable)]
struct Adder {
    base: i64,
    header: Header,
}

impl Callable for Adder {
    type Args = (i64, i64);
    type Output = i64;
    fn call(&self, (a, b): (i64, i64)) -> i64 {
        self.base + a + b
    }
}

/// `P::CALLABLE`, read from a value: which proxy type `proxy` returned.
fn is_callable_proxy<P: AnyProxy>(_: &P) -> bool {
    P::CALLABLE
}

// CPython 3.11: test_weakref.py ReferencesTestCase.test_proxy_ref
// Two proxies with callbacks; using a dead one fails with
// ReferenceError; a proxy to an object that dies at once is dead; both
// callbacks are called.
fn dead_proxy_fails_and_both_callbacks_run<Fl: Flavour>() {
    let calls = Arc::new(AtomicUsize::new(0));
    let o = object::<Fl>();
    let (c1, c2) = (calls.clone(), calls.clone());
    let p1 = Fl::proxy_with_callback(&o, move |_: &Proxy<Object, Fl>| {
        c1.fetch_add(1, Ordering::SeqCst);
    });
    let p2 = Fl::proxy_with_callback(&o, move |_: &Proxy<Object, Fl>| {
        c2.fetch_add(1, Ordering::SeqCst);
    });
    assert!(
        !Proxy::ptr_eq(&p1, &p2),
        "a proxy with a callback is never shared"
    );
    assert_eq!(p1.with(|o| o.items.lock().unwrap().len()), Ok(0));
    drop(o);
    assert_eq!(
        p1.with(|o| o.attrs.lock().unwrap().len()),
        Err(ReferenceError)
    );
    assert_eq!(p2.get().err(), Some(ReferenceError));
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // `bool(proxy(C()))`: the object dies at the end of the statement.
    let p = Fl::proxy(&object::<Fl>());
    assert!(!p.is_alive());
    assert_eq!(
        p.with(|o| o.items.lock().unwrap().is_empty()),
        Err(ReferenceError)
    );
}
flavour_tests!(dead_proxy_fails_and_both_callbacks_run);

// CPython 3.11: test_weakref.py ReferencesTestCase.test_proxy_reuse
// `proxy(o) is proxy(o)`, even with a ref in between; the
// shared proxy is not the shared ref.
fn proxy_is_shared_and_distinct_from_the_shared_ref<Fl: Flavour>() {
    let o = object::<Fl>();
    let p1 = Fl::proxy(&o);
    let r = Ref::new(&o);
    let p2 = Fl::proxy(&o);
    assert!(Proxy::ptr_eq(&p1, &p2));
    assert!(Ref::ptr_eq(p1.weakref(), p2.weakref()));
    assert!(!Ref::ptr_eq(p1.weakref(), &r));
    assert!(Ref::ptr_eq(&r, &Ref::new(&o)));
    assert_eq!(Fl::getweakrefcount(&o), 2);
}
flavour_tests!(proxy_is_shared_and_distinct_from_the_shared_ref);

// CPython 3.11: test_weakref.py ReferencesTestCase.test_shared_proxy_without_callback
// Every callback-less way to make a
// proxy gives the same one; a callback always gives a new one.
fn callback_less_proxies_are_one_object<Fl: Flavour>() {
    let o = object::<Fl>();
    let a = Fl::proxy(&o);
    let b = Proxy::new(&o);
    let c = a.clone();
    assert!(Proxy::ptr_eq(&a, &b) && Proxy::ptr_eq(&a, &c));
    let with_cb = Fl::proxy_with_callback(&o, |_| ());
    assert!(!Proxy::ptr_eq(&a, &with_cb));
    assert!(!Proxy::ptr_eq(
        &with_cb,
        &Fl::proxy_with_callback(&o, |_| ())
    ));

    // A callable object's shared proxy is one weak reference object, whichever
    // proxy type it is seen through.
    let f = Fl::new(Adder {
        base: 0,
        header: Header::new(),
    });
    let callable = Fl::proxy(&f);
    let plain = Proxy::new(&f);
    assert!(Ref::ptr_eq(callable.weakref(), plain.weakref()));
    assert!(CallableProxy::ptr_eq(&callable, &CallableProxy::new(&f)));
    assert_eq!(Fl::getweakrefcount(&f), 1);
}
flavour_tests!(callback_less_proxies_are_one_object);

// CPython 3.11: test_weakref.py ReferencesTestCase.test_basic_proxy
// (check_proxy): attribute get/set/delete and method calls
// forward both ways; `len`, `in`, item get/set, `p == p2` compares referents.
fn with_forwards_attribute_access_and_method_calls<Fl: Flavour>() {
    let o = object::<Fl>();
    let p = Fl::proxy(&o);
    // p.foo = 1; o.foo == 1
    p.with(|o| o.attrs.lock().unwrap().insert("foo", 1))
        .unwrap();
    assert_eq!(o.attrs.lock().unwrap()["foo"], 1);
    // o.bar = 2; p.bar == 2
    o.attrs.lock().unwrap().insert("bar", 2);
    assert_eq!(p.with(|o| o.attrs.lock().unwrap()["bar"]), Ok(2));
    // del p.foo; "foo" not in o
    p.with(|o| o.attrs.lock().unwrap().remove("foo")).unwrap();
    assert!(!o.attrs.lock().unwrap().contains_key("foo"));

    // A container: append, len, in, item set and get, slicing.
    p.with(|o| o.items.lock().unwrap().extend([1, 2, 3]))
        .unwrap();
    assert_eq!(p.with(|o| o.items.lock().unwrap().len()), Ok(3));
    assert_eq!(p.with(|o| o.items.lock().unwrap().contains(&2)), Ok(true));
    p.with(|o| o.items.lock().unwrap()[1] = 5).unwrap();
    assert_eq!(p.with(|o| o.items.lock().unwrap()[1]), Ok(5));
    assert_eq!(
        p.with(|o| o.items.lock().unwrap()[1..].to_vec()),
        Ok(vec![5, 3])
    );
    assert_eq!(*o.items.lock().unwrap(), [1, 5, 3]);

    // get() gives the referent itself.
    assert!(ptr_eq(&p.get().unwrap(), &o));
}
flavour_tests!(with_forwards_attribute_access_and_method_calls);

// CPython 3.11: test_weakref.py ReferencesTestCase.test_proxy_bool
// `bool(proxy(x)) == bool(x)`; a dead proxy is not falsy,
// it fails.
fn truthiness_forwards_and_a_dead_proxy_is_not_falsy<Fl: Flavour>() {
    let o = object::<Fl>();
    let p = Fl::proxy(&o);
    let is_empty = |p: &Proxy<Object, Fl>| p.with(|o| o.items.lock().unwrap().is_empty());
    assert_eq!(is_empty(&p), Ok(true));
    o.items.lock().unwrap().push(1);
    assert_eq!(is_empty(&p), Ok(false));
    drop(o);
    assert_eq!(is_empty(&p), Err(ReferenceError));
}
flavour_tests!(truthiness_forwards_and_a_dead_proxy_is_not_falsy);

// CPython 3.11: test_weakref.py ReferencesTestCase.test_callable_proxy
// The proxy of a callable object is a CallableProxy and
// forwards calls with their arguments; other objects get a plain Proxy.
fn callable_objects_get_callable_proxies<Fl: Flavour>() {
    let f = Fl::new(Adder {
        base: 100,
        header: Header::new(),
    });
    let p: CallableProxyType<Adder, Fl> = Fl::proxy(&f);
    assert!(is_callable_proxy(&p));
    assert_eq!(p.call((1, 2)), Ok(103));
    assert_eq!(p.with(|f| f.base), Ok(100));
    let with_cb: CallableProxy<Adder, Fl> =
        Fl::proxy_with_callback(&f, |p: &CallableProxy<Adder, Fl>| {
            assert_eq!(p.call((0, 0)), Err(ReferenceError));
        });
    assert_eq!(with_cb.call((0, -100)), Ok(0));

    let o = object::<Fl>();
    let plain: ProxyType<Object, Fl> = Fl::proxy(&o);
    assert!(!is_callable_proxy(&plain));
    assert!(!is_callable_proxy(&Fl::proxy_with_callback(&o, |_| ())));

    drop(f);
    assert_eq!(p.call((1, 2)), Err(ReferenceError));
    assert_eq!(with_cb.call((1, 2)), Err(ReferenceError));
}
flavour_tests!(callable_objects_get_callable_proxies);

// CPython 3.11: test_weakref.py ReferencesTestCase.test_basic_ref
// (its `create_function` part; test_callable_proxy with a function): functions are
// weakly referenceable and their proxies are callable.
fn functions_are_weakly_referenceable_and_callable_through_proxies<Fl: Flavour>() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let f = Fl::new(Function::new(move |s: String| {
        counter.fetch_add(1, Ordering::SeqCst);
        s.len()
    }));
    let r = Ref::new(&f);
    let p: ProxyOf<Function<String, usize>, Fl> = Fl::proxy(&f);
    let _: &CallableProxy<Function<String, usize>, Fl> = &p;
    assert_eq!(r.get().unwrap().call("abc".into()), 3);
    assert_eq!(p.call("hello".into()), Ok(5));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(Fl::getweakrefcount(&f), 2);
    assert!(format!("{:?}", *f).starts_with("<function "));
    drop(f);
    assert!(r.get().is_none());
    assert_eq!(p.call("x".into()), Err(ReferenceError));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}
flavour_tests!(functions_are_weakly_referenceable_and_callable_through_proxies);

// ProxyTypes: both proxy types and nothing else.
fn proxy_types_are_the_two_proxy_types<Fl: Flavour>() {
    let o = object::<Fl>();
    let f = Fl::new(Function::new(|x: i32| x));
    assert!(is_proxy::<Object>(&Fl::proxy(&o)));
    assert!(is_proxy::<Function<i32, i32>>(&Fl::proxy(&f)));
    assert!(is_proxy::<Function<i32, i32>>(&Proxy::new(&f)));
    assert!(!is_proxy::<Object>(&Ref::new(&o)));
    assert!(!is_proxy::<Object>(&o));
    assert!(!is_proxy::<Object>(&Fl::proxy(&f)));
    const { assert!(CallableProxy::<Function<i32, i32>, Fl>::CALLABLE) };
    const { assert!(!Proxy::<Function<i32, i32>, Fl>::CALLABLE) };
}
flavour_tests!(proxy_types_are_the_two_proxy_types);

/// The two addresses in a proxy's `Debug`: its own and its referent's.
fn addresses(repr: &str) -> Vec<&str> {
    repr.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| word.starts_with("0x"))
        .collect()
}

// CPython 3.13: test_weakref.py ReferencesTestCase.test_proxy_repr (not in
// 3.11): `<weakproxy at 0x..; to 'Type' at 0x..>`, then
// `<weakproxy at 0x..; dead>`; formatting never fails or panics.
fn debug_shows_the_referent_then_dead<Fl: Flavour>() {
    let o = object::<Fl>();
    let p = Fl::proxy(&o);
    let alive = format!("{p:?}");
    assert!(alive.starts_with("<weakproxy at 0x"), "{alive}");
    assert!(
        alive.contains(&format!("; to '{}' at ", std::any::type_name::<Object>())),
        "{alive}"
    );
    assert!(alive.ends_with('>'), "{alive}");
    let [own, referent] = addresses(&alive)[..] else {
        panic!("two addresses expected: {alive}");
    };
    assert_eq!(referent, format!("{:p}", std::ptr::from_ref::<Object>(&o)));

    let f = Fl::new(Function::new(|()| ()));
    let callable = format!("{:?}", Fl::proxy(&f));
    assert!(callable.starts_with("<weakproxy at 0x"), "{callable}");
    assert!(callable.contains("Function<(), ()>"), "{callable}");

    drop(o);
    let dead = format!("{p:?}");
    assert_eq!(dead, format!("<weakproxy at {own}; dead>"));
    assert_eq!(
        format!("{:?}", p.weakref()),
        format!("<weakref at {own}; dead>")
    );
}
flavour_tests!(debug_shows_the_referent_then_dead);

// Proxies are Send + Sync when the referent is (through their weak reference).
// (`Arc` only: `rc` proxies are neither, ui/fail/rc-proxy-not-send.rs.)
#[test]
fn proxies_are_send_and_sync_for_send_sync_referents() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Proxy<Object>>();
    send_sync::<CallableProxy<Adder>>();
    send_sync::<ProxyOf<Function<i32, i32>>>();
}

// Semantics 3: a proxy whose every handle was dropped before its referent
// never has its callback called, and is no longer counted.
fn dropped_proxy_never_calls_back_and_is_not_counted<Fl: Flavour>() {
    let o = object::<Fl>();
    let p = Fl::proxy_with_callback(&o, |_| panic!("must not run"));
    let clone = p.clone();
    assert_eq!(Fl::getweakrefcount(&o), 1);
    drop(p);
    assert_eq!(Fl::getweakrefcount(&o), 1, "a clone keeps the proxy");
    drop(clone);
    assert_eq!(Fl::getweakrefcount(&o), 0);
    drop(o);
}
flavour_tests!(dropped_proxy_never_calls_back_and_is_not_counted);
