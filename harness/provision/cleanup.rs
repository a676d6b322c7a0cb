//! Nothing provisioned outlives the run: not after success, not after a
//! failure, a panic or Ctrl-C.
//!
//! Every resource (server process, container, database) registers a
//! synchronous teardown here. The returned [`Guard`] runs it when dropped,
//! which covers normal ends and panics (unwinding drops it). A signal thread
//! covers SIGINT/SIGTERM/SIGHUP: it marks the run interrupted (the main flow
//! stops at [`hold_if_interrupted`] rather than report the torn-down server),
//! runs every registered teardown, then exits 128 + the signal (130, 143, 129). The CLI installs it first thing; a library user opts
//! in with [`arm`] (a library does not take over its host's signals).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Mutex, Once};

type Teardown = Box<dyn FnOnce() + Send>;

static REGISTRY: Mutex<BTreeMap<u64, (String, Teardown)>> = Mutex::new(BTreeMap::new());
static NEXT: Mutex<u64> = Mutex::new(0);
static SIGNALS: Once = Once::new();

/// Runs its teardown once, when dropped (or at a signal, whichever comes first).
#[must_use = "dropping the guard tears the resource down"]
pub struct Guard {
    id: u64,
}

/// Installs the signal handler (idempotent): at SIGINT, SIGTERM or SIGHUP it
/// runs every registered teardown and exits 130. Opt-in: the CLI calls it
/// first thing; a test binary that wants Ctrl-C to remove its servers calls
/// it once before provisioning.
pub fn arm() {
    SIGNALS.call_once(install_signal_handler);
}

/// Registers `teardown` for the resource described by `what`.
pub fn register(what: impl Into<String>, teardown: impl FnOnce() + Send + 'static) -> Guard {
    let id = {
        let mut n = NEXT.lock().unwrap_or_else(|e| e.into_inner());
        *n += 1;
        *n
    };
    REGISTRY
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id, (what.into(), Box::new(teardown)));
    Guard { id }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let entry = REGISTRY
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.id);
        if let Some((_, teardown)) = entry {
            teardown();
        }
    }
}

static AT_EXIT: Mutex<Vec<Box<dyn Send>>> = Mutex::new(Vec::new());
static AT_EXIT_HOOK: Once = Once::new();

/// Keeps `value` (a server's or database's handle) alive until the process
/// exits, then drops it, which tears it down. For what outlives every test
/// of a test binary (a template's server): statics are never dropped, but
/// `exit` runs this hook after the last test.
pub fn keep_until_exit<T: Send + 'static>(value: T) {
    AT_EXIT_HOOK.call_once(|| {
        extern "C" fn drop_all() {
            let all = std::mem::take(&mut *AT_EXIT.lock().unwrap_or_else(|e| e.into_inner()));
            // Newest first, as at a signal.
            for v in all.into_iter().rev() {
                drop(v);
            }
        }
        // SAFETY: `drop_all` is a plain `extern "C" fn()` that never unwinds
        // across the boundary (teardowns swallow their errors).
        unsafe {
            nix::libc::atexit(drop_all);
        }
    });
    AT_EXIT
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Box::new(value));
}

/// The signal that interrupted the run, once one did (0 before).
static INTERRUPTED: AtomicI32 = AtomicI32::new(0);

/// The signal that interrupted the run, if one did: everything it
/// provisioned is being removed, and the process exits `128 + signal`.
pub fn interrupted() -> Option<i32> {
    match INTERRUPTED.load(Ordering::SeqCst) {
        0 => None,
        sig => Some(sig),
    }
}

/// Stops the calling thread for good if a signal interrupted the run: the
/// main flow must not report the torn-down server as a finding or an
/// error, nor exit before the teardown is done. The signal thread exits
/// the process once everything is removed.
pub fn hold_if_interrupted() {
    if interrupted().is_some() {
        loop {
            std::thread::park();
        }
    }
}

fn install_signal_handler() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::Builder::new()
        .name("tenant-harness-cleanup".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                INTERRUPTED.store(sig, Ordering::SeqCst);
                let all = std::mem::take(&mut *REGISTRY.lock().unwrap_or_else(|e| e.into_inner()));
                if !all.is_empty() {
                    eprintln!("tenant-harness: interrupted (signal {sig}); removing what the run provisioned");
                }
                // Newest first: a database goes before the server it lives on.
                for (_, (what, teardown)) in all.into_iter().rev() {
                    eprintln!("tenant-harness: removing {what}");
                    teardown();
                }
                // The shell's convention: 128 + the signal (130 for SIGINT, 143 for SIGTERM).
                std::process::exit(128 + sig);
            }
        })
        .ok();
}

/// Runs `f` on a fresh thread with its own runtime: teardown is synchronous
/// (it runs from `Drop` and from the signal thread) but some of it talks to
/// async clients, and a runtime cannot be blocked on from inside another.
pub(crate) fn block_on_fresh<F, Fut>(f: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let handle = std::thread::spawn(move || {
        if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            rt.block_on(f());
        }
    });
    let _ = handle.join();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;

    #[test]
    fn a_guard_tears_down_once_on_drop_and_on_panic() {
        let count = Arc::new(AtomicUsize::new(0));
        let c = count.clone();
        drop(register("test", move || {
            c.fetch_add(1, Ordering::SeqCst);
        }));
        assert_eq!(count.load(Ordering::SeqCst), 1);

        let c = count.clone();
        let result = std::panic::catch_unwind(move || {
            let _g = register("test", move || {
                c.fetch_add(1, Ordering::SeqCst);
            });
            panic!("boom");
        });
        assert!(result.is_err());
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }
}
