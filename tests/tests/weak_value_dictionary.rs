//! `WeakValueDictionary`: CPython's `MappingTestCase` cases for weak-valued
//! dictionaries (Lib/test/test_weakref.py), plus re-entrancy and the death
//! bookkeeping. Threaded cases live in `dictionary_threads.rs`.

use std::sync::{Arc, Mutex};

use weakref::{Header, Ref, Referent, WeakValueDictionary, getweakrefcount};

#[derive(Referent, Debug, PartialEq, Eq, Hash)]
struct Object {
    arg: u32,
    header: Header,
}

fn object(arg: u32) -> Arc<Object> {
    Arc::new(Object {
        arg,
        header: Header::new(),
    })
}

const COUNT: u32 = 10;

/// CPython's `make_weak_valued_dict`: `dict[o.arg] = o` for COUNT objects.
fn make_weak_valued_dict() -> (WeakValueDictionary<u32, Object>, Vec<Arc<Object>>) {
    let objects: Vec<_> = (0..COUNT).map(object).collect();
    let mut dict = WeakValueDictionary::new();
    for o in &objects {
        dict.insert(o.arg, o);
    }
    (dict, objects)
}

// test_weak_values
#[test]
fn weak_values() {
    let (dict, mut objects) = make_weak_valued_dict();
    for o in &objects {
        assert_eq!(getweakrefcount(o), 1, "wrong number of weak references");
        assert!(Arc::ptr_eq(o, &dict.get(&o.arg).unwrap()));
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
}

// test_weak_valued_iters (check_iters, check_weak_destroy_while_iterating)
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
        assert!(Arc::ptr_eq(&dict.get(&o.arg).unwrap(), &o));
    }
}

// test_weak_values_destroy_while_iterating
#[test]
fn weak_values_destroy_while_iterating() {
    for which in 0..3 {
        let (dict, objects) = make_weak_valued_dict();
        let holder = Mutex::new(objects);
        let mut yielded = 0;
        match which {
            0 => {
                let mut it = dict.iter();
                let (_, first) = it.next().unwrap();
                drop(first);
                // Kill a value the iterator has not reached (or has).
                holder.lock().unwrap().pop();
                yielded = 1 + it.count();
            }
            1 => {
                let mut it = dict.values();
                it.next().unwrap();
                holder.lock().unwrap().pop();
                yielded += 1 + it.count();
            }
            _ => {
                let mut it = dict.keys();
                it.next().unwrap();
                holder.lock().unwrap().pop();
                yielded += 1 + it.count();
            }
        }
        let n = COUNT as usize;
        assert!(yielded == n || yielded == n - 1, "yielded {yielded}");
        assert_eq!(dict.len(), n - 1);
        // Every value dies while an iterator is suspended: it stops.
        let mut it = dict.iter();
        it.next().unwrap();
        holder.lock().unwrap().clear();
        assert_eq!(it.count(), 0);
        assert_eq!(dict.len(), 0);
    }
}

// test_make_weak_valued_dict_from_dict
#[test]
fn make_weak_valued_dict_from_pairs() {
    let o = object(3);
    let dict: WeakValueDictionary<u32, Object> = [(364, o.clone())].into_iter().collect();
    assert!(Arc::ptr_eq(&dict.get(&364).unwrap(), &o));
}

// test_make_weak_valued_dict_from_weak_valued_dict
#[test]
fn make_weak_valued_dict_from_weak_valued_dict() {
    let o = object(3);
    let mut dict = WeakValueDictionary::new();
    dict.insert(364, &o);
    let dict2: WeakValueDictionary<u32, Object> = dict.iter().map(|(k, v)| (*k, v)).collect();
    assert!(Arc::ptr_eq(&dict2.get(&364).unwrap(), &o));
    let dict3 = dict.clone();
    assert!(dict3 == dict);
}

// test_weak_valued_dict_popitem
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
        assert!(Arc::ptr_eq(&v, &v1));
    } else {
        assert!(Arc::ptr_eq(&v, &v2));
    }
    let (k2, _) = dict.popitem().unwrap();
    assert_ne!(k, k2);
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

