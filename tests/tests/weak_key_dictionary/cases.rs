//! The weak-keyed dictionary's cases for every flavour: see
//! `weak_key_dictionary.rs`.

use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

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

/// CPython's `make_weak_keyed_dict`: `dict[o] = o.arg` for COUNT objects.
pub(super) fn make_weak_keyed_dict() -> (WeakKeyDictionary<Object, u32>, Vec<Strong<Object>>) {
    let objects: Vec<_> = (0..COUNT).map(object).collect();
    let mut dict = WeakKeyDictionary::new();
    for o in &objects {
        dict.insert(o, o.arg);
    }
    (dict, objects)
}

pub(super) fn sorted(mut v: Vec<u32>) -> Vec<u32> {
    v.sort_unstable();
    v
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_keys
// (`34 not in d`, a key that cannot be weakly referenced, does not
// type-check in Rust: an equal-by-nothing fresh object stands in.)
#[test]
fn weak_keys() {
    let (mut dict, mut objects) = make_weak_keyed_dict();
    for o in &objects {
        assert_eq!(getweakrefcount(o), 1, "wrong number of weak references");
        assert_eq!(dict[o], o.arg);
    }
    let items1 = sorted(dict.iter().map(|(k, v)| k.arg * 100 + v).collect());
    let copy = dict.clone();
    let items2 = sorted(copy.iter().map(|(k, v)| k.arg * 100 + v).collect());
    assert_eq!(
        items1, items2,
        "cloning of weak-keyed dictionary did not work"
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
        "deleting the keys did not clear the dictionary"
    );
    let o = object(42);
    dict.insert(&o, 7);
    assert!(dict.contains_key(&o));
    assert!(!dict.contains_key(&object(34)));
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_keyed_iters
// (check_iters, keyrefs)
#[test]
fn weak_keyed_iters() {
    let (mut dict, objects) = make_weak_keyed_dict();
    let all = (0..COUNT).collect::<Vec<_>>();
    assert_eq!(
        sorted(
            dict.iter()
                .map(|(k, v)| {
                    assert_eq!(k.arg, *v);
                    *v
                })
                .collect()
        ),
        all
    );
    assert_eq!(
        sorted((&dict).into_iter().map(|(k, _)| k.arg).collect()),
        all
    );
    assert_eq!(sorted(dict.keys().map(|k| k.arg).collect()), all);
    assert_eq!(sorted(dict.values().copied().collect()), all);
    // keyrefs
    let refs = dict.keyrefs();
    assert_eq!(refs.len(), objects.len());
    let mut objects2: Vec<_> = objects.clone();
    for wr in &refs {
        let ob = wr.get().unwrap();
        assert!(dict.contains_key(&ob));
        assert_eq!(ob.arg, dict[&ob]);
        objects2.retain(|o| !Strong::ptr_eq(o, &ob));
    }
    assert!(objects2.is_empty());
    // mutable iteration
    for (k, v) in &mut dict {
        *v += k.arg;
    }
    dict.values_mut().for_each(|v| *v += 1);
    assert!(objects.iter().all(|o| dict[o] == 2 * o.arg + 1));
}

/// CPython's `check_weak_destroy_while_iterating`: the iterator made by
/// `iter` yields one item, then the last of `objects` dies while it is
/// suspended; `len` drops by one at once, and the iterator yields the rest
/// (the dead entry too only if the iterator had already passed it).
pub(super) fn check_weak_destroy_while_iterating<'d, I: Iterator>(
    dict: &'d WeakKeyDictionary<Object, u32>,
    objects: &mut Vec<Strong<Object>>,
    iter: impl FnOnce(&'d WeakKeyDictionary<Object, u32>) -> I,
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

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_keys_destroy_while_iterating
// (Issue 7105: check_weak_destroy_while_iterating with keys, items, values
// and keyrefs in turn, on one dictionary.)
#[test]
fn weak_keys_destroy_while_iterating() {
    let (dict, mut objects) = make_weak_keyed_dict();
    check_weak_destroy_while_iterating(&dict, &mut objects, WeakKeyDictionary::keys);
    check_weak_destroy_while_iterating(&dict, &mut objects, WeakKeyDictionary::iter);
    check_weak_destroy_while_iterating(&dict, &mut objects, WeakKeyDictionary::values);
    check_weak_destroy_while_iterating(&dict, &mut objects, |d| d.keyrefs().into_iter());
    assert_eq!(dict.len(), COUNT as usize - 4);
    // Every key dies while an iterator is suspended: it stops.
    let mut it = dict.keys();
    drop(it.next().unwrap());
    objects.clear();
    assert_eq!(it.count(), 0);
    assert_eq!(dict.len(), 0);
}

/// CPython's `testcontext` of test_weak_keys_destroy_while_iterating: starts
/// `$dict.iter()`, takes one entry, kills the last of `$objects` while the
/// iterator is suspended, and binds `$k` to an equal live key (a new
/// object) and `$v` to its value. `$during` runs with the iterator alive.
/// Rust's borrows forbid a `&mut` call while an iterator borrows the
/// dictionary (ui/fail/weak-dict-insert-while-iterating.rs), so the
/// mutations CPython makes inside the context run in `$after`, right after
/// the iterator is dropped, while the dead entry may still await collection.
/// Evaluates to `($k, $v)`.
macro_rules! testcontext {
    ($dict:ident, $objects:ident, |$k:ident, $v:ident| $during:block then $after:block) => {{
        let ($k, $v);
        {
            let mut it = $dict.iter();
            drop(it.next().expect("a first entry"));
            // Schedule a key/value for removal and recreate it.
            $v = $objects.pop().expect("an object to kill").arg;
            $k = object($v);
            assert!(
                !$dict.contains_key(&$k),
                "dead while the iterator is suspended"
            );
            $during
        }
        $after($k, $v)
    }};
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_keys_destroy_while_iterating
// (check_weak_destroy_and_mutate_while_iterating: explicit mutations do not
// interfere with the removal of the dead entry.)
#[test]
fn weak_keys_destroy_and_mutate_while_iterating() {
    let (mut dict, mut objects) = make_weak_keyed_dict();
    testcontext!(dict, objects, |k, _v| { assert!(!dict.contains_key(&k)) } then {});
    let (k, _) = testcontext!(dict, objects, |k, _v| {} then {
        assert_eq!(dict.remove(&k), None); // del dict[k]: KeyError
    });
    assert!(!dict.contains_key(&k));
    let (k, _) = testcontext!(dict, objects, |k, _v| {} then {
        assert_eq!(dict.remove_entry(&k), None); // dict.pop(k): KeyError
    });
    assert!(!dict.contains_key(&k));
    let (k, v) = testcontext!(dict, objects, |k, v| {} then {
        assert_eq!(dict.insert(&k, v), None); // dict[k] = v
    });
    assert_eq!(dict[&k], v);
    assert!(
        Strong::ptr_eq(&dict.get_key_value(&k).unwrap().0, &k),
        "the new key, not the dead equal one"
    );
    let ddict = dict.clone();
    testcontext!(dict, objects, |_k, _v| {} then {
        dict.extend(ddict.iter().map(|(k, v)| (k, *v))); // dict.update(ddict)
    });
    assert!(dict == ddict);
    assert_eq!(dict.len(), ddict.len());
    testcontext!(dict, objects, |_k, _v| {} then { dict.clear() });
    assert_eq!(dict.len(), 0);
    drop(k);
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_keys_destroy_while_iterating
// (check_weak_del_and_len_while_iterating, issue 21173: `len` stays exact
// when entries go both by death and by explicit removal. CPython relies on
// its insertion order so that explicit removals never take an entry whose
// key a later context kills; here each explicitly removed key is dropped
// from `objects` instead.)
#[test]
fn weak_keys_del_and_len_while_iterating() {
    let (mut dict, mut objects) = make_weak_keyed_dict();
    let o = object(123_456);
    let n = std::cell::Cell::new(0);
    let forget = |objects: &mut Vec<Strong<Object>>, key: &Strong<Object>| {
        objects.retain(|x| !Strong::ptr_eq(x, key));
    };
    testcontext!(dict, objects, |_k, _v| { n.set(dict.len()) } then {
        let n = n.get();
        let first = dict.keys().next().unwrap();
        assert!(dict.remove(&first).is_some()); // dict.pop(next(dict.keys()))
        forget(&mut objects, &first);
        assert_eq!(dict.len(), n - 1);
        dict.insert(&o, o.arg); // dict[o] = o
        assert_eq!(dict.len(), n);
    });
    let n = n.get();
    assert_eq!(n, COUNT as usize - 1);
    // The last item in objects was removed from dict in context shutdown.
    testcontext!(dict, objects, |_k, _v| { assert_eq!(dict.len(), n - 1) } then {
        let (key, _) = dict.popitem().unwrap();
        forget(&mut objects, &key);
        assert_eq!(dict.len(), n - 2);
    });
    testcontext!(dict, objects, |_k, _v| { assert_eq!(dict.len(), n - 3) } then {
        let first = dict.keys().next().unwrap();
        assert!(dict.remove(&first).is_some()); // del dict[next(dict.keys())]
        forget(&mut objects, &first);
        assert_eq!(dict.len(), n - 4);
    });
    testcontext!(dict, objects, |_k, _v| { assert_eq!(dict.len(), n - 5) } then {
        let (key, _) = dict.popitem().unwrap();
        forget(&mut objects, &key);
        assert_eq!(dict.len(), n - 6);
    });
    testcontext!(dict, objects, |_k, _v| {} then {
        dict.clear();
        assert_eq!(dict.len(), 0);
    });
    assert_eq!(dict.len(), 0);
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_keyed_len_cycles
// (check_len_cycles.) Without a cycle collector the keys die as their last
// `Strong` goes; what remains is the point of the test: `len` while an iterator
// is suspended counts exactly the entry whose key the one who iterated still
// holds (CPython allows 0 or 1), and 0 once it is dropped.
#[test]
fn weak_keyed_len_while_an_iterator_holds_one_key() {
    const N: u32 = 20;
    let items: Vec<_> = (0..N).map(object).collect();
    let dct: WeakKeyDictionary<Object, u32> = items.iter().map(|o| (o, 1)).collect();
    let n1 = {
        // Keep an iterator alive, with the key it yielded.
        let mut it = dct.iter();
        let _held = it.next();
        drop(items);
        dct.len()
    };
    let n2 = dct.len();
    assert!(n1 == 0 || n1 == 1, "{n1}");
    assert_eq!(n1, 1, "exactly the held key");
    assert_eq!(n2, 0);
}

// CPython 3.11: test_weakref.py MappingTestCase.test_make_weak_keyed_dict_from_dict
#[test]
fn make_weak_keyed_dict_from_pairs() {
    let o = object(3);
    let dict: WeakKeyDictionary<Object, u32> = [(&o, 364)].into_iter().collect();
    assert_eq!(dict[&o], 364);
    let dict: WeakKeyDictionary<Object, u32> = [(o.clone(), 365)].into_iter().collect();
    assert_eq!(dict[&o], 365);
}

// CPython 3.11: test_weakref.py MappingTestCase.test_make_weak_keyed_dict_from_weak_keyed_dict
#[test]
fn make_weak_keyed_dict_from_weak_keyed_dict() {
    let o = object(3);
    let mut dict = WeakKeyDictionary::new();
    dict.insert(&o, 364);
    let dict2: WeakKeyDictionary<Object, u32> = dict.iter().map(|(k, v)| (k, *v)).collect();
    assert_eq!(dict2[&o], 364);
    assert!(dict2 == dict);
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_keyed_dict_popitem
// (check_popitem)
#[test]
fn weak_keyed_dict_popitem() {
    let (key1, key2) = (object(1), object(2));
    let mut dict = WeakKeyDictionary::new();
    dict.insert(&key1, "value1");
    dict.insert(&key2, "value2");
    assert_eq!(dict.len(), 2);
    let (k, v) = dict.popitem().unwrap();
    assert_eq!(dict.len(), 1);
    if Strong::ptr_eq(&k, &key1) {
        assert_eq!(v, "value1");
    } else {
        assert_eq!(v, "value2");
    }
    let (k2, v2) = dict.popitem().unwrap();
    assert_eq!(dict.len(), 0);
    assert!(!Strong::ptr_eq(&k, &k2));
    if Strong::ptr_eq(&k2, &key1) {
        assert_eq!(v2, "value1");
    } else {
        assert!(Strong::ptr_eq(&k2, &key2));
        assert_eq!(v2, "value2");
    }
    assert!(dict.popitem().is_none());
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_keyed_dict_update
// (check_update)
#[test]
fn weak_keyed_dict_update() {
    let keys: Vec<_> = (1..=3).map(object).collect();
    let mut d = WeakKeyDictionary::new();
    d.extend(keys.iter().map(|k| (k, k.arg)));
    for k in &keys {
        assert_eq!(d[k], k.arg);
    }
    d.extend([(keys[0].clone(), 10), (object(9), 9)]);
    assert_eq!(d[&keys[0]], 10);
    assert_eq!(d.len(), 3); // the temporary key died at once
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_keyed_delitem
#[test]
fn weak_keyed_delitem() {
    let (o1, o2) = (object(1), object(2));
    let mut d = WeakKeyDictionary::new();
    d.insert(&o1, "something");
    d.insert(&o2, "something");
    assert_eq!(d.len(), 2);
    assert_eq!(d.remove(&o1), Some("something"));
    assert_eq!(d.len(), 1);
    let keys: Vec<_> = d.keys().collect();
    assert_eq!(keys.len(), 1);
    assert!(Strong::ptr_eq(&keys[0], &o2));
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_keyed_bad_delitem
// A missing key: `del d[o]` and `d[o]` fail (here: `None`, and the `Index`
// panic below). The TypeError half (a key `13` that cannot be weakly
// referenced) does not type-check in Rust.
#[test]
fn weak_keyed_bad_delitem() {
    let mut d: WeakKeyDictionary<Object, u32> = WeakKeyDictionary::new();
    let o = object(1);
    // An object not in the dictionary.
    assert_eq!(d.remove(&o), None);
    assert_eq!(d.get(&o), None);
    assert_eq!(d.remove_entry(&o), None);
    assert!(d.get_mut(&o).is_none());
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_keyed_bad_delitem
// (`d[o]` of a missing key: KeyError, here a panic.)
#[test]
#[should_panic(expected = "key not found")]
fn index_of_a_missing_key_panics() {
    let d: WeakKeyDictionary<Object, u32> = WeakKeyDictionary::new();
    let _ = d[&object(1)];
}

/// A value that owns the last strong reference to another key.
pub(super) struct Holds(
    #[allow(dead_code)] Option<Strong<Object>>,
    Strong<AtomicUsize>,
);

impl Drop for Holds {
    fn drop(&mut self) {
        self.1.fetch_add(1, Ordering::SeqCst);
    }
}

/// `n` keys; the value of key i holds key i + 1. Returns key 0 and the
/// dictionary.
pub(super) fn chain(
    n: u32,
    drops: &Strong<AtomicUsize>,
) -> (Strong<Object>, WeakKeyDictionary<Object, Holds>) {
    let mut d = WeakKeyDictionary::with_capacity(n as usize);
    let first = object(0);
    let mut key = first.clone();
    for i in 1..=n {
        let next = (i < n).then(|| object(i));
        d.insert(&key, Holds(next.clone(), drops.clone()));
        match next {
            Some(next) => key = next,
            None => break,
        }
    }
    (first, d)
}

#[test]
fn values_holding_keys_cascade_on_remove() {
    let drops = Strong::new(AtomicUsize::new(0));
    let (first, mut d) = chain(100, &drops);
    assert_eq!(d.len(), 100);
    let value = d.remove(&first).unwrap();
    assert_eq!(d.len(), 99);
    drop(value); // kills key 1: its entry is dead, its value not yet dropped
    assert_eq!(d.len(), 98);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    d.insert(&first, Holds(None, drops.clone())); // collects the whole chain
    assert_eq!(drops.load(Ordering::SeqCst), 100);
    assert_eq!(d.len(), 1);
}

#[test]
fn values_holding_keys_cascade_on_clear_and_death() {
    let drops = Strong::new(AtomicUsize::new(0));
    let (first, mut d) = chain(100, &drops);
    d.clear();
    assert_eq!(drops.load(Ordering::SeqCst), 100);
    assert!(d.is_empty());
    drop(first);

    let drops = Strong::new(AtomicUsize::new(0));
    let (first, mut d) = chain(100, &drops);
    drop(first);
    assert_eq!(d.len(), 99); // key 0 died; the rest are held by values
    d.retain(|_, _| true);
    assert_eq!(drops.load(Ordering::SeqCst), 100);
    assert!(d.is_empty());
}

// Re-entrancy: a value's `Drop` kills another entry during insert/remove.
#[test]
fn value_drop_kills_another_entry_during_insert_and_remove() {
    let drops = Strong::new(AtomicUsize::new(0));
    let (a, b) = (object(1), object(2));
    let mut d = WeakKeyDictionary::new();
    d.insert(&a, Holds(Some(b.clone()), drops.clone()));
    d.insert(&b, Holds(None, drops.clone()));
    drop(b); // now only a's value holds b
    // Replacing a's value returns the old one; dropping it kills b.
    let old = d.insert(&a, Holds(None, drops.clone()));
    drop(old);
    assert_eq!(d.len(), 1);
    assert_eq!(d.remove(&a).map(|_| ()), Some(()));
    assert!(d.is_empty());
    assert_eq!(drops.load(Ordering::SeqCst), 3);
}

// A callback (`Ref::with_callback` on a key) touches another dictionary.
#[test]
fn key_callback_touching_another_dictionary() {
    let other = Strong::new(Mutex::new(WeakKeyDictionary::<Object, u32>::new()));
    let k = object(1);
    let mut d = WeakKeyDictionary::new();
    d.insert(&k, 1);
    other.lock().unwrap().insert(&k, 2);
    let o = other.clone();
    let seen = Strong::new(Mutex::new(None));
    let s = seen.clone();
    let _r = Ref::with_callback(&k, move |_| {
        let mut o = o.lock().unwrap();
        let fresh = object(9);
        o.insert(&fresh, 9);
        *s.lock().unwrap() = Some(o.len());
    });
    drop(k);
    assert_eq!(*seen.lock().unwrap(), Some(1)); // the dead key was gone already
    assert!(d.is_empty());
    assert!(other.lock().unwrap().is_empty());
}

#[test]
fn getweakrefcount_counts_one_per_dictionary() {
    let k = object(1);
    let mut ds: Vec<WeakKeyDictionary<Object, ()>> = Vec::new();
    for i in 0..4 {
        let mut d = WeakKeyDictionary::new();
        d.insert(&k, ());
        d.insert(&k, ()); // same key: still one weak reference
        ds.push(d);
        assert_eq!(getweakrefcount(&k), i + 1);
    }
    ds[0].remove(&k);
    assert_eq!(getweakrefcount(&k), 3);
    drop(ds);
    assert_eq!(getweakrefcount(&k), 0);
}

// CPython 3.11: test_weakref.py MappingTestCase.test_make_weak_keyed_dict_repr
// (Python's `<WeakKeyDictionary at 0x..>`; `Debug` prints the live entries
// as a map does.)
#[test]
fn debug_shows_the_live_entries() {
    let (a, b) = (object(1), object(2));
    let mut d = WeakKeyDictionary::new();
    d.insert(&a, "one");
    d.insert(&b, "two");
    drop(b);
    let shown = format!("{d:?}");
    assert!(shown.starts_with("{Object { arg: 1"), "{shown}");
    assert!(shown.ends_with(": \"one\"}"), "{shown}");
}

#[test]
fn equality_is_over_live_entries() {
    let (a, b) = (object(1), object(2));
    let mut d1 = WeakKeyDictionary::new();
    d1.insert(&a, 1);
    let mut d2 = WeakKeyDictionary::new();
    d2.insert(&object(1), 1); // dies at once
    assert!(d1 != d2);
    d2.insert(&a, 1);
    d1.insert(&b, 2);
    assert!(d1 != d2);
    drop(b);
    assert!(d1 == d2);
}

// DESIGN 9b: a key moved out of its `Strong` is dead at once for lookups and
// iteration; its entry is dropped when the moved value is dropped.
#[test]
fn key_moved_out_of_its_arc() {
    let (a, b) = (object(1), object(2));
    let mut d = WeakKeyDictionary::new();
    d.insert(&a, "a");
    d.insert(&b, "b");
    let moved = Strong::try_unwrap(a).unwrap();
    assert!(!d.contains_key(&moved));
    assert!(d.get(&object(1)).is_none());
    assert_eq!(d.iter().count(), 1);
    assert_eq!(d.keyrefs().len(), 1);
    drop(moved);
    assert_eq!(d.len(), 1);
    d.insert(&b, "b2");
    assert_eq!(d.len(), 1);
    assert_eq!(d[&b], "b2");
}

// DESIGN 13: inside callbacks, the dictionary already excludes a dead key —
// the key's own callback, and a death set off inside another callback.
#[test]
fn len_is_exact_inside_callbacks() {
    let d = Strong::new(Mutex::new(WeakKeyDictionary::<Object, u32>::new()));
    let (a, b) = (object(1), object(2));
    d.lock().unwrap().insert(&a, 1);
    d.lock().unwrap().insert(&b, 2);
    let seen = Strong::new(Mutex::new(Vec::new()));
    // a's own callback sees a gone.
    let (d1, s1) = (d.clone(), seen.clone());
    let _ra = Ref::with_callback(&a, move |_| {
        s1.lock().unwrap().push(d1.lock().unwrap().len());
    });
    // c's callback kills b (its last strong reference) and looks at once.
    let c = object(3);
    let holder = Strong::new(Mutex::new(Some(b)));
    let (d2, s2, h) = (d.clone(), seen.clone(), holder.clone());
    let _rc = Ref::with_callback(&c, move |_| {
        drop(h.lock().unwrap().take());
        s2.lock().unwrap().push(d2.lock().unwrap().len());
    });
    drop(a);
    drop(c);
    assert_eq!(*seen.lock().unwrap(), [1, 0]);
    assert!(d.lock().unwrap().is_empty());
}

// CPython 3.11: test_weakref.py MappingTestCase.test_weak_keyed_union_operators
// Python's `C()` objects hash by identity, so this holds in both key modes.
// `wkd | dict` and `wkd |= pairs` take a plain mapping or pairs in Python;
// here those go through `Extend` (`d.extend(pairs)` is `d |= pairs`), and
// `d1 | wkd` (`__ror__`) is a copy of the plain map extended by `wkd`.
#[test]
fn weak_keyed_union_operators() {
    let (o1, o2, o3) = (object(1), object(2), object(3));
    let pairs_of = |d: &WeakKeyDictionary<Object, String>| {
        let mut v: Vec<(u32, String)> = d.iter().map(|(k, v)| (k.arg, v.clone())).collect();
        v.sort();
        v
    };
    let mut wkd1: WeakKeyDictionary<Object, String> =
        [(&o1, "1".to_owned()), (&o2, "2".to_owned())]
            .into_iter()
            .collect();
    let mut wkd2: WeakKeyDictionary<Object, String> =
        [(&o3, "3".to_owned()), (&o1, "4".to_owned())]
            .into_iter()
            .collect();
    let wkd3 = wkd1.clone();
    let d1 = [(&o2, "5".to_owned()), (&o3, "6".to_owned())];
    let pairs = [(&o2, "7".to_owned()), (&o3, "8".to_owned())];

    let tmp1 = &wkd1 | &wkd2; // between two WeakKeyDictionaries
    assert_eq!(
        pairs_of(&tmp1),
        [(1, "4".into()), (2, "2".into()), (3, "3".into())]
    );
    wkd1 |= &wkd2;
    assert!(wkd1 == tmp1);

    let mut tmp2 = wkd2.clone(); // between a WeakKeyDictionary and a mapping
    tmp2.extend(d1.clone());
    assert_eq!(
        pairs_of(&tmp2),
        [(1, "4".into()), (2, "5".into()), (3, "6".into())]
    );
    wkd2.extend(d1.clone());
    assert!(wkd2 == tmp2);

    let mut tmp3 = wkd3.clone(); // between a WeakKeyDictionary and pairs
    tmp3.extend(pairs.clone());
    assert_eq!(
        pairs_of(&tmp3),
        [(1, "1".into()), (2, "7".into()), (3, "8".into())]
    );

    let mut tmp4: WeakKeyDictionary<Object, String> = d1.clone().into_iter().collect();
    tmp4 |= &wkd3; // `d1 | wkd3`: the right side wins
    assert_eq!(
        pairs_of(&tmp4),
        [(1, "1".into()), (2, "2".into()), (3, "6".into())]
    );
    // The results hold their keys weakly, as Python's `type(tmp) is WeakKeyDictionary`.
    drop((o1, o2, o3));
    assert!(tmp1.is_empty() && tmp2.is_empty() && tmp3.is_empty() && tmp4.is_empty());
}

// The entry API: a live key is occupied (holding the stored key); after the
// key's death its entry is vacant, and a new key makes a new entry.
#[test]
fn entry_api() {
    use weakref::weak_key_dictionary::Entry;
    let a = object(1);
    let mut d: WeakKeyDictionary<Object, Vec<u32>> = WeakKeyDictionary::new();
    d.entry(&a).or_default().push(1);
    d.entry(&a)
        .or_insert_with(|| unreachable!("occupied"))
        .push(2);
    d.entry(&a)
        .and_modify(|v| v.push(3))
        .or_insert_with(|| unreachable!());
    assert_eq!(d[&a], [1, 2, 3]);
    match d.entry(&a) {
        Entry::Occupied(mut o) => {
            assert!(Strong::ptr_eq(o.key(), &a));
            assert_eq!(o.insert(vec![9]), [1, 2, 3]);
        }
        Entry::Vacant(_) => panic!("a live key is occupied"),
    }
    assert_eq!(*d.entry(&a).or_insert_with_key(|k| vec![k.arg]), [9]);
    if let Entry::Occupied(o) = d.entry(&a) {
        assert_eq!(o.remove(), [9]);
    }
    assert!(d.is_empty() && getweakrefcount(&a) == 0);
    let b = object(2);
    d.entry(&b).or_insert_with(|| vec![2]);
    drop(b);
    assert!(d.is_empty());
    let b = object(2);
    assert!(matches!(d.entry(&b), Entry::Vacant(_)));
    d.entry(&b).or_default();
    assert_eq!(d.len(), 1);
}
