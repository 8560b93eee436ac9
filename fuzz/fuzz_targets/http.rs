//! The sidecar's router driven in-process (tower `oneshot`) with an arbitrary
//! method, path, credentials, request id and body, against a recording
//! upstream. Properties: never a panic; every answer is one of the documented
//! status and code pairs; the upstream never receives a standalone card
//! number or the app's credentials, only the sidecar's.
#![no_main]

use axum::body::Body;
use axum::http::{HeaderMap, Request};
use base64::Engine as _;
use http_body_util::BodyExt as _;
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tower::ServiceExt as _;
use txveil::client::Client;
use txveil::secret::{AccountId, Credentials, LicenseKey};
use txveil::server::{self, audit::AuditLog, auth::Clients, AppState, Auth, Limits, PolicySources};

const APP_TOKEN: &str = "app-token";
const MAXMIND_KEY: &str = "maxmind-key";

type Received = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

struct World {
    rt: tokio::runtime::Runtime,
    app: axum::Router,
    received: Received,
}

fn sha256_hex(s: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let received: Received = Arc::default();
        let recording = received.clone();
        let upstream = axum::Router::new().fallback(move |req: Request<Body>| {
            let recording = recording.clone();
            async move {
                let path = req.uri().path().to_owned();
                let headers = req.headers().clone();
                let body = axum::body::to_bytes(req.into_body(), 1 << 20)
                    .await
                    .map(|b| b.to_vec())
                    .unwrap_or_default();
                recording.lock().expect("lock").push((headers, body));
                if path.ends_with("/report") {
                    axum::http::Response::builder().status(204).body(Body::empty())
                } else {
                    axum::http::Response::builder()
                        .status(200)
                        .header("content-type", "application/vnd.maxmind.com-minfraud-score+json; charset=UTF-8; version=2.0")
                        .body(Body::from(r#"{"id":"27d26476-e2bc-11e4-92b8-962e705b4af5","risk_score":0.01,"funds_remaining":10.0,"queries_remaining":1000}"#))
                }
                .expect("response")
            }
        });
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        rt.spawn(async move {
            let _ = axum::serve(listener, upstream).await;
        });
        let clients = Clients::parse(
            &format!(
                "[[client]]\nname = \"app\"\naccount_id = 1001\ntoken_sha256 = \"{t}\"\n\n[[client]]\nname = \"reports\"\naccount_id = 1002\ntoken_sha256 = \"{t}\"\nendpoints = [\"report\"]\n",
                t = sha256_hex(APP_TOKEN)
            ),
            "clients.toml",
        )
        .expect("clients");
        let credentials = Credentials {
            account_id: AccountId::new(42),
            license_key: LicenseKey::try_new(zeroize::Zeroizing::new(MAXMIND_KEY.to_owned()))
                .expect("key"),
        };
        let client = Client::builder(credentials)
            .base_url(&format!("http://127.0.0.1:{port}"))
            .timeout(Duration::from_secs(5))
            .build()
            .expect("client");
        let state = AppState::new(
            PolicySources::default(),
            Auth::Clients(clients),
            client,
            Duration::from_secs(5),
            AuditLog::new(Box::new(std::io::sink())),
        )
        .expect("state");
        let app = server::router(state, Limits::default());
        World { rt, app, received }
    })
}

