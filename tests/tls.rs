//! TLS that does what it says: with a requirement a connection is encrypted and (when asked)
//! verified, or refused with `Error::Tls` before any statement is sent — never plaintext.
//! Private servers with certificates made here by `openssl`.

mod common;

use std::path::PathBuf;
use std::process::Command;

use cloudstack_db::db::{ConnectionTarget, DatabaseConfig, DbProperties, TlsMode};
use cloudstack_db::{Database, Error};
use cloudstack_db_testing::LocalServer;
use diesel::prelude::*;

/// A CA, a server certificate it signed for 127.0.0.1 and localhost, and an unrelated CA.
struct Certificates {
    dir: PathBuf,
}

impl Certificates {
    fn make() -> Self {
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("csdb-tls-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(&dir)
                .output()
                .expect("openssl is installed");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        for (name, cn) in [
            ("ca", "cloudstack-db test CA"),
            ("other-ca", "unrelated CA"),
        ] {
            openssl(&[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                &format!("/CN={cn}"),
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.pem"),
            ]);
        }
        openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ]);
        std::fs::write(
            dir.join("san.ext"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
        )
        .unwrap();
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "san.ext",
            "-out",
            "server.pem",
        ]);
        // The server may run as another user (mysql): everything readable.
        for entry in std::fs::read_dir(&dir).unwrap() {
            use std::os::unix::fs::PermissionsExt;
            let path = entry.unwrap().path();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        Self { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    fn server(&self) -> LocalServer {
        LocalServer::start(&[
            &format!("ssl_ca={}", self.path("ca.pem")),
            &format!("ssl_cert={}", self.path("server.pem")),
            &format!("ssl_key={}", self.path("server.key")),
        ])
        .unwrap()
    }
}

impl Drop for Certificates {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[derive(QueryableByName)]
struct Value {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "Value")]
    value: String,
}

fn status(conn: &mut MysqlConnection, sql: &str) -> String {
    diesel::sql_query(sql)
        .load::<Value>(conn)
        .unwrap()
        .pop()
        .map(|v| v.value)
        .unwrap_or_default()
}

fn cipher(conn: &mut MysqlConnection) -> String {
    status(conn, "SHOW SESSION STATUS LIKE 'Ssl_cipher'")
}

fn url(server: &LocalServer, params: &str) -> String {
    format!("mysql://root@127.0.0.1:{}/mysql?{params}", server.port())
}

#[test]
fn a_required_connection_is_encrypted_and_verified_and_a_wrong_ca_is_refused() {
    let certs = Certificates::make();
    let server = certs.server();
    let verified = ConnectionTarget::from_url(&url(
        &server,
        &format!("ssl_mode=verify_identity&ssl_ca={}", certs.path("ca.pem")),
    ))
    .unwrap();
    assert_eq!(verified.client.tls, TlsMode::VerifyIdentity);
    let mut conn = verified.connect().unwrap();
    assert!(
        !cipher(&mut conn).is_empty(),
        "verified connection encrypted"
    );

    let required = ConnectionTarget::from_url(&url(&server, "ssl_mode=required")).unwrap();
    assert!(!cipher(&mut required.connect().unwrap()).is_empty());

    let wrong_ca = ConnectionTarget::from_url(&url(
        &server,
        &format!("ssl_mode=verify_ca&ssl_ca={}", certs.path("other-ca.pem")),
    ))
    .unwrap();
    let err = wrong_ca.connect().map(|_| ()).unwrap_err();
    assert!(matches!(err, Error::Tls(_)), "{err:?}");
}

/// `Com_set_option` of the server: every connection the crate opens sends SET statements, so
/// an unchanged count means nothing reached the server as a statement.
fn set_statements(admin: &mut MysqlConnection) -> u64 {
    status(admin, "SHOW GLOBAL STATUS LIKE 'Com_set_option'")
        .parse()
        .unwrap()
}

#[test]
fn a_required_connection_to_a_server_without_tls_is_refused_before_any_statement() {
    let server = LocalServer::start(&[]).unwrap();
    let mut admin = server.admin_connection().unwrap();
    assert!(cipher(&mut admin).is_empty(), "the server offers no TLS");
    let before = set_statements(&mut admin);

    for params in [
        "ssl_mode=required",
        "sslMode=VERIFY_IDENTITY",
        "useSSL=true",
    ] {
        let target = ConnectionTarget::from_url(&url(&server, params)).unwrap();
        assert!(target.client.tls.is_required(), "{params}");
        let err = target.connect().map(|_| ()).unwrap_err();
        assert!(matches!(err, Error::Tls(_)), "{params}: {err:?}");
    }
    assert_eq!(set_statements(&mut admin), before, "a statement was sent");

    // Without a requirement the same server is used in plaintext, and the SET statements of
    // that connection are seen: the count above can see a connection that got through.
    let plain = ConnectionTarget::from_url(&url(&server, "ssl_mode=preferred")).unwrap();
    assert!(cipher(&mut plain.connect().unwrap()).is_empty());
    assert!(set_statements(&mut admin) > before);
}

fn properties(server: &LocalServer, extra: &str) -> DbProperties {
    DbProperties::parse(&format!(
        "db.cloud.host=127.0.0.1\ndb.cloud.port={port}\ndb.cloud.name=mysql\n\
         db.cloud.username=root\ndb.cloud.password=\n\
         db.usage.host=127.0.0.1\ndb.usage.port={port}\ndb.usage.name=mysql\n\
         db.usage.username=root\ndb.usage.password=\n{extra}",
        port = server.port()
    ))
}

#[test]
fn db_properties_use_ssl_true_is_encrypted_or_refused() {
    let certs = Certificates::make();
    let with_tls = certs.server();
    let without = LocalServer::start(&[]).unwrap();

    let config =
        DatabaseConfig::from_db_properties(&properties(&without, "db.cloud.useSSL=true\n"))
            .unwrap();
    assert_eq!(config.cloud.target.client.tls, TlsMode::Required);
    assert_eq!(config.usage.target.client.tls, TlsMode::Required);
    let err = Database::connect(&config).unwrap_err();
    assert!(matches!(err, Error::Tls(_)), "{err:?}");

    let config = DatabaseConfig::from_db_properties(&properties(
        &with_tls,
        &format!(
            "db.cloud.useSSL=true\ndb.cloud.url.params=verifyServerCertificate=true&ssl_ca={}\n",
            certs.path("ca.pem")
        ),
    ))
    .unwrap();
    assert_eq!(config.cloud.target.client.tls, TlsMode::VerifyCa);
    let db = Database::connect(&config).unwrap();
    assert!(!db.read(|c| Ok(cipher(c))).unwrap().is_empty());
    // Checked against the wrong CA, the same settings are refused.
    let config = DatabaseConfig::from_db_properties(&properties(
        &with_tls,
        &format!(
            "db.cloud.useSSL=true\ndb.cloud.url.params=verifyServerCertificate=true&ssl_ca={}\n",
            certs.path("other-ca.pem")
        ),
    ))
    .unwrap();
    let err = Database::connect(&config).unwrap_err();
    assert!(matches!(err, Error::Tls(_)), "{err:?}");
}
