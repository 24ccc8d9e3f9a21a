//! Equality: DESIGN semantics 8 (CPython's test_equality). Both alive:
//! compare the referents; otherwise equal iff the same weak reference object.
//! (That refs are not ordered is a compile-fail test; Python's `a == x`,
//! a ref against its referent, does not type-check in Rust: no
//! `PartialEq<T> for Ref<T>`, so it needs no test here.) Every test runs for
//! both flavours (`name::arc`, `name::rc`: `weakref_tests::flavour`).

use std::sync::atomic::{AtomicUsize, Ordering};

use weakref::{Header, Ref, Referent};
use weakref_tests::flavour::Flavour;
use weakref_tests::flavour_tests;

// CPython 3.11: test_weakref.py ReferencesTestCase.test_equality
// `==` and `!=` are both exercised on purpose. (`a == x`, a ref against its
// referent, and `ALWAYS_EQ` do not type-check in Rust.)
#[allow(clippy::nonminimal_bool)] // `!(a != b)` is the point: `ne` is tested too
fn equality_alive_then_dead<Fl: Flavour>() {
    let x = Fl::obj(1);
    let y = Fl::obj(1);
    let z = Fl::obj(2);
    let a = Ref::new(&x);
    let b = Ref::new(&y);
    let c = Ref::new(&z);
    let d = Ref::new(&x);
    // Alive weakrefs defer equality testing to their referents.
    assert!(a == b);
    assert!(!(a != b));
    assert!(!(a == c));
    assert!(a != c);
    assert!(a == d);
    assert!(!(a != d));
    drop((x, y, z));
    for r in [&a, &b, &c] {
        assert!(r.get().is_none());
    }
    // Dead weakrefs compare by identity.
    assert!(!(a == b));
    assert!(a != b);
    assert!(!(a == c));
    assert!(a != c);
    assert_eq!(a == d, Ref::ptr_eq(&a, &d));
    assert_eq!(a != d, !Ref::ptr_eq(&a, &d));
    assert!(a == d, "`Ref::new` shares, so `a` is `d`");
}
flavour_tests!(equality_alive_then_dead);

// The callback takes no part in equality: a callback ref and the shared ref
// of one object are equal while it lives, distinct objects once it is dead.
#[allow(clippy::nonminimal_bool)]
fn callback_refs_compare_like_any_other<Fl: Flavour>() {
    let x = Fl::obj(1);
    let plain = Ref::new(&x);
    let with = Fl::with_callback(&x, |_| ());
    let other = Fl::with_callback(&x, |_| ());
    assert!(plain == with && with == other);
    assert!(!(plain != with));
    let with_clone = with.clone();
    drop(x);
    assert!(plain != with && with != other);
    assert!(
        with == with_clone,
        "a dead ref equals itself (and its clones)"
    );
    assert!(!(with != with_clone));
}
flavour_tests!(callback_refs_compare_like_any_other);

// One alive and one dead: only identity, and they are different objects.
fn alive_against_dead_is_unequal<Fl: Flavour>() {
    let x = Fl::obj(1);
    let y = Fl::obj(1);
    let rx = Ref::new(&x);
    let ry = Ref::new(&y);
    assert!(rx == ry);
    drop(x);
    assert!(rx != ry);
    assert!(ry != rx);
    assert!(ry == ry.clone());
}
flavour_tests!(alive_against_dead_is_unequal);

/// A referent whose equality is not reflexive and counts its calls.
#[derive(Referent)]
struct Float {
    value: f64,
    compared: AtomicUsize,
    header: Header,
}

impl PartialEq for Float {
    fn eq(&self, other: &Float) -> bool {
        self.compared.fetch_add(1, Ordering::SeqCst);
        self.value == other.value
    }
}

fn float<Fl: Flavour>(value: f64) -> Fl::Ptr<Float> {
    Fl::new(Float {
        value,
        compared: AtomicUsize::new(0),
        header: Header::new(),
    })
}

// Alive: the referents' own `PartialEq` decides, even against itself (a NaN
// ref is unequal to itself, as `ref(nan) == ref(nan)` is False in Python);
// dead: identity, so the same ref is equal to itself again.
#[allow(clippy::eq_op)] // comparing a ref with itself is the point
fn referent_equality_decides_while_alive<Fl: Flavour>() {
    let nan = float::<Fl>(f64::NAN);
    let r = Ref::new(&nan);
    assert!(r != r, "NaN != NaN, asked of the referent");
    assert_eq!(nan.compared.load(Ordering::SeqCst), 1);
    let one = float::<Fl>(1.0);
    let also_one = float::<Fl>(1.0);
    assert!(Ref::new(&one) == Ref::new(&also_one));
    assert_eq!(one.compared.load(Ordering::SeqCst), 1);
    drop(nan);
    assert!(r == r, "dead: identity");
}
flavour_tests!(referent_equality_decides_while_alive);
