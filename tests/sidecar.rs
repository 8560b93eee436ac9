//! The sidecar's router driven in-process (tower `oneshot`) against a fake
//! upstream: auth, limits, every failure shape, pass-through, audit, reload;
//! and the whole sidecar started in-process by `server::run::run_with`.

use crate::upstream::{minfraud, Answer, FakeUpstream};
use crate::util::free_port;
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

pub(crate) struct Harness {
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
            ..PolicySources::default()
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

/// The admin listener's `/metrics` text.
async fn metrics_text(state: &AppState) -> String {
    let req = Request::builder()
        .uri("/metrics")
        .body(Body::empty())
        .unwrap();
    let r = server::admin_router(state.clone())
        .oneshot(req)
        .await
        .unwrap();
    String::from_utf8(r.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
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
async fn each_worker_sends_through_its_own_upstream_client() {
    let (first, second) = (
        FakeUpstream::plain(minfraud).await,
        FakeUpstream::plain(minfraud).await,
    );
    let client = |up: &FakeUpstream| {
        let credentials = Credentials {
            account_id: AccountId::new(42),
            license_key: LicenseKey::try_new(Zeroizing::new(MAXMIND_KEY.into())).unwrap(),
        };
        Client::builder(credentials)
            .base_url(format!("http://127.0.0.1:{}", up.addr.port()))
            .build()
            .unwrap()
    };
    let state = AppState::with_upstreams(
        PolicySources::default(),
        Auth::Clients(Clients::parse(&clients_toml(), "clients.toml").unwrap()),
        vec![client(&first), client(&second)],
        Duration::from_millis(800),
        AuditLog::new(Box::new(Buffer::default())),
    )
    .unwrap();
    let apps = server::worker_routers(state, Limits::default(), 4);
    // (worker, requests each upstream has seen after one from that worker)
    // Worker indexes past the clients wrap around rather than fail.
    for (worker, seen) in [(1, (0, 1)), (0, (1, 1)), (3, (1, 2))] {
        let a = call(&apps[worker], as_app("/minfraud/v2.0/score", RAW)).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!((first.requests().len(), second.requests().len()), seen);
    }
}

#[test]
fn workers_sharing_a_socket_split_a_burst_of_connections_evenly() {
    // Each worker answers with its thread's name.
    let app = axum::Router::new().route(
        "/",
        axum::routing::get(|| async {
            std::thread::current().name().unwrap_or_default().to_owned()
        }),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = Limits::default();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    // The sidecar's own worker start-up, with two workers.
    let workers = server::run::start_workers(
        2,
        &[(listener, None)],
        |_| app.clone(),
        &stopped,
        limits,
        None,
    )
    .unwrap();
    // A burst: every connection is open before any asks for anything, as
    // when a load balancer or a client pool starts.
    let mut burst: Vec<std::net::TcpStream> = (0..10)
        .map(|_| std::net::TcpStream::connect(addr).unwrap())
        .collect();
    let mut served = std::collections::HashMap::<String, usize>::new();
    for c in &mut burst {
        use std::io::Read as _;
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        c.write_all(b"GET / HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        c.read_to_string(&mut answer).unwrap();
        let worker = answer
            .rsplit("\r\n\r\n")
            .next()
            .unwrap_or_default()
            .to_owned();
        *served.entry(worker).or_default() += 1;
    }
    stop.send(true).unwrap();
    for w in workers {
        w.join().unwrap();
    }
    // Split evenly (one off, where both took one at the same moment).
    assert_eq!(served.len(), 2, "{served:?}");
    assert!(served.values().all(|&n| (4..=6).contains(&n)), "{served:?}");
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

#[tokio::test]
async fn a_body_in_pieces_is_sanitized_as_the_same_body_in_one() {
    let h = harness(FakeUpstream::plain(minfraud).await).await;
    let whole = call(&h.app, as_app("/minfraud/v2.0/score", RAW)).await;
    assert_eq!(whole.status, StatusCode::OK);
    // Pieces of every size from 1 byte to the whole body but one, empty
    // pieces among them, and the whole body as its only non-empty piece.
    let mut cuts: Vec<Vec<usize>> = vec![vec![1], vec![7], vec![1000], vec![RAW.len() - 1]];
    cuts.push(vec![0, RAW.len()]);
    cuts.push(vec![RAW.len(), 0]);
    cuts.push(vec![0, 3, 0, 500]);
    for sizes in &cuts {
        let mut pieces = Vec::new();
        let mut at = 0;
        let mut i = 0;
        while at < RAW.len() || pieces.len() < sizes.len() {
            let n = sizes[i % sizes.len()].min(RAW.len() - at);
            pieces.push(Ok::<_, std::io::Error>(axum::body::Bytes::copy_from_slice(
                &RAW[at..at + n],
            )));
            at += n;
            i += 1;
        }
        let body = Body::from_stream(futures_util::stream::iter(pieces));
        let a = call(&h.app, as_app("/minfraud/v2.0/score", body)).await;
        assert_eq!(a.status, StatusCode::OK, "{sizes:?}");
    }
    let got = h.up.requests();
    assert_eq!(got.len(), 1 + cuts.len());
    for r in &got[1..] {
        assert_eq!(r.body, got[0].body);
    }
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
    h.state.flush_audit();
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
        .any(|a| a[0] == "/credit_card/number" && a[1] == "truncate_pan"));
    assert_eq!(lines[1]["outcome"], "rejected");
    assert_eq!(
        (lines[1]["code"].as_str(), lines[1]["path"].as_str()),
        (Some("PAN_DETECTED"), Some("/billing/address"))
    );
    assert_eq!(lines[2]["outcome"], "unauthorized");
    // The request id, the time and the latency are random or measured:
    // their digits can spell "4012" by chance, so they are left out of the
    // text searched.
    let fixed: String = lines
        .iter()
        .map(|l| {
            let mut l = l.clone();
            for varying in ["request_id", "time", "latency_ms"] {
                assert!(l.as_object_mut().unwrap().remove(varying).is_some());
            }
            l.to_string()
        })
        .collect();
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
        assert!(!fixed.contains(secret), "audit log holds a value");
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
        metrics.contains("txveil_requests_total{client=\"legacy-checkout\",endpoint=\"score\",outcome=\"forwarded\"} 1"),
        "{metrics}"
    );
    assert!(metrics
        .contains("txveil_rejections_total{client=\"legacy-checkout\",code=\"JSON_INVALID\"} 1"));
    assert!(metrics.contains("txveil_upstream_latency_seconds_count 1"));
    h.state.set_not_ready();
    assert_eq!(
        call(&admin, get("/readyz")).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

// === Issue 9: hardening. Each test failed before the fix it names. ===

/// Serves `app` on a real loopback socket with `limits`; returns its
/// address and the sender that stops it.
pub(crate) async fn serving(
    app: axum::Router,
    limits: Limits,
) -> (std::net::SocketAddr, tokio::sync::watch::Sender<bool>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(server::serve(
        listener,
        None,
        app,
        stopped,
        limits,
        Duration::from_secs(1),
    ));
    (addr, stop)
}

/// Reads from `stream` until it is closed or `limit` passes; returns what was
/// read and whether the peer closed the connection.
async fn read_until_closed(stream: &mut tokio::net::TcpStream, limit: Duration) -> (String, bool) {
    use tokio::io::AsyncReadExt as _;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&got).into_owned(), true),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&got).into_owned(), false),
        }
    }
}

