//! The sidecar as one call: [`run`] reads every file, binds every
//! listener, starts one worker thread per `--workers`, each with its own
//! single-threaded runtime and upstream client, and serves until SIGTERM or
//! SIGINT (or the caller's own shutdown), reloading on SIGHUP and on a
//! watched file's change. `txveil serve` is this call after its settings
//! are read.

use super::{audit::AuditLog, auth::Clients, AppState, Auth, Limits, PolicySources};
use crate::client::Client;
use crate::config::{self, Env, ServeSettings, Source};
use crate::secret::HashKey;
use std::future::Future;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::signal::unix::{signal, SignalKind};

/// How long in-flight requests may take to finish after SIGTERM.
pub const GRACE: Duration = Duration::from_secs(30);

/// How long, after the grace period, a worker still waits for requests
/// whose app went away to finish their upstream call and audit record.
pub const DRAIN: Duration = Duration::from_secs(15);

/// How long shutdown waits for the audit log to write what is queued.
pub const AUDIT_CLOSE: Duration = Duration::from_secs(10);

/// Why the sidecar did not run.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// The control runtime could not be made.
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    /// A file, a credential, a port or a thread was refused at start-up: one
    /// line naming the setting.
    #[error("{0}")]
    Start(String),
}

/// Runs the sidecar with `settings` until SIGTERM, SIGINT or `shutdown`
/// ends it, then lets in-flight requests finish (within [`GRACE`] and
/// [`DRAIN`]) and writes the audit log out (within [`AUDIT_CLOSE`]).
/// MaxMind credentials and the egress proxy come from the process
/// environment ([`config::credentials`]).
///
/// # Errors
/// [`Refused`] when anything is refused before the first port answers.
pub fn run(settings: &ServeSettings, shutdown: impl Future<Output = ()>) -> Result<(), Refused> {
    run_with(settings, &Env, shutdown)
}

/// [`run`], with the MaxMind credentials (`MAXMIND_ACCOUNT_ID`,
/// `MAXMIND_LICENSE_KEY_FILE` or `MAXMIND_LICENSE_KEY`) and the egress
/// proxy (`HTTPS_PROXY`, `NO_PROXY`) read from `source` instead of the
/// process environment, at start-up and at every reload: a test or an
/// embedding program gives them as a map.
///
/// # Errors
/// [`Refused`] when anything is refused before the first port answers.
pub fn run_with(
    settings: &ServeSettings,
    source: &dyn Source,
    shutdown: impl Future<Output = ()>,
) -> Result<(), Refused> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Refused::Runtime)?;
    // Start-up runs outside any async context, so that a refusal (a bad
    // file, a busy port) can drop the runtimes made so far and return its
    // one line.
    let running = {
        let _entered = runtime.enter();
        start(&runtime, settings, source).map_err(Refused::Start)?
    };
    runtime.block_on(run_until_stopped(running, settings, source, shutdown));
    Ok(())
}

/// Everything that can fail on configuration, before any port is bound.
fn prepare(
    s: &ServeSettings,
    source: &dyn Source,
) -> Result<(AppState, Option<Arc<rustls::ServerConfig>>), String> {
    let credentials = config::credentials(source).map_err(|e| e.to_string())?;
    warn_about_exposure(s, source);
    let auth = match &s.clients {
        Some(path) => Auth::Clients(Clients::load(path).map_err(|e| e.to_string())?),
        None => Auth::DangerousNone,
    };
    let hash_key = match &s.hash_key_file {
        Some(f) => Some(Arc::new(
            HashKey::from_file(f).map_err(|e| format!("hash_key_file: {e}"))?,
        )),
        None => None,
    };
    let sources = PolicySources {
        default: s.policy.clone(),
        shadow: s.shadow_policy.clone(),
        clients_file: s.clients.clone(),
        hash_key,
    };
    let upstreams = upstream_clients(s, source, credentials)?;
    let tls = match &s.tls {
        Some(t) => Some(super::tls_config(&t.cert, &t.key)?),
        None => None,
    };
    let state = AppState::with_upstreams(
        sources,
        auth,
        upstreams,
        s.upstream_timeout,
        AuditLog::new(audit_sink(s)?),
    )?;
    state.set_funds_warning(s.funds_warning);
    // A full disk is found now rather than by the first request; the
    // sidecar then starts unready and forwards nothing until a write
    // succeeds (logged by the audit log).
    let _ = state.open_audit(Duration::from_secs(2));
    Ok((state, tls))
}

