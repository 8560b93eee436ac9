//! The sidecar: minFraud's own HTTP API in front of legacy services.
//!
//! An app keeps its official minFraud client and only points it at the
//! sidecar. Each request is authenticated with the app's *local* credentials
//! ([`auth`]), sanitized with the client's policy, forwarded to minFraud with
//! the real MaxMind key by the [`crate::client`], and minFraud's answer is
//! handed back. Every failure is answered in minFraud's error shape
//! ([`error`]); every request leaves one audit line ([`audit`]).
//!
//! [`router`] is the public API, [`admin_router`] serves `/healthz`,
//! `/readyz` and `/metrics`, and [`serve`] runs either on a plain or a TLS
//! listener (HTTP/1.1 and h2; h2c upgrade headers on plain HTTP are ignored,
//! so the request is answered over HTTP/1.1) until shutdown, letting
//! in-flight requests finish.

pub mod audit;
pub mod auth;
pub mod error;
pub mod metrics;

use crate::client::{self, Client, RawResponse, Service};
use crate::policy::{self, Policy};
use crate::sanitize::{sanitize_request, Report};
use crate::secret::HashKey;
use audit::{AuditLog, Record};
use auth::Clients;
use axum::body::{Body, Bytes};
use axum::error_handling::HandleErrorLayer;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use error::ServerError;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// minFraud's own limit on request bodies.
pub const MAX_BODY_BYTES: usize = 20_000;

// === Policies ===

/// The policies in force: the sidecar's default and each client's own.
#[derive(Debug)]
pub struct Policies {
    /// The `--policy` (or the embedded default).
    pub default: Arc<Policy>,
    /// Policies of clients that name one, by client name.
    pub per_client: HashMap<String, Arc<Policy>>,
}

/// Where the policies come from, so that SIGHUP can read them again.
#[derive(Debug, Clone)]
pub struct PolicySources {
    /// `--policy`, or `None` for the embedded default.
    pub default: Option<PathBuf>,
    /// (client name, policy file) for clients with their own.
    pub per_client: Vec<(String, PathBuf)>,
    /// The key for `keyed_hash` and fingerprints.
    pub hash_key: Option<Arc<HashKey>>,
}

impl PolicySources {
    /// Loads and compiles every policy.
    ///
    /// # Errors
    /// The first policy error (file, line, key), or a policy that needs the
    /// hash key when none is configured.
    pub fn load(&self) -> Result<Policies, String> {
        let prepare = |p: Policy| -> Result<Arc<Policy>, String> {
            match (&self.hash_key, p.requires_hash_key()) {
                (Some(k), _) => Ok(Arc::new(p.with_hash_key(k.clone()))),
                (None, true) => Err(format!(
                    "{}: the policy needs a hash key (--hash-key-file)",
                    p.origin()
                )),
                (None, false) => Ok(Arc::new(p)),
            }
        };
        let default = match &self.default {
            Some(path) => policy::load(path),
            None => Policy::embedded_default(),
        }
        .map_err(|e| e.to_string())
        .and_then(prepare)?;
        let mut per_client = HashMap::new();
        for (name, path) in &self.per_client {
            let p = policy::load(path)
                .map_err(|e| e.to_string())
                .and_then(prepare)?;
            per_client.insert(name.clone(), p);
        }
        Ok(Policies {
            default,
            per_client,
        })
    }
}

// === State ===

/// How apps authenticate.
#[derive(Debug)]
pub enum Auth {
    /// Against the clients file.
    Clients(Clients),
    /// Not at all: only with `--dangerous-allow-unauthenticated` on loopback.
    DangerousNone,
}