fn head(path: &str, auth: &str, extra: &str) -> String {
    format!("POST {path} HTTP/1.1\r\nhost: sidecar\r\nauthorization: {auth}\r\ncontent-type: application/json\r\n{extra}\r\n")
}

/// Connects to `addr` and sends the raw sample to Score as the app, with
/// `extra` header lines.
async fn send_sample(addr: std::net::SocketAddr, extra: &str) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt as _;
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let auth = basic(1001, APP_TOKEN);
    let extra = format!("content-length: {}\r\n{extra}", RAW.len());
    s.write_all(head("/minfraud/v2.0/score", &auth, &extra).as_bytes())
        .await
        .unwrap();
    s.write_all(RAW).await.unwrap();
    s
}

#[tokio::test]
async fn upstream_redirects_are_never_followed() {
    // Issue 9, item 1: a 307/308 re-posted the body with MaxMind's key to the
    // Location host; a same-origin loop made 11 billed calls.
    let elsewhere = FakeUpstream::plain(minfraud).await;
    let target = format!(
        "http://127.0.0.1:{}/minfraud/v2.0/score",
        elsewhere.addr.port()
    );
    for status in [301, 302, 303, 307, 308] {
        let target = target.clone();
        let up = FakeUpstream::plain(move |_| Answer {
            location: Some(target.clone()),
            ..Answer::empty(status)
        })
        .await;
        let h = harness(up).await;
        let a = call(&h.app, as_app("/minfraud/v2.0/score", RAW)).await;
        assert_eq!(
            (a.status, a.code().as_str()),
            (StatusCode::BAD_GATEWAY, "UPSTREAM_INVALID_RESPONSE"),
            "{status}"
        );
        assert_eq!(h.up.requests().len(), 1, "{status}");
    }
    assert!(elsewhere.requests().is_empty());
    // A loop to itself: still one call.
    let up = FakeUpstream::plain(|p| Answer {
        location: Some(p.to_owned()),
        ..Answer::empty(307)
    })
    .await;
    let h = harness(up).await;
    let a = call(&h.app, as_app("/minfraud/v2.0/score", RAW)).await;
    assert_eq!(a.status, StatusCode::BAD_GATEWAY);
    assert_eq!(h.up.requests().len(), 1);
}

