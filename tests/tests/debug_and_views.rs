//! `Debug` (DESIGN semantics 9; CPython 3.13's test_ref_repr, 3.11's
//! test_repr_failure_gh99184) and views
//! (semantics 9a): a weak reference object belongs to the object, not to the
//! static type (`Circle` or `dyn Shape`) it was made through. Every test
//! runs for both flavours (`name::arc`, `name::rc`: `weakref_tests::flavour`).

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use weakref::{ArcFamily, Family, Header, RcFamily, Ref, Referent};
use weakref_tests::flavour::{Flavour, Local, ptr_eq};
use weakref_tests::{Counter, flavour_tests};

trait Shape: Referent + Send + Sync {
    fn area(&self) -> f64;
}

#[derive(Referent, Debug)]
struct Circle {
    radius: f64,
    header: Header,
}

impl Shape for Circle {
    fn area(&self) -> f64 {
        3.0 * self.radius * self.radius
    }
}

#[derive(Referent)]
struct Square {
    side: f64,
    header: Header,
}

impl Shape for Square {
    fn area(&self) -> f64 {
        self.side * self.side
    }
}

fn circle<Fl: Flavour>(radius: f64) -> Fl::Ptr<Circle> {
    Fl::new(Circle {
        radius,
        header: Header::new(),
    })
}

/// The `dyn Shape` view of a shape: an unsizing coercion, which only code
/// that knows the pointer type can write.
trait Views: Flavour {
    fn as_dyn<S: Shape + 'static>(shape: Self::Ptr<S>) -> Self::Ptr<dyn Shape>;
}

impl Views for ArcFamily {
    fn as_dyn<S: Shape + 'static>(shape: Arc<S>) -> Arc<dyn Shape> {
        shape
    }
}

impl Views for RcFamily {
    fn as_dyn<S: Shape + 'static>(shape: Rc<S>) -> Rc<dyn Shape> {
        shape
    }
}

/// `(weak reference object address, rest)` from `<weakref at ADDR; REST>`.
fn parse<T: ?Sized + Referent, F: Family>(r: &Ref<T, F>) -> (String, String) {
    let text = format!("{r:?}");
    let inner = text
        .strip_prefix("<weakref at ")
        .and_then(|t| t.strip_suffix('>'))
        .unwrap_or_else(|| panic!("unexpected Debug output {text:?}"));
    let (addr, rest) = inner.split_once("; ").expect("`; ` after the address");
    (addr.to_owned(), rest.to_owned())
}

// ---------------------------------------------------------------- semantics 9

fn debug_shows_type_and_address_alive_then_dead<Fl: Flavour>() {
    let c = circle::<Fl>(1.0);
    let r = Ref::new(&c);
    let (addr, rest) = parse(&r);
    assert_eq!(
        rest,
        format!(
            "to '{}' at {:p}",
            std::any::type_name::<Circle>(),
            std::ptr::from_ref::<Circle>(&c)
        )
    );
    assert!(rest.contains("Circle"));
    drop(c);
    assert_eq!(parse(&r), (addr, "dead".to_owned()));
}
flavour_tests!(debug_shows_type_and_address_alive_then_dead);

fn debug_of_a_dyn_ref_names_the_trait_object_type<Fl: Views>() {
    let d = Fl::as_dyn(circle::<Fl>(1.0));
    let r = Ref::new(&d);
    let (_, rest) = parse(&r);
    assert!(rest.starts_with(&format!("to '{}' at ", std::any::type_name::<dyn Shape>())));
    assert!(rest.contains("Shape"), "{rest}");
    assert!(
        rest.ends_with(&format!(
            "{:p}",
            std::ptr::from_ref::<dyn Shape>(&*d).cast::<()>()
        )),
        "{rest}"
    );
    drop(d);
    assert_eq!(parse(&r).1, "dead");
}
flavour_tests!(debug_of_a_dyn_ref_names_the_trait_object_type);

/// CPython test_repr_failure_gh99184's `MyConfig`: a referent whose own
/// formatting fails (there: `__getattr__` raising for `__name__`).
#[derive(Referent)]
struct MyConfig {
    header: Header,
}

impl std::fmt::Debug for MyConfig {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        panic!("a weak reference's Debug must not format its referent")
    }
}

// CPython 3.11: test_weakref.py ReferencesTestCase.test_repr_failure_gh99184
// A ref's `Debug` names the referent's type without asking the referent
// anything, so a referent whose own `Debug` fails cannot break it.
fn debug_never_formats_the_referent<Fl: Flavour>() {
    let obj = Fl::new(MyConfig {
        header: Header::new(),
    });
    let r = Ref::new(&obj);
    let (_, rest) = parse(&r);
    assert!(rest.contains("MyConfig"), "{rest}");
    drop(obj);
    assert_eq!(parse(&r).1, "dead");
}
flavour_tests!(debug_never_formats_the_referent);

// The ref handed to a callback is the same weak reference object as the
// user's (same address) and prints as dead.
fn debug_of_the_callback_argument<Fl: Flavour>() {
    let printed = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&printed);
    let c = circle::<Fl>(1.0);
    let r = Fl::with_callback(&c, move |me: &Ref<Circle, Fl>| {
        assert!(Ref::as_ptr(me).is_null(), "no referent to point to");
        *sink.lock().unwrap() = format!("{me:?}");
    });
    let (addr, _) = parse(&r);
    drop(c);
    assert_eq!(
        *printed.lock().unwrap(),
        format!("<weakref at {addr}; dead>")
    );
}
flavour_tests!(debug_of_the_callback_argument);

// --------------------------------------------------------------- semantics 9a

