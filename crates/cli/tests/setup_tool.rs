//! `cloudstack-setup-databases` against the local server: deploy, refuse a second run, force
//! recreate, encrypted and plain db.properties that the library opens, rollback on failure,
//! and `status` / `doctor`.

use std::process::Command;

mod sandbox;

use sandbox::{Sandbox, text};

use cloudstack_db::crypto::{Encryptor, EncryptorVersion, unwrap_enc};
use cloudstack_db::db::{DatabaseConfig, DbProperties};
use cloudstack_db::{Database, Secret};
use cloudstack_db_testing::{admin_connection, count};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

#[test]
fn deploy_writes_encrypted_db_properties_that_the_library_opens_and_a_second_run_refuses() {
    let sb = Sandbox::new();
    let first = sb.setup(&[]);
    assert!(first.status.success(), "{}", text(&first));
    let out = text(&first);
    for step in [
        "Creating database",
        "Creating user",
        "Deploying the schema",
        "Writing",
        "ok: logged in",
        "Done",
    ] {
        assert!(out.contains(step), "missing step {step:?}:\n{out}");
    }
    assert!(!out.contains(&sb.password), "the password is never printed");

    // db.properties: the keys the real tool writes, passwords encrypted with the -m key.
    let props = DbProperties::read(sb.properties()).unwrap();
    assert_eq!(props.get("cluster.node.IP"), Some("127.0.0.1"));
    assert_eq!(props.get("region.id"), Some("1"));
    assert_eq!(props.get("db.cloud.username"), Some(sb.user.as_str()));
    assert_eq!(props.get("db.usage.username"), Some(sb.user.as_str()));
    assert_eq!(props.get("db.cloud.host"), Some("127.0.0.1"));
    assert_eq!(props.get("db.cloud.port"), Some("3306"));
    assert_eq!(props.get("db.cloud.name"), Some(sb.cloud.as_str()));
    assert_eq!(props.get("db.cloud.encryption.type"), Some("file"));
    assert_eq!(props.get("db.cloud.encryptor.version"), Some("V2"));
    let mgmt = Encryptor::new("password", Some(EncryptorVersion::V2));
    let cloud_password = unwrap_enc(props.get("db.cloud.password").unwrap()).expect("ENC(...)");
    assert_eq!(mgmt.decrypt(cloud_password).unwrap().expose(), sb.password);
    let secret = unwrap_enc(props.get("db.cloud.encrypt.secret").unwrap()).unwrap();
    assert_eq!(
        mgmt.decrypt(secret).unwrap().expose(),
        "password",
        "the -k default"
    );
    let text_of_file = std::fs::read_to_string(sb.properties()).unwrap();
    assert!(
        !text_of_file.contains(&sb.password),
        "no plain password in db.properties"
    );
    // The key file beside it, mode 0640.
    use std::os::unix::fs::PermissionsExt;
    let key = sb.conf.join("key");
    assert_eq!(std::fs::read_to_string(&key).unwrap().trim(), "password");
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o640
    );

    // The library opens it (key file found beside db.properties) and logs in as the new user.
    let db = Database::from_db_properties_file(sb.properties()).unwrap();
    // As CloudStack's own tool: CloudStack's default rows (the ROOT domain, the roles), no
    // account or user — a management server's first start writes those.
    let (domains, users) = db
        .cloud()
        .run(|c| {
            Ok((
                count(c, "SELECT COUNT(*) FROM domain WHERE name = 'ROOT'")?,
                count(c, "SELECT COUNT(*) FROM user")?,
            ))
        })
        .unwrap();
    assert_eq!(
        (domains, users),
        (1, 0),
        "CloudStack's default rows, no user"
    );
    let who = db
        .cloud()
        .run(|c| {
            count(
                c,
                &format!(
                    "SELECT COUNT(*) FROM DUAL WHERE CURRENT_USER() LIKE '{}@%'",
                    sb.user
                ),
            )
        })
        .unwrap();
    assert_eq!(who, 1, "connected as the CloudStack user");
    assert_eq!(
        db.column_encryptor()
            .unwrap()
            .decrypt(&db.column_encryptor().unwrap().encrypt("x").unwrap())
            .unwrap()
            .expose(),
        "x"
    );
    db.cloud()
        .run(|c| {
            Ok(c.batch_execute("INSERT INTO sequence (name, value) VALUES ('marker_seq', 42)")?)
        })
        .unwrap();
    drop(db);

    // A second run without --force-recreate refuses and touches nothing.
    let before = std::fs::read(sb.properties()).unwrap();
    let before_mtime = std::fs::metadata(sb.properties())
        .unwrap()
        .modified()
        .unwrap();
    let origin = sb.conf.join("db.properties.origin");
    assert!(
        !origin.exists(),
        "no copy of the old db.properties is left behind"
    );
    let second = sb.setup(&[]);
    assert_eq!(second.status.code(), Some(1), "{}", text(&second));
    assert!(
        text(&second).contains("--force-recreate"),
        "{}",
        text(&second)
    );
    assert_eq!(std::fs::read(sb.properties()).unwrap(), before);
    assert_eq!(
        std::fs::metadata(sb.properties())
            .unwrap()
            .modified()
            .unwrap(),
        before_mtime
    );
    assert!(!origin.exists());
    let db = Database::from_db_properties_file(sb.properties()).unwrap();
    let marker = db
        .cloud()
        .run(|c| count(c, "SELECT COUNT(*) FROM sequence WHERE name = 'marker_seq'"))
        .unwrap();
    assert_eq!(marker, 1, "the data is untouched");
    drop(db);

    // With --force-recreate it starts over.
    let third = sb.setup(&["--force-recreate"]);
    assert!(third.status.success(), "{}", text(&third));
    assert!(
        !origin.exists(),
        "no backup left behind after a rewrite either"
    );
    let db = Database::from_db_properties_file(sb.properties()).unwrap();
    let marker = db
        .cloud()
        .run(|c| count(c, "SELECT COUNT(*) FROM sequence WHERE name = 'marker_seq'"))
        .unwrap();
    assert_eq!(marker, 0);
}