#[tokio::test]
async fn upstream_answers_over_a_megabyte_are_refused() {
    // Issue 9, item 4: a 1.5 GB answer was read whole into memory.
    for size in [txveil::client::MAX_ANSWER_BYTES + 1, 4 << 20] {
        let up = FakeUpstream::plain(move |_| Answer {
            body: format!("{{\"pad\":\"{}\"}}", "x".repeat(size)).into_bytes(),
            ..Answer::json(200, serde_json::json!({}))
        })
        .await;
        let h = harness(up).await;
        let a = call(&h.app, as_app("/minfraud/v2.0/score", RAW)).await;
        assert_eq!(
            (a.status, a.code().as_str()),
            (StatusCode::BAD_GATEWAY, "UPSTREAM_INVALID_RESPONSE")
        );
    }
}

#[tokio::test]
async fn a_slow_trickle_of_body_bytes_gets_one_deadline() {
    // Issue 9, item 3: one byte every 2.5 s was answered 200 after 25 s with a
    // 10 s body timeout, because the timeout restarted on every chunk.
    use tokio::io::AsyncWriteExt as _;
    let limits = Limits {
        body_timeout: Duration::from_millis(600),
        ..Limits::default()
    };
    let h = harness_with(FakeUpstream::plain(minfraud).await, limits, None).await;
    let (addr, _stop) = serving(h.app.clone(), limits).await;
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let auth = basic(1001, APP_TOKEN);
    s.write_all(
        head(
            "/minfraud/v2.0/score",
            &auth,
            &format!("content-length: {}\r\n", RAW.len()),
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let started = std::time::Instant::now();
    let mut answer = String::new();
    for b in RAW.iter().take(20) {
        if s.write_all(&[*b]).await.is_err() {
            break;
        }
        let (got, _) = read_until_closed(&mut s, Duration::from_millis(150)).await;
        answer.push_str(&got);
        if !answer.is_empty() {
            break;
        }
    }
    if answer.is_empty() {
        answer = read_until_closed(&mut s, Duration::from_secs(2)).await.0;
    }
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("REQUEST_TIMEOUT"));
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(h.up.requests().is_empty());
}

#[tokio::test]
async fn malformed_or_cut_off_bodies_are_400_body_invalid_not_timeouts() {
    // Issue 9, item 5.
    use tokio::io::AsyncWriteExt as _;
    let h = harness(FakeUpstream::plain(minfraud).await).await;
    let (addr, _stop) = serving(h.app.clone(), Limits::default()).await;
    let auth = basic(1001, APP_TOKEN);
    // A chunk size that is not hex.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        head(
            "/minfraud/v2.0/score",
            &auth,
            "transfer-encoding: chunked\r\n",
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    s.write_all(b"zz\r\n{}\r\n0\r\n\r\n").await.unwrap();
    let (answer, _) = read_until_closed(&mut s, Duration::from_secs(3)).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("BODY_INVALID"), "{answer}");
    // The client stops sending half-way through a declared length.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(head("/minfraud/v2.0/score", &auth, "content-length: 500\r\n").as_bytes())
        .await
        .unwrap();
    s.write_all(&RAW[..100]).await.unwrap();
    s.shutdown().await.unwrap();
    let (answer, _) = read_until_closed(&mut s, Duration::from_secs(3)).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("BODY_INVALID"), "{answer}");
    let metrics = metrics_text(&h.state).await;
    assert!(metrics.contains("BODY_INVALID"), "{metrics}");
    assert!(h.up.requests().is_empty());
}

