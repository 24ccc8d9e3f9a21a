// Mistake: `getweakrefcount` on an object whose type is not a referent.
// Python's `getweakrefcount` returns 0 for any object; here only weakly
// referenceable types can be asked, and the error says how to make one.

use std::sync::Arc;

use weakref::getweakrefcount;

struct Plain {
    value: u32,
}

fn main() {
    let obj = Arc::new(Plain { value: 1 });
    assert_eq!(getweakrefcount(&obj), usize::try_from(obj.value).unwrap());
}