#[test]
fn without_encryption_db_properties_holds_plain_values_the_library_opens() {
    let sb = Sandbox::new();
    let out = sb.setup(&["-e", "none", "-k", "db-secret", "-g", "V1"]);
    assert!(out.status.success(), "{}", text(&out));
    let props = DbProperties::read(sb.properties()).unwrap();
    assert_eq!(props.get("db.cloud.encryption.type"), Some("none"));
    assert_eq!(props.get("db.cloud.password"), Some(sb.password.as_str()));
    assert!(!sb.conf.join("key").exists());
    let config = DatabaseConfig::from_db_properties_file(sb.properties()).unwrap();
    assert_eq!(config.cloud.target.password.expose(), sb.password);
    let db = Database::connect(&config).unwrap();
    db.usage()
        .run(|c| Ok(c.batch_execute("SELECT 1")?))
        .unwrap();
    // The database secret in plain text configures the V1 column encryptor.
    let e = db.column_encryptor().unwrap();
    assert_eq!(
        e.decrypt(&e.encrypt("vnc").unwrap()).unwrap().expose(),
        "vnc"
    );
    assert_eq!(
        Encryptor::new("db-secret", Some(EncryptorVersion::V1))
            .decrypt(&e.encrypt("vnc").unwrap())
            .unwrap()
            .expose(),
        "vnc"
    );
}

