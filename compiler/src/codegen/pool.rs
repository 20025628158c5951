//! Threads within a chain: the persistent pool that runs the chunks of a
//! `RunChunks` statement (`ir::chunks`) and the callback JIT code calls for
//! that statement.
//!
//! A [`ChunkPool`] of `n` threads keeps `n - 1` workers asleep on a
//! condition variable; the thread that evaluates the gradient is the n-th.
//! For each `RunChunks` the caller publishes the job (the chunk function,
//! the arena pointers, the number of chunks), wakes the workers and takes
//! chunks itself; every thread takes the next chunk number from one atomic
//! counter until none is left, so a thread slowed by a loaded machine takes
//! fewer chunks. The caller returns when every worker has finished the job.
//! Nothing is spawned per gradient.
//!
//! Which thread runs which chunk never changes a result: chunks write
//! disjoint memory, and the gradient combines what they wrote in chunk
//! order after they are all done (`ir::chunks`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use super::context::{EntryFn, RunContext, STATUS_OK};

/// The name the chunk callback is registered under.
pub(crate) const RUN_CHUNKS_SYMBOL: &str = "hbmc_jit_run_chunks";

/// One `RunChunks` statement in flight. Each job has its own counters, so
/// a worker that wakes after the job is done finds no chunk left in it and
/// never runs a chunk of a later job with this one's context.
struct Job {
    func: EntryFn,
    /// The evaluating call's context; only its arena pointers are used.
    ctx: *const RunContext,
    count: u64,
    /// The next chunk number to take.
    next: AtomicU64,
    /// Chunks finished.
    done: AtomicU64,
    /// The first failure (lowest chunk number): chunk, status, reject.
    failure: Mutex<Option<(u64, u64, u64)>>,
}

// SAFETY: `ctx` is dereferenced only to run a chunk that was taken before
// the job's last chunk finished, and the publishing thread waits in
// `ChunkPool::run` until every chunk has finished, so the context and the
// arenas it points to outlive every use; chunks write disjoint memory
// (`ir::chunks`).
unsafe impl Send for Job {}
// SAFETY: as above; the counters are atomics and the failure a mutex.
unsafe impl Sync for Job {}

impl Job {
    /// Runs chunks until none is left; returns whether this thread
    /// finished the job's last chunk.
    fn work(&self) -> bool {
        let mut last = false;
        loop {
            let c = self.next.fetch_add(1, Ordering::AcqRel);
            if c >= self.count {
                return last;
            }
            if let Some(fail) = run_one(self.func, self.ctx, c) {
                let mut f = self.failure.lock().unwrap_or_else(|e| e.into_inner());
                if f.is_none_or(|g| fail.0 < g.0) {
                    *f = Some(fail);
                }
            }
            last = self.done.fetch_add(1, Ordering::AcqRel) + 1 == self.count;
        }
    }
}

#[derive(Default)]
struct State {
    /// Bumped for every job, so that a worker takes each job once.
    generation: u64,
    job: Option<Arc<Job>>,
    shutdown: bool,
}

struct Shared {
    /// A copy of `state.generation` read without the lock, so that a
    /// worker that has just finished can spin for the next job instead of
    /// sleeping: a wake-up through the condition variable took tens of
    /// microseconds, a tenth of a 100,000-observation gradient.
    published: AtomicU64,
    state: Mutex<State>,
    wake: Condvar,
    finished: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock (chunks run outside it), so
        // poisoning cannot happen; a poisoned state would still be consistent.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Runs chunk `c`; returns (chunk, status, reject) when it failed.
fn run_one(func: EntryFn, ctx: *const RunContext, c: u64) -> Option<(u64, u64, u64)> {
    // SAFETY: `ctx` is valid while the job runs (see `Job`).
    let mut ctx = unsafe { (*ctx).for_chunk(c) };
    // SAFETY: the chunk function's contract is `EntryFn`'s; the arenas are
    // the evaluating call's, valid for the module's sizes, and the chunks
    // of one job write disjoint parts of them.
    unsafe { func(&mut ctx) };
    (ctx.status != STATUS_OK).then_some((c, ctx.status, ctx.reject))
}

/// A pool of threads for the chunks of one evaluator (one chain): see the
/// module docs. Dropping it stops and joins the workers.
pub struct ChunkPool {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for ChunkPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkPool").field("threads", &self.threads()).finish()
    }
}

impl ChunkPool {
    /// A pool of `threads` threads in all: the calling thread and
    /// `threads - 1` workers (none for 0 or 1). Fails only when the
    /// operating system refuses a thread.
    pub fn new(threads: usize) -> std::io::Result<ChunkPool> {
        let shared = Arc::new(Shared {
            published: AtomicU64::new(0),
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            finished: Condvar::new(),
        });
        let mut pool = ChunkPool { shared, workers: Vec::new() };
        for i in 1..threads.max(1) {
            let shared = pool.shared.clone();
            let handle = std::thread::Builder::new().name(format!("hbmc-chunks-{i}")).spawn(move || worker(&shared))?;
            pool.workers.push(handle);
        }
        Ok(pool)
    }

