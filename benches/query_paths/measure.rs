//! One way to register a path, two ways to measure it: wall time through criterion, or client
//! instructions under callgrind.
//!
//! Instruction mode (`QUERY_PATHS_INSTRUCTIONS=<labels file>`) runs each path a fixed number of
//! times with collection switched on only inside [`csdb_measured`] and a dump after each
//! [`csdb_path_done`]; `scripts/bench-report` runs the binary as
//!
//! ```text
//! valgrind --tool=callgrind --collect-atstart=no --toggle-collect=csdb_measured \
//!          --dump-after=csdb_path_done --callgrind-out-file=DIR/cg.out <bench binary>
//! ```
//!
//! so dump `k` holds exactly the instructions of the `k`-th path's measured calls (setup
//! excluded), and line `k` of the labels file says which path and how many calls that was.
//!
//! Split mode (`QUERY_PATHS_SPLIT=<file>`, see [`super::split`]) runs each path the same
//! number of times and writes where each call's wall time went.
//!
//! In every mode `QUERY_PATHS_ONLY=<text>` keeps only the paths whose `group/function` label
//! contains `text` (to profile or trace one path).

use std::fs::File;
use std::hint::black_box;
use std::io::Write;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BatchSize, BenchmarkGroup, Criterion};

use super::split::{Server, Split};

/// Runs `routine` once; the only code whose instructions callgrind collects.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn csdb_measured(routine: &mut dyn FnMut()) {
    routine();
}

/// Marks the end of one path's measured calls; callgrind dumps (and zeroes) its counters
/// after this returns.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn csdb_path_done(label: &str) {
    black_box(label);
}

pub enum Paths<'c> {
    Wall(&'c mut Criterion),
    Instructions(File),
    Split(File, Server),
}

/// Calls measured per path in instruction and split mode: enough to average out one-off costs (a
/// statement cache's first miss), few enough to stay quick under callgrind.
/// `QUERY_PATHS_CALLS=<n>` sets the count for every path (to see whether a longer run moves
/// the numbers).
fn calls(group: &str) -> u64 {
    if let Some(n) = std::env::var("QUERY_PATHS_CALLS")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        return n;
    }
    if group.starts_with("bulk_") { 3 } else { 100 }
}

const WARM_UP_CALLS: u64 = 20;

/// Whether `QUERY_PATHS_ONLY` (when set) selects this path.
fn wanted(group: &str, function: &str) -> bool {
    std::env::var("QUERY_PATHS_ONLY")
        .map(|only| format!("{group}/{function}").contains(&only))
        .unwrap_or(true)
}

fn configure<'a>(c: &'a mut Criterion, group: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(group);
    if group.starts_with("bulk_") {
        g.sample_size(10).measurement_time(Duration::from_secs(8));
    } else {
        g.sample_size(20).measurement_time(Duration::from_secs(3));
    }
    g.warm_up_time(Duration::from_millis(500));
    g
}

impl<'c> Paths<'c> {
    /// Instruction mode, writing one label line per measured path to `labels`.
    pub fn instructions(labels: &std::ffi::OsStr) -> Paths<'static> {
        Paths::Instructions(File::create(labels).expect("labels file"))
    }

    /// Split mode against the local `server`, writing one line per measured path to `out`.
    pub fn split(out: &std::ffi::OsStr, server: Server) -> Paths<'static> {
        Paths::Split(File::create(out).expect("split file"), server)
    }

    /// Measures `routine`, a whole operation, as path `group/function`.
    pub fn path<R>(&mut self, group: &str, function: &str, mut routine: impl FnMut() -> R) {
        if !wanted(group, function) {
            return;
        }
        match self {
            Paths::Wall(c) => {
                settle();
                let mut g = configure(c, group);
                g.bench_function(function, |b| b.iter(&mut routine));
                g.finish();
            }
            Paths::Instructions(_) | Paths::Split(..) => {
                self.path_with_setup(group, function, || (), |()| routine())
            }
        }
    }

    /// Measures `routine` with an input made by `setup`, which is not measured.
    pub fn path_with_setup<S, R>(
        &mut self,
        group: &str,
        function: &str,
        mut setup: impl FnMut() -> S,
        mut routine: impl FnMut(S) -> R,
    ) {
        if !wanted(group, function) {
            return;
        }
        settle();
        if !matches!(self, Paths::Wall(_)) {
            for _ in 0..WARM_UP_CALLS.min(calls(group)) {
                black_box(routine(setup()));
            }
        }
        match self {
            Paths::Wall(c) => {
                let mut g = configure(c, group);
                g.bench_function(function, |b| {
                    b.iter_batched(&mut setup, &mut routine, BatchSize::PerIteration)
                });
                g.finish();
            }
            Paths::Instructions(labels) => {
                let n = calls(group);
                for _ in 0..n {
                    let mut input = Some(setup());
                    csdb_measured(&mut || {
                        black_box(routine(input.take().expect("one input a call")));
                    });
                }
                let label = format!("{group}/{function}");
                csdb_path_done(&label);
                writeln!(labels, "{label} {n}").expect("labels file");
            }
            Paths::Split(out, server) => {
                let mut split = Split::default();
                for _ in 0..calls(group) {
                    let input = setup();
                    split.measure(server, || {
                        black_box(routine(input));
                    });
                }
                let line = split.line(&format!("{group}/{function}"));
                writeln!(out, "{line}").expect("split file");
            }
        }
    }
}

thread_local! {
    static SETTLE: std::cell::RefCell<Option<Box<dyn FnMut()>>> = const { std::cell::RefCell::new(None) };
}

/// Sets what runs before every path is measured, in every mode: waiting for the server to
/// finish the background work the previous path (or the dataset) left it, so no path starts
/// while the server is still flushing another's pages.
pub fn set_settle(settle: impl FnMut() + 'static) {
    SETTLE.with(|s| *s.borrow_mut() = Some(Box::new(settle)));
}

fn settle() {
    SETTLE.with(|s| {
        if let Some(settle) = s.borrow_mut().as_mut() {
            settle();
        }
    });
}
