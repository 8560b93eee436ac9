//! The upstream minFraud client. It sends only [`Sanitized`] requests, so raw
//! data cannot reach the network by construction, with the MaxMind
//! credentials that only it can read.
//!
//! - HTTP, two transports behind one [`Client`]:
//!   - [`ClientBuilder::build`]: [`reqwest`] over rustls with the
//!     *ring* crypto provider, or the application's own `reqwest::Client`
//!     ([`ClientBuilder::http_client`]) so that its proxy, roots, timeouts
//!     and pool apply. Without one, the proxy comes from `HTTPS_PROXY`,
//!     `ALL_PROXY` and `NO_PROXY`.
//!   - [`ClientBuilder::build_many`]: the sidecar's, hyper's pooled client
//!     (`hyper-util`'s, the one reqwest is built on) without reqwest's
//!     layers above it, one pool per event loop.
//!
//!   Both negotiate HTTP/2 by ALPN (HTTP/1.1 otherwise), set `TCP_NODELAY`,
//!   bound connecting (TCP and TLS together) and the whole call, and follow
//!   no redirect. Both send the same request, with the same
//!   `Authorization` header, built in one place.
//! - Trust: Mozilla's roots (`webpki-roots`), or only the CAs given with
//!   [`ClientBuilder::root_ca_pem`] (tests, private CAs). Plain `http://` is
//!   accepted only for a loopback address.
//! - **Retries: none.** Every scoring call is billed, and a call that timed
//!   out may have been scored. hyper resends a request only on a pooled
//!   connection that closed before any byte of it was written, which cannot
//!   be a duplicate.
//! - Errors follow the official clients' mapping of minFraud's codes; none
//!   carries the license key.
//!
//! # Example
//!
//! ```no_run
//! use txveil::{client::Client, config, sanitize_request, schema::Endpoint, Policy};
//!
//! # async fn run(body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
//! let policy = Policy::embedded_default()?;
//! let client = Client::builder(config::credentials(&config::Env)?)
//!     .base_url(txveil::client::SANDBOX_BASE_URL)
//!     .build()?;
//! let request = sanitize_request(&policy, Endpoint::Transaction, body)?;
//! let score = client.score(&request).await?;
//! println!("risk {:?}, warnings {}", score.model.risk_score, score.model.warnings.len());
//! # Ok(()) }
//! ```

pub mod model;

use crate::sanitize::Sanitized;
use crate::schema::Endpoint;
use crate::secret::Credentials;
use base64::Engine as _;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use hyper::{Method, Request, Uri};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use secrecy::ExposeSecret as _;
use serde::de::DeserializeOwned;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;
use zeroize::Zeroizing;

/// MaxMind's production host.
pub const DEFAULT_BASE_URL: &str = "https://minfraud.maxmind.com";
/// MaxMind's sandbox host.
pub const SANDBOX_BASE_URL: &str = "https://sandbox.maxmind.com";

/// A minFraud web service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Service {
    /// `POST /minfraud/v2.0/score`.
    Score,
    /// `POST /minfraud/v2.0/insights`.
    Insights,
    /// `POST /minfraud/v2.0/factors`.
    Factors,
    /// `POST /minfraud/v2.0/transactions/report`.
    Report,
}

impl Service {
    /// Every service.
    pub const ALL: [Service; 4] = [
        Service::Score,
        Service::Insights,
        Service::Factors,
        Service::Report,
    ];

    /// The position in [`Service::ALL`].
    pub fn index(self) -> usize {
        match self {
            Service::Score => 0,
            Service::Insights => 1,
            Service::Factors => 2,
            Service::Report => 3,
        }
    }

    /// The path under the base URL.
    pub fn path(self) -> &'static str {
        match self {
            Service::Score => "/minfraud/v2.0/score",
            Service::Insights => "/minfraud/v2.0/insights",
            Service::Factors => "/minfraud/v2.0/factors",
            Service::Report => "/minfraud/v2.0/transactions/report",
        }
    }

    /// The short name (`score`, `insights`, `factors`, `report`).
    pub fn name(self) -> &'static str {
        match self {
            Service::Score => "score",
            Service::Insights => "insights",
            Service::Factors => "factors",
            Service::Report => "report",
        }
    }

    /// The request body this service takes.
    pub fn endpoint(self) -> Endpoint {
        match self {
            Service::Report => Endpoint::Report,
            _ => Endpoint::Transaction,
        }
    }
}

