//! `cloudstack-setup-databases -f DIR` deploys from a CloudStack SQL directory the way
//! CloudStack's tool does: its files in its order through the mysql client, the `cloud` user
//! statements rewritten for the CloudStack user. The directory here is written by the test in
//! the shape of CloudStack's files (a user-dropping procedure, `cloud`/`cloud` users and grants,
//! a 4.0.0 version row), so what ran, in which order and as whom can be seen.

mod sandbox;

use std::path::Path;
use std::process::Command;

use cloudstack_db::Database;
use cloudstack_db_testing::{admin_connection, count};
use sandbox::{Sandbox, text};

/// Writes a SQL directory in CloudStack's shape for the sandbox's databases; `templates`
/// is the text of templates.sql.
fn sql_dir(sb: &Sandbox, templates: &str) -> std::path::PathBuf {
    let dir = sb.conf.join("sql");
    std::fs::create_dir_all(&dir).unwrap();
    let (cloud, usage) = (&sb.cloud, &sb.usage);
    // Tests run at once: each its own procedure.
    let proc = &sb.user;
    let log = |file: &str| format!("INSERT INTO `{cloud}`.step_log (file) VALUES ('{file}');\n");
    let write = |name: &str, body: String| std::fs::write(dir.join(name), body).unwrap();
    write(
        "create-database.sql",
        format!(
            "USE `mysql`;\n\
             DROP PROCEDURE IF EXISTS `mysql`.`drop_{proc}` ;\n\
             DELIMITER $$\n\
             CREATE PROCEDURE `mysql`.`drop_{proc}`()\n\
             BEGIN\n\
               DECLARE n BIGINT DEFAULT 0 ;\n\
               SELECT COUNT(*) INTO n FROM `mysql`.`user` WHERE `User` = 'cloud' and host = 'localhost';\n\
               IF n > 0 THEN\n\
                      DROP USER 'cloud'@'localhost' ;\n\
               END IF;\n\
               SELECT COUNT(*) INTO n FROM `mysql`.`user` WHERE `User` = 'cloud' and host = '%';\n\
               IF n > 0 THEN\n\
                      DROP USER 'cloud'@'%' ;\n\
               END IF;\n\
             END $$\n\
             DELIMITER ;\n\
             CALL `mysql`.`drop_{proc}`() ;\n\
             DROP PROCEDURE IF EXISTS `mysql`.`drop_{proc}` ;\n\
             DROP DATABASE IF EXISTS `{cloud}`;\n\
             CREATE DATABASE `{cloud}`;\n\
             CREATE TABLE `{cloud}`.step_log (n int AUTO_INCREMENT PRIMARY KEY, file varchar(64));\n\
             CREATE USER cloud@`localhost` identified by 'cloud';\n\
             CREATE USER cloud@`%` identified by 'cloud';\n\
             GRANT ALL ON `{cloud}`.* to cloud@`localhost`;\n\
             GRANT ALL ON `{cloud}`.* to cloud@`%`;\n\
             {}",
            log("create-database")
        ),
    );
    write(
        "create-schema.sql",
        format!(
            "USE `{cloud}`;\n\
             CREATE TABLE `version` (id bigint unsigned AUTO_INCREMENT PRIMARY KEY, \
             version char(40) NOT NULL UNIQUE, updated datetime NOT NULL, step char(32) NOT NULL);\n\
             INSERT INTO `version` (version, updated, step) VALUES ('4.0.0', now(), 'Complete');\n\
             {}",
            log("create-schema")
        ),
    );
    write(
        "create-database-premium.sql",
        format!(
            "DROP DATABASE IF EXISTS `{usage}`;\nCREATE DATABASE `{usage}`;\n\
             GRANT ALL ON `{usage}`.* to cloud@`localhost`;\nGRANT ALL ON `{usage}`.* to cloud@`%`;\n{}",
            log("create-database-premium")
        ),
    );
    write(
        "create-schema-premium.sql",
        format!(
            "USE `{usage}`;\nCREATE TABLE usage_job (id bigint PRIMARY KEY);\n{}",
            log("create-schema-premium")
        ),
    );
    write("server-setup.sql", log("server-setup"));
    write("templates.sql", format!("{templates}{}", log("templates")));
    dir
}

