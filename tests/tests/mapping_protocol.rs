//! The generic mapping protocol (CPython's Lib/test/mapping_tests.py,
//! `BasicTestMappingProtocol`) run against both weak dictionaries, as
//! CPython 3.11's `WeakKeyDictionaryTestCase` and
//! `WeakValueDictionaryTestCase` do. One body per protocol test, generic
//! over a small adapter (`Mapping`); each dictionary's module below names the
//! CPython test each function ports. The protocol's arity and `TypeError`
//! checks (`d.keys(None)`, `d.get()`, `d.update(42)`, `d.update([(1, 2, 3)])`)
//! do not apply: the compiler does them.
//!
//! Where the protocol reads `self.reference` (a plain dict) CPython tests the
//! dict, not the weak dictionary (`test_keys`, `test_getitem`, `test_get`);
//! the ports read the weak dictionary filled from it.

use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use weakref::{Header, Referent, WeakKeyDictionary, WeakValueDictionary};

/// CPython's `Object(arg)`: equal and hashed by `arg`.
#[derive(Referent, Debug, PartialEq, Eq, Hash)]
struct Object {
    arg: &'static str,
    header: Header,
}

fn object(arg: &'static str) -> Arc<Object> {
    Arc::new(Object {
        arg,
        header: Header::new(),
    })
}

/// What the protocol asks of a mapping (`p[k] = v`, `p[k]`, `k in p`, ...),
/// with keys and values as the caller holds them (an `Arc` for the weak
/// side, so that the caller keeps the referent alive).
trait Mapping: Default + Clone + PartialEq + Debug {
    type K: Clone + PartialEq + Debug;
    type V: Clone + PartialEq + Debug;
    /// CPython's `_reference()`: three pairs.
    fn reference() -> Vec<(Self::K, Self::V)>;
    fn set(&mut self, k: &Self::K, v: &Self::V);
    fn item(&self, k: &Self::K) -> Option<Self::V>;
    fn has(&self, k: &Self::K) -> bool;
    fn pop(&mut self, k: &Self::K) -> Option<Self::V>;
    fn setdefault(&mut self, k: &Self::K, v: &Self::V) -> Self::V;
    fn popitem(&mut self) -> Option<(Self::K, Self::V)>;
    fn update(&mut self, pairs: impl IntoIterator<Item = (Self::K, Self::V)>);
    fn clear(&mut self);
    fn keys(&self) -> Vec<Self::K>;
    fn values(&self) -> Vec<Self::V>;
    fn items(&self) -> Vec<(Self::K, Self::V)>;
    /// `iter(d)`: the keys, through `IntoIterator for &D`.
    fn iter_keys(&self) -> Vec<Self::K>;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool;
}

type Wkd = WeakKeyDictionary<Object, u32>;
type Wvd = WeakValueDictionary<&'static str, Object>;

impl Mapping for Wkd {
    type K = Arc<Object>;
    type V = u32;
    fn reference() -> Vec<(Arc<Object>, u32)> {
        vec![
            (object("key1"), 1),
            (object("key2"), 2),
            (object("key3"), 3),
        ]
    }
    fn set(&mut self, k: &Arc<Object>, v: &u32) {
        self.insert(k, *v);
    }
    fn item(&self, k: &Arc<Object>) -> Option<u32> {
        self.get(k).copied()
    }
    fn has(&self, k: &Arc<Object>) -> bool {
        self.contains_key(k)
    }
    fn pop(&mut self, k: &Arc<Object>) -> Option<u32> {
        self.remove(k)
    }
    fn setdefault(&mut self, k: &Arc<Object>, v: &u32) -> u32 {
        *WeakKeyDictionary::setdefault(self, k, *v)
    }
    fn popitem(&mut self) -> Option<(Arc<Object>, u32)> {
        WeakKeyDictionary::popitem(self)
    }
    fn update(&mut self, pairs: impl IntoIterator<Item = (Arc<Object>, u32)>) {
        self.extend(pairs);
    }
    fn clear(&mut self) {
        WeakKeyDictionary::clear(self);
    }
    fn keys(&self) -> Vec<Arc<Object>> {
        WeakKeyDictionary::keys(self).collect()
    }
    fn values(&self) -> Vec<u32> {
        WeakKeyDictionary::values(self).copied().collect()
    }
    fn items(&self) -> Vec<(Arc<Object>, u32)> {
        self.iter().map(|(k, v)| (k, *v)).collect()
    }
    fn iter_keys(&self) -> Vec<Arc<Object>> {
        self.into_iter().map(|(k, _)| k).collect()
    }
    fn len(&self) -> usize {
        WeakKeyDictionary::len(self)
    }
    fn is_empty(&self) -> bool {
        WeakKeyDictionary::is_empty(self)
    }
}

