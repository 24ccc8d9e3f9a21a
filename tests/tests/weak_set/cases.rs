//! The weak set's cases for every flavour: see `weak_set.rs`.

use std::collections::HashSet;
use std::hash::Hash;

use weakref::{Header, Referent};

#[allow(unused_imports)]
use super::*;

#[derive(Referent, Debug, PartialEq, Eq, Hash)]
pub(super) struct Letter {
    pub(super) c: char,
    pub(super) header: Header,
}

pub(super) fn letter(c: char) -> Strong<Letter> {
    Strong::new(Letter {
        c,
        header: Header::new(),
    })
}

/// `[ustr(c) for c in chars]`: a fresh object per character.
pub(super) fn letters(chars: &str) -> Vec<Strong<Letter>> {
    chars.chars().map(letter).collect()
}

/// `WeakSet(items)`.
pub(super) fn weak_set(items: &[Strong<Letter>]) -> WeakSet<Letter> {
    items.iter().collect()
}

/// The characters of the live elements, sorted.
pub(super) fn chars(s: &WeakSet<Letter>) -> String {
    let mut v: Vec<char> = s.iter().map(|l| l.c).collect();
    v.sort_unstable();
    v.into_iter().collect()
}

/// Whether `items` holds an object equal to `l` (Python's `l in list`).
pub(super) fn holds(items: &[Strong<Letter>], l: &Letter) -> bool {
    items.iter().any(|i| **i == *l)
}

pub(super) const ASCII_LETTERS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// CPython's `setUp`. The lists hold the only strong references to their
/// objects; the weak sets are built over them.
// The identity flavours run no case that reads the letter sets (their
// subsets are other objects, equal by character only).
#[allow(dead_code)]
pub(super) struct Fixture {
    pub(super) items: Vec<Strong<Letter>>,
    pub(super) items2: Vec<Strong<Letter>>,
    pub(super) _ab_items: Vec<Strong<Letter>>,
    pub(super) _abcde_items: Vec<Strong<Letter>>,
    pub(super) _def_items: Vec<Strong<Letter>>,
    pub(super) ab_weakset: WeakSet<Letter>,
    pub(super) abcde_weakset: WeakSet<Letter>,
    pub(super) def_weakset: WeakSet<Letter>,
    pub(super) letters: Vec<Strong<Letter>>,
    pub(super) s: WeakSet<Letter>,
    pub(super) obj: Option<Strong<Letter>>,
    pub(super) fs: WeakSet<Letter>,
}

pub(super) fn set_up() -> Fixture {
    let items = letters("abc");
    let ab_items = letters("ab");
    let abcde_items = letters("abcde");
    let def_items = letters("def");
    let obj = letter('F');
    Fixture {
        s: weak_set(&items),
        ab_weakset: weak_set(&ab_items),
        abcde_weakset: weak_set(&abcde_items),
        def_weakset: weak_set(&def_items),
        fs: weak_set(std::slice::from_ref(&obj)),
        obj: Some(obj),
        items,
        items2: letters("xyz"),
        _ab_items: ab_items,
        _abcde_items: abcde_items,
        _def_items: def_items,
        letters: letters(ASCII_LETTERS),
    }
}

// CPython 3.11: test_weakset.py TestWeakSet.test_len
#[test]
fn len_drops_dead_items() {
    let mut f = set_up();
    assert_eq!(f.s.len(), f.items.len());
    assert_eq!(f.fs.len(), 1);
    f.obj = None;
    assert_eq!(f.fs.len(), 0);
    assert!(f.fs.is_empty());
    // And one by one, down to empty.
    f.items.pop();
    assert_eq!(f.s.len(), 2);
    f.items.clear();
    assert_eq!(f.s.len(), 0);
    assert!(f.s.is_empty());
}

