//! How one connection is opened: bounded connect, read and write waits, and TLS that is either
//! there or refused.

use std::ffi::c_uint;
use std::time::Duration;

use diesel::{Connection, MysqlConnection};

use super::ConnectionTarget;
use super::client_hook::{self, Request};
use crate::{Error, Result};

/// What the client library is told before it connects to a target.
///
/// Every wait is bounded by default: a server that accepts and never answers, one frozen
/// mid-query, or a network that drops packets makes the call fail with a typed error instead of
/// holding a pool slot for good. A read or write that runs out of time is
/// [`Error::ConnectionLost`] (retryable on a new connection) or, during COMMIT,
/// [`Error::CommitUnknown`]; the connection is discarded.
///
/// ```
/// use cloudstack_db::db::{ClientSettings, TlsMode};
/// use std::time::Duration;
///
/// let s = ClientSettings::default();
/// assert_eq!(s.connect_timeout, Duration::from_secs(10));
/// assert_eq!(s.read_timeout, Duration::from_secs(300));
/// assert_eq!(s.tls, TlsMode::ClientDefault);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSettings {
    /// How long opening a connection may take, TCP connect and handshake (URL `connectTimeout`,
    /// milliseconds, as in Connector/J). Whole seconds are used, rounded up.
    pub connect_timeout: Duration,
    /// How long the client waits for any answer from the server (URL `socketTimeout`,
    /// milliseconds, as in Connector/J; zero means no limit). A statement that legitimately
    /// runs longer — a long DDL on a big table — needs a larger value.
    pub read_timeout: Duration,
    /// How long a write to the server's socket may block (`socketTimeout` too).
    pub write_timeout: Duration,
    /// Whether TLS is required.
    pub tls: TlsMode,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(300),
            write_timeout: Duration::from_secs(300),
            tls: TlsMode::ClientDefault,
        }
    }
}

/// Whether a connection must be encrypted, and how much of the server's certificate is checked.
///
/// With a requirement, a connection is encrypted or refused before any statement is sent:
/// never plaintext. The CA (and a client certificate) come from the URL's `ssl_ca`, `ssl_cert`
/// and `ssl_key`. MariaDB's Connector/C checks the certificate chain and the host name together,
/// so there [`TlsMode::VerifyCa`] checks the host name as well.
///
/// ```
/// use cloudstack_db::db::TlsMode;
/// assert_eq!(TlsMode::parse("verify_identity"), Some(TlsMode::VerifyIdentity));
/// assert_eq!(TlsMode::parse("REQUIRED"), Some(TlsMode::Required));
/// assert_eq!(TlsMode::parse("sometimes"), None);
/// assert!(TlsMode::Required.is_required() && !TlsMode::ClientDefault.is_required());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TlsMode {
    /// No requirement: whatever the client library does by default (`ssl_mode` `disabled` or
    /// `preferred`).
    ClientDefault,
    /// Encrypted, certificate not checked (`required`; CloudStack's `useSSL=true`).
    Required,
    /// Encrypted, and the server's certificate signed by the configured CA (`verify_ca`).
    VerifyCa,
    /// As `VerifyCa`, and the certificate names the host connected to (`verify_identity`).
    VerifyIdentity,
}

impl TlsMode {
    /// Parses an `ssl_mode` (Diesel) or `sslMode` (Connector/J) value, in any case.
    pub fn parse(value: &str) -> Option<Self> {
        match value.to_ascii_lowercase().as_str() {
            "disabled" | "preferred" => Some(Self::ClientDefault),
            "required" => Some(Self::Required),
            "verify_ca" => Some(Self::VerifyCa),
            "verify_identity" => Some(Self::VerifyIdentity),
            _ => None,
        }
    }

    /// Whether a connection without TLS is refused.
    pub fn is_required(self) -> bool {
        self != Self::ClientDefault
    }

    /// libmysqlclient's `ssl_mode` number for a requirement, 0 for none.
    fn number(self) -> c_uint {
        match self {
            Self::ClientDefault => 0,
            Self::Required => 3,
            Self::VerifyCa => 4,
            Self::VerifyIdentity => 5,
        }
    }
}