/// Start-up warnings: secret files others may read, a clients file others
/// may write, and a plain-HTTP listener off loopback.
fn warn_about_exposure(s: &ServeSettings, source: &dyn Source) {
    let key_file = source
        .get(config::LICENSE_KEY_FILE)
        .map(std::path::PathBuf::from);
    let files = [
        ("license key file", key_file.as_deref(), true),
        ("hash_key_file", s.hash_key_file.as_deref(), true),
        ("clients", s.clients.as_deref(), false),
    ];
    for (setting, path, secret) in files {
        if let Some(w) = path.and_then(|p| config::permission_warning(setting, p, secret)) {
            tracing::warn!("{w}");
        }
    }
    // Plain HTTP off loopback carries app tokens and card data in clear
    // across the network: allowed (a pod's own network namespace is
    // such a case), but said loudly at every start.
    if !s.listen.ip().is_loopback() {
        tracing::warn!(
            listen = %s.listen,
            "the plain-HTTP API listener is not on a loopback address: app tokens and card data cross the network unencrypted; use --tls-listen, or keep --listen on 127.0.0.1 unless the network is the pod's or host's own"
        );
    }
}

/// One upstream client per worker: minFraud at `upstream`, trusting
/// `upstream_ca` when set, through the egress proxy when there is one.
fn upstream_clients(
    s: &ServeSettings,
    source: &dyn Source,
    credentials: crate::secret::Credentials,
) -> Result<Vec<Client>, String> {
    let mut upstream = Client::builder(credentials)
        .base_url(&s.upstream)
        .timeout(s.upstream_timeout);
    if let Some(ca) = &s.upstream_ca {
        let pem = std::fs::read(ca)
            .map_err(|e| format!("upstream_ca: {}: {}", ca.display(), crate::file::reason(&e)))?;
        upstream = upstream.root_ca_pem(pem);
    }
    // The egress proxy: the setting, else HTTPS_PROXY as curl and the
    // official clients read it; NO_PROXY's hosts are reached directly.
    let env = |names: [&str; 2]| names.iter().find_map(|n| source.get(n));
    let proxy = s
        .upstream_proxy
        .clone()
        .or_else(|| env(["HTTPS_PROXY", "https_proxy"]));
    if let Some(proxy) = proxy {
        upstream = upstream.https_proxy(proxy, env(["NO_PROXY", "no_proxy"]).unwrap_or_default());
    }
    upstream.build_many(s.workers).map_err(|e| e.to_string())
}

/// Where audit lines go: `--audit-log` opened for appending, else
/// standard output.
fn audit_sink(s: &ServeSettings) -> Result<Box<dyn Write + Send>, String> {
    Ok(match &s.audit_log {
        Some(path) => Box::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| {
                    format!("audit_log: {}: {}", path.display(), crate::file::reason(&e))
                })?,
        ),
        None => Box::new(std::io::stdout()),
    })
}

/// Binds `addr` for the listener that the setting `name` configures, and
/// hands the socket back unregistered, for whichever runtime serves it.
fn bind(
    runtime: &tokio::runtime::Runtime,
    name: &str,
    addr: std::net::SocketAddr,
) -> Result<std::net::TcpListener, String> {
    let cannot = |e: std::io::Error| {
        format!(
            "{name}: cannot listen on {addr}: {}",
            crate::file::reason(&e)
        )
    };
    let listener = runtime.block_on(TcpListener::bind(addr)).map_err(cannot)?;
    let bound = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    tracing::debug!(addr = %bound, setting = name, "listening");
    listener.into_std().map_err(cannot)
}

/// One API listener: the listening socket and its TLS configuration.
/// Each worker gets a handle on the socket and a seat among the workers
/// serving it ([`super::seats`]).
pub type Share = (std::net::TcpListener, Option<Arc<rustls::ServerConfig>>);

/// Starts `workers` threads (`txveil-worker-<i>`), each serving every
/// listener on its own single-threaded runtime with `app(i)` until
/// `stopped` turns true. With `state`, a worker then waits (within
/// [`DRAIN`]) for the requests still finishing their upstream call and
/// audit record.
///
/// # Errors
/// A runtime, a socket handle or a thread that cannot be made; workers
/// already started stop once `stopped` turns true.
pub fn start_workers(
    workers: usize,
    listeners: &[Share],
    app: impl Fn(usize) -> axum::Router,
    stopped: &tokio::sync::watch::Receiver<bool>,
    limits: Limits,
    state: Option<&AppState>,
) -> Result<Vec<std::thread::JoinHandle<()>>, String> {
    let mut runtimes = Vec::new();
    for _ in 0..workers {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start a worker runtime: {e}"))?;
        runtimes.push(runtime);
    }
    let mut threads = Vec::new();
    let mut seats: Vec<_> = listeners
        .iter()
        .map(|_| super::seats(&limits, workers).into_iter())
        .collect();
    for (i, runtime) in runtimes.into_iter().enumerate() {
        let mine = listeners
            .iter()
            .zip(seats.iter_mut())
            .map(|((l, tls), seats)| {
                let seat = seats
                    .next()
                    .ok_or_else(|| std::io::Error::other("more workers than seats"))?;
                Ok((l.try_clone()?, tls.clone(), seat))
            })
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(|e| format!("cannot share the listening socket: {e}"))?;
        let (app, stopped, state) = (app(i), stopped.clone(), state.cloned());
        let worker = std::thread::Builder::new()
            .name(format!("txveil-worker-{i}"))
            .spawn(move || runtime.block_on(serve_worker(mine, app, stopped, limits, state)))
            .map_err(|e| format!("cannot start a worker thread: {e}"))?;
        threads.push(worker);
    }
    Ok(threads)
}

