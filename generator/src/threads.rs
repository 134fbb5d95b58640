//! The generator's thread and stack policy, in one place: the pipeline
//! runs on one large-stack thread, and emission formats the type modules
//! on one more such thread per core.

use std::collections::VecDeque;
use std::sync::Mutex;
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

/// Drops `value` on a thread of its own, which nothing waits for: freeing
/// the IR and the test values of a big spec takes tens of milliseconds
/// (33 ms of CDF's), all of it after the result is known. Dropped here
/// when that thread cannot start.
pub(crate) fn drop_later<T: Send + 'static>(value: T) {
    let dropper = std::thread::Builder::new()
        .name("drop".into())
        .stack_size(STACK);
    // A thread that cannot start drops its closure, and `value`, here.
    let _ = dropper.spawn(move || drop(value));
}

/// How many threads work in parallel: one per core.
pub(crate) fn parallelism() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// One piece of work for [`pool`]; it may add more through the queue
/// (work that had to wait for its own result).
pub(crate) type Job<'a, R> = Box<dyn FnOnce(&Queue<'a, R>) -> R + Send + 'a>;

/// The jobs of a [`pool`] not yet taken, each with its place in the
/// results.
pub(crate) struct Queue<'a, R> {
    pending: Mutex<Pending<'a, R>>,
}

/// The jobs not yet taken, with their places, and the next free place.
struct Pending<'a, R> {
    jobs: VecDeque<(usize, Job<'a, R>)>,
    next: usize,
}

impl<'a, R> Queue<'a, R> {
    /// Adds `job` to be taken next; its result comes after those of every
    /// job known so far.
    pub(crate) fn push_front(&self, job: Job<'a, R>) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let place = pending.next;
        pending.next += 1;
        pending.jobs.push_front((place, job));
    }

    fn take(&self) -> Option<(usize, Job<'a, R>)> {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.jobs.pop_front()
    }
}

/// Runs `jobs` on one thread per core, each thread taking the next job
/// when it is done with one, so a long job does not hold back the rest
/// of a fixed share. Results come in the order of the jobs (then of those
/// they added), whatever thread ran them. A panic in a job goes on in the
/// caller.
pub(crate) fn pool<'a, R: Send>(jobs: Vec<Job<'a, R>>) -> Vec<R> {
    let queue = Queue {
        pending: Mutex::new(Pending {
            next: jobs.len(),
            jobs: jobs.into_iter().enumerate().collect(),
        }),
    };
    let queue = &queue;
    let work = move || {
        let mut done = Vec::new();
        while let Some((place, job)) = queue.take() {
            done.push((place, job(queue)));
        }
        done
    };
    let mut results: Vec<(usize, R)> = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..parallelism())
            .filter_map(|_| spawn(s, "pool", work).ok())
            .collect();
        let mut results = work();
        for helper in helpers {
            let theirs = helper
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            results.extend(theirs);
        }
        results
    });
    results.sort_by_key(|(place, _)| *place);
    results.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_results_follow_the_jobs_then_what_they_added() {
        let seen = Mutex::new(Vec::new());
        let seen = &seen;
        let mut jobs: Vec<Job<'_, String>> = Vec::new();
        jobs.push(Box::new(move |queue| {
            // Added work waits for this job's own result, as the test
            // files wait for the test values.
            for n in ["b", "a"] {
                queue.push_front(Box::new(move |_| {
                    seen.lock().unwrap().push(n);
                    format!("added {n}")
                }));
            }
            "first".to_string()
        }));
        for n in 0..20 {
            jobs.push(Box::new(move |_| format!("job {n}")));
        }
        let results = pool(jobs);
        let mut want = vec!["first".to_string()];
        want.extend((0..20).map(|n| format!("job {n}")));
        // In the order they were added, though "a" was taken first.
        want.extend(["added b".to_string(), "added a".to_string()]);
        assert_eq!(results, want);
        let mut ran = seen.lock().unwrap().clone();
        ran.sort();
        assert_eq!(ran, ["a", "b"]);
    }

    #[test]
    fn a_panic_in_a_pool_job_reaches_the_caller() {
        let jobs: Vec<Job<'_, ()>> = vec![Box::new(|_| ()), Box::new(|_| panic!("job failed"))];
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pool(jobs)));
        assert!(caught.is_err());
    }
}