/// Every (status, code) pair the sidecar documents; `None` for minFraud's own
/// answers passed through.
fn documented(status: u16, code: Option<&str>) -> bool {
    matches!(
        (status, code),
        (200 | 204, _)
            | (
                400,
                Some(
                    "JSON_INVALID"
                        | "FIELD_INVALID"
                        | "FIELD_FORBIDDEN"
                        | "FIELD_UNKNOWN"
                        | "PAN_DETECTED"
                        | "CARD_NUMBER_INVALID"
                        | "EMAIL_INVALID"
                        | "REQUEST_INVALID"
                        | "HASH_KEY_MISSING"
                        | "EMAIL_DETECTED"
                        | "USERNAME_DETECTED"
                        | "BODY_INVALID"
                        | "HOST_INVALID"
                )
            )
            | (401, Some("AUTHORIZATION_INVALID"))
            | (403, Some("PERMISSION_REQUIRED" | "BROWSER_REQUEST_REFUSED"))
            | (404, Some("NOT_FOUND"))
            | (405, Some("METHOD_NOT_ALLOWED"))
            | (408, Some("REQUEST_TIMEOUT"))
            | (413, Some("REQUEST_TOO_LARGE"))
            | (
                415,
                Some("CONTENT_TYPE_INVALID" | "CONTENT_ENCODING_UNSUPPORTED")
            )
            | (429, Some("RATE_LIMITED" | "AUTHORIZATION_THROTTLED"))
            | (501, Some("TRANSFER_ENCODING_UNSUPPORTED"))
            | (
                502,
                Some(
                    "UPSTREAM_UNAVAILABLE"
                        | "UPSTREAM_ERROR"
                        | "UPSTREAM_INVALID_RESPONSE"
                        | "UPSTREAM_AUTHORIZATION_INVALID"
                )
            )
            | (503, Some("SERVICE_UNAVAILABLE" | "AUDIT_LOG_UNAVAILABLE"))
            | (504, Some("UPSTREAM_TIMEOUT"))
    )
}

fn basic(id: u32, token: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{token}"))
    )
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let w = world();
    let method = [
        "POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS",
    ][usize::from(data[0] % 8)];
    let path = [
        "/minfraud/v2.0/score",
        "/minfraud/v2.0/insights",
        "/minfraud/v2.0/factors",
        "/minfraud/v2.0/transactions/report",
        "/minfraud/v2.0/other",
        "/",
        "/minfraud/v2.0/score?x=1",
        "/minfraud/v2.0//score",
    ][usize::from(data[1] % 8)];
    let auth = match data[2] % 6 {
        0 | 1 | 2 => Some(basic(1001, APP_TOKEN)),
        3 => Some(basic(1002, APP_TOKEN)),
        4 => Some(basic(1001, "wrong")),
        _ => None,
    };
    let mut req = Request::builder().method(method).uri(path);
    if let Some(a) = &auth {
        req = req.header("authorization", a.as_str());
    }
    if data[3] & 1 == 1 {
        req = req.header("x-request-id", "fuzz-1");
    }
    if data[3] & 2 == 2 {
        req = req.header("content-length", data.len().to_string());
    }
    let Ok(req) = req.body(Body::from(data[4..].to_vec())) else {
        return;
    };
    let (status, body) = w.rt.block_on(async {
        let r = w.app.clone().oneshot(req).await.expect("infallible");
        let status = r.status().as_u16();
        let body = r
            .into_body()
            .collect()
            .await
            .map(|c| c.to_bytes().to_vec())
            .unwrap_or_default();
        (status, body)
    });
    let code = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_owned));
    let passed_through = status == 200 || status == 204;
    assert!(
        documented(
            status,
            if passed_through {
                None
            } else {
                code.as_deref()
            }
        ),
        "undocumented answer {status} {code:?}"
    );
    let received: Vec<_> = std::mem::take(&mut *w.received.lock().expect("lock"));
    for (headers, body) in received {
        let authorization = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert_eq!(
            authorization,
            basic(42, MAXMIND_KEY),
            "the sidecar's credentials only"
        );
        let text = String::from_utf8_lossy(&body);
        assert!(!text.contains(APP_TOKEN));
        let value: serde_json::Value = serde_json::from_slice(&body).expect("upstream got JSON");
        let mut texts = Vec::new();
        txveil_fuzz::texts(&value, &mut texts);
        for t in &texts {
            assert!(
                txveil_fuzz::standalone_pan(t).is_none(),
                "a card number reached the upstream"
            );
        }
    }
});
