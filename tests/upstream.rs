//! A fake minFraud upstream on 127.0.0.1:0, plain HTTP or TLS with a test CA.
//! It records every request it receives and answers with a given function.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{HeaderMap, Response, StatusCode};
use axum::Router;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;

/// One request the fake upstream received.
#[derive(Clone, Debug)]
pub(crate) struct Received {
    pub(crate) path: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
    pub(crate) version: axum::http::Version,
}

impl Received {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
    pub(crate) fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }
}

/// What the fake answers: status, content type, body, and a delay.
#[derive(Clone, Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    pub(crate) body: Vec<u8>,
    pub(crate) delay: Duration,
    /// A `Location` header (redirects).
    pub(crate) location: Option<String>,
}

impl Answer {
    pub(crate) fn json(status: u16, body: serde_json::Value) -> Self {
        let content_type = if status < 300 {
            "application/vnd.maxmind.com-minfraud-score+json; charset=UTF-8; version=2.0"
        } else {
            "application/vnd.maxmind.com-error+json; charset=UTF-8; version=2.0"
        };
        Self {
            status,
            content_type,
            body: serde_json::to_vec(&body).unwrap(),
            delay: Duration::ZERO,
            location: None,
        }
    }
    pub(crate) fn empty(status: u16) -> Self {
        Self {
            status,
            content_type: "",
            body: Vec::new(),
            delay: Duration::ZERO,
            location: None,
        }
    }
}

type Responder = Arc<dyn Fn(&str) -> Answer + Send + Sync>;

/// A running fake upstream.
pub(crate) struct FakeUpstream {
    pub(crate) addr: SocketAddr,
    pub(crate) received: Arc<Mutex<Vec<Received>>>,
    /// The CA that signed the TLS certificate (TLS only).
    pub(crate) ca_pem: Option<String>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeUpstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// minFraud's success answers for the sample fixtures.
pub(crate) fn minfraud(path: &str) -> Answer {
    match path {
        "/minfraud/v2.0/transactions/report" => Answer::empty(204),
        p if p.starts_with("/minfraud/v2.0/") => Answer::json(
            200,
            serde_json::json!({
                "id": "27d26476-e2bc-11e4-92b8-962e705b4af5",
                "risk_score": 0.01,
                "funds_remaining": 10.0,
                "queries_remaining": 1000,
                "ip_address": {"risk": 0.01, "risk_reasons": [{"code": "ANONYMOUS_IP", "reason": "anon"}],
                               "country": {"iso_code": "GB"}},
                "disposition": {"action": "accept", "reason": "default"},
                "credit_card": {"brand": "Visa", "type": "credit", "issuer": {"name": "Bank"}},
                "email": {"is_free": true, "domain": {"first_seen": "2017-01-01"}},
                "risk_score_reasons": [{"multiplier": 45.0, "reasons": [{"code": "ANONYMOUS_IP", "reason": "r"}]}],
                "warnings": [{"code": "INPUT_INVALID", "warning": "w", "input_pointer": "/account/user_id"}]
            }),
        ),
        _ => Answer::empty(404),
    }
}

fn router(received: Arc<Mutex<Vec<Received>>>, responder: Responder) -> Router {
    Router::new().fallback(move |req: Request| {
        let received = received.clone();
        let responder = responder.clone();
        async move {
            let path = req.uri().path().to_owned();
            let headers = req.headers().clone();
            let version = req.version();
            let body = to_bytes(req.into_body(), 1 << 20).await.unwrap().to_vec();
            received.lock().unwrap().push(Received {
                path: path.clone(),
                headers,
                body,
                version,
            });
            let answer = responder(&path);
            tokio::time::sleep(answer.delay).await;
            let mut response =
                Response::builder().status(StatusCode::from_u16(answer.status).unwrap());
            if !answer.content_type.is_empty() {
                response = response.header("content-type", answer.content_type);
            }
            if let Some(location) = &answer.location {
                response = response.header("location", location);
            }
            response.body(Body::from(answer.body)).unwrap()
        }
    })
}

impl FakeUpstream {
    /// Plain HTTP.
    pub(crate) async fn plain(responder: impl Fn(&str) -> Answer + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let app = router(received.clone(), Arc::new(responder));
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            addr,
            received,
            ca_pem: None,
            task,
        }
    }

    /// TLS with a fresh test CA; the certificate is for 127.0.0.1 and localhost.
    pub(crate) async fn tls(responder: impl Fn(&str) -> Answer + Send + Sync + 'static) -> Self {
        let pki = crate::pki::TestPki::new();
        let acceptor = tokio_rustls::TlsAcceptor::from(pki.server_config());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let app = router(received.clone(), Arc::new(responder));
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                let app = app.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = hyper_util::service::TowerToHyperService::new(app);
                    let _ = hyper_util::server::conn::auto::Builder::new(
                        hyper_util::rt::TokioExecutor::new(),
                    )
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                    .await;
                });
            }
        });
        Self {
            addr,
            received,
            ca_pem: Some(pki.ca_pem),
            task,
        }
    }

    pub(crate) fn requests(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}
