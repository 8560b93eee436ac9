//! The sidecar: minFraud's own HTTP API in front of legacy services.
//!
//! An app keeps its official minFraud client and only points it at the
//! sidecar. Each request is authenticated with the app's *local* credentials
//! ([`auth`]), sanitized with the client's policy, forwarded to minFraud with
//! the real MaxMind key by the [`crate::client`], and minFraud's answer is
//! handed back. Every failure is answered in minFraud's error shape
//! ([`error`]); every request leaves one audit line ([`audit`]).
//!
//! [`router`] is the public API ([`worker_routers`] once per worker),
//! [`admin_router`] serves `/healthz`, `/readyz` and `/metrics`, and
//! [`serve`] runs either on a plain or a TLS listener (HTTP/1.1 and h2; h2c
//! upgrade headers on plain HTTP are ignored, so the request is answered
//! over HTTP/1.1) until shutdown, letting in-flight requests finish.
//! [`run::run`] is `txveil serve` as one call: every listener, the worker
//! threads, signals, reloads and shutdown.

pub mod answer;
pub mod audit;
pub mod auth;
pub mod error;
mod framing;
mod listen;
pub mod metrics;
pub mod run;
pub mod watch;

pub use listen::{seats, serve, serve_sharing, tls_config, Connection, HostLines, Seat};

use crate::client::{self, Client, RawResponse, Service};
use crate::policy::{self, Policy};
use crate::sanitize::{sanitize_request, Report};
use crate::secret::HashKey;
use audit::{AuditLog, Record};
use auth::{Clients, RateLimit};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use error::ServerError;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

/// minFraud's own limit on request bodies.
pub const MAX_BODY_BYTES: usize = 20_000;

/// How much of a too-large body is read and discarded before answering 413,
/// so that HTTP/2 clients receive the answer instead of a stream reset.
pub const MAX_DRAIN_BYTES: usize = 1 << 20;

/// Longest `X-Request-Id` taken from an authenticated app.
pub const MAX_REQUEST_ID_LEN: usize = 64;

// === Policies ===

/// The policies in force: the sidecar's default and each client's own, and
/// the shadow candidates evaluated beside them.
#[derive(Debug)]
pub struct Policies {
    /// The `--policy` (or the embedded default).
    pub default: Arc<Policy>,
    /// Policies of clients that name one, by client name.
    pub per_client: HashMap<String, Arc<Policy>>,
    /// The `--shadow-policy`, for clients without a shadow policy of their own.
    pub shadow_default: Option<Arc<Policy>>,
    /// Shadow policies of clients that name one, by client name.
    pub shadow_per_client: HashMap<String, Arc<Policy>>,
}

impl Policies {
    /// The policy and the shadow policy (if any) of a client (`None`: no
    /// clients file).
    pub fn for_client(&self, client: Option<&str>) -> (&Arc<Policy>, Option<&Arc<Policy>>) {
        let policy = client
            .and_then(|c| self.per_client.get(c))
            .unwrap_or(&self.default);
        let shadow = client
            .and_then(|c| self.shadow_per_client.get(c))
            .or(self.shadow_default.as_ref());
        (policy, shadow)
    }
}

/// Where the configuration comes from, so that SIGHUP can read it again.
#[derive(Debug, Clone, Default)]
pub struct PolicySources {
    /// `--policy`, or `None` for the embedded default.
    pub default: Option<PathBuf>,
    /// `--shadow-policy`: a candidate evaluated for every client without a
    /// shadow policy of its own.
    pub shadow: Option<PathBuf>,
    /// The clients file, read again on reload; `None` keeps the clients the
    /// state was made with.
    pub clients_file: Option<PathBuf>,
    /// The key for `keyed_hash` and fingerprints.
    pub hash_key: Option<Arc<HashKey>>,
}

impl PolicySources {
    /// Loads and compiles every policy: the default, the shadow default, and
    /// each client's own policy and shadow policy.
    ///
    /// # Errors
    /// The first policy error (file, line, key), or a policy that needs the
    /// hash key when none is configured.
    pub fn load(&self, clients: Option<&Clients>) -> Result<Policies, String> {
        let load = |path: &Path| -> Result<Arc<Policy>, String> {
            let p = policy::load(path).map_err(|e| e.to_string())?;
            self.prepare(p)
        };
        let default = match &self.default {
            Some(path) => load(path)?,
            None => self.prepare(Policy::embedded_default().map_err(|e| e.to_string())?)?,
        };
        let shadow_default = self.shadow.as_deref().map(load).transpose()?;
        let mut per_client = HashMap::new();
        let mut shadow_per_client = HashMap::new();
        for entry in clients.into_iter().flat_map(Clients::entries) {
            // A policy the clients file names is reported at its client.
            let at = |key: &str, e: String| {
                let file = self
                    .clients_file
                    .as_deref()
                    .map_or_else(|| "clients file".to_owned(), |f| f.display().to_string());
                format!(
                    "{file}:{}: client `{}`: key `{key}`: {e}",
                    entry.line, entry.name
                )
            };
            if let Some(path) = &entry.policy {
                let p = load(path).map_err(|e| at("policy", e))?;
                per_client.insert(entry.name.clone(), p);
            }
            if let Some(path) = &entry.shadow_policy {
                let p = load(path).map_err(|e| at("shadow_policy", e))?;
                shadow_per_client.insert(entry.name.clone(), p);
            }
        }
        Ok(Policies {
            default,
            per_client,
            shadow_default,
            shadow_per_client,
        })
    }

    fn prepare(&self, p: Policy) -> Result<Arc<Policy>, String> {
        match (&self.hash_key, p.requires_hash_key()) {
            (Some(k), _) => Ok(Arc::new(p.with_hash_key(k.clone()))),
            (None, true) => Err(format!(
                "{}: the policy needs a hash key (--hash-key-file)",
                p.origin()
            )),
            (None, false) => Ok(Arc::new(p)),
        }
    }
}

// === State ===

/// How apps authenticate.
#[derive(Debug, Clone)]
pub enum Auth {
    /// Against the clients file.
    Clients(Clients),
    /// Not at all: only with `--dangerous-allow-unauthenticated` on loopback.
    DangerousNone,
}

impl Auth {
    fn clients(&self) -> Option<&Clients> {
        match self {
            Auth::Clients(c) => Some(c),
            Auth::DangerousNone => None,
        }
    }
}

/// One client's rate limiter: a GCRA bucket (governor) and the limit it
/// enforces.
struct Limiter {
    limit: RateLimit,
    bucket: governor::DefaultDirectRateLimiter,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter")
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl Limiter {
    fn new(limit: RateLimit) -> Self {
        let nonzero = |n| std::num::NonZeroU32::new(n).unwrap_or(std::num::NonZeroU32::MIN);
        let quota = governor::Quota::per_second(nonzero(limit.per_second))
            .allow_burst(nonzero(limit.burst));
        Self {
            limit,
            bucket: governor::RateLimiter::direct(quota),
        }
    }

    /// `Ok` when a request may go now, else how long until one may.
    fn check(&self) -> Result<(), Duration> {
        use governor::clock::Clock as _;
        self.bucket.check().map_err(|not_until| {
            not_until.wait_time_from(governor::clock::DefaultClock::default().now())
        })
    }
}

/// Everything a reload replaces, swapped in at once.
#[derive(Debug)]
struct Active {
    auth: Auth,
    policies: Policies,
    limiters: HashMap<String, Arc<Limiter>>,
    loaded_at: SystemTime,
}

impl Active {
    /// The rate limiters for `auth`'s clients; a client whose limit did not
    /// change keeps its limiter (and what it has used of it).
    fn limiters(auth: &Auth, old: Option<&Active>) -> HashMap<String, Arc<Limiter>> {
        let mut limiters = HashMap::new();
        for entry in auth.clients().into_iter().flat_map(Clients::entries) {
            let Some(limit) = entry.rate_limit else {
                continue;
            };
            let kept = old
                .and_then(|o| o.limiters.get(&entry.name))
                .filter(|l| l.limit == limit)
                .cloned();
            limiters.insert(
                entry.name.clone(),
                kept.unwrap_or_else(|| Arc::new(Limiter::new(limit))),
            );
        }
        limiters
    }
}

/// Everything a request needs; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    active: RwLock<Arc<Active>>,
    sources: PolicySources,
    /// One client per worker event loop (see [`worker_routers`]).
    upstreams: Box<[Client]>,
    upstream_timeout: Duration,
    audit: AuditLog,
    metrics: metrics::Metrics,
    /// Requests being served, for shutdown.
    serving: Serving,
    /// Failed authentications, per source and per account id.
    failures: auth::FailureThrottle,
    /// The rate of audit lines for requests from nobody known.
    unauthenticated_audit: UnauthenticatedAudit,
    ready: AtomicBool,
    /// `--funds-warning` as f64 bits; NaN when off.
    funds_warning: AtomicU64,
    /// Whether funds are under the warning level (so it is logged once).
    funds_low: AtomicBool,
    shadows: Shadows,
}

