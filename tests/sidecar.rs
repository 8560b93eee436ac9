//! The sidecar's router driven in-process (tower `oneshot`) against a fake
//! upstream: auth, limits, every failure shape, pass-through, audit, reload.

use crate::upstream::{minfraud, Answer, FakeUpstream};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine as _;
use http_body_util::BodyExt as _;
use std::io::Write;
use std::sync::{Arc, Mutex};

use std::time::Duration;
use tower::ServiceExt as _;
use txveil::client::Client;
use txveil::secret::{AccountId, Credentials, LicenseKey};
use txveil::server::{self, audit::AuditLog, auth::Clients, AppState, Auth, Limits, PolicySources};
use zeroize::Zeroizing;

pub(crate) const MAXMIND_KEY: &str = "mm-license-S3CRET";
pub(crate) const APP_TOKEN: &str = "app-token-5ecret";
/// sha256("app-token-5ecret")
pub(crate) fn app_token_sha256() -> String {
    use sha2::Digest;
    txveil_hex(&sha2::Sha256::digest(APP_TOKEN.as_bytes()))
}

fn txveil_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub(crate) fn clients_toml() -> String {
    format!(
        r#"[[client]]
name = "legacy-checkout"
account_id = 1001
token_sha256 = "{t}"

[[client]]
name = "reports-only"
account_id = 1002
token_sha256 = "{t}"
endpoints = ["report"]

[[client]]
name = "minimal-app"
account_id = 1003
token_sha256 = "{t}"
policy = "{root}/policies/minimal.toml"
"#,
        t = app_token_sha256(),
        root = env!("CARGO_MANIFEST_DIR")
    )
}

#[derive(Clone, Default)]
pub(crate) struct Buffer(pub(crate) Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    pub(crate) fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

struct Harness {
    up: FakeUpstream,
    state: AppState,
    app: axum::Router,
    audit: Buffer,
}

async fn harness_with(
    up: FakeUpstream,
    limits: Limits,
    policy: Option<std::path::PathBuf>,
) -> Harness {
    let base = format!("http://127.0.0.1:{}", up.addr.port());
    harness_at(up, &base, limits, policy).await
}

/// A harness whose sidecar forwards to `base` (which need not be `up`).
async fn harness_at(
    up: FakeUpstream,
    base: &str,
    limits: Limits,
    policy: Option<std::path::PathBuf>,
) -> Harness {
    let clients = Clients::parse(&clients_toml(), "clients.toml").unwrap();
    let per_client = clients
        .entries()
        .filter_map(|e| e.policy.clone().map(|p| (e.name.clone(), p)))
        .collect();
    let credentials = Credentials {
        account_id: AccountId::new(42),
        license_key: LicenseKey::try_new(Zeroizing::new(MAXMIND_KEY.into())).unwrap(),
    };
    let upstream = Client::builder(credentials)
        .base_url(base)
        .timeout(Duration::from_millis(800))
        .build()
        .unwrap();
    let audit = Buffer::default();
    let state = AppState::new(
        PolicySources {
            default: policy,
            per_client,
            hash_key: None,
        },
        Auth::Clients(clients),
        upstream,
        Duration::from_millis(800),
        AuditLog::new(Box::new(audit.clone())),
    )
    .unwrap();
    let app = server::router(state.clone(), limits);
    Harness {
        up,
        state,
        app,
        audit,
    }
}

async fn harness(up: FakeUpstream) -> Harness {
    harness_with(up, Limits::default(), None).await
}

fn basic(id: u32, token: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{token}"))
    )
}

/// A request from the app `legacy-checkout` with its valid credentials.
fn as_app(path: &str, body: impl Into<Body>) -> Request<Body> {
    post(path, Some(basic(1001, APP_TOKEN)), body)
}

fn post(path: &str, auth: Option<String>, body: impl Into<Body>) -> Request<Body> {
    let mut r = Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/json");
    if let Some(a) = auth {
        r = r.header("authorization", a);
    }
    r.body(body.into()).unwrap()
}

