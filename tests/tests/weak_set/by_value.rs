//! The weak set's cases that hold by value only (CPython's letters are
//! distinct objects equal by character), for `Arc` and `Rc` elements: see
//! `weak_set.rs`.

use std::hash::{Hash, Hasher};

use weakref::{Header, Referent};

use super::cases::*;
#[allow(unused_imports)]
use super::*;

// CPython 3.11: test_weakset.py TestWeakSet.test_methods
// WeakSet has every public method of `set` (under its Rust name, or as the
// operator Rust uses for it); each is called here and checked.
#[test]
fn has_the_methods_of_a_set() {
    let f = set_up();
    let x = letter('x');
    let mut s = f.s.clone(); // copy
    assert!(s.insert(&x)); // add
    assert!(s.remove(&x)); // remove
    assert!(!s.remove(&x)); // discard (of a missing element)
    assert_eq!(s.difference(&f.ab_weakset).len(), 1); // difference
    assert_eq!(s.intersection(&f.ab_weakset).len(), 2); // intersection
    assert_eq!(s.symmetric_difference(&f.def_weakset).len(), 6); // symmetric_difference
    assert_eq!(s.union(&f.def_weakset).len(), 6); // union
    assert!(s.is_disjoint(&f.def_weakset)); // isdisjoint
    assert!(f.ab_weakset.is_subset(&s)); // issubset
    assert!(s.is_superset(&f.ab_weakset)); // issuperset
    let mut t = s.clone();
    t -= &f.ab_weakset; // difference_update
    assert_eq!(chars(&t), "c");
    let mut t = s.clone();
    t &= &f.ab_weakset; // intersection_update
    assert_eq!(chars(&t), "ab");
    let mut t = s.clone();
    t ^= &f.def_weakset; // symmetric_difference_update
    assert_eq!(chars(&t), "abcdef");
    t.extend(&f.items2); // update
    assert_eq!(t.len(), 9);
    assert!(s.pop().is_some()); // pop
    s.clear(); // clear
    assert!(s.is_empty());
}

// CPython 3.11: test_weakset.py TestWeakSet.test_contains
// (`1 in s`, a non-weakly-referenceable probe, does not type-check in Rust.)
#[test]
fn contains_by_equality_and_drops_dead_items() {
    let mut f = set_up();
    for c in &f.letters {
        assert_eq!(f.s.contains(c), holds(&f.items, c), "{}", c.c);
    }
    assert!(f.s.contains(&letter('b')), "membership is by equality");
    assert!(f.fs.contains(f.obj.as_ref().unwrap()));
    f.obj = None;
    assert!(!f.fs.contains(&letter('F')));
    // An element added later, then dying.
    let x = letter('?');
    f.s.insert(&x);
    assert!(f.s.contains(&x));
    drop(x);
    assert!(!f.s.contains(&letter('?')));
}

// CPython 3.11: test_weakset.py TestWeakSet.test_union
#[test]
fn union_is_a_new_weak_set() {
    let mut f = set_up();
    let other = weak_set(&f.items2);
    let u = f.s.union(&other);
    for c in &f.letters {
        assert_eq!(
            u.contains(c),
            holds(&f.items, c) || holds(&f.items2, c),
            "{}",
            c.c
        );
    }
    assert!(f.s == weak_set(&f.items), "the operand is unchanged");
    {
        let both: Vec<_> = f.items.iter().chain(&f.items2).cloned().collect();
        assert!(f.s.union(&other) == weak_set(&both));
    }
    assert_eq!(u.len(), f.items.len() + f.items2.len());
    f.items2.pop();
    assert_eq!(u.len(), f.items.len() + f.items2.len());
    f.items.clear();
    assert_eq!(chars(&u), "xy");
}

