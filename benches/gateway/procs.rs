//! The child processes the benchmark measures: the gateway (`hostplane serve`, so its RSS is its own),
//! nginx as the plain reverse proxy floor, and the stack floor (`floor.rs`, this bench binary run
//! again). Each gets a scratch directory, a free loopback port and its own log files there, and is
//! killed when its handle is dropped.

use std::{
    fmt::Write as _,
    net::{SocketAddr, TcpListener},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// A scratch directory removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(label: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("hostplane-bench-{label}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("create a scratch directory");
        Scratch(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A loopback port nothing listens on right now (bound to port 0, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a loopback port")
        .port()
}

/// Raises the soft open-file limit to the hard one, so 10,000 sockets fit in this process and in the
/// children it spawns afterwards (they inherit it). Returns the soft limit now in force.
pub fn raise_fd_limit() -> u64 {
    // SAFETY: getrlimit/setrlimit only read and write the struct passed to them.
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 0;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim = raised;
            }
        }
        lim.rlim_cur
    }
}

/// Resident and peak resident memory of a process, in bytes (`VmRSS`, `VmHWM`).
pub fn memory(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|kb| kb.parse::<u64>().ok())
            .map(|kb| kb * 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// CPU time (user + system) a process has used so far.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start at the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Some(Duration::from_micros((utime + stime) * 1_000_000 / ticks))
}

/// A child process killed (and reaped) when dropped.
pub struct ChildGuard {
    pub child: Child,
    pub addr: SocketAddr,
    pub log: PathBuf,
}

impl ChildGuard {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The last lines of the child's log, for a failure message.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for ChildGuard {
    /// SIGTERM first (an nginx master stops its workers on it; a SIGKILLed one would orphan them),
    /// SIGKILL after 5 s.
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: signals only the child this guard spawned and has not yet reaped.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Spawns `command` as `what`, to listen on loopback `port` and log to `log`, and waits until it does.
fn spawn_listening(
    command: &mut Command,
    what: &str,
    port: u16,
    log: PathBuf,
) -> Result<ChildGuard, String> {
    let child = command
        .spawn()
        .map_err(|e| format!("start {what} ({}): {e}", command.get_program().display()))?;
    let mut guard = ChildGuard {
        child,
        addr: ([127, 0, 0, 1], port).into(),
        log,
    };
    wait_listening(&mut guard, what)?;
    Ok(guard)
}

/// Waits until `addr` accepts TCP connections, or the child exits, or 30 s pass.
fn wait_listening(guard: &mut ChildGuard, what: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if std::net::TcpStream::connect_timeout(&guard.addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = guard.child.try_wait() {
            return Err(format!("{what} exited ({status}):\n{}", guard.log_tail()));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{what} did not listen on {} within 30 s:\n{}",
                guard.addr,
                guard.log_tail()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One upstream connection the gateway is configured with.
pub struct Upstream<'a> {
    pub name: &'a str,
    pub provider: &'a str,
    pub base_url: String,
    /// `token = "..."` or `key = "...", secret = "..."`.
    pub credentials: Vec<(&'a str, &'a str)>,
}

/// The gateway settings the benchmark sets; everything else is the default configuration.
pub struct GatewaySettings<'a> {
    pub secret: &'a str,
    pub poll_interval_ms: u64,
    pub log_filter: &'a str,
    /// Runtime worker threads (`TOKIO_WORKER_THREADS`); one per core when `None`.
    pub workers: Option<usize>,
    pub connections: Vec<Upstream<'a>>,
}

/// Starts `hostplane serve` on a free loopback port with a config file and SQLite in `dir`.
pub fn start_gateway(
    binary: &Path,
    dir: &Scratch,
    settings: &GatewaySettings,
) -> Result<ChildGuard, String> {
    let port = free_port();
    let mut toml = format!(
        "listen = \"127.0.0.1:{port}\"\ndatabase_url = \"sqlite://{}?mode=rwc\"\n\n[auth]\nhs256_secret = \"{}\"\n\n\
         [tasks]\npoll_interval_ms = {}\n\n[log]\nfilter = \"{}\"\n",
        dir.path("gateway.db").display(),
        settings.secret,
        settings.poll_interval_ms,
        settings.log_filter,
    );
    for c in &settings.connections {
        let credentials: Vec<String> = c
            .credentials
            .iter()
            .map(|(k, v)| format!("{k} = \"{v}\""))
            .collect();
        let _ = write!(
            toml,
            "\n[[connections]]\nname = \"{}\"\nprovider = \"{}\"\nbase_url = \"{}\"\ncredentials = {{ {} }}\n",
            c.name,
            c.provider,
            c.base_url,
            credentials.join(", ")
        );
    }
    let config = dir.path("hostplane.toml");
    std::fs::write(&config, toml).map_err(|e| format!("write the gateway config: {e}"))?;
    let log = dir.path("gateway.log");
    let out = std::fs::File::create(&log).map_err(|e| format!("create the gateway log: {e}"))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let mut command = Command::new(binary);
    command
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    // The config file is the whole configuration: no stray HOSTPLANE_* or DATABASE_URL from the shell.
    for (key, _) in std::env::vars() {
        if key.starts_with("HOSTPLANE_")
            || key == "DATABASE_URL"
            || key == "RUST_LOG"
            || key == "TOKIO_WORKER_THREADS"
        {
            command.env_remove(key);
        }
    }
    if let Some(n) = settings.workers {
        command.env("TOKIO_WORKER_THREADS", n.to_string());
    }
    spawn_listening(&mut command, "the gateway", port, log)
}

/// Starts `hostplane demo` (the gateway with its simulators in one process) on a free loopback
/// port, signing with `secret` and keeping its SQLite file in `dir` (`demo.db`).
pub fn start_demo(binary: &Path, dir: &Scratch, secret: &str) -> Result<ChildGuard, String> {
    let port = free_port();
    let config = dir.path("demo.toml");
    std::fs::write(
        &config,
        format!("[auth]\nhs256_secret = \"{secret}\"\n\n[log]\nfilter = \"warn\"\n"),
    )
    .map_err(|e| format!("write the demo config: {e}"))?;
    let log = dir.path("demo.log");
    let out = std::fs::File::create(&log).map_err(|e| format!("create the demo log: {e}"))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let mut command = Command::new(binary);
    command
        .arg("demo")
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--config")
        .arg(&config)
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", dir.path("demo.db").display()),
        )
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    for (key, _) in std::env::vars() {
        if key.starts_with("HOSTPLANE_") || key == "RUST_LOG" || key == "TOKIO_WORKER_THREADS" {
            command.env_remove(key);
        }
    }
    spawn_listening(&mut command, "demo", port, log)
}

/// The nginx binary, if Debian's package (or any nginx on PATH) is installed.
pub fn find_nginx() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> =
        vec!["/usr/sbin/nginx".into(), "/usr/local/sbin/nginx".into()];
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|p| p.join("nginx")));
    }
    candidates.into_iter().find(|p| p.is_file())
}