// CPython 3.11: test_weakset.py TestWeakSet.test_or
#[test]
fn or_operator_is_union() {
    let f = set_up();
    let other = weak_set(&f.items2);
    let i = f.s.union(&other);
    assert!(&f.s | &other == i);
    assert_eq!(chars(&(&f.s | &other)), "abcxyz");
}

// CPython 3.11: test_weakset.py TestWeakSet.test_and
#[test]
fn and_operator_is_intersection() {
    let f = set_up();
    let other: WeakSet<Letter> = [&f.items[0], &f.items2[0]].into_iter().collect();
    let i = f.s.intersection(&other);
    assert!(&f.s & &other == i);
    assert_eq!(chars(&i), "a");
}

// CPython 3.11: test_weakset.py TestWeakSet.test_sub
#[test]
fn sub_operator_is_difference() {
    let f = set_up();
    let other: WeakSet<Letter> = [&f.items[0], &f.items2[0]].into_iter().collect();
    let d = f.s.difference(&other);
    assert_eq!(chars(&d), "bc");
    assert!(d == &f.s - &other);
}

// CPython 3.11: test_weakset.py TestWeakSet.test_xor
#[test]
fn xor_operator_is_symmetric_difference() {
    let f = set_up();
    let other: WeakSet<Letter> = [&f.items[0], &f.items2[0]].into_iter().collect();
    let x = f.s.symmetric_difference(&other);
    assert_eq!(chars(&x), "bcx");
    assert!(x == &f.s ^ &other);
}

// CPython 3.11: test_weakset.py TestWeakSet.test_constructor_identity
// `WeakSet(s)` is a new set: equal, and changing one leaves the other.
#[test]
fn a_set_built_from_a_set_is_another_set() {
    let f = set_up();
    let mut t: WeakSet<Letter> = f.s.iter().collect();
    assert!(t == f.s);
    let q = letter('Q');
    t.insert(&q);
    assert!(t != f.s);
    assert!(!f.s.contains(&q));
    assert_eq!(f.s.len(), 3);
}

// CPython 3.11: test_weakset.py TestWeakSet.test_clear
#[test]
fn clear() {
    let mut f = set_up();
    let copy = f.s.clone();
    f.s.clear();
    assert!(f.s == WeakSet::new());
    assert_eq!(f.s.len(), 0);
    assert!(f.s.is_empty());
    // The copy is another set, with its own weak references.
    assert_eq!(copy.len(), 3);
    assert!(f.items.iter().all(|i| getweakrefcount(i) == 1));
}

// CPython 3.11: test_weakset.py TestWeakSet.test_copy
#[test]
fn copy_is_equal_and_another_set() {
    let f = set_up();
    let mut dup = f.s.clone();
    assert!(f.s == dup);
    assert!(dup.remove(&f.items[0]));
    assert!(f.s != dup, "the copy is another set");
    assert!(f.s.contains(&f.items[0]));
    // Each set holds its own weak reference to each element.
    assert_eq!(getweakrefcount(&f.items[1]), 2);
}

// CPython 3.11: test_weakset.py TestWeakSet.test_pop
#[test]
fn pop() {
    let mut f = set_up();
    let mut popped = Vec::new();
    for _ in 0..f.s.len() {
        let elem = f.s.pop().expect("an element");
        assert!(!f.s.contains(&elem));
        popped.push(elem.c);
    }
    popped.sort_unstable();
    assert_eq!(popped, ['a', 'b', 'c']);
    assert!(f.s.pop().is_none());
    // Dead elements are never popped.
    let mut t = weak_set(&f.items2);
    f.items2.truncate(1);
    assert_eq!(t.pop().map(|l| l.c), Some('x'));
    assert!(t.pop().is_none());
}

// CPython 3.11: test_weakset.py TestWeakSet.test_update
#[test]
fn update() {
    let mut f = set_up();
    f.s.extend(&f.items2);
    for c in f.items.iter().chain(&f.items2) {
        assert!(f.s.contains(c));
    }
    // Elements whose only strong reference was the one passed in die at once.
    f.s.extend([letter('?')]);
    assert_eq!(chars(&f.s), "abcxyz");
}

