//! The identity collections' cases for `Arc` and `Rc` objects: see
//! `identity_collections.rs`.

use std::cell::Cell;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

use weakref::{Header, Referent};

#[allow(unused_imports)]
use super::*;

/// A referent whose `Hash` and `Eq` panic: identity collections must never
/// call them.
#[derive(Referent, Debug)]
struct Untouchable {
    id: u32,
    header: Header,
}

impl PartialEq for Untouchable {
    fn eq(&self, _: &Self) -> bool {
        panic!("an identity collection called Eq")
    }
}

impl Eq for Untouchable {}

impl Hash for Untouchable {
    fn hash<H: Hasher>(&self, _: &mut H) {
        panic!("an identity collection called Hash")
    }
}

fn untouchable(id: u32) -> Strong<Untouchable> {
    Strong::new(Untouchable {
        id,
        header: Header::new(),
    })
}

trait Observer: Referent {
    fn notify(&self, event: &str) -> String;
}

#[derive(Referent)]
struct Logger {
    name: &'static str,
    header: Header,
}

impl Observer for Logger {
    fn notify(&self, event: &str) -> String {
        format!("{} saw {event}", self.name)
    }
}

/// An observer with interior mutability: not `Sync`, fine in an identity
/// set (`Arc<Counter>` is not `Send` either; the `Arc` flavour only checks
/// single-threaded use here).
#[derive(Referent)]
struct Counter {
    count: Cell<u32>,
    header: Header,
}

impl Observer for Counter {
    fn notify(&self, _: &str) -> String {
        self.count.set(self.count.get() + 1);
        format!("count {}", self.count.get())
    }
}