struct Answered {
    status: StatusCode,
    content_type: String,
    body: Vec<u8>,
}

impl Answered {
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
    fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_owned()
    }
}

async fn call(app: &axum::Router, req: Request<Body>) -> Answered {
    let r = app.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let content_type = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = r.into_body().collect().await.unwrap().to_bytes().to_vec();
    Answered {
        status,
        content_type,
        body,
    }
}

const RAW: &[u8] = include_bytes!("data/transaction-raw.json");

#[tokio::test]
async fn forwards_the_sanitized_request_with_the_sidecars_credentials() {
    let h = harness(FakeUpstream::plain(minfraud).await).await;
    let a = call(&h.app, as_app("/minfraud/v2.0/score", RAW)).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["risk_score"], 0.01);
    assert!(a
        .content_type
        .starts_with("application/vnd.maxmind.com-minfraud-score+json"));
    let got = h.up.requests();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].path, "/minfraud/v2.0/score");
    // The sidecar's MaxMind credentials (42:mm-license-S3CRET), never the app's.
    let expected = basic(42, MAXMIND_KEY);
    assert_eq!(got[0].header("authorization"), expected);
    let sent = got[0].json();
    assert_eq!(sent["email"]["address"], "a9601f3839e5d5da764c1861a5e1daf6");
    assert_eq!(sent["credit_card"]["issuer_id_number"], "411111");
    assert!(sent["credit_card"].get("number").is_none());
    assert!(sent["account"].get("username").is_none());
    let text = String::from_utf8_lossy(&got[0].body);
    assert!(
        !text.contains("4111 1111") && !text.contains("JaneDoe88") && !text.contains(APP_TOKEN)
    );
}