/// Why a call failed. Never carries the license key or request data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client could not be configured (bad base URL, bad CA file).
    #[error("client configuration: {0}")]
    Config(String),
    /// A request sanitized for the other endpoint was given.
    #[error("a {given} request cannot be sent to {service}")]
    WrongEndpoint {
        /// The service called.
        service: &'static str,
        /// The endpoint the request was sanitized for.
        given: &'static str,
    },
    /// 401: AUTHORIZATION_INVALID, LICENSE_KEY_REQUIRED, ACCOUNT_ID_REQUIRED or USER_ID_REQUIRED.
    #[error("authentication failed ({code})")]
    Authentication {
        /// minFraud's code.
        code: String,
    },
    /// 402 INSUFFICIENT_FUNDS.
    #[error("insufficient funds")]
    InsufficientFunds,
    /// 403 PERMISSION_REQUIRED.
    #[error("permission required for this service")]
    PermissionRequired,
    /// Any other minFraud error code (400 JSON_INVALID, IP_ADDRESS_INVALID, ...).
    #[error("invalid request ({code}, HTTP {status})")]
    InvalidRequest {
        /// minFraud's code.
        code: String,
        /// minFraud's message.
        message: String,
        /// HTTP status.
        status: u16,
    },
    /// A 4xx without a minFraud error body.
    #[error("HTTP {status} without a minFraud error body")]
    Http {
        /// HTTP status.
        status: u16,
    },
    /// A 5xx from upstream.
    #[error("upstream server error (HTTP {status})")]
    Server {
        /// HTTP status.
        status: u16,
    },
    /// A status minFraud does not answer with for this service.
    #[error("unexpected HTTP status {status}")]
    UnexpectedStatus {
        /// HTTP status.
        status: u16,
    },
    /// A success status with a body that is not the expected JSON.
    #[error("unexpected response body")]
    UnexpectedBody,
    /// The call did not finish within the configured timeout.
    #[error("upstream timed out")]
    Timeout,
    /// The answer was larger than [`MAX_ANSWER_BYTES`].
    #[error("upstream answer larger than {MAX_ANSWER_BYTES} bytes")]
    AnswerTooLarge,
    /// The connection failed (refused, reset, TLS).
    #[error("cannot reach upstream: {0}")]
    Connect(String),
}

impl Error {
    /// A failed exchange: [`Error::Timeout`] when connecting took too long,
    /// otherwise [`Error::Connect`] with the causes in words (hyper's and
    /// rustls' messages name the I/O or TLS cause, never headers).
    fn transport(e: &(dyn std::error::Error + 'static)) -> Self {
        let mut msg = e.to_string();
        let mut source = e.source();
        while let Some(s) = source {
            if s.is::<ConnectTimedOut>() {
                return Error::Timeout;
            }
            msg.push_str(": ");
            msg.push_str(&s.to_string());
            source = s.source();
        }
        Error::Connect(msg)
    }
}

/// The `User-Agent` of every call.
const USER_AGENT_VALUE: &str = concat!("txveil/", env!("CARGO_PKG_VERSION"));

/// The largest answer read from minFraud (its answers are a few KB).
pub const MAX_ANSWER_BYTES: usize = 1 << 20;

/// minFraud's answer, passed through unchanged (the sidecar's use).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawResponse {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

/// Builds a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    credentials: Credentials,
    base_url: String,
    connect_timeout: Duration,
    timeout: Duration,
    root_ca_pem: Vec<Vec<u8>>,
    /// The application's own HTTP client, when it gives one.
    http: Option<reqwest::Client>,
    /// The sidecar's egress proxy and the hosts that bypass it
    /// ([`ClientBuilder::https_proxy`]).
    proxy: Option<(String, String)>,
}