    /// The number of threads that run chunks (workers and the caller).
    pub fn threads(&self) -> usize {
        self.workers.len() + 1
    }

    /// Runs chunks `0..count` of `func` on the arenas of `ctx`; on failure
    /// copies the status of the lowest failing chunk into `ctx`.
    ///
    /// # Safety
    /// `ctx` is a valid context for `func` (see [`EntryFn`]) and `func` a
    /// chunk function whose chunks write disjoint memory.
    unsafe fn run(&self, ctx: *mut RunContext, func: EntryFn, count: u64) {
        let job = Arc::new(Job {
            func,
            ctx,
            count,
            next: AtomicU64::new(0),
            done: AtomicU64::new(0),
            failure: Mutex::new(None),
        });
        if !self.workers.is_empty() && count > 1 {
            {
                let mut st = self.shared.lock();
                st.job = Some(job.clone());
                st.generation = st.generation.wrapping_add(1);
                self.shared.published.store(st.generation, Ordering::Release);
            }
            self.shared.wake.notify_all();
        }
        job.work();
        // Wait for chunks that workers took and have not finished (a worker
        // that has not woken yet takes none, and is not waited for): first
        // spinning, as a chunk in flight ends within microseconds.
        spin_until(|| job.done.load(Ordering::Acquire) >= count);
        if job.done.load(Ordering::Acquire) < count {
            let mut st = self.shared.lock();
            while job.done.load(Ordering::Acquire) < count {
                st = self.shared.finished.wait(st).unwrap_or_else(|e| e.into_inner());
            }
        }
        let failure = *job.failure.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, status, reject)) = failure {
            // SAFETY: caller contract (`ctx` valid); no chunk runs any more.
            unsafe {
                (*ctx).status = status;
                (*ctx).reject = reject;
            }
        }
    }
}

/// Spins until `ready` or for at most [`SPIN_TIME`]; the callers check
/// again under the lock, so the outcome is not returned.
fn spin_until(ready: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    loop {
        for _ in 0..64 {
            if ready() {
                return;
            }
            std::hint::spin_loop();
        }
        if start.elapsed() >= SPIN_TIME {
            return;
        }
    }
}

/// How long a thread spins before it sleeps: longer than the sampler's
/// work between two gradients, much shorter than a gradient worth
/// splitting (a large likelihood, ~100 microseconds and up).
const SPIN_TIME: std::time::Duration = std::time::Duration::from_micros(50);

fn worker(shared: &Shared) {
    let mut seen = 0u64;
    loop {
        // The next job usually comes within microseconds of the last.
        spin_until(|| shared.published.load(Ordering::Acquire) != seen);
        let job = {
            let mut st = shared.lock();
            while st.generation == seen && !st.shutdown {
                st = shared.wake.wait(st).unwrap_or_else(|e| e.into_inner());
            }
            if st.shutdown {
                return;
            }
            seen = st.generation;
            st.job.clone()
        };
        if let Some(job) = job {
            if job.work() {
                // Under the lock, so the caller cannot miss it between its
                // check of `done` and its wait.
                let _st = shared.lock();
                shared.finished.notify_all();
            }
        }
    }
}

impl Drop for ChunkPool {
    fn drop(&mut self) {
        self.shared.lock().shutdown = true;
        self.shared.wake.notify_all();
        for w in self.workers.drain(..) {
            // A worker that panicked has nothing left to clean up.
            let _ = w.join();
        }
    }
}

/// The callback JIT code calls for `RunChunks` (registered with the JIT
/// under [`RUN_CHUNKS_SYMBOL`]): runs the chunks on `ctx.pool`, or one
/// after the other on this thread when it is null. Never panics.
///
/// # Safety
/// Called only by generated code: `ctx` is the context its entry point
/// got (its `pool` null or a live `ChunkPool`, set by the safe wrapper),
/// and `func` a chunk function of the same module.
pub(crate) unsafe extern "C" fn hbmc_jit_run_chunks(ctx: *mut RunContext, func: EntryFn, count: u64) {
    if ctx.is_null() {
        return;
    }
    // SAFETY: generated code passes its own valid context.
    let pool = unsafe { (*ctx).pool }.cast::<ChunkPool>();
    if pool.is_null() {
        for c in 0..count {
            if let Some((_, status, reject)) = run_one(func, ctx, c) {
                // SAFETY: as above.
                unsafe {
                    (*ctx).status = status;
                    (*ctx).reject = reject;
                }
                return;
            }
        }
    } else {
        // SAFETY: a non-null pool is a live `ChunkPool` (caller contract);
        // the chunks of `func` write disjoint memory (`ir::chunks`).
        unsafe { (*pool).run(ctx, func, count) }
    }
}