/// The thread that runs shadow policies, off the requests' path.
///
/// Its queue holds [`SHADOW_QUEUE`] requests; when shadow runs fall that far
/// behind, a request's audit line is written at once without the shadow
/// comparison (counted as `shadow_skipped`), so no request ever waits.
struct Shadows {
    queue: Option<std::sync::mpsc::SyncSender<ShadowTask>>,
}

/// A request whose shadow policy is still to run, with its audit record.
struct ShadowJob {
    pending: Pending,
    candidate: Arc<Policy>,
    bytes: Bytes,
}

impl ShadowJob {
    /// Runs the shadow policy and writes the audit line with its result.
    fn run(self) {
        let Self {
            pending,
            candidate,
            bytes,
        } = self;
        let trial = sanitize_request(&candidate, pending.service.endpoint(), &bytes);
        let shadow =
            audit::Shadow::compare(candidate.digest(), pending.out.report.as_ref(), &trial);
        if let Some(code) = shadow.code {
            pending.state.0.metrics.shadow_rejection(code);
        }
        pending.finish(Some(&shadow));
    }
}

enum ShadowTask {
    Job(Box<ShadowJob>),
    /// Answered once every job queued before it is done.
    Drained(std::sync::mpsc::SyncSender<()>),
}

/// Requests the shadow queue holds before their shadow runs are skipped.
pub const SHADOW_QUEUE: usize = 4096;

impl std::fmt::Debug for Shadows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shadows")
    }
}

impl Shadows {
    fn start() -> Self {
        let (queue, jobs) = std::sync::mpsc::sync_channel::<ShadowTask>(SHADOW_QUEUE);
        let thread = std::thread::Builder::new()
            .name("txveil-shadow".into())
            .spawn(move || {
                while let Ok(task) = jobs.recv() {
                    match task {
                        ShadowTask::Job(job) => (*job).run(),
                        ShadowTask::Drained(done) => {
                            let _ = done.send(());
                        }
                    }
                }
            });
        match thread {
            Ok(_) => Self { queue: Some(queue) },
            Err(e) => {
                tracing::error!(error = %e, "cannot start the shadow thread; shadow policies are skipped");
                Self { queue: None }
            }
        }
    }

    /// Runs `job` on the shadow thread; when its queue is full (or there is
    /// no thread) the audit line is written now, without the shadow run.
    fn run(&self, job: ShadowJob) {
        let job = match &self.queue {
            Some(queue) => match queue.try_send(ShadowTask::Job(Box::new(job))) {
                Ok(()) => return,
                Err(
                    std::sync::mpsc::TrySendError::Full(task)
                    | std::sync::mpsc::TrySendError::Disconnected(task),
                ) => match task {
                    ShadowTask::Job(job) => *job,
                    ShadowTask::Drained(_) => return,
                },
            },
            None => job,
        };
        job.pending.state.0.metrics.shadow_skipped();
        job.pending.finish(None);
    }

    /// Waits at most `within` until every shadow run queued so far is done.
    fn drain(&self, within: Duration) {
        let Some(queue) = &self.queue else { return };
        let (done, wait) = std::sync::mpsc::sync_channel(1);
        if queue.send(ShadowTask::Drained(done)).is_ok() {
            let _ = wait.recv_timeout(within);
        }
    }
}

impl AppState {
    /// State with policies loaded from `sources`.
    ///
    /// # Errors
    /// As [`PolicySources::load`].
    pub fn new(
        sources: PolicySources,
        auth: Auth,
        upstream: Client,
        upstream_timeout: Duration,
        audit: AuditLog,
    ) -> Result<Self, String> {
        Self::with_upstreams(sources, auth, vec![upstream], upstream_timeout, audit)
    }

    /// As [`AppState::new`], with one upstream client per worker (from
    /// [`client::ClientBuilder::build_many`]): the router of worker `i`
    /// ([`worker_routers`]) sends on client `i`, so that its requests and
    /// their upstream connections stay on its own event loop; [`router`]
    /// sends on the first.
    ///
    /// # Errors
    /// As [`PolicySources::load`], and for an empty `upstreams`.
    pub fn with_upstreams(
        sources: PolicySources,
        auth: Auth,
        upstreams: Vec<Client>,
        upstream_timeout: Duration,
        audit: AuditLog,
    ) -> Result<Self, String> {
        if upstreams.is_empty() {
            return Err("no upstream client".into());
        }
        let policies = sources.load(auth.clients())?;
        let limiters = Active::limiters(&auth, None);
        let mut metrics = metrics::Metrics::new();
        metrics.register_audit(audit.stats());
        Ok(Self(Arc::new(Inner {
            active: RwLock::new(Arc::new(Active {
                auth,
                policies,
                limiters,
                loaded_at: SystemTime::now(),
            })),
            sources,
            upstreams: upstreams.into_boxed_slice(),
            upstream_timeout,
            audit,
            metrics,
            serving: Serving::default(),
            failures: auth::FailureThrottle::default(),
            unauthenticated_audit: UnauthenticatedAudit::new(),
            ready: AtomicBool::new(true),
            funds_warning: AtomicU64::new(f64::NAN.to_bits()),
            funds_low: AtomicBool::new(false),
            shadows: Shadows::start(),
        })))
    }

    /// Logs a warning once each time minFraud's `funds_remaining` falls
    /// under `level` (`None`: never).
    pub fn set_funds_warning(&self, level: Option<f64>) {
        let bits = level
            .filter(|l| l.is_finite())
            .unwrap_or(f64::NAN)
            .to_bits();
        self.0.funds_warning.store(bits, Ordering::Relaxed);
    }

