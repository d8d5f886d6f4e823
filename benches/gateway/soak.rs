//! The soak: a process (the gateway, or `demo` with its simulators) under the REST path and GraphQL
//! for minutes at a stretch, with nothing scraping `/metrics`, while subscribers come and go over
//! WebSocket and Server-Sent Events (subscribe, receive the first result, drop). It reports what
//! would show a leak: the process's RSS slope after warm-up, its open file descriptors before and
//! after, and how much its database grew.

use crate::{fanout, load, load::Call};
use std::{
    net::SocketAddr,
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

/// Subscribers coming and going at once, per transport.
pub const CHURNERS: usize = 4;

/// What is soaked.
pub struct Target<'a> {
    pub name: &'static str,
    pub pid: u32,
    pub addr: SocketAddr,
    /// The SQLite file (its `-wal` and `-shm` count too).
    pub database: PathBuf,
    pub rest: &'a Call,
    pub graphql: &'a Call,
    pub bearer: &'a str,
    /// A task whose `taskUpdated` the churning subscribers open.
    pub task_id: &'a str,
}

pub struct Soak {
    pub name: &'static str,
    pub duration: Duration,
    pub requests: u64,
    pub request_errors: u64,
    pub churned: u64,
    pub churn_errors: u64,
    /// KiB per minute, least squares over the samples after warm-up.
    pub slope: f64,
    pub rss_start: u64,
    pub rss_end: u64,
    /// Open descriptors after warm-up and at the end of the load, both under load.
    pub fds_start: usize,
    pub fds_end: usize,
    /// Once the load has stopped (the gateway's upstream pools may still be open).
    pub fds_after: usize,
    /// RSS at the start of each minute, in bytes.
    pub by_minute: Vec<u64>,
    pub db_start: u64,
    pub db_end: u64,
}

/// Soaks `target` for `duration` at `conns` connections (half REST, half GraphQL), stopping the
/// churn once `churn_goal` subscribers have come and gone.
pub async fn run(target: &Target<'_>, duration: Duration, conns: usize, churn_goal: u64) -> Soak {
    let db_start = database_size(&target.database);
    let started = Instant::now();
    let until = started + duration;
    // RSS and open descriptors every 5 s; the first fifth of the run (at most two minutes) is
    // warm-up, after which the gateway's upstream pools and the clients' connections are all open.
    let warmup = (duration / 5).min(Duration::from_secs(120));
    let sampler = {
        let pid = target.pid;
        tokio::spawn(async move {
            let mut samples = Vec::new();
            while Instant::now() < until {
                let at = started.elapsed();
                if let Some((rss, _)) = crate::procs::memory(pid) {
                    samples.push((at, rss, fds(pid)));
                }
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
            samples
        })
    };
    let churned = Arc::new(AtomicU64::new(0));
    let churn_errors = Arc::new(AtomicU64::new(0));
    let mut churners = Vec::new();
    for i in 0..CHURNERS * 2 {
        let (churned, churn_errors) = (churned.clone(), churn_errors.clone());
        let (addr, bearer, task) = (
            target.addr,
            target.bearer.to_string(),
            target.task_id.to_string(),
        );
        churners.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            while Instant::now() < until && churned.load(Ordering::Relaxed) < churn_goal {
                let done = if i % 2 == 0 {
                    fanout::churn_ws(addr, &bearer, &task).await
                } else {
                    fanout::churn_sse(&client, addr, &bearer, &task).await
                };
                match done {
                    Ok(()) => churned.fetch_add(1, Ordering::Relaxed),
                    Err(_) => churn_errors.fetch_add(1, Ordering::Relaxed),
                };
            }
        }));
    }
    let rest = load::sustain(target.rest, conns / 2, until);
    let graphql = load::sustain(target.graphql, conns - conns / 2, until);
    let ((rest_ok, rest_errors), (gql_ok, gql_errors)) = tokio::join!(rest, graphql);
    for churner in churners {
        let _ = churner.await;
    }
    let samples = sampler.await.unwrap_or_default();
    // Let the process notice the last closed sockets.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let steady: Vec<_> = samples.iter().filter(|(at, ..)| *at >= warmup).collect();
    let after: Vec<(f64, f64)> = steady
        .iter()
        .map(|(at, rss, _)| (at.as_secs_f64() / 60.0, *rss as f64 / 1024.0))
        .collect();
    Soak {
        name: target.name,
        duration,
        requests: rest_ok + gql_ok,
        request_errors: rest_errors + gql_errors,
        churned: churned.load(Ordering::Relaxed),
        churn_errors: churn_errors.load(Ordering::Relaxed),
        slope: slope(&after),
        rss_start: after.first().map_or(0, |(_, kib)| (*kib * 1024.0) as u64),
        rss_end: steady.last().map_or(0, |(_, rss, _)| *rss),
        fds_start: steady.first().map_or(0, |(.., fds)| *fds),
        fds_end: steady.last().map_or(0, |(.., fds)| *fds),
        fds_after: fds(target.pid),
        by_minute: samples
            .iter()
            .filter(|(at, ..)| at.as_secs() % 60 < 5)
            .map(|(_, rss, _)| *rss)
            .collect(),
        db_start,
        db_end: database_size(&target.database),
    }
}

/// The least-squares slope of `points` (y per x).
fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    if n < 2.0 {
        return 0.0;
    }
    let (sx, sy) = points
        .iter()
        .fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x, sy + y));
    let (mx, my) = (sx / n, sy / n);
    let (num, den) = points.iter().fold((0.0, 0.0), |(num, den), (x, y)| {
        (num + (x - mx) * (y - my), den + (x - mx) * (x - mx))
    });
    if den == 0.0 { 0.0 } else { num / den }
}

/// Open file descriptors of a process.
fn fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

/// A SQLite database's bytes, its write-ahead log and shared memory included.
fn database_size(file: &std::path::Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| {
            let mut name = file.as_os_str().to_owned();
            name.push(suffix);
            std::fs::metadata(PathBuf::from(name)).ok()
        })
        .map(|m| m.len())
        .sum()
}