impl ClientBuilder {
    /// The base URL (default [`DEFAULT_BASE_URL`]; [`SANDBOX_BASE_URL`] for testing).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }
    /// Time allowed to connect, including TLS (default 5 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }
    /// Time allowed for a whole call (default 30 s).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }
    /// Trust only CAs from this PEM (may be given several times) instead of
    /// Mozilla's roots.
    pub fn root_ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_ca_pem.push(pem.into());
        self
    }

    /// Sends through an HTTP proxy (`http://[user:password@]host:port`) on
    /// the sidecar's transport ([`ClientBuilder::build_many`]): an HTTP
    /// CONNECT tunnel to minFraud's host, with TLS to minFraud inside it, so
    /// the proxy sees the host name and encrypted bytes, never the license
    /// key or a request. `no_proxy` lists hosts reached directly, as
    /// `NO_PROXY` does (comma-separated names, domains, IP addresses and
    /// CIDR ranges, `*` for all). A plain `http://` upstream (loopback only)
    /// never goes through the proxy: the key would cross it in clear.
    pub fn https_proxy(mut self, proxy: impl Into<String>, no_proxy: impl Into<String>) -> Self {
        self.proxy = Some((proxy.into(), no_proxy.into()));
        self
    }

    /// Sends through the application's own [`reqwest::Client`], so that its
    /// proxy, trusted roots, timeouts and connection pool apply. txveil still
    /// adds its own whole-call timeout ([`ClientBuilder::timeout`]) and its
    /// own headers; [`ClientBuilder::root_ca_pem`] and
    /// [`ClientBuilder::connect_timeout`] then have no effect. Give it a
    /// client that does not follow redirects
    /// (`redirect(reqwest::redirect::Policy::none())`): a followed redirect
    /// would send the request and MaxMind's key wherever `Location` says.
    ///
    /// ```no_run
    /// # fn f(credentials: txveil::secret::Credentials) -> Result<(), Box<dyn std::error::Error>> {
    /// let http = reqwest::Client::builder()
    ///     .proxy(reqwest::Proxy::https("http://egress.internal:3128")?)
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .build()?;
    /// let client = txveil::client::Client::builder(credentials)
    ///     .http_client(http)
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Builds the client. It sends through [`reqwest`]: the client
    /// given to [`ClientBuilder::http_client`], or one built here over
    /// rustls with the trusted roots and connect timeout set on this
    /// builder, that follows no redirect and takes its proxy from
    /// `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` as reqwest does.
    ///
    /// # Errors
    /// [`Error::Config`] for a base URL that is not `https://` (or `http://`
    /// to a loopback address), or a PEM without certificates.
    pub fn build(mut self) -> Result<Client, Error> {
        let http = match self.http.take() {
            Some(http) => http,
            None => reqwest::Client::builder()
                .use_preconfigured_tls({
                    let mut tls = self.tls()?;
                    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
                    tls
                })
                .connect_timeout(self.connect_timeout)
                .tcp_nodelay(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| Error::Config(format!("HTTP client: {e}")))?,
        };
        let mut clients = self.build_with(1, |_| Transport::Reqwest(http.clone()))?;
        clients
            .pop()
            .ok_or_else(|| Error::Config("HTTP client: none built".into()))
    }

    /// Builds `n` clients (at least one) with the same settings, each with
    /// a connection pool of its own, on the sidecar's transport: hyper's
    /// pooled client over rustls, without reqwest's layers above it (no
    /// proxy from the environment, no client of the application's). A
    /// server running one event loop per thread gives each loop its own
    /// client, so that a request and the connection it is sent on are
    /// handled by the same thread.
    ///
    /// # Errors
    /// As [`ClientBuilder::build`].
    pub fn build_many(self, n: usize) -> Result<Vec<Client>, Error> {
        let tls = self.tls()?;
        let mut tcp = HttpConnector::new();
        tcp.set_nodelay(true);
        // `https_or_http` below decides the schemes; `check_base_url` has
        // allowed plain http only to a loopback address.
        tcp.enforce_http(false);
        let route = match self.tunnel()? {
            Some((proxy, auth)) => {
                let mut tunnel = Tunnel::new(proxy, tcp);
                if let Some(auth) = auth {
                    tunnel = tunnel.with_auth(auth);
                }
                Route::Tunnel(tunnel)
            }
            None => Route::Direct(tcp),
        };
        let tls = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(route);
        let connector = Connector {
            inner: tls,
            timeout: self.connect_timeout,
        };
        // hyper's client has no redirect layer: a 3xx comes back as it is.
        // Following one would re-send the request, with MaxMind's key, to
        // wherever `Location` says (even plain http).
        let http = || {
            hyper_util::client::legacy::Client::builder(TokioExecutor::new())
                .pool_idle_timeout(Duration::from_secs(60))
                .pool_timer(TokioTimer::new())
                .timer(TokioTimer::new())
                .build(connector.clone())
        };
        self.build_with(n, |_| Transport::Lean(Box::new(http())))
    }

    /// The proxy to tunnel through to the base URL's host, with its
    /// `Proxy-Authorization`, or `None` to connect directly.
    fn tunnel(&self) -> Result<Option<(Uri, Option<HeaderValue>)>, Error> {
        let Some((proxy, no_proxy)) = &self.proxy else {
            return Ok(None);
        };
        if proxy.trim().is_empty() {
            return Ok(None);
        }
        let bad = |why: &str| Error::Config(format!("upstream proxy: {why}"));
        let parsed = url::Url::parse(proxy).map_err(|_| bad("not a URL (http://host:port)"))?;
        if parsed.scheme() != "http" || parsed.host_str().is_none() {
            return Err(bad(
                "only http://host:port proxies (CONNECT); TLS to minFraud runs inside the tunnel",
            ));
        }
        let base: Uri = self
            .base_url
            .parse()
            .map_err(|_| Error::Config("base URL: not a URI".into()))?;
        if base.scheme_str() != Some("https") {
            return Ok(None);
        }
        let matcher = hyper_util::client::proxy::matcher::Matcher::builder()
            .https(proxy.as_str())
            .no(no_proxy.as_str())
            .build();
        Ok(matcher
            .intercept(&base)
            .map(|i| (i.uri().clone(), i.basic_auth().cloned())))
    }

    /// The TLS settings: Mozilla's roots, or only the CAs given.
    fn tls(&self) -> Result<rustls::ClientConfig, Error> {
        let mut roots = rustls::RootCertStore::empty();
        if self.root_ca_pem.is_empty() {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        } else {
            use rustls::pki_types::{pem::PemObject, CertificateDer};
            for pem in &self.root_ca_pem {
                for cert in CertificateDer::pem_slice_iter(pem) {
                    let cert = cert.map_err(|e| Error::Config(format!("CA PEM: {e}")))?;
                    roots
                        .add(cert)
                        .map_err(|e| Error::Config(format!("CA certificate: {e}")))?;
                }
            }
            if roots.is_empty() {
                return Err(Error::Config("CA PEM holds no certificate".into()));
            }
        }
        // rustls deprecates its *ring* provider for lacking post-quantum key
        // exchange; txveil keeps *ring* (no aws-lc-rs: no C toolchain beyond
        // ring's own, a lean build) until a post-quantum group is available
        // on it. The classical groups it offers are those rustls defaults to.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Config(format!("TLS: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(tls)
    }

    /// `n` clients on the transports `transport` makes, sharing one
    /// `Authorization` header.
    fn build_with(
        self,
        n: usize,
        mut transport: impl FnMut(usize) -> Transport,
    ) -> Result<Vec<Client>, Error> {
        let base = self.base_url.trim_end_matches('/').to_owned();
        check_base_url(&base).map_err(|e| Error::Config(format!("base URL: {e}")))?;
        // Through `url` first, which writes scheme and host in their
        // canonical forms (lowercase, punycode).
        let url = |service: Service| {
            url::Url::parse(&format!("{base}{}", service.path()))
                .map_err(|e| Error::Config(format!("base URL: {e}")))?
                .as_str()
                .parse::<Uri>()
                .map_err(|e| Error::Config(format!("base URL: {e}")))
        };
        let urls = Arc::new([
            url(Service::Score)?,
            url(Service::Insights)?,
            url(Service::Factors)?,
            url(Service::Report)?,
        ]);
        let authorization = Arc::new(RwLock::new(authorization(&self.credentials)));
        (0..n.max(1))
            .map(|i| {
                Ok(Client {
                    http: transport(i),
                    base: base.clone(),
                    urls: urls.clone(),
                    authorization: authorization.clone(),
                    timeout: self.timeout,
                })
            })
            .collect()
    }
}

