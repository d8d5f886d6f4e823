//! The `hostplane` command line: serve, demo, migrate, schema, routes, openapi, token.

use clap::{Parser, Subcommand};
use hostplane::{Gateway, auth::TokenMinter, config::Config, http};
#[cfg(feature = "demo")]
use hostplane::{demo, startup::upsert};
use hostplane_schema::principal::{Binding, Scope};
#[cfg(feature = "demo")]
use secrecy::SecretString;
use std::{path::PathBuf, process::ExitCode, time::Duration};
use tracing_subscriber::EnvFilter;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "hostplane",
    version,
    about = "A GraphQL federation gateway over five WordPress-hosting APIs"
)]
struct Cli {
    /// Configuration file (TOML); `HOSTPLANE_*` variables override it.
    #[arg(long, short, global = true, env = "HOSTPLANE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the gateway.
    Serve,
    /// Run the gateway with everything embedded: SQLite and the built-in simulators (the `demo`
    /// feature, on by default).
    Demo {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Print every REST-compatible route: provider, method, original path, GraphQL field.
    Routes,
    /// Print the OpenAPI 3.1 document of the REST compatibility layer (`{connection}` as a parameter).
    Openapi,
    /// Mint a JWT for local use with the configured HS256 secret.
    Token {
        #[arg(long, default_value = "dev")]
        sub: String,
        /// Comma-separated: read, write, admin.
        #[arg(long, default_value = "read,write")]
        scopes: String,
        /// Limit the token to these connections (comma-separated).
        #[arg(long)]
        connections: Option<String>,
        /// Bind the token to one customer: this PanelAlpha user (with --panelalpha-connection),
        /// whom it then acts as only. A bound token cannot carry the admin scope.
        #[arg(long, requires = "panelalpha_connection")]
        panelalpha_user: Option<String>,
        /// The PanelAlpha connection of --panelalpha-user.
        #[arg(long, requires = "panelalpha_user")]
        panelalpha_connection: Option<String>,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl: u64,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hostplane: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(config: &Config) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.log.filter));
    // Logs go to stderr so that stdout carries only what the command prints (URLs, tokens, SDL);
    // colour codes only where a terminal shows them, not in a file or a log collector.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    if config.log.format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

/// Serves until SIGINT/SIGTERM, then drains for up to 10 seconds (open WebSockets are closed with
/// 1001 at once) and returns.
async fn serve_until_signal(
    listener: tokio::net::TcpListener,
    state: http::AppState,
) -> Result<(), String> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = tx.send(true);
    });
    let mut graceful_rx = rx.clone();
    let mut deadline_rx = rx;
    let graceful = http::serve(listener, state, async move {
        let _ = graceful_rx.wait_for(|stop| *stop).await;
    });
    tokio::select! {
        served = graceful => served.map_err(|e| e.to_string()),
        _ = async move {
            let _ = deadline_rx.wait_for(|stop| *stop).await;
            tokio::time::sleep(Duration::from_secs(10)).await;
        } => {
            tracing::warn!("connections still open after 10 s; stopping anyway");
            Ok(())
        }
    }
}

fn parse_scopes(list: &str) -> Result<Vec<Scope>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Scope::parse(s).ok_or_else(|| format!("unknown scope `{s}` (read, write, admin)")))
        .collect()
}

fn minter(config: &Config) -> Result<TokenMinter, String> {
    let secret = config
        .auth
        .hs256_secret
        .as_ref()
        .ok_or("`token` needs auth.hs256_secret (HOSTPLANE_AUTH__HS256_SECRET)")?;
    Ok(TokenMinter::new(
        &config.auth.issuer,
        &config.auth.audience,
        secret,
    ))
}

/// Writes to stdout; a closed pipe (`hostplane routes | head`) is not an error.
fn write_out(text: &str) -> Result<(), String> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.to_string()),
        _ => Ok(()),
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Schema => {
            let sdl = hostplane_resolvers::build_schema(None, &Default::default()).sdl();
            write_out(&sdl)
        }
        Command::Routes => {
            let mut table = String::from("provider\tmethod\tpath\tgraphql_field\n");
            for e in hostplane_resolvers::endpoints() {
                table += &format!(
                    "{}\t{}\t{}\t{}\n",
                    e.provider,
                    e.method.as_str(),
                    e.path,
                    e.field()
                );
            }
            write_out(&table)
        }
        Command::Openapi => {
            let doc = http::openapi::document(None);
            let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
            write_out(&(text + "\n"))
        }
        Command::Token {
            sub,
            scopes,
            connections,
            panelalpha_user,
            panelalpha_connection,
            ttl,
        } => {
            let config = Config::load(cli.config.as_deref()).map_err(|e| e.to_string())?;
            let scopes = parse_scopes(&scopes)?;
            let connections: Option<Vec<String>> =
                connections.map(|c| c.split(',').map(|s| s.trim().to_string()).collect());
            let bound = panelalpha_user
                .zip(panelalpha_connection)
                .map(|(user, connection)| Binding { connection, user });
            let token = minter(&config)?
                .mint_bound(
                    &sub,
                    &scopes,
                    connections.as_deref(),
                    bound.as_ref(),
                    Duration::from_secs(ttl),
                )
                .map_err(|e| e.to_string())?;
            println!("{token}");
            Ok(())
        }
        Command::Migrate => {
            let config = Config::load(cli.config.as_deref()).map_err(|e| e.to_string())?;
            init_logging(&config);
            hostplane_resolvers::store::connect(&config.database_url)
                .await
                .map_err(|e| format!("database: {e}"))?;
            println!("migrations applied");
            Ok(())
        }
        Command::Serve => {
            let config = Config::load(cli.config.as_deref()).map_err(|e| e.to_string())?;
            init_logging(&config);
            let gateway = Gateway::build(&config).await.map_err(|e| e.to_string())?;
            let listener = tokio::net::TcpListener::bind(config.listen)
                .await
                .map_err(|e| format!("listen on {}: {e}", config.listen))?;
            tracing::info!(addr = %config.listen, "serving");
            serve_until_signal(listener, gateway.state).await
        }
        Command::Demo { listen } => run_demo(cli.config.as_deref(), listen).await,
    }
}

