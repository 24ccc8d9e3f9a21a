//! The weak-valued dictionary's cases for every flavour: see
//! `weak_value_dictionary.rs`.

use std::sync::Mutex;

use weakref::{Header, Referent};

#[allow(unused_imports)]
use super::*;

#[derive(Referent, Debug, PartialEq, Eq, Hash)]
pub(super) struct Object {
    pub(super) arg: u32,
    pub(super) header: Header,
}

pub(super) fn object(arg: u32) -> Strong<Object> {
    Strong::new(Object {
        arg,
        header: Header::new(),
    })
}

pub(super) const COUNT: u32 = 10;

/// CPython's `make_weak_valued_dict`: `dict[o.arg] = o` for COUNT objects.
pub(super) fn make_weak_valued_dict() -> (WeakValueDictionary<u32, Object>, Vec<Strong<Object>>) {
    let objects: Vec<_> = (0..COUNT).map(object).collect();
    let mut dict = WeakValueDictionary::new();
    for o in &objects {
        dict.insert(o.arg, o);
    }
    (dict, objects)
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_values
#[test]
fn weak_values() {
    let (dict, mut objects) = make_weak_valued_dict();
    for o in &objects {
        assert_eq!(getweakrefcount(o), 1, "wrong number of weak references");
        assert!(Strong::ptr_eq(o, &dict.get(&o.arg).unwrap()));
    }
    let items1: Vec<_> = dict.iter().map(|(k, v)| (*k, v.arg)).collect();
    let copy = dict.clone();
    let items2: Vec<_> = copy.iter().map(|(k, v)| (*k, v.arg)).collect();
    let (mut items1, mut items2) = (items1, items2);
    items1.sort_unstable();
    items2.sort_unstable();
    assert_eq!(
        items1, items2,
        "cloning of weak-valued dictionary did not work"
    );
    drop(copy);
    assert_eq!(dict.len(), COUNT as usize);
    objects.remove(0);
    assert_eq!(
        dict.len(),
        COUNT as usize - 1,
        "deleting object did not cause dictionary update"
    );
    drop(objects);
    assert_eq!(
        dict.len(),
        0,
        "deleting the values did not clear the dictionary"
    );
    assert!(dict.get(&1).is_none());
    assert!(!dict.contains_key(&2));
    // Regression on SF bug 447152: a missing key, and a value that died at
    // once.
    let mut dict = WeakValueDictionary::new();
    assert!(dict.get(&1).is_none());
    dict.insert(2, &object(2));
    assert!(dict.get(&2).is_none());
    assert!(!dict.contains_key(&2));
    assert_eq!(dict.len(), 0);
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_valued_iters
// (check_iters, valuerefs and itervaluerefs)
#[test]
fn weak_valued_iters() {
    let (dict, objects) = make_weak_valued_dict();
    // items
    let mut seen: Vec<u32> = dict
        .iter()
        .map(|(k, v)| {
            assert_eq!(*k, v.arg);
            *k
        })
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..COUNT).collect::<Vec<_>>());
    // keys, through IntoIterator too
    let mut keys: Vec<u32> = (&dict).into_iter().map(|(k, _)| *k).collect();
    keys.sort_unstable();
    assert_eq!(keys, seen);
    let mut keys: Vec<u32> = dict.keys().copied().collect();
    keys.sort_unstable();
    assert_eq!(keys, seen);
    // values
    let mut values: Vec<u32> = dict.values().map(|v| v.arg).collect();
    values.sort_unstable();
    assert_eq!(values, seen);
    // valuerefs
    let refs = dict.valuerefs();
    assert_eq!(refs.len(), objects.len());
    for r in &refs {
        let o = r.get().unwrap();
        assert!(Strong::ptr_eq(&dict.get(&o.arg).unwrap(), &o));
    }
}

