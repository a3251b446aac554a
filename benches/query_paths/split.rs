//! Where a call's wall time goes: on the calling thread's CPU, on the server's CPU, or on
//! neither (waiting for a wake-up, a disk flush, the scheduler).
//!
//! Split mode (`QUERY_PATHS_SPLIT=<file>`) runs each path a fixed number of times and reads,
//! around every call, the kernel's CPU clocks of the calling thread (`CLOCK_THREAD_CPUTIME_ID`)
//! and of the whole server process (`clock_getcpuclockid`): user and kernel time, the kernel's
//! share of a loopback round trip included. The server must run on this machine; its process is
//! found from `@@pid_file`, or as the one `mariadbd`/`mysqld` running. One line per path goes to
//! the file: label, calls, median wall, then the means of wall, client CPU and server CPU, in
//! nanoseconds. The server's CPU is all its threads' (log writer, purge, page cleaner
//! included), so on a write it can exceed the wall time.

use std::fs;
use std::time::Instant;

/// Nanoseconds of CPU time on `clock` so far.
fn cpu_ns(clock: libc::clockid_t) -> Option<u64> {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill.
    let rc = unsafe { libc::clock_gettime(clock, &mut t) };
    (rc == 0).then(|| t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64)
}

/// The calling thread's user and kernel CPU time so far (`getrusage`, microseconds, as ns).
fn thread_user_sys_ns() -> (u64, u64) {
    // SAFETY: an all-zero rusage is valid, and the call fills it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid rusage for the call to fill.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) };
    if rc != 0 {
        return (0, 0);
    }
    let ns = |t: libc::timeval| t.tv_sec as u64 * 1_000_000_000 + t.tv_usec as u64 * 1_000;
    (ns(usage.ru_utime), ns(usage.ru_stime))
}

/// The server process this bench talks to, when it runs on this machine.
#[derive(Clone, Copy)]
pub struct Server {
    clock: libc::clockid_t,
}

impl Server {
    /// Finds the server's process: its `pid_file` if readable, otherwise the only process
    /// named `mariadbd` or `mysqld`.
    pub fn find(pid_file: Option<&str>) -> Option<Self> {
        let from_file = pid_file
            .and_then(|f| fs::read_to_string(f).ok())
            .and_then(|s| s.trim().parse().ok());
        let pid = from_file.or_else(|| {
            let found: Vec<u32> = fs::read_dir("/proc")
                .ok()?
                .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .filter(|pid: &u32| {
                    fs::read_to_string(format!("/proc/{pid}/comm"))
                        .map(|c| matches!(c.trim(), "mariadbd" | "mysqld"))
                        .unwrap_or(false)
                })
                .collect();
            (found.len() == 1).then(|| found[0])
        })?;
        let mut clock: libc::clockid_t = 0;
        // SAFETY: `clock` is a valid place for the clock id.
        let rc = unsafe { libc::clock_getcpuclockid(pid as libc::pid_t, &mut clock) };
        let server = (rc == 0).then_some(Self { clock })?;
        server.cpu_ns().map(|_| server)
    }

    /// CPU time of all the server's threads so far.
    pub fn cpu_ns(&self) -> Option<u64> {
        cpu_ns(self.clock)
    }
}

/// The sums over a path's calls.
#[derive(Default)]
pub struct Split {
    walls: Vec<u64>,
    client_ns: u64,
    client_user_ns: u64,
    client_sys_ns: u64,
    server_ns: u64,
}

impl Split {
    /// Runs `call` once, adding its wall time and both CPU times.
    pub fn measure(&mut self, server: &Server, call: impl FnOnce()) {
        let server_before = server.cpu_ns().unwrap_or(0);
        let (user_before, sys_before) = thread_user_sys_ns();
        let client_before = cpu_ns(libc::CLOCK_THREAD_CPUTIME_ID).unwrap_or(0);
        let started = Instant::now();
        call();
        let wall = started.elapsed().as_nanos() as u64;
        let client_after = cpu_ns(libc::CLOCK_THREAD_CPUTIME_ID).unwrap_or(0);
        let (user_after, sys_after) = thread_user_sys_ns();
        let server_after = server.cpu_ns().unwrap_or(0);
        self.walls.push(wall);
        self.client_ns += client_after.saturating_sub(client_before);
        self.client_user_ns += user_after.saturating_sub(user_before);
        self.client_sys_ns += sys_after.saturating_sub(sys_before);
        self.server_ns += server_after.saturating_sub(server_before);
    }

    /// `label calls median_wall mean_wall mean_client_cpu mean_server_cpu mean_client_user
    /// mean_client_kernel` (ns; the last two are the kernel's tick-sampled split of the
    /// client's CPU, good as a proportion over many calls).
    pub fn line(mut self, label: &str) -> String {
        let n = self.walls.len().max(1) as u64;
        self.walls.sort_unstable();
        let median = self.walls.get(self.walls.len() / 2).copied().unwrap_or(0);
        let mean = self.walls.iter().sum::<u64>() / n;
        format!(
            "{label} {} {median} {mean} {} {} {} {}",
            self.walls.len(),
            self.client_ns / n,
            self.server_ns / n,
            self.client_user_ns / n,
            self.client_sys_ns / n
        )
    }
}