#[test]
fn env_encryption_takes_cloud_secret_key_and_stops_without_it() {
    let sb = Sandbox::new();
    // Without CLOUD_SECRET_KEY: stops before changing anything, exit status 1 (as the real tool).
    let refused = sb
        .command(&["-e", "env", "-m", "ignored-with-env"])
        .env_remove("CLOUD_SECRET_KEY")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(
        text(&refused).contains("CLOUD_SECRET_KEY"),
        "{}",
        text(&refused)
    );
    assert_eq!(sb.databases_exist(), 0);

    let out = sb
        .command(&["-e", "env", "-m", "ignored-with-env"])
        .env("CLOUD_SECRET_KEY", "env-management-key")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let config = DatabaseConfig::from_db_properties_file_with_key(
        sb.properties(),
        &Secret::new("env-management-key"),
    )
    .unwrap();
    assert_eq!(config.cloud.target.password.expose(), sb.password);
    let wrong =
        DatabaseConfig::from_db_properties_file_with_key(sb.properties(), &Secret::new("wrong"));
    let err = wrong.unwrap_err().to_string();
    assert!(
        err.contains("cannot decrypt") && !err.contains("wrong") && !err.contains(&sb.password),
        "{err}"
    );
    assert!(
        DatabaseConfig::from_db_properties_file_with_key(
            sb.properties(),
            &Secret::new("ignored-with-env")
        )
        .is_err(),
        "-m is not the key with -e env"
    );
}

/// The key file and db.properties are created with mode 0640 — seen in the `openat` calls
/// (strace), not only in the final mode — and `-j`, `-b` are accepted (`-f`:
/// setup_from_sql_files.rs).
#[test]
fn secret_files_are_created_with_their_final_mode_and_j_b_are_accepted() {
    let sb = Sandbox::new();
    let trace = sb.conf.join("openat.trace");
    let out = Command::new("strace")
        .args(["-f", "-e", "trace=openat,creat", "-o"])
        .arg(&trace)
        .arg(env!("CARGO_BIN_EXE_cloudstack-setup-databases"))
        .arg(sb.target())
        .args(["--deploy-as=root:", "-i", "127.0.0.1", "-c"])
        .arg(&sb.conf)
        .args([
            "-j",
            "/usr/share/cloudstack-common/lib/cloudstack-utils.jar",
            "-b",
            "/usr/bin",
        ])
        .output()
        .expect("strace is installed (scripts/prepare-machine)");
    assert!(out.status.success(), "{}", text(&out));
    let calls = std::fs::read_to_string(&trace).unwrap();
    // strace prints the path in quotes: `openat(AT_FDCWD, ".../key", O_WRONLY|O_CREAT|..., 0640)`.
    for name in ["db.properties.new\"", "/key\""] {
        let creating: Vec<&str> = calls
            .lines()
            .filter(|l| l.contains(name) && l.contains("O_CREAT"))
            .collect();
        assert!(!creating.is_empty(), "{name} was created:\n{calls}");
        for call in creating {
            assert!(
                call.contains(", 0640)"),
                "created with another mode: {call}"
            );
        }
    }
}

