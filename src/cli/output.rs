//! Where every subcommand writes: one buffered stdout that remembers the
//! first write that failed, and a stderr that never panics.
//!
//! A subcommand writes with `write!`/`writeln!` and returns its exit code
//! (or the write error) to [`finish`], which turns the outcome into the
//! process's exit code in one place:
//! - a reader that went away (`kafkasim list | head -1`, a closed pipe) ends
//!   the command quietly with exit 0, as Unix tools do when their reader
//!   has had enough;
//! - any other failure (a full disk, a device error) is said on stderr and
//!   exits 2, so a truncated file never passes for a complete one.
//!
//! Writes are never retried and never panic (`println!` would panic on a
//! closed pipe or a full disk).

use std::cell::RefCell;
use std::io::{self, BufWriter, Write};
use std::rc::Rc;

/// The first failed write, shared between the writer and whoever watches it
/// (a run stops simulating once its output cannot be written).
type FirstError = Rc<RefCell<Option<io::Error>>>;

/// The command's standard output.
pub struct Output {
    writer: BufWriter<Watched>,
    error: FirstError,
}

/// A writer that keeps its first error and refuses every write after it.
struct Watched {
    inner: Box<dyn Write>,
    error: FirstError,
}

impl Write for Watched {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(kind) = self.error.borrow().as_ref().map(io::Error::kind) {
            return Err(kind.into());
        }
        self.inner.write(buf).inspect_err(|e| self.remember(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        if let Some(kind) = self.error.borrow().as_ref().map(io::Error::kind) {
            return Err(kind.into());
        }
        self.inner.flush().inspect_err(|e| self.remember(e))
    }
}

impl Watched {
    fn remember(&self, error: &io::Error) {
        let mut slot = self.error.borrow_mut();
        if slot.is_none() {
            *slot = Some(io::Error::new(error.kind(), error.to_string()));
        }
    }
}

impl Output {
    /// The process's standard output.
    pub fn stdout() -> Self {
        Self::to(io::stdout().lock())
    }

    /// Any writer (tests and the fuzz targets write to a buffer or a sink).
    pub fn to(inner: impl Write + 'static) -> Self {
        let error = FirstError::default();
        Output { writer: BufWriter::new(Watched { inner: Box::new(inner), error: error.clone() }), error }
    }

    /// A handle that tells whether a write has failed, for a long run to
    /// stop early while something else holds the writer.
    pub fn watch(&self) -> Watch {
        Watch(self.error.clone())
    }

    /// Flushes what is buffered and hands back the first write error, if any.
    pub fn close(mut self) -> io::Result<()> {
        let flushed = self.writer.flush();
        match self.error.borrow_mut().take() {
            Some(e) => Err(e),
            None => flushed,
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// Whether the output has failed.
#[derive(Clone)]
pub struct Watch(FirstError);

impl Watch {
    pub fn failed(&self) -> bool {
        self.0.borrow().is_some()
    }
}

/// Writes to stderr, ignoring failure: when even stderr cannot be written,
/// there is nobody left to tell.
pub fn eprint(text: &str) {
    let mut stderr = io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}

/// The exit code for a subcommand's result once its output is closed.
pub fn finish(result: io::Result<u8>, output: Output) -> u8 {
    // The stored error is the first and says most; a command's own error is
    // often only its echo.
    let outcome = match (result, output.close()) {
        (_, Err(e)) | (Err(e), Ok(())) => Err(e),
        (Ok(code), Ok(())) => Ok(code),
    };
    match outcome {
        Ok(code) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprint(&format!(
                "error: the output could not be written ({e}); what was written is incomplete\n\
                 help: check that the disk or device it goes to has room and accepts writes\n"
            ));
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails every write with `kind`.
    struct Failing(io::ErrorKind);
    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(self.0.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_ends_quietly() {
        let mut out = Output::to(Failing(io::ErrorKind::BrokenPipe));
        let watch = out.watch();
        let result = writeln!(out, "{}", "x".repeat(20_000)).map(|()| 0);
        assert!(watch.failed(), "a write past the buffer reaches the pipe and fails");
        assert_eq!(finish(result, out), 0);
    }

    #[test]
    fn a_full_disk_is_an_error_even_when_only_the_last_flush_fails() {
        let mut out = Output::to(Failing(io::ErrorKind::StorageFull));
        writeln!(out, "short").expect("buffered, not yet written");
        assert_eq!(finish(Ok(0), out), 2);
    }

    #[test]
    fn a_good_run_keeps_its_code() {
        let mut out = Output::to(io::sink());
        writeln!(out, "fine").expect("a sink takes anything");
        assert_eq!(finish(Ok(1), out), 1);
    }
}
