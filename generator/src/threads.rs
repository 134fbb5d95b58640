//! The generator's thread and stack policy, in one place: the pipeline
//! runs on one large-stack thread, and emission formats the type modules
//! on one more such thread per core.

use std::thread::{Scope, ScopedJoinHandle};

use crate::error::{Error, Result};

/// Stack for the pipeline: parsing, the IR and the emitters recurse once
/// per level of schema nesting, and the parsers allow about 64 levels,
/// which takes more than the 2 MiB a spawned thread gets by default (a
/// debug build needs about 2 MiB for 60 levels). Reserved, not committed.
pub const STACK: usize = 256 * 1024 * 1024;

/// Runs `work` on a thread of its own with [`STACK`], so the caller's
/// stack size does not decide which specs can be read. Everything that
/// reads a spec (generation, `diff`) goes through here. A panic in `work`
/// goes on in the caller.
pub fn on_large_stack<T: Send>(work: impl FnOnce() -> T + Send) -> Result<T> {
    std::thread::scope(|s| {
        let worker = spawn(s, "cdf-codegen", work)?;
        Ok(worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    })
}

/// A thread of `s` with [`STACK`], named for error messages.
pub(crate) fn spawn<'scope, T: Send + 'scope>(
    s: &'scope Scope<'scope, '_>,
    name: &str,
    work: impl FnOnce() -> T + Send + 'scope,
) -> Result<ScopedJoinHandle<'scope, T>> {
    std::thread::Builder::new()
        .name(name.into())
        .stack_size(STACK)
        .spawn_scoped(s, work)
        .map_err(|e| Error::Emit {
            item: name.into(),
            message: format!("could not start a thread: {e}"),
        })
}

/// The result of a thread from [`spawn`]; its panic becomes an error
/// naming it.
pub(crate) fn join<T>(handle: ScopedJoinHandle<'_, Result<T>>, name: &str) -> Result<T> {
    handle.join().unwrap_or_else(|_| {
        Err(Error::Emit {
            item: name.into(),
            message: "the thread panicked".into(),
        })
    })
}

/// `work` on each of one share of `items` per core, every share on a
/// thread of its own (on this one when a thread cannot start); the
/// results in the order of the shares, so the outcome does not depend on
/// the thread count. A panic in a share goes on in the caller.
pub(crate) fn in_shares<'a, T: Sync, R: Send>(
    items: &'a [T],
    work: impl Fn(&'a [T]) -> R + Sync,
) -> Vec<R> {
    let size = items.len().div_ceil(parallelism()).max(1);
    let work = &work;
    std::thread::scope(|s| {
        let shares: Vec<_> = items
            .chunks(size)
            .map(|share| (share, spawn(s, "share", move || work(share))))
            .collect();
        shares
            .into_iter()
            .map(|(share, thread)| match thread {
                Ok(thread) => thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(_) => work(share),
            })
            .collect()
    })
}

/// How many threads work in parallel: one per core.
pub(crate) fn parallelism() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
