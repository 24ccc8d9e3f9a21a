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
// One source file of surfaces, mounted once per flavour: the duplication
// clippy flags is the point (each mount runs the protocol on another surface).
#![allow(clippy::duplicate_mod)]

use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// What the protocol asks of a mapping (`p[k] = v`, `p[k]`, `k in p`, ...),
/// with keys and values as the caller holds them (an `Arc` for the weak
/// side, so that the caller keeps the referent alive).
pub(crate) trait Mapping: Default + Clone + PartialEq + Debug {
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

pub(crate) fn fixture<M: Mapping>() -> Fixture<M> {
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
pub(crate) fn full<M: Mapping>(data: &[(M::K, M::V)]) -> M {
    let mut x = M::default();
    for (key, value) in data {
        x.set(key, value);
    }
    x
}

/// `reference[key]`.
pub(crate) fn lookup<M: Mapping>(reference: &[(M::K, M::V)], key: &M::K) -> M::V {
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
pub(crate) fn read<M: Mapping>() {
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
pub(crate) fn write<M: Mapping>() {
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

pub(crate) fn constructor<M: Mapping>() {
    assert!(M::default() == M::default());
    let f = fixture::<M>();
    assert!(full::<M>(&f.reference) != M::default());
}

pub(crate) fn bool_<M: Mapping>() {
    assert!(M::default().is_empty());
    let f = fixture::<M>();
    assert!(!full::<M>(&f.reference).is_empty());
    assert!(!f.reference.is_empty());
}

pub(crate) fn keys<M: Mapping>() {
    let d = M::default();
    assert_eq!(d.keys(), []);
    let f = fixture::<M>();
    let d: M = full(&f.reference);
    assert!(d.keys().contains(&f.inmapping.0));
    assert!(!d.keys().contains(&f.other.0));
}

pub(crate) fn values<M: Mapping>() {
    let d = M::default();
    assert_eq!(d.values(), []);
    let f = fixture::<M>();
    let d: M = full(&f.reference);
    assert!(d.values().contains(&f.inmapping.1));
    assert!(!d.values().contains(&f.other.1));
}

pub(crate) fn items<M: Mapping>() {
    let d = M::default();
    assert_eq!(d.items(), []);
    let f = fixture::<M>();
    let d: M = full(&f.reference);
    assert!(d.items().contains(&f.inmapping));
    assert!(!d.items().contains(&f.other));
}

pub(crate) fn len<M: Mapping>() {
    let d = M::default();
    assert_eq!(d.len(), 0);
    let f = fixture::<M>();
    let d: M = full(&f.reference);
    assert_eq!(d.len(), 2);
}

pub(crate) fn getitem<M: Mapping>() {
    let f = fixture::<M>();
    let d: M = full(&f.reference);
    assert_eq!(d.item(&f.inmapping.0), Some(f.inmapping.1.clone()));
}

pub(crate) fn update<M: Mapping>() {
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

pub(crate) fn get<M: Mapping>() {
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

pub(crate) fn popitem<M: Mapping>() {
    let mut d = M::default();
    assert_eq!(d.popitem(), None);
    let f = fixture::<M>();
    let mut d: M = full(std::slice::from_ref(&f.inmapping));
    assert_eq!(d.popitem(), Some(f.inmapping.clone()));
    assert_eq!(d.popitem(), None);
}

pub(crate) fn pop<M: Mapping>() {
    let f = fixture::<M>();
    let mut d = M::default();
    let (k, v) = &f.inmapping;
    d.set(k, v);
    assert_eq!(d.pop(&f.other.0), None);
    assert_eq!(d.pop(k).as_ref(), Some(v));
    assert_eq!(d.len(), 0);
    assert_eq!(d.pop(k), None);
}

// The surfaces: `mapping_protocol/surface.rs` (the `Mapping` impls and the
// labelled tests) mounted once per flavour: `Arc` and `Rc`, keys by value
// and by identity (the weak-valued dictionary has no key mode; it runs in
// the `*_identity` mounts again, unchanged).
#[path = "mapping_protocol"]
mod arc {
    pub(crate) use weakref_tests::flavour::arc::*;
    mod surface;
}

#[path = "mapping_protocol"]
mod arc_identity {
    pub(crate) use weakref_tests::flavour::arc_identity::*;
    mod surface;
}

#[path = "mapping_protocol"]
mod rc {
    pub(crate) use weakref_tests::flavour::rc::*;
    mod surface;
}

#[path = "mapping_protocol"]
mod rc_identity {
    pub(crate) use weakref_tests::flavour::rc_identity::*;
    mod surface;
}