impl Mapping for Wvd {
    type K = &'static str;
    type V = Arc<Object>;
    fn reference() -> Vec<(&'static str, Arc<Object>)> {
        vec![
            ("key1", object("1")),
            ("key2", object("2")),
            ("key3", object("3")),
        ]
    }
    fn set(&mut self, k: &&'static str, v: &Arc<Object>) {
        self.insert(*k, v);
    }
    fn item(&self, k: &&'static str) -> Option<Arc<Object>> {
        self.get(*k)
    }
    fn has(&self, k: &&'static str) -> bool {
        self.contains_key(*k)
    }
    fn pop(&mut self, k: &&'static str) -> Option<Arc<Object>> {
        self.remove(*k)
    }
    fn setdefault(&mut self, k: &&'static str, v: &Arc<Object>) -> Arc<Object> {
        WeakValueDictionary::setdefault(self, *k, v)
    }
    fn popitem(&mut self) -> Option<(&'static str, Arc<Object>)> {
        WeakValueDictionary::popitem(self)
    }
    fn update(&mut self, pairs: impl IntoIterator<Item = (&'static str, Arc<Object>)>) {
        self.extend(pairs);
    }
    fn clear(&mut self) {
        WeakValueDictionary::clear(self);
    }
    fn keys(&self) -> Vec<&'static str> {
        WeakValueDictionary::keys(self).copied().collect()
    }
    fn values(&self) -> Vec<Arc<Object>> {
        WeakValueDictionary::values(self).collect()
    }
    fn items(&self) -> Vec<(&'static str, Arc<Object>)> {
        self.iter().map(|(k, v)| (*k, v)).collect()
    }
    fn iter_keys(&self) -> Vec<&'static str> {
        self.into_iter().map(|(k, _)| *k).collect()
    }
    fn len(&self) -> usize {
        WeakValueDictionary::len(self)
    }
    fn is_empty(&self) -> bool {
        WeakValueDictionary::is_empty(self)
    }
}

/// `set(a) == set(b)` for the few elements here (no `Hash` needed).
fn same_elements<T: PartialEq + Debug>(a: &[T], b: &[T]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x)) && b.iter().all(|x| a.contains(x))
}

/// CPython's `BasicTestMappingProtocol.__init__`: `reference` keeps two
/// pairs, `other` is a pair not in the mapping, `inmapping` one that is.
/// The fixture holds the only strong references to the referents.
struct Fixture<M: Mapping> {
    reference: Vec<(M::K, M::V)>,
    other: (M::K, M::V),
    inmapping: (M::K, M::V),
}

fn fixture<M: Mapping>() -> Fixture<M> {
    let mut reference = M::reference();
    let other = reference.pop().expect("three pairs");
    let inmapping = reference.last().expect("two pairs").clone();
    Fixture {
        reference,
        other,
        inmapping,
    }
}

/// `_full_mapping(data)`.
fn full<M: Mapping>(data: &[(M::K, M::V)]) -> M {
    let mut x = M::default();
    for (key, value) in data {
        x.set(key, value);
    }
    x
}

/// `reference[key]`.
fn lookup<M: Mapping>(reference: &[(M::K, M::V)], key: &M::K) -> M::V {
    reference
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .expect("a reference key")
}

/// The panic message of `f`, which must panic.
fn panics_with(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("a panic");
    payload
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .expect("a string message")
}

// Test for read only operations on mapping.
fn read<M: Mapping>() {
    let f = fixture::<M>();
    let p = M::default();
    let d: M = full(&f.reference);
    // Indexing
    for (key, value) in &f.reference {
        assert_eq!(d.item(key).as_ref(), Some(value));
    }
    let knownkey = &f.other.0;
    assert_eq!(d.item(knownkey), None);
    // len
    assert_eq!(p.len(), 0);
    assert_eq!(d.len(), f.reference.len());
    // __contains__
    for (k, _) in &f.reference {
        assert!(d.has(k));
    }
    assert!(!d.has(&f.other.0));
    // cmp
    assert!(p == p.clone());
    assert!(d == d.clone());
    assert!(p != d);
    assert!(d != p);
    // bool
    assert!(p.is_empty(), "Empty mapping must compare to False");
    assert!(!d.is_empty(), "Full mapping must compare to True");
    // keys(), items(), iter(d), values()
    let ref_keys: Vec<M::K> = f.reference.iter().map(|(k, _)| k.clone()).collect();
    let ref_values: Vec<M::V> = f.reference.iter().map(|(_, v)| v.clone()).collect();
    assert!(same_elements(&d.keys(), &ref_keys));
    assert!(same_elements(&d.iter_keys(), &ref_keys));
    assert!(same_elements(&d.values(), &ref_values));
    assert!(same_elements(&d.items(), &f.reference));
    // get
    let (key, value) = d.items().into_iter().next().expect("an item");
    let (knownkey, knownvalue) = &f.other;
    assert_eq!(d.item(&key).unwrap_or_else(|| knownvalue.clone()), value);
    assert_eq!(
        d.item(knownkey).unwrap_or_else(|| knownvalue.clone()),
        *knownvalue
    );
    assert!(!d.has(knownkey));
}

