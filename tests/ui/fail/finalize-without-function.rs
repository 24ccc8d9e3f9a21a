// CPython 3.11: test_weakref.py FinalizeTestCase.test_arg_errors: a finalizer
// needs an object and a function (Python raises TypeError at run time; here
// it does not compile). The keyword half of the test (arguments named `func`
// and `obj` passed on to the function) does not apply: Rust has no keyword
// arguments; a closure carries the function's arguments.
use std::sync::Arc;
use weakref::{finalize, Header, Referent};

#[derive(Referent)]
struct A {
    header: Header,
}

fn main() {
    let a = Arc::new(A { header: Header::new() });
    let _f = finalize(&a);
}
