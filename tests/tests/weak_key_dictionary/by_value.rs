//! The weak-keyed dictionary's cases that hold by value only (an equal key
//! finds the entry; `Eq` is called), for `Arc` and `Rc` keys: see
//! `weak_key_dictionary.rs`.

use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};

use weakref::{Header, Referent};

use super::cases::*;
#[allow(unused_imports)]
use super::*;

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_keyed_dict_setdefault
// (check_setdefault)
#[test]
fn weak_keyed_dict_setdefault() {
    let key = object(1);
    let mut d = WeakKeyDictionary::new();
    assert_eq!(*d.setdefault(&key, "value1"), "value1");
    assert!(d.contains_key(&key));
    assert_eq!(d.get(&key), Some(&"value1"));
    assert_eq!(*d.setdefault(&key, "value2"), "value1");
    assert_eq!(d[&key], "value1");
    // An equal key finds the stored one.
    assert_eq!(*d.setdefault(&object(1), "value3"), "value1");
    assert_eq!(d.len(), 1);
}

#[test]
fn keys_compare_by_value_and_the_stored_key_stays() {
    let (a, a2) = (object(1), object(1));
    let mut d = WeakKeyDictionary::new();
    d.insert(&a, "a");
    assert_eq!(d.insert(&a2, "a2"), Some("a"));
    assert_eq!(d.len(), 1);
    assert_eq!(getweakrefcount(&a), 1);
    assert_eq!(getweakrefcount(&a2), 0);
    assert_eq!(d[&a2], "a2");
    drop(a); // the stored key dies: the entry goes, though `a2` is equal
    assert!(d.is_empty());
    assert!(!d.contains_key(&a2));
    d.insert(&a2, "again");
    assert_eq!(d.len(), 1);
}

#[test]
fn unsized_keys() {
    trait Named: Referent + Send + Sync {
        fn name(&self) -> &str;
    }
    impl PartialEq for dyn Named {
        fn eq(&self, other: &dyn Named) -> bool {
            self.name() == other.name()
        }
    }
    impl Eq for dyn Named {}
    impl Hash for dyn Named {
        fn hash<H: Hasher>(&self, state: &mut H) {
            self.name().hash(state);
        }
    }
    #[derive(Referent)]
    struct Person(&'static str, Header);
    impl Named for Person {
        fn name(&self) -> &str {
            self.0
        }
    }
    let p: Strong<dyn Named> = Strong::new(Person("ann", Header::new()));
    let mut d: WeakKeyDictionary<dyn Named, u32> = WeakKeyDictionary::new();
    d.insert(&p, 30);
    assert_eq!(d[&*p], 30);
    let same: Strong<dyn Named> = Strong::new(Person("ann", Header::new()));
    assert_eq!(d.get(&*same), Some(&30));
    drop(p);
    assert!(d.is_empty());
}

/// A key whose `Eq` panics while `PANIC_EQ` is on.
#[derive(Referent)]
pub(super) struct Touchy {
    id: u32,
    header: Header,
}

pub(super) static PANIC_EQ: AtomicBool = AtomicBool::new(false);

impl PartialEq for Touchy {
    fn eq(&self, other: &Touchy) -> bool {
        assert!(!PANIC_EQ.load(Ordering::SeqCst), "Eq panics");
        self.id == other.id
    }
}
impl Eq for Touchy {}
impl Hash for Touchy {
    fn hash<H: Hasher>(&self, state: &mut H) {
        0u8.hash(state); // all collide: lookups call `Eq`
    }
}

#[test]
fn a_panicking_eq_leaves_the_dictionary_consistent() {
    let touchy = |id| {
        Strong::new(Touchy {
            id,
            header: Header::new(),
        })
    };
    let keys: Vec<_> = (0..4).map(touchy).collect();
    let mut d: WeakKeyDictionary<Touchy, u32> = keys.iter().map(|k| (k, k.id)).collect();
    let stranger = touchy(9);
    PANIC_EQ.store(true, Ordering::SeqCst);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        d.insert(&stranger, 9);
    }));
    std::panic::set_hook(previous);
    PANIC_EQ.store(false, Ordering::SeqCst);
    assert!(result.is_err());
    assert_eq!(d.len(), 4);
    assert!(keys.iter().all(|k| d[k] == k.id));
    drop(keys);
    assert!(d.is_empty());
    d.insert(&stranger, 9);
    assert_eq!(d.len(), 1);
}