// Test for write operations on mapping.
fn write<M: Mapping>() {
    let f = fixture::<M>();
    let mut p = M::default();
    // Indexing
    for (key, value) in &f.reference {
        p.set(key, value);
        assert_eq!(p.item(key).as_ref(), Some(value));
    }
    for (key, _) in &f.reference {
        assert!(p.pop(key).is_some()); // del p[key]
        assert_eq!(p.item(key), None);
    }
    // update
    let mut p = M::default();
    p.update(f.reference.iter().cloned());
    assert!(same_elements(&p.items(), &f.reference));
    let items = p.items();
    let mut p = M::default();
    p.update(items);
    assert!(same_elements(&p.items(), &f.reference));
    let mut d: M = full(&f.reference);
    // setdefault
    let (key, value) = d.items().into_iter().next().expect("an item");
    let (knownkey, knownvalue) = &f.other;
    assert_eq!(d.setdefault(&key, knownvalue), value);
    assert_eq!(d.item(&key), Some(value));
    assert_eq!(d.setdefault(knownkey, knownvalue), *knownvalue);
    assert_eq!(d.item(knownkey).as_ref(), Some(knownvalue));
    // pop
    assert_eq!(d.pop(knownkey).as_ref(), Some(knownvalue));
    assert!(!d.has(knownkey));
    assert_eq!(d.pop(knownkey), None);
    let default = f.inmapping.1.clone();
    d.set(knownkey, knownvalue);
    assert_eq!(
        d.pop(knownkey).unwrap_or_else(|| default.clone()),
        *knownvalue
    );
    assert!(!d.has(knownkey));
    assert_eq!(d.pop(knownkey).unwrap_or_else(|| default.clone()), default);
    // popitem
    let (key, value) = d.popitem().expect("an item");
    assert!(!d.has(&key));
    assert_eq!(value, lookup::<M>(&f.reference, &key));
    let mut p = M::default();
    assert_eq!(p.popitem(), None);
}

fn constructor<M: Mapping>() {
    assert!(M::default() == M::default());
    let f = fixture::<M>();
    assert!(full::<M>(&f.reference) != M::default());
}

fn bool_<M: Mapping>() {
    assert!(M::default().is_empty());
    let f = fixture::<M>();
    assert!(!full::<M>(&f.reference).is_empty());
    assert!(!f.reference.is_empty());
}

fn keys<M: Mapping>() {
    let d = M::default();
    assert_eq!(d.keys(), []);
    let f = fixture::<M>();
    let d: M = full(&f.reference);
    assert!(d.keys().contains(&f.inmapping.0));
    assert!(!d.keys().contains(&f.other.0));
}

fn values<M: Mapping>() {
    let d = M::default();
    assert_eq!(d.values(), []);
    let f = fixture::<M>();
    let d: M = full(&f.reference);
    assert!(d.values().contains(&f.inmapping.1));
    assert!(!d.values().contains(&f.other.1));
}

fn items<M: Mapping>() {
    let d = M::default();
    assert_eq!(d.items(), []);
    let f = fixture::<M>();
    let d: M = full(&f.reference);
    assert!(d.items().contains(&f.inmapping));
    assert!(!d.items().contains(&f.other));
}

fn len<M: Mapping>() {
    let d = M::default();
    assert_eq!(d.len(), 0);
    let f = fixture::<M>();
    let d: M = full(&f.reference);
    assert_eq!(d.len(), 2);
}

fn getitem<M: Mapping>() {
    let f = fixture::<M>();
    let d: M = full(&f.reference);
    assert_eq!(d.item(&f.inmapping.0), Some(f.inmapping.1.clone()));
}