    fn active(&self) -> Arc<Active> {
        match self.0.active.read() {
            Ok(p) => p.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Sends MaxMind the new credentials from now on (a rotated license
    /// key); the old key is wiped once the requests using it are done.
    pub fn set_credentials(&self, credentials: &crate::secret::Credentials) {
        for upstream in self.0.upstreams.iter() {
            upstream.set_credentials(credentials);
        }
    }

    /// The files [`AppState::reload`] reads: the default and shadow
    /// policies, the clients file and each client's own policies.
    pub fn watched_files(&self) -> Vec<PathBuf> {
        let sources = &self.0.sources;
        let mut files: Vec<PathBuf> = [&sources.default, &sources.shadow, &sources.clients_file]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        if let Some(clients) = self.active().auth.clients() {
            for entry in clients.entries() {
                files.extend(entry.policy.iter().chain(&entry.shadow_policy).cloned());
            }
        }
        files.sort();
        files.dedup();
        files
    }

    /// Reads the clients file (when the state has one) and every policy
    /// again and swaps them in at once; on any error the old ones keep
    /// serving.
    ///
    /// # Errors
    /// The reason the new configuration was refused, naming file, line and
    /// key.
    pub fn reload(&self) -> Result<String, String> {
        let old = self.active();
        let loaded = match (&self.0.sources.clients_file, &old.auth) {
            (Some(path), Auth::Clients(_)) => Clients::load(path)
                .map(Auth::Clients)
                .map_err(|e| e.to_string()),
            (_, auth) => Ok(auth.clone()),
        }
        .and_then(|auth| {
            let policies = self.0.sources.load(auth.clients())?;
            Ok((auth, policies))
        });
        match loaded {
            Ok((auth, policies)) => {
                let digest = policies.default.digest().to_owned();
                let clients = auth.clients().map_or(0, |c| c.entries().count());
                let limiters = Active::limiters(&auth, Some(&old));
                let new = Arc::new(Active {
                    auth,
                    policies,
                    limiters,
                    loaded_at: SystemTime::now(),
                });
                match self.0.active.write() {
                    Ok(mut p) => *p = new,
                    Err(poisoned) => *poisoned.into_inner() = new,
                }
                self.0.metrics.reload("ok");
                tracing::info!(policy_sha256 = %digest, clients, "clients and policies reloaded");
                Ok(digest)
            }
            Err(e) => {
                self.0.metrics.reload("refused");
                tracing::error!(error = %e, "reload refused; the old clients and policies keep serving");
                Err(e)
            }
        }
    }

    /// Waits until every shadow run and audit line so far is done, written
    /// and flushed.
    pub fn flush_audit(&self) {
        self.0.shadows.drain(Duration::from_secs(60));
        self.0.audit.flush();
    }

    /// For shutdown: waits at most `within` for the shadow runs and audit
    /// lines queued so far to be written, and returns how many audit lines
    /// were still not written then (zero when all were).
    pub fn close_audit(&self, within: Duration) -> usize {
        let deadline = Instant::now() + within;
        self.0.shadows.drain(within);
        self.0
            .audit
            .close(deadline.saturating_duration_since(Instant::now()))
    }

    /// Writes the audit log's opening line and waits at most `within` for
    /// it; an audit log that cannot be written leaves the sidecar unready
    /// from the start (see [`AppState::readiness`]), and is logged.
    ///
    /// # Errors
    /// Why the audit log cannot keep records.
    pub fn open_audit(&self, within: Duration) -> Result<(), audit::Unavailable> {
        self.0.audit.open(within)
    }

    /// Waits at most `within` until no request is being served (each
    /// finishes its upstream call and audit record even when its app went
    /// away); returns how many still were.
    pub async fn drain_requests(&self, within: Duration) -> usize {
        let serving = &self.0.serving;
        let wait = async {
            loop {
                let idle = serving.idle.notified();
                if serving.count.load(Ordering::SeqCst) == 0 {
                    return;
                }
                idle.await;
            }
        };
        let _ = tokio::time::timeout(within, wait).await;
        serving.count.load(Ordering::SeqCst)
    }

    /// Whether the sidecar should get traffic: not shutting down, and the
    /// audit log able to keep records.
    ///
    /// # Errors
    /// Why not, as a short phrase.
    pub fn readiness(&self) -> Result<(), &'static str> {
        if !self.0.ready.load(Ordering::SeqCst) {
            return Err("shutting down");
        }
        self.0.audit.available().map_err(|why| match why {
            audit::Unavailable::Failed => "audit log: write failed",
            audit::Unavailable::Stalled => "audit log: write stalled",
            audit::Unavailable::Full => "audit log: queue full",
            _ => "audit log: writer stopped",
        })
    }

    /// The default policy's digest.
    pub fn policy_digest(&self) -> String {
        self.active().policies.default.digest().to_owned()
    }

    /// What `/policies` shows: each client's policy and shadow policy (name,
    /// SHA-256, file), its endpoints and rate limit, and when they were
    /// loaded. Never a credential or token digest.
    pub fn policies_json(&self) -> serde_json::Value {
        use serde_json::json;
        let active = self.active();
        let describe = |p: &Policy| {
            let origin = p.origin();
            let embedded = origin == policy::DEFAULT_POLICY_ORIGIN;
            let name = Path::new(origin.trim_end_matches(" (embedded)"))
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or(origin);
            json!({
                "name": name,
                "sha256": p.digest(),
                "path": (!embedded).then_some(origin),
                "embedded": embedded,
            })
        };
        let (default, default_shadow) = active.policies.for_client(None);
        let mut clients: Vec<_> = active
            .auth
            .clients()
            .into_iter()
            .flat_map(Clients::entries)
            .map(|e| {
                let (policy, shadow) = active.policies.for_client(Some(&e.name));
                let limit = e
                    .rate_limit
                    .map(|r| json!({"per_second": r.per_second, "burst": r.burst}));
                json!({
                    "client": e.name,
                    "endpoints": e.endpoints.iter().map(|s| s.name()).collect::<Vec<_>>(),
                    "policy": describe(policy),
                    "shadow_policy": shadow.map(|p| describe(p)),
                    "rate_limit": limit,
                })
            })
            .collect();
        clients.sort_by(|a, b| a["client"].as_str().cmp(&b["client"].as_str()));
        json!({
            "loaded_at": humantime::format_rfc3339_millis(active.loaded_at).to_string(),
            "default": {
                "policy": describe(default),
                "shadow_policy": default_shadow.map(|p| describe(p)),
            },
            "clients": clients,
        })
    }

    /// Records the balance an answer reported, and warns once when funds
    /// fall under `--funds-warning`.
    fn balance(&self, b: answer::Balance) {
        if let Some(q) = b.queries_remaining {
            self.0.metrics.queries_remaining(q);
        }
        let Some(funds) = b.funds_remaining else {
            return;
        };
        self.0.metrics.funds_remaining(funds);
        let level = f64::from_bits(self.0.funds_warning.load(Ordering::Relaxed));
        let low = funds < level;
        if low != self.0.funds_low.swap(low, Ordering::Relaxed) && low {
            tracing::warn!(
                funds_remaining = funds,
                funds_warning = level,
                "minFraud funds are under the warning level"
            );
        }
    }

    /// The upstream client of `worker` (see [`worker_routers`]).
    fn upstream(&self, worker: usize) -> &Client {
        let all = &self.0.upstreams;
        &all[worker % all.len()]
    }

    /// Marks the sidecar as shutting down (`/readyz` answers 503).
    pub fn set_not_ready(&self) {
        self.0.ready.store(false, Ordering::SeqCst);
    }
}

/// A fresh request id: 128 random bits from the system's generator, in hex.
/// It says nothing about start-up time or request volume. Each thread asks
/// the generator for [`IDS_PER_DRAW`] ids at once and hands each out once.
fn random_request_id() -> String {
    use ring::rand::SecureRandom as _;
    thread_local! {
        static DRAWN: std::cell::RefCell<([u8; 16 * IDS_PER_DRAW], usize)> =
            const { std::cell::RefCell::new(([0; 16 * IDS_PER_DRAW], IDS_PER_DRAW)) };
    }
    DRAWN.with_borrow_mut(|(bytes, used)| {
        if *used == IDS_PER_DRAW {
            // The system generator failing is not expected; the ids are then
            // all zeros rather than the request failing.
            if ring::rand::SystemRandom::new().fill(bytes).is_err() {
                bytes.fill(0);
            }
            *used = 0;
        }
        let id = crate::json::hex(&bytes[*used * 16..][..16]);
        *used += 1;
        id
    })
}

/// Request ids drawn from the system's generator at once.
const IDS_PER_DRAW: usize = 32;

/// Longest stretch of decimal digits an app's own request id may hold
/// (digits separated only by punctuation count as one stretch; a letter
/// ends it). Eight digits are a card's middle, or its IIN with its last
/// four, so an id with eight is not kept, unless it is laid out as an RFC
/// 9562 UUID, whose decimal runs are a generator's random hex.
pub const MAX_REQUEST_ID_DIGIT_RUN: usize = 7;

/// The app's own `X-Request-Id`, when its shape cannot carry a card number
/// or an email address: at most [`MAX_REQUEST_ID_LEN`] bytes, made only of
/// ASCII letters, digits and `-_.:/+=` (so it cannot break a log line), no
/// stretch of more than [`MAX_REQUEST_ID_DIGIT_RUN`] digits (punctuation
/// between digits does not end a stretch, letters do), and nothing the
/// body's card and email detectors find (see [`request_id_holds_value`]).
/// Otherwise the request gets an id of its own. Once the body is read,
/// [`request_id_names_the_request`] may still replace it.
fn incoming_request_id(headers: &HeaderMap) -> Option<String> {
    let v = headers.get("x-request-id")?.to_str().ok()?;
    let ok = (1..=MAX_REQUEST_ID_LEN).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=".contains(&b))
        && (canonical_uuid(v) || longest_digit_run(v) <= MAX_REQUEST_ID_DIGIT_RUN)
        && !request_id_holds_value(v);
    ok.then(|| v.to_owned())
}

/// Whether `id` is a UUID as RFC 9562 lays one out: 32 hex digits in groups
/// of 8-4-4-4-12, a version from 1 to 8 and the RFC's variant (`8`, `9`,
/// `a` or `b`). Those places are a generator's, not a copy of a value: the
/// decimal digits between its hyphens are random hex that happens to be
/// decimal (8 in a row in about a quarter of random version-4 UUIDs), so
/// they are not held against it. A card number in it is still found by the
/// detectors.
fn canonical_uuid(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            14 => (b'1'..=b'8').contains(&c),
            19 => matches!(c, b'8' | b'9' | b'a' | b'b' | b'A' | b'B'),
            _ => c.is_ascii_hexdigit(),
        })
}

/// The longest stretch of ASCII digits in `id`, counting digits separated
/// only by characters that are neither letters nor digits as one stretch
/// (`4111-1111`, `4111_11.11` and `411111-111111-1111123` are one stretch
/// each); a letter ends a stretch. In a UUID this is its decimal digits
/// with the hyphens between them ignored.
fn longest_digit_run(id: &str) -> usize {
    let (mut run, mut longest) = (0usize, 0usize);
    for c in id.chars() {
        if c.is_ascii_digit() {
            run += 1;
            longest = longest.max(run);
        } else if c.is_alphabetic() {
            run = 0;
        }
    }
    longest
}

/// The body's raw username and email address, as far as an app's own
/// request id is checked against them.
#[derive(serde::Deserialize)]
struct Named<'a> {
    #[serde(borrow, default)]
    account: Option<NamedAccount<'a>>,
    #[serde(borrow, default)]
    email: Option<NamedEmail<'a>>,
}

#[derive(serde::Deserialize)]
struct NamedAccount<'a> {
    #[serde(borrow, default)]
    username: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    username_md5: Option<std::borrow::Cow<'a, str>>,
}

#[derive(serde::Deserialize)]
struct NamedEmail<'a> {
    #[serde(borrow, default)]
    address: Option<std::borrow::Cow<'a, str>>,
}

