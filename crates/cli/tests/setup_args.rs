//! Every rule of `cloudstack-setup-databases`'s command line.

use clap::Parser;
use cloudstack_db_cli::setup_args::{SetupArgs, UsageError, parse_target};

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: SetupArgs,
}

fn plan(argv: &[&str]) -> Result<cloudstack_db_cli::setup_args::SetupPlan, UsageError> {
    let mut full = vec!["cloudstack-setup-databases"];
    full.extend_from_slice(argv);
    Cli::try_parse_from(full)
        .expect("clap accepts it")
        .args
        .plan()
}

#[test]
fn the_positional_argument_splits_at_the_last_at_sign() {
    let t = parse_target("cloud:p@ss:w@rd@db.example:3307").unwrap();
    assert_eq!(t.credentials.user, "cloud");
    assert_eq!(t.credentials.password.expose(), "p@ss:w@rd");
    assert_eq!((t.host.as_str(), t.port), ("db.example", 3307));
}

#[test]
fn host_defaults_to_localhost_and_port_to_3306() {
    let t = parse_target("cloud:cloud").unwrap();
    assert_eq!((t.host.as_str(), t.port), ("localhost", 3306));
    let t = parse_target("cloud:cloud@db1").unwrap();
    assert_eq!((t.host.as_str(), t.port), ("db1", 3306));
    let t = parse_target("cloud:cloud@db1:").unwrap();
    assert_eq!(t.port, 3306);
    let t = parse_target("cloud@db1").unwrap();
    assert_eq!(
        t.credentials.password.expose(),
        "",
        "the password may be empty"
    );
}

#[test]
fn the_port_must_be_a_positive_integer() {
    for bad in ["0", "-1", "abc", "70000", "33o6"] {
        assert_eq!(
            parse_target(&format!("cloud:cloud@db:{bad}")).unwrap_err(),
            UsageError::BadPort(bad.into()),
            "{bad}"
        );
    }
}

#[test]
fn the_user_must_not_be_empty() {
    assert_eq!(
        parse_target(":pw@db").unwrap_err(),
        UsageError::EmptyUser("CloudStack")
    );
    assert_eq!(
        plan(&["cloud:cloud@db", "--deploy-as=:pw"]).unwrap_err(),
        UsageError::EmptyUser("admin")
    );
}

#[test]
fn quotes_spaces_backslashes_and_backticks_are_refused_in_users_and_passwords() {
    for c in ['\'', '"', ' ', '\\', '`'] {
        assert_eq!(
            parse_target(&format!("clo{c}ud:pw@db")).unwrap_err(),
            UsageError::ForbiddenCharacter("user name"),
            "{c:?}"
        );
        assert_eq!(
            parse_target(&format!("cloud:p{c}w@db")).unwrap_err(),
            UsageError::ForbiddenCharacter("password"),
            "{c:?}"
        );
        let admin = format!("--deploy-as=root:p{c}w");
        assert_eq!(
            plan(&["cloud:cloud@db", &admin]).unwrap_err(),
            UsageError::ForbiddenCharacter("admin password")
        );
    }
}

#[test]
fn exactly_one_positional_argument() {
    assert_eq!(
        plan(&["cloud:cloud@db", "extra"]).unwrap_err(),
        UsageError::PositionalCount(2)
    );
    let missing = Cli::try_parse_from(["cloudstack-setup-databases"]);
    assert!(missing.is_err(), "the positional argument is required");
}

#[test]
fn schema_only_cannot_be_combined_with_deploy_as() {
    assert_eq!(
        plan(&["cloud:cloud@db", "-s", "--deploy-as=root:"]).unwrap_err(),
        UsageError::SchemaOnlyWithDeployAs
    );
    assert!(plan(&["cloud:cloud@db", "--schema-only"]).is_ok());
}

