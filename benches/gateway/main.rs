//! The gateway benchmark (`cargo bench --bench gateway`): one run on loopback that prints, as markdown,
//!
//! - a REST call straight to the HosterAPI simulator, through nginx (a plain `proxy_pass`, the floor),
//!   through the gateway's HTTP stack doing nothing but forwarding (`floor.rs`, the stack floor),
//!   through the gateway's REST path and through GraphQL (the same upstream call), at one connection
//!   (added latency) and at many (throughput);
//! - the unified `sites` + `servers` query over every connection;
//! - subscription fan-out: 1,000 and 10,000 subscribers on one task's `taskUpdated`, over WebSocket
//!   and over Server-Sent Events, with delivery latency, the gateway's RSS and the upstream polls the
//!   task cost;
//! - the soak (`soak.rs`): the gateway, then `demo` with its simulators, under the REST path and
//!   GraphQL for ten minutes each while subscribers come and go, with their RSS slope, open file
//!   descriptors and database growth;
//!
//! then the targets with PASS or MISS. The gateway runs as its own process (the `hostplane` binary
//! Cargo builds for this bench, `hostplane serve` with a config file and SQLite in a scratch
//! directory) so its RSS is its own; the simulators and the load generator run here. nginx is
//! Debian's (`apt-get install nginx`); without it that row is skipped.
//!
//! Knobs (environment): `BENCH_SECONDS` (measured seconds per row, 5), `BENCH_WARMUP` (seconds, 1),
//! `BENCH_CONNS` (connections of the throughput rows, 32), `BENCH_SUBSCRIBERS` (WebSocket
//! subscribers, `1000,10000`), `BENCH_SSE_SUBSCRIBERS` (event-stream subscribers, `1000,10000`),
//! `BENCH_TASK_SECONDS` (the fanned-out task's duration, 10), `BENCH_POLL_MS` (the gateway's task
//! poll interval, 500), `BENCH_ROWS` (which request rows: `direct,nginx,floor,rest,graphql,unified`),
//! `BENCH_GATEWAY_LOG` (the gateway's log filter, `info` as by default), `BENCH_GATEWAY_WORKERS`
//! (the gateway's runtime threads, one per core by default), `BENCH_SOAK_MINUTES` (each soak's
//! length, 10; 0 skips them), `BENCH_SOAK` (which: `gateway,demo`), `BENCH_SOAK_CHURN` (subscribers
//! that come and go in each, 100000).

mod fanout;
mod floor;
mod load;
mod procs;
mod soak;

use hostplane::auth::TokenMinter;
use hostplane_schema::principal::Scope;
use hostplane_simulators::{hosterapi, orchestrix, patchstack, wpcs};
use load::{Call, Sample};
use procs::{ChildGuard, GatewaySettings, Scratch, Upstream};
use secrecy::SecretString;
use serde_json::Value;
use std::{
    fmt::Write as _,
    path::Path,
    process::ExitCode,
    time::{Duration, Instant},
};

const SECRET: &str = "bench-signing-secret-0123456789abcdef";
const HOSTER: &str = "hoster";
/// A second HosterAPI account, only for the fanned-out tasks, so its request log holds their polls.
const TASKS: &str = "tasks";
const STATUS_PATH: &str = "/api/v1/datacenter/server/4001/status";
const STATUS_QUERY: &str = "{ hosterapiServerStatus(connection: \"hoster\", sid: 4001) { state cpu mem memfree netin netout uptime } }";
const UNIFIED_QUERY: &str = "{ sites { totalCount nodes { domain provider } } servers { totalCount nodes { id kind state } } }";
const MIB: f64 = 1024.0 * 1024.0;
const FLOOR: &str = "stack floor: axum + reqwest, forwarding only";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

fn pass(ok: bool) -> &'static str {
    if ok { "PASS" } else { "MISS" }
}

/// One row of the request table.
struct Row {
    name: &'static str,
    conns: usize,
    sample: Sample,
    /// CPU the process in the middle (nginx or the gateway) spent per measured request.
    proxy_cpu_per_req: Option<Duration>,
}