// CPython 3.11: test_weakset.py TestWeakSet.test_update_set
#[test]
#[allow(clippy::mutable_key_type)] // the header takes no part in Hash or Eq
fn update_from_a_strong_set() {
    let mut f = set_up();
    let strong: HashSet<Strong<Letter>> = f.items2.iter().cloned().collect();
    f.s.extend(&strong);
    for c in f.items.iter().chain(&f.items2) {
        assert!(f.s.contains(c));
    }
    assert_eq!(f.s.len(), 6);
}

// CPython 3.11: test_weakset.py TestWeakSet.test_ior
#[test]
fn ior() {
    let mut f = set_up();
    f.s |= &weak_set(&f.items2);
    for c in f.items.iter().chain(&f.items2) {
        assert!(f.s.contains(c));
    }
    assert_eq!(chars(&f.s), "abcxyz");
}

/// `s op= WeakSet(items2 + [items[0]])`, and whether each element of items
/// and items2 must be in the result, given (in items, in items2).
pub(super) fn check_in_place(
    op: impl FnOnce(&mut WeakSet<Letter>, &WeakSet<Letter>),
    keep: fn(bool, bool) -> bool,
) {
    let mut f = set_up();
    let mut other = weak_set(&f.items2);
    other.insert(&f.items[0]);
    op(&mut f.s, &other);
    for c in f.items.iter().chain(&f.items2) {
        let expected = keep(holds(&f.items, c), holds(&f.items2, c) || c.c == 'a');
        assert_eq!(f.s.contains(c), expected, "{}", c.c);
    }
}

// CPython 3.11: test_weakset.py TestWeakSet.test_intersection_update
// CPython 3.11: test_weakset.py TestWeakSet.test_iand
// (Python's `intersection_update` is `&=` in Rust.)
#[test]
fn intersection_update() {
    check_in_place(|s, o| *s &= o, |a, b| a && b);
    // Against items2 alone, as CPython does: nothing is left.
    let mut f = set_up();
    f.s &= &weak_set(&f.items2);
    assert!(f.s.is_empty());
}

// CPython 3.11: test_weakset.py TestWeakSet.test_difference_update
// CPython 3.11: test_weakset.py TestWeakSet.test_isub
// (Python's `difference_update` is `-=` in Rust.)
#[test]
fn difference_update() {
    check_in_place(|s, o| *s -= o, |a, b| a && !b);
    let mut f = set_up();
    f.s -= &weak_set(&f.items2);
    assert_eq!(chars(&f.s), "abc");
}

// CPython 3.11: test_weakset.py TestWeakSet.test_symmetric_difference_update
// CPython 3.11: test_weakset.py TestWeakSet.test_ixor
// (Python's `symmetric_difference_update` is `^=` in Rust.)
#[test]
fn symmetric_difference_update() {
    check_in_place(|s, o| *s ^= o, |a, b| a ^ b);
    let mut f = set_up();
    f.s ^= &weak_set(&f.items2);
    assert_eq!(chars(&f.s), "abcxyz");
}

// CPython 3.11: test_weakset.py TestWeakSet.test_inplace_on_self
// (With itself through a copy, as Rust's borrows require.)
#[test]
fn in_place_operators_on_self() {
    let (items, items2, s) = {
        let f = set_up();
        (f.items, f.items2, f.s)
    };
    let other: WeakSet<Letter> = [&items[0], &items2[0]].into_iter().collect();

    let mut t = s.clone();
    t |= &other;
    assert_eq!(chars(&t), "abcx");
    let mut t = s.clone();
    t &= &other;
    assert_eq!(chars(&t), "a");
    let mut t = s.clone();
    t -= &other;
    assert_eq!(chars(&t), "bc");
    let mut t = s.clone();
    t ^= &other;
    assert_eq!(chars(&t), "bcx");

    let mut t = s.clone();
    t |= &t.clone();
    assert!(t == s);
    t &= &t.clone();
    assert!(t == s);
    t -= &t.clone();
    assert!(t == WeakSet::new());
    assert!(t.is_empty());
    let mut t = s.clone();
    t ^= &t.clone();
    assert!(t == WeakSet::new());
    assert!(t.is_empty());
}

