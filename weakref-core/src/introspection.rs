//! `getweakrefcount` and `getweakrefs`: the weak references of an object.

use crate::family::{ArcFamily, Family};
use crate::header::Referent;
use crate::reference::Ref;
use crate::sync::Arc;

/// The number of live weak references and proxies to `obj` (0 for an object
/// never weakly referenced), whatever type each was made through.
///
/// ```
/// use std::sync::Arc;
/// use weakref_core::{getweakrefcount, Header, Ref, Referent};
///
/// #[derive(Referent)]
/// struct Obj { header: Header }
///
/// let obj = Arc::new(Obj { header: Header::new() });
/// assert_eq!(getweakrefcount(&obj), 0);
/// let a = Ref::new(&obj);
/// let b = Ref::with_callback(&obj, |_| ());
/// assert_eq!(getweakrefcount(&obj), 2);
/// drop((a, b));
/// assert_eq!(getweakrefcount(&obj), 0);
/// ```
#[must_use]
pub fn getweakrefcount<T: ?Sized + Referent>(obj: &Arc<T>) -> usize {
    weakref_count(&**obj)
}

/// Every live weak reference object of `obj` (refs, and the refs under
/// proxies): the shared ref first, then the shared proxy's, then the others
/// newest first — the order their callbacks would run.
///
/// ```
/// use std::sync::Arc;
/// use weakref_core::{getweakrefs, Header, Ref, Referent};
///
/// #[derive(Referent)]
/// struct Obj { header: Header }
///
/// let obj = Arc::new(Obj { header: Header::new() });
/// let old = Ref::with_callback(&obj, |_| ());
/// let new = Ref::with_callback(&obj, |_| ());
/// let shared = Ref::new(&obj);
/// let refs = getweakrefs(&obj);
/// assert!(Ref::ptr_eq(&refs[0], &shared));
/// assert!(Ref::ptr_eq(&refs[1], &new));
/// assert!(Ref::ptr_eq(&refs[2], &old));
/// ```
#[must_use]
pub fn getweakrefs<T: ?Sized + Referent>(obj: &Arc<T>) -> Vec<Ref<T>> {
    weak_refs::<T, ArcFamily>(obj)
}

/// `getweakrefcount` of either family.
pub(crate) fn weakref_count<T: ?Sized + Referent>(obj: &T) -> usize {
    obj.weakref_header()
        .attached()
        .map_or(0, |list| list.count())
}

/// `getweakrefs` of either family.
pub(crate) fn weak_refs<T: ?Sized + Referent, F: Family>(obj: &F::Strong<T>) -> Vec<Ref<T, F>> {
    let Some(list) = obj.weakref_header().attached() else {
        return Vec::new();
    };
    list.handles()
        .into_iter()
        .map(|node| Ref::from_parts(node, obj))
        .collect()
}