fn logger(name: &'static str) -> Strong<dyn Observer> {
    Strong::new(Logger {
        name,
        header: Header::new(),
    })
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

// An observer set of `dyn Observer`: observers of different types, notified
// while alive, unsubscribed by their death, `len` exact at once.
#[test]
#[allow(clippy::arc_with_non_send_sync)] // one thread; `Counter` is `!Sync` on purpose
fn observer_set_of_trait_objects() {
    let a = logger("a");
    let counter = Strong::new(Counter {
        count: Cell::new(0),
        header: Header::new(),
    });
    let c: Strong<dyn Observer> = counter.clone();
    let b = logger("b");
    let mut observers = WeakIdentitySet::new();
    assert!(observers.insert(&a));
    assert!(observers.insert(&b));
    assert!(observers.insert(&c));
    assert!(!observers.insert(&a));
    let seen = sorted(observers.iter().map(|o| o.notify("save")).collect());
    assert_eq!(seen, ["a saw save", "b saw save", "count 1"]);
    drop(b);
    assert_eq!(observers.len(), 2);
    let seen = sorted(observers.iter().map(|o| o.notify("quit")).collect());
    assert_eq!(seen, ["a saw quit", "count 2"]);
    assert!(observers.contains(&*c) && observers.contains(&*a));
    assert!(observers.remove(&*c));
    drop((c, counter));
    drop(a);
    assert!(observers.is_empty());
}

// A trait object and its concrete `Strong` are one object: found either way.
#[test]
fn a_trait_object_and_its_concrete_pointer_are_one_key() {
    let concrete = Strong::new(Logger {
        name: "x",
        header: Header::new(),
    });
    let dynamic: Strong<dyn Observer> = concrete.clone();
    let mut d = WeakKeyIdentityDictionary::new();
    d.insert(&dynamic, 1);
    let as_dyn: &dyn Observer = &*concrete;
    assert_eq!(d.get(as_dyn), Some(&1));
    assert_eq!(d.insert(&dynamic, 2), Some(1));
    assert_eq!(d.len(), 1);
}

// DESIGN 18: two equal objects are two keys (and two elements).
#[test]
fn two_equal_objects_are_two_keys() {
    #[derive(Referent, PartialEq, Eq, Hash)]
    struct Point {
        x: i32,
        header: Header,
    }
    let p = |x| {
        Strong::new(Point {
            x,
            header: Header::new(),
        })
    };
    let (a, a_again) = (p(1), p(1));
    assert!(*a == *a_again);
    let mut d = WeakKeyIdentityDictionary::new();
    assert_eq!(d.insert(&a, "a"), None);
    assert_eq!(d.insert(&a_again, "a again"), None);
    assert_eq!(d.len(), 2);
    assert_eq!((d[&*a], d[&*a_again]), ("a", "a again"));
    assert_eq!(d.get(&*p(1)), None);
    let mut s = WeakIdentitySet::new();
    s.extend([&a, &a_again, &a]);
    assert_eq!(s.len(), 2);
    assert!(!s.contains(&*p(1)));
    drop(a);
    assert_eq!((d.len(), s.len()), (1, 1));
    assert_eq!(d[&*a_again], "a again");
}

// DESIGN 18: a referent whose `Hash` and `Eq` panic works in both identity
// types, through every operation that compares or hashes keys.
#[test]
fn hash_and_eq_are_never_called() {
    let (a, b, c) = (untouchable(1), untouchable(2), untouchable(3));
    let mut d = WeakKeyIdentityDictionary::new();
    d.insert(&a, 10);
    d.insert(&b, 20);
    *d.entry(&c).or_insert(0) += 30;
    *d.entry(&a).or_insert(0) += 1;
    assert_eq!(d.setdefault(&b, 0), &20);
    assert!(d.contains_key(&a) && d.get_mut(&b).is_some());
    assert_eq!(d.get_key_value(&c).map(|(k, v)| (k.id, *v)), Some((3, 30)));
    let copy = d.clone();
    assert!(copy == d);
    let union = &copy | &d;
    assert_eq!(union.len(), 3);
    d.retain(|k, _| k.id != 2);
    assert_eq!(d.remove(&a), Some(11));
    assert_eq!(d.remove_entry(&c).map(|(k, v)| (k.id, v)), Some((3, 30)));
    assert!(d.is_empty() && copy.len() == 3);
    assert!(format!("{copy:?}").contains("Untouchable { id: 1"));

    let mut s1 = WeakIdentitySet::new();
    s1.insert(&a);
    s1.insert(&b);
    let s2: WeakIdentitySet<Untouchable> = [&b, &c].into_iter().collect();
    assert_eq!(s1.union(&s2).len(), 3);
    assert_eq!(s1.intersection(&s2).len(), 1);
    assert_eq!(s1.difference(&s2).len(), 1);
    assert_eq!(s1.symmetric_difference(&s2).len(), 2);
    assert!(!s1.is_subset(&s2) && !s1.is_disjoint(&s2));
    assert!(s1.partial_cmp(&s2).is_none() && s1 == s1.clone());
    assert!(s1.remove(&a) && s1.take(&b).is_some() && s1.is_empty());
    drop((a, b, c));
    assert!(copy.is_empty() && union.is_empty() && s2.is_empty());
}

// DESIGN 13 and 18: an entry vanishes at its key's death — `len` exact at
// once, lookups and iteration blind to it — and its value is dropped by the
// next `&mut` operation.
#[test]
fn death_removes_the_entry_at_once_and_drops_the_value_by_the_next_mut() {
    let dropped = Strong::new(Mutex::new(Vec::new()));
    struct Noisy(u32, Strong<Mutex<Vec<u32>>>);
    impl Drop for Noisy {
        fn drop(&mut self) {
            self.1.lock().unwrap().push(self.0);
        }
    }
    let keys: Vec<_> = (0..5).map(untouchable).collect();
    let mut d = WeakKeyIdentityDictionary::new();
    for k in &keys {
        d.insert(k, Noisy(k.id, dropped.clone()));
    }
    let mut keys = keys;
    let gone = keys.remove(2);
    let probe: *const Untouchable = &*gone;
    drop(gone);
    assert_eq!(d.len(), 4);
    assert_eq!(d.iter().count(), 4);
    assert!(d.keys().all(|k| !std::ptr::eq(&*k, probe)));
    assert!(dropped.lock().unwrap().is_empty());
    d.insert(&keys[0], Noisy(100, dropped.clone())); // a `&mut` operation
    assert_eq!(*dropped.lock().unwrap(), [2, 0]);
    drop(keys);
    assert_eq!(d.len(), 0);
    d.clear();
    assert_eq!(dropped.lock().unwrap().len(), 6);
}

// DESIGN 13: a cascade (values holding the last pointers to other keys) is
// finished by the `&mut` operation that drops the first value.
#[test]
fn cascades_finish_in_one_mut_operation() {
    let keys: Vec<_> = (0..50).map(untouchable).collect();
    let mut d = WeakKeyIdentityDictionary::new();
    // Each entry's value holds the next key; only the first key is held here.
    for pair in keys.windows(2) {
        d.insert(&pair[0], Some(pair[1].clone()));
    }
    d.insert(&keys[49], None);
    let first = keys[0].clone();
    drop(keys);
    assert_eq!(d.len(), 50);
    drop(first);
    assert_eq!(d.len(), 49); // only the first key died so far
    d.shrink_to_fit(); // drops its value: the next key dies, and so on
    assert_eq!(d.len(), 0);
    assert_eq!(d.iter().count(), 0);
}

// DESIGN 16: a stale death never removes a newer entry. An entry removed
// and made again for the same object has a new weak reference; the old
// one's death bookkeeping can no longer touch it.
#[test]
fn a_stale_entry_never_removes_a_newer_one() {
    let a = untouchable(1);
    let b = untouchable(2);
    let mut d = WeakKeyIdentityDictionary::new();
    d.insert(&a, "old");
    assert_eq!(d.remove(&a), Some("old"));
    d.insert(&a, "new");
    d.insert(&b, "b");
    assert_eq!(getweakrefcount(&a), 1);
    drop(b);
    assert_eq!(d.len(), 1);
    assert_eq!(d[&*a], "new");
    let mut s = WeakIdentitySet::new();
    s.insert(&a);
    s.clear();
    s.insert(&a);
    drop(a);
    assert!(s.is_empty() && d.is_empty());
}

// The rest of the dictionary's API, by identity.
#[test]
fn dictionary_clone_extend_from_iter_debug_entry_retain() {
    let keys: Vec<_> = (0..4).map(untouchable).collect();
    let mut d: WeakKeyIdentityDictionary<Untouchable, u32> =
        keys.iter().map(|k| (k, k.id)).collect();
    assert_eq!(d.len(), 4);
    d.extend([(keys[0].clone(), 100), (untouchable(9), 9)]);
    assert_eq!((d.len(), d[&*keys[0]]), (4, 100)); // the temporary key died
    let copy = d.clone();
    assert_eq!(getweakrefcount(&keys[1]), 2);
    d.retain(|k, v| {
        *v += 1;
        k.id % 2 == 0
    });
    assert_eq!(d.len(), 2);
    assert_eq!((d[&*keys[0]], d[&*keys[2]]), (101, 3));
    assert_eq!(copy.len(), 4);
    assert!(copy != d);
    d.entry(&keys[1]).or_insert_with(|| 50);
    d.entry(&keys[1]).and_modify(|v| *v *= 2).or_default();
    assert_eq!(d[&*keys[1]], 100);
    let debug = format!("{d:?}");
    assert!(debug.starts_with('{') && debug.contains("id: 1"), "{debug}");
    let (k, v) = d.popitem().unwrap();
    assert!(keys.iter().any(|key| Strong::ptr_eq(key, &k)) && v > 0);
    drop((k, keys));
    assert!(d.is_empty() && copy.is_empty());
}

// The set algebra by identity: equal objects are different elements.
#[test]
// Each comparison operator is exercised on purpose (and `!(a < a)` is
// Python's `assertFalse`).
#[allow(clippy::neg_cmp_op_on_partial_ord, clippy::nonminimal_bool)]
fn set_algebra_is_by_identity() {
    let objs: Vec<_> = (0..4).map(untouchable).collect();
    let ab: WeakIdentitySet<Untouchable> = objs[..2].iter().collect();
    let abc: WeakIdentitySet<Untouchable> = objs[..3].iter().collect();
    let cd: WeakIdentitySet<Untouchable> = objs[2..].iter().collect();
    assert!(ab < abc && ab <= abc && abc > ab && abc >= ab);
    assert!(ab.is_proper_subset(&abc) && abc.is_proper_superset(&ab));
    assert!(!(ab < ab) && ab <= ab && ab.partial_cmp(&cd).is_none());
    assert!(ab.is_disjoint(&cd));
    assert_eq!((&ab | &cd).len(), 4);
    assert_eq!((&abc & &cd).len(), 1);
    assert_eq!((&abc - &ab).len(), 1);
    assert_eq!((&abc ^ &cd).len(), 3);
    let mut x = abc.clone();
    x -= &ab;
    x |= &cd;
    x &= &cd;
    assert!(x == cd);
    x ^= &abc;
    assert_eq!(x.len(), 3); // {0, 1, 3}
    let debug = format!("{ab:?}");
    assert!(debug.starts_with('{') && debug.contains("id: 0"), "{debug}");
    let others: Vec<_> = (0..2).map(untouchable).collect();
    let equal_ids: WeakIdentitySet<Untouchable> = others.iter().collect();
    assert!(equal_ids != ab && equal_ids.is_disjoint(&ab));
    drop(objs);
    assert!(ab.is_empty() && abc.is_empty() && cd.is_empty() && x.is_empty());
}