/// CPU time of a process and its direct children (nginx's workers).
fn tree_cpu(pid: u32) -> Duration {
    let mut total = procs::cpu_time(pid).unwrap_or_default();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let Some(child) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            let parent = std::fs::read_to_string(format!("/proc/{child}/stat"))
                .ok()
                .and_then(|s| {
                    let rest = s[s.rfind(')')? + 2..].to_string();
                    rest.split_whitespace().nth(1)?.parse::<u32>().ok()
                });
            if parent == Some(pid) {
                total += procs::cpu_time(child).unwrap_or_default();
            }
        }
    }
    total
}

struct Bench {
    warmup: Duration,
    window: Duration,
}

impl Bench {
    async fn row(
        &self,
        name: &'static str,
        call: &Call,
        conns: usize,
        proxy: Option<&ChildGuard>,
    ) -> Row {
        eprintln!("  {name}, {conns} connection(s) ...");
        let cpu_before = proxy.map(|p| tree_cpu(p.pid()));
        let started = Instant::now();
        let sample = load::run(call, conns, self.warmup, self.window).await;
        let elapsed = started.elapsed();
        // The warm-up's CPU is taken out in proportion to its share of the run.
        let proxy_cpu_per_req = match (proxy, cpu_before) {
            (Some(p), Some(before)) if sample.ok > 0 => {
                let used = tree_cpu(p.pid()).saturating_sub(before);
                let share = self.window.as_secs_f64() / elapsed.as_secs_f64();
                Some(used.mul_f64(share) / sample.ok as u32)
            }
            _ => None,
        };
        Row {
            name,
            conns,
            sample,
            proxy_cpu_per_req,
        }
    }
}

/// Sends `call` once and checks it answers 2xx with no GraphQL `errors`; returns the body.
async fn check(name: &str, call: &Call) -> Result<Value, String> {
    let (status, body) = load::probe(call).await?;
    let text = String::from_utf8_lossy(&body);
    let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if !status.is_success() || json.get("errors").is_some() {
        return Err(format!("{name} answered {status}: {text}"));
    }
    Ok(json)
}

