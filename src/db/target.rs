//! Where one database lives: host, port, credentials and database name.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Diesel does not decode the database name, so only characters a URL path cannot hold are
/// escaped there.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'-')
    .remove(b'.')
    .remove(b'$');

use super::ClientSettings;
use crate::{Error, Result, Secret};

/// The address and credentials of one database (`cloud` or `cloud_usage`).
///
/// Built from a `mysql://` URL or from db.properties keys; `Debug` and `Display` never show the
/// password.
///
/// ```
/// use cloudstack_db::db::ConnectionTarget;
///
/// let t = ConnectionTarget::from_url("mysql://cloud:s3cret@db.example:3307/cloud").unwrap();
/// assert_eq!((t.host.as_str(), t.port, t.user.as_str(), t.database.as_str()),
///            ("db.example", 3307, "cloud", "cloud"));
/// assert_eq!(t.to_string(), "mysql://cloud:***@db.example:3307/cloud");
/// assert!(!format!("{t:?}").contains("s3cret"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionTarget {
    /// Server host name or IP address.
    pub host: String,
    /// TCP port, 3306 by default.
    pub port: u16,
    /// User name.
    pub user: String,
    /// Password (may be empty).
    pub password: Secret,
    /// Database (schema) name.
    pub database: String,
    /// Extra query parameters handed to Diesel's MySQL URL (`ssl_ca`, `ssl_cert`, `ssl_key`,
    /// `unix_socket`).
    pub url_params: Vec<(String, String)>,
    /// Timeouts and TLS for every connection (see [`ConnectionTarget::connect`]).
    pub client: ClientSettings,
}

impl ConnectionTarget {
    /// A target with no extra parameters.
    ///
    /// ```
    /// use cloudstack_db::db::ConnectionTarget;
    /// let t = ConnectionTarget::new("127.0.0.1", 3306, "root", "", "cloud");
    /// assert_eq!(t.to_string(), "mysql://root@127.0.0.1:3306/cloud");
    /// ```
    pub fn new(
        host: impl Into<String>,
        port: u16,
        user: impl Into<String>,
        password: impl Into<Secret>,
        database: impl Into<String>,
    ) -> Self {
        Self {
            host: host.into(),
            port,
            user: user.into(),
            password: password.into(),
            database: database.into(),
            url_params: Vec::new(),
            client: ClientSettings::default(),
        }
    }

    /// Parses `mysql://user[:password]@host[:port]/database[?params]`; the parameters
    /// [`ClientSettings::take_params`] knows (`connectTimeout`, `socketTimeout`, `ssl_mode`, …)
    /// go to [`ConnectionTarget::client`], the rest to Diesel.
    ///
    /// Errors never repeat the URL (it may hold a password).
    ///
    /// ```
    /// use cloudstack_db::db::ConnectionTarget;
    /// assert!(ConnectionTarget::from_url("postgres://x@y/z").is_err());
    /// let t = ConnectionTarget::from_url("mysql://root@localhost/cloud_usage").unwrap();
    /// assert_eq!(t.port, 3306);
    /// ```
    pub fn from_url(url: &str) -> Result<Self> {
        let parsed = url::Url::parse(url)
            .map_err(|e| Error::Config(format!("database URL is not a valid URL ({e})")))?;
        if parsed.scheme() != "mysql" {
            return Err(Error::Config(format!(
                "database URL must start with mysql://, not {}://",
                parsed.scheme()
            )));
        }
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| Error::Config("database URL has no host".into()))?;
        let database = parsed.path().trim_start_matches('/');
        if database.is_empty() || database.contains('/') {
            return Err(Error::Config(
                "database URL must name exactly one database, e.g. mysql://cloud@localhost/cloud"
                    .into(),
            ));
        }
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| Error::Config("database URL credentials are not UTF-8".into()))
        };
        let mut url_params: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        let mut client = ClientSettings::default();
        client.take_params(&mut url_params)?;
        Ok(Self {
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            port: parsed.port().unwrap_or(3306),
            user: decode(parsed.username())?,
            password: Secret::new(decode(parsed.password().unwrap_or(""))?),
            database: decode(database)?,
            url_params,
            client,
        })
    }

    /// The same server and credentials with another database name.
    ///
    /// ```
    /// use cloudstack_db::db::ConnectionTarget;
    /// let cloud = ConnectionTarget::new("h", 3306, "u", "p", "cloud");
    /// assert_eq!(cloud.with_database("cloud_usage").database, "cloud_usage");
    /// ```
    pub fn with_database(&self, database: impl Into<String>) -> Self {
        Self {
            database: database.into(),
            ..self.clone()
        }
    }

    /// The URL Diesel connects with. It contains the password: hand it to Diesel only.
    ///
    /// ```
    /// use cloudstack_db::db::ConnectionTarget;
    /// let t = ConnectionTarget::new("::1", 3306, "a@b", "p:w", "cloud");
    /// assert_eq!(t.diesel_url().expose(), "mysql://a%40b:p%3Aw@[::1]:3306/cloud");
    /// ```
    pub fn diesel_url(&self) -> Secret {
        let enc = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
        let mut url = format!("mysql://{}", enc(&self.user));
        if !self.password.is_empty() {
            url.push(':');
            url.push_str(&enc(self.password.expose()));
        }
        url.push('@');
        url.push_str(&self.host_for_url());
        let database = utf8_percent_encode(&self.database, PATH_SEGMENT);
        url.push_str(&format!(":{}/{database}", self.port));
        for (i, (k, v)) in self.url_params.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&format!("{}={}", enc(k), enc(v)));
        }
        Secret::new(url)
    }

    fn host_for_url(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        }
    }
}

impl fmt::Display for ConnectionTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let password = if self.password.is_empty() { "" } else { ":***" };
        write!(
            f,
            "mysql://{}{}@{}:{}/{}",
            self.user,
            password,
            self.host_for_url(),
            self.port,
            self.database
        )
    }
}

impl fmt::Debug for ConnectionTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConnectionTarget({self})")
    }
}