/// Whether an app's own request id may name the request it came with:
/// it contains the body's `account.username`, `account.username_md5` or
/// the local part of `email.address` (before the last `@`), compared
/// without regard to case, both as written and with everything but ASCII
/// letters and digits left out of both sides (`Jane.Doe` is found in
/// `req-janedoe-1`). A body that is not a JSON object with those members
/// as strings counts as naming it: the id is then not kept.
fn request_id_names_the_request(id: &str, body: &[u8]) -> bool {
    let Ok(named) = serde_json::from_slice::<Named<'_>>(body) else {
        return true;
    };
    let id_lower = id.to_ascii_lowercase();
    let id_plain = plain(id);
    let found = |value: &str| {
        let lower = value.to_lowercase();
        let value_plain = plain(value);
        (!lower.is_empty() && id_lower.contains(&lower))
            || (!value_plain.is_empty() && id_plain.contains(&value_plain))
    };
    let account = named.account.as_ref();
    let email = named.email.as_ref().and_then(|e| e.address.as_deref());
    account
        .and_then(|a| a.username.as_deref())
        .is_some_and(found)
        || account
            .and_then(|a| a.username_md5.as_deref())
            .is_some_and(found)
        || email
            .map(|a| a.rsplit_once('@').map_or(a, |(local, _)| local))
            .is_some_and(found)
}

/// `text`'s ASCII letters and digits, lower-cased.
fn plain(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether a caller's request id holds a card number or an email address,
/// as the body's detectors find them: in the id as written, and with each
/// of its punctuation marks read as a space (an id's `_`, `:` or `+` may
/// stand between a card's digit groups as a space does in text). An id
/// wrongly refused only loses the app its own id in the audit line.
fn request_id_holds_value(id: &str) -> bool {
    use crate::sanitize::{email::find::find_emails, pan::contains_pan, word::Facts};
    let spaced: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let holds = |text: &str| {
        contains_pan(text) || !find_emails(text, &Facts::of(text.as_bytes())).is_empty()
    };
    holds(id) || holds(&spaced)
}

// === Routers ===

/// Limits on inbound connections and requests.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Requests processed at once; more are answered 503.
    pub max_concurrency: usize,
    /// One deadline for receiving a whole request body, however it trickles in.
    pub body_timeout: Duration,
    /// Time from accepting a connection to a complete first request head (TLS
    /// handshake included), and for each later request head.
    pub header_timeout: Duration,
    /// Connections open at once per listener; past it, no more are accepted
    /// until one closes.
    pub max_connections: usize,
    /// How long a connection (HTTP/1.1 keep-alive or h2) may stay open with no
    /// request in flight after its last answer. HTTP/1.1 also waits at most
    /// `header_timeout` for the next request head, so an idle HTTP/1.1
    /// connection closes after the shorter of the two.
    pub keep_alive_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_concurrency: 256,
            body_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
            max_connections: 512,
            keep_alive_timeout: Duration::from_secs(60),
        }
    }
}

/// The public API: minFraud's four paths, sending upstream through the
/// first upstream client.
pub fn router(state: AppState, limits: Limits) -> Router {
    worker_routers(state, limits, 1).swap_remove(0)
}

/// The public API once for each of `workers` (at least one): worker `i`'s
/// router sends upstream through upstream client `i` of
/// [`AppState::with_upstreams`] (wrapping around), so that a worker's
/// requests and their upstream connections stay on its own event loop. All
/// of them share the request slots: `max_concurrency` is the sidecar's.
pub fn worker_routers(state: AppState, limits: Limits, workers: usize) -> Vec<Router> {
    let gates = Arc::new(Gates {
        apps: Arc::new(tokio::sync::Semaphore::new(limits.max_concurrency.max(1))),
        unauthenticated: Arc::new(tokio::sync::Semaphore::new(UNAUTHENTICATED_DRAINS)),
    });
    (0..workers.max(1))
        .map(|worker| {
            let door = Door {
                limits,
                gates: gates.clone(),
                worker,
            };
            api_routes(state.clone(), &door)
        })
        .collect()
}

/// What a router gives each of its requests besides the state: the limits,
/// the shared request slots and the worker whose upstream client it uses.
#[derive(Clone, Debug)]
struct Door {
    limits: Limits,
    gates: Arc<Gates>,
    worker: usize,
}

fn api_routes(state: AppState, door: &Door) -> Router {
    let mut r = Router::new();
    for service in Service::ALL {
        let door = door.clone();
        r = r.route(
            service.path(),
            post(
                // The request whole: its headers are moved out, not copied
                // as the `HeaderMap` extractor would.
                move |State(s): State<AppState>, request: axum::extract::Request| {
                    let (parts, body) = request.into_parts();
                    handle_detached(s, service, parts, body, door.clone())
                },
            ),
        );
    }
    r.fallback(|State(s): State<AppState>| async move {
        unrouted(
            &s,
            ServerError::new(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "No such minFraud endpoint",
            ),
            Outcome::NotFound,
        )
    })
    .method_not_allowed_fallback(|State(s): State<AppState>| async move {
        unrouted(
            &s,
            ServerError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "minFraud endpoints take POST",
            ),
            Outcome::MethodNotAllowed,
        )
    })
    .with_state(state)
}

/// The answer to a request for no minFraud endpoint: audited (endpoint
/// `none`; the path asked for is the caller's text and never written),
/// counted, and given a request id.
fn unrouted(state: &AppState, e: ServerError, outcome: Outcome) -> Response {
    let outcome = outcome.name();
    let request_id = random_request_id();
    state.0.metrics.request(None, "none", outcome);
    state.0.metrics.rejection(None, e.code);
    if let Some(left_out) = state.0.unauthenticated_audit.admit(&state.0.metrics) {
        state.0.audit.write(&Record {
            request_id: &request_id,
            endpoint: "none",
            outcome,
            code: Some(e.code),
            suppressed: left_out,
            ..Record::default()
        });
    }
    let mut response = e.into_response();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}

/// `/healthz`, `/readyz`, `/metrics`, `/policies`.
pub fn admin_router(state: AppState) -> Router {
    health_routes()
        .route(
            "/policies",
            get(|State(s): State<AppState>| async move {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    s.policies_json().to_string(),
                )
            }),
        )
        .route(
            "/metrics",
            get(|State(s): State<AppState>| async move {
                (
                    [(
                        header::CONTENT_TYPE,
                        "application/openmetrics-text; version=1.0.0; charset=utf-8",
                    )],
                    {
                        // Refreshes the audit log's gauges.
                        let _ = s.0.audit.available();
                        s.0.metrics.render()
                    },
                )
            }),
        )
        .with_state(state)
}

/// `/healthz` and `/readyz` alone: for probes that come from outside the
/// pod or host (a kubelet), where `/metrics` and `/policies` must not be
/// reachable.
pub fn health_router(state: AppState) -> Router {
    health_routes().with_state(state)
}

fn health_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/healthz",
            get(|State(s): State<AppState>| async move {
                let body = serde_json::json!({"status": "ok", "policy_sha256": s.policy_digest()});
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    body.to_string(),
                )
            }),
        )
        .route(
            "/readyz",
            get(|State(s): State<AppState>| async move {
                match s.readiness() {
                    Ok(()) => (StatusCode::OK, "ready\n".to_owned()),
                    Err(why) => (StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n")),
                }
            }),
        )
}

// === The handler ===

/// What became of one request: its audit line's `outcome` and its label in
/// the requests metric.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Outcome {
    /// Sent to minFraud and its answer handed back.
    Forwarded,
    /// Refused by the policy (a PAN, a forbidden field, invalid JSON...).
    Rejected,
    /// A head no minFraud client sends, or a body cut off, malformed or too
    /// large.
    BadRequest,
    /// The body did not arrive within the body timeout.
    Timeout,
    /// No valid credentials.
    Unauthorized,
    /// Failed authentications from its source or for its account id are
    /// being throttled.
    AuthThrottled,
    /// The client may not use this service.
    Forbidden,
    /// The client is over its rate limit.
    Throttled,
    /// Every request slot was taken.
    Shed,
    /// The audit log could not take its record, so it was not forwarded.
    AuditUnavailable,
    /// minFraud did not answer in time.
    UpstreamTimeout,
    /// minFraud could not be reached or its answer was not usable.
    UpstreamError,
    /// A path that is no minFraud endpoint.
    NotFound,
    /// A minFraud path asked with a method other than POST.
    MethodNotAllowed,
    /// Its task was dropped before it was answered (at the end of
    /// shutdown): the record is written as it stands.
    #[default]
    Interrupted,
}

