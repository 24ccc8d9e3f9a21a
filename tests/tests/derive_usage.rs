//! `#[derive(Referent)]` on every struct shape it supports, through the
//! facade and through `weakref-core`, and `Header`'s std traits. This file
//! also proves the generated code is clean under strict lints.
#![forbid(unsafe_code)]
#![deny(warnings, clippy::pedantic)]

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::mem::size_of;
use std::sync::Arc;

use weakref::{Header, Ref, Referent, getweakrefcount};

fn hash_of<T: Hash>(value: &T) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Weakly references `obj` and checks the ref gives it back, then dies.
fn round_trip<T: Referent>(obj: Arc<T>) {
    let r = Ref::new(&obj);
    assert!(Arc::ptr_eq(&r.get().unwrap(), &obj));
    assert_eq!(getweakrefcount(&obj), 1);
    drop(obj);
    assert!(r.get().is_none());
}

#[derive(Referent)]
struct Named {
    name: &'static str,
    header: Header,
}

#[test]
fn named_struct() {
    let n = Arc::new(Named {
        name: "n",
        header: Header::new(),
    });
    assert_eq!(Ref::new(&n).get().unwrap().name, "n");
    round_trip(n);
}

#[derive(Referent)]
struct Tuple(u8, Header, u16);

#[test]
fn tuple_struct() {
    let t = Arc::new(Tuple(1, Header::new(), 2));
    let got = Ref::new(&t).get().unwrap();
    assert_eq!((got.0, got.2), (1, 2));
    drop(got);
    round_trip(t);
}

#[derive(Referent)]
struct Generic<T: Clone + Send, U>
where
    U: Default + PartialEq,
{
    value: T,
    extra: U,
    header: Header,
}

#[test]
fn generic_struct_with_bounds_and_where_clause() {
    let g = Arc::new(Generic {
        value: String::from("v"),
        extra: 3_u64,
        header: Header::new(),
    });
    let got = Ref::new(&g).get().unwrap();
    assert_eq!((got.value.as_str(), got.extra), ("v", 3));
    drop(got);
    round_trip(g);
}

#[derive(Referent)]
struct Borrowed<'a, T: ?Sized> {
    text: &'a T,
    header: Header,
}

#[test]
fn lifetime_generic_struct() {
    let owned = String::from("borrowed");
    let b = Arc::new(Borrowed::<str> {
        text: owned.as_str(),
        header: Header::new(),
    });
    let r = Ref::new(&b);
    let calls = weakref_tests::Counter::new();
    let cb = Ref::with_callback(&b, calls.callback());
    assert_eq!(r.get().unwrap().text, "borrowed");
    drop(b);
    assert!(r.get().is_none() && !cb.is_alive());
    assert_eq!(calls.get(), 1);
}

#[derive(Referent)]
struct Buffer<const N: usize> {
    bytes: [u8; N],
    header: Header,
}

#[test]
fn const_generic_struct() {
    let b = Arc::new(Buffer::<4> {
        bytes: [1, 2, 3, 4],
        header: Header::new(),
    });
    assert_eq!(Ref::new(&b).get().unwrap().bytes, [1, 2, 3, 4]);
    round_trip(b);
}

/// A header whose type is not spelled `Header`.
type H = weakref::Header;

#[derive(Referent)]
struct Aliased {
    #[referent(header)]
    slot: H,
    value: u32,
}

#[test]
fn header_marked_by_attribute_behind_a_type_alias() {
    let a = Arc::new(Aliased {
        slot: H::new(),
        value: 9,
    });
    let r = Ref::new(&a);
    assert!(a.slot.is_referenced(), "the marked field is the header");
    assert_eq!(r.get().unwrap().value, 9);
    drop(r);
    round_trip(a);
}

/// The derive of a user who depends only on `weakref-core`.
#[derive(weakref_core::Referent)]
struct CoreOnly {
    header: weakref_core::Header,
}

#[test]
fn derive_through_weakref_core() {
    let c = Arc::new(CoreOnly {
        header: weakref_core::Header::new(),
    });
    let r = weakref_core::Ref::new(&c);
    assert_eq!(weakref_core::getweakrefcount(&c), 1);
    drop(c);
    assert!(!r.is_alive());
}

extern crate weakref_core as renamed_core;

/// `#[referent(crate = "...")]`: the library under another path.
#[derive(weakref::Referent)]
#[referent(crate = "::renamed_core")]
struct Relocated {
    header: renamed_core::Header,
}