// CPython 3.11: test_weakset.py TestWeakSet.test_eq
// Only weak sets compare (`s == set(items)` does not type-check in Rust),
// by their live elements.
#[test]
#[allow(clippy::eq_op)] // `s == s` is the point
fn equality() {
    let mut f = set_up();
    assert!(f.s == f.s);
    assert!(f.s == weak_set(&f.items));
    let longer = letters("abc?");
    assert!(f.s != weak_set(&longer));
    let foo = letter('?');
    assert!(f.s != weak_set(std::slice::from_ref(&foo)));
    // Dead elements take no part.
    let t: WeakSet<Letter> = f.items[..2].iter().collect();
    assert!(f.s != t);
    f.items.pop();
    assert!(f.s == t);
}

// CPython 3.11: test_weakset.py TestWeakSet.test_ne
#[test]
#[allow(clippy::nonminimal_bool)] // `!(a != b)` tests `ne`
fn inequality() {
    let f = set_up();
    assert!(f.s != weak_set(&f.items2));
    let (s1, s2) = (WeakSet::<Letter>::new(), WeakSet::<Letter>::new());
    assert!(!(s1 != s2));
}

// CPython 3.11: test_weakset.py TestWeakSet.test_weak_destroy_while_iterating
#[test]
fn weak_destroy_while_iterating() {
    let mut items = letters("abc");
    let s = weak_set(&items);
    let mut it = s.iter();
    drop(it.next().unwrap());
    items.pop();
    // Exact at once, with the iterator suspended.
    assert_eq!(s.len(), 2);
    let rest = it.count();
    // Either the first consumed item was destroyed, or another one.
    assert!(rest == items.len() || rest == items.len() - 1, "{rest}");
    assert_eq!(s.len(), items.len());
}

/// CPython's `testcontext` of test_weak_destroy_and_mutate_while_iterating:
/// starts an iterator, kills the last of `items` while it is suspended
/// (stepping past it if it was the one just yielded, CPython issue 20006)
/// and hands an equal, live replacement `u` to `during`, with the iterator
/// still alive. Rust's borrows forbid a `&mut` operation while an iterator
/// borrows the set, so the mutation (`after`) runs right after the iterator
/// is dropped, while the dead element may still await collection.
pub(super) fn testcontext(
    s: &mut WeakSet<Letter>,
    items: &mut Vec<Strong<Letter>>,
    during: impl FnOnce(&WeakSet<Letter>, &Strong<Letter>),
    after: impl FnOnce(&mut WeakSet<Letter>, &Strong<Letter>),
) -> Strong<Letter> {
    let u;
    {
        let mut it = s.iter();
        let yielded = letter(it.next().expect("a first element").c);
        let popped = items.pop().expect("an item to kill");
        u = letter(popped.c);
        drop(popped);
        if *yielded == *u {
            it.next();
        }
        assert!(!s.contains(&u), "dead while the iterator is suspended");
        during(s, &u);
    }
    after(s, &u);
    u
}