impl Outcome {
    /// The name in audit lines and metrics.
    const fn name(self) -> &'static str {
        match self {
            Self::Forwarded => "forwarded",
            Self::Rejected => "rejected",
            Self::BadRequest => "bad_request",
            Self::Timeout => "timeout",
            Self::Unauthorized => "unauthorized",
            Self::AuthThrottled => "auth_throttled",
            Self::Forbidden => "forbidden",
            Self::Throttled => "throttled",
            Self::Shed => "shed",
            Self::AuditUnavailable => "audit_unavailable",
            Self::UpstreamTimeout => "upstream_timeout",
            Self::UpstreamError => "upstream_error",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Interrupted => "interrupted",
        }
    }

    /// A refusal with this outcome and `error` as its answer.
    fn refusal(self, error: ServerError) -> Refusal {
        Refusal {
            outcome: self,
            error,
        }
    }
}

/// A request answered with an error: what became of it, and the answer.
#[derive(Debug)]
struct Refusal {
    outcome: Outcome,
    error: ServerError,
}

/// One request's audit record as it is learned. What must be recorded even
/// when the request's task is dropped midway (who it came from, what was
/// sanitized, the audit reservation) is set here as it becomes known; the
/// outcome is set once, from the request's result.
#[derive(Default)]
struct Facts {
    client: Option<String>,
    policy_sha256: Option<Arc<str>>,
    report: Option<Report>,
    outcome: Outcome,
    code: Option<&'static str>,
    path: Option<String>,
    upstream_status: Option<u16>,
    /// The shadow policy and the request, to evaluate once the answer is on
    /// its way.
    shadow: Option<(Arc<Policy>, Bytes)>,
}

/// One request's audit record in the making. It is written exactly once:
/// by [`Pending::finish`], or, when the task serving the request is dropped
/// before that (the runtime stops at the end of shutdown), by `Drop`, as
/// `interrupted`, in the place reserved for it if it was being forwarded.
struct Pending {
    state: AppState,
    service: Service,
    started: Instant,
    request_id: String,
    /// Whether `request_id` is the app's own `X-Request-Id`.
    app_request_id: bool,
    out: Facts,
    /// The audit queue place taken before forwarding.
    reservation: Option<audit::Reservation>,
    written: bool,
}

impl Pending {
    fn new(state: AppState, service: Service) -> Self {
        Self {
            state,
            service,
            started: Instant::now(),
            request_id: random_request_id(),
            app_request_id: false,
            out: Facts::default(),
            reservation: None,
            written: false,
        }
    }

    /// Writes the record, with what the shadow policy would have done.
    fn finish(mut self, shadow: Option<&audit::Shadow>) {
        self.write(shadow);
    }

    fn write(&mut self, shadow: Option<&audit::Shadow>) {
        self.written = true;
        let suppressed = if self.client_unknown() {
            match self
                .state
                .0
                .unauthenticated_audit
                .admit(&self.state.0.metrics)
            {
                Some(left_out) => left_out,
                None => return,
            }
        } else {
            0
        };
        let out = &mut self.out;
        let record = Record {
            request_id: &self.request_id,
            client: out.client.as_deref(),
            endpoint: self.service.name(),
            policy_sha256: out.policy_sha256.as_deref(),
            applied: out.report.as_ref(),
            outcome: out.outcome.name(),
            code: out.code,
            path: out.path.take(),
            upstream_status: out.upstream_status,
            latency: self.started.elapsed(),
            shadow,
            suppressed,
        };
        let audit = &self.state.0.audit;
        match self.reservation.take() {
            Some(r) => audit.write_reserved(r, &record),
            None => {
                audit.write(&record);
            }
        }
    }
}

impl Pending {
    /// Whether the request came from nobody known: its record is one of the
    /// rate-limited unauthenticated ones (with a clients file in use).
    fn client_unknown(&self) -> bool {
        self.out.client.is_none()
            && self.reservation.is_none()
            && matches!(self.state.active().auth, Auth::Clients(_))
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.written {
            // Forwarded (or about to be) when it holds a reservation:
            // minFraud's answer is unknown.
            self.out.outcome = Outcome::Interrupted;
            if self.reservation.is_some() {
                self.out.code = Some("UPSTREAM_OUTCOME_UNKNOWN");
            }
            self.state.0.metrics.request(
                self.out.client.as_deref(),
                self.service.name(),
                Outcome::Interrupted.name(),
            );
            self.write(None);
        }
    }
}

/// Audit lines for requests from nobody known (failed authentication,
/// unknown paths) are written at most [`UNAUTHENTICATED_AUDIT`] (per
/// second, burst); the next line written after some were left out says how
/// many (`suppressed`), so a guesser cannot fill the disk and every refusal
/// is still counted (metrics count each).
struct UnauthenticatedAudit {
    bucket: governor::DefaultDirectRateLimiter,
    left_out: AtomicU64,
}

/// Audit lines for unauthenticated requests: per second, and burst.
pub const UNAUTHENTICATED_AUDIT: (u32, u32) = (100, 200);

impl std::fmt::Debug for UnauthenticatedAudit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UnauthenticatedAudit")
    }
}

impl UnauthenticatedAudit {
    fn new() -> Self {
        let n = |x| std::num::NonZeroU32::new(x).unwrap_or(std::num::NonZeroU32::MIN);
        let (rate, burst) = UNAUTHENTICATED_AUDIT;
        Self {
            bucket: governor::RateLimiter::direct(
                governor::Quota::per_second(n(rate)).allow_burst(n(burst)),
            ),
            left_out: AtomicU64::new(0),
        }
    }

    /// `Some(n)` when a line may be written now (`n` lines were left out
    /// before it), `None` when this one is left out.
    fn admit(&self, metrics: &metrics::Metrics) -> Option<u64> {
        if self.bucket.check().is_ok() {
            Some(self.left_out.swap(0, Ordering::Relaxed))
        } else {
            self.left_out.fetch_add(1, Ordering::Relaxed);
            metrics.audit_suppressed();
            None
        }
    }
}

/// Requests being served, so that shutdown can wait for them.
#[derive(Debug, Default)]
struct Serving {
    count: AtomicUsize,
    idle: tokio::sync::Notify,
}

/// Counts one request in [`Serving`] until dropped.
struct Served(AppState);

impl Served {
    fn enter(state: &AppState) -> Self {
        state.0.serving.count.fetch_add(1, Ordering::SeqCst);
        Self(state.clone())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if self.0 .0.serving.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0 .0.serving.idle.notify_waiters();
        }
    }
}

/// Serves one request in a task of its own: the upstream call and the audit
/// record are finished even when the app goes away (hyper then drops the
/// handler's future, which only waits for the task).
async fn handle_detached(
    state: AppState,
    service: Service,
    parts: axum::http::request::Parts,
    body: Body,
    door: Door,
) -> Response {
    let task = tokio::spawn(handle(state, service, parts, body, door));
    match task.await {
        Ok(r) => r,
        Err(_) => {
            let mut r = ServerError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_ERROR",
                "The sidecar failed to answer this request",
            )
            .into_response();
            if let Ok(v) = HeaderValue::from_str(&random_request_id()) {
                r.headers_mut().insert("x-request-id", v);
            }
            r
        }
    }
}

async fn handle(
    state: AppState,
    service: Service,
    parts: axum::http::request::Parts,
    body: Body,
    door: Door,
) -> Response {
    let _served = Served::enter(&state);
    let mut pending = Pending::new(state.clone(), service);
    let body_timeout = door.limits.body_timeout;
    if let Err(e) = check_head(&parts) {
        drain_unauthenticated(body, &door.gates, body_timeout).await;
        let refused = Outcome::BadRequest.refusal(e);
        return finish(&state, service, pending, &parts, Err(refused));
    }
    let active = state.active();
    let connection = parts.extensions.get::<listen::Connection>();
    // The head is authenticated before anything is spent on the body: an
    // unauthenticated request never takes one of the apps' slots.
    let result = match authenticate(&state, &active, service, &parts, &mut pending) {
        Err(refused) => {
            drain_unauthenticated(body, &door.gates, body_timeout).await;
            Err(refused)
        }
        Ok(client) => {
            if client.is_some() {
                if let Some(c) = connection {
                    c.trust();
                }
            }
            match door.gates.apps.clone().try_acquire_owned() {
                Ok(_slot) => {
                    let asked = Asked {
                        service,
                        client,
                        headers: &parts.headers,
                        body_timeout,
                        worker: door.worker,
                    };
                    process(&state, &active, asked, body, &mut pending).await
                }
                Err(_) => Err(Outcome::Shed.refusal(ServerError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "SERVICE_UNAVAILABLE",
                    "The sidecar is at capacity; try again",
                ))),
            }
        }
    };
    finish(&state, service, pending, &parts, result)
}

