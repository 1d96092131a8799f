//! NNG's asynchronous I/O handle (`nng_aio`) with a waker-based completion.
//!
//! Owns [`Aio`] (one `nng_aio` and the state its completion callback shares with whoever awaits
//! it) and the callback itself. It must not touch streams, listeners or dialers: the caller
//! starts each operation through a closure, and what that operation references (buffers, outputs)
//! stays the caller's business.
//!
//! NNG calls [`on_complete`] on one of its threads; it marks the operation done and wakes the task
//! that last polled it. Nothing here depends on a particular async runtime.
//!
//! # Drop safety
//!
//! An operation belongs to its `Aio`, not to the future awaiting it: a dropped future leaves the
//! operation running, and a later [`Aio::done`] picks it up again. Owners end operations by
//! closing what they run on (stream, listener, dialer), which NNG completes at once with
//! `NNG_ECLOSED`. Dropping the `Aio` first waits until a running operation has completed and its
//! callback has returned, and only then frees the `nng_aio`, the callback's state and, after
//! that, the owner's buffers.
//!
//! NNG's own cancellation is not relied on. In NNG 1.11 `nng_aio_stop` (which `nng_aio_free`
//! calls) racing with a completion on another thread could return while that completion still
//! used the aio, canceling a TLS send or receive killed the connection, and canceling dials on a
//! reused dialer crashed; closing the owner instead makes NNG complete the operation itself, on
//! every version. Only an operation that did not complete within [`TEARDOWN_PATIENCE`] after its
//! owner closed is left to `nng_aio_free`'s cancellation: it is stuck, so nothing completes it
//! concurrently.

use std::ffi::c_void;
use std::future::poll_fn;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::{self, NonNull};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use super::error::{check, NngError, Result};
use super::sys::{self, nng_aio};

/// How long tearing an aio down waits for its closed operation to complete before canceling it.
const TEARDOWN_PATIENCE: Duration = Duration::from_secs(10);

/// One `nng_aio`, reused for one operation after another.
pub(super) struct Aio {
    raw: NonNull<nng_aio>,
    /// What the callback touches. Boxed so that its address, given to NNG as the callback's
    /// argument, stays put when the `Aio` moves; freed only after `raw` (see `Drop`).
    completion: Box<Completion>,
    /// An operation was started and `done` has not returned its result yet.
    busy: bool,
}

// SAFETY: an `nng_aio` may be used from any thread (NNG runs the callbacks on its own threads
// anyway); `Aio` touches it only through `&mut self`, and `Completion` is `Send + Sync`.
unsafe impl Send for Aio {}

/// The state shared between an operation's future and NNG's completion callback.
struct Completion {
    state: Mutex<CompletionState>,
    /// Signaled with `done`, for teardown waiting on a thread instead of a task.
    finished: Condvar,
}

#[derive(Default)]
struct CompletionState {
    /// The current operation has completed (its callback ran).
    done: bool,
    /// The task to wake when it does.
    waker: Option<Waker>,
}

impl Completion {
    /// Locks the state. A poisoned lock is taken as is: no code holding it can panic (it only
    /// assigns fields), so poisoning cannot leave it inconsistent.
    fn lock(&self) -> MutexGuard<'_, CompletionState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Marks the operation done and wakes its task, outside the lock.
    fn complete(&self) {
        let waker = {
            let mut state = self.lock();
            state.done = true;
            self.finished.notify_all();
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Blocks until the operation is done or `deadline` passed; tells whether it is done.
    fn wait_until(&self, deadline: Instant) -> bool {
        let mut state = self.lock();
        while !state.done {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return false;
            };
            state =
                self.finished.wait_timeout(state, left).unwrap_or_else(PoisonError::into_inner).0;
        }
        true
    }
}

/// NNG's completion callback for every [`Aio`]. Runs on an NNG thread, never concurrently with
/// itself for the same aio.
extern "C" fn on_complete(arg: *mut c_void) {
    // SAFETY: `arg` is the address of the `Completion` boxed in the `Aio` that registered this
    // callback. The box is freed only after `nng_aio_free`, which waits for a running callback to
    // return and prevents later ones, so the reference is valid for the whole call.
    let completion = unsafe { &*arg.cast_const().cast::<Completion>() };
    // Only the waker's `wake` is foreign code that could panic. A panic must not unwind into C,
    // and swallowing it would leave the task asleep forever: abort, as Rust does for a panic
    // that reaches an `extern "C"` boundary.
    if catch_unwind(AssertUnwindSafe(|| completion.complete())).is_err() {
        std::process::abort();
    }
}

impl Aio {
    /// Allocates an idle aio. Fails only when NNG is out of memory (or could not start).
    pub(super) fn new() -> Result<Self> {
        check(sys::init())?;
        let completion = Box::new(Completion {
            state: Mutex::new(CompletionState::default()),
            finished: Condvar::new(),
        });
        let arg = ptr::from_ref::<Completion>(&completion).cast_mut().cast::<c_void>();
        let mut raw = ptr::null_mut();
        // SAFETY: `raw` is a valid out-pointer; `arg` points into `completion`, which the new
        // `Aio` owns and frees only after the nng_aio (see `Drop`).
        check(unsafe { sys::nng_aio_alloc(&mut raw, Some(on_complete), arg) })?;
        let raw = NonNull::new(raw).ok_or(NngError::from_code(super::error::EINTERNAL))?;
        Ok(Self { raw, completion, busy: false })
    }