/// The rule for upstream URLs: `https://`, or plain `http://` only to a
/// loopback address (tests, a local fake). The client builder and the
/// sidecar's settings both apply it.
///
/// # Errors
/// What is wrong with `base`, in words.
pub(crate) fn check_base_url(base: &str) -> Result<(), String> {
    let url = url::Url::parse(base).map_err(|e| format!("not a URL: {e}"))?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err("plain http:// is only allowed to a loopback address".into()),
        other => Err(format!(
            "unsupported scheme {other}: use https://, or http:// to a loopback address"
        )),
    }
}

/// The `Authorization` header: the only place the license key is read.
///
/// The header's bytes are owned by a buffer that is wiped when the last
/// copy of the header is dropped (after a key rotation, once the requests
/// still using the old key are done), as every intermediate here is.
fn authorization(credentials: &Credentials) -> HeaderValue {
    let pair = Zeroizing::new(format!(
        "{}:{}",
        credentials.account_id,
        credentials.license_key.secret().expose_secret()
    ));
    let encoded = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(pair.as_bytes()));
    let mut header = Zeroizing::new(Vec::with_capacity(6 + encoded.len()));
    header.extend_from_slice(b"Basic ");
    header.extend_from_slice(encoded.as_bytes());
    // Base64 and "Basic " are always valid header bytes.
    let mut value = HeaderValue::from_maybe_shared(Bytes::from_owner(WipedOnDrop(header)))
        .unwrap_or_else(|_| HeaderValue::from_static("Basic"));
    value.set_sensitive(true);
    value
}