/// The answer to a request and its record: the request id added, the
/// request counted with its outcome, the audit line written (after the
/// shadow run, if any).
fn finish(
    state: &AppState,
    service: Service,
    mut pending: Pending,
    parts: &axum::http::request::Parts,
    result: Result<Response, Refusal>,
) -> Response {
    let mut response = match result {
        Ok(r) => {
            pending.out.outcome = Outcome::Forwarded;
            r
        }
        Err(Refusal { outcome, error: e }) => {
            pending.out.outcome = outcome;
            pending.out.code = Some(e.code);
            state
                .0
                .metrics
                .rejection(pending.out.client.as_deref(), e.code);
            let unauthenticated = matches!(outcome, Outcome::Unauthorized | Outcome::AuthThrottled);
            let mut r = e.into_response();
            // A client that failed to authenticate gets a new connection
            // for each try (HTTP/1.1; h2 has no such header).
            if unauthenticated && parts.version <= axum::http::Version::HTTP_11 {
                r.headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            r
        }
    };
    if let Ok(v) = HeaderValue::from_str(&pending.request_id) {
        response.headers_mut().insert("x-request-id", v);
    }
    state.0.metrics.request(
        pending.out.client.as_deref(),
        service.name(),
        pending.out.outcome.name(),
    );
    match pending.out.shadow.take() {
        None => pending.finish(None),
        // The shadow run and its audit line are handed to a thread of their
        // own, so they add nothing to the answer's latency.
        Some((candidate, bytes)) => state.0.shadows.run(ShadowJob {
            pending,
            candidate,
            bytes,
        }),
    }
    response
}

/// Refuses what no minFraud client sends, before anything else: an
/// HTTP/1.1 request without exactly one `Host` (RFC 9112), a transfer coding
/// other than `chunked` (501), a body with a content coding (415: it would be
/// read as plain JSON), a body that is not labelled JSON (415: forms and
/// `text/plain` are what a browser page can send across sites), and
/// browser-shaped requests (`Origin`, `Sec-Fetch-*`: 403), which an app
/// never sends.
fn check_head(parts: &axum::http::request::Parts) -> Result<(), ServerError> {
    let h = &parts.headers;
    if let Some(listen::HostLines(n)) = parts.extensions.get::<listen::HostLines>() {
        if parts.version == axum::http::Version::HTTP_11 && *n != 1 {
            return Err(ServerError::new(
                StatusCode::BAD_REQUEST,
                "HOST_INVALID",
                "An HTTP/1.1 request needs exactly one Host header",
            ));
        }
    }
    let te: Vec<_> = h.get_all(header::TRANSFER_ENCODING).iter().collect();
    let chunked_only =
        te.is_empty() || (te.len() == 1 && te[0].as_bytes().eq_ignore_ascii_case(b"chunked"));
    if !chunked_only {
        return Err(ServerError::new(
            StatusCode::NOT_IMPLEMENTED,
            "TRANSFER_ENCODING_UNSUPPORTED",
            "Only the chunked transfer coding is accepted",
        ));
    }
    for ce in h.get_all(header::CONTENT_ENCODING) {
        if !ce.as_bytes().eq_ignore_ascii_case(b"identity") {
            return Err(ServerError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "CONTENT_ENCODING_UNSUPPORTED",
                "Request bodies are taken without a content coding",
            ));
        }
    }
    if let Some(ct) = h.get(header::CONTENT_TYPE) {
        let essence = ct
            .to_str()
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if essence != "application/json" && !essence.ends_with("+json") {
            return Err(ServerError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "CONTENT_TYPE_INVALID",
                "Request bodies must be JSON (Content-Type: application/json)",
            ));
        }
    }
    let browser =
        h.contains_key(header::ORIGIN) || h.keys().any(|k| k.as_str().starts_with("sec-fetch-"));
    if browser {
        return Err(ServerError::new(
            StatusCode::FORBIDDEN,
            "BROWSER_REQUEST_REFUSED",
            "Requests from web browsers are refused",
        ));
    }
    Ok(())
}

/// The request slots of one router: the apps' (`--max-concurrency`), taken
/// only once a request has authenticated, and a small budget for draining
/// the bodies of unauthenticated requests before their 401.
#[derive(Debug)]
struct Gates {
    apps: Arc<tokio::sync::Semaphore>,
    unauthenticated: Arc<tokio::sync::Semaphore>,
}

/// Unauthenticated request bodies drained at once.
pub const UNAUTHENTICATED_DRAINS: usize = 16;

/// Reads and discards an unauthenticated request's body, so that its error
/// reaches HTTP/2 clients as an answer rather than a stream reset: within
/// [`UNAUTHENTICATED_DRAINS`] slots of their own (never the apps'), at most
/// [`MAX_DRAIN_BYTES`] and the body timeout. Without a free slot, or past
/// either bound, the answer goes at once and the rest of the body is not
/// read.
async fn drain_unauthenticated(body: Body, gates: &Gates, body_timeout: Duration) {
    use http_body_util::BodyExt as _;
    let Ok(_slot) = gates.unauthenticated.clone().try_acquire_owned() else {
        return;
    };
    let drain = async {
        let mut body = body;
        let mut seen = 0usize;
        while let Some(Ok(frame)) = body.frame().await {
            if let Some(data) = frame.data_ref() {
                seen += data.len();
                if seen > MAX_DRAIN_BYTES {
                    break;
                }
            }
        }
    };
    let _ = tokio::time::timeout(body_timeout, drain).await;
}

/// Who is asking, from the request head alone: `Ok(None)` without a
/// clients file, `Ok(Some(name))` for an app with valid credentials that
/// may use `service`. Failed authentications are counted by the failure
/// throttle; while it holds a source or account id, its requests are
/// answered 429 without their token being checked, except on a connection
/// that has already carried an authenticated request (an app's kept-alive
/// connection keeps working while someone else guesses from its address).
fn authenticate<'a>(
    state: &AppState,
    active: &'a Active,
    service: Service,
    parts: &axum::http::request::Parts,
    pending: &mut Pending,
) -> Result<Option<&'a str>, Refusal> {
    let Auth::Clients(clients) = &active.auth else {
        return Ok(None);
    };
    let headers = &parts.headers;
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let trusted = parts
        .extensions
        .get::<listen::Connection>()
        .is_some_and(listen::Connection::is_trusted);
    let credentials = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(auth::parse_basic);
    let account = credentials.as_ref().map(|c| c.account_id);
    let throttle = &state.0.failures;
    if !trusted {
        if let Err(wait) = throttle.check(peer, account) {
            return Err(Outcome::AuthThrottled.refusal(ServerError::auth_throttled(wait)));
        }
    }
    let entry = credentials.as_ref().and_then(|c| clients.authenticate(c));
    let Some(entry) = entry else {
        throttle.failed(peer, account);
        return Err(Outcome::Unauthorized.refusal(ServerError::unauthorized()));
    };
    pending.out.client = Some(entry.name.clone());
    // An app's own id is taken only once it has proven who it is.
    if let Some(id) = incoming_request_id(headers) {
        pending.request_id = id;
        pending.app_request_id = true;
    }
    if !entry.endpoints.contains(&service) {
        return Err(Outcome::Forbidden.refusal(ServerError::forbidden(service.name())));
    }
    Ok(Some(entry.name.as_str()))
}

/// An authenticated request, as [`process`] takes it.
struct Asked<'a> {
    service: Service,
    /// The client's name (`None` without a clients file).
    client: Option<&'a str>,
    headers: &'a HeaderMap,
    body_timeout: Duration,
    /// The worker serving it: its upstream client is used.
    worker: usize,
}

/// Reads, sanitizes and forwards an authenticated request. What its
/// audit record must keep even if the task is dropped midway (the policy,
/// the sanitized report, the audit reservation) goes on `pending` as it is
/// known; the outcome comes back as the result.
async fn process(
    state: &AppState,
    active: &Active,
    asked: Asked<'_>,
    body: Body,
    pending: &mut Pending,
) -> Result<Response, Refusal> {
    let Asked {
        service,
        client,
        headers,
        body_timeout,
        worker,
    } = asked;
    let bytes = read_body(headers, body, body_timeout).await;
    // The app's own id stays only if the body was read and the id names
    // neither its username nor its email address.
    if pending.app_request_id
        && bytes.as_ref().map_or(true, |b| {
            request_id_names_the_request(&pending.request_id, b)
        })
    {
        pending.request_id = random_request_id();
        pending.app_request_id = false;
    }
    let (policy, shadow) = active.policies.for_client(client);
    pending.out.policy_sha256 = Some(policy.shared_digest());
    let bytes = bytes.map_err(|e| e.outcome().refusal(e.answer()))?;
    if let Some(limiter) = client.and_then(|c| active.limiters.get(c)) {
        if let Err(wait) = limiter.check() {
            state.0.metrics.throttled(client.unwrap_or_default());
            return Err(Outcome::Throttled.refusal(ServerError::rate_limited(wait)));
        }
    }
    if let Some(candidate) = shadow {
        pending.out.shadow = Some((candidate.clone(), bytes.clone()));
    }
    let sanitized = match sanitize_request(policy, service.endpoint(), &bytes) {
        Ok(s) => s,
        Err(r) => {
            pending.out.path = Some(r.path.to_string());
            let code = r.code();
            let e = ServerError::new(StatusCode::BAD_REQUEST, code, r.to_string());
            return Err(Outcome::Rejected.refusal(e));
        }
    };
    drop(bytes);
    // No record, no forwarding: a place in the audit queue is taken first.
    match state.0.audit.reserve() {
        Ok(r) => pending.reservation = Some(r),
        Err(why) => {
            state.0.metrics.audit_refusal(why.name());
            return Err(Outcome::AuditUnavailable.refusal(ServerError::audit_unavailable()));
        }
    }
    let started = Instant::now();
    let answer = state
        .upstream(worker)
        .forward_within(service, &sanitized, state.0.upstream_timeout)
        .await;
    state.0.metrics.upstream(started.elapsed().as_secs_f64());
    pending.out.report = Some(sanitized.into_report());
    let raw = answer.map_err(upstream_failed)?;
    pending.out.upstream_status = Some(raw.status);
    pass_through(raw, |balance| state.balance(balance))
        .map_err(|e| Outcome::UpstreamError.refusal(e))
}

