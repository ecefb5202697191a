//! Giving memory back to the system after a big load. A first load of half a million features
//! passes through a parsed answer, a batch of whole features and the store's writes, several
//! hundred megabytes that are all freed once the layer is tabled; an allocator keeps such
//! pages for reuse, and a thread that then sits idle never hands them back, so the engine's
//! resident size would stay at its peak for days. The binary, which chose the allocator, says
//! how to make it let go ([`on_release`]); the engine asks after every big load.

use std::sync::OnceLock;

/// A load (or a store read at start) of at least this many features is followed by a release.
pub const RELEASE_FROM: usize = 50_000;

static RELEASE: OnceLock<fn()> = OnceLock::new();

/// Sets how this process makes its allocator return free pages (once; later calls are
/// ignored). Without it, a release does nothing.
pub fn on_release(release: fn()) {
    let _ = RELEASE.set(release);
}

/// Asks the allocator to return its free pages, where the binary said how.
pub fn release() {
    if let Some(release) = RELEASE.get() {
        release();
    }
}
