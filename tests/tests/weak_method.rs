//! `WeakMethod` (Python 3.4's `weakref.WeakMethod`): a method bound weakly
//! to its object (DESIGN semantics 21). CPython's test_method_dead and
//! test_callback_when_method_dead do not apply: a Rust method cannot be
//! deleted from its type. Every test runs for both flavours (`name::arc`,
//! `name::rc`: `weakref_tests::flavour`).

use std::cell::RefCell;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::rc::Rc;
use std::sync::Mutex;

use weakref::{Family, Header, Ref, ReferenceError, Referent, WeakMethod};
use weakref_tests::flavour::{Flavour, Local, ptr_eq};
use weakref_tests::{Counter, DropFlag, Obj, flavour_tests};

/// CPython's `Object`: equal and hashed by `arg`, with two methods.
#[derive(Referent, PartialEq, Eq, Hash, Debug)]
struct Object {
    arg: u32,
    header: Header,
}

impl Object {
    fn new<Fl: Flavour>(arg: u32) -> Fl::Ptr<Object> {
        Fl::new(Object {
            arg,
            header: Header::new(),
        })
    }

    fn some_method(&self, (): ()) -> u32 {
        4 + self.arg - 1
    }

    fn other_method(&self, (): ()) -> u32 {
        5 + self.arg - 1
    }
}

type Method<Fl> = WeakMethod<Object, (), u32, Fl>;

/// A method of `Object` as a function pointer. Tests comparing methods
/// reify each one once: `WeakMethod` compares methods by address, and Rust
/// does not promise that two reifications of one function are equal (under
/// Miri they differ).
type MethodFn = fn(&Object, ()) -> u32;

// CPython 3.11: test_weakref.py WeakMethodTestCase.test_alive
fn calls_the_method_on_the_live_object<Fl: Flavour>() {
    let o = Object::new::<Fl>(1);
    let some_method: MethodFn = Object::some_method;
    let r = WeakMethod::new(&o, some_method);
    assert!(r.is_alive());
    assert!(ptr_eq(&r.weakref().get().unwrap(), &o));
    assert!(std::ptr::fn_addr_eq(r.method(), some_method));
    assert_eq!(r.call(()), Ok(4));
    // A weak method is a weak reference object of its own.
    assert_eq!(Fl::getweakrefcount(&o), 1);
    assert!(!Ref::ptr_eq(r.weakref(), &Ref::new(&o)));
}
flavour_tests!(calls_the_method_on_the_live_object);

// CPython 3.11: test_weakref.py WeakMethodTestCase.test_object_dead; and
// semantics 21: the call holds a strong reference for its duration.
fn fails_once_the_object_is_dead<Fl: Flavour>() {
    let o = Object::new::<Fl>(1);
    let r = WeakMethod::new(&o, Object::some_method);
    drop(o);
    assert!(!r.is_alive());
    assert_eq!(r.call(()), Err(ReferenceError));
}
flavour_tests!(fails_once_the_object_is_dead);

/// An object whose method drops the last other strong reference to it.
#[derive(Referent)]
struct SelfDropping<Fl: Flavour> {
    slot: Mutex<Option<Fl::Ptr<SelfDropping<Fl>>>>,
    header: Header,
}

impl<Fl: Flavour> SelfDropping<Fl> {
    fn release(&self, (): ()) -> u32 {
        drop(self.slot.lock().unwrap().take()); // its own last owner
        // Still alive: the call holds a strong reference.
        self.slot.lock().unwrap().is_none().into()
    }
}

fn a_call_keeps_the_object_alive_until_it_returns<Fl: Flavour>() {
    let o = Fl::new(SelfDropping::<Fl> {
        slot: Mutex::new(None),
        header: Header::new(),
    });
    *o.slot.lock().unwrap() = Some(o.clone());
    let m = WeakMethod::new(&o, SelfDropping::release);
    drop(o);
    assert!(m.is_alive());
    assert_eq!(m.call(()), Ok(1));
    assert!(!m.is_alive(), "died when the call returned");
}
flavour_tests!(a_call_keeps_the_object_alive_until_it_returns);

// CPython 3.11: test_weakref.py WeakMethodTestCase.test_callback_when_object_dead
fn the_callback_runs_once_with_the_weak_method<Fl: Flavour>() {
    let calls: Rc<RefCell<Vec<Method<Fl>>>> = Rc::default();
    let o = Object::new::<Fl>(1);
    let c = Local::new(Rc::clone(&calls));
    let r = Fl::weak_method_with_callback(&o, Object::some_method, move |m: &Method<Fl>| {
        c.into_inner().borrow_mut().push(m.clone());
    });
    drop(o);
    let calls = calls.borrow();
    assert_eq!(calls.len(), 1);
    assert!(
        WeakMethod::ptr_eq(&calls[0], &r),
        "given the same weak method object"
    );
    assert!(!calls[0].is_alive());
}
flavour_tests!(the_callback_runs_once_with_the_weak_method);

// CPython 3.11: test_weakref.py WeakMethodTestCase.test_no_cycles: the weak
// method does not keep itself (or its callback) alive: dropping its last
// handle frees the callback.
fn dropping_the_weak_method_frees_its_callback<Fl: Flavour>() {
    let o = Object::new::<Fl>(1);
    let dropped = DropFlag::new();
    let guard = dropped.guard();
    let r = Fl::weak_method_with_callback(&o, Object::some_method, move |_: &Method<Fl>| {
        let _guard = &guard;
    });
    assert_eq!(Fl::getweakrefcount(&o), 1);
    drop(r);
    assert!(dropped.is_set());
    assert_eq!(Fl::getweakrefcount(&o), 0);
}
flavour_tests!(dropping_the_weak_method_frees_its_callback);