/// The answer to an upstream call that brought no answer back.
fn upstream_failed(e: client::Error) -> Refusal {
    match e {
        client::Error::Timeout => Outcome::UpstreamTimeout.refusal(ServerError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "UPSTREAM_TIMEOUT",
            "minFraud did not answer in time",
        )),
        client::Error::AnswerTooLarge => {
            tracing::warn!("upstream answer over the size limit");
            Outcome::UpstreamError.refusal(ServerError::new(
                StatusCode::BAD_GATEWAY,
                "UPSTREAM_INVALID_RESPONSE",
                "minFraud's answer was not understood",
            ))
        }
        e => {
            tracing::warn!(error = %e, "upstream call failed");
            Outcome::UpstreamError.refusal(ServerError::new(
                StatusCode::BAD_GATEWAY,
                "UPSTREAM_UNAVAILABLE",
                "minFraud could not be reached",
            ))
        }
    }
}

/// Why a request body could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BodyError {
    /// Larger than [`MAX_BODY_BYTES`].
    TooLarge,
    /// Cut off or malformed framing.
    Invalid,
    /// Not received within the body timeout.
    Late,
}

impl BodyError {
    fn outcome(self) -> Outcome {
        match self {
            Self::Late => Outcome::Timeout,
            Self::TooLarge | Self::Invalid => Outcome::BadRequest,
        }
    }

    fn answer(self) -> ServerError {
        match self {
            Self::TooLarge => ServerError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "REQUEST_TOO_LARGE",
                format!("The request body is larger than {MAX_BODY_BYTES} bytes"),
            ),
            Self::Invalid => ServerError::new(
                StatusCode::BAD_REQUEST,
                "BODY_INVALID",
                "The request body was cut off or malformed",
            ),
            Self::Late => ServerError::new(
                StatusCode::REQUEST_TIMEOUT,
                "REQUEST_TIMEOUT",
                "The request body was not received in time",
            ),
        }
    }
}

/// Reads the whole body within one deadline. Too large: the rest is read and
/// discarded up to [`MAX_DRAIN_BYTES`] (still within the deadline), then 413.
/// A body that breaks off or is malformed is `BODY_INVALID`.
async fn read_body(
    headers: &HeaderMap,
    body: Body,
    deadline: Duration,
) -> Result<Bytes, BodyError> {
    use http_body_util::BodyExt as _;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_DRAIN_BYTES as u64) {
        return Err(BodyError::TooLarge);
    }
    let read = async {
        let mut body = body;
        // A body that comes in one piece (the usual case) is kept as it
        // came, without a copy; pieces after the first are gathered here.
        let mut first: Option<Bytes> = None;
        let mut buf = Vec::new();
        let mut seen = 0usize;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| BodyError::Invalid)?;
            if let Ok(data) = frame.into_data() {
                seen += data.len();
                if seen <= MAX_BODY_BYTES {
                    if seen == data.len() {
                        first = Some(data);
                        continue;
                    }
                    if let Some(head) = first.take() {
                        let expected =
                            declared.map_or(0, |n| n.min(MAX_BODY_BYTES as u64) as usize);
                        buf.reserve(expected.max(seen));
                        buf.extend_from_slice(&head);
                    }
                    buf.extend_from_slice(&data);
                } else if seen > MAX_DRAIN_BYTES {
                    break;
                }
            }
        }
        if seen > MAX_BODY_BYTES {
            return Err(BodyError::TooLarge);
        }
        Ok(first.unwrap_or_else(|| Bytes::from(buf)))
    };
    match tokio::time::timeout(deadline, read).await {
        Ok(result) => result,
        Err(_) => Err(BodyError::Late),
    }
}