/// CPython's `check_weak_destroy_while_iterating`: the iterator made by
/// `iter` yields one item, then the last of `objects` dies while it is
/// suspended; `len` drops by one at once, and the iterator yields the rest
/// (the dead entry too only if the iterator had already passed it).
pub(super) fn check_weak_destroy_while_iterating<'d, I: Iterator>(
    dict: &'d WeakValueDictionary<u32, Object>,
    objects: &mut Vec<Strong<Object>>,
    iter: impl FnOnce(&'d WeakValueDictionary<u32, Object>) -> I,
) {
    let n = dict.len();
    let mut it = iter(dict);
    drop(it.next().expect("a first item")); // trigger internal iteration
    objects.pop(); // destroy an object
    assert_eq!(dict.len(), n - 1, "exact while the iterator is suspended");
    // We have removed either the first consumed object, or another one.
    let rest = it.count();
    assert!(
        rest == objects.len() || rest == objects.len() - 1,
        "{rest} of {}",
        objects.len()
    );
    assert_eq!(dict.len(), n - 1);
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_values_destroy_while_iterating
// (Issue 7105: check_weak_destroy_while_iterating with keys, items, values,
// itervaluerefs and valuerefs in turn, on one dictionary; Rust's
// `valuerefs` serves for both of the last two.)
#[test]
fn weak_values_destroy_while_iterating() {
    let (dict, mut objects) = make_weak_valued_dict();
    check_weak_destroy_while_iterating(&dict, &mut objects, WeakValueDictionary::keys);
    check_weak_destroy_while_iterating(&dict, &mut objects, WeakValueDictionary::iter);
    check_weak_destroy_while_iterating(&dict, &mut objects, WeakValueDictionary::values);
    check_weak_destroy_while_iterating(&dict, &mut objects, |d| d.valuerefs().into_iter());
    check_weak_destroy_while_iterating(&dict, &mut objects, |d| d.valuerefs().into_iter());
    assert_eq!(dict.len(), COUNT as usize - 5);
    // Every value dies while an iterator is suspended: it stops.
    let mut it = dict.iter();
    it.next().unwrap();
    objects.clear();
    assert_eq!(it.count(), 0);
    assert_eq!(dict.len(), 0);
}

/// CPython's `testcontext` of test_weak_values_destroy_while_iterating:
/// starts `$dict.iter()`, takes one entry, kills the last of `$objects`
/// while the iterator is suspended, and binds `$k` to its key and `$v` to a
/// new, equal value. `$during` runs with the iterator alive. Rust's borrows
/// forbid a `&mut` call while an iterator borrows the dictionary
/// (ui/fail/weak-dict-insert-while-iterating.rs), so the mutations CPython
/// makes inside the context run in `$after`, right after the iterator is
/// dropped, while the dead entry may still await collection. Evaluates to
/// `($k, $v)`.
macro_rules! testcontext {
    ($dict:ident, $objects:ident, |$k:ident, $v:ident| $during:block then $after:block) => {{
        let ($k, $v);
        {
            let mut it = $dict.iter();
            drop(it.next().expect("a first entry"));
            // Schedule a key/value for removal and recreate it.
            $k = $objects.pop().expect("an object to kill").arg;
            $v = object($k);
            assert!(
                !$dict.contains_key(&$k),
                "dead while the iterator is suspended"
            );
            $during
        }
        $after($k, $v)
    }};
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_values_destroy_while_iterating
// (check_weak_destroy_and_mutate_while_iterating: explicit mutations do not
// interfere with the removal of the dead entry.)
#[test]
fn weak_values_destroy_and_mutate_while_iterating() {
    let (mut dict, mut objects) = make_weak_valued_dict();
    testcontext!(dict, objects, |k, _v| { assert!(!dict.contains_key(&k)) } then {});
    let (k, _) = testcontext!(dict, objects, |k, _v| {} then {
        assert!(dict.remove(&k).is_none()); // del dict[k]: KeyError
    });
    assert!(!dict.contains_key(&k));
    let (k, _) = testcontext!(dict, objects, |k, _v| {} then {
        assert!(dict.remove_entry(&k).is_none()); // dict.pop(k): KeyError
    });
    assert!(!dict.contains_key(&k));
    let (k, v) = testcontext!(dict, objects, |k, v| {} then {
        assert!(dict.insert(k, &v).is_none()); // dict[k] = v
    });
    assert!(Strong::ptr_eq(&dict.get(&k).unwrap(), &v));
    let ddict = dict.clone();
    testcontext!(dict, objects, |_k, _v| {} then {
        dict.extend(ddict.iter().map(|(k, v)| (*k, v))); // dict.update(ddict)
    });
    assert!(dict == ddict);
    assert_eq!(dict.len(), ddict.len());
    testcontext!(dict, objects, |_k, _v| {} then { dict.clear() });
    assert_eq!(dict.len(), 0);
    drop(v);
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_values_destroy_while_iterating
// (check_weak_del_and_len_while_iterating, issue 21173: `len` stays exact
// when entries go both by death and by explicit removal. CPython relies on
// its insertion order so that explicit removals never take an entry whose
// value a later context kills; here each explicitly removed entry's value
// is dropped from `objects` instead.)
#[test]
fn weak_values_del_and_len_while_iterating() {
    let (mut dict, mut objects) = make_weak_valued_dict();
    let o = object(123_456);
    let n = std::cell::Cell::new(0);
    let forget = |objects: &mut Vec<Strong<Object>>, key: u32| objects.retain(|x| x.arg != key);
    testcontext!(dict, objects, |_k, _v| { n.set(dict.len()) } then {
        let n = n.get();
        let first = *dict.keys().next().unwrap();
        assert!(dict.remove(&first).is_some()); // dict.pop(next(dict.keys()))
        forget(&mut objects, first);
        assert_eq!(dict.len(), n - 1);
        dict.insert(o.arg, &o); // dict[o] = o
        assert_eq!(dict.len(), n);
    });
    let n = n.get();
    assert_eq!(n, COUNT as usize - 1);
    // The last item in objects was removed from dict in context shutdown.
    testcontext!(dict, objects, |_k, _v| { assert_eq!(dict.len(), n - 1) } then {
        let (key, _) = dict.popitem().unwrap();
        forget(&mut objects, key);
        assert_eq!(dict.len(), n - 2);
    });
    testcontext!(dict, objects, |_k, _v| { assert_eq!(dict.len(), n - 3) } then {
        let first = *dict.keys().next().unwrap();
        assert!(dict.remove(&first).is_some()); // del dict[next(dict.keys())]
        forget(&mut objects, first);
        assert_eq!(dict.len(), n - 4);
    });
    testcontext!(dict, objects, |_k, _v| { assert_eq!(dict.len(), n - 5) } then {
        let (key, _) = dict.popitem().unwrap();
        forget(&mut objects, key);
        assert_eq!(dict.len(), n - 6);
    });
    testcontext!(dict, objects, |_k, _v| {} then {
        dict.clear();
        assert_eq!(dict.len(), 0);
    });
    assert_eq!(dict.len(), 0);
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_valued_len_cycles
// (check_len_cycles.) Without a cycle collector the values die as their last
// `Strong` goes; what remains is the point of the test: `len` while an iterator
// is suspended counts exactly the entry whose value the one who iterated
// still holds (CPython allows 0 or 1), and 0 once it is dropped.
#[test]
fn weak_valued_len_while_an_iterator_holds_one_value() {
    const N: u32 = 20;
    let items: Vec<_> = (0..N).map(object).collect();
    let dct: WeakValueDictionary<u32, Object> = items.iter().map(|o| (o.arg, o)).collect();
    let n1 = {
        // Keep an iterator alive, with the value it yielded.
        let mut it = dct.iter();
        let _held = it.next();
        drop(items);
        dct.len()
    };
    let n2 = dct.len();
    assert!(n1 == 0 || n1 == 1, "{n1}");
    assert_eq!(n1, 1, "exactly the held value");
    assert_eq!(n2, 0);
}

// CPython 3.11: test_weakref.py MappingTestCase.test_make_weak_valued_dict_from_dict
#[test]
fn make_weak_valued_dict_from_pairs() {
    let o = object(3);
    let dict: WeakValueDictionary<u32, Object> = [(364, o.clone())].into_iter().collect();
    assert!(Strong::ptr_eq(&dict.get(&364).unwrap(), &o));
}

// CPython 3.11: test_weakref.py MappingTestCase.test_make_weak_valued_dict_from_weak_valued_dict
#[test]
fn make_weak_valued_dict_from_weak_valued_dict() {
    let o = object(3);
    let mut dict = WeakValueDictionary::new();
    dict.insert(364, &o);
    let dict2: WeakValueDictionary<u32, Object> = dict.iter().map(|(k, v)| (*k, v)).collect();
    assert!(Strong::ptr_eq(&dict2.get(&364).unwrap(), &o));
    let dict3 = dict.clone();
    assert!(dict3 == dict);
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_valued_dict_popitem
// (check_popitem)
#[test]
fn weak_valued_dict_popitem() {
    let (v1, v2) = (object(1), object(2));
    let mut dict = WeakValueDictionary::new();
    dict.insert("key1", &v1);
    dict.insert("key2", &v2);
    assert_eq!(dict.len(), 2);
    let (k, v) = dict.popitem().unwrap();
    assert_eq!(dict.len(), 1);
    if k == "key1" {
        assert!(Strong::ptr_eq(&v, &v1));
    } else {
        assert!(Strong::ptr_eq(&v, &v2));
    }
    let (k2, w) = dict.popitem().unwrap();
    assert_ne!(k, k2);
    if k2 == "key1" {
        assert!(Strong::ptr_eq(&w, &v1));
    } else {
        assert_eq!(k2, "key2");
        assert!(Strong::ptr_eq(&w, &v2));
    }
    assert_eq!(dict.len(), 0);
    assert!(dict.popitem().is_none());
}

#[test]
fn popitem_skips_dead_entries_and_pops_everything() {
    let objects: Vec<_> = (0..100).map(object).collect();
    let mut dict: WeakValueDictionary<u32, Object> =
        objects.iter().map(|o| (o.arg, o.clone())).collect();
    let alive: Vec<_> = objects.into_iter().filter(|o| o.arg % 3 == 0).collect();
    let mut popped = Vec::new();
    while let Some((k, v)) = dict.popitem() {
        assert_eq!(k, v.arg);
        popped.push(k);
    }
    popped.sort_unstable();
    assert_eq!(popped, alive.iter().map(|o| o.arg).collect::<Vec<_>>());
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_valued_dict_setdefault
// (check_setdefault)
#[test]
fn weak_valued_dict_setdefault() {
    let (value1, value2) = (object(1), object(2));
    let mut d = WeakValueDictionary::new();
    let o = d.setdefault("key", &value1);
    assert!(Strong::ptr_eq(&o, &value1));
    drop(o);
    assert!(d.contains_key("key"));
    assert!(Strong::ptr_eq(&d.get("key").unwrap(), &value1));
    let o = d.setdefault("key", &value2);
    assert!(Strong::ptr_eq(&o, &value1));
    assert!(Strong::ptr_eq(&d.get("key").unwrap(), &value1));
    // A dead value counts as missing.
    drop((o, value1));
    let o = d.setdefault("key", &value2);
    assert!(Strong::ptr_eq(&o, &value2));
    assert_eq!(d.len(), 1);
}

#[test]
fn get_or_insert_with_makes_only_on_a_miss() {
    let mut cache: WeakValueDictionary<u32, Object> = WeakValueDictionary::new();
    let mut made = Vec::new();
    let a = cache.get_or_insert_with(1, || {
        made.push(1);
        object(1)
    });
    let b = cache.get_or_insert_with(1, || unreachable!("cached"));
    assert!(Strong::ptr_eq(&a, &b));
    drop((a, b));
    assert!(cache.is_empty());
    let c = cache.get_or_insert_with(1, || {
        made.push(2);
        object(1)
    });
    assert_eq!(made, [1, 2]);
    assert_eq!(cache.len(), 1);
    assert!(Strong::ptr_eq(&cache.get(&1).unwrap(), &c));
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_valued_dict_update
// (check_update; its TypeError and keyword-argument halves do not apply:
// Rust has no keyword arguments and checks arity when compiling.)
#[test]
fn weak_valued_dict_update() {
    let objects: Vec<_> = (1..=3).map(object).collect();
    let mut d = WeakValueDictionary::new();
    d.extend(objects.iter().map(|o| (o.arg, o)));
    for o in &objects {
        assert!(Strong::ptr_eq(&d.get(&o.arg).unwrap(), o));
    }
    d.extend([(1, objects[2].clone()), (9, object(9))]);
    assert!(Strong::ptr_eq(&d.get(&1).unwrap(), &objects[2]));
    // The temporary object 9 died at once.
    assert_eq!(d.len(), 3);
    assert!(!d.contains_key(&9));
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_valued_delitem
#[test]
fn weak_valued_delitem() {
    let (o1, o2) = (object(1), object(2));
    let mut d = WeakValueDictionary::new();
    d.insert("something", &o1);
    d.insert("something else", &o2);
    assert_eq!(d.len(), 2);
    assert!(Strong::ptr_eq(&d.remove("something").unwrap(), &o1));
    assert_eq!(d.len(), 1);
    let items: Vec<_> = d.iter().map(|(k, v)| (*k, v.arg)).collect();
    assert_eq!(items, [("something else", 2)]);
    assert!(d.remove("something").is_none());
}

// A deterministic companion of CPython 3.11's
// MappingTestCase.test_threaded_weak_valued_pop (dictionary_threads.rs): a
// dead value is missing.
#[test]
fn remove_of_a_dead_value_returns_none_and_removes_the_entry() {
    let o = object(1);
    let mut d = WeakValueDictionary::new();
    d.insert(1, &o);
    drop(o);
    assert!(d.remove(&1).is_none());
    assert_eq!(d.len(), 0);
    assert!(d.remove_entry(&1).is_none());
}

// CPython 3.11: test_weakref.py MappingTestCase.test_threaded_weak_valued_consistency
// (issue 28427), deterministic form, which later CPython versions added as
// test_weak_valued_consistency: an old value's weak reference outlives its
// replacement. The threaded form is in dictionary_threads.rs.
#[test]
fn weak_valued_consistency() {
    let (a, b) = (object(1), object(2));
    let mut d = WeakValueDictionary::new();
    d.insert(10, &a);
    let kept = d.valuerefs();
    d.insert(10, &b);
    drop(a);
    assert!(!kept[0].is_alive());
    assert_eq!(d.len(), 1);
    assert!(Strong::ptr_eq(&d.get(&10).unwrap(), &b));
    d.insert(11, &b); // a `&mut` operation: collects
    assert!(Strong::ptr_eq(&d.get(&10).unwrap(), &b));
    assert_eq!(d.len(), 2);
}

#[test]
fn stale_death_after_replacement_never_removes_the_new_entry() {
    let mut d = WeakValueDictionary::new();
    let mut keep = Vec::new();
    for round in 0..100 {
        let old = object(round);
        d.insert(10, &old);
        let new = object(round + 1000);
        d.insert(10, &new);
        drop(old);
        assert!(Strong::ptr_eq(&d.get(&10).unwrap(), &new));
        keep.push(new);
    }
    assert_eq!(d.len(), 1);
}

#[test]
fn replacing_with_the_same_value_keeps_one_weak_reference() {
    let a = object(1);
    let mut d = WeakValueDictionary::new();
    d.insert(1, &a);
    assert!(Strong::ptr_eq(&d.insert(1, &a).unwrap(), &a));
    assert_eq!(getweakrefcount(&a), 1);
}

#[test]
fn insert_keeps_the_stored_key() {
    #[derive(Clone)]
    struct Key(u32, &'static str);
    impl PartialEq for Key {
        fn eq(&self, other: &Key) -> bool {
            self.0 == other.0
        }
    }
    impl Eq for Key {}
    impl std::hash::Hash for Key {
        fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
            self.0.hash(state);
        }
    }
    let (a, b) = (object(1), object(2));
    let mut d = WeakValueDictionary::new();
    d.insert(Key(1, "first"), &a);
    d.insert(Key(1, "second"), &b);
    let keys: Vec<_> = d.keys().map(|k| k.1).collect();
    assert_eq!(keys, ["first"]);
}

#[test]
fn dead_entry_keys_are_dropped_by_the_next_mut_operation() {
    let dropped = Strong::new(Mutex::new(Vec::new()));
    #[derive(PartialEq, Eq, Hash)]
    struct Key(u32, DropLog);
    struct DropLog(Strong<Mutex<Vec<u32>>>, u32);
    impl Drop for DropLog {
        fn drop(&mut self) {
            self.0.lock().unwrap().push(self.1);
        }
    }
    impl PartialEq for DropLog {
        fn eq(&self, other: &DropLog) -> bool {
            self.1 == other.1
        }
    }
    impl Eq for DropLog {}
    impl std::hash::Hash for DropLog {
        fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
            self.1.hash(state);
        }
    }
    let (a, b) = (object(1), object(2));
    let mut d = WeakValueDictionary::new();
    d.insert(Key(1, DropLog(dropped.clone(), 1)), &a);
    d.insert(Key(2, DropLog(dropped.clone(), 2)), &b);
    drop(a);
    assert_eq!(d.len(), 1);
    assert!(dropped.lock().unwrap().is_empty()); // not yet: `&self` only
    d.retain(|_, _| true);
    assert_eq!(*dropped.lock().unwrap(), [1]);
}

#[test]
fn retain_and_clear() {
    let objects: Vec<_> = (0..10).map(object).collect();
    let mut d: WeakValueDictionary<u32, Object> =
        objects.iter().map(|o| (o.arg, o.clone())).collect();
    d.retain(|k, v| {
        assert_eq!(*k, v.arg);
        k % 2 == 0
    });
    assert_eq!(d.len(), 5);
    for o in &objects {
        assert_eq!(d.contains_key(&o.arg), o.arg % 2 == 0);
        // Removed entries gave up their weak reference.
        assert_eq!(getweakrefcount(o), usize::from(o.arg % 2 == 0));
    }
    d.clear();
    assert!(d.is_empty());
    assert!(objects.iter().all(|o| getweakrefcount(o) == 0));
}

#[test]
fn getweakrefcount_counts_one_per_dictionary() {
    let o = object(1);
    let mut ds: Vec<WeakValueDictionary<u32, Object>> = Vec::new();
    for i in 0..5 {
        let mut d = WeakValueDictionary::new();
        d.insert(i, &o);
        ds.push(d);
        assert_eq!(getweakrefcount(&o), i as usize + 1);
    }
    ds.truncate(2);
    assert_eq!(getweakrefcount(&o), 2);
    drop(ds);
    assert_eq!(getweakrefcount(&o), 0);
}

// CPython 3.11: test_weakref.py MappingTestCase.test_make_weak_valued_dict_repr
// (Python's `<WeakValueDictionary at 0x..>`; `Debug` prints the live
// entries as a map does.)
#[test]
fn debug_shows_the_live_entries() {
    let (a, b) = (object(1), object(2));
    let mut d = WeakValueDictionary::new();
    d.insert(1, &a);
    d.insert(2, &b);
    drop(b);
    let shown = format!("{d:?}");
    assert!(shown.starts_with("{1: Object { arg: 1"), "{shown}");
    assert!(!shown.contains("arg: 2"), "{shown}");
    let empty: WeakValueDictionary<u32, Object> = WeakValueDictionary::default();
    assert_eq!(format!("{empty:?}"), "{}");
}

#[test]
fn equality_is_over_live_entries() {
    let (a, a2, b) = (object(1), object(1), object(2));
    let mut d1 = WeakValueDictionary::new();
    let mut d2 = WeakValueDictionary::new();
    d1.insert(1, &a);
    d2.insert(1, &a2);
    assert!(d1 == d2);
    d1.insert(2, &b);
    assert!(d1 != d2);
    drop(b);
    assert!(d1 == d2);
}

// Re-entrancy: a key's `Drop`, run when its entry is collected, kills
// another value of the same dictionary; the cascade completes within the
// `&mut` operation that collected the first entry.
#[test]
fn cascade_of_deaths_finishes_in_one_mut_operation() {
    struct Key {
        id: u32,
        _next: Option<Strong<Object>>,
    }
    fn key(id: u32) -> Key {
        Key { id, _next: None }
    }
    impl PartialEq for Key {
        fn eq(&self, other: &Key) -> bool {
            self.id == other.id
        }
    }
    impl Eq for Key {}
    impl std::hash::Hash for Key {
        fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
            self.id.hash(state);
        }
    }
    const N: u32 = if cfg!(miri) { 50 } else { 1000 };
    let values: Vec<_> = (0..N).map(object).collect();
    let mut d = WeakValueDictionary::new();
    for (i, v) in values.iter().enumerate() {
        // Key i holds the only strong reference to value i + 1.
        let next = values.get(i + 1).cloned();
        d.insert(
            Key {
                id: i as u32,
                _next: next,
            },
            v,
        );
    }
    drop(values);
    assert_eq!(d.len(), N as usize - 1);
    let keep = object(u32::MAX);
    d.insert(key(u32::MAX), &keep); // collects: kills all
    assert_eq!(d.len(), 1);
    d.remove(&key(0));
    assert_eq!(d.len(), 1);
    d.remove(&key(u32::MAX));
    assert!(d.is_empty());
}

// A callback on a value touches another dictionary (and this one's
// bookkeeping is already done when it runs).
#[test]
fn callback_touching_dictionaries() {
    let other = Strong::new(Mutex::new(WeakValueDictionary::<u32, Object>::new()));
    let b = object(2);
    other.lock().unwrap().insert(2, &b);
    let a = object(1);
    let mut d = WeakValueDictionary::new();
    d.insert(1, &a);
    let seen = Strong::new(Mutex::new(None));
    let (o, s) = (other.clone(), seen.clone());
    let _r = Ref::with_callback(&a, move |_| {
        let mut o = o.lock().unwrap();
        let fresh = object(3);
        o.insert(3, &fresh);
        drop(fresh);
        *s.lock().unwrap() = Some(o.len());
    });
    drop(a);
    assert_eq!(*seen.lock().unwrap(), Some(1));
    assert!(d.is_empty());
    d.insert(5, &b);
    assert_eq!(d.len(), 1);
}

#[test]
fn shrink_and_reserve() {
    let objects: Vec<_> = (0..50).map(object).collect();
    let mut d: WeakValueDictionary<u32, Object> = WeakValueDictionary::with_capacity(2);
    d.extend(objects.iter().map(|o| (o.arg, o)));
    drop(objects);
    d.shrink_to_fit();
    assert!(d.capacity() < 50);
    d.reserve(100);
    assert!(d.capacity() >= 100);
}

#[test]
fn unsized_values() {
    trait Shape: Referent + Send + Sync {
        fn area(&self) -> u32;
    }
    #[derive(Referent)]
    struct Square(u32, Header);
    impl Shape for Square {
        fn area(&self) -> u32 {
            self.0 * self.0
        }
    }
    let s: Strong<dyn Shape> = Strong::new(Square(3, Header::new()));
    let mut d: WeakValueDictionary<&str, dyn Shape> = WeakValueDictionary::new();
    d.insert("sq", &s);
    assert_eq!(d.get("sq").unwrap().area(), 9);
    drop(s);
    assert!(d.is_empty());
}

// DESIGN 9b: a value moved out of its `Strong` is dead at once for lookups and
// iteration; its entry is dropped when the moved value is dropped.
#[test]
fn value_moved_out_of_its_arc() {
    let (a, b) = (object(1), object(2));
    let mut d = WeakValueDictionary::new();
    d.insert(1, &a);
    d.insert(2, &b);
    let moved = Strong::try_unwrap(a).unwrap();
    assert!(!d.contains_key(&1));
    assert!(d.get(&1).is_none());
    assert_eq!(d.iter().count(), 1);
    assert_eq!(d.valuerefs().len(), 1);
    assert_eq!(moved.arg, 1);
    drop(moved);
    assert_eq!(d.len(), 1);
    assert!(d.remove(&1).is_none());
    assert_eq!(d.len(), 1);
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_valued_union_operators
// `wvd | dict` and `wvd |= pairs` take a plain mapping or pairs in Python;
// here those go through `Extend` (`d.extend(pairs)` is `d |= pairs`), and
// `d1 | wvd` (`__ror__`) is a plain map's pairs collected, then `|= &wvd`.
#[test]
fn weak_valued_union_operators() {
    let (a, b, c) = (object(1), object(2), object(3));
    let args = |d: &WeakValueDictionary<u32, Object>| {
        let mut v: Vec<(u32, u32)> = d.iter().map(|(k, v)| (*k, v.arg)).collect();
        v.sort_unstable();
        v
    };
    let mut wvd1: WeakValueDictionary<u32, Object> = [(1, &a)].into_iter().collect();
    let mut wvd2: WeakValueDictionary<u32, Object> = [(1, &b), (2, &a)].into_iter().collect();
    let wvd3 = wvd1.clone();
    let d1 = [(1, &c), (3, &b)];
    let pairs = [(5, &c), (6, &b)];

    let tmp1 = &wvd1 | &wvd2; // between two WeakValueDictionaries
    assert_eq!(args(&tmp1), [(1, 2), (2, 1)]);
    wvd1 |= &wvd2;
    assert!(wvd1 == tmp1);

    let mut tmp2 = wvd2.clone(); // between a WeakValueDictionary and a mapping
    tmp2.extend(d1);
    assert_eq!(args(&tmp2), [(1, 3), (2, 1), (3, 2)]);
    wvd2.extend(d1);
    assert!(wvd2 == tmp2);

    let mut tmp3 = wvd3.clone(); // between a WeakValueDictionary and pairs
    tmp3.extend(pairs);
    assert_eq!(args(&tmp3), [(1, 1), (5, 3), (6, 2)]);

    let mut tmp4: WeakValueDictionary<u32, Object> = d1.into_iter().collect();
    tmp4 |= &wvd3; // `d1 | wvd3`: the right side wins
    assert_eq!(args(&tmp4), [(1, 1), (3, 2)]);
    // The results hold their values weakly.
    drop((a, b, c));
    assert!(tmp1.is_empty() && tmp2.is_empty() && tmp3.is_empty() && tmp4.is_empty());
}

// The entry API: occupied means a live value; a dead value's entry is
// vacant, and filling it keeps the stored key (one entry, never two).
#[test]
fn entry_of_a_dead_value_is_vacant_and_reuses_the_entry() {
    use weakref::weak_value_dictionary::Entry;
    let (a, b) = (object(1), object(2));
    let mut d: WeakValueDictionary<String, Object> = WeakValueDictionary::new();
    d.insert("k".to_owned(), &a);
    match d.entry("k".to_owned()) {
        Entry::Occupied(o) => assert!(Strong::ptr_eq(o.get(), &a) && o.key() == "k"),
        Entry::Vacant(_) => panic!("a live value is occupied"),
    }
    drop(a);
    match d.entry("k".to_owned()) {
        Entry::Occupied(_) => panic!("a dead value is vacant"),
        Entry::Vacant(v) => assert!(Strong::ptr_eq(&v.insert(&b), &b)),
    }
    assert_eq!(d.len(), 1);
    assert_eq!(d.iter().count(), 1);
    assert!(Strong::ptr_eq(
        &d.entry_ref("k").or_insert_with(|| unreachable!()),
        &b
    ));
    if let Entry::Occupied(o) = d.entry("k".to_owned()) {
        assert_eq!(o.remove_entry().0, "k");
    }
    assert!(d.is_empty());
}

// `try_get_or_insert_with`: an `Err` leaves no entry; an `Ok` is cached.
#[test]
fn try_get_or_insert_with_inserts_only_on_ok() {
    let mut d: WeakValueDictionary<u32, Object> = WeakValueDictionary::new();
    let failed = d.try_get_or_insert_with(1, || Err("unavailable"));
    assert_eq!(failed.err(), Some("unavailable"));
    assert!(d.is_empty() && !d.contains_key(&1));
    let a = d
        .try_get_or_insert_with(1, || Ok::<_, ()>(object(1)))
        .unwrap();
    let again = d
        .try_get_or_insert_with(1, || Err::<Strong<Object>, _>("not called"))
        .unwrap();
    assert!(Strong::ptr_eq(&a, &again));
    drop((a, again));
    assert!(d.is_empty());
    assert!(d.try_get_or_insert_with(1, || Err("gone")).is_err());
}
