//! `cloudstack-db usage`: run the usage job for a period, with a progress display.

use std::io::IsTerminal;
use std::process::ExitCode;

use chrono::Duration;
use indicatif::{ProgressBar, ProgressStyle};

use cloudstack_db::usage::{
    AggregationOptions, AggregationOutcome, AggregationProgress, NOT_RECOMPUTABLE, UsagePeriod,
    aggregate, catch_up_period, hand_over, verify,
};
use cloudstack_db::{Database, Result};

/// What `cloudstack-db usage` was asked.
#[derive(clap::Args, Debug)]
pub(super) struct UsageArgs {
    #[command(flatten)]
    databases: super::DatabaseArgs,
    /// First day (YYYY-MM-DD) or UTC instant (YYYY-MM-DD HH:MM:SS) to bill from when no run
    /// ever succeeded (afterwards every run starts where the last successful one ended, as
    /// CloudStack's does); with --end. Default: CloudStack's nominal window for the range
    /// (the last full UTC day for 1440, the last full hour for 60).
    #[arg(long, requires = "end")]
    start: Option<String>,
    /// Last day (included) or UTC instant (its whole second included) to aggregate.
    #[arg(long, requires = "start")]
    end: Option<String>,
    /// Length of the windows the period is cut into, in minutes (CloudStack's
    /// usage.stats.job.aggregation.range).
    #[arg(long, default_value_t = 1440, value_parser = clap::value_parser!(u32).range(1..))]
    range_minutes: u32,
    /// Aggregate from the end of the last successful run (or today's midnight, UTC) up to
    /// the last whole second, as CloudStack's recurring job does.
    #[arg(long, conflicts_with_all = ["start", "end"])]
    until_now: bool,
    /// Events applied per transaction.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u32).range(1..))]
    batch_size: u32,
    /// After the run, let the next usage server (a Java one, or another runner) take the job
    /// over at once instead of after five minutes without a heartbeat.
    #[arg(long)]
    hand_over: bool,
    /// Write nothing: recompute the period from --start to --end (windows of --range-minutes)
    /// and list every difference with the records already in cloud_usage, by account, type
    /// and resource. Exits 1 when there is one.
    #[arg(long, requires_all = ["start", "end"], conflicts_with = "hand_over")]
    verify: bool,
}

pub(super) fn run(args: &UsageArgs) -> Result<ExitCode> {
    let db = Database::connect(&args.databases.config()?)?;
    let now = chrono::Utc::now();
    let range = Duration::minutes(i64::from(args.range_minutes));
    let period = match (&args.start, &args.end) {
        (Some(start), Some(end)) => UsagePeriod::parse(start, end)?,
        _ if args.until_now => match db.usage().run(|conn| catch_up_period(conn, now))? {
            Some(period) => period,
            None => {
                println!("nothing to aggregate: the last run ended less than a second ago");
                return Ok(ExitCode::SUCCESS);
            }
        },
        _ => UsagePeriod::nominal(now, range),
    };
    if args.verify {
        return check(&db, period, range);
    }
    let options = AggregationOptions {
        period,
        range,
        batch_size: args.batch_size as usize,
        ..AggregationOptions::for_period(period)
    };
    println!("usage period up to: {period}");
    let mut display = Display::new(std::io::stderr().is_terminal());
    let report = aggregate(&db, &options, &mut |p| display.show(p));
    display.finish();
    if args.hand_over {
        let rows = db.usage().run(|conn| hand_over(conn, &options.runner))?;
        println!("handed the usage job over ({rows} open row(s) marked stale)");
    }
    let report = report?;
    match &report.outcome {
        AggregationOutcome::UpToDate { billed_through } => {
            println!("already billed up to {billed_through}: nothing to do");
        }
        AggregationOutcome::NotOwner(owner) => {
            println!(
                "usage_job {} belongs to {} (pid {}), heartbeat {}: not running",
                owner.job.get(),
                owner.host.as_deref().unwrap_or("?"),
                owner
                    .pid
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "?".into()),
                owner.heartbeat
            );
        }
        AggregationOutcome::Aggregated(job) => {
            let billed = report.period.map(|p| p.to_string()).unwrap_or_default();
            println!(
                "usage_job {} billed {billed}: {} events copied, {} applied, {} ignored; {} window(s), {} record(s) in {:.1}s",
                job.get(),
                report.events_copied,
                report.events.applied,
                report.events.ignored,
                report.windows,
                report.records_written,
                report.elapsed.as_secs_f64()
            );
            let seconds = report.elapsed.as_secs_f64().max(1e-3);
            let events = report.events.applied + report.events.ignored;
            println!("{:.0} events/s", events as f64 / seconds);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--verify`: the differences, one per line, and a summary.
fn check(db: &Database, period: UsagePeriod, range: Duration) -> Result<ExitCode> {
    let report = verify(db, period, range)?;
    for difference in &report.differences {
        println!("{difference}");
    }
    let left_out: Vec<&str> = NOT_RECOMPUTABLE.iter().map(|t| t.name()).collect();
    println!(
        "verified {period} in {} window(s): {} record(s) recomputed, {} found, {} difference(s) \
         (not recomputed: {})",
        report.windows,
        report.expected,
        report.found,
        report.differences.len(),
        left_out.join(", ")
    );
    Ok(if report.differences.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// One progress bar per phase (copy, helper tables, records) on a terminal; plain lines
/// otherwise (one per committed batch and per window).
struct Display {
    terminal: bool,
    bar: Option<ProgressBar>,
    total: u64,
    done: u64,
}

impl Display {
    fn new(terminal: bool) -> Self {
        Self {
            terminal,
            bar: None,
            total: 0,
            done: 0,
        }
    }

    /// Ends the running phase's bar and starts one for `what` (`total` steps of `unit`).
    fn phase(&mut self, what: &str, total: u64, unit: &str) {
        self.finish();
        self.total = total;
        self.done = 0;
        if !self.terminal {
            return;
        }
        let bar = ProgressBar::new(total);
        let template = format!(
            "{{spinner}} {what:<16} {{bar:40}} {{pos}}/{{len}} {unit} ({{per_sec}}, {{eta}}) {{msg}}"
        );
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        self.bar = Some(bar);
    }

    fn show(&mut self, progress: AggregationProgress) {
        match progress {
            AggregationProgress::Copying { total } => {
                self.phase("copying events", total, "events");
                if !self.terminal {
                    println!("copying {total} event(s) from cloud");
                }
            }
            AggregationProgress::Copied(n) => {
                self.done += n;
                match &self.bar {
                    Some(bar) => bar.inc(n),
                    None => println!("copied {} of {} events", self.done, self.total),
                }
            }
            AggregationProgress::Applying { total } => {
                self.phase("helper tables", total, "events");
                if !self.terminal {
                    println!("applying {total} pending event(s)");
                }
            }
            AggregationProgress::Applied(batch) => {
                let n = batch.applied + batch.ignored;
                self.done += n;
                match &self.bar {
                    Some(bar) => bar.inc(n),
                    None => println!("applied {} of {} events", self.done, self.total),
                }
            }
            AggregationProgress::Window { index, windows } => {
                if index == 1 {
                    self.phase("records", windows as u64, "windows");
                }
                match &self.bar {
                    Some(bar) => bar.set_position(index as u64 - 1),
                    None => println!("writing records of window {index} of {windows}"),
                }
            }
            AggregationProgress::Recorded(n) => {
                self.done += n;
                if let Some(bar) = &self.bar {
                    bar.set_message(format!("{} records", self.done));
                }
            }
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
