//! The upstream minFraud client. It sends only [`Sanitized`] requests, so raw
//! data cannot reach the network by construction, with the MaxMind
//! credentials that only it can read.
//!
//! - HTTP: reqwest over rustls with the *ring* crypto provider (aws-lc-rs cost
//!   54 % more clean-build time on a 2-core machine: 41.5 s against 27.0 s for
//!   reqwest + tokio), HTTP/2 negotiated by ALPN, HTTP/1.1 otherwise,
//!   pooled connections, a connect timeout and a whole-call timeout.
//! - Trust: Mozilla's roots (`webpki-roots`), or only the CAs given with
//!   [`ClientBuilder::root_ca_pem`] (tests, private CAs). Plain `http://` is
//!   accepted only for a loopback address.
//! - **Retries: none.** Every scoring call is billed, and a call that timed
//!   out may have been scored. reqwest's retry policy is set to `never`;
//!   hyper may still resend a request on a pooled connection that closed
//!   before any byte of it was written, which cannot be a duplicate.
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
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use secrecy::ExposeSecret as _;
use serde::de::DeserializeOwned;
use std::fmt;
use std::sync::Arc;
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
    fn transport(e: &reqwest::Error) -> Self {
        if e.is_timeout() {
            Error::Timeout
        } else {
            // reqwest's messages name the URL and the I/O cause, never headers.
            let mut msg = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                msg.push_str(": ");
                msg.push_str(&s.to_string());
                source = s.source();
            }
            Error::Connect(msg)
        }
    }
}

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

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] for a base URL that is not `https://` (or `http://`
    /// to a loopback address), or a PEM without certificates.
    pub fn build(self) -> Result<Client, Error> {
        let mut clients = self.build_many(1)?;
        clients
            .pop()
            .ok_or_else(|| Error::Config("HTTP client: none built".into()))
    }

    /// Builds `n` clients (at least one) with the same settings, each with
    /// a connection pool of its own. A server running one event loop per
    /// thread gives each loop its own client, so that a request and the
    /// connection it is sent on are handled by the same thread.
    ///
    /// # Errors
    /// As [`ClientBuilder::build`].
    pub fn build_many(self, n: usize) -> Result<Vec<Client>, Error> {
        let base = self.base_url.trim_end_matches('/').to_owned();
        check_base_url(&base).map_err(|e| Error::Config(format!("base URL: {e}")))?;
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
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Config(format!("TLS: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];

        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("txveil/", env!("CARGO_PKG_VERSION"))),
        );
        let http = || {
            reqwest::Client::builder()
                .tls_backend_preconfigured(tls.clone())
                .default_headers(headers.clone())
                .connect_timeout(self.connect_timeout)
                .timeout(self.timeout)
                .retry(reqwest::retry::never())
                // A redirect would re-send the request, with MaxMind's key, to
                // wherever `Location` says (even plain http); minFraud never
                // redirects, so a 3xx is answered as an invalid response.
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .pool_idle_timeout(Duration::from_secs(60))
                .build()
                .map_err(|e| Error::Config(format!("HTTP client: {e}")))
        };
        let url = |service: Service| {
            reqwest::Url::parse(&format!("{base}{}", service.path()))
                .map_err(|e| Error::Config(format!("base URL: {e}")))
        };
        let urls = Arc::new([
            url(Service::Score)?,
            url(Service::Insights)?,
            url(Service::Factors)?,
            url(Service::Report)?,
        ]);
        let authorization = authorization(&self.credentials);
        (0..n.max(1))
            .map(|_| {
                Ok(Client {
                    http: http()?,
                    base: base.clone(),
                    urls: urls.clone(),
                    authorization: authorization.clone(),
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
    let url = reqwest::Url::parse(base).map_err(|e| format!("not a URL: {e}"))?;
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
fn authorization(credentials: &Credentials) -> HeaderValue {
    let pair = Zeroizing::new(format!(
        "{}:{}",
        credentials.account_id,
        credentials.license_key.secret().expose_secret()
    ));
    let encoded = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(pair.as_bytes()));
    let header = Zeroizing::new(format!("Basic {}", encoded.as_str()));
    // Base64 and "Basic " are always valid header bytes.
    let mut value =
        HeaderValue::from_str(&header).unwrap_or_else(|_| HeaderValue::from_static("Basic"));
    value.set_sensitive(true);
    value
}

/// An async minFraud client. Cheap to clone (connections are pooled and shared).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    /// Each service's URL, parsed once, in the order of [`Service::ALL`].
    urls: Arc<[reqwest::Url; 4]>,
    authorization: HeaderValue,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder with MaxMind's production host and default timeouts.
    pub fn builder(credentials: Credentials) -> ClientBuilder {
        ClientBuilder {
            credentials,
            base_url: DEFAULT_BASE_URL.to_owned(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
            root_ca_pem: Vec::new(),
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
        if request.endpoint() != service.endpoint() {
            return Err(Error::WrongEndpoint {
                service: service.name(),
                given: request.endpoint().name(),
            });
        }
        let response = self
            .http
            .post(self.urls[service.index()].clone())
            .header(AUTHORIZATION, self.authorization.clone())
            .body(request.json().to_vec())
            .send()
            .await
            .map_err(|e| Error::transport(&e))?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if response
            .content_length()
            .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
        {
            return Err(Error::AnswerTooLarge);
        }
        let mut response = response;
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| Error::transport(&e))? {
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