impl ClientSettings {
    /// Takes the parameters this crate handles out of a URL's (or `url.params`') list and
    /// applies them: `connectTimeout` and `socketTimeout` (milliseconds), `ssl_mode` / `sslMode`,
    /// and Connector/J's `useSSL` / `requireSSL` (`true`: TLS required) with
    /// `verifyServerCertificate=true` (the CA checked). What is left goes to Diesel (`ssl_ca`,
    /// `ssl_cert`, `ssl_key`, `unix_socket`).
    ///
    /// ```
    /// use cloudstack_db::db::{ClientSettings, TlsMode};
    /// use std::time::Duration;
    ///
    /// let mut params = vec![
    ///     ("connectTimeout".to_owned(), "2500".to_owned()),
    ///     ("socketTimeout".to_owned(), "30000".to_owned()),
    ///     ("useSSL".to_owned(), "true".to_owned()),
    ///     ("ssl_ca".to_owned(), "/etc/ca.pem".to_owned()),
    /// ];
    /// let mut s = ClientSettings::default();
    /// s.take_params(&mut params).unwrap();
    /// assert_eq!(s.connect_timeout, Duration::from_millis(2500));
    /// assert_eq!(s.read_timeout, Duration::from_secs(30));
    /// assert_eq!(s.tls, TlsMode::Required);
    /// assert_eq!(params, [("ssl_ca".to_owned(), "/etc/ca.pem".to_owned())]);
    /// assert!(s.take_params(&mut vec![("ssl_mode".into(), "maybe".into())]).is_err());
    /// ```
    pub fn take_params(&mut self, params: &mut Vec<(String, String)>) -> Result<()> {
        let mut verify_certificate = false;
        let mut rest = Vec::with_capacity(params.len());
        for (name, value) in params.drain(..) {
            match name.as_str() {
                "connectTimeout" => self.connect_timeout = millis(&name, &value)?,
                "socketTimeout" => {
                    self.read_timeout = millis(&name, &value)?;
                    self.write_timeout = self.read_timeout;
                }
                "ssl_mode" | "sslMode" => {
                    self.tls = TlsMode::parse(&value).ok_or_else(|| {
                        Error::Config(format!(
                            "{name}={value}: expected disabled, preferred, required, verify_ca or verify_identity"
                        ))
                    })?;
                }
                "useSSL" | "requireSSL" => {
                    if flag(&name, &value)? {
                        self.tls = self.tls.max(TlsMode::Required);
                    }
                }
                "verifyServerCertificate" => verify_certificate = flag(&name, &value)?,
                _ => rest.push((name, value)),
            }
        }
        if verify_certificate && self.tls == TlsMode::Required {
            self.tls = TlsMode::VerifyCa;
        }
        *params = rest;
        Ok(())
    }

    fn request(&self) -> Request {
        let seconds = |d: Duration| {
            let whole = d.as_secs() + u64::from(d.subsec_nanos() > 0);
            c_uint::try_from(whole).unwrap_or(c_uint::MAX)
        };
        Request {
            connect_timeout: seconds(self.connect_timeout).max(1),
            read_timeout: seconds(self.read_timeout),
            write_timeout: seconds(self.write_timeout),
            tls_mode: self.tls.number(),
        }
    }
}

fn millis(name: &str, value: &str) -> Result<Duration> {
    value
        .trim()
        .parse::<u64>()
        .map(Duration::from_millis)
        .map_err(|_| {
            Error::Config(format!(
                "{name}={value}: expected a whole number of milliseconds"
            ))
        })
}

fn flag(name: &str, value: &str) -> Result<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(Error::Config(format!(
            "{name}={value}: expected true or false"
        ))),
    }
}

impl ConnectionTarget {
    /// Opens one connection with this target's [`ClientSettings`]: its connect, read and write
    /// timeouts set, and TLS required when asked for — an unencrypted connection is refused
    /// with [`Error::Tls`] before any statement is sent.
    ///
    /// ```no_run
    /// use cloudstack_db::db::ConnectionTarget;
    /// use diesel::prelude::*;
    ///
    /// let t = ConnectionTarget::from_url("mysql://root@127.0.0.1/cloud?connectTimeout=2000")?;
    /// let mut conn = t.connect()?;
    /// diesel::sql_query("SELECT 1").execute(&mut conn)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn connect(&self) -> Result<MysqlConnection> {
        let request = self.client.request();
        let (result, outcome) = client_hook::with_request(request, || {
            MysqlConnection::establish(self.diesel_url().expose())
        });
        let tls = self.client.tls;
        if outcome.refused_plaintext {
            return Err(Error::Tls(format!(
                "{self}: the server answered without TLS, which {tls:?} requires; nothing was sent"
            )));
        }
        let conn = result.map_err(|err| {
            let err = Error::from(err);
            match err {
                Error::Connect(message) if tls.is_required() && mentions_tls(&message) => {
                    Error::Tls(format!("{self}: {message}"))
                }
                other => other,
            }
        })?;
        if !outcome.applied {
            if tls.is_required() {
                return Err(Error::Tls(format!(
                    "{self}: the MySQL client library this program links could not be told to \
                     require TLS, so the connection is refused"
                )));
            }
            warn_unbounded_once();
        }
        Ok(conn)
    }
}

fn mentions_tls(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    ["ssl", "tls", "certificate"]
        .iter()
        .any(|w| lower.contains(w))
}

fn warn_unbounded_once() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        tracing::warn!(
            "the MySQL client library did not take connect/read/write timeouts; \
             calls to an unresponsive server may wait without limit"
        );
    });
}
