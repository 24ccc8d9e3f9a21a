//! `Arc` and `Weak` for loom models: std's algorithm on loom's atomics.
//!
//! The weak reference protocol races with the referent's strong count: the
//! window between "the last strong `Arc` is gone" (no weak reference can
//! upgrade any more) and "the header clears the weak references" (the
//! header's `Drop`, run while the referent's fields drop) is where a
//! callback can be lost. std's `Arc` counts with std atomics, invisible to
//! loom, so under `cfg(loom)` the crate's `Arc` and `Weak` are these: the
//! same orderings as `alloc::sync` (Release decrement, Acquire before the
//! drop; an upgrade is a compare-and-swap from a non-zero count), each a
//! point where loom may switch threads. Only what the crate and its models
//! use is here; unsized referents (`Arc<dyn Trait>`) need `CoerceUnsized`
//! and are not modelled.

use core::mem::ManuallyDrop;
use core::ops::Deref;
use core::ptr::{self, NonNull};

use loom::sync::atomic::{AtomicUsize, Ordering};

struct Inner<T: ?Sized> {
    strong: AtomicUsize,
    /// Weak references, plus one held by all the strong ones together.
    weak: AtomicUsize,
    /// Dropped by the last strong reference; the allocation goes with the
    /// last weak one.
    data: ManuallyDrop<T>,
}

/// `std::sync::Arc` on loom's atomics.
pub struct Arc<T: ?Sized> {
    ptr: NonNull<Inner<T>>,
}

/// `std::sync::Weak` on loom's atomics.
pub struct Weak<T: ?Sized> {
    /// The allocation, or `usize::MAX` for `Weak::new()` (as std).
    ptr: NonNull<Inner<T>>,
}

// SAFETY: as std's `Arc`: the counts are atomics and `T` is shared between
// threads (`Sync`) and may be dropped on any of them (`Send`).
unsafe impl<T: ?Sized + Send + Sync> Send for Arc<T> {}
// SAFETY: as for `Send`.
unsafe impl<T: ?Sized + Send + Sync> Sync for Arc<T> {}
// SAFETY: as for `Arc`.
unsafe impl<T: ?Sized + Send + Sync> Send for Weak<T> {}
// SAFETY: as for `Arc`.
unsafe impl<T: ?Sized + Send + Sync> Sync for Weak<T> {}

impl<T> Arc<T> {
    /// `Arc::new`.
    pub fn new(data: T) -> Arc<T> {
        let inner = Box::new(Inner {
            strong: AtomicUsize::new(1),
            weak: AtomicUsize::new(1),
            data: ManuallyDrop::new(data),
        });
        Arc {
            ptr: NonNull::from(Box::leak(inner)),
        }
    }

    /// `Arc::try_unwrap`: the value, if this was the only strong reference.
    pub fn try_unwrap(this: Arc<T>) -> Result<T, Arc<T>> {
        // Relaxed, then Acquire below: as std.
        if this
            .inner()
            .strong
            .compare_exchange(1, 0, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            return Err(this);
        }
        this.inner().strong.load(Ordering::Acquire);
        let this = ManuallyDrop::new(this);
        // SAFETY: the strong count went from one to zero here: nobody else
        // reads `data` again, and it is never dropped in place (the last
        // weak reference frees the allocation without dropping `data`).
        let data = unsafe { ptr::read(&*this.inner().data) };
        // The strong references' shared weak count.
        drop(Weak { ptr: this.ptr });
        Ok(data)
    }
}

impl<T: ?Sized> Arc<T> {
    fn inner(&self) -> &Inner<T> {
        // SAFETY: a strong reference keeps the allocation alive.
        unsafe { self.ptr.as_ref() }
    }

    /// `Arc::downgrade`.
    pub fn downgrade(this: &Arc<T>) -> Weak<T> {
        // Relaxed: made from a strong reference, which keeps the allocation.
        this.inner().weak.fetch_add(1, Ordering::Relaxed);
        Weak { ptr: this.ptr }
    }

    /// `Arc::ptr_eq`.
    pub fn ptr_eq(this: &Arc<T>, other: &Arc<T>) -> bool {
        ptr::addr_eq(this.ptr.as_ptr(), other.ptr.as_ptr())
    }

    /// `Arc::as_ptr`.
    pub fn as_ptr(this: &Arc<T>) -> *const T {
        let data: *const ManuallyDrop<T> = &this.inner().data;
        data as *const T
    }

