//! The command-line tools wait for a server no longer than they were told to.

use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

/// `cloudstack-db doctor` against a listener that accepts and never answers fails, saying it
/// cannot connect, within the URL's connect timeout (+1 s).
#[test]
fn doctor_against_a_silent_listener_fails_within_the_connect_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let url = |db: &str| format!("mysql://root@127.0.0.1:{port}/{db}?connectTimeout=2000");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cloudstack-db"))
        .arg("doctor")
        .env("CLOUD_DATABASE_URL", url("cloud"))
        .env("USAGE_DATABASE_URL", url("cloud_usage"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    // Waited for with a bound far above the timeout, so a tool that hangs fails the test.
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("doctor still waiting after 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = started.elapsed();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!status.success());
    assert!(stderr.contains("cannot connect"), "{stderr}");
    assert!(took < Duration::from_secs(3), "doctor took {took:?}");
    drop(listener);
}