/// Bytes that are zeroed when dropped: the owner of the `Authorization`
/// header's buffer.
struct WipedOnDrop(Zeroizing<Vec<u8>>);

impl AsRef<[u8]> for WipedOnDrop {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// The connection maker: TCP (`TCP_NODELAY`), then TLS for `https://`,
/// the two within the connect timeout.
#[derive(Clone)]
struct Connector {
    inner: hyper_rustls::HttpsConnector<Route>,
    timeout: Duration,
}

/// The TCP connection under TLS: to minFraud's host, or to the egress
/// proxy and through a CONNECT tunnel to minFraud's host.
#[derive(Clone)]
enum Route {
    Direct(HttpConnector),
    Tunnel(Tunnel<HttpConnector>),
}

type Tcp = hyper_util::rt::TokioIo<tokio::net::TcpStream>;

impl tower::Service<Uri> for Route {
    type Response = Tcp;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Tcp, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        match self {
            Route::Direct(c) => c.poll_ready(cx).map_err(Into::into),
            Route::Tunnel(c) => c.poll_ready(cx).map_err(Into::into),
        }
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        match self {
            Route::Direct(c) => {
                let connecting = c.call(uri);
                Box::pin(async move { connecting.await.map_err(Into::into) })
            }
            Route::Tunnel(c) => {
                let connecting = c.call(uri);
                Box::pin(async move { connecting.await.map_err(Into::into) })
            }
        }
    }
}

/// Connecting (TCP and TLS) took longer than the connect timeout.
#[derive(Debug, thiserror::Error)]
#[error("connecting timed out")]
struct ConnectTimedOut;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl tower::Service<Uri> for Connector {
    type Response = hyper_rustls::MaybeHttpsStream<hyper_util::rt::TokioIo<tokio::net::TcpStream>>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(done) => done,
                Err(_) => Err(Box::new(ConnectTimedOut) as BoxError),
            }
        })
    }
}

/// How a [`Client`] sends.
#[derive(Clone)]
enum Transport {
    /// reqwest: the library's, or the application's own client.
    Reqwest(reqwest::Client),
    /// hyper's pooled client over rustls, one pool per event loop: the
    /// sidecar's.
    Lean(Box<hyper_util::client::legacy::Client<Connector, Full<Bytes>>>),
}

