//! `ReferenceError`: using a weak proxy whose referent is gone.

use core::fmt;

/// The referent of a weak reference or proxy no longer exists.
///
/// Python raises `ReferenceError` when a dead proxy is used; in Rust the
/// operations that can fail this way return `Result<_, ReferenceError>`.
///
/// ```
/// use weakref_core::ReferenceError;
/// assert_eq!(ReferenceError.to_string(), "weakly-referenced object no longer exists");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReferenceError;

impl ReferenceError {
    /// The message, as a `&'static str` (for panics of forwarding traits).
    pub const MESSAGE: &'static str = "weakly-referenced object no longer exists";
}

impl fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::MESSAGE)
    }
}

impl std::error::Error for ReferenceError {}