/// minFraud's answer back to the app: success and client errors as they
/// are; server errors and anything that is not minFraud's shape as 502.
fn pass_through(
    raw: RawResponse,
    balance: impl FnOnce(answer::Balance),
) -> Result<Response, ServerError> {
    let bad = |why: &str| {
        tracing::warn!(status = raw.status, "{why}");
        ServerError::new(
            StatusCode::BAD_GATEWAY,
            "UPSTREAM_INVALID_RESPONSE",
            "minFraud's answer was not understood",
        )
    };
    if raw.status == 200 {
        match answer::read(&raw.body) {
            Some(b) => balance(b),
            None => return Err(bad("upstream answered 200 without a JSON object")),
        }
    }
    if raw.status == 401 {
        // minFraud refused the sidecar's own MaxMind credentials (a revoked
        // or rotated license key): not the app's fault, and not its 401.
        tracing::error!(
            "minFraud refused the sidecar's MaxMind credentials (HTTP 401); check MAXMIND_ACCOUNT_ID and the license key"
        );
        return Err(ServerError::new(
            StatusCode::BAD_GATEWAY,
            "UPSTREAM_AUTHORIZATION_INVALID",
            "minFraud refused the sidecar's MaxMind credentials; no answer was obtained",
        ));
    }
    match raw.status {
        200 | 204 | 400..=499 => {
            let status = StatusCode::from_u16(raw.status).map_err(|_| bad("bad status"))?;
            let mut response = Response::new(Body::from(if raw.status == 204 {
                Vec::new()
            } else {
                raw.body
            }));
            *response.status_mut() = status;
            if raw.status != 204 {
                if let Some(ct) = raw
                    .content_type
                    .and_then(|c| HeaderValue::from_str(&c).ok())
                {
                    response.headers_mut().insert(header::CONTENT_TYPE, ct);
                }
            }
            Ok(response)
        }
        500..=599 => Err(ServerError::new(
            StatusCode::BAD_GATEWAY,
            "UPSTREAM_ERROR",
            format!("minFraud answered HTTP {}", raw.status),
        )),
        _ => Err(bad("upstream answered an unexpected status")),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn outcomes_keep_the_names_audit_lines_and_metrics_have_always_used() {
        use super::Outcome::*;
        let all = [
            Forwarded,
            Rejected,
            BadRequest,
            Timeout,
            Unauthorized,
            AuthThrottled,
            Forbidden,
            Throttled,
            Shed,
            AuditUnavailable,
            UpstreamTimeout,
            UpstreamError,
            NotFound,
            MethodNotAllowed,
            Interrupted,
        ];
        let names: Vec<&str> = all.iter().map(|o| o.name()).collect();
        assert_eq!(
            names,
            [
                "forwarded",
                "rejected",
                "bad_request",
                "timeout",
                "unauthorized",
                "auth_throttled",
                "forbidden",
                "throttled",
                "shed",
                "audit_unavailable",
                "upstream_timeout",
                "upstream_error",
                "not_found",
                "method_not_allowed",
                "interrupted",
            ]
        );
        // Every variant is listed above: a new one fails to compile here.
        for o in all {
            match o {
                Forwarded | Rejected | BadRequest | Timeout | Unauthorized | AuthThrottled
                | Forbidden | Throttled | Shed | AuditUnavailable | UpstreamTimeout
                | UpstreamError | NotFound | MethodNotAllowed | Interrupted => {}
            }
        }
    }

    /// A card number of `len` digits starting with `prefix`, its middle
    /// digits from `seed` and its last digit the Luhn check digit.
    fn card(prefix: &str, len: usize, seed: u64) -> String {
        let mut digits: Vec<u32> = prefix.chars().filter_map(|c| c.to_digit(10)).collect();
        let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        while digits.len() < len - 1 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            digits.push(((x >> 33) % 10) as u32);
        }
        let sum: u32 = digits
            .iter()
            .rev()
            .enumerate()
            .map(|(i, &d)| {
                if i % 2 == 0 {
                    (d * 2) % 9 + u32::from(d == 9) * 9
                } else {
                    d
                }
            })
            .sum();
        digits.push((10 - sum % 10) % 10);
        digits.iter().map(|d| char::from(b'0' + *d as u8)).collect()
    }

    /// `pan` in groups of `groups` digits joined by `sep`.
    fn grouped(pan: &str, groups: &[usize], sep: &str) -> String {
        let mut out = Vec::new();
        let mut at = 0;
        for &g in groups {
            if at >= pan.len() {
                break;
            }
            let end = (at + g).min(pan.len());
            out.push(&pan[at..end]);
            at = end;
        }
        if at < pan.len() {
            out.push(&pan[at..]);
        }
        out.join(sep)
    }

    fn id_header(id: &str) -> axum::http::HeaderMap {
        let mut h = axum::http::HeaderMap::new();
        h.insert("x-request-id", id.parse().expect("header value"));
        h
    }

    #[test]
    fn request_ids_holding_a_card_number_are_replaced_in_every_brand_layout_and_placement() {
        let brands: [(&str, usize, &[usize]); 12] = [
            ("4", 16, &[4, 4, 4, 4]),
            ("4", 13, &[4, 4, 5]),
            ("4", 19, &[4, 4, 4, 4, 3]),
            ("51", 16, &[4, 4, 4, 4]),
            ("2221", 16, &[4, 4, 4, 4]),
            ("34", 15, &[4, 6, 5]),
            ("37", 15, &[4, 6, 5]),
            ("6011", 16, &[4, 4, 4, 4]),
            ("3528", 16, &[4, 4, 4, 4]),
            ("36", 14, &[4, 6, 4]),
            ("62", 19, &[6, 13]),
            ("6759", 16, &[4, 4, 4, 4]),
        ];
        let mut missed = 0;
        let mut tried = 0;
        for (i, (prefix, len, groups)) in brands.iter().enumerate() {
            let pan = card(prefix, *len, i as u64 + 7);
            for sep in ["", "-", ".", "/", ":", "_", "+", "="] {
                let body = grouped(&pan, groups, sep);
                for id in [
                    body.clone(),
                    format!("order-{body}"),
                    format!("{body}.retry-1"),
                    format!("checkout:{body}:2"),
                ] {
                    if id.len() > super::MAX_REQUEST_ID_LEN {
                        continue;
                    }
                    tried += 1;
                    if super::incoming_request_id(&id_header(&id)).is_some() {
                        missed += 1;
                    }
                }
            }
        }
        // Counts only: a failure must not print a card number.
        assert_eq!(
            missed, 0,
            "{missed} of {tried} ids holding a card were kept"
        );
        assert!(tried > 300);
    }

    #[test]
    fn request_ids_holding_an_email_address_are_refused_by_the_detector() {
        for id in [
            "jane.doe@example.com",
            "a+b@shop.example",
            "x\u{ff20}example.com",
        ] {
            assert!(super::request_id_holds_value(id), "{id}");
        }
    }

    #[test]
    fn ordinary_request_ids_are_kept() {
        for id in [
            "order-42:retry.1",
            "5f0c8a1e-9b7d-4c2a-8e6f-1b3d5a7c9e0f",
            "5f0c8a1e9b7d4c2a8e6f1b3d5a7c9e0f",
            "req-1234",
            "01ARZ3NDEKTSV4RRFFQ69G5FAV",
            "f47ac10b-58cc-4372-a567-0e02b2c3d479",
            "checkout/eu-west-1/7781",
            "Zm9vYmFyYmF6cXV4==",
            "cart+42=7",
            "A",
        ] {
            assert_eq!(
                super::incoming_request_id(&id_header(id)).as_deref(),
                Some(id),
                "{id}"
            );
        }
    }

    #[test]
    fn digits_count_together_across_punctuation_until_a_letter() {
        for (id, run) in [
            ("req-1234", 4),
            ("4111-1111", 8),
            ("41_11.11:11/1", 9),
            ("411111-000000-1111123", 19),
            ("1234a5678", 4),
            ("f47ac10b-58cc-4372-a567-0e02b2c3d479", 4),
            ("5f0c8a1e-9b7d-4c2a-8e6f-1b3d5a7c9e0f", 1),
            ("", 0),
        ] {
            assert_eq!(super::longest_digit_run(id), run, "{id}");
        }
    }

    #[test]
    fn shapes_that_could_carry_eight_digits_are_replaced() {
        // Date-times and number-only ids are replaced too: eight digits in
        // them cannot be told from a card's.
        for id in [
            "2026-12-07T01:02:03.456Z",
            "order-12345678",
            "1234-5678",
            "12.34.56.78",
            // UUID-shaped, but no RFC 9562 variant: digits count together.
            "f47ac10b-5812-3456-0567-0e02b2c3d479",
            "f47ac10b-5812-0456-a567-0e02b2c3d479",
        ] {
            assert_eq!(super::incoming_request_id(&id_header(id)), None, "{id}");
        }
        // An RFC 9562 UUID's decimal runs are a generator's random hex.
        for id in [
            "order-1234567",
            "1234-567a-8901",
            "f47ac10b-5812-3456-a567-0e02b2c3d479",
            "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        ] {
            assert!(super::incoming_request_id(&id_header(id)).is_some(), "{id}");
        }
    }

    fn username_body(username: &str, email: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "account": {"username": username},
            "email": {"address": email},
            "device": {"ip_address": "203.0.113.7"}
        }))
        .expect("json")
    }

    #[test]
    fn ids_naming_the_username_or_email_local_part_are_replaced() {
        let body = username_body("Jane.Doe_77", "shopper.one+tag@example.com");
        for id in [
            "Jane.Doe_77",
            "req-jane.doe_77-1",
            "JANEDOE77",
            "x-janedoe77",
            "shopper.one+tag",
            "shopperonetag:2",
        ] {
            assert!(super::request_id_names_the_request(id, &body), "{id}");
        }
        for id in ["req-1234", "order-42:retry.1", "jane-doe-78"] {
            assert!(!super::request_id_names_the_request(id, &body), "{id}");
        }
        // Username punctuation only: found as written.
        let body = username_body("-_-", "a@example.com");
        assert!(super::request_id_names_the_request("x-_-y", &body));
        // Unreadable bodies and members of another type: not kept.
        for body in [
            &b"{"[..],
            br#"{"account": {"username": 5}}"#,
            br#"{"account": {"username": "a", "username": "b"}}"#,
            br#"[1]"#,
        ] {
            assert!(super::request_id_names_the_request("req-1234", body));
        }
        assert!(!super::request_id_names_the_request("req-1234", b"{}"));
    }

    /// xorshift64*: seeded draws for the id-shape measurements.
    struct Draws(u64);

    impl Draws {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            self.0 = x;
            x.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
    }

    /// A random UUIDv4, as `uuid::Uuid::new_v4` writes it.
    fn uuid_v4(d: &mut Draws) -> String {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&d.next().to_le_bytes());
        b[8..].copy_from_slice(&d.next().to_le_bytes());
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h = crate::json::hex(&b);
        format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )
    }

    #[test]
    fn random_uuid_v4_ids_are_kept() {
        let mut d = Draws(0x05ee_d1d5);
        let n = 50_000;
        let (mut replaced, mut long_runs) = (0, 0);
        for _ in 0..n {
            let id = uuid_v4(&mut d);
            assert!(super::canonical_uuid(&id));
            long_runs +=
                usize::from(super::longest_digit_run(&id) > super::MAX_REQUEST_ID_DIGIT_RUN);
            if super::incoming_request_id(&id_header(&id)).is_none() {
                replaced += 1;
            }
        }
        eprintln!(
            "random UUIDv4 ids replaced: {replaced} of {n}; \
             {long_runs} hold more than {} digits in a row",
            super::MAX_REQUEST_ID_DIGIT_RUN
        );
        // About a quarter hold 8 digits in a row; only what the card
        // detector finds (a Luhn-valid number of a brand's length across
        // the hyphens, about 2 in 1,000) replaces one.
        assert!(long_runs * 5 > n);
        assert!(replaced * 200 <= n, "{replaced} of {n}");
    }

    #[test]
    fn random_ulids_are_kept() {
        const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        let mut d = Draws(0x0171d);
        let n = 20_000;
        let mut replaced = 0;
        for i in 0..n {
            // 48-bit milliseconds (around the 2020s) then 80 random bits.
            let time = 1_600_000_000_000u128 + (i as u128) * 7_919_113;
            let bits = (time << 80) | (u128::from(d.next()) << 16) | u128::from(d.next() & 0xffff);
            let id: String = (0..26)
                .rev()
                .map(|k| char::from(CROCKFORD[((bits >> (5 * k)) & 31) as usize]))
                .collect();
            if super::incoming_request_id(&id_header(&id)).is_none() {
                replaced += 1;
            }
        }
        eprintln!("random ULIDs replaced: {replaced} of {n}");
        // A ULID's 26 places are digits 10 times in 32: eight in a row
        // somewhere happens about 16 times in 10,000.
        assert!(replaced * 100 < n, "{replaced} of {n}");
    }

    #[test]
    fn request_ids_are_128_bit_hex_and_not_repeated_across_draws() {
        let ids: Vec<String> = (0..super::IDS_PER_DRAW * 4 + 3)
            .map(|_| super::random_request_id())
            .collect();
        assert!(ids
            .iter()
            .all(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())));
        let distinct: std::collections::HashSet<&String> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len());
    }
}
