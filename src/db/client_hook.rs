//! The one place the crate reaches under Diesel: options for the C client library's connect.
//!
//! Diesel 2.3 opens a MySQL connection with `mysql_init`, a few `mysql_options` of its own and
//! `mysql_real_connect`, and offers no way to set the client library's connect, read and write
//! timeouts or to make it insist on TLS (with MariaDB's Connector/C the `ssl_mode` URL parameter
//! is ignored). This module defines `mysql_real_connect` itself: the linker binds Diesel's call
//! to this definition, which sets the options [`super::client::connect`] asked for on the
//! handle and then calls the library's own `mysql_real_connect` (found with
//! `dlsym(RTLD_NEXT)`). A connect that did not come through `connect` passes straight through.
//!
//! Why and its limits (a dynamically linked client library on a Unix): docs/reliability.md,
//! "Bounded waits".

use std::cell::Cell;
use std::ffi::{CStr, c_char, c_int, c_uint, c_ulong, c_void};
use std::sync::OnceLock;

use mysqlclient_sys::MYSQL;

/// What the next connect on this thread must be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Request {
    pub connect_timeout: c_uint,
    pub read_timeout: c_uint,
    pub write_timeout: c_uint,
    /// 0: the library's default; otherwise TLS is required, as libmysqlclient's `ssl_mode`
    /// numbers it: 3 REQUIRED, 4 VERIFY_CA, 5 VERIFY_IDENTITY.
    pub tls_mode: c_uint,
}

/// What happened to a [`Request`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Outcome {
    /// The options were set on the handle before the library connected.
    pub applied: bool,
    /// The library connected without TLS although TLS was required; the socket was shut down
    /// before anything was sent on it.
    pub refused_plaintext: bool,
    /// The connection is encrypted.
    pub encrypted: bool,
}

thread_local! {
    static REQUEST: Cell<Option<Request>> = const { Cell::new(None) };
    static OUTCOME: Cell<Outcome> = Cell::new(Outcome::default());
}

/// Runs `connect` (which calls Diesel's establish) with `request` waiting for it on this thread.
pub(super) fn with_request<T>(request: Request, connect: impl FnOnce() -> T) -> (T, Outcome) {
    OUTCOME.with(|o| o.set(Outcome::default()));
    REQUEST.with(|r| r.set(Some(request)));
    let result = connect();
    REQUEST.with(|r| r.set(None));
    (result, OUTCOME.with(Cell::get))
}

type RealConnect = unsafe extern "C" fn(
    *mut MYSQL,
    *const c_char,
    *const c_char,
    *const c_char,
    *const c_char,
    c_uint,
    *const c_char,
    c_ulong,
) -> *mut MYSQL;

/// The client library's `mysql_real_connect`, the next definition after this one.
fn real_connect() -> Option<RealConnect> {
    static REAL: OnceLock<usize> = OnceLock::new();
    let address = *REAL.get_or_init(|| {
        // SAFETY: dlsym with a NUL-terminated name; RTLD_NEXT skips this object's definition.
        let found = unsafe { libc::dlsym(libc::RTLD_NEXT, c"mysql_real_connect".as_ptr()) };
        let own = mysql_real_connect as *const () as usize;
        if found.is_null() || found as usize == own {
            0
        } else {
            found as usize
        }
    });
    // SAFETY: a non-zero address is the library's `mysql_real_connect`, whose C signature
    // `RealConnect` is.
    (address != 0).then(|| unsafe { std::mem::transmute::<usize, RealConnect>(address) })
}

// Option numbers of the client libraries' `enum mysql_option` (mysql.h). The first thirteen are
// the same in MySQL's libmysqlclient and MariaDB's Connector/C.
const MYSQL_OPT_CONNECT_TIMEOUT: c_int = 0;
const MYSQL_OPT_READ_TIMEOUT: c_int = 11;
const MYSQL_OPT_WRITE_TIMEOUT: c_int = 12;
// Connector/C only.
const MARIADB_OPT_SSL_VERIFY_SERVER_CERT: c_int = 21;
const MARIADB_OPT_SSL_ENFORCE: c_int = 38;

