//! Ctrl-C and termination signals: xtask records them instead of dying, so it can stop the
//! servers it started and report before exiting.

use std::sync::atomic::{AtomicI32, Ordering};

static RECEIVED: AtomicI32 = AtomicI32::new(0);

extern "C" fn record(signal: libc::c_int) {
    // Only an atomic store: async-signal-safe.
    RECEIVED.store(signal, Ordering::SeqCst);
}

/// From now on SIGINT, SIGTERM and SIGHUP are recorded (see [`received`]) instead of ending xtask.
/// Children still get the terminal's Ctrl-C themselves, being in the same process group.
pub fn catch() {
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: `record` is an `extern "C" fn(c_int)` that only does an atomic store.
        unsafe {
            libc::signal(
                signal,
                record as extern "C" fn(libc::c_int) as libc::sighandler_t,
            );
        }
    }
}

/// The last signal caught, if any.
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// Sends `signal` to process `pid` (ignoring a process that is already gone).
pub fn send(pid: u32, signal: i32) {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return;
    };
    // SAFETY: kill has no memory-safety preconditions.
    unsafe {
        libc::kill(pid, signal);
    }
}