/// Everything a request needs; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    policies: RwLock<Arc<Policies>>,
    sources: PolicySources,
    auth: Auth,
    upstream: Client,
    upstream_timeout: Duration,
    audit: AuditLog,
    metrics: metrics::Metrics,
    ready: AtomicBool,
    boot: u64,
    next_id: AtomicU64,
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
        let policies = sources.load()?;
        let boot = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Ok(Self(Arc::new(Inner {
            policies: RwLock::new(Arc::new(policies)),
            sources,
            auth,
            upstream,
            upstream_timeout,
            audit,
            metrics: metrics::Metrics::new(),
            ready: AtomicBool::new(true),
            boot,
            next_id: AtomicU64::new(0),
        })))
    }

    fn policies(&self) -> Arc<Policies> {
        match self.0.policies.read() {
            Ok(p) => p.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reads every policy again and swaps them in at once; on any error the
    /// old policies keep serving.
    ///
    /// # Errors
    /// The reason the new policies were refused.
    pub fn reload(&self) -> Result<String, String> {
        match self.0.sources.load() {
            Ok(new) => {
                let digest = new.default.digest().to_owned();
                match self.0.policies.write() {
                    Ok(mut p) => *p = Arc::new(new),
                    Err(poisoned) => *poisoned.into_inner() = Arc::new(new),
                }
                self.0.metrics.reload("ok");
                tracing::info!(policy_sha256 = %digest, "policies reloaded");
                Ok(digest)
            }
            Err(e) => {
                self.0.metrics.reload("refused");
                tracing::error!(error = %e, "policy reload refused; the old policies keep serving");
                Err(e)
            }
        }
    }

    /// Marks the sidecar as shutting down (`/readyz` answers 503).
    pub fn set_not_ready(&self) {
        self.0.ready.store(false, Ordering::SeqCst);
    }

    /// The default policy's digest.
    pub fn policy_digest(&self) -> String {
        self.policies().default.digest().to_owned()
    }

    fn request_id(&self) -> String {
        let n = self.0.next_id.fetch_add(1, Ordering::Relaxed);
        format!("{:x}-{n:06}", self.0.boot)
    }
}

// === Routers ===

/// Limits on inbound requests, applied as tower layers.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Requests processed at once; more are answered 503.
    pub max_concurrency: usize,
    /// Time allowed to receive a request body.
    pub body_timeout: Duration,
    /// Time allowed to receive request headers (and the TLS handshake).
    pub header_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_concurrency: 256,
            body_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
        }
    }
}

/// The public API: minFraud's four paths.
pub fn router(state: AppState, limits: Limits) -> Router {
    let mut r = Router::new();
    for service in Service::ALL {
        r = r.route(
            service.path(),
            post(
                move |State(s): State<AppState>, headers: HeaderMap, body: Body| {
                    handle(s, service, headers, body)
                },
            ),
        );
    }
    r.fallback(|| async {
        ServerError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "No such minFraud endpoint",
        )
    })
    .method_not_allowed_fallback(|| async {
        ServerError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "minFraud endpoints take POST",
        )
    })
    .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
        limits.body_timeout,
    ))
    .layer(
        tower::ServiceBuilder::new()
            .layer(HandleErrorLayer::new(|_: tower::BoxError| async {
                ServerError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "SERVICE_UNAVAILABLE",
                    "The sidecar is at capacity; try again",
                )
            }))
            .load_shed()
            .concurrency_limit(limits.max_concurrency),
    )
    .with_state(state)
}

/// `/healthz`, `/readyz`, `/metrics`.
pub fn admin_router(state: AppState) -> Router {
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
                if s.0.ready.load(Ordering::SeqCst) {
                    (StatusCode::OK, "ready\n")
                } else {
                    (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n")
                }
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
                    s.0.metrics.render(),
                )
            }),
        )
        .with_state(state)
}

// === The handler ===

/// What happened to one request, for the audit line and metrics.
#[derive(Default)]
struct Outcome {
    client: Option<String>,
    policy_sha256: Option<String>,
    report: Option<Report>,
    outcome: &'static str,
    code: Option<&'static str>,
    path: Option<String>,
    upstream_status: Option<u16>,
}

async fn handle(state: AppState, service: Service, headers: HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    let request_id = state.request_id();
    let mut out = Outcome::default();
    let mut response = match process(&state, service, &headers, body, &mut out).await {
        Ok(r) => r,
        Err(e) => {
            out.code = Some(e.code);
            state.0.metrics.rejection(e.code);
            e.into_response()
        }
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", v);
    }
    state.0.metrics.request(service.name(), out.outcome);
    state.0.audit.write(&Record {
        request_id: &request_id,
        client: out.client.as_deref(),
        endpoint: service.name(),
        policy_sha256: out.policy_sha256.as_deref(),
        applied: out.report.as_ref(),
        outcome: out.outcome,
        code: out.code,
        path: out.path.take(),
        upstream_status: out.upstream_status,
        latency: started.elapsed(),
    });
    response
}