// CPython 3.11: test_weakset.py TestWeakSet.test_intersection
// The result is weak: it shrinks when one of its elements dies. (Equal
// letters exist in both operands here; both copies die, since the result
// may hold either.)
#[test]
fn intersection_is_a_new_weak_set() {
    let mut f = set_up();
    let s = weak_set(&f.letters);
    let other = weak_set(&f.items2);
    let i = s.intersection(&other);
    for c in &f.letters {
        assert_eq!(
            i.contains(c),
            holds(&f.items2, c) && holds(&f.letters, c),
            "{}",
            c.c
        );
    }
    assert!(s == weak_set(&f.letters), "the operand is unchanged");
    assert!(i.intersection(&weak_set(&f.items)) == WeakSet::new());
    assert_eq!(i.len(), f.items2.len());
    let z = f.items2.pop().unwrap();
    f.letters.retain(|l| l.c != z.c);
    drop(z);
    assert_eq!(i.len(), f.items2.len());
    assert_eq!(chars(&i), "xy");
    // With an empty set.
    assert!(f.s.intersection(&WeakSet::new()).is_empty());
}

// CPython 3.11: test_weakset.py TestWeakSet.test_isdisjoint
#[test]
fn isdisjoint() {
    let f = set_up();
    assert!(f.s.is_disjoint(&weak_set(&f.items2)));
    assert!(!f.s.is_disjoint(&weak_set(&f.letters)));
}

// CPython 3.11: test_weakset.py TestWeakSet.test_difference
#[test]
fn difference_is_a_new_weak_set() {
    let mut f = set_up();
    let other: WeakSet<Letter> = [&f.items[0], &f.items2[0]].into_iter().collect();
    let i = f.s.difference(&other);
    for c in &f.letters {
        assert_eq!(
            i.contains(c),
            holds(&f.items, c) && !other.contains(c),
            "{}",
            c.c
        );
    }
    assert!(f.s == weak_set(&f.items), "the operand is unchanged");
    assert_eq!(chars(&i), "bc");
    f.items.pop();
    assert_eq!(chars(&i), "b");
}

// CPython 3.11: test_weakset.py TestWeakSet.test_symmetric_difference
#[test]
fn symmetric_difference_is_a_new_weak_set() {
    let mut f = set_up();
    let other = weak_set(&f.items2);
    let i = f.s.symmetric_difference(&other);
    for c in &f.letters {
        assert_eq!(
            i.contains(c),
            holds(&f.items, c) ^ holds(&f.items2, c),
            "{}",
            c.c
        );
    }
    assert!(f.s == weak_set(&f.items), "the operand is unchanged");
    assert_eq!(i.len(), f.items.len() + f.items2.len());
    f.items2.pop();
    assert_eq!(i.len(), f.items.len() + f.items2.len());
    assert_eq!(chars(&i), "abcxy");
}

// CPython 3.11: test_weakset.py TestWeakSet.test_sub_and_super (`<=` and
// `>=` are `is_subset` and `is_superset`; the strict `<`/`>` of test_lt and
// test_gt wait for `is_proper_subset`, issue 11).
#[test]
fn sub_and_super() {
    let f = set_up();
    assert!(f.ab_weakset.is_subset(&f.abcde_weakset));
    assert!(f.abcde_weakset.is_subset(&f.abcde_weakset));
    assert!(f.abcde_weakset.is_superset(&f.ab_weakset));
    assert!(!f.abcde_weakset.is_subset(&f.def_weakset));
    assert!(!f.abcde_weakset.is_superset(&f.def_weakset));
    assert!(!f.abcde_weakset.is_subset(&f.ab_weakset));
    assert!(f.abcde_weakset.is_superset(&f.abcde_weakset));
    assert!(WeakSet::<Letter>::new().is_subset(&f.s));
    // By equality: the letters are distinct objects in each set.
    assert!(f.s.is_subset(&f.abcde_weakset));
    assert!(!f.s.is_disjoint(&f.ab_weakset));
}

// CPython 3.11: test_weakset.py TestWeakSet.test_add
// (Adding a non-weakly-referenceable `[]` does not type-check in Rust.)
#[test]
fn add() {
    let mut f = set_up();
    let x = letter('Q');
    assert!(f.s.insert(&x));
    assert!(f.s.contains(&x));
    let dup = f.s.clone();
    assert!(!f.s.insert(&x));
    assert!(f.s == dup);
    assert!(
        !f.s.insert(&letter('Q')),
        "an equal element is already there"
    );
    assert_eq!(f.s.len(), 4);
    // `self.fs.add(Foo())`: an element that dies at once.
    assert!(f.fs.insert(&letter('G')));
    assert_eq!(f.fs.len(), 1);
    assert!(!f.fs.insert(f.obj.as_ref().unwrap()));
    assert_eq!(f.fs.len(), 1);
}

