//! `WeakMethod` (Python 3.4's `weakref.WeakMethod`): a method bound weakly
//! to its object (DESIGN semantics 21). CPython's test_method_dead and
//! test_callback_when_method_dead do not apply: a Rust method cannot be
//! deleted from its type.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use weakref::{Header, Ref, ReferenceError, Referent, WeakMethod, getweakrefcount};
use weakref_tests::DropFlag;

/// CPython's `Object`: equal and hashed by `arg`, with two methods.
#[derive(Referent, PartialEq, Eq, Hash, Debug)]
struct Object {
    arg: u32,
    header: Header,
}

impl Object {
    fn new(arg: u32) -> Arc<Object> {
        Arc::new(Object {
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

type Method = WeakMethod<Object, (), u32>;

// CPython 3.11: test_weakref.py WeakMethodTestCase.test_alive
#[test]
fn calls_the_method_on_the_live_object() {
    let o = Object::new(1);
    let r = WeakMethod::new(&o, Object::some_method);
    assert!(r.is_alive());
    assert!(Arc::ptr_eq(&r.weakref().get().unwrap(), &o));
    // A function's address is not unique in Rust (Miri gives each function
    // pointer its own), so identity of methods is checked natively only.
    if !cfg!(miri) {
        assert!(std::ptr::fn_addr_eq(
            r.method(),
            Object::some_method as fn(&Object, ()) -> u32
        ));
    }
    assert_eq!(r.call(()), Ok(4));
    // A weak method is a weak reference object of its own.
    assert_eq!(getweakrefcount(&o), 1);
    assert!(!Ref::ptr_eq(r.weakref(), &Ref::new(&o)));
}

// CPython 3.11: test_weakref.py WeakMethodTestCase.test_object_dead; and
// semantics 21: the call holds a strong reference for its duration.
#[test]
fn fails_once_the_object_is_dead() {
    let o = Object::new(1);
    let r = WeakMethod::new(&o, Object::some_method);
    drop(o);
    assert!(!r.is_alive());
    assert_eq!(r.call(()), Err(ReferenceError));
}

/// An object whose method drops the last other strong reference to it.
#[derive(Referent)]
struct SelfDropping {
    slot: Mutex<Option<Arc<SelfDropping>>>,
    header: Header,
}

impl SelfDropping {
    fn release(&self, (): ()) -> u32 {
        drop(self.slot.lock().unwrap().take()); // its own last owner
        // Still alive: the call holds a strong reference.
        self.slot.lock().unwrap().is_none().into()
    }
}

#[test]
fn a_call_keeps_the_object_alive_until_it_returns() {
    let o = Arc::new(SelfDropping {
        slot: Mutex::new(None),
        header: Header::new(),
    });
    *o.slot.lock().unwrap() = Some(Arc::clone(&o));
    let m = WeakMethod::new(&o, SelfDropping::release);
    drop(o);
    assert!(m.is_alive());
    assert_eq!(m.call(()), Ok(1));
    assert!(!m.is_alive(), "died when the call returned");
}

// CPython 3.11: test_weakref.py WeakMethodTestCase.test_callback_when_object_dead
#[test]
fn the_callback_runs_once_with_the_weak_method() {
    let calls: Arc<Mutex<Vec<Method>>> = Arc::default();
    let o = Object::new(1);
    let c = Arc::clone(&calls);
    let r = WeakMethod::with_callback(&o, Object::some_method, move |m: &Method| {
        c.lock().unwrap().push(m.clone());
    });
    drop(o);
    let calls = calls.lock().unwrap();
    assert_eq!(calls.len(), 1);
    assert!(
        WeakMethod::ptr_eq(&calls[0], &r),
        "given the same weak method object"
    );
    assert!(!calls[0].is_alive());
}

// CPython 3.11: test_weakref.py WeakMethodTestCase.test_no_cycles: the weak
// method does not keep itself (or its callback) alive: dropping its last
// handle frees the callback.
#[test]
fn dropping_the_weak_method_frees_its_callback() {
    let o = Object::new(1);
    let dropped = DropFlag::new();
    let guard = dropped.guard();
    let r = WeakMethod::with_callback(&o, Object::some_method, move |_: &Method| {
        let _guard = &guard;
    });
    assert_eq!(getweakrefcount(&o), 1);
    drop(r);
    assert!(dropped.is_set());
    assert_eq!(getweakrefcount(&o), 0);
}

// CPython 3.11: test_weakref.py WeakMethodTestCase.test_equality
#[test]
fn equality_is_pythons() {
    let (x, y) = (Object::new(1), Object::new(1));
    let a = WeakMethod::new(&x, Object::some_method);
    let b = WeakMethod::new(&y, Object::some_method);
    let c = WeakMethod::new(&x, Object::other_method);
    let d = WeakMethod::new(&y, Object::other_method);
    // Objects equal, same method (the same function pointer: not unique
    // under Miri, which gives each function pointer its own address).
    if !cfg!(miri) {
        assert!(a == b && !(a != b));
        assert!(c == d && !(c != d));
    }
    // Objects equal, different method.
    for (p, q) in [(&a, &c), (&a, &d), (&b, &c), (&b, &d)] {
        assert!(p != q && !(p == q));
    }
    // Objects unequal, same or different method.
    let z = Object::new(2);
    let e = WeakMethod::new(&z, Object::some_method);
    let f = WeakMethod::new(&z, Object::other_method);
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

fn hash_of(m: &Method) -> u64 {
    let mut h = DefaultHasher::new();
    m.hash(&mut h);
    h.finish()
}

// CPython 3.11: test_weakref.py WeakMethodTestCase.test_hashing
#[test]
fn hashes_as_its_object_and_keeps_the_hash() {
    let (x, y) = (Object::new(1), Object::new(1));
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
    let panicked = std::panic::catch_unwind(|| hash_of(&c));
    assert!(panicked.is_err());
}

// A signal whose slots are weak methods: a slot disappears with its owner,
// and the signal never keeps owners alive.
#[test]
fn signal_and_slots() {
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
    let first = Arc::new(Label {
        text: Mutex::default(),
        header: Header::new(),
    });
    let second = Arc::new(Label {
        text: Mutex::default(),
        header: Header::new(),
    });
    let mut slots = vec![
        WeakMethod::new(&first, Label::set_text),
        WeakMethod::new(&second, Label::set_text),
    ];
    let emit = |slots: &mut Vec<WeakMethod<Label, String, ()>>, text: &str| {
        slots.retain(|slot| slot.call(text.to_owned()).is_ok());
    };
    emit(&mut slots, "hello");
    assert_eq!(*first.text.lock().unwrap(), "hello");
    drop(second);
    emit(&mut slots, "again");
    assert_eq!(slots.len(), 1);
    assert_eq!(*first.text.lock().unwrap(), "again");
}

#[test]
fn debug_shows_the_object_then_dead() {
    let o = Object::new(1);
    let m = WeakMethod::new(&o, Object::some_method);
    assert!(format!("{m:?}").contains("Object"), "{m:?}");
    drop(o);
    assert!(format!("{m:?}").ends_with("dead>"), "{m:?}");
}

mod rc_flavour {
    use std::cell::Cell;
    use std::rc::Rc;

    use weakref::{ReferenceError, rc};
    use weakref_tests::Obj;

    fn id(o: &Obj, (): ()) -> u32 {
        o.id
    }

    // The same for `Rc` objects, with a callback that is not `Send`.
    #[test]
    fn calls_then_fails_and_calls_back_once() {
        let calls = Rc::new(Cell::new(0));
        let o = Rc::new(Obj {
            id: 9,
            ..Obj::default()
        });
        let c = Rc::clone(&calls);
        let m = rc::WeakMethod::with_callback(&o, id, move |_| c.set(c.get() + 1));
        assert_eq!(m.call(()), Ok(9));
        drop(o);
        assert_eq!(m.call(()), Err(ReferenceError));
        assert_eq!(calls.get(), 1);
    }
}