/// An async minFraud client. Cheap to clone (connections are pooled and shared).
#[derive(Clone)]
pub struct Client {
    http: Transport,
    base: String,
    /// Each service's URL, parsed once, in the order of [`Service::ALL`].
    urls: Arc<[Uri; 4]>,
    /// The `Authorization` header, shared by every client built together,
    /// so that [`Client::set_credentials`] changes it for all of them.
    authorization: Arc<RwLock<HeaderValue>>,
    timeout: Duration,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Replaces the MaxMind credentials of this client and of every client
    /// built with it ([`ClientBuilder::build_many`]): requests from now on
    /// carry the new ones. The old key is wiped once the requests already
    /// sent with it are done and the caller drops `credentials`.
    pub fn set_credentials(&self, credentials: &Credentials) {
        let header = authorization(credentials);
        let old = match self.authorization.write() {
            Ok(mut h) => std::mem::replace(&mut *h, header),
            Err(poisoned) => std::mem::replace(&mut *poisoned.into_inner(), header),
        };
        drop(old);
    }

    fn current_authorization(&self) -> HeaderValue {
        match self.authorization.read() {
            Ok(h) => h.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// A builder with MaxMind's production host and default timeouts.
    pub fn builder(credentials: Credentials) -> ClientBuilder {
        ClientBuilder {
            credentials,
            base_url: DEFAULT_BASE_URL.to_owned(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
            root_ca_pem: Vec::new(),
            http: None,
            proxy: None,
        }
    }

    /// Sends a sanitized request and returns minFraud's answer as it is,
    /// whatever the status. The sidecar hands it back to its caller.
    ///
    /// # Errors
    /// [`Error::WrongEndpoint`], [`Error::Timeout`], [`Error::Connect`] or
    /// [`Error::AnswerTooLarge`]. Redirects are not followed: a 3xx comes back
    /// as it is.
    pub async fn forward(
        &self,
        service: Service,
        request: &Sanitized,
    ) -> Result<RawResponse, Error> {
        self.forward_within(service, request, self.timeout).await
    }

    /// As [`Client::forward`], ending with [`Error::Timeout`] after `limit`
    /// when that comes before the client's own time limit (one timer for
    /// both: the sidecar's deadline and the client's).
    ///
    /// # Errors
    /// As [`Client::forward`].
    pub async fn forward_within(
        &self,
        service: Service,
        request: &Sanitized,
        limit: Duration,
    ) -> Result<RawResponse, Error> {
        if request.endpoint() != service.endpoint() {
            return Err(Error::WrongEndpoint {
                service: service.name(),
                given: request.endpoint().name(),
            });
        }
        let limit = limit.min(self.timeout);
        match tokio::time::timeout(limit, self.exchange(service, request)).await {
            Ok(answer) => answer,
            Err(_) => Err(Error::Timeout),
        }
    }

    /// One request and its whole answer, without the call's time limit.
    async fn exchange(&self, service: Service, request: &Sanitized) -> Result<RawResponse, Error> {
        let http = match &self.http {
            Transport::Lean(http) => http,
            Transport::Reqwest(http) => return self.exchange_reqwest(http, service, request).await,
        };
        let sent = Request::builder()
            .method(Method::POST)
            .uri(self.urls[service.index()].clone())
            .header(AUTHORIZATION, self.current_authorization())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE))
            .body(Full::new(request.shared_json()))
            .map_err(|e| Error::Connect(e.to_string()))?;
        let response = http.request(sent).await.map_err(|e| Error::transport(&e))?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut incoming = response.into_body();
        // The length hyper read from `Content-Length`, when the answer has one.
        let declared = hyper::body::Body::size_hint(&incoming).exact();
        if declared.is_some_and(|n| n > MAX_ANSWER_BYTES as u64) {
            return Err(Error::AnswerTooLarge);
        }
        let mut body = Vec::with_capacity(declared.map_or(0, |n| n as usize));
        while let Some(frame) = incoming.frame().await {
            let frame = frame.map_err(|e| Error::transport(&e))?;
            if let Some(chunk) = frame.data_ref() {
                if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                    return Err(Error::AnswerTooLarge);
                }
                body.extend_from_slice(chunk);
            }
        }
        Ok(RawResponse {
            status,
            content_type,
            body,
        })
    }