// CPython 3.11: test_weakref.py WeakMethodTestCase.test_equality
fn equality_is_pythons<Fl: Flavour>() {
    let (x, y) = (Object::new::<Fl>(1), Object::new::<Fl>(1));
    let (some_method, other_method): (MethodFn, MethodFn) =
        (Object::some_method, Object::other_method);
    let a = WeakMethod::new(&x, some_method);
    let b = WeakMethod::new(&y, some_method);
    let c = WeakMethod::new(&x, other_method);
    let d = WeakMethod::new(&y, other_method);
    // Objects equal, same method.
    assert!(a == b && !(a != b));
    assert!(c == d && !(c != d));
    // Objects equal, different method.
    for (p, q) in [(&a, &c), (&a, &d), (&b, &c), (&b, &d)] {
        assert!(p != q && !(p == q));
    }
    // Objects unequal, same or different method.
    let z = Object::new::<Fl>(2);
    let e = WeakMethod::new(&z, some_method);
    let f = WeakMethod::new(&z, other_method);
    for (p, q) in [(&a, &e), (&a, &f), (&b, &e), (&b, &f)] {
        assert!(p != q && !(p == q));
    }
    drop((x, y, z));
    // Dead weak methods compare by identity.
    let refs = [&a, &b, &c, &d, &e, &f];
    for q in refs {
        for r in refs {
            assert_eq!(q == r, WeakMethod::ptr_eq(q, r));
            assert_eq!(q != r, !WeakMethod::ptr_eq(q, r));
        }
    }
}
flavour_tests!(equality_is_pythons);

fn hash_of<F: Family>(m: &Method<F>) -> u64 {
    let mut h = DefaultHasher::new();
    m.hash(&mut h);
    h.finish()
}

// CPython 3.11: test_weakref.py WeakMethodTestCase.test_hashing
fn hashes_as_its_object_and_keeps_the_hash<Fl: Flavour>() {
    let (x, y) = (Object::new::<Fl>(1), Object::new::<Fl>(1));
    let a = WeakMethod::new(&x, Object::some_method);
    let b = WeakMethod::new(&y, Object::some_method);
    let c = WeakMethod::new(&y, Object::other_method);
    // Equal weak methods hash equal.
    assert_eq!(hash_of(&a), hash_of(&b));
    let ha = hash_of(&a);
    drop((x, y));
    // Dead weak methods keep their old hash.
    assert_eq!(hash_of(&a), ha);
    assert_eq!(hash_of(&b), ha);
    // Never hashed while alive: hashing a dead one fails (Python's TypeError).
    assert_eq!(c.weakref().try_hash(), Err(ReferenceError));
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| hash_of(&c)));
    assert!(panicked.is_err());
}
flavour_tests!(hashes_as_its_object_and_keeps_the_hash);

// A signal whose slots are weak methods: a slot disappears with its owner,
// and the signal never keeps owners alive.
fn signal_and_slots<Fl: Flavour>() {
    #[derive(Referent)]
    struct Label {
        text: Mutex<String>,
        header: Header,
    }
    impl Label {
        fn set_text(&self, text: String) {
            *self.text.lock().unwrap() = text;
        }
    }
    let first = Fl::new(Label {
        text: Mutex::default(),
        header: Header::new(),
    });
    let second = Fl::new(Label {
        text: Mutex::default(),
        header: Header::new(),
    });
    let mut slots = vec![
        WeakMethod::new(&first, Label::set_text),
        WeakMethod::new(&second, Label::set_text),
    ];
    let emit = |slots: &mut Vec<WeakMethod<Label, String, (), Fl>>, text: &str| {
        slots.retain(|slot| slot.call(text.to_owned()).is_ok());
    };
    emit(&mut slots, "hello");
    assert_eq!(*first.text.lock().unwrap(), "hello");
    drop(second);
    emit(&mut slots, "again");
    assert_eq!(slots.len(), 1);
    assert_eq!(*first.text.lock().unwrap(), "again");
}
flavour_tests!(signal_and_slots);

fn debug_shows_the_object_then_dead<Fl: Flavour>() {
    let o = Object::new::<Fl>(1);
    let m = WeakMethod::new(&o, Object::some_method);
    assert!(format!("{m:?}").contains("Object"), "{m:?}");
    drop(o);
    assert!(format!("{m:?}").ends_with("dead>"), "{m:?}");
}
flavour_tests!(debug_shows_the_object_then_dead);

// The same for the plain test referent and a free function as the method
// (it was the `Rc` flavour's own test before every test ran for both): the
// call, the failure after the death, the callback run once.
fn calls_then_fails_and_calls_back_once<Fl: Flavour>() {
    fn id(o: &Obj, (): ()) -> u32 {
        o.id
    }
    let calls = Counter::new();
    let o = Fl::new(Obj {
        id: 9,
        ..Obj::default()
    });
    let c = calls.clone();
    let m = Fl::weak_method_with_callback(&o, id, move |_| c.hit());
    assert_eq!(m.call(()), Ok(9));
    drop(o);
    assert_eq!(m.call(()), Err(ReferenceError));
    assert_eq!(calls.get(), 1);
}
flavour_tests!(calls_then_fails_and_calls_back_once);