#[test]
fn derive_with_a_crate_path() {
    round_trip(Arc::new(Relocated {
        header: Header::new(),
    }));
}

/// `#[referent(callable)]` picks the callable proxy kind.
#[derive(Referent)]
#[referent(callable)]
struct Doubler {
    header: Header,
}

impl weakref::Callable for Doubler {
    type Args = i32;
    type Output = i32;
    fn call(&self, x: i32) -> i32 {
        x * 2
    }
}

fn kind<T: weakref::ProxyKind>() -> &'static str {
    std::any::type_name::<T::Kind>()
}

#[test]
fn callable_attribute_sets_the_proxy_kind() {
    assert_eq!(
        kind::<Doubler>(),
        std::any::type_name::<weakref::CallableKind>()
    );
    assert_eq!(kind::<Named>(), std::any::type_name::<weakref::PlainKind>());
    let d = Arc::new(Doubler {
        header: Header::new(),
    });
    assert_eq!(
        weakref::Callable::call(&*Ref::new(&d).get().unwrap(), 21),
        42
    );
}

// ------------------------------------------------------ Header's std traits

#[derive(Referent, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
struct Point {
    x: i32,
    y: i32,
    header: Header,
}

fn point(x: i32, y: i32) -> Arc<Point> {
    Arc::new(Point {
        x,
        y,
        header: Header::new(),
    })
}

#[test]
fn clone_gets_a_fresh_empty_header() {
    let p = point(1, 2);
    let _r = Ref::new(&p);
    let _cb = Ref::with_callback(&p, |_| ());
    assert_eq!(getweakrefcount(&p), 2);
    let copy = Arc::new((*p).clone());
    assert_eq!(getweakrefcount(&copy), 0);
    assert!(!copy.header.is_referenced(), "weak refs are never copied");
    assert_eq!(*copy, *p);
    assert_eq!(getweakrefcount(&p), 2);
    let h = p.header.clone();
    assert!(!h.is_referenced());
}

#[test]
fn values_differing_only_in_header_are_equal() {
    let a = point(1, 2);
    let b = point(1, 2);
    let _r = Ref::new(&a); // `a`'s header is referenced, `b`'s is not
    assert!(a.header.is_referenced() && !b.header.is_referenced());
    assert_eq!(*a, *b);
    assert_eq!(a.cmp(&b), std::cmp::Ordering::Equal);
    assert_eq!(a.partial_cmp(&b), Some(std::cmp::Ordering::Equal));
    assert_eq!(hash_of(&*a), hash_of(&*b));
    assert_eq!(
        hash_of(&*a),
        hash_of(&(1_i32, 2_i32)),
        "the header writes nothing"
    );
    assert!(*point(1, 1) < *a, "order is the other fields'");
    assert_eq!(Header::new(), Header::default());
    assert_eq!(a.header, b.header);
}

#[test]
fn default_and_debug() {
    let d = Point::default();
    assert_eq!((d.x, d.y), (0, 0));
    assert!(!d.header.is_referenced());
    let shown = format!("{d:?}");
    assert!(shown.starts_with("Point { x: 0, y: 0, header: "), "{shown}");
    let h = Header::new();
    assert!(!format!("{h:?}").is_empty());
}

#[test]
fn header_is_one_word() {
    assert_eq!(size_of::<Header>(), size_of::<usize>());
}

const fn assert_send<T: Send>() {}
const fn assert_sync<T: Sync>() {}

trait Shape: Referent + Send + Sync {}

// `Header: Send + Sync`, and `Ref<T>: Send + Sync` for `Send + Sync` `T`,
// trait objects included. (That `Ref<T>` is not `Send` for a `T` holding an
// `Rc` is a compile-fail test.)
#[test]
fn send_and_sync() {
    const {
        assert_send::<Header>();
        assert_sync::<Header>();
        assert_send::<Ref<Point>>();
        assert_sync::<Ref<Point>>();
        assert_send::<Ref<dyn Shape>>();
        assert_sync::<Ref<dyn Shape>>();
        assert_send::<Ref<Generic<String, u8>>>();
        assert_sync::<Ref<Generic<String, u8>>>();
    }
}

/// `Header::new` is a `const fn`.
static STATIC_HEADER: Header = Header::new();

#[test]
fn header_new_is_const() {
    assert!(!STATIC_HEADER.is_referenced());
}