async fn process(
    state: &AppState,
    service: Service,
    headers: &HeaderMap,
    body: Body,
    out: &mut Outcome,
) -> Result<Response, ServerError> {
    let policies = state.policies();
    let policy = match &state.0.auth {
        Auth::DangerousNone => policies.default.clone(),
        Auth::Clients(clients) => {
            let entry = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(auth::parse_basic)
                .and_then(|c| clients.authenticate(&c));
            let Some(entry) = entry else {
                out.outcome = "unauthorized";
                return Err(ServerError::unauthorized());
            };
            out.client = Some(entry.name.clone());
            if !entry.endpoints.contains(&service) {
                out.outcome = "forbidden";
                return Err(ServerError::forbidden(service.name()));
            }
            policies
                .per_client
                .get(&entry.name)
                .unwrap_or(&policies.default)
                .clone()
        }
    };
    out.policy_sha256 = Some(policy.digest().to_owned());

    let bytes = read_body(headers, body)
        .await
        .inspect_err(|_| out.outcome = "bad_request")?;
    let sanitized = match sanitize_request(&policy, service.endpoint(), &bytes) {
        Ok(s) => s,
        Err(r) => {
            out.outcome = "rejected";
            out.path = Some(r.path.to_string());
            let code = r.code();
            return Err(ServerError::new(
                StatusCode::BAD_REQUEST,
                code,
                r.to_string(),
            ));
        }
    };
    drop(bytes);
    out.report = Some(sanitized.report().clone());

    let started = Instant::now();
    let answer = tokio::time::timeout(
        state.0.upstream_timeout,
        state.0.upstream.forward(service, &sanitized),
    )
    .await;
    state.0.metrics.upstream(started.elapsed().as_secs_f64());
    let raw = match answer {
        Err(_) | Ok(Err(client::Error::Timeout)) => {
            out.outcome = "upstream_timeout";
            return Err(ServerError::new(
                StatusCode::GATEWAY_TIMEOUT,
                "UPSTREAM_TIMEOUT",
                "minFraud did not answer in time",
            ));
        }
        Ok(Err(e)) => {
            out.outcome = "upstream_error";
            tracing::warn!(error = %e, "upstream call failed");
            return Err(ServerError::new(
                StatusCode::BAD_GATEWAY,
                "UPSTREAM_UNAVAILABLE",
                "minFraud could not be reached",
            ));
        }
        Ok(Ok(raw)) => raw,
    };
    out.upstream_status = Some(raw.status);
    pass_through(raw)
        .inspect(|_| out.outcome = "forwarded")
        .inspect_err(|_| out.outcome = "upstream_error")
}

async fn read_body(headers: &HeaderMap, body: Body) -> Result<Bytes, ServerError> {
    let too_large = || {
        ServerError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "REQUEST_TOO_LARGE",
            format!("The request body is larger than {MAX_BODY_BYTES} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let limited = http_body_util::Limited::new(body, MAX_BODY_BYTES);
    match http_body_util::BodyExt::collect(limited).await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Err(_) => Err(ServerError::new(
            StatusCode::REQUEST_TIMEOUT,
            "REQUEST_TIMEOUT",
            "The request body was not received in time",
        )),
    }
}

/// minFraud's answer back to the app: success and client errors as they
/// are; server errors and anything that is not minFraud's shape as 502.
fn pass_through(raw: RawResponse) -> Result<Response, ServerError> {
    let bad = |why: &str| {
        tracing::warn!(status = raw.status, "{why}");
        ServerError::new(
            StatusCode::BAD_GATEWAY,
            "UPSTREAM_INVALID_RESPONSE",
            "minFraud's answer was not understood",
        )
    };
    match raw.status {
        200 if serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&raw.body)
            .is_err() =>
        {
            Err(bad("upstream answered 200 without a JSON object"))
        }
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

// === Serving ===

/// Serves `app` on `listener` (TLS when `tls` is given) until `shutdown`
/// turns true; then stops accepting and waits up to `grace` for open
/// connections to finish their requests.
pub async fn serve(
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    app: Router,
    mut shutdown: watch::Receiver<bool>,
    limits: Limits,
    grace: Duration,
) {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(256);
    let builder = Arc::new(builder);
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((tcp, _peer)) = accepted else { continue };
                let _ = tcp.set_nodelay(true);
                let service = hyper_util::service::TowerToHyperService::new(app.clone());
                let watcher = graceful.watcher();
                let builder = builder.clone();
                let acceptor = acceptor.clone();
                let handshake = limits.header_timeout;
                tokio::spawn(async move {
                    match acceptor {
                        None => {
                            let conn = builder.serve_connection_with_upgrades(TokioIo::new(tcp), service);
                            let _ = watcher.watch(conn.into_owned()).await;
                        }
                        Some(acceptor) => {
                            let Ok(Ok(stream)) = tokio::time::timeout(handshake, acceptor.accept(tcp)).await else {
                                return;
                            };
                            let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
                            let _ = watcher.watch(conn.into_owned()).await;
                        }
                    }
                });
            }
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(grace) => tracing::warn!("shutdown grace period over; closing open connections"),
    }
}

/// A rustls server configuration (ring) from PEM files, offering h2 and http/1.1.
///
/// # Errors
/// A message naming the file that could not be read or used.
pub fn tls_config(
    cert: &std::path::Path,
    key: &std::path::Path,
) -> Result<Arc<rustls::ServerConfig>, String> {
    use rustls::pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("{}: {e}", cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate", cert.display()));
    }
    let key_der =
        PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: {e}", key.display()))?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| format!("TLS: {e}"))?
    .with_no_client_auth()
    .with_single_cert(certs, key_der)
    .map_err(|e| format!("{}: {e}", cert.display()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
