//! `WeakSet`: the cases of CPython's Lib/test/test_weakset.py that apply.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use weakref::{Header, Referent, WeakSet, getweakrefcount};

#[derive(Referent, Debug, PartialEq, Eq, Hash)]
struct Obj {
    n: u32,
    header: Header,
}

fn obj(n: u32) -> Arc<Obj> {
    Arc::new(Obj {
        n,
        header: Header::new(),
    })
}

/// CPython's setUp: `items` and `items2` sets of objects, `s = WeakSet(items)`.
fn fixture() -> (Vec<Arc<Obj>>, Vec<Arc<Obj>>, WeakSet<Obj>) {
    let items: Vec<_> = (0..3).map(obj).collect();
    let items2: Vec<_> = (3..6).map(obj).collect();
    let s = items.iter().collect();
    (items, items2, s)
}

fn ns(s: &WeakSet<Obj>) -> Vec<u32> {
    let mut v: Vec<_> = s.iter().map(|o| o.n).collect();
    v.sort_unstable();
    v
}

// test_new_or_init, test_len
#[test]
fn len_drops_dead_items() {
    let (mut items, _, s) = fixture();
    assert_eq!(s.len(), 3);
    items.pop();
    assert_eq!(s.len(), 2);
    drop(items);
    assert_eq!(s.len(), 0);
    assert!(s.is_empty());
}

// test_contains
#[test]
fn contains_drops_dead_items() {
    let (items, items2, s) = fixture();
    for i in &items {
        assert!(s.contains(i));
    }
    for i in &items2 {
        assert!(!s.contains(i));
    }
    let equal = obj(1);
    assert!(s.contains(&equal)); // membership by equality
    let x = obj(99);
    let mut s = s;
    s.insert(&x);
    assert!(s.contains(&x));
    drop(x);
    assert!(!s.contains(&obj(99)));
}

// test_union, test_or
#[test]
fn union() {
    let (items, items2, s) = fixture();
    let other: WeakSet<Obj> = items2.iter().collect();
    let u = s.union(&other);
    assert_eq!(ns(&u), [0, 1, 2, 3, 4, 5]);
    assert!(u == &s | &other);
    drop(items);
    assert_eq!(ns(&u), [3, 4, 5]);
}

// test_intersection, test_and
#[test]
fn intersection() {
    let (items, items2, s) = fixture();
    let other: WeakSet<Obj> = [&items[0], &items2[0]].into_iter().collect();
    let i = s.intersection(&other);
    assert_eq!(ns(&i), [0]);
    assert!(i == &s & &other);
    assert!(s.intersection(&WeakSet::new()).is_empty());
}

// test_difference, test_sub
#[test]
fn difference() {
    let (items, items2, s) = fixture();
    let other: WeakSet<Obj> = [&items[0], &items2[0]].into_iter().collect();
    let d = s.difference(&other);
    assert_eq!(ns(&d), [1, 2]);
    assert!(d == &s - &other);
}

// test_symmetric_difference, test_xor
#[test]
fn symmetric_difference() {
    let (items, items2, s) = fixture();
    let other: WeakSet<Obj> = [&items[0], &items2[0]].into_iter().collect();
    let x = s.symmetric_difference(&other);
    assert_eq!(ns(&x), [1, 2, 3]);
    assert!(x == &s ^ &other);
}

// test_sub_and_super, test_lt, test_gt, test_isdisjoint
#[test]
fn subsets_supersets_disjoint() {
    let (items, items2, s) = fixture();
    let small: WeakSet<Obj> = [&items[0]].into_iter().collect();
    let other: WeakSet<Obj> = items2.iter().collect();
    assert!(small.is_subset(&s));
    assert!(s.is_superset(&small));
    assert!(!s.is_subset(&small));
    assert!(s.is_subset(&s) && s.is_superset(&s));
    assert!(s.is_disjoint(&other));
    assert!(!s.is_disjoint(&small));
    assert!(WeakSet::<Obj>::new().is_subset(&s));
}

