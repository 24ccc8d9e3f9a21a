// Trait objects as referents: with `trait Shape: Referent`, `dyn Shape` is a
// referent, so an `Arc<dyn Shape>` can be weakly referenced (as a `Ref<dyn
// Shape>`), counted and listed, whatever concrete type is behind it.

use std::sync::Arc;

use weakref::{Header, Ref, Referent, getweakrefcount, getweakrefs};

trait Shape: Referent + Send + Sync {
    fn area(&self) -> f64;
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

#[derive(Referent)]
struct Circle(f64, Header);

impl Shape for Circle {
    fn area(&self) -> f64 {
        3.0 * self.0 * self.0
    }
}

fn main() {
    let shapes: Vec<Arc<dyn Shape>> = vec![
        Arc::new(Square {
            side: 2.0,
            header: Header::new(),
        }),
        Arc::new(Circle(1.0, Header::new())),
    ];
    let refs: Vec<Ref<dyn Shape>> = shapes.iter().map(Ref::new).collect();
    let areas: Vec<f64> = refs.iter().map(|r| r.get().unwrap().area()).collect();
    assert_eq!(areas, [4.0, 3.0]);
    assert_eq!(getweakrefcount(&shapes[0]), 1);
    assert_eq!(getweakrefs(&shapes[1]).len(), 1);

    // A ref made from the concrete `Arc` is the same weak reference object.
    let square = Arc::new(Square {
        side: 1.0,
        header: Header::new(),
    });
    let concrete = Ref::new(&square);
    let erased: Arc<dyn Shape> = square;
    assert_eq!(Ref::as_ptr(&concrete), Ref::as_ptr(&Ref::new(&erased)));

    drop(shapes);
    assert!(refs.iter().all(|r| r.get().is_none()));
}