    /// `Arc::strong_count`.
    pub fn strong_count(this: &Arc<T>) -> usize {
        this.inner().strong.load(Ordering::Relaxed)
    }
}

impl<T: ?Sized> Clone for Arc<T> {
    fn clone(&self) -> Arc<T> {
        // Relaxed: as std.
        self.inner().strong.fetch_add(1, Ordering::Relaxed);
        Arc { ptr: self.ptr }
    }
}

impl<T: ?Sized> Deref for Arc<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner().data
    }
}

impl<T: ?Sized> Drop for Arc<T> {
    fn drop(&mut self) {
        // Release/Acquire: as std, every use happens before the drop.
        if self.inner().strong.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        self.inner().strong.load(Ordering::Acquire);
        // SAFETY: the last strong reference: nobody else reads or writes
        // the allocation's `data` any more (upgrades fail from zero).
        let data = unsafe { &mut (*self.ptr.as_ptr()).data };
        // SAFETY: dropped once, here, and never read again.
        unsafe { ManuallyDrop::drop(data) };
        drop(Weak { ptr: self.ptr });
    }
}

impl<T> Default for Weak<T> {
    fn default() -> Weak<T> {
        Weak::new()
    }
}

impl<T> Weak<T> {
    /// `Weak::new`: never had a referent.
    pub fn new() -> Weak<T> {
        let dangling = ptr::without_provenance_mut::<Inner<T>>(usize::MAX);
        Weak {
            ptr: NonNull::new(dangling).expect("not null"),
        }
    }
}

impl<T: ?Sized> Weak<T> {
    fn inner(&self) -> Option<&Inner<T>> {
        if self.ptr.cast::<()>().as_ptr() as usize == usize::MAX {
            return None;
        }
        // SAFETY: a weak reference keeps the allocation alive.
        Some(unsafe { self.ptr.as_ref() })
    }

    /// `Weak::upgrade`.
    pub fn upgrade(&self) -> Option<Arc<T>> {
        let inner = self.inner()?;
        let mut n = inner.strong.load(Ordering::Relaxed);
        loop {
            if n == 0 {
                return None;
            }
            // Acquire: as std, pairs with the Release decrements.
            match inner
                .strong
                .compare_exchange_weak(n, n + 1, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => return Some(Arc { ptr: self.ptr }),
                Err(actual) => n = actual,
            }
        }
    }

    /// `Weak::strong_count`.
    pub fn strong_count(&self) -> usize {
        self.inner()
            .map_or(0, |inner| inner.strong.load(Ordering::Relaxed))
    }

    /// `Weak::as_ptr`: the referent's address (dangling for `Weak::new()`).
    pub fn as_ptr(&self) -> *const T {
        match self.inner() {
            Some(inner) => {
                let data: *const ManuallyDrop<T> = &inner.data;
                data as *const T
            }
            None => self.ptr.as_ptr() as *const T,
        }
    }

    /// `Weak::ptr_eq`.
    pub fn ptr_eq(&self, other: &Weak<T>) -> bool {
        ptr::addr_eq(self.ptr.as_ptr(), other.ptr.as_ptr())
    }
}

impl<T: ?Sized> Clone for Weak<T> {
    fn clone(&self) -> Weak<T> {
        if let Some(inner) = self.inner() {
            // Relaxed: as std.
            inner.weak.fetch_add(1, Ordering::Relaxed);
        }
        Weak { ptr: self.ptr }
    }
}

impl<T: ?Sized> Drop for Weak<T> {
    fn drop(&mut self) {
        let Some(inner) = self.inner() else { return };
        if inner.weak.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        inner.weak.load(Ordering::Acquire);
        // SAFETY: the last reference of any kind; allocated by `Arc::new`
        // with `Box`; `data` was dropped (or moved out) already and is a
        // `ManuallyDrop`, so freeing does not drop it again.
        drop(unsafe { Box::from_raw(self.ptr.as_ptr()) });
    }
}

impl<T: Default> Default for Arc<T> {
    fn default() -> Arc<T> {
        Arc::new(T::default())
    }
}

impl<T: ?Sized + core::fmt::Debug> core::fmt::Debug for Arc<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        (**self).fmt(f)
    }
}

impl<T: ?Sized> core::fmt::Debug for Weak<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("(Weak)")
    }
}