#[test]
fn a_failed_setup_removes_what_it_created_and_restores_db_properties() {
    let sb = Sandbox::new();
    let original = std::fs::read_to_string(sb.properties()).unwrap();
    // Skipping user creation for a user that does not exist: the final login check fails.
    let out = sb.setup(&["-u"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("undone"), "{}", text(&out));
    assert_eq!(
        sb.databases_exist(),
        0,
        "the databases it created are dropped"
    );
    assert_eq!(
        std::fs::read_to_string(sb.properties()).unwrap(),
        original,
        "db.properties restored"
    );
    assert!(
        !sb.conf.join("key").exists(),
        "the key file it wrote is removed"
    );
}

#[test]
fn status_reports_a_dropped_column_and_exits_non_zero() {
    let sb = Sandbox::new();
    assert!(sb.setup(&[]).status.success());
    let status = |sb: &Sandbox| {
        Command::new(env!("CARGO_BIN_EXE_cloudstack-db"))
            .args(["status", "--db-properties"])
            .arg(sb.properties())
            .output()
            .unwrap()
    };
    let fine = status(&sb);
    assert!(fine.status.success(), "{}", text(&fine));
    let out = text(&fine);
    assert!(
        out.contains("managed by cloudstack-db: 4 of 4 migration(s) applied"),
        "{out}"
    );
    assert!(
        out.contains("CloudStack 4.22.1.0 (upgrade step Complete), 4.22.1 columns"),
        "{out}"
    );
    assert!(
        out.contains("every column the crate uses is there and fits")
            && out.contains("every table and view of CloudStack 4.22 is there (356)")
            && out.contains("every table and view of CloudStack 4.22 is there (31)"),
        "{out}"
    );
    assert!(out.lines().count() <= 10, "a few lines: {out}");
    admin_connection()
        .unwrap()
        .batch_execute(&format!(
            "ALTER TABLE `{}`.vm_instance DROP COLUMN display_vm; ALTER TABLE `{}`.volumes MODIFY size int unsigned NOT NULL; \
             DROP TABLE `{}`.nic_details",
            sb.cloud, sb.cloud, sb.cloud
        ))
        .unwrap();
    let broken = status(&sb);
    let out = text(&broken);
    assert_eq!(broken.status.code(), Some(1), "{out}");
    assert!(
        out.contains("2 column(s) the crate uses are missing or different (--verbose lists them)")
            && out.contains("1 of CloudStack 4.22's 356 tables and views missing"),
        "{out}"
    );
    assert!(
        !out.contains("display_vm"),
        "details only with --verbose: {out}"
    );
    let verbose = Command::new(env!("CARGO_BIN_EXE_cloudstack-db"))
        .args(["status", "--verbose", "--db-properties"])
        .arg(sb.properties())
        .output()
        .unwrap();
    let out = text(&verbose);
    assert_eq!(verbose.status.code(), Some(1), "{out}");
    assert!(out.contains("vm_instance.display_vm: missing"), "{out}");
    assert!(out.contains("    table nic_details"), "{out}");
    assert!(
        out.contains("volumes.size: type int(10) unsigned, expected bigint(20) unsigned"),
        "{out}"
    );
}

#[derive(QueryableByName)]
struct Globals {
    #[diesel(sql_type = diesel::sql_types::Text)]
    lock_wait: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    max_connections: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    binlog_format: String,
}

#[test]
fn doctor_reports_the_live_servers_settings() {
    let out = Command::new(env!("CARGO_BIN_EXE_cloudstack-db"))
        .arg("doctor")
        .env("CLOUD_DATABASE_URL", "mysql://root@127.0.0.1:3306/mysql")
        .env("USAGE_DATABASE_URL", "mysql://root@127.0.0.1:3306/mysql")
        .output()
        .unwrap();
    let report = text(&out);
    assert!(out.status.success(), "{report}");
    let live: Globals = diesel::sql_query(
        "SELECT CAST(@@global.innodb_lock_wait_timeout AS CHAR) AS lock_wait, \
                CAST(@@global.max_connections AS CHAR) AS max_connections, @@global.binlog_format AS binlog_format",
    )
    .get_result(&mut admin_connection().unwrap())
    .unwrap();
    let line = |name: &str| {
        report
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(name))
            .unwrap_or_else(|| panic!("{name}: {report}"))
            .to_owned()
    };
    let verdict = |ok: bool| if ok { "ok" } else { "warn" };
    let lock = line("innodb_lock_wait_timeout");
    assert!(lock.contains(&format!("= {}", live.lock_wait)), "{lock}");
    assert!(
        lock.starts_with(verdict(live.lock_wait.parse::<u64>().unwrap() >= 600)),
        "{lock}"
    );
    let conns = line("max_connections");
    assert!(
        conns.contains(&format!("= {}", live.max_connections)),
        "{conns}"
    );
    assert!(
        conns.starts_with(verdict(
            live.max_connections.parse::<u64>().unwrap() >= 1000
        )),
        "{conns}"
    );
    let binlog = line("binlog_format");
    assert!(
        binlog.starts_with(verdict(live.binlog_format == "ROW")),
        "{binlog}"
    );
    // The server version, then the eight settings.
    let version = line("server_version");
    assert!(
        version.starts_with("ok    server_version = MariaDB 10.")
            || version.starts_with("ok    server_version = MySQL 8."),
        "{version}"
    );
    assert_eq!(
        report
            .lines()
            .filter(|l| l.starts_with("ok ") || l.starts_with("warn "))
            .count(),
        9
    );
    let strict = Command::new(env!("CARGO_BIN_EXE_cloudstack-db"))
        .args(["doctor", "--strict"])
        .env("CLOUD_DATABASE_URL", "mysql://root@127.0.0.1:3306/mysql")
        .env("USAGE_DATABASE_URL", "mysql://root@127.0.0.1:3306/mysql")
        .output()
        .unwrap();
    let warnings = report.lines().filter(|l| l.starts_with("warn ")).count();
    assert_eq!(strict.status.success(), warnings == 0);
}

