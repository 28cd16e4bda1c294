//! A spinner on stderr for runs long enough to wonder about, on a terminal only: a pipe or a CI
//! log never sees control characters.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

pub struct Progress {
    done: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// How long a run may take before the spinner shows (`KAFKALINT_PROGRESS_DELAY_MS` changes it).
const DEFAULT_DELAY_MS: u64 = 400;

impl Progress {
    pub fn start(what: &'static str) -> Progress {
        let done = Arc::new(AtomicBool::new(false));
        if !std::io::stderr().is_terminal() {
            return Progress { done, thread: None };
        }
        let delay = std::env::var("KAFKALINT_PROGRESS_DELAY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_DELAY_MS);
        let flag = Arc::clone(&done);
        let thread = std::thread::spawn(move || {
            let step = Duration::from_millis(20);
            let mut waited = 0;
            while waited < delay {
                if flag.load(Ordering::Relaxed) {
                    return;
                }
                std::thread::sleep(step);
                waited += 20;
            }
            let frames = ['|', '/', '-', '\\'];
            let mut i = 0;
            let mut err = std::io::stderr();
            while !flag.load(Ordering::Relaxed) {
                let _ = write!(err, "\r{} kafkalint: {what}", frames[i % frames.len()]);
                let _ = err.flush();
                i += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        });
        Progress {
            done,
            thread: Some(thread),
        }
    }

    pub fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop();
    }
}
