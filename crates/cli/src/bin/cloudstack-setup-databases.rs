//! `cloudstack-setup-databases`: exactly `cloudstack-db setup`, under the name operators know.

fn main() -> std::process::ExitCode {
    cloudstack_db_cli::run_setup_databases(std::env::args_os())
}