/// Every secret from the environment — the CloudStack user's password, the --deploy-as
/// password, the management server key and the database secret — and none of them in the
/// process's argv (`/proc/<pid>/cmdline`); each lands where the argv form puts it.
#[test]
fn every_secret_can_come_from_the_environment_and_none_is_in_argv() {
    let sb = Sandbox::new();
    let admin = format!("csdba_{}", &sb.user["csdbu_".len()..]);
    let admin_password = format!("Adm{}", uuid::Uuid::new_v4().simple());
    let management_key = format!("Mk{}", uuid::Uuid::new_v4().simple());
    let database_key = format!("Dk{}", uuid::Uuid::new_v4().simple());
    let mut root = admin_connection().unwrap();
    for host in ["localhost", "%"] {
        root.batch_execute(&format!(
            "CREATE USER '{admin}'@'{host}' IDENTIFIED BY '{admin_password}'; \
             GRANT ALL PRIVILEGES ON *.* TO '{admin}'@'{host}' WITH GRANT OPTION"
        ))
        .unwrap();
    }
    struct DropAdmin(String);
    impl Drop for DropAdmin {
        fn drop(&mut self) {
            if let Ok(mut c) = admin_connection() {
                let _ = c.batch_execute(&format!(
                    "DROP USER IF EXISTS '{0}'@'localhost'; DROP USER IF EXISTS '{0}'@'%'",
                    self.0
                ));
            }
        }
    }
    let _admin = DropAdmin(admin.clone());

    let child = Command::new(env!("CARGO_BIN_EXE_cloudstack-setup-databases"))
        .arg(format!("{}@127.0.0.1", sb.user))
        .arg(format!("--deploy-as={admin}"))
        .args(["-i", "127.0.0.1", "-c"])
        .arg(&sb.conf)
        .env("CLOUDSTACK_DB_PASSWORD", &sb.password)
        .env("CLOUDSTACK_DB_ROOT_PASSWORD", &admin_password)
        .env("CLOUDSTACK_MANAGEMENT_KEY", &management_key)
        .env("CLOUDSTACK_DATABASE_KEY", &database_key)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read while it runs; just after exec the kernel may not have set the argument area yet,
    // so it is read again until it is there.
    let started = std::time::Instant::now();
    let cmdline = loop {
        let read = std::fs::read(format!("/proc/{}/cmdline", child.id())).unwrap_or_default();
        if !read.is_empty() || started.elapsed() > std::time::Duration::from_secs(5) {
            break read;
        }
        std::thread::yield_now();
    };
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let argv = String::from_utf8_lossy(&cmdline);
    assert!(argv.contains("--deploy-as="), "the argv was read: {argv:?}");
    for secret in [
        &sb.password,
        &admin_password,
        &management_key,
        &database_key,
    ] {
        assert!(
            !argv.contains(secret.as_str()),
            "a secret in argv: {argv:?}"
        );
        assert!(!text(&out).contains(secret.as_str()), "a secret printed");
    }

    let props = DbProperties::read(sb.properties()).unwrap();
    let mgmt = Encryptor::new(management_key.as_str(), Some(EncryptorVersion::V2));
    let cloud_password = unwrap_enc(props.get("db.cloud.password").unwrap()).unwrap();
    assert_eq!(mgmt.decrypt(cloud_password).unwrap().expose(), sb.password);
    let secret = unwrap_enc(props.get("db.cloud.encrypt.secret").unwrap()).unwrap();
    assert_eq!(mgmt.decrypt(secret).unwrap().expose(), database_key);
    assert_eq!(
        std::fs::read_to_string(sb.conf.join("key")).unwrap().trim(),
        management_key
    );
    // The user was created with the password from the environment: the library logs in.
    let db = Database::from_db_properties_file(sb.properties()).unwrap();
    assert_eq!(
        db.cloud()
            .run(|c| count(c, "SELECT COUNT(*) FROM roles"))
            .unwrap(),
        8
    );
}