/// One worker's event loop: its seat on every listener, until `stopped`.
async fn serve_worker(
    mine: Vec<(
        std::net::TcpListener,
        Option<Arc<rustls::ServerConfig>>,
        super::Seat,
    )>,
    app: axum::Router,
    stopped: tokio::sync::watch::Receiver<bool>,
    limits: Limits,
    state: Option<AppState>,
) {
    let mut tasks = Vec::new();
    for (listener, tls, seat) in mine {
        match TcpListener::from_std(listener) {
            Ok(l) => tasks.push(tokio::spawn(super::serve_sharing(
                l,
                tls,
                app.clone(),
                stopped.clone(),
                limits,
                GRACE,
                seat,
            ))),
            Err(e) => tracing::error!(error = %e, "a worker cannot use its listener"),
        }
    }
    for t in tasks {
        let _ = t.await;
    }
    // Requests whose app went away still finish their upstream call and
    // audit record; those that do not finish in time are audited as
    // interrupted when the runtime drops them.
    let Some(state) = state else { return };
    let left = state.drain_requests(DRAIN).await;
    if left > 0 {
        tracing::error!(
            requests = left,
            "shutdown: requests still in flight are dropped and audited as interrupted"
        );
    }
}

/// What a reload reads: the clients file and policies, and the license
/// key file when the key comes from one.
fn watched_files(state: &AppState, source: &dyn Source) -> Vec<std::path::PathBuf> {
    let mut files = state.watched_files();
    files.extend(
        source
            .get(config::LICENSE_KEY_FILE)
            .map(std::path::PathBuf::from),
    );
    files
}

/// SIGHUP, or a watched file changed: the clients file and policies are
/// read again and swapped in at once (a bad one is refused), and so is
/// the license key when it comes from a file (an unreadable or empty key
/// file is refused and the old key stays).
fn reload(state: &AppState, source: &dyn Source) {
    let _ = state.reload();
    if source.get(config::LICENSE_KEY_FILE).is_none() {
        return;
    }
    match config::credentials(source) {
        Ok(credentials) => {
            state.set_credentials(&credentials);
            tracing::info!("license key read again");
        }
        Err(e) => {
            tracing::error!(error = %e, "license key refused; the old key stays in use");
        }
    }
}

/// The sidecar once every file is read and every port is bound.
struct Running {
    state: AppState,
    admin: Option<std::net::TcpListener>,
    health: Option<std::net::TcpListener>,
    workers: Vec<std::thread::JoinHandle<()>>,
    stop: tokio::sync::watch::Sender<bool>,
    stopped: tokio::sync::watch::Receiver<bool>,
    limits: Limits,
    signals: Signals,
}

/// SIGTERM, SIGINT and SIGHUP, taken over before any port is bound: a
/// signal sent as soon as a port answers is handled, never the default
/// action (SIGHUP's ends the process).
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