#[tokio::test]
async fn connections_that_send_nothing_or_idle_are_closed() {
    // Issue 9, item 2: a silent connection stayed open forever.
    use tokio::io::AsyncWriteExt as _;
    let limits = Limits {
        header_timeout: Duration::from_millis(300),
        keep_alive_timeout: Duration::from_millis(500),
        ..Limits::default()
    };
    let h = harness_with(FakeUpstream::plain(minfraud).await, limits, None).await;
    let (addr, _stop) = serving(h.app.clone(), limits).await;
    // Nothing at all.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (_, closed) = read_until_closed(&mut s, Duration::from_secs(3)).await;
    assert!(closed, "a silent connection is closed");
    // HTTP/2 preface, then nothing.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .await
        .unwrap();
    let (_, closed) = read_until_closed(&mut s, Duration::from_secs(3)).await;
    assert!(closed, "an idle h2 connection is closed");
    // Half a request head.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"POST /minfraud/v2.0/score HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let (_, closed) = read_until_closed(&mut s, Duration::from_secs(3)).await;
    assert!(closed, "an incomplete head is closed");
    // One answered request, then keep-alive idle (a long header timeout, so
    // the keep-alive timeout is what closes it).
    let limits = Limits {
        header_timeout: Duration::from_secs(5),
        keep_alive_timeout: Duration::from_millis(400),
        ..Limits::default()
    };
    let h = harness_with(FakeUpstream::plain(minfraud).await, limits, None).await;
    let (addr, _stop) = serving(h.app.clone(), limits).await;
    let mut s = send_sample(addr, "").await;
    let started = std::time::Instant::now();
    let (answer, closed) = read_until_closed(&mut s, Duration::from_secs(3)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let after = started.elapsed();
    assert!(
        closed && after >= Duration::from_millis(350) && after < Duration::from_secs(3),
        "closed {closed} after {after:?}"
    );
}

#[tokio::test]
async fn open_connections_are_capped_and_silent_ones_make_room_for_an_app() {
    // Issue 9, item 2: about a thousand idle connections exhausted file
    // descriptors, so connections are capped. Issue 28, item 4: silent
    // connections holding every slot kept apps out until the header
    // timeout; now the oldest connection that never authenticated is
    // closed to make room.
    let limits = Limits {
        max_connections: 3,
        header_timeout: Duration::from_secs(5),
        ..Limits::default()
    };
    let h = harness_with(FakeUpstream::plain(minfraud).await, limits, None).await;
    let (addr, _stop) = serving(h.app.clone(), limits).await;
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    let mut s = send_sample(addr, "connection: close\r\n").await;
    let (answer, _) = read_until_closed(&mut s, Duration::from_secs(3)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // The oldest silent connection was the one closed.
    let (_, closed) = read_until_closed(&mut idle[0], Duration::from_millis(500)).await;
    assert!(closed);
    let (_, closed) = read_until_closed(&mut idle[2], Duration::from_millis(200)).await;
    assert!(!closed);
}

#[tokio::test]
async fn the_admin_listener_answers_while_the_main_one_is_saturated() {
    let limits = Limits {
        max_connections: 2,
        header_timeout: Duration::from_secs(30),
        ..Limits::default()
    };
    let h = harness_with(FakeUpstream::plain(minfraud).await, limits, None).await;
    let (addr, _stop) = serving(h.app.clone(), limits).await;
    let (admin, _stop_admin) = serving(server::admin_router(h.state.clone()), limits).await;
    let mut idle = Vec::new();
    for _ in 0..5 {
        idle.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    use tokio::io::AsyncWriteExt as _;
    let mut s = tokio::net::TcpStream::connect(admin).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let (answer, _) = read_until_closed(&mut s, Duration::from_secs(2)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn request_ids_are_random_and_taken_from_apps_only_once_authenticated() {
    // Issue 9, item 6: ids were the boot time plus a counter.
    let h = harness(FakeUpstream::plain(minfraud).await).await;
    let id_of = |r: &axum::http::Response<Body>| {
        r.headers()
            .get("x-request-id")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    };
    let mut ids = std::collections::HashSet::new();
    for _ in 0..5 {
        let r = h
            .app
            .clone()
            .oneshot(as_app("/minfraud/v2.0/score", RAW))
            .await
            .unwrap();
        let id = id_of(&r);
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        ids.insert(id);
    }
    assert_eq!(ids.len(), 5);
    let with_id = |auth: Option<String>, id: &str| {
        let mut req = post("/minfraud/v2.0/score", auth, RAW);
        req.headers_mut()
            .insert("x-request-id", id.parse().unwrap());
        req
    };
    let r = h
        .app
        .clone()
        .oneshot(with_id(Some(basic(1001, APP_TOKEN)), "order-42:retry.1"))
        .await
        .unwrap();
    assert_eq!(id_of(&r), "order-42:retry.1");
    let r = h
        .app
        .clone()
        .oneshot(with_id(Some(basic(1001, "wrong")), "order-42"))
        .await
        .unwrap();
    assert_ne!(id_of(&r), "order-42");
    for bad in ["has space", "quote\"d", &"x".repeat(65)] {
        let r = h
            .app
            .clone()
            .oneshot(with_id(Some(basic(1001, APP_TOKEN)), bad))
            .await
            .unwrap();
        assert_eq!(id_of(&r).len(), 32, "{bad}");
    }
    h.state.flush_audit();
    assert!(h
        .audit
        .text()
        .contains("\"request_id\":\"order-42:retry.1\""));
}

#[tokio::test]
async fn ruby_clients_string_values_are_accepted_and_forwarded_unchanged() {
    // Issue 9, item 10: the official Ruby client sends numbers and most
    // booleans as strings; the web service takes them, txveil answered 400.
    let h = harness(FakeUpstream::plain(minfraud).await).await;
    let body = std::fs::read(crate::util::path(
        "tests/golden/default/ruby-client.request.json",
    ))
    .unwrap();
    let a = call(&h.app, as_app("/minfraud/v2.0/insights", body.clone())).await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&a.body)
    );
    let sent = h.up.requests()[0].json();
    assert_eq!(sent["order"]["amount"], "323.21");
    assert_eq!(sent["shopping_cart"][0]["quantity"], "2");
    assert_eq!(sent["device"]["session_age"], "3600.5");
    assert_eq!(sent["credit_card"]["was_3d_secure_successful"], "true");
    assert_eq!(sent["order"]["is_gift"], true);
}

#[test]
fn relative_policy_paths_in_a_clients_file_are_read_from_its_directory() {
    // Issue 9, item 7: examples/clients.toml only worked from the repository root.
    let clients = Clients::load(&crate::util::path("examples/clients.toml")).unwrap();
    let policy = clients
        .entries()
        .find_map(|e| e.policy.clone())
        .expect("the example names a policy");
    assert!(policy.is_absolute() || policy.starts_with(crate::util::path("examples")));
    txveil::policy::load(&policy).expect("the example's policy loads from any directory");
    let shadow = clients
        .entries()
        .find_map(|e| e.shadow_policy.clone())
        .expect("the example names a shadow policy");
    txveil::policy::load(&shadow).expect("the example's shadow policy loads from any directory");
    let sources = PolicySources::default();
    let policies = sources.load(Some(&clients)).unwrap();
    assert_eq!(policies.shadow_per_client.len(), 1);
}

#[test]
fn the_example_config_file_is_valid() {
    use txveil::config::{ServeInput, ServeSettings};
    let input = ServeInput::from_file(&crate::util::path("examples/txveil.toml")).unwrap();
    let s = ServeSettings::from_input(input).unwrap();
    assert_eq!((s.workers, s.funds_warning), (2, Some(25.0)));
}

#[tokio::test]
async fn idle_tls_connections_are_closed_before_and_after_the_handshake() {
    // Issue 9, item 2: a TLS connection that sent nothing after the handshake
    // stayed open forever.
    use rustls::pki_types::{pem::PemObject, CertificateDer, ServerName};
    let limits = Limits {
        header_timeout: Duration::from_millis(400),
        ..Limits::default()
    };
    let h = harness_with(FakeUpstream::plain(minfraud).await, limits, None).await;
    let pki = crate::pki::TestPki::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(server::serve(
        listener,
        Some(pki.server_config()),
        h.app.clone(),
        stopped,
        limits,
        Duration::from_secs(1),
    ));
    // No handshake at all.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (_, closed) = read_until_closed(&mut s, Duration::from_secs(3)).await;
    assert!(closed, "a connection that never starts TLS is closed");
    // A completed handshake, then silence.
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(pki.ca_pem.as_bytes()).unwrap())
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(
        Duration::from_secs(3),
        tokio::io::AsyncReadExt::read(&mut tls, &mut buf),
    )
    .await;
    assert!(
        matches!(read, Ok(Ok(0) | Err(_))),
        "an idle TLS connection is closed"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn the_upstream_timeout_covers_an_answer_body_that_trickles() {
    // Issue 9, item 4: --upstream-timeout must cover receiving the whole body.
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let _ = s.read(&mut buf).await;
                let _ = s
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{")
                    .await;
                for _ in 0..100 {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    if s.write_all(b" ").await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let h = harness_at(
        FakeUpstream::plain(minfraud).await,
        &format!("http://127.0.0.1:{port}"),
        Limits::default(),
        None,
    )
    .await;
    let started = std::time::Instant::now();
    let a = call(&h.app, as_app("/minfraud/v2.0/score", RAW)).await;
    assert_eq!(
        (a.status, a.code().as_str()),
        (StatusCode::GATEWAY_TIMEOUT, "UPSTREAM_TIMEOUT")
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

// === The whole sidecar in-process, through the library's one call ===

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_sidecar_runs_in_process_through_run_with() {
    use tokio::io::AsyncReadExt as _;
    let up = FakeUpstream::plain(minfraud).await;
    let clients = crate::util::temp_file("run-with-clients.toml", &clients_toml());
    let audit = crate::util::temp_file("run-with-audit.jsonl", "");
    let (listen, admin) = (free_port(), free_port());
    // Settings as the environment gives them, with the MaxMind credentials
    // beside them: the same names `txveil serve` reads.
    let source: std::collections::HashMap<String, String> = [
        ("TXVEIL_LISTEN", format!("127.0.0.1:{listen}")),
        ("TXVEIL_ADMIN_LISTEN", format!("127.0.0.1:{admin}")),
        (
            "TXVEIL_UPSTREAM",
            format!("http://127.0.0.1:{}", up.addr.port()),
        ),
        ("TXVEIL_CLIENTS", clients.display().to_string()),
        ("TXVEIL_AUDIT_LOG", audit.display().to_string()),
        ("TXVEIL_WORKERS", "2".to_owned()),
        ("MAXMIND_ACCOUNT_ID", "42".to_owned()),
        ("MAXMIND_LICENSE_KEY", MAXMIND_KEY.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let settings =
        txveil::config::ServeSettings::from_input(txveil::config::ServeInput::from_env(&source))
            .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    // `run_with` makes its own runtimes, so it runs on a thread of its own.
    let sidecar = std::thread::spawn(move || {
        server::run::run_with(&settings, &source, async {
            let _ = stopped.await;
        })
    });
    let addr: std::net::SocketAddr = format!("127.0.0.1:{listen}").parse().unwrap();
    let started = std::time::Instant::now();
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the sidecar never listened"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A scored request, as an app sends it.
    let mut s = send_sample(addr, "connection: close\r\n").await;
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_string(&mut answer))
        .await
        .unwrap()
        .unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "{}",
        crate::util::shown(&answer)
    );
    assert!(
        answer.contains("\"risk_score\":0.01"),
        "{}",
        crate::util::shown(&answer)
    );
    let got = up.requests();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].header("authorization"), basic(42, MAXMIND_KEY));
    let sent = got[0].json();
    assert_eq!(sent["email"]["address"], "a9601f3839e5d5da764c1861a5e1daf6");
    assert!(sent["credit_card"].get("number").is_none());
    // The admin listener answers beside it.
    let mut a = tokio::net::TcpStream::connect(("127.0.0.1", admin))
        .await
        .unwrap();
    {
        use tokio::io::AsyncWriteExt as _;
        a.write_all(b"GET /readyz HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n")
            .await
            .unwrap();
    }
    let mut ready = String::new();
    a.read_to_string(&mut ready).await.unwrap();
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    // The caller's shutdown ends it: the call returns, the audit line of
    // the request is written, the port is closed.
    stop.send(()).unwrap();
    let ran = tokio::task::spawn_blocking(move || sidecar.join().unwrap())
        .await
        .unwrap();
    assert!(ran.is_ok(), "{:?}", ran.err());
    let lines = std::fs::read_to_string(&audit).unwrap();
    assert_eq!(
        lines
            .lines()
            .filter(|l| l.contains("\"outcome\":\"forwarded\""))
            .count(),
        1,
        "{}",
        crate::util::shown(&lines)
    );
    assert!(!lines.contains(MAXMIND_KEY) && !lines.contains(APP_TOKEN));
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