fn update<M: Mapping>() {
    let f = fixture::<M>();
    // mapping argument
    let mut d = M::default();
    d.update(full::<M>(std::slice::from_ref(&f.other)).items());
    assert_eq!(d.items(), std::slice::from_ref(&f.other));
    // No argument
    let mut d = M::default();
    d.update([]);
    assert!(d == M::default());
    // item sequence
    let mut d = M::default();
    d.update(vec![f.other.clone()]);
    assert_eq!(d.items(), std::slice::from_ref(&f.other));
    // Iterator
    let mut d = M::default();
    d.update(std::iter::once(f.other.clone()));
    assert_eq!(d.items(), std::slice::from_ref(&f.other));
    // SimpleUserDict: keys, then a lookup per key.
    d.clear();
    d.update(
        f.reference
            .iter()
            .map(|(k, _)| (k.clone(), lookup::<M>(&f.reference, k))),
    );
    assert!(same_elements(&d.items(), &f.reference));

    // Failing user mappings: the failure propagates.
    let mut d = M::default();
    // keys() raises
    let message = panics_with(|| d.update(std::iter::from_fn(|| panic!("Exc"))));
    assert_eq!(message, "Exc");
    d.clear();
    // the keys' iterator raises after one key
    let first = f.reference[0].clone();
    let mut once = Some(first.clone());
    let message = panics_with(|| {
        d.update(std::iter::from_fn(|| {
            Some(once.take().unwrap_or_else(|| panic!("Exc")))
        }));
    });
    assert_eq!(message, "Exc");
    assert_eq!(d.items(), [first], "what was inserted stays, consistently");
    // __getitem__ raises
    let mut d = M::default();
    let message = panics_with(|| {
        d.update(
            f.reference
                .iter()
                .map(|_| -> (M::K, M::V) { panic!("Exc") }),
        );
    });
    assert_eq!(message, "Exc");
    assert!(d.is_empty());
    // badseq
    let mut d = M::default();
    let message = panics_with(|| d.update(std::iter::repeat_with(|| panic!("Exc"))));
    assert_eq!(message, "Exc");
    assert!(d.is_empty());
}

fn get<M: Mapping>() {
    let f = fixture::<M>();
    let default = f.inmapping.1.clone();
    let d = M::default();
    assert!(d.item(&f.other.0).is_none());
    assert_eq!(
        d.item(&f.other.0).unwrap_or_else(|| default.clone()),
        default
    );
    let d: M = full(&f.reference);
    assert!(d.item(&f.other.0).is_none());
    assert_eq!(
        d.item(&f.other.0).unwrap_or_else(|| default.clone()),
        default
    );
    assert_eq!(d.item(&f.inmapping.0), Some(f.inmapping.1.clone()));
    let (other_value, inmapping_value) = (f.other.1.clone(), f.inmapping.1.clone());
    assert_eq!(
        d.item(&f.inmapping.0).unwrap_or(other_value),
        inmapping_value
    );
}

fn popitem<M: Mapping>() {
    let mut d = M::default();
    assert_eq!(d.popitem(), None);
    let f = fixture::<M>();
    let mut d: M = full(std::slice::from_ref(&f.inmapping));
    assert_eq!(d.popitem(), Some(f.inmapping.clone()));
    assert_eq!(d.popitem(), None);
}

fn pop<M: Mapping>() {
    let f = fixture::<M>();
    let mut d = M::default();
    let (k, v) = &f.inmapping;
    d.set(k, v);
    assert_eq!(d.pop(&f.other.0), None);
    assert_eq!(d.pop(k).as_ref(), Some(v));
    assert_eq!(d.len(), 0);
    assert_eq!(d.pop(k), None);
}

mod weak_key_dictionary {
    use super::Wkd;

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_read
    #[test]
    fn read() {
        super::read::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_write
    #[test]
    fn write() {
        super::write::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_constructor
    #[test]
    fn constructor() {
        super::constructor::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_bool
    #[test]
    fn bool() {
        super::bool_::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_keys
    #[test]
    fn keys() {
        super::keys::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_values
    #[test]
    fn values() {
        super::values::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_items
    #[test]
    fn items() {
        super::items::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_len
    #[test]
    fn len() {
        super::len::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_getitem
    #[test]
    fn getitem() {
        super::getitem::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_update
    #[test]
    fn update() {
        super::update::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_get
    #[test]
    fn get() {
        super::get::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_popitem
    #[test]
    fn popitem() {
        super::popitem::<Wkd>();
    }

    // CPython 3.11: test_weakref.py WeakKeyDictionaryTestCase.test_pop
    #[test]
    fn pop() {
        super::pop::<Wkd>();
    }
}

mod weak_value_dictionary {
    use super::Wvd;

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_read
    #[test]
    fn read() {
        super::read::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_write
    #[test]
    fn write() {
        super::write::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_constructor
    #[test]
    fn constructor() {
        super::constructor::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_bool
    #[test]
    fn bool() {
        super::bool_::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_keys
    #[test]
    fn keys() {
        super::keys::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_values
    #[test]
    fn values() {
        super::values::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_items
    #[test]
    fn items() {
        super::items::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_len
    #[test]
    fn len() {
        super::len::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_getitem
    #[test]
    fn getitem() {
        super::getitem::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_update
    #[test]
    fn update() {
        super::update::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_get
    #[test]
    fn get() {
        super::get::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_popitem
    #[test]
    fn popitem() {
        super::popitem::<Wvd>();
    }

    // CPython 3.11: test_weakref.py WeakValueDictionaryTestCase.test_pop
    #[test]
    fn pop() {
        super::pop::<Wvd>();
    }
}