#[test]
fn the_admin_must_be_another_user() {
    assert_eq!(
        plan(&["cloud:cloud@db", "--deploy-as=cloud:x"]).unwrap_err(),
        UsageError::SameUser("cloud".into())
    );
    let p = plan(&["cloud:cloud@db", "-d", "root:"]).unwrap();
    let admin = p.admin.unwrap();
    assert_eq!((admin.user.as_str(), admin.password.expose()), ("root", ""));
}

#[test]
fn options_take_the_real_tools_names_and_defaults() {
    let cli = Cli::try_parse_from([
        "x",
        "cloud:cloud@localhost",
        "--deploy-as=root:",
        "-i",
        "10.0.0.5",
        "-r",
        "7",
        "-e",
        "env",
        "-m",
        "mk",
        "-k",
        "dk",
        "-g",
        "V1",
        "-c",
        "/tmp/conf",
        "-u",
        "-v",
        "--force-recreate",
    ])
    .unwrap();
    let a = cli.args;
    assert_eq!(a.mshost.as_deref(), Some("10.0.0.5"));
    assert_eq!(a.region_id, 7);
    assert_eq!(a.encrypt_type.as_str(), "env");
    assert_eq!(
        (a.management_key.expose(), a.database_key.expose()),
        ("mk", "dk")
    );
    assert_eq!(a.encryptor_version.as_str(), "V1");
    assert_eq!(a.conf_dir.to_str(), Some("/tmp/conf"));
    assert!(a.skip_users && a.debug && a.force_recreate);

    let d = Cli::try_parse_from(["x", "cloud:cloud@localhost"])
        .unwrap()
        .args;
    assert_eq!(d.region_id, 1);
    assert_eq!(d.encrypt_type.as_str(), "file");
    assert_eq!(
        (d.management_key.expose(), d.database_key.expose()),
        ("password", "password")
    );
    assert_eq!(d.encryptor_version.as_str(), "V2");
    assert_eq!(d.conf_dir.to_str(), Some("/etc/cloudstack/management"));
    assert!(Cli::try_parse_from(["x", "c:c@h", "-g", "V3"]).is_err());
    assert!(Cli::try_parse_from(["x", "c:c@h", "-e", "vault"]).is_err());
    assert_eq!(
        plan(&["c:c@h", "--auto", "/tmp/server-setup.xml"]).unwrap_err(),
        UsageError::AutoUnsupported
    );
}

#[test]
fn secrets_come_from_files_when_the_arguments_leave_them_out() {
    let dir = std::env::temp_dir().join(format!("csdb-secret-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let (user, admin, mk, dk) = (
        file("user", "user-pw\n"),
        file("admin", "admin-pw\r\nsecond line ignored\n"),
        file("mk", "mgmt-key"),
        file("dk", "db-key\n"),
    );
    let p = plan(&[
        "cloud@db1",
        "--deploy-as=root",
        "--password-file",
        &user,
        "--deploy-as-password-file",
        &admin,
        "--managementserver-secretkey-file",
        &mk,
        "--database-secretkey-file",
        &dk,
    ])
    .unwrap();
    assert_eq!(p.target.credentials.password.expose(), "user-pw");
    assert_eq!(p.admin.unwrap().password.expose(), "admin-pw");
    assert_eq!(p.management_key.expose(), "mgmt-key");
    assert_eq!(p.database_key.expose(), "db-key");
    // A password in the argument wins over the file; a missing file is refused, naming it.
    let p = plan(&["cloud:given@db1", "--password-file", &user]).unwrap();
    assert_eq!(p.target.credentials.password.expose(), "given");
    let missing = dir.join("nope").display().to_string();
    let err = plan(&["cloud@db1", "--password-file", &missing]).unwrap_err();
    assert!(err.to_string().contains(&missing), "{err}");
    // A secret file's password obeys the same character rules as the argument's.
    let spaced = file("spaced", "has space\n");
    assert_eq!(
        plan(&["cloud@db1", "--password-file", &spaced]).unwrap_err(),
        UsageError::ForbiddenCharacter("password")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