// test_add, test_remove, test_discard, test_pop
#[test]
fn add_remove_pop() {
    let (items, _, mut s) = fixture();
    let x = obj(10);
    assert!(s.insert(&x));
    assert!(!s.insert(&x));
    assert!(!s.insert(&obj(10))); // an equal element is already there
    assert_eq!(s.len(), 4);
    assert!(s.remove(&x));
    assert!(!s.remove(&x)); // Python's remove raises KeyError: here false
    assert!(s.take(&items[0]).is_some());
    assert!(s.take(&items[0]).is_none());
    let mut popped = Vec::new();
    while let Some(o) = s.pop() {
        popped.push(o.n);
    }
    popped.sort_unstable();
    assert_eq!(popped, [1, 2]);
    assert!(s.pop().is_none());
}

// test_update, test_ior, test_iand, test_isub, test_ixor, test_inplace_on_self
#[test]
fn in_place_operators() {
    let (items, items2, s) = fixture();
    let other: WeakSet<Obj> = [&items[0], &items2[0]].into_iter().collect();

    let mut t = s.clone();
    t |= &other;
    assert_eq!(ns(&t), [0, 1, 2, 3]);
    let mut t = s.clone();
    t &= &other;
    assert_eq!(ns(&t), [0]);
    let mut t = s.clone();
    t -= &other;
    assert_eq!(ns(&t), [1, 2]);
    let mut t = s.clone();
    t ^= &other;
    assert_eq!(ns(&t), [1, 2, 3]);

    // With itself (through a copy, as Rust's borrows require).
    let mut t = s.clone();
    t |= &t.clone();
    assert!(t == s);
    t &= &t.clone();
    assert!(t == s);
    t -= &t.clone();
    assert!(t.is_empty());
    let mut t = s.clone();
    t ^= &t.clone();
    assert!(t.is_empty());

    let mut t = WeakSet::new();
    t.extend(&items2);
    t.extend([obj(7)]); // dies at once
    assert_eq!(ns(&t), [3, 4, 5]);
}

// test_clear, test_copy
#[test]
fn clear_and_copy() {
    let (items, _, mut s) = fixture();
    let copy = s.clone();
    s.clear();
    assert!(s.is_empty());
    assert_eq!(copy.len(), 3);
    assert!(items.iter().all(|i| getweakrefcount(i) == 1));
}

// test_eq: only weak sets compare, by their live elements.
#[test]
fn equality() {
    let (mut items, _, s) = fixture();
    let t: WeakSet<Obj> = items[..2].iter().collect();
    assert!(s != t);
    items.pop();
    assert!(s == t);
}

// test_weak_destroy_while_iterating
#[test]
fn weak_destroy_while_iterating() {
    let (items, _, s) = fixture();
    let holder = Mutex::new(items);
    let mut it = s.iter();
    drop(it.next().unwrap());
    holder.lock().unwrap().pop();
    let rest = it.count();
    assert!(rest == 1 || rest == 2, "{rest}");
    assert_eq!(s.len(), 2);
}

// test_len_cycles has no analogue (no cycle collector); test_len_race is in
// dictionary_threads.rs.

#[test]
fn retain_keeps_live_matches() {
    let (items, _, mut s) = fixture();
    s.retain(|o| o.n != 1);
    assert_eq!(ns(&s), [0, 2]);
    drop(items);
    s.retain(|_| true);
    assert!(s.is_empty());
}

#[test]
fn debug_lists_the_live_elements() {
    let (mut items, _, s) = fixture();
    items.truncate(1);
    assert!(format!("{s:?}").starts_with("{Obj { n: 0"));
    assert_eq!(format!("{:?}", WeakSet::<Obj>::new()), "{}");
}

#[test]
fn unsized_elements() {
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
    let p: Arc<dyn Named> = Arc::new(Person("ann", Header::new()));
    let mut s: WeakSet<dyn Named> = WeakSet::new();
    s.insert(&p);
    assert!(s.contains(&Person("ann", Header::new())));
    drop(p);
    assert!(s.is_empty());
}

#[test]
fn send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<WeakSet<Obj>>();
    check::<<&WeakSet<Obj> as IntoIterator>::IntoIter>();
}