/// `hostplane demo`: a fresh SQLite file, a random signing secret, and the built-in simulators
/// registered as connections.
#[cfg(feature = "demo")]
async fn run_demo(
    config: Option<&std::path::Path>,
    listen: std::net::SocketAddr,
) -> Result<(), String> {
    let mut config = Config::load(config).map_err(|e| e.to_string())?;
    init_logging(&config);
    // Everything embedded: a fresh SQLite file and a random signing secret for this run.
    let mut scratch = None;
    if std::env::var("DATABASE_URL").is_err() {
        let file = std::env::temp_dir().join(format!("hostplane-demo-{}.db", uuid::Uuid::new_v4()));
        config.database_url = format!("sqlite://{}?mode=rwc", file.display());
        scratch = Some(file);
    }
    // A frontend served from any loopback port may call the demo from a browser.
    if config.cors.allowed_origins.is_empty() {
        config.cors.allowed_origins =
            vec!["http://localhost:*".into(), "http://127.0.0.1:*".into()];
    }
    let configured_secret = config.auth.hs256_secret.is_some();
    if !configured_secret {
        let secret: String =
            uuid::Uuid::new_v4().simple().to_string() + &uuid::Uuid::new_v4().simple().to_string();
        config.auth.hs256_secret = Some(SecretString::from(secret));
    }
    let sims = demo::start_simulators()
        .await
        .map_err(|e| format!("simulators: {e}"))?;
    let gateway = Gateway::build(&config).await.map_err(|e| e.to_string())?;
    for spec in &sims.connections {
        upsert(&gateway.services.connections, spec.clone(), "demo")
            .await
            .map_err(|e| e.to_string())?;
    }
    demo::onboard(&gateway.schema, "patchstack-demo", "hosterapi-demo").await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("listen on {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let token = minter(&config)?.mint(
        "demo",
        &[Scope::Admin],
        None,
        Duration::from_secs(24 * 3600),
    );
    let mut banner = format!(
        "hostplane demo is running\n  GraphQL:       http://{addr}/graphql  (GraphiQL in a browser)\n  \
         Console:       http://{addr}/console/\n  \
         Subscriptions: ws://{addr}/graphql/ws, or Server-Sent Events at http://{addr}/graphql/stream\n"
    );
    for c in &sims.connections {
        banner += &format!(
            "  REST ({}):  http://{addr}/rest/{}/  (simulator at {})\n",
            c.provider, c.name, c.base_url
        );
    }
    banner += &format!(
        "  Database:      {}\n  Dev token (admin, 24h):\n{token}\n\nTry:\n  export TOKEN={token}\n  \
         curl -s http://{addr}/rest/hosterapi-demo/api/v1/datacenter/server -H \"Authorization: Bearer $TOKEN\"\n",
        config.database_url
    );
    banner += if configured_secret {
        "\nMore tokens: `hostplane token --sub you --scopes read,write` with this same \
         HOSTPLANE_AUTH__HS256_SECRET (or config file).\n"
    } else {
        "\nMore tokens: this demo signs with a random secret. Start it with your own instead, \
         HOSTPLANE_AUTH__HS256_SECRET=$(openssl rand -base64 48), and run `hostplane token --sub you \
         --scopes read,write` with the same variable.\n"
    };
    // One write, and a reader that went away is no reason to stop serving.
    write_out(&banner)?;
    serve_until_signal(listener, gateway.state).await?;
    drop(sims);
    if let Some(file) = scratch {
        let _ = std::fs::remove_file(file);
    }
    Ok(())
}

#[cfg(not(feature = "demo"))]
async fn run_demo(_: Option<&std::path::Path>, _: std::net::SocketAddr) -> Result<(), String> {
    Err("this hostplane was built without the `demo` feature (cargo build --features demo)".into())
}