    /// [`Client::exchange`] through reqwest: the same request, the same
    /// limit on the answer.
    async fn exchange_reqwest(
        &self,
        http: &reqwest::Client,
        service: Service,
        request: &Sanitized,
    ) -> Result<RawResponse, Error> {
        let fail = |e: reqwest::Error| {
            if e.is_timeout() {
                Error::Timeout
            } else {
                // reqwest's message names the URL (which holds no
                // credentials) and the cause; never a header.
                Error::transport(&e)
            }
        };
        let mut response = http
            .post(self.urls[service.index()].to_string())
            .header(AUTHORIZATION, self.current_authorization())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE))
            .body(request.shared_json())
            .send()
            .await
            .map_err(fail)?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let declared = response.content_length();
        if declared.is_some_and(|n| n > MAX_ANSWER_BYTES as u64) {
            return Err(Error::AnswerTooLarge);
        }
        let mut body = Vec::with_capacity(declared.map_or(0, |n| n as usize));
        while let Some(chunk) = response.chunk().await.map_err(fail)? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(Error::AnswerTooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawResponse {
            status,
            content_type,
            body,
        })
    }

    async fn call<T: DeserializeOwned>(
        &self,
        service: Service,
        request: &Sanitized,
    ) -> Result<model::Response<T>, Error> {
        let raw = self.forward(service, request).await?;
        if raw.status != 200 {
            return Err(error_for(&raw));
        }
        let json: serde_json::Value =
            serde_json::from_slice(&raw.body).map_err(|_| Error::UnexpectedBody)?;
        let model = T::deserialize(&json).map_err(|_| Error::UnexpectedBody)?;
        Ok(model::Response { model, raw: json })
    }

    /// minFraud Score.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn score(&self, request: &Sanitized) -> Result<model::Response<model::Score>, Error> {
        self.call(Service::Score, request).await
    }

    /// minFraud Insights.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn insights(
        &self,
        request: &Sanitized,
    ) -> Result<model::Response<model::Insights>, Error> {
        self.call(Service::Insights, request).await
    }

    /// minFraud Factors.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn factors(
        &self,
        request: &Sanitized,
    ) -> Result<model::Response<model::Factors>, Error> {
        self.call(Service::Factors, request).await
    }

    /// Report Transaction; minFraud answers `204 No Content`.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn report(&self, request: &Sanitized) -> Result<(), Error> {
        let raw = self.forward(Service::Report, request).await?;
        match raw.status {
            204 => Ok(()),
            _ => Err(error_for(&raw)),
        }
    }
}

