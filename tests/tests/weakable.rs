//! `Weakable<T>`: values of types one does not own (`Vec<u8>`, `String`, a
//! slice, a closure) made weakly referenceable. The Rust form of CPython's
//! note that `list` and `dict` instances become weakly referenceable through
//! a subclass (`test_basic_ref`'s `C(list)`-style objects).

use std::cmp::Ordering;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex};

use weakref::{
    Callable, CallableProxy, Proxy, Ref, ReferenceError, WeakKeyDictionary, WeakValueDictionary,
    Weakable, getweakrefcount, getweakrefs, proxy,
};

fn bytes(data: &[u8]) -> Arc<Weakable<Vec<u8>>> {
    Arc::new(Weakable::new(data.to_vec()))
}

/// A log that callbacks write to.
type Log = Arc<Mutex<Vec<&'static str>>>;

fn log() -> Log {
    Arc::new(Mutex::new(Vec::new()))
}

/// A callback that writes `name` to `log`.
fn note<T: ?Sized>(log: &Log, name: &'static str) -> impl FnOnce(&T) + Send + 'static {
    let log = log.clone();
    move |_| log.lock().unwrap().push(name)
}

#[test]
fn weak_refs_and_callbacks_work_on_a_wrapped_vec() {
    let b = bytes(&[1, 2, 3]);
    let died = log();
    let r1 = Ref::with_callback(&b, note::<Ref<Weakable<Vec<u8>>>>(&died, "r1"));
    let r2 = Ref::with_callback(&b, note::<Ref<Weakable<Vec<u8>>>>(&died, "r2"));
    let shared = Ref::new(&b);
    assert!(Ref::ptr_eq(&shared, &Ref::new(&b)));
    assert_eq!(getweakrefcount(&b), 3);
    assert_eq!(getweakrefs(&b).len(), 3);
    assert_eq!(**r1.get().unwrap(), [1, 2, 3]);
    drop(b);
    assert!(r1.get().is_none() && r2.get().is_none() && shared.get().is_none());
    assert_eq!(*died.lock().unwrap(), ["r2", "r1"]); // newest first, once each
}

#[test]
fn a_wrapped_value_is_used_through_deref() {
    let mut b = bytes(&[1]);
    Arc::get_mut(&mut b).unwrap().push(2); // DerefMut, while nothing else refers to it
    let r = Ref::new(&b);
    assert_eq!(b.len(), 2);
    assert_eq!(r.get().unwrap().iter().sum::<u8>(), 3);
    assert_eq!(AsRef::<Vec<u8>>::as_ref(&*b), &[1, 2]);
}

#[test]
fn a_clone_gets_a_fresh_header() {
    let a = bytes(&[7]);
    let _r = Ref::new(&a);
    let _c = Ref::with_callback(&a, |_| ());
    let copy = Arc::new((*a).clone());
    assert_eq!(a, copy); // equal values
    assert_eq!(getweakrefcount(&a), 2);
    assert_eq!(getweakrefcount(&copy), 0); // no weak references copied
    assert!(getweakrefs(&copy).is_empty());
    // And the two die independently.
    let r_copy = Ref::new(&copy);
    drop(a);
    assert!(r_copy.get().is_some());
}

#[test]
fn comparisons_and_hash_are_by_value_only() {
    let referenced = Arc::new(Weakable::new(String::from("b")));
    let _r = Ref::new(&referenced);
    let plain = Weakable::new(String::from("b"));
    assert_eq!(*referenced, plain);
    assert_eq!(referenced.cmp(&Arc::new(plain.clone())), Ordering::Equal);
    assert!(Weakable::new("a") < Weakable::new("b"));
    assert_eq!(
        Weakable::new(1.0).partial_cmp(&Weakable::new(f64::NAN)),
        None
    );
    assert_ne!(Weakable::new(1), Weakable::new(2));
    let state = RandomState::new();
    assert_eq!(state.hash_one(&*referenced), state.hash_one(&plain));
    // The same hash as the bare value: `Borrow<T>` lookups are sound.
    assert_eq!(state.hash_one(&plain), state.hash_one(String::from("b")));
    let mut sorted = [Weakable::new(3), Weakable::new(1), Weakable::new(2)];
    sorted.sort();
    assert_eq!(sorted.iter().map(|w| **w).collect::<Vec<_>>(), [1, 2, 3]);
}

#[test]
fn into_inner_gives_the_value_back() {
    assert_eq!(Weakable::new(vec![1, 2]).into_inner(), [1, 2]);
    // Moved out of its `Arc`: its weak refs are dead, and their callbacks
    // have run by the time the header is dropped in `into_inner`.
    let b = bytes(&[9]);
    let died = log();
    let r = Ref::with_callback(&b, note::<Ref<Weakable<Vec<u8>>>>(&died, "r"));
    let w = Arc::into_inner(b).unwrap();
    assert!(r.get().is_none());
    assert_eq!(w.into_inner(), [9]);
    assert_eq!(*died.lock().unwrap(), ["r"]);
}

#[test]
fn a_wrapped_value_is_a_weak_value_dictionary_value() {
    let mut cache: WeakValueDictionary<String, Weakable<Vec<u8>>> = WeakValueDictionary::new();
    let a = bytes(b"aaa");
    let b = bytes(b"bb");
    cache.insert("a".to_owned(), &a);
    cache.insert("b".to_owned(), &b);
    assert_eq!(cache.len(), 2);
    assert!(Arc::ptr_eq(&cache.get("a").unwrap(), &a));
    assert_eq!(cache.get("b").unwrap().len(), 2);
    drop(a);
    assert!(!cache.contains_key("a"));
    assert_eq!(cache.len(), 1);
    let made = cache.get_or_insert_with("c".to_owned(), || bytes(b"c"));
    assert_eq!(**made, *b"c");
    assert_eq!(cache.len(), 2);
}

#[test]
fn a_wrapped_value_is_a_weak_key_dictionary_key() {
    let mut counts: WeakKeyDictionary<Weakable<String>, u32> = WeakKeyDictionary::new();
    let alice = Arc::new(Weakable::new(String::from("alice")));
    let bob = Arc::new(Weakable::new(String::from("bob")));
    counts.insert(&alice, 1);
    counts.insert(&bob, 2);
    // Keys compare by value: an equal, unrelated `Weakable` finds the entry.
    assert_eq!(counts.get(&Weakable::new(String::from("alice"))), Some(&1));
    assert!(counts.contains_key(&bob));
    // Inserting an equal key keeps the stored key and replaces the value.
    let alice_again = Arc::new(Weakable::new(String::from("alice")));
    assert_eq!(counts.insert(&alice_again, 10), Some(1));
    assert_eq!(counts.len(), 2);
    drop(alice_again);
    assert_eq!(counts.get(&alice), Some(&10));
    drop(alice);
    assert_eq!(counts.len(), 1);
    assert!(!counts.contains_key(&Weakable::new(String::from("alice"))));
}

#[test]
fn unsized_values_can_be_wrapped() {
    let slice: Arc<Weakable<[u8]>> = Arc::new(Weakable::new([1, 2, 3]));
    let r = Ref::new(&slice);
    assert_eq!(&r.get().unwrap()[..], &[1, 2, 3]);
    assert_eq!(format!("{:?}", &*slice), "Weakable([1, 2, 3])");

    let f: Arc<Weakable<dyn Fn(u8) -> u8 + Send + Sync>> = Arc::new(Weakable::new(|x| x + 1));
    let r = Ref::new(&f);
    assert_eq!((r.get().unwrap())(1), 2);
    drop(f);
    assert!(r.get().is_none());
}

#[test]
fn proxies_of_a_wrapped_value_forward() {
    let text = Arc::new(Weakable::new(String::from("hi")));
    let p: Proxy<Weakable<String>> = proxy(&text);
    assert_eq!(p.with(|s| s.len()), Ok(2));
    assert_eq!(p.to_string(), "hi"); // Display is the value's
    assert!(p == Weakable::new(String::from("hi")));
    drop(text);
    assert_eq!(p.with(|s| s.len()), Err(ReferenceError));

    // A wrapped callable: `proxy()` gives a plain proxy (it cannot ask
    // whether `T` is callable), `CallableProxy::new` a callable one.
    struct Double;
    impl Callable for Double {
        type Args = i32;
        type Output = i32;
        fn call(&self, x: i32) -> i32 {
            2 * x
        }
    }
    let double = Arc::new(Weakable::new(Double));
    let p = CallableProxy::new(&double);
    assert_eq!(p.call(21), Ok(42));
    drop(double);
    assert_eq!(p.call(21), Err(ReferenceError));
}

#[test]
fn debug_display_default_and_from() {
    assert_eq!(format!("{:?}", Weakable::new("x")), "Weakable(\"x\")");
    assert_eq!(format!("{:#?}", Weakable::new(1)), "Weakable(\n    1,\n)");
    assert_eq!(format!("{:05}", Weakable::new(42)), "00042");
    let d: Weakable<Vec<u8>> = Weakable::default();
    assert!(d.is_empty());
    let f: Weakable<&str> = "from".into();
    assert_eq!(*f, "from");
}

#[test]
fn weakable_is_send_and_sync_when_its_value_is() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Weakable<Vec<u8>>>();
    send_sync::<Ref<Weakable<String>>>();
    send_sync::<WeakValueDictionary<String, Weakable<Vec<u8>>>>();
}
