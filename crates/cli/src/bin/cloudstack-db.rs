//! `cloudstack-db`: operate CloudStack's databases (see `cloudstack-db --help`).

fn main() -> std::process::ExitCode {
    cloudstack_db_cli::run(std::env::args_os())
}