// CPython 3.11: test_weakset.py TestWeakSet.test_remove
// (Python's second `remove` raises KeyError: here it returns false.)
#[test]
fn remove() {
    let mut f = set_up();
    let x = letter('a');
    assert!(f.s.remove(&x));
    assert!(!f.s.contains(&x));
    assert!(!f.s.remove(&x));
    assert_eq!(chars(&f.s), "bc");
}

// CPython 3.11: test_weakset.py TestWeakSet.test_discard
// (Python's discard ignores a missing element: `remove`'s false, or `take`'s
// `None`.)
#[test]
fn discard() {
    let mut f = set_up();
    let (a, q) = (letter('a'), letter('Q'));
    assert!(f.s.take(&a).is_some());
    assert!(!f.s.contains(&a));
    assert!(f.s.take(&a).is_none());
    assert!(f.s.take(&q).is_none());
    assert!(!f.s.remove(&q));
    assert_eq!(chars(&f.s), "bc");
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
    let p: Strong<dyn Named> = Strong::new(Person("ann", Header::new()));
    let mut s: WeakSet<dyn Named> = WeakSet::new();
    s.insert(&p);
    assert!(s.contains(&Person("ann", Header::new())));
    drop(p);
    assert!(s.is_empty());
}

// CPython 3.11: test_weakset.py TestWeakSet.test_lt
// (`assertFalse(a < b)` is `!(a < b)`: the negation is what is tested.)
#[test]
#[allow(clippy::neg_cmp_op_on_partial_ord)]
fn lt() {
    let f = set_up();
    assert!(f.ab_weakset < f.abcde_weakset);
    assert!(f.ab_weakset.is_proper_subset(&f.abcde_weakset));
    assert!(!(f.abcde_weakset < f.def_weakset));
    assert!(!(f.ab_weakset < f.ab_weakset));
    assert!(!f.ab_weakset.is_proper_subset(&f.ab_weakset));
    assert!(!(WeakSet::<Letter>::new() < WeakSet::new()));
    // Neither contains the other: unordered, not just "not less".
    assert_eq!(f.abcde_weakset.partial_cmp(&f.def_weakset), None);
}

// CPython 3.11: test_weakset.py TestWeakSet.test_gt
// (`assertFalse(a > b)` is `!(a > b)`: the negation is what is tested.)
#[test]
#[allow(clippy::neg_cmp_op_on_partial_ord, clippy::nonminimal_bool)]
fn gt() {
    let f = set_up();
    assert!(f.abcde_weakset > f.ab_weakset);
    assert!(f.abcde_weakset.is_proper_superset(&f.ab_weakset));
    assert!(!(f.abcde_weakset > f.def_weakset));
    assert!(!(f.ab_weakset > f.ab_weakset));
    assert!(!f.ab_weakset.is_proper_superset(&f.ab_weakset));
    assert!(!(WeakSet::<Letter>::new() > WeakSet::new()));
    assert!(f.ab_weakset >= f.ab_weakset);
    assert!(f.ab_weakset <= f.ab_weakset);
}

// CPython's `WeakSet.intersection` keeps the elements of `other` (`item for
// item in other if item in self`); so does this one, with `self`'s hasher.
#[test]
fn intersection_keeps_the_elements_of_other() {
    let mine = letters("ab");
    let theirs = letters("bc");
    let s1 = weak_set(&mine);
    let s2 = weak_set(&theirs);
    let both = s1.intersection(&s2);
    assert_eq!(chars(&both), "b");
    assert!(Strong::ptr_eq(&both.get(&mine[1]).unwrap(), &theirs[0]));
    assert!(Strong::ptr_eq(
        &(&s1 & &s2).get(&mine[1]).unwrap(),
        &theirs[0]
    ));
}