/// Starts nginx in the foreground as a plain keep-alive reverse proxy to `upstream`, with as many
/// workers as the gateway has runtime threads (one per core).
pub fn start_nginx(
    binary: &Path,
    dir: &Scratch,
    upstream: SocketAddr,
) -> Result<ChildGuard, String> {
    let port = free_port();
    for sub in ["tmp", "logs"] {
        std::fs::create_dir_all(dir.path(sub)).map_err(|e| e.to_string())?;
    }
    let conf = format!(
        "daemon off;\nmaster_process on;\nworker_processes auto;\npid {pid};\nerror_log {err} warn;\n\
         events {{ worker_connections 4096; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {tmp}/body;\n  proxy_temp_path {tmp}/proxy;\n  \
         fastcgi_temp_path {tmp}/fastcgi;\n  uwsgi_temp_path {tmp}/uwsgi;\n  scgi_temp_path {tmp}/scgi;\n  \
         keepalive_requests 1000000;\n\
         upstream simulator {{ server {upstream}; keepalive 64; keepalive_requests 1000000; }}\n  \
         server {{\n    listen 127.0.0.1:{port};\n    location / {{\n      proxy_pass http://simulator;\n      \
         proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n    }}\n  }}\n}}\n",
        pid = dir.path("nginx.pid").display(),
        err = dir.path("logs/error.log").display(),
        tmp = dir.path("tmp").display(),
    );
    let conf_path = dir.path("nginx.conf");
    std::fs::write(&conf_path, conf).map_err(|e| format!("write nginx.conf: {e}"))?;
    let log = dir.path("logs/error.log");
    let mut command = Command::new(binary);
    command
        .arg("-p")
        .arg(&dir.0)
        .arg("-c")
        .arg(&conf_path)
        .arg("-e")
        .arg(&log)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    spawn_listening(&mut command, "nginx", port, log)
}

/// Starts this bench binary again as the stack floor (`floor.rs`), forwarding to `upstream`.
pub fn start_floor(dir: &Scratch, upstream: SocketAddr) -> Result<ChildGuard, String> {
    let port = free_port();
    let binary = std::env::current_exe().map_err(|e| format!("the bench binary: {e}"))?;
    let log = dir.path("floor.log");
    let out = std::fs::File::create(&log).map_err(|e| format!("create the floor log: {e}"))?;
    let mut command = Command::new(&binary);
    command
        .arg(crate::floor::FLAG)
        .arg(upstream.to_string())
        .arg(port.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(out);
    spawn_listening(&mut command, "the stack floor", port, log)
}