// test_weak_valued_dict_setdefault (check_setdefault)
#[test]
fn weak_valued_dict_setdefault() {
    let (value1, value2) = (object(1), object(2));
    let mut d = WeakValueDictionary::new();
    let o = d.setdefault("key", &value1);
    assert!(Arc::ptr_eq(&o, &value1));
    drop(o);
    assert!(d.contains_key("key"));
    assert!(Arc::ptr_eq(&d.get("key").unwrap(), &value1));
    let o = d.setdefault("key", &value2);
    assert!(Arc::ptr_eq(&o, &value1));
    assert!(Arc::ptr_eq(&d.get("key").unwrap(), &value1));
    // A dead value counts as missing.
    drop((o, value1));
    let o = d.setdefault("key", &value2);
    assert!(Arc::ptr_eq(&o, &value2));
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
    assert!(Arc::ptr_eq(&a, &b));
    drop((a, b));
    assert!(cache.is_empty());
    let c = cache.get_or_insert_with(1, || {
        made.push(2);
        object(1)
    });
    assert_eq!(made, [1, 2]);
    assert_eq!(cache.len(), 1);
    assert!(Arc::ptr_eq(&cache.get(&1).unwrap(), &c));
}

// test_weak_valued_dict_update (check_update)
#[test]
fn weak_valued_dict_update() {
    let objects: Vec<_> = (1..=3).map(object).collect();
    let mut d = WeakValueDictionary::new();
    d.extend(objects.iter().map(|o| (o.arg, o)));
    for o in &objects {
        assert!(Arc::ptr_eq(&d.get(&o.arg).unwrap(), o));
    }
    d.extend([(1, objects[2].clone()), (9, object(9))]);
    assert!(Arc::ptr_eq(&d.get(&1).unwrap(), &objects[2]));
    // The temporary object 9 died at once.
    assert_eq!(d.len(), 3);
    assert!(!d.contains_key(&9));
}

// test_weak_valued_delitem
#[test]
fn weak_valued_delitem() {
    let (o1, o2) = (object(1), object(2));
    let mut d = WeakValueDictionary::new();
    d.insert("something", &o1);
    d.insert("something else", &o2);
    assert_eq!(d.len(), 2);
    assert!(Arc::ptr_eq(&d.remove("something").unwrap(), &o1));
    assert_eq!(d.len(), 1);
    let items: Vec<_> = d.iter().map(|(k, v)| (*k, v.arg)).collect();
    assert_eq!(items, [("something else", 2)]);
    assert!(d.remove("something").is_none());
}

// test_threaded_weak_valued_pop, deterministic part: a dead value is missing.
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

// test_weak_valued_consistency (CPython issue 28427), deterministic: an old
// value's weak reference outlives its replacement.
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
    assert!(Arc::ptr_eq(&d.get(&10).unwrap(), &b));
    d.insert(11, &b); // a `&mut` operation: collects
    assert!(Arc::ptr_eq(&d.get(&10).unwrap(), &b));
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
        assert!(Arc::ptr_eq(&d.get(&10).unwrap(), &new));
        keep.push(new);
    }
    assert_eq!(d.len(), 1);
}

#[test]
fn replacing_with_the_same_value_keeps_one_weak_reference() {
    let a = object(1);
    let mut d = WeakValueDictionary::new();
    d.insert(1, &a);
    assert!(Arc::ptr_eq(&d.insert(1, &a).unwrap(), &a));
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
    let dropped = Arc::new(Mutex::new(Vec::new()));
    #[derive(PartialEq, Eq, Hash)]
    struct Key(u32, DropLog);
    struct DropLog(Arc<Mutex<Vec<u32>>>, u32);
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

// test_weak_valued_dict repr, as Debug.
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
        _next: Option<Arc<Object>>,
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
    let other = Arc::new(Mutex::new(WeakValueDictionary::<u32, Object>::new()));
    let b = object(2);
    other.lock().unwrap().insert(2, &b);
    let a = object(1);
    let mut d = WeakValueDictionary::new();
    d.insert(1, &a);
    let seen = Arc::new(Mutex::new(None));
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
    let s: Arc<dyn Shape> = Arc::new(Square(3, Header::new()));
    let mut d: WeakValueDictionary<&str, dyn Shape> = WeakValueDictionary::new();
    d.insert("sq", &s);
    assert_eq!(d.get("sq").unwrap().area(), 9);
    drop(s);
    assert!(d.is_empty());
}

#[test]
fn send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<WeakValueDictionary<String, Object>>();
    check::<<&WeakValueDictionary<String, Object> as IntoIterator>::IntoIter>();
}

// DESIGN 9b: a value moved out of its `Arc` is dead at once for lookups and
// iteration; its entry is dropped when the moved value is dropped.
#[test]
fn value_moved_out_of_its_arc() {
    let (a, b) = (object(1), object(2));
    let mut d = WeakValueDictionary::new();
    d.insert(1, &a);
    d.insert(2, &b);
    let moved = Arc::try_unwrap(a).unwrap();
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