// CPython 3.11: test_weakset.py TestWeakSet.test_weak_destroy_and_mutate_while_iterating
#[test]
fn weak_destroy_and_mutate_while_iterating() {
    let mut items = letters(ASCII_LETTERS);
    let mut s = weak_set(&items);
    testcontext(
        &mut s,
        &mut items,
        |s, u| assert!(!s.contains(u)),
        |_, _| (),
    );
    let u = testcontext(&mut s, &mut items, |_, _| (), |s, u| assert!(!s.remove(u)));
    assert!(!s.contains(&u));
    let u = testcontext(&mut s, &mut items, |_, _| (), |s, u| assert!(s.insert(u)));
    assert!(s.contains(&u));
    assert_eq!(s.len(), items.len() + 1);
    let t = s.clone();
    testcontext(&mut s, &mut items, |_, _| (), |s, _| s.extend(&t));
    assert_eq!(s.len(), t.len());
    assert!(s == t);
    testcontext(&mut s, &mut items, |_, _| (), |s, _| s.clear());
    assert_eq!(s.len(), 0);
    drop(u);
}

// CPython 3.11: test_weakset.py TestWeakSet.test_len_cycles
// Without a cycle collector the elements die as their last `Strong` goes; what
// remains is the point of the test: `len` while an iterator is suspended
// counts exactly the element still held by the one who iterated (CPython
// allows 0 or 1 there), and 0 once it is dropped.
#[test]
fn len_while_an_iterator_holds_one_element() {
    const N: usize = 20;
    let items = letters(&ASCII_LETTERS[..N]);
    let s = weak_set(&items);
    let n1 = {
        let mut it = s.iter();
        let _held = it.next(); // what CPython's suspended generator keeps alive
        drop(items);
        s.len()
    }; // the iterator and the held element go
    let n2 = s.len();
    assert!(n1 == 0 || n1 == 1, "{n1}");
    assert_eq!(n1, 1, "exactly the held element");
    assert_eq!(n2, 0);
}

// CPython 3.11: test_weakset.py TestWeakSet.test_repr
// (Python: `repr(s) == repr(s.data)`; here `Debug` prints the live elements
// as a set does.)
#[test]
fn debug_lists_the_live_elements() {
    let mut f = set_up();
    f.items.truncate(1);
    assert_eq!(
        format!("{:?}", f.s),
        format!("{:?}", HashSet::from([f.items[0].clone()]))
    );
    assert!(format!("{:?}", f.s).starts_with("{Letter { c: 'a'"));
    assert_eq!(format!("{:?}", WeakSet::<Letter>::new()), "{}");
}

// CPython 3.11: test_weakset.py TestWeakSet.test_abc
// (Python: an instance of `collections.abc.Set` and `MutableSet`; here: the
// std traits a Rust set implements.)
#[test]
fn implements_the_set_traits() {
    fn is_a_set<S>(s: &S) -> usize
    where
        S: Default + Clone + PartialEq + std::fmt::Debug,
        S: Extend<Strong<Letter>> + for<'a> Extend<&'a Strong<Letter>>,
        S: FromIterator<Strong<Letter>> + for<'a> FromIterator<&'a Strong<Letter>>,
        for<'a> &'a S: IntoIterator<Item = Strong<Letter>>,
        for<'a> &'a S: std::ops::BitOr<&'a S, Output = S> + std::ops::BitAnd<&'a S, Output = S>,
        for<'a> &'a S: std::ops::Sub<&'a S, Output = S> + std::ops::BitXor<&'a S, Output = S>,
    {
        let copy = s.clone();
        assert!(copy == *s);
        let mut fresh = S::default();
        fresh.extend(s);
        assert!(fresh == *s);
        (&fresh | s).into_iter().count()
    }
    let f = set_up();
    // The type is named: inferring it here overflows the trait solver (E0275)
    // through the proxies' operator impls ("Found while porting" in
    // tests/CPYTHON.md).
    assert_eq!(is_a_set::<WeakSet<Letter>>(&f.s), 3);
}

#[test]
fn retain_keeps_live_matches() {
    let mut f = set_up();
    f.s.retain(|o| o.c != 'b');
    assert_eq!(chars(&f.s), "ac");
    f.items.clear();
    f.s.retain(|_| true);
    assert!(f.s.is_empty());
}