#[tokio::test]
async fn report_answers_204_with_an_empty_body() {
    let h = harness(FakeUpstream::plain(minfraud).await).await;
    let body = include_bytes!("data/report.json");
    let a = call(
        &h.app,
        post(
            "/minfraud/v2.0/transactions/report",
            Some(basic(1002, APP_TOKEN)),
            &body[..],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert!(a.body.is_empty());
    assert_eq!(
        h.up.requests()[0].path,
        "/minfraud/v2.0/transactions/report"
    );
}

#[tokio::test]
async fn unknown_or_missing_credentials_get_401_and_nothing_is_forwarded() {
    let h = harness(FakeUpstream::plain(minfraud).await).await;
    for auth in [
        None,
        Some(basic(1001, "wrong")),
        Some(basic(9999, APP_TOKEN)),
        Some("Bearer abc".into()),
        Some("Basic ###".into()),
        Some(basic(42, MAXMIND_KEY)),
    ] {
        let a = call(&h.app, post("/minfraud/v2.0/score", auth, RAW)).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
        assert_eq!(a.code(), "AUTHORIZATION_INVALID");
        assert_eq!(
            a.content_type,
            "application/vnd.maxmind.com-error+json; charset=UTF-8; version=2.0"
        );
    }
    assert!(h.up.requests().is_empty());
}

#[tokio::test]
async fn endpoints_a_client_may_not_use_get_403() {
    let h = harness(FakeUpstream::plain(minfraud).await).await;
    let a = call(
        &h.app,
        post("/minfraud/v2.0/score", Some(basic(1002, APP_TOKEN)), RAW),
    )
    .await;
    assert_eq!(
        (a.status, a.code().as_str()),
        (StatusCode::FORBIDDEN, "PERMISSION_REQUIRED")
    );
    assert!(h.up.requests().is_empty());
}

#[tokio::test]
async fn each_client_gets_its_own_policy() {
    let h = harness(FakeUpstream::plain(minfraud).await).await;
    let a = call(
        &h.app,
        post("/minfraud/v2.0/insights", Some(basic(1003, APP_TOKEN)), RAW),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let sent = h.up.requests()[0].json();
    let mut groups: Vec<&str> = sent
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    groups.sort_unstable();
    assert_eq!(groups, ["credit_card", "device", "email", "order"]);
}

#[tokio::test]
async fn bad_input_is_answered_400_in_minfrauds_shape_and_never_forwarded() {
    let h = harness(FakeUpstream::plain(minfraud).await).await;
    let cases: Vec<(&[u8], &str)> = vec![
        (
            br#"{"billing":{"address":"4111 1111 1111 1111"}}"#,
            "PAN_DETECTED",
        ),
        (b"{not json", "JSON_INVALID"),
        (
            br#"{"email":{"address":"a@b.com","address":"c@d.com"}}"#,
            "JSON_INVALID",
        ),
        (b"{\"billing\":{\"city\":\"\xff\"}}", "JSON_INVALID"),
        (b"[1,2]", "JSON_INVALID"),
        (b"", "JSON_INVALID"),
        (br#"{"billing":{"country":"usa"}}"#, "FIELD_INVALID"),
        (
            br#"{"credit_card":{"number":"4111 1111 1111 1112"}}"#,
            "CARD_NUMBER_INVALID",
        ),
    ];
    for (body, code) in cases {
        let a = call(&h.app, as_app("/minfraud/v2.0/score", body)).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{code}");
        assert_eq!(a.code(), code);
        assert!(a
            .content_type
            .starts_with("application/vnd.maxmind.com-error+json"));
        assert!(!String::from_utf8_lossy(&a.body).contains("4111"));
    }
    let nested = format!("{{\"a\":{}{}}}", "[".repeat(50_000), "]".repeat(50_000));
    let a = call(&h.app, as_app("/minfraud/v2.0/score", nested)).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(h.up.requests().is_empty());
}

#[tokio::test]
async fn bodies_over_20000_bytes_are_refused_with_or_without_content_length() {
    let h = harness(FakeUpstream::plain(minfraud).await).await;
    let big = vec![b' '; 20_001];
    let a = call(&h.app, as_app("/minfraud/v2.0/score", big.clone())).await;
    assert_eq!(
        (a.status, a.code().as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "REQUEST_TOO_LARGE")
    );
    let chunks = futures_chunks(big);
    let a = call(&h.app, as_app("/minfraud/v2.0/score", chunks)).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    let exactly = format!(
        "{{\"device\":{{\"ip_address\":\"81.2.69.160\"}}}}{}",
        " ".repeat(20_000 - 39)
    );
    assert_eq!(exactly.len(), 20_000);
    let a = call(&h.app, as_app("/minfraud/v2.0/score", exactly)).await;
    assert_eq!(a.status, StatusCode::OK);
}

/// A body sent as a stream (no Content-Length).
fn futures_chunks(data: Vec<u8>) -> Body {
    let chunks: Vec<Result<axum::body::Bytes, std::io::Error>> = data
        .chunks(1000)
        .map(|c| Ok(axum::body::Bytes::copy_from_slice(c)))
        .collect();
    Body::from_stream(futures_util::stream::iter(chunks))
}

#[tokio::test]
async fn unknown_paths_get_404_and_other_methods_405() {
    let h = harness(FakeUpstream::plain(minfraud).await).await;
    let a = call(&h.app, as_app("/minfraud/v2.0/scores", RAW)).await;
    assert_eq!(
        (a.status, a.code().as_str()),
        (StatusCode::NOT_FOUND, "NOT_FOUND")
    );
    let get = Request::builder()
        .uri("/minfraud/v2.0/score")
        .body(Body::empty())
        .unwrap();
    let a = call(&h.app, get).await;
    assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(a
        .content_type
        .starts_with("application/vnd.maxmind.com-error+json"));
}

#[tokio::test]
async fn upstream_failures_are_502_or_504() {
    let cases: Vec<(Answer, StatusCode, &str)> = vec![
        (
            Answer {
                delay: Duration::from_secs(3),
                ..minfraud("/minfraud/v2.0/score")
            },
            StatusCode::GATEWAY_TIMEOUT,
            "UPSTREAM_TIMEOUT",
        ),
        (
            Answer::empty(500),
            StatusCode::BAD_GATEWAY,
            "UPSTREAM_ERROR",
        ),
        (
            Answer::empty(503),
            StatusCode::BAD_GATEWAY,
            "UPSTREAM_ERROR",
        ),
        (
            Answer {
                body: b"<html>oops".to_vec(),
                ..Answer::json(200, serde_json::json!({}))
            },
            StatusCode::BAD_GATEWAY,
            "UPSTREAM_INVALID_RESPONSE",
        ),
        (
            Answer::empty(302),
            StatusCode::BAD_GATEWAY,
            "UPSTREAM_INVALID_RESPONSE",
        ),
    ];
    for (answer, status, code) in cases {
        let h = harness(FakeUpstream::plain(move |_| answer.clone()).await).await;
        let a = call(&h.app, as_app("/minfraud/v2.0/score", RAW)).await;
        assert_eq!((a.status, a.code()), (status, code.to_owned()));
        assert!(a
            .content_type
            .starts_with("application/vnd.maxmind.com-error+json"));
    }
    // Nothing listening.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let h = harness_at(
        FakeUpstream::plain(minfraud).await,
        &format!("http://127.0.0.1:{port}"),
        Limits::default(),
        None,
    )
    .await;
    let a = call(&h.app, as_app("/minfraud/v2.0/score", RAW)).await;
    assert_eq!(
        (a.status, a.code().as_str()),
        (StatusCode::BAD_GATEWAY, "UPSTREAM_UNAVAILABLE")
    );
}

#[tokio::test]
async fn minfrauds_own_errors_pass_through_unchanged() {
    let up = FakeUpstream::plain(|_| {
        Answer::json(
            402,
            serde_json::json!({"code": "INSUFFICIENT_FUNDS", "error": "out"}),
        )
    })
    .await;
    let h = harness(up).await;
    let a = call(&h.app, as_app("/minfraud/v2.0/score", RAW)).await;
    assert_eq!(
        (a.status.as_u16(), a.code().as_str()),
        (402, "INSUFFICIENT_FUNDS")
    );
}

#[tokio::test]
async fn over_the_concurrency_limit_requests_get_503() {
    let up = FakeUpstream::plain(|p| Answer {
        delay: Duration::from_millis(400),
        ..minfraud(p)
    })
    .await;
    let limits = Limits {
        max_concurrency: 1,
        ..Limits::default()
    };
    let h = harness_with(up, limits, None).await;
    let first = tokio::spawn({
        let app = h.app.clone();
        async move { call(&app, as_app("/minfraud/v2.0/score", RAW)).await.status }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let second = call(&h.app, as_app("/minfraud/v2.0/score", RAW)).await;
    assert_eq!(
        (second.status, second.code().as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE")
    );
    assert_eq!(first.await.unwrap(), StatusCode::OK);
}

#[tokio::test]
async fn a_body_that_never_finishes_times_out() {
    let h = harness_with(
        FakeUpstream::plain(minfraud).await,
        Limits {
            body_timeout: Duration::from_millis(100),
            ..Limits::default()
        },
        None,
    )
    .await;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<axum::body::Bytes, std::io::Error>>(1);
    tx.send(Ok(axum::body::Bytes::from_static(b"{")))
        .await
        .unwrap();
    let stream =
        futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|x| (x, rx)) });
    let a = call(
        &h.app,
        as_app("/minfraud/v2.0/score", Body::from_stream(stream)),
    )
    .await;
    drop(tx);
    assert_eq!(
        (a.status, a.code().as_str()),
        (StatusCode::REQUEST_TIMEOUT, "REQUEST_TIMEOUT")
    );
}

#[tokio::test]
async fn audit_lines_record_actions_and_never_a_value_or_secret() {
    let h = harness(FakeUpstream::plain(minfraud).await).await;
    call(&h.app, as_app("/minfraud/v2.0/score", RAW)).await;
    call(
        &h.app,
        as_app(
            "/minfraud/v2.0/score",
            &br#"{"billing":{"address":"4012 8888 8888 1881"}}"#[..],
        ),
    )
    .await;
    call(
        &h.app,
        post(
            "/minfraud/v2.0/score",
            Some(basic(1001, "wrong-Tok3n")),
            RAW,
        ),
    )
    .await;
    let audit = h.audit.text();
    let lines: Vec<serde_json::Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["outcome"], "forwarded");
    assert_eq!(lines[0]["client"], "legacy-checkout");
    assert_eq!(lines[0]["upstream_status"], 200);
    assert_eq!(lines[0]["policy_sha256"].as_str().unwrap().len(), 64);
    assert!(lines[0]["applied"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["path"] == "/credit_card/number" && a["action"] == "truncate_pan"));
    assert_eq!(lines[1]["outcome"], "rejected");
    assert_eq!(
        (lines[1]["code"].as_str(), lines[1]["path"].as_str()),
        (Some("PAN_DETECTED"), Some("/billing/address"))
    );
    assert_eq!(lines[2]["outcome"], "unauthorized");
    for secret in [
        "4111",
        "4012",
        "1881",
        "JaneDoe88",
        "janedoe",
        "Jane.Doe",
        "GoogleMail",
        APP_TOKEN,
        "wrong-Tok3n",
        MAXMIND_KEY,
        "Hamden",
        "101 Address",
        "a9601f3839e5d5da764c1861a5e1daf6",
    ] {
        assert!(!audit.contains(secret), "audit log holds a value");
    }
}

#[tokio::test]
async fn reload_swaps_policies_atomically_and_refuses_a_bad_one() {
    let file = crate::util::temp_file("reload-policy.toml", txveil::policy::DEFAULT_POLICY_SOURCE);
    let h = harness_with(
        FakeUpstream::plain(minfraud).await,
        Limits::default(),
        Some(file.clone()),
    )
    .await;
    let before = h.state.policy_digest();
    std::fs::write(
        &file,
        "version = 1\n[transaction]\n\"billing.adress\" = \"keep\"\n",
    )
    .unwrap();
    let err = h.state.reload().unwrap_err();
    assert!(
        err.contains("reload-policy.toml:3: key `billing.adress`"),
        "{err}"
    );
    assert_eq!(h.state.policy_digest(), before);
    let a = call(&h.app, as_app("/minfraud/v2.0/score", RAW)).await;
    assert_eq!(a.status, StatusCode::OK);
    std::fs::write(
        &file,
        "version = 1\n[transaction]\n\"device.ip_address\" = \"keep\"\n",
    )
    .unwrap();
    let after = h.state.reload().unwrap();
    assert_ne!(after, before);
    call(&h.app, as_app("/minfraud/v2.0/score", RAW)).await;
    let sent = h.up.requests().last().unwrap().json();
    assert_eq!(
        sent,
        serde_json::json!({"device": {"ip_address": "81.2.69.160"}})
    );
}

#[tokio::test]
async fn admin_endpoints_report_health_readiness_and_metrics() {
    let h = harness(FakeUpstream::plain(minfraud).await).await;
    call(&h.app, as_app("/minfraud/v2.0/score", RAW)).await;
    call(&h.app, as_app("/minfraud/v2.0/score", &b"{"[..])).await;
    let admin = server::admin_router(h.state.clone());
    let get = |p: &str| Request::builder().uri(p).body(Body::empty()).unwrap();
    let a = call(&admin, get("/healthz")).await;
    assert_eq!(a.json()["policy_sha256"], h.state.policy_digest());
    assert_eq!(call(&admin, get("/readyz")).await.status, StatusCode::OK);
    let metrics = String::from_utf8(call(&admin, get("/metrics")).await.body).unwrap();
    assert!(
        metrics.contains("txveil_requests_total{endpoint=\"score\",outcome=\"forwarded\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("txveil_rejections_total{code=\"JSON_INVALID\"} 1"));
    assert!(metrics.contains("txveil_upstream_latency_seconds_count 1"));
    h.state.set_not_ready();
    assert_eq!(
        call(&admin, get("/readyz")).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}