// `Ref::new(&c)` and `Ref::new(&(c as Arc<dyn Shape>))` are the same shared
// weak reference object.
fn shared_ref_is_shared_across_views<Fl: Views>() {
    let c = circle::<Fl>(2.0);
    let d = Fl::as_dyn(c.clone());
    let rc = Ref::new(&c);
    let rd = Ref::new(&d);
    assert_eq!(Fl::getweakrefcount(&c), 1, "one object, one shared ref");
    assert_eq!(Fl::getweakrefcount(&d), 1);
    assert_eq!(parse(&rc).0, parse(&rd).0, "same weak reference object");
    assert_eq!(Ref::as_ptr(&rc), Ref::as_ptr(&rd));
    assert_eq!(
        Ref::as_ptr(&rc),
        std::ptr::from_ref::<Circle>(&c).cast::<()>()
    );
    // Listed through the dyn view: the very object of both handles.
    let listed = Fl::getweakrefs::<dyn Shape>(&d);
    assert_eq!(listed.len(), 1);
    assert!(Ref::ptr_eq(&listed[0], &rd));
    // The ref made as `Circle` keeps the shared object alive for the dyn view.
    drop(rd);
    assert_eq!(Fl::getweakrefcount(&d), 1);
    assert!(Ref::ptr_eq(&Ref::new(&d), &listed[0]));
    drop((listed, rc));
    assert_eq!(Fl::getweakrefcount(&d), 0);
}
flavour_tests!(shared_ref_is_shared_across_views);

// Count and list every weak reference of the object, whichever view made it,
// in one order: shared ref first, then the others newest first.
fn count_and_list_cover_every_view<Fl: Views>() {
    let c = circle::<Fl>(1.0);
    let d = Fl::as_dyn(c.clone());
    let a = Fl::with_callback(&c, |_| ());
    let b = Fl::with_callback(&d, |_| ());
    let s = Ref::new(&c);
    let e = Fl::with_callback(&d, |_| ());
    assert_eq!(Fl::getweakrefcount(&c), 4);
    assert_eq!(Fl::getweakrefcount(&d), 4);
    let as_dyn = Fl::getweakrefs::<dyn Shape>(&d);
    let as_circle = Fl::getweakrefs::<Circle>(&c);
    assert_eq!(as_dyn.len(), 4);
    assert!(Ref::ptr_eq(&as_dyn[1], &e) && Ref::ptr_eq(&as_dyn[2], &b));
    assert!(Ref::ptr_eq(&as_circle[0], &s) && Ref::ptr_eq(&as_circle[3], &a));
    let addresses = |refs: &[Ref<Circle, Fl>]| refs.iter().map(|r| parse(r).0).collect::<Vec<_>>();
    let dyn_addresses: Vec<_> = as_dyn.iter().map(|r| parse(r).0).collect();
    assert_eq!(
        addresses(&as_circle),
        dyn_addresses,
        "same objects, same order"
    );
    // Every listed ref works, through either view.
    assert!(
        as_dyn
            .iter()
            .all(|r| (r.get().unwrap().area() - 3.0).abs() < 1e-12)
    );
    assert!(as_circle.iter().all(|r| ptr_eq(&r.get().unwrap(), &c)));
}
flavour_tests!(count_and_list_cover_every_view);

fn dyn_ref_get_works<Fl: Views>() {
    let shapes: Vec<Fl::Ptr<dyn Shape>> = vec![
        Fl::as_dyn(circle::<Fl>(1.0)),
        Fl::as_dyn(Fl::new(Square {
            side: 2.0,
            header: Header::new(),
        })),
    ];
    let refs: Vec<Ref<dyn Shape, Fl>> = shapes.iter().map(Ref::new).collect();
    let areas: Vec<f64> = refs.iter().map(|r| r.get().unwrap().area()).collect();
    assert_eq!(areas, [3.0, 4.0]);
    assert!(ptr_eq(&refs[1].get().unwrap(), &shapes[1]));
    drop(shapes);
    assert!(refs.iter().all(|r| r.get().is_none()));
}
flavour_tests!(dyn_ref_get_works);

// Callbacks made through the dyn view fire (with the dyn ref), in one order
// with those made through the concrete type, when the last `Arc` of either
// view goes.
fn callbacks_through_the_dyn_view_fire<Fl: Views>() {
    let order = Arc::new(Mutex::new(Vec::new()));
    let calls = Counter::new();
    let c = circle::<Fl>(1.0);
    let d = Fl::as_dyn(c.clone());
    let log = |name: &'static str| {
        let order = Arc::clone(&order);
        move || order.lock().unwrap().push(name)
    };
    let (first, third) = (log("circle 1"), log("circle 3"));
    let second = log("dyn 2");
    let _r1 = Fl::with_callback(&c, move |_| first());
    let received: Rc<RefCell<Option<Ref<dyn Shape, Fl>>>> = Rc::default();
    let sink = Local::new(Rc::clone(&received));
    let r2 = Fl::with_callback(&d, move |me: &Ref<dyn Shape, Fl>| {
        *sink.into_inner().borrow_mut() = Some(me.clone());
        second();
    });
    let _r3 = Fl::with_callback(&c, move |_| third());
    let _counted = Fl::with_callback(&d, calls.callback_in());
    drop(c);
    assert!(
        order.lock().unwrap().is_empty(),
        "the dyn view keeps it alive"
    );
    assert!(r2.is_alive());
    drop(d);
    assert_eq!(*order.lock().unwrap(), ["circle 3", "dyn 2", "circle 1"]);
    assert_eq!(calls.get(), 1);
    let got = received.borrow_mut().take().unwrap();
    assert!(Ref::ptr_eq(&got, &r2));
    assert!(!r2.is_alive());
}
flavour_tests!(callbacks_through_the_dyn_view_fire);