fn setup_with(sb: &Sandbox, dir: &Path) -> std::process::Output {
    sb.command(&["-f"]).arg(dir).output().unwrap()
}

#[test]
fn the_files_run_in_cloudstacks_order_for_the_cloudstack_user() {
    let sb = Sandbox::new();
    let dir = sql_dir(&sb, "");
    let out = setup_with(&sb, &dir);
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("CloudStack schema 4.0.0 from the SQL files") && !said.contains(&sb.password),
        "{said}"
    );
    let mut admin = admin_connection().unwrap();
    let order: Vec<String> = {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct Step {
            #[diesel(sql_type = diesel::sql_types::Text)]
            file: String,
        }
        diesel::sql_query(format!(
            "SELECT file FROM `{}`.step_log ORDER BY n",
            sb.cloud
        ))
        .load::<Step>(&mut admin)
        .unwrap()
        .into_iter()
        .map(|s| s.file)
        .collect()
    };
    assert_eq!(
        order,
        [
            "create-database",
            "create-schema",
            "create-database-premium",
            "create-schema-premium",
            "server-setup",
            "templates"
        ]
    );
    // The `cloud`/`cloud` statements were rewritten: the sandbox's user, at both hosts, with
    // its password and the grants — db.properties logs in with it.
    assert_eq!(
        count(
            &mut admin,
            &format!(
                "SELECT COUNT(*) FROM mysql.user WHERE user = '{}' AND host IN ('localhost', '%')",
                sb.user
            )
        )
        .unwrap(),
        2
    );
    let db = Database::from_db_properties_file(sb.properties()).unwrap();
    let version = db
        .cloud()
        .run(cloudstack_db::migrations::newest_version)
        .unwrap();
    assert_eq!(version.map(|(v, _)| v).as_deref(), Some("4.0.0"));
    db.usage()
        .run(|c| count(c, "SELECT COUNT(*) FROM usage_job"))
        .unwrap();

    // status says what it is and what to do.
    let status = Command::new(env!("CARGO_BIN_EXE_cloudstack-db"))
        .args(["status", "--db-properties"])
        .arg(sb.properties())
        .output()
        .unwrap();
    let said = text(&status);
    assert!(
        !status.status.success()
            && said.contains("CloudStack 4.0.0")
            && said.contains("not adoptable yet")
            && said.contains("upgrade it to 4.22 first"),
        "{said}"
    );
}

#[test]
fn a_failing_file_is_undone_and_a_directory_without_the_files_is_refused() {
    let sb = Sandbox::new();
    let dir = sql_dir(&sb, "INSERT INTO no_such_table VALUES (1);\n");
    std::fs::write(
        sb.properties(),
        format!("db.cloud.name={}\ndb.usage.name={}\n", sb.cloud, sb.usage),
    )
    .unwrap();
    let before = std::fs::read_to_string(sb.properties()).unwrap();
    let out = setup_with(&sb, &dir);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("templates.sql failed") && said.contains("no_such_table"),
        "{said}"
    );
    assert_eq!(
        sb.databases_exist(),
        0,
        "the databases the files made are dropped"
    );
    let mut admin = admin_connection().unwrap();
    assert_eq!(
        count(
            &mut admin,
            &format!("SELECT COUNT(*) FROM mysql.user WHERE user = '{}'", sb.user)
        )
        .unwrap(),
        0,
        "the user the files made is dropped"
    );
    assert_eq!(std::fs::read_to_string(sb.properties()).unwrap(), before);

    let empty = sb.conf.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = setup_with(&sb, &empty);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(
            "lacks create-database.sql, create-schema.sql, templates.sql, server-setup.sql"
        ),
        "{said}"
    );
    assert_eq!(sb.databases_exist(), 0);
}