/// One fan-out run's figures.
struct FanoutRow {
    transport: fanout::Transport,
    subscribers: usize,
    connect_time: Duration,
    result: fanout::Fanout,
    rss_before: u64,
    /// With every socket open and initialised, before any subscription.
    rss_connected: u64,
    rss_peak: u64,
    polls: usize,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == floor::FLAG) {
        return match floor::main(&args[at + 1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("stack floor: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the bench's runtime starts");
    match runtime.block_on(run()) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gateway bench: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<String, String> {
    let bench = Bench {
        warmup: Duration::from_secs_f64(env_or("BENCH_WARMUP", 1.0)),
        window: Duration::from_secs_f64(env_or("BENCH_SECONDS", 5.0)),
    };
    let conns: usize = env_or("BENCH_CONNS", 32);
    let task_duration = Duration::from_secs_f64(env_or("BENCH_TASK_SECONDS", 10.0));
    let poll_ms: u64 = env_or("BENCH_POLL_MS", 500);
    let counts = |var: &str| -> Vec<usize> {
        std::env::var(var)
            .unwrap_or_else(|_| "1000,10000".into())
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect()
    };
    let fanout_plan: Vec<(fanout::Transport, usize)> = (counts("BENCH_SUBSCRIBERS").into_iter())
        .map(|n| (fanout::Transport::WebSocket, n))
        .chain(
            counts("BENCH_SSE_SUBSCRIBERS")
                .into_iter()
                .map(|n| (fanout::Transport::Sse, n)),
        )
        .collect();
    let rows_wanted: Vec<String> = std::env::var("BENCH_ROWS")
        .unwrap_or_else(|_| "direct,nginx,floor,rest,graphql,unified".into())
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    let wanted = |key: &str| rows_wanted.iter().any(|r| r == key);
    let log_filter: String = env_or("BENCH_GATEWAY_LOG", "info".to_string());
    let workers: Option<usize> = std::env::var("BENCH_GATEWAY_WORKERS")
        .ok()
        .and_then(|v| v.trim().parse().ok());
    let fd_limit = procs::raise_fd_limit();
    let most = fanout_plan.iter().map(|(_, n)| *n).max().unwrap_or(0);
    if fd_limit < most as u64 + 1024 {
        return Err(format!(
            "the open-file limit is {fd_limit}, too low for {most} subscribers (raise `ulimit -Hn`)"
        ));
    }

    // The upstreams, in this process.
    eprintln!("starting simulators and the gateway ...");
    let hoster_config = hosterapi::SimConfig::default();
    let hoster_token = hoster_config.token.clone();
    let (_, hoster) = hosterapi::Simulator::start(hoster_config)
        .await
        .map_err(|e| format!("HosterAPI simulator: {e}"))?;
    let (_, tasks) = hosterapi::Simulator::start(hosterapi::SimConfig {
        token: hoster_token.clone(),
        job_duration: task_duration,
    })
    .await
    .map_err(|e| format!("HosterAPI simulator: {e}"))?;
    let patch_config = patchstack::SimConfig::default();
    let patch_token = patch_config.token.clone();
    let (_, patch) = patchstack::Simulator::start(patch_config)
        .await
        .map_err(|e| format!("Patchstack simulator: {e}"))?;
    let orch_config = orchestrix::SimConfig::default();
    let orch_token = orch_config.api_token.clone();
    let (_, orch) = orchestrix::Simulator::start(orch_config)
        .await
        .map_err(|e| format!("Orchestrix simulator: {e}"))?;
    let wpcs_config = wpcs::SimConfig::default();
    let (wpcs_key, wpcs_secret) = (wpcs_config.key.clone(), wpcs_config.secret.clone());
    let (_, wpcs) = wpcs::Simulator::start(wpcs_config)
        .await
        .map_err(|e| format!("WPCS simulator: {e}"))?;

    // The gateway, as its own process.
    let binary = Path::new(env!("CARGO_BIN_EXE_hostplane"));
    let scratch = Scratch::new("gateway");
    let gateway = procs::start_gateway(
        binary,
        &scratch,
        &GatewaySettings {
            secret: SECRET,
            poll_interval_ms: poll_ms,
            log_filter: &log_filter,
            workers,
            connections: vec![
                Upstream {
                    name: HOSTER,
                    provider: "hosterapi",
                    base_url: hoster.base_url(),
                    credentials: vec![("token", &hoster_token)],
                },
                Upstream {
                    name: TASKS,
                    provider: "hosterapi",
                    base_url: tasks.base_url(),
                    credentials: vec![("token", &hoster_token)],
                },
                Upstream {
                    name: "patch",
                    provider: "patchstack",
                    base_url: patch.base_url(),
                    credentials: vec![("token", &patch_token)],
                },
                Upstream {
                    name: "orch",
                    provider: "orchestrix",
                    base_url: orch.base_url(),
                    credentials: vec![("token", &orch_token)],
                },
                Upstream {
                    name: "wpcs",
                    provider: "wpcs",
                    base_url: wpcs.base_url(),
                    credentials: vec![("key", &wpcs_key), ("secret", &wpcs_secret)],
                },
            ],
        },
    )?;
    let token = TokenMinter::new("hostplane", "hostplane", &SecretString::from(SECRET)).mint(
        "bench",
        &[Scope::Read, Scope::Write],
        None,
        Duration::from_secs(4 * 3600),
    );
    let bearer = format!("Bearer {token}");

    // nginx, if installed.
    let nginx_scratch = Scratch::new("nginx");
    let nginx = match procs::find_nginx() {
        Some(bin) => match procs::start_nginx(&bin, &nginx_scratch, hoster.addr) {
            Ok(n) => Some(n),
            Err(e) => {
                eprintln!("nginx did not start, its row is skipped: {e}");
                None
            }
        },
        None => {
            eprintln!("nginx is not installed (apt-get install -y nginx); its row is skipped");
            None
        }
    };
    let floor_scratch = Scratch::new("floor");
    let floor = procs::start_floor(&floor_scratch, hoster.addr)?;
    let nginx_note = match &nginx {
        Some(_) => String::new(),
        None => "nginx was not available: its row and ratio are missing.\n".into(),
    };

    // The calls, each checked once before it is loaded.
    let sim_auth = format!("Bearer {hoster_token}");
    let direct = Call::get(hoster.addr, STATUS_PATH, &sim_auth);
    let proxied = nginx
        .as_ref()
        .map(|n| Call::get(n.addr, STATUS_PATH, &sim_auth));
    let floored = Call::get(floor.addr, STATUS_PATH, &sim_auth);
    let rest = Call::get(
        gateway.addr,
        &format!("/rest/{HOSTER}{STATUS_PATH}"),
        &bearer,
    );
    let graphql = Call::graphql(gateway.addr, STATUS_QUERY, &bearer);
    let unified = Call::graphql(gateway.addr, UNIFIED_QUERY, &bearer);
    check("direct", &direct).await?;
    if let Some(p) = &proxied {
        check("nginx", p).await?;
    }
    check("stack floor", &floored).await?;
    check("gateway REST", &rest).await?;
    check("gateway GraphQL", &graphql).await?;
    let unified_body = check("unified query", &unified).await?;
    let unified_sites = unified_body["data"]["sites"]["totalCount"].clone();
    let unified_servers = unified_body["data"]["servers"]["totalCount"].clone();
    let idle_rss = procs::memory(gateway.pid()).map_or(0, |m| m.0);

    // Requests: one connection (added latency), then many (throughput).
    eprintln!(
        "request rows ({}s warm-up, {}s measured each):",
        bench.warmup.as_secs_f64(),
        bench.window.as_secs_f64()
    );
    let mut rows = Vec::new();
    let mut plan: Vec<(&str, &'static str, &Call, Option<&ChildGuard>)> =
        vec![("direct", "direct to the simulator", &direct, None)];
    if let (Some(p), Some(n)) = (&proxied, &nginx) {
        plan.push(("nginx", "nginx proxy_pass", p, Some(n)));
    }
    plan.push(("floor", FLOOR, &floored, Some(&floor)));
    plan.push(("rest", "gateway REST path", &rest, Some(&gateway)));
    plan.push(("graphql", "gateway GraphQL", &graphql, Some(&gateway)));
    plan.push((
        "unified",
        "unified sites + servers",
        &unified,
        Some(&gateway),
    ));
    for c in [1, conns] {
        for (key, name, call, proxy) in &plan {
            if wanted(key) {
                rows.push(bench.row(name, call, c, *proxy).await);
            }
        }
    }
    let find = |name: &str, c: usize| rows.iter().find(|r| r.name == name && r.conns == c);
    let after_requests = procs::memory(gateway.pid()).map_or(0, |m| m.0);

    // Subscription fan-out, one task per transport and subscriber count.
    let poll_path = |sid: u64| format!("/api/v1/datacenter/server/{sid}/backups/status");
    let mut fanouts = Vec::new();
    for (i, &(transport, n)) in fanout_plan.iter().enumerate() {
        let sid = 4001 + i as u64 % 2;
        eprintln!("fan-out: {n} {} subscribers ...", transport.name());
        let rss_before = procs::memory(gateway.pid()).map_or(0, |m| m.0);
        let sampler = fanout::RssSampler::start(gateway.pid());
        let t = Instant::now();
        // An event stream is opened by its subscription, once the task exists.
        let sockets = match transport {
            fanout::Transport::WebSocket => Some(fanout::connect(gateway.addr, &token, n).await?),
            fanout::Transport::Sse => None,
        };
        let connect_time = t.elapsed();
        let rss_connected = procs::memory(gateway.pid()).map_or(0, |m| m.0);
        let polls_before = tasks.log.count("GET", &poll_path(sid));
        let task_id = start_backup(gateway.addr, TASKS, sid, &bearer).await?;
        let timeout = task_duration + Duration::from_secs(120);
        let result = match sockets {
            Some(sockets) => fanout::follow(sockets, &task_id, timeout).await,
            None => fanout::follow_sse(gateway.addr, &token, n, &task_id, timeout).await,
        };
        let rss_peak = sampler.stop().await;
        let polls = tasks.log.count("GET", &poll_path(sid)) - polls_before;
        if !result.errors.is_empty() {
            eprintln!(
                "  subscriber errors ({}): {:?}",
                result.errors.len(),
                &result.errors[..result.errors.len().min(3)]
            );
        }
        fanouts.push(FanoutRow {
            transport,
            subscribers: n,
            connect_time,
            result,
            rss_before,
            rss_connected,
            rss_peak,
            polls,
        });
        // Let the gateway drop the closed sockets before the next run.
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let (_, hwm) = procs::memory(gateway.pid()).unwrap_or((0, 0));
    drop(nginx);
    drop(floor);

    // The soaks: the gateway, then `demo` with its simulators.
    let soak_length = Duration::from_secs_f64(env_or("BENCH_SOAK_MINUTES", 10.0) * 60.0);
    let churn_goal: u64 = env_or("BENCH_SOAK_CHURN", 100_000);
    let soaked: String = env_or("BENCH_SOAK", "gateway,demo".to_string());
    let soaks_wanted =
        |key: &str| !soak_length.is_zero() && soaked.split(',').any(|s| s.trim() == key);
    let mut soaks = Vec::new();
    if soaks_wanted("gateway") {
        eprintln!("soak: the gateway, {:.0} s ...", soak_length.as_secs_f64());
        let task_id = start_backup(gateway.addr, TASKS, 4001, &bearer).await?;
        let target = soak::Target {
            name: "gateway (`serve`)",
            pid: gateway.pid(),
            addr: gateway.addr,
            database: scratch.path("gateway.db"),
            rest: &rest,
            graphql: &graphql,
            bearer: &token,
            task_id: &task_id,
        };
        soaks.push(soak::run(&target, soak_length, conns, churn_goal).await);
    }
    drop(gateway);
    if soaks_wanted("demo") {
        eprintln!("soak: demo, {:.0} s ...", soak_length.as_secs_f64());
        let demo_scratch = Scratch::new("demo");
        let demo = procs::start_demo(binary, &demo_scratch, SECRET)?;
        let demo_rest = Call::get(
            demo.addr,
            &format!("/rest/hosterapi-demo{STATUS_PATH}"),
            &bearer,
        );
        let demo_graphql = Call::graphql(
            demo.addr,
            &STATUS_QUERY.replace("\"hoster\"", "\"hosterapi-demo\""),
            &bearer,
        );
        check("demo REST", &demo_rest).await?;
        check("demo GraphQL", &demo_graphql).await?;
        let task_id = start_backup(demo.addr, "hosterapi-demo", 4001, &bearer).await?;
        let target = soak::Target {
            name: "`demo` with its simulators",
            pid: demo.pid(),
            addr: demo.addr,
            database: demo_scratch.path("demo.db"),
            rest: &demo_rest,
            graphql: &demo_graphql,
            bearer: &token,
            task_id: &task_id,
        };
        soaks.push(soak::run(&target, soak_length, conns, churn_goal).await);
    }

    // The report.
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n### Gateway benchmark\n\n`cargo bench --bench gateway` on {} cores, loopback; load generator, simulators, gateway \
         and nginx share them. {}s measured per row after {}s warm-up; throughput rows use {conns} keep-alive \
         connections. Every call is `GET {STATUS_PATH}` upstream (GraphQL: `hosterapiServerStatus`). \
         \"proxy CPU\" is CPU time of the process in the middle (nginx master and workers, the stack floor, or the gateway) per request. \
         The stack floor is the gateway's own HTTP stack (axum server, the adapters' reqwest transport, tokio with a thread per core) \
         forwarding with no auth, routing table, GraphQL or envelope: the best a gateway on this stack can do here.\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        bench.window.as_secs_f64(),
        bench.warmup.as_secs_f64(),
    );
    out += &nginx_note;
    out += "| path | conns | req/s | p50 ms | p99 ms | vs direct req/s | proxy CPU µs/req | errors |\n";
    out += "|---|---:|---:|---:|---:|---:|---:|---:|\n";
    for r in &rows {
        let base = find("direct to the simulator", r.conns).map_or(0.0, |d| d.sample.throughput());
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} | {} | {} | {:.0}% | {} | {} |",
            r.name,
            r.conns,
            r.sample.throughput(),
            ms(r.sample.quantile(0.50)),
            ms(r.sample.quantile(0.99)),
            100.0 * r.sample.throughput() / base.max(f64::MIN_POSITIVE),
            r.proxy_cpu_per_req
                .map_or("-".into(), |d| format!("{:.0}", d.as_secs_f64() * 1e6)),
            r.sample.errors,
        );
    }
    let _ = writeln!(
        out,
        "\nThe unified query answers {unified_sites} sites and {unified_servers} servers from 5 connections \
         (Orchestrix, WPCS, Patchstack, two HosterAPI), each server's live state read upstream.\n"
    );
    let _ = writeln!(
        out,
        "| transport | subscribers | connected in s | subscribed in s | changes | delivered | delivery p50 ms | delivery p99 ms | max ms | gateway RSS MiB: before → sockets open → peak | KiB per subscriber | upstream polls per task |"
    );
    out += "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    let expected_polls = task_duration.as_millis() as f64 / poll_ms as f64;
    for f in &fanouts {
        let r = &f.result;
        let _ = writeln!(
            out,
            "| {} | {} | {:.1} | {:.1} | {} | {}/{} | {} | {} | {} | {:.0} → {:.0} → {:.0} | {:.0} | {} |",
            f.transport.name(),
            f.subscribers,
            f.connect_time.as_secs_f64(),
            r.subscribe_time.as_secs_f64(),
            r.changes,
            r.delivered,
            r.expected,
            ms(load::quantile(&r.latencies, 0.50)),
            ms(load::quantile(&r.latencies, 0.99)),
            ms(load::quantile(&r.latencies, 1.0)),
            f.rss_before as f64 / MIB,
            f.rss_connected as f64 / MIB,
            f.rss_peak as f64 / MIB,
            f.rss_peak.saturating_sub(f.rss_before) as f64 / 1024.0 / f.subscribers.max(1) as f64,
            f.polls,
        );
    }
    let _ = writeln!(
        out,
        "\nThe task is a HosterAPI VM backup lasting {:.0} s, polled every {poll_ms} ms (≈ {expected_polls:.0} polls). \
         Delivery latency runs from the change's `updatedAt` (stamped when the gateway observed it, before \
         storing it) to its arrival at the subscriber; only changes published after every subscriber was in \
         place count. Gateway RSS: {:.0} MiB idle, {:.0} MiB after the request rows, {:.0} MiB peak (VmHWM).\n",
        task_duration.as_secs_f64(),
        idle_rss as f64 / MIB,
        after_requests as f64 / MIB,
        hwm as f64 / MIB,
    );

    if !soaks.is_empty() {
        out += "| soak | minutes | requests (errors) | subscribers come and gone (errors) | RSS MiB after warm-up → end | RSS slope KiB/min | open fds after warm-up → end → idle | database KiB start → end |\n";
        out += "|---|---:|---:|---:|---:|---:|---:|---:|\n";
        for s in &soaks {
            let _ = writeln!(
                out,
                "| {} | {:.1} | {} ({}) | {} ({}) | {:.0} → {:.0} | {:.0} | {} → {} → {} | {} → {} |",
                s.name,
                s.duration.as_secs_f64() / 60.0,
                s.requests,
                s.request_errors,
                s.churned,
                s.churn_errors,
                s.rss_start as f64 / MIB,
                s.rss_end as f64 / MIB,
                s.slope,
                s.fds_start,
                s.fds_end,
                s.fds_after,
                s.db_start / 1024,
                s.db_end / 1024,
            );
        }
        let _ = writeln!(
            out,
            "\nEach soak runs the REST path and GraphQL at {conns} connections (half each) with nothing \
             scraping `/metrics`, while {} subscribers at a time (half WebSocket, half event streams) open \
             `taskUpdated` of a finished task, read its first result and drop, up to {churn_goal}. The RSS slope \
             is a least-squares fit over samples every 5 s after the first fifth of the run; open descriptors \
             are counted after warm-up and at the end (both under load), then 2 s after the load stopped.\n",
            soak::CHURNERS * 2
        );
        for s in &soaks {
            let minutes: Vec<String> = s
                .by_minute
                .iter()
                .map(|rss| format!("{:.1}", *rss as f64 / MIB))
                .collect();
            let _ = writeln!(
                out,
                "RSS MiB minute by minute, {}: {}",
                s.name,
                minutes.join(", ")
            );
        }
        out += "\n";
    }

    // Targets.
    out += "| target | measured | goal | result |\n|---|---|---|---|\n";
    for s in &soaks {
        // Under 1 MiB per ten minutes.
        let _ = writeln!(
            out,
            "| RSS slope, {} | {:.0} KiB/min | < 102 KiB/min | {} |",
            s.name,
            s.slope,
            pass(s.slope < 102.4),
        );
        let _ = writeln!(
            out,
            "| open file descriptors, {} | {} → {} | flat | {} |",
            s.name,
            s.fds_start,
            s.fds_end,
            pass(s.fds_end <= s.fds_start + 2),
        );
    }
    let p50 = |name: &str| find(name, 1).map(|r| r.sample.quantile(0.50));
    let tput = |name: &str| find(name, conns).map(|r| r.sample.throughput());
    if let Some(d) = p50("direct to the simulator") {
        for name in [
            "nginx proxy_pass",
            FLOOR,
            "gateway REST path",
            "gateway GraphQL",
        ] {
            if let Some(p) = p50(name) {
                let added = p.saturating_sub(d);
                let reference = name == "nginx proxy_pass" || name == FLOOR;
                let goal = if reference { "(a floor)" } else { "< 0.250 ms" };
                let result = if reference {
                    "-"
                } else {
                    pass(added < Duration::from_micros(250))
                };
                let _ = writeln!(
                    out,
                    "| added p50 latency at 1 connection, {name} | {} ms | {goal} | {result} |",
                    ms(added)
                );
            }
        }
    }
    let direct_t = tput("direct to the simulator").unwrap_or(0.0);
    let rest_t = tput("gateway REST path").unwrap_or(0.0);
    let gql_t = tput("gateway GraphQL").unwrap_or(0.0);
    let ceilings: Vec<String> = [("nginx", "nginx proxy_pass"), ("stack floor", FLOOR)]
        .iter()
        .filter_map(|(label, name)| {
            tput(name).map(|t| format!("{label}: {:.0}%", 100.0 * t / direct_t))
        })
        .collect();
    // Rows left out (`BENCH_ROWS`) leave their ratios out.
    if direct_t > 0.0 && rest_t > 0.0 {
        let _ = writeln!(
            out,
            "| REST-path throughput / direct | {:.0}% | ≥ 40%{} | {} |",
            100.0 * rest_t / direct_t,
            if ceilings.is_empty() {
                String::new()
            } else {
                format!(" ({})", ceilings.join(", "))
            },
            pass(rest_t / direct_t >= 0.40),
        );
        let _ = writeln!(
            out,
            "| GraphQL throughput / REST path | {:.0}% | ≥ 80% | {} |",
            100.0 * gql_t / rest_t,
            pass(gql_t / rest_t >= 0.80),
        );
    }
    if !fanouts.is_empty() {
        let polls: Vec<String> = fanouts
            .iter()
            .map(|f| format!("{} ({} {})", f.polls, f.subscribers, f.transport.name()))
            .collect();
        let same = fanouts
            .iter()
            .all(|f| (f.polls as f64 - expected_polls).abs() <= 2.0);
        let _ = writeln!(
            out,
            "| upstream polls per task | {} | one per {poll_ms} ms interval (≈ {expected_polls:.0}) whatever the subscribers | {} |",
            polls.join(", "),
            pass(same),
        );
        let all_delivered = fanouts.iter().all(|f| {
            f.result.delivered == f.result.expected && f.result.completed == f.subscribers
        });
        let delivered: Vec<String> = fanouts
            .iter()
            .map(|f| {
                format!(
                    "{}/{} completed ({})",
                    f.result.completed,
                    f.subscribers,
                    f.transport.name()
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "| every change to every subscriber | {} | all | {} |",
            delivered.join(", "),
            pass(all_delivered)
        );
    }
    if let Some(f) = fanouts
        .iter()
        .find(|f| f.subscribers == 10_000 && f.transport == fanout::Transport::WebSocket)
    {
        let _ = writeln!(
            out,
            "| gateway RSS with 10,000 subscribers | {:.0} MiB | < 256 MiB | {} |",
            f.rss_peak as f64 / MIB,
            pass(f.rss_peak < 256 * 1024 * 1024),
        );
    }
    Ok(out)
}

/// Starts a backup of HosterAPI VM `sid` on `connection` (a task that ends by itself): its ID.
async fn start_backup(
    gateway: std::net::SocketAddr,
    connection: &str,
    sid: u64,
    bearer: &str,
) -> Result<String, String> {
    let mutation = format!(
        "mutation {{ hosterapiCreateServerBackup(connection: \"{connection}\", sid: {sid}) {{ task {{ id }} }} }}"
    );
    let started = check(
        "hosterapiCreateServerBackup",
        &Call::graphql(gateway, &mutation, bearer),
    )
    .await?;
    started["data"]["hosterapiCreateServerBackup"]["task"]["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no task id in {started}"))
}