    /// Starts an operation: `start` receives the nng_aio and must either start exactly one
    /// operation on it (`nng_stream_recv(stream, aio)` and the like, after setting its iov) and
    /// return `Ok`, or start nothing and return the error. Await it with [`done`](Self::done).
    ///
    /// # Safety
    ///
    /// Whatever the started operation references (the iov's buffers) must stay valid, and must
    /// not be accessed by Rust code, until the operation is over: until [`done`](Self::done)
    /// returned its result (then [`is_busy`](Self::is_busy) is false) or this `Aio` was dropped
    /// (which waits for it). Callers uphold it by keeping those buffers next to the `Aio`, declared
    /// after it, and touching them only while it is not busy.
    pub(super) unsafe fn start(
        &mut self,
        start: impl FnOnce(*mut nng_aio) -> Result<()>,
    ) -> Result<()> {
        // An aio never runs two operations at once.
        self.settle();
        *self.completion.lock() = CompletionState::default();
        start(self.raw.as_ptr())?;
        self.busy = true;
        Ok(())
    }

    /// An operation was started and [`done`](Self::done) has not returned its result yet.
    pub(super) fn is_busy(&self) -> bool {
        self.busy
    }

    /// Waits for the running operation and returns its result (at once, with the last result, if
    /// none runs). Cancel-safe: a dropped `done` leaves the operation running for the next call.
    pub(super) async fn done(&mut self) -> Result<()> {
        poll_fn(|cx| {
            {
                let mut state = self.completion.lock();
                if self.busy && !state.done {
                    match &mut state.waker {
                        Some(waker) if waker.will_wake(cx.waker()) => {}
                        slot => *slot = Some(cx.waker().clone()),
                    }
                    return Poll::Pending;
                }
            }
            // The callback ran, so NNG has finished with the operation and set its result; the
            // lock above orders that before the reads below.
            self.busy = false;
            Poll::Ready(self.result())
        })
        .await
    }

    /// Blocks until a running operation is over. Free when idle; the accessors below use it only
    /// as a safety net, since their callers read results after `done` or `stop`.
    fn settle(&mut self) {
        if self.busy {
            // SAFETY: `raw` is a live aio; waiting returns once its operation and callback are
            // over.
            unsafe { sys::nng_aio_wait(self.raw.as_ptr()) };
            self.busy = false;
        }
    }

    /// The result of the last operation.
    pub(super) fn result(&mut self) -> Result<()> {
        self.settle();
        // SAFETY: `raw` is a live aio with no operation running, so nothing writes the field
        // concurrently.
        check(unsafe { sys::nng_aio_result(self.raw.as_ptr()) })
    }

    /// How many bytes the last send or receive transferred.
    pub(super) fn count(&mut self) -> usize {
        self.settle();
        // SAFETY: as in `result`.
        unsafe { sys::nng_aio_count(self.raw.as_ptr()) }
    }

    /// The first output of the last operation (the new `nng_stream` of an accept or dial), or
    /// null.
    pub(super) fn first_output(&mut self) -> *mut c_void {
        self.settle();
        // SAFETY: as in `result`.
        unsafe { sys::nng_aio_get_output(self.raw.as_ptr(), 0) }
    }

    /// Blocks until a running operation is over, for owners tearing down after closing what it
    /// runs on. Gives up after [`TEARDOWN_PATIENCE`] and tells whether it is over.
    pub(super) fn wait_closed(&mut self) -> bool {
        if self.busy && self.completion.wait_until(Instant::now() + TEARDOWN_PATIENCE) {
            // The callback started; wait for it to return.
            self.settle();
        }
        !self.busy
    }
}

impl Drop for Aio {
    fn drop(&mut self) {
        // The owner closed what the operation runs on, so it completes; freeing the aio while it
        // does would race inside NNG (see the module documentation).
        self.wait_closed();
        // SAFETY: `raw` is live and not used afterwards. No operation runs, unless one was stuck
        // past the patience above, which nng_aio_free then cancels and waits for, callback
        // included; so `completion` (dropped after this) outlives every callback.
        unsafe { sys::nng_aio_free(self.raw.as_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Starts an NNG sleep of `ms` milliseconds on `aio`: an operation that references nothing.
    fn start_sleep(aio: &mut Aio, ms: i32) {
        // SAFETY: a sleep references no memory.
        unsafe {
            aio.start(|raw| {
                sys::nng_sleep_aio(ms, raw);
                Ok(())
            })
        }
        .expect("start");
    }

    #[tokio::test]
    async fn done_resolves_when_nng_completes() {
        let mut aio = Aio::new().expect("aio");
        for _ in 0..3 {
            start_sleep(&mut aio, 1);
            assert!(aio.is_busy());
            aio.done().await.expect("sleep");
            assert!(!aio.is_busy());
        }
    }

    #[tokio::test]
    async fn a_dropped_wait_leaves_the_operation_to_the_next() {
        let mut aio = Aio::new().expect("aio");
        start_sleep(&mut aio, 20);
        let first = tokio::time::timeout(Duration::ZERO, aio.done()).await;
        assert!(first.is_err(), "a 20 ms sleep completed at once");
        assert!(aio.is_busy());
        aio.done().await.expect("sleep");
    }

    #[test]
    fn dropping_waits_for_the_running_operation() {
        let mut aio = Aio::new().expect("aio");
        start_sleep(&mut aio, 5);
        // Waits for the sleep (which nothing closes) instead of freeing it under NNG.
        drop(aio);
    }
}
