//! `Function<A, R>`: a weakly referenceable closure (Python's functions are
//! weakly referenceable, and their proxies are callable).

use core::fmt;

use weakref_core::{Callable, Header, Referent};

/// A weakly referenceable function: a closure with a [`Header`], callable
/// through [`Callable`], so its [`proxy`](crate::proxy) is a
/// [`CallableProxy`](crate::CallableProxy) (as Python's functions' proxies
/// are `CallableProxyType`) and [`Ref`](weakref_core::Ref)s to it work.
///
/// Several arguments are passed as one tuple.
///
/// ```
/// use std::sync::Arc;
/// use weakref_core::{Callable, Ref, ReferenceError};
/// use weakref_proxy::{proxy, Function};
///
/// let add = Arc::new(Function::new(|(a, b): (i32, i32)| a + b));
/// assert_eq!(add.call((1, 2)), 3);
/// let r = Ref::new(&add);
/// let p = proxy(&add);
/// assert_eq!(p.call((2, 3)), Ok(5));
/// drop(add);
/// assert!(r.get().is_none());
/// assert_eq!(p.call((2, 3)), Err(ReferenceError));
/// ```
#[derive(Referent)]
#[referent(callable, crate = "weakref_core")]
pub struct Function<A, R> {
    /// The function.
    f: Box<dyn Fn(A) -> R + Send + Sync>,
    /// Its weak references.
    header: Header,
}

impl<A, R> Function<A, R> {
    /// Wraps `f`; put the result in an `Arc` to reference it weakly.
    ///
    /// ```
    /// use weakref_core::Callable;
    /// use weakref_proxy::Function;
    ///
    /// let shout = Function::new(|s: &str| s.to_uppercase());
    /// assert_eq!(shout.call("hi"), "HI");
    /// ```
    #[must_use]
    pub fn new<F>(f: F) -> Self
    where
        F: Fn(A) -> R + Send + Sync + 'static,
    {
        Function {
            f: Box::new(f),
            header: Header::new(),
        }
    }
}

impl<A, R> Callable for Function<A, R> {
    type Args = A;
    type Output = R;

    fn call(&self, args: A) -> R {
        (self.f)(args)
    }
}

impl<A, R> fmt::Debug for Function<A, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<function {} -> {} at {:p}>",
            core::any::type_name::<A>(),
            core::any::type_name::<R>(),
            core::ptr::from_ref(self)
        )
    }
}