/// Maps a non-success answer as the official clients do.
fn error_for(raw: &RawResponse) -> Error {
    let status = raw.status;
    match status {
        400..=499 => {
            #[derive(serde::Deserialize)]
            struct Body {
                code: String,
                error: String,
            }
            let is_json = raw
                .content_type
                .as_deref()
                .is_some_and(|c| c.contains("json"));
            let Some(body) = is_json
                .then(|| serde_json::from_slice::<Body>(&raw.body).ok())
                .flatten()
            else {
                return Error::Http { status };
            };
            match body.code.as_str() {
                "ACCOUNT_ID_REQUIRED"
                | "AUTHORIZATION_INVALID"
                | "LICENSE_KEY_REQUIRED"
                | "USER_ID_REQUIRED" => Error::Authentication { code: body.code },
                "INSUFFICIENT_FUNDS" => Error::InsufficientFunds,
                "PERMISSION_REQUIRED" => Error::PermissionRequired,
                _ => Error::InvalidRequest {
                    code: body.code,
                    message: body.error,
                    status,
                },
            }
        }
        500..=599 => Error::Server { status },
        _ => Error::UnexpectedStatus { status },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::{AccountId, LicenseKey};

    fn creds() -> Credentials {
        Credentials {
            account_id: AccountId::new(42),
            license_key: LicenseKey::try_new(Zeroizing::new("abcdef123456".into())).unwrap(),
        }
    }

    #[test]
    fn authorization_header_matches_the_python_client_test_vector() {
        // minfraud-api-python tests: 42:abcdef123456 → Basic NDI6YWJjZGVmMTIzNDU2
        let h = authorization(&creds());
        assert_eq!(h.to_str().unwrap(), "Basic NDI6YWJjZGVmMTIzNDU2");
        assert!(h.is_sensitive());
        assert!(!format!("{h:?}").contains("NDI6"));
    }

    #[test]
    fn new_credentials_reach_every_client_built_together() {
        let clients = Client::builder(creds()).build_many(3).unwrap();
        assert_eq!(
            clients[2].current_authorization().to_str().unwrap(),
            "Basic NDI6YWJjZGVmMTIzNDU2"
        );
        clients[0].set_credentials(&Credentials {
            account_id: AccountId::new(42),
            license_key: LicenseKey::try_new(Zeroizing::new("rotated".into())).unwrap(),
        });
        for c in &clients {
            let h = c.current_authorization();
            assert_eq!(h.to_str().unwrap(), "Basic NDI6cm90YXRlZA==");
            assert!(h.is_sensitive());
        }
    }

    #[test]
    fn base_urls_must_be_https_or_loopback_http() {
        assert!(Client::builder(creds()).build().is_ok());
        assert!(Client::builder(creds())
            .base_url("http://127.0.0.1:9")
            .build()
            .is_ok());
        assert!(Client::builder(creds())
            .base_url("http://[::1]:9")
            .build()
            .is_ok());
        assert!(Client::builder(creds())
            .base_url("http://localhost:9")
            .build()
            .is_ok());
        assert!(matches!(
            Client::builder(creds()).base_url("http://10.0.0.1").build(),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            Client::builder(creds()).base_url("ftp://x").build(),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            Client::builder(creds())
                .root_ca_pem(b"no pem".to_vec())
                .build(),
            Err(Error::Config(_))
        ));
        let client = Client::builder(creds()).build().unwrap();
        assert!(!format!("{client:?}").contains("NDI6"));
    }

    #[test]
    fn maps_errors_like_the_official_clients() {
        let raw = |status, code: &str| RawResponse {
            status,
            content_type: Some(
                "application/vnd.maxmind.com-error+json; charset=UTF-8; version=2.0".into(),
            ),
            body: format!(r#"{{"code":"{code}","error":"msg"}}"#).into_bytes(),
        };
        for code in [
            "ACCOUNT_ID_REQUIRED",
            "AUTHORIZATION_INVALID",
            "LICENSE_KEY_REQUIRED",
            "USER_ID_REQUIRED",
        ] {
            assert!(matches!(
                error_for(&raw(401, code)),
                Error::Authentication { .. }
            ));
        }
        assert!(matches!(
            error_for(&raw(402, "INSUFFICIENT_FUNDS")),
            Error::InsufficientFunds
        ));
        assert!(matches!(
            error_for(&raw(403, "PERMISSION_REQUIRED")),
            Error::PermissionRequired
        ));
        match error_for(&raw(400, "IP_ADDRESS_INVALID")) {
            Error::InvalidRequest { code, status, .. } => {
                assert_eq!((code.as_str(), status), ("IP_ADDRESS_INVALID", 400))
            }
            other => panic!("{other:?}"),
        }
        let no_body = RawResponse {
            status: 403,
            content_type: None,
            body: vec![],
        };
        assert!(matches!(error_for(&no_body), Error::Http { status: 403 }));
        let not_json = RawResponse {
            status: 400,
            content_type: Some("text/plain".into()),
            body: b"{}".to_vec(),
        };
        assert!(matches!(error_for(&not_json), Error::Http { status: 400 }));
        assert!(matches!(
            error_for(&RawResponse {
                status: 503,
                content_type: None,
                body: vec![]
            }),
            Error::Server { status: 503 }
        ));
        assert!(matches!(
            error_for(&RawResponse {
                status: 301,
                content_type: None,
                body: vec![]
            }),
            Error::UnexpectedStatus { status: 301 }
        ));
    }
}