/// Reads every file, binds every port and starts the workers; any
/// refusal is one line for standard error.
fn start(
    runtime: &tokio::runtime::Runtime,
    s: &ServeSettings,
    source: &dyn Source,
) -> Result<Running, String> {
    let (state, tls) = prepare(s, source)?;
    let (Ok(term), Ok(int), Ok(hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::hangup()),
    ) else {
        return Err("cannot install signal handlers".into());
    };
    let signals = Signals { term, int, hup };
    let limits = Limits {
        max_concurrency: s.max_concurrency,
        max_connections: s.max_connections,
        keep_alive_timeout: s.keep_alive_timeout,
        ..Limits::default()
    };
    let mut listeners: Vec<Share> = vec![(bind(runtime, "listen", s.listen)?, None)];
    if let (Some(t), Some(config)) = (&s.tls, tls) {
        listeners.push((bind(runtime, "tls_listen", t.addr)?, Some(config)));
    }
    let admin = match s.admin_listen {
        Some(addr) => Some(bind(runtime, "admin_listen", addr)?),
        None => None,
    };
    let health = match s.health_listen {
        Some(addr) => Some(bind(runtime, "health_listen", addr)?),
        None => None,
    };
    announce(
        &state,
        s.workers,
        &listeners,
        admin.as_ref(),
        health.as_ref(),
    );
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let apps = super::worker_routers(state.clone(), limits, s.workers);
    let workers = start_workers(
        s.workers,
        &listeners,
        |i| apps[i].clone(),
        &stopped,
        limits,
        Some(&state),
    )
    .inspect_err(|_| {
        let _ = stop.send(true);
    })?;
    Ok(Running {
        state,
        admin,
        health,
        workers,
        stop,
        stopped,
        limits,
        signals,
    })
}

/// Logs each listener's bound address (a port 0 becomes the one chosen).
fn announce(
    state: &AppState,
    workers: usize,
    listeners: &[Share],
    admin: Option<&std::net::TcpListener>,
    health: Option<&std::net::TcpListener>,
) {
    let bound =
        |l: &std::net::TcpListener| l.local_addr().map(|a| a.to_string()).unwrap_or_default();
    if let Some((l, _)) = listeners.first() {
        tracing::info!(addr = %bound(l), policy_sha256 = %state.policy_digest(), workers, "serving minFraud API over HTTP");
    }
    if let Some((l, _)) = listeners.get(1) {
        tracing::info!(addr = %bound(l), "serving minFraud API over TLS");
    }
    if let Some(l) = admin {
        tracing::info!(addr = %bound(l), "serving /healthz, /readyz, /metrics, /policies");
    }
    if let Some(l) = health {
        tracing::info!(addr = %bound(l), "serving /healthz, /readyz");
    }
}

async fn run_until_stopped(
    running: Running,
    s: &ServeSettings,
    source: &dyn Source,
    shutdown: impl Future<Output = ()>,
) {
    let Running {
        state,
        admin,
        health,
        workers,
        stop,
        stopped,
        limits,
        signals,
    } = running;
    let side_listeners = [
        (admin, super::admin_router(state.clone())),
        (health, super::health_router(state.clone())),
    ];
    let mut tasks = Vec::new();
    for (listener, router) in side_listeners {
        let Some(listener) = listener else { continue };
        match TcpListener::from_std(listener) {
            Ok(listener) => tasks.push(tokio::spawn(super::serve(
                listener,
                None,
                router,
                stopped.clone(),
                limits,
                GRACE,
            ))),
            Err(e) => {
                tracing::error!(error = %e, "an admin or health listener cannot be served")
            }
        }
    }
    if s.dangerous_allow_unauthenticated {
        tracing::warn!("apps are NOT authenticated (--dangerous-allow-unauthenticated)");
    }
    until_stopped(&state, s.watch_interval, source, signals, shutdown).await;
    tracing::info!("shutting down: finishing in-flight requests");
    state.set_not_ready();
    let _ = stop.send(true);
    for t in tasks {
        let _ = t.await;
    }
    let _ = tokio::task::spawn_blocking(move || {
        for w in workers {
            let _ = w.join();
        }
    })
    .await;
    let unwritten = state.close_audit(AUDIT_CLOSE);
    if unwritten > 0 {
        tracing::error!(
            lines = unwritten,
            "shutdown: audit lines could not be written to the audit log"
        );
    }
    tracing::info!("stopped");
}

/// Reloads on SIGHUP and, every `watch_interval` (none: never), when a
/// watched file changed; returns on SIGTERM, SIGINT or `shutdown`.
async fn until_stopped(
    state: &AppState,
    watch_interval: Option<Duration>,
    source: &dyn Source,
    signals: Signals,
    shutdown: impl Future<Output = ()>,
) {
    let mut watch = super::watch::Watch::new(watched_files(state, source));
    let mut ticks = tokio::time::interval(watch_interval.unwrap_or(Duration::from_secs(3600)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    let Signals {
        mut term,
        mut int,
        mut hup,
    } = signals;
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = term.recv() => return,
            _ = int.recv() => return,
            _ = hup.recv() => {
                reload(state, source);
                watch.reloaded(watched_files(state, source));
            }
            _ = ticks.tick(), if watch_interval.is_some() => {
                if watch.changed() {
                    tracing::info!("a watched file changed: reloading");
                    reload(state, source);
                    watch.reloaded(watched_files(state, source));
                }
            }
        }
    }
}
