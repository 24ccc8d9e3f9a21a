// The derive keeps generics as written: type parameters with bounds and
// defaults, lifetimes, const generics, where clauses, and a header field
// found by its mark rather than by its type's name.

use std::fmt::Debug;
use std::sync::Arc;

use weakref::{Header, Ref, Referent};

#[derive(Referent)]
struct Wrapper<T> {
    value: T,
    header: Header,
}

#[derive(Referent)]
struct Bounded<T: Clone + Debug, U = u8>
where
    U: Copy + Default,
{
    items: Vec<T>,
    extra: U,
    header: weakref::Header,
}

#[derive(Referent)]
struct Borrowing<'a, T: ?Sized + 'a> {
    borrowed: &'a T,
    header: Header,
}

#[derive(Referent)]
struct Buffer<const N: usize> {
    bytes: [u8; N],
    header: Header,
}

type Slot = Header;

#[derive(Referent)]
struct Marked<'a, T, const N: usize>(#[referent(header)] Slot, [&'a T; N])
where
    T: PartialEq;

fn main() {
    let w = Arc::new(Wrapper {
        value: String::from("w"),
        header: Header::new(),
    });
    assert_eq!(Ref::new(&w).get().unwrap().value, "w");

    let b = Arc::new(Bounded::<i32> {
        items: vec![1],
        extra: 0,
        header: Header::new(),
    });
    let r = Ref::new(&b);
    assert_eq!(
        (r.get().unwrap().items.len(), r.get().unwrap().extra),
        (1, 0)
    );

    let text = String::from("borrowed");
    let borrowing = Arc::new(Borrowing {
        borrowed: text.as_str(),
        header: Header::new(),
    });
    assert_eq!(Ref::new(&borrowing).get().unwrap().borrowed, "borrowed");

    let buffer = Arc::new(Buffer::<4> {
        bytes: [1; 4],
        header: Header::new(),
    });
    assert_eq!(Ref::new(&buffer).get().unwrap().bytes, [1; 4]);

    let x = 5;
    let marked = Arc::new(Marked(Header::new(), [&x, &x]));
    assert!(std::ptr::eq(marked.weakref_header(), &marked.0));
    assert_eq!(*Ref::new(&marked).get().unwrap().1[1], 5);
}