unsafe extern "C" {
    /// `mysql_options` with the option as a plain number (the bindings' enum differs between
    /// the client libraries).
    #[link_name = "mysql_options"]
    fn mysql_options_by_number(mysql: *mut MYSQL, option: c_int, arg: *const c_void) -> c_int;
}

/// Sets `request`'s options on `mysql`; false when the library refused one.
///
/// # Safety
/// `mysql` is a handle from `mysql_init` that has not connected yet.
unsafe fn apply(mysql: *mut MYSQL, request: &Request) -> bool {
    let set_uint = |option: c_int, value: c_uint| {
        // SAFETY: these options take a pointer to an unsigned int, read during the call.
        unsafe { mysql_options_by_number(mysql, option, (&raw const value).cast()) == 0 }
    };
    let mut ok = set_uint(MYSQL_OPT_CONNECT_TIMEOUT, request.connect_timeout)
        & set_uint(MYSQL_OPT_READ_TIMEOUT, request.read_timeout)
        & set_uint(MYSQL_OPT_WRITE_TIMEOUT, request.write_timeout);
    if request.tls_mode != 0 {
        if mysqlclient_sys::SUPPORTS_MYSQL_SSL_MODE {
            ok &= set_uint(
                mysqlclient_sys::mysql_option::MYSQL_OPT_SSL_MODE as c_int,
                request.tls_mode,
            );
        } else {
            // Connector/C: these options take a pointer to a my_bool (a char).
            let set_bool = |option: c_int| {
                let on: c_char = 1;
                // SAFETY: as above, with the my_bool the option reads.
                unsafe { mysql_options_by_number(mysql, option, (&raw const on).cast()) == 0 }
            };
            ok &= set_bool(MARIADB_OPT_SSL_ENFORCE);
            // Connector/C checks the chain and the host name together.
            if request.tls_mode >= 4 {
                ok &= set_bool(MARIADB_OPT_SSL_VERIFY_SERVER_CERT);
            }
        }
    }
    ok
}

/// The client library's `mysql_real_connect`, preceded by the options this thread's pending
/// [`Request`] asks for. Called by Diesel; not meant to be called from Rust.
///
/// # Safety
/// The C API's contract for `mysql_real_connect`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mysql_real_connect(
    mysql: *mut MYSQL,
    host: *const c_char,
    user: *const c_char,
    passwd: *const c_char,
    db: *const c_char,
    port: c_uint,
    unix_socket: *const c_char,
    clientflag: c_ulong,
) -> *mut MYSQL {
    let Some(real) = real_connect() else {
        // No library definition to forward to (a static client library): nothing can connect.
        return std::ptr::null_mut();
    };
    let request = REQUEST.with(Cell::take);
    let mut outcome = Outcome::default();
    if let Some(request) = &request {
        // SAFETY: Diesel passes a fresh handle from mysql_init.
        outcome.applied = unsafe { apply(mysql, request) };
    }
    // SAFETY: forwarding the caller's arguments unchanged.
    let connected = unsafe { real(mysql, host, user, passwd, db, port, unix_socket, clientflag) };
    if !connected.is_null() {
        // SAFETY: a connected handle.
        let cipher = unsafe { mysqlclient_sys::mysql_get_ssl_cipher(connected) };
        outcome.encrypted = !cipher.is_null() && unsafe { !CStr::from_ptr(cipher).is_empty() };
        if request.is_some_and(|r| r.tls_mode != 0) && !outcome.encrypted {
            // The library connected in plaintext although TLS was required: nothing may be
            // sent. Shutting the socket down makes Diesel's first statement fail; the handle
            // stays Diesel's to close.
            outcome.refused_plaintext = true;
            // SAFETY: the handle's own socket.
            unsafe {
                libc::shutdown(
                    mysqlclient_sys::mysql_get_socket(connected) as c_int,
                    libc::SHUT_RDWR,
                )
            };
        }
    }
    if request.is_some() {
        OUTCOME.with(|o| o.set(outcome));
    }
    connected
}