/// A run that changed an existing user's password and grants and then failed puts them back:
/// the earlier password logs in again, the new one does not, and the grants are the same.
#[test]
fn a_failed_run_gives_an_existing_user_back_its_password_and_grants() {
    let sb = Sandbox::new();
    let old_password = format!("Old{}", uuid::Uuid::new_v4().simple());
    let mut root = admin_connection().unwrap();
    for host in ["localhost", "%"] {
        root.batch_execute(&format!(
            "CREATE USER '{u}'@'{host}' IDENTIFIED BY '{old_password}'; \
             GRANT SELECT ON `mysql`.`db` TO '{u}'@'{host}'",
            u = sb.user
        ))
        .unwrap();
    }
    #[derive(QueryableByName)]
    struct Grant {
        #[diesel(sql_type = diesel::sql_types::Text)]
        privilege: String,
    }
    // The user's privileges, as information_schema lists them (any order).
    let grants = |root: &mut MysqlConnection| {
        let mut rows: Vec<String> = diesel::sql_query(format!(
            "SELECT CONCAT_WS(' ', GRANTEE, TABLE_SCHEMA, TABLE_NAME, PRIVILEGE_TYPE) AS privilege \
             FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE LIKE '''{u}''@%' \
             UNION ALL SELECT CONCAT_WS(' ', GRANTEE, TABLE_SCHEMA, PRIVILEGE_TYPE) \
             FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE LIKE '''{u}''@%' \
             UNION ALL SELECT CONCAT_WS(' ', GRANTEE, PRIVILEGE_TYPE) \
             FROM information_schema.USER_PRIVILEGES WHERE GRANTEE LIKE '''{u}''@%'",
            u = sb.user
        ))
        .load::<Grant>(root)
        .unwrap()
        .into_iter()
        .map(|g| g.privilege)
        .collect();
        rows.sort();
        rows
    };
    let before = grants(&mut root);
    assert!(before.iter().any(|g| g.contains("SELECT")), "{before:?}");

    // db.properties cannot be written (a directory is where its temporary file goes): the run
    // fails at its last step, after the user was changed.
    std::fs::create_dir(sb.conf.join("db.properties.new")).unwrap();
    let out = sb.setup(&[]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("Setting the password of user"), "{said}");
    assert!(
        said.contains("has its earlier password and grants again"),
        "{said}"
    );
    assert!(
        !said.contains(&old_password) && !said.contains("PASSWORD '*"),
        "{said}"
    );

    assert_eq!(grants(&mut root), before, "the grants are as they were");
    let login = |password: &str| {
        MysqlConnection::establish(&format!(
            "mysql://{}:{password}@127.0.0.1:3306/mysql",
            sb.user
        ))
        .is_ok()
    };
    assert!(login(&old_password), "the earlier password works again");
    assert!(!login(&sb.password), "the run's password does not");
    assert_eq!(sb.databases_exist(), 0);
}
