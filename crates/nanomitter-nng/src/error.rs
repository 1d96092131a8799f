//! NNG's error codes as a Rust error.
//!
//! Owns [`NngError`] (an NNG error code with NNG's own text for it), the module's [`Result`] alias
//! and the conversion of C return values. It must not touch any NNG object: it only reads static
//! strings out of the library.

use std::ffi::{c_int, CStr};
use std::fmt;

use super::sys;

// NNG's error codes.
pub(super) const EADDRINVAL: c_int = sys::NNG_EADDRINVAL;
pub(super) const EINVAL: c_int = sys::NNG_EINVAL;
pub(super) const ENOTSUP: c_int = sys::NNG_ENOTSUP;
const EADDRINUSE: c_int = sys::NNG_EADDRINUSE;
const ECANCELED: c_int = sys::NNG_ECANCELED;
pub(super) const ECLOSED: c_int = sys::NNG_ECLOSED;
const ECONNABORTED: c_int = sys::NNG_ECONNABORTED;
const ECONNREFUSED: c_int = sys::NNG_ECONNREFUSED;
const ECONNRESET: c_int = sys::NNG_ECONNRESET;
const ECONNSHUT: c_int = sys::NNG_ECONNSHUT;
const ECRYPTO: c_int = sys::NNG_ECRYPTO;
const ENOFILES: c_int = sys::NNG_ENOFILES;
const ENOMEM: c_int = sys::NNG_ENOMEM;
const ESTOPPED: c_int = sys::NNG_ESTOPPED;
pub(super) const EINTERNAL: c_int = sys::NNG_EINTERNAL;
const EPEERAUTH: c_int = sys::NNG_EPEERAUTH;
const ESYSERR: c_int = sys::NNG_ESYSERR;
const ETIMEDOUT: c_int = sys::NNG_ETIMEDOUT;
const ETRANERR: c_int = sys::NNG_ETRANERR;

/// What the byte-stream layer returns.
pub type Result<T> = std::result::Result<T, NngError>;

/// An error reported by NNG, identified by its error code (`NNG_E*`).
///
/// `Display` gives NNG's own description (`nng_strerror`); the `is_*` helpers name the cases the
/// callers act on.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct NngError {
    code: c_int,
}

impl NngError {
    /// The error for a nonzero NNG return value or aio result.
    pub(super) const fn from_code(code: c_int) -> Self {
        Self { code }
    }

    /// The raw NNG error code (`NNG_EADDRINUSE` and so on; `NNG_ESYSERR | errno` for system
    /// errors).
    pub const fn code(&self) -> i32 {
        self.code
    }

    /// The address is bound already (by this or another process): someone else is the hub.
    pub const fn is_addr_in_use(&self) -> bool {
        self.code == EADDRINUSE
    }

    /// Nobody listens at the dialed address.
    pub const fn is_connection_refused(&self) -> bool {
        self.code == ECONNREFUSED
    }

    /// This side closed the stream, listener or dialer (or it was dropped) while the operation ran
    /// or before it started. NNG reports this as "Object closed", or as "Operation stopped" for
    /// some operations the close stopped in flight (a websocket dial).
    pub const fn is_closed(&self) -> bool {
        matches!(self.code, ECLOSED | ESTOPPED)
    }

    /// The peer went away: it shut the connection down, reset it, or the connection was aborted.
    pub const fn is_connection_lost(&self) -> bool {
        matches!(self.code, ECONNSHUT | ECONNRESET | ECONNABORTED)
    }

    /// NNG found the address invalid: for a dial of a well-formed `tcp://` address, a host name
    /// that does not resolve.
    pub const fn is_address_invalid(&self) -> bool {
        self.code == EADDRINVAL
    }

    /// The operation timed out inside NNG (a connect attempt the system gave up on).
    pub const fn is_timed_out(&self) -> bool {
        self.code == ETIMEDOUT
    }

    /// The operation was canceled before it completed.
    pub const fn is_canceled(&self) -> bool {
        self.code == ECANCELED
    }

    /// The TLS handshake failed: the peer's certificate did not verify, or the peers could not
    /// agree on the cryptography.
    pub const fn is_tls_failure(&self) -> bool {
        matches!(self.code, EPEERAUTH | ECRYPTO)
    }

    /// The process is out of file descriptors or memory for now: waiting may help, and
    /// nothing about the peer or the address is wrong.
    pub fn is_out_of_resources(&self) -> bool {
        if self.code & ESYSERR != 0 {
            let errno = std::io::Error::from_raw_os_error(self.code & !ESYSERR);
            // EMFILE, ENFILE, ENOBUFS, ENOMEM as Linux numbers them; ENOMEM has a kind of its own.
            return matches!(errno.raw_os_error(), Some(24 | 23 | 105))
                || errno.kind() == std::io::ErrorKind::OutOfMemory;
        }
        matches!(self.code, ENOFILES | ENOMEM)
    }

    /// NNG's description of the error.
    fn message(&self) -> String {
        let code = self.code;
        if code & ETRANERR != 0 {
            // nng_strerror would allocate a string for each such code and keep it for the life of
            // the process.
            format!("Transport error #{}", code & !ETRANERR)
        } else if code & ESYSERR != 0 {
            // Likewise; the standard library gives the system's text through strerror_r.
            std::io::Error::from_raw_os_error(code & !ESYSERR).to_string()
        } else if (1..=ECONNSHUT).contains(&code) || code == ESTOPPED || code == EINTERNAL {
            // SAFETY: for its own error codes nng_strerror returns a pointer to a static,
            // NUL-terminated string from a constant table; nothing is formatted or written.
            unsafe { CStr::from_ptr(sys::nng_strerror(code)) }.to_string_lossy().into_owned()
        } else {
            // Outside the table nng_strerror would allocate and keep a string, as above.
            format!("Unknown error #{code}")
        }
    }
}

/// Turns an NNG return value (0 for success) into a `Result`.
pub(super) fn check(rv: c_int) -> Result<()> {
    if rv == 0 {
        Ok(())
    } else {
        Err(NngError::from_code(rv))
    }
}

impl fmt::Display for NngError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl fmt::Debug for NngError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NngError")
            .field("code", &self.code)
            .field("message", &self.message())
            .finish()
    }
}

impl std::error::Error for NngError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_cases_callers_act_on() {
        assert!(NngError::from_code(EADDRINUSE).is_addr_in_use());
        assert!(NngError::from_code(ECONNREFUSED).is_connection_refused());
        assert!(NngError::from_code(ECLOSED).is_closed());
        assert!(NngError::from_code(ESTOPPED).is_closed());
        assert!(NngError::from_code(ECONNSHUT).is_connection_lost());
        assert!(NngError::from_code(ECONNRESET).is_connection_lost());
        assert!(NngError::from_code(EPEERAUTH).is_tls_failure());
        assert!(!NngError::from_code(ECLOSED).is_connection_lost());
    }

    #[test]
    fn uses_nngs_text() {
        assert_eq!(NngError::from_code(EADDRINUSE).to_string(), "Address in use");
        assert_eq!(NngError::from_code(ECLOSED).to_string(), "Object closed");
        assert_eq!(NngError::from_code(ESTOPPED).to_string(), "Operation stopped");
        assert_eq!(NngError::from_code(ETRANERR | 3).to_string(), "Transport error #3");
        assert_eq!(NngError::from_code(4242).to_string(), "Unknown error #4242");
        let system = NngError::from_code(ESYSERR | 2).to_string();
        assert!(system.starts_with("No such file or directory"), "{system}");
    }
}
