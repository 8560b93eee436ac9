//! The sidecar's guarantees under attack and failure: every forwarded
//! request has its audit record or is not forwarded, an audit log that
//! fails or stalls stops forwarding without stopping answers, and nothing
//! a caller chooses reaches the audit log unscanned. Each test here failed
//! before the change that made it pass.

use crate::sidecar::{clients_toml, serving, Buffer, APP_TOKEN, MAXMIND_KEY};
use crate::upstream::{minfraud, Answer, FakeUpstream};
use axum::body::Body;
use axum::http::Request;
use base64::Engine as _;
use http_body_util::BodyExt as _;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tower::ServiceExt as _;
use txveil::client::Client;
use txveil::secret::{AccountId, Credentials, LicenseKey};
use txveil::server::{self, audit::AuditLog, auth::Clients, AppState, Auth, Limits, PolicySources};
use zeroize::Zeroizing;

const RAW: &[u8] = include_bytes!("data/transaction-raw.json");

/// A sidecar state forwarding to `up`, writing its audit log to `out`.
fn state_with(up: &FakeUpstream, out: Box<dyn Write + Send>) -> AppState {
    let clients = Clients::parse(&clients_toml(), "clients.toml").unwrap();
    let credentials = Credentials {
        account_id: AccountId::new(42),
        license_key: LicenseKey::try_new(Zeroizing::new(MAXMIND_KEY.into())).unwrap(),
    };
    let upstream = Client::builder(credentials)
        .base_url(format!("http://127.0.0.1:{}", up.addr.port()))
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    AppState::new(
        PolicySources::default(),
        Auth::Clients(clients),
        upstream,
        Duration::from_secs(2),
        AuditLog::new(out),
    )
    .unwrap()
}

pub(crate) fn basic(id: u32, token: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{token}"))
    )
}

pub(crate) fn score(auth: Option<&str>, body: &[u8]) -> Request<Body> {
    let mut r = Request::builder()
        .method("POST")
        .uri("/minfraud/v2.0/score")
        .header("content-type", "application/json");
    if let Some(a) = auth {
        r = r.header("authorization", a);
    }
    r.body(Body::from(body.to_vec())).unwrap()
}

/// Status, minFraud error code (empty when none) and `x-request-id`.
pub(crate) async fn answer(app: &axum::Router, req: Request<Body>) -> (u16, String, String) {
    let r = app.clone().oneshot(req).await.unwrap();
    let status = r.status().as_u16();
    let id = r
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = r.into_body().collect().await.unwrap().to_bytes();
    let code = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["code"].as_str().map(str::to_owned))
        .unwrap_or_default();
    (status, code, id)
}

async fn admin(state: &AppState, path: &str) -> (u16, String) {
    let req = Request::builder().uri(path).body(Body::empty()).unwrap();
    let r = server::admin_router(state.clone())
        .oneshot(req)
        .await
        .unwrap();
    let status = r.status().as_u16();
    let body = r.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// The value of the first metric line starting with `name`.
fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

/// An audit sink whose every write fails, as `/dev/full` does.
struct Full;

impl Write for Full {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::from_raw_os_error(28))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An audit sink whose writes block while `gate` is held, as a pipe
/// nobody reads does once its buffer is full.
#[derive(Clone)]
struct Gated {
    gate: Arc<Mutex<()>>,
    out: Buffer,
}

impl Write for Gated {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        let _open = self.gate.lock().unwrap();
        self.out.write(b)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn an_audit_log_that_cannot_be_written_stops_forwarding_and_readiness() {
    let up = FakeUpstream::plain(minfraud).await;
    let state = state_with(&up, Box::new(Full));
    let app = server::router(state.clone(), Limits::default());
    let auth = basic(1001, APP_TOKEN);
    // The first record shows the disk is full (its request may have been
    // forwarded before that was known: the documented window).
    let _ = answer(&app, score(Some(&auth), RAW)).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let forwarded = up.requests().len();
    for _ in 0..5 {
        let (status, code, id) = answer(&app, score(Some(&auth), RAW)).await;
        assert_eq!((status, code.as_str()), (503, "AUDIT_LOG_UNAVAILABLE"));
        assert_eq!(id.len(), 32);
    }
    assert_eq!(up.requests().len(), forwarded, "nothing more was forwarded");
    let (status, why) = admin(&state, "/readyz").await;
    assert_eq!(status, 503, "{why}");
    assert!(why.contains("audit"), "{why}");
    let (_, metrics) = admin(&state, "/metrics").await;
    assert_eq!(metric(&metrics, "txveil_audit_up "), Some(0.0), "{metrics}");
    assert!(
        metric(
            &metrics,
            "txveil_audit_lines_lost_total{reason=\"write_failed\"}"
        )
        .is_some_and(|n| n >= 1.0),
        "{metrics}"
    );
    assert!(
        metric(&metrics, "txveil_audit_refusals_total").is_some_and(|n| n >= 5.0),
        "{metrics}"
    );
}

#[tokio::test]
async fn an_audit_log_opened_on_a_full_disk_forwards_nothing_at_all() {
    let up = FakeUpstream::plain(minfraud).await;
    let state = state_with(&up, Box::new(Full));
    assert!(state.open_audit(Duration::from_secs(2)).is_err());
    let app = server::router(state.clone(), Limits::default());
    let (status, code, _) = answer(&app, score(Some(&basic(1001, APP_TOKEN)), RAW)).await;
    assert_eq!((status, code.as_str()), (503, "AUDIT_LOG_UNAVAILABLE"));
    assert!(up.requests().is_empty());
    assert_eq!(admin(&state, "/readyz").await.0, 503);
}

#[test]
fn a_stalled_audit_log_never_blocks_answers_and_turns_the_sidecar_unready() {
    // The flood runs on a thread of its own so that a sidecar that blocks
    // fails this test instead of hanging it.
    let gate = Arc::new(Mutex::new(()));
    let out = Buffer::default();
    let held = gate.lock().unwrap();
    let (done, finished) = std::sync::mpsc::channel();
    let flood_gate = Gated {
        gate: gate.clone(),
        out: out.clone(),
    };
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let up = FakeUpstream::plain(minfraud).await;
            let state = state_with(&up, Box::new(flood_gate));
            let app = server::router(state.clone(), Limits::default());
            let auth = basic(1001, APP_TOKEN);
            // Forwarded: its line is what the writer now blocks on.
            let first = answer(&app, score(Some(&auth), RAW)).await.0;
            let wrong = basic(1001, "wrong-token");
            // More refusals than the whole audit queue holds.
            let started = Instant::now();
            let mut statuses = std::collections::BTreeMap::new();
            for _ in 0..server::audit::QUEUE_LINES + 600 {
                let s = answer(&app, score(Some(&wrong), b"{}")).await.0;
                *statuses.entry(s).or_insert(0usize) += 1;
            }
            let flood = started.elapsed();
            // Past the stall limit the sidecar is unready and refuses to forward.
            tokio::time::sleep(server::audit::STALL + Duration::from_millis(300)).await;
            let ready = admin(&state, "/readyz").await;
            let refused = answer(&app, score(Some(&auth), RAW)).await;
            let not_found = app
                .clone()
                .oneshot(Request::get("/nowhere").body(Body::empty()).unwrap())
                .await
                .unwrap()
                .status()
                .as_u16();
            let forwarded = up.requests().len();
            let _ = done.send((
                first, statuses, flood, ready, refused, not_found, forwarded, state,
            ));
        });
    });
    let got = finished.recv_timeout(Duration::from_secs(120));
    drop(held);
    let (first, statuses, _flood, ready, refused, not_found, forwarded, state) =
        got.expect("every request is answered while the audit log is stalled");
    assert_eq!(first, 200);
    assert!(
        statuses.keys().all(|s| [401, 429].contains(s)),
        "{statuses:?}"
    );
    assert_eq!(ready.0, 503, "{}", ready.1);
    assert!(
        ready.1.contains("stalled") || ready.1.contains("full"),
        "{}",
        ready.1
    );
    assert_eq!(
        (refused.0, refused.1.as_str()),
        (503, "AUDIT_LOG_UNAVAILABLE")
    );
    assert_eq!(not_found, 404);
    assert_eq!(forwarded, 1);
    // Once the sink drains, the sidecar is ready again; the refusals left
    // out are counted in the lines that were written.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    state.flush_audit();
    let ready = rt.block_on(admin(&state, "/readyz"));
    assert_eq!(ready.0, 200, "{}", ready.1);
    let text = out.text();
    assert!(
        text.contains("\"outcome\":\"audit_lines_dropped\"") || text.contains("\"suppressed\":"),
    );
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("\"outcome\":\"forwarded\""))
            .count(),
        1
    );
}

#[tokio::test]
async fn an_app_that_goes_away_mid_call_still_leaves_the_forwarded_record() {
    use tokio::io::AsyncWriteExt as _;
    let up = FakeUpstream::plain(|p| Answer {
        delay: Duration::from_millis(600),
        ..minfraud(p)
    })
    .await;
    let out = Buffer::default();
    let state = state_with(&up, Box::new(out.clone()));
    let app = server::router(state.clone(), Limits::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(server::serve(
        listener,
        None,
        app,
        stopped,
        Limits::default(),
        Duration::from_secs(1),
    ));
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /minfraud/v2.0/score HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        basic(1001, APP_TOKEN),
        RAW.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(RAW).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(up.requests().len(), 1, "the call is in flight");
    drop(s);
    tokio::time::sleep(Duration::from_millis(900)).await;
    state.flush_audit();
    let text = out.text();
    let line = text
        .lines()
        .find(|l| l.contains("\"endpoint\":\"score\""))
        .expect("the forwarded request has its audit line");
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(v["outcome"], "forwarded");
    assert_eq!(v["upstream_status"], 200);
    assert_eq!(v["client"], "legacy-checkout");
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_refusals_are_audited() {
    let up = FakeUpstream::plain(minfraud).await;
    let out = Buffer::default();
    let state = state_with(&up, Box::new(out.clone()));
    let app = server::router(state.clone(), Limits::default());
    let get = |uri: &str| Request::get(uri).body(Body::empty()).unwrap();
    for req in [
        get("/minfraud/v2.0/score"),
        get("/4111111111111111"),
        score(None, RAW),
    ] {
        let (status, code, id) = answer(&app, req).await;
        assert!(status >= 400 && !code.is_empty());
        assert_eq!(id.len(), 32, "{status}");
    }
    state.flush_audit();
    let text = out.text();
    assert!(!text.contains("4111111111111111"));
    for outcome in ["method_not_allowed", "not_found", "unauthorized"] {
        assert!(
            text.contains(&format!("\"outcome\":\"{outcome}\"")),
            "{outcome}"
        );
    }
}

// === The real binary ===

use crate::sidecar_e2e::{get, http, Sidecar};

async fn score_on(client: &reqwest::Client, sidecar: &Sidecar) -> (u16, String) {
    let r = client
        .post(format!(
            "http://127.0.0.1:{}/minfraud/v2.0/score",
            sidecar.plain
        ))
        .header("authorization", basic(1001, APP_TOKEN))
        .body(RAW)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_with_the_audit_log_on_a_full_disk_is_unready_and_forwards_nothing() {
    let up = FakeUpstream::plain(minfraud).await;
    let sidecar = Sidecar::start(&up, &["--audit-log", "/dev/full"]).await;
    let (status, why) = get(sidecar.admin, "/readyz").await;
    assert_eq!(status, 503, "{why}");
    let client = http().build().unwrap();
    let (status, body) = score_on(&client, &sidecar).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("AUDIT_LOG_UNAVAILABLE"), "{body}");
    assert!(up.requests().is_empty());
    let metrics = get(sidecar.admin, "/metrics").await.1;
    assert_eq!(metric(&metrics, "txveil_audit_up "), Some(0.0), "{metrics}");
    assert!(sidecar.stderr().contains("cannot write the audit log"));
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_with_the_audit_log_on_a_pipe_nobody_reads_stays_answering_and_stops_in_bounds() {
    let up = FakeUpstream::plain(minfraud).await;
    let fifo = std::env::temp_dir().join(format!(
        "txveil-audit-fifo-{}-{}",
        std::process::id(),
        up.addr.port()
    ));
    let _ = std::fs::remove_file(&fifo);
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    // The reader opens the pipe and never reads it.
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::File::open(fifo).unwrap())
    };
    let mut sidecar = Sidecar::start(&up, &["--audit-log", fifo.to_str().unwrap()]).await;
    let _unread = reader.join().unwrap();
    let client = http().build().unwrap();
    // Enough records to fill the pipe; every request is answered.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut refused = None;
    for i in 0..5000 {
        let (status, body) =
            tokio::time::timeout(Duration::from_secs(10), score_on(&client, &sidecar))
                .await
                .expect("answered while the audit log is stalled");
        if status == 503 {
            assert!(body.contains("AUDIT_LOG_UNAVAILABLE"), "{body}");
            refused = Some(i);
            break;
        }
        assert_eq!(status, 200, "{body}");
        if i % 50 == 49 {
            // Gives the writer's stall time to show.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(Instant::now() < deadline);
    }
    let forwarded = refused.expect("forwarding stops once the audit log stalls");
    assert_eq!(up.requests().len(), forwarded);
    let (status, why) = get(sidecar.admin, "/readyz").await;
    assert_eq!(status, 503, "{why}");
    // A request for nothing still gets its 404 at once.
    let r = client
        .get(format!("http://127.0.0.1:{}/nowhere", sidecar.plain))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    sidecar.signal("-TERM");
    let code = tokio::task::spawn_blocking(move || {
        let code = sidecar.wait(Duration::from_secs(40));
        (code, sidecar.stderr())
    })
    .await
    .unwrap();
    assert_eq!(code.0, Some(0), "{}", code.1);
    assert!(
        code.1.contains("audit lines could not be written"),
        "{}",
        code.1
    );
    let _ = std::fs::remove_file(&fifo);
}

#[tokio::test]
async fn a_card_number_in_x_request_id_never_reaches_the_audit_log() {
    let up = FakeUpstream::plain(minfraud).await;
    let out = Buffer::default();
    let state = state_with(&up, Box::new(out.clone()));
    let app = server::router(state.clone(), Limits::default());
    let auth = basic(1001, APP_TOKEN);
    // Public test cards, written with and without separators.
    let visa: String = ["4111", "1111", "1111", "1111"].concat();
    let amex: String = ["3782", "822463", "10005"].join("-");
    let mut sent = Vec::new();
    for id in [
        visa.clone(),
        format!("order:{amex}"),
        visa.replace("1111", "1111_"),
    ] {
        let mut req = score(Some(&auth), RAW);
        req.headers_mut()
            .insert("x-request-id", id.parse().unwrap());
        let (status, _, echoed) = answer(&app, req).await;
        assert_eq!(status, 200);
        assert_eq!(echoed.len(), 32, "a generated id is sent back instead");
        assert!(echoed.bytes().all(|b| b.is_ascii_hexdigit()));
        sent.push(id);
    }
    state.flush_audit();
    let text = out.text();
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    for id in &sent {
        let card: String = id.chars().filter(char::is_ascii_digit).collect();
        assert!(
            !digits.contains(&card),
            "a card number reached the audit log"
        );
    }
    assert_eq!(
        text.lines().filter(|l| l.contains("\"forwarded\"")).count(),
        3
    );
}

/// A username made of the characters a request id may hold, in the forms
/// apps use: names, handles with digits, dotted and underscored names.
fn username_of(rng: &mut crate::corpus::Rng) -> String {
    const FIRST: &[&str] = &["jane", "Omar", "li", "SHOPPER", "k", "anna-maria", "Bob"];
    const LAST: &[&str] = &["doe", "Smith", "x", "wei", "buyer", "O"];
    let first = *rng.pick(FIRST);
    let last = *rng.pick(LAST);
    let digits = rng.digits_between(0, 4);
    match rng.below(4) {
        0 => format!("{first}{last}{digits}"),
        1 => format!("{first}.{last}{digits}"),
        2 => format!("{first}_{last}"),
        _ => format!("{last}{digits}{first}"),
    }
}

#[tokio::test]
async fn request_ids_naming_the_requests_username_or_card_are_replaced_for_every_brand() {
    use crate::corpus::{pan_of, Rng, BRANDS};
    let up = FakeUpstream::plain(minfraud).await;
    let out = Buffer::default();
    let state = state_with(&up, Box::new(out.clone()));
    let app = server::router(state.clone(), Limits::default());
    let auth = basic(1001, APP_TOKEN);
    let raw: serde_json::Value = serde_json::from_slice(RAW).unwrap();
    let mut rng = Rng::new(0x1d5);
    // Per class: ids sent, ids kept (echoed back as sent).
    let mut sent = [0usize; 3];
    let mut kept = [0usize; 3];
    let mut all_sent = Vec::new();
    for (prefix, lengths) in BRANDS {
        for &len in *lengths {
            let card = pan_of(&mut rng, prefix, len);
            let username = username_of(&mut rng);
            let mut body = raw.clone();
            body["credit_card"]["number"] = card.clone().into();
            body["account"]["username"] = username.clone().into();
            let body = serde_json::to_vec(&body).unwrap();
            let mid = len / 2 - 4;
            let middle = &card[mid..mid + 8];
            let before_last4 = &card[len - 12..len - 4];
            let classes: [Vec<String>; 3] = [
                vec![
                    username.clone(),
                    format!("req-{username}"),
                    format!("{}:7", username.to_uppercase()),
                    format!("order.{}.2", username.replace(['.', '_', '-'], "")),
                ],
                vec![
                    middle.to_owned(),
                    format!("ord-{middle}"),
                    format!("{}-{}", &middle[..4], &middle[4..]),
                    format!("{before_last4}_r1"),
                ],
                vec![
                    format!(
                        "{}-{}-{}123",
                        &card[..6],
                        &card[6..len - 4],
                        &card[len - 4..]
                    ),
                    format!("{}-{}-{}", &card[..6], &card[6..len - 4], &card[len - 4..]),
                    format!("{}/{}/{}9", &card[..6], &card[6..len - 4], &card[len - 4..]),
                ],
            ];
            for (class, ids) in classes.iter().enumerate() {
                for id in ids {
                    let mut req = score(Some(&auth), &body);
                    req.headers_mut()
                        .insert("x-request-id", id.parse().unwrap());
                    let (status, _, echoed) = answer(&app, req).await;
                    assert_eq!(status, 200);
                    sent[class] += 1;
                    if echoed == *id {
                        kept[class] += 1;
                    } else {
                        assert_eq!(echoed.len(), 32);
                        assert!(echoed.bytes().all(|b| b.is_ascii_hexdigit()));
                    }
                    all_sent.push(id.clone());
                }
            }
        }
    }
    // Counts only: a failure must not print a card number or a username.
    assert_eq!(kept, [0, 0, 0], "ids kept of {sent:?} sent per class");
    assert!(sent.iter().all(|&n| n >= 3 * 50), "{sent:?}");
    state.flush_audit();
    let text = out.text();
    let recorded: std::collections::HashSet<String> = text
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["request_id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(recorded.len(), all_sent.len());
    let leaked = all_sent.iter().filter(|id| recorded.contains(*id)).count();
    assert_eq!(leaked, 0, "ids written to the audit log");
    // Ordinary ids still pass with the same bodies.
    for id in [
        "f47ac10b-58cc-4372-a567-0e02b2c3d479",
        "01ARZ3NDEKTSV4RRFFQ69G5FAV",
        "req-1234",
    ] {
        let mut req = score(Some(&auth), RAW);
        req.headers_mut()
            .insert("x-request-id", id.parse().unwrap());
        let (status, _, echoed) = answer(&app, req).await;
        assert_eq!(status, 200);
        assert_eq!(echoed, id);
    }
}

// === Authenticate before spending ===

/// A whole request as raw HTTP/1.1 text.
fn raw_request(auth: &str, body: &[u8], extra: &str) -> Vec<u8> {
    let mut r = format!(
        "POST /minfraud/v2.0/score HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: {auth}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra}\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

/// Sends `request` on a new connection and reads the answer's status line
/// and headers (the connection is closed after the answer).
async fn once(addr: std::net::SocketAddr, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => got.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

fn status_of(head: &str) -> u16 {
    head.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn unauthenticated_requests_holding_their_bodies_never_take_the_apps_slots() {
    use tokio::io::AsyncWriteExt as _;
    let up = FakeUpstream::plain(minfraud).await;
    let state = state_with(&up, Box::new(Buffer::default()));
    let limits = Limits {
        max_concurrency: 4,
        ..Limits::default()
    };
    let app = server::router(state.clone(), limits);
    let (addr, _stop) = serving(app, limits).await;
    // Many times the slots: heads without credentials (or with wrong ones)
    // that promise 100 bytes of body and send one.
    let mut attackers = Vec::new();
    for i in 0..64 {
        let auth = if i % 2 == 0 {
            String::new()
        } else {
            format!("authorization: {}\r\n", basic(1001, "guess"))
        };
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST /minfraud/v2.0/score HTTP/1.1\r\nhost: 127.0.0.1\r\n{auth}content-type: application/json\r\ncontent-length: 100\r\n\r\n{{"
        );
        s.write_all(head.as_bytes()).await.unwrap();
        attackers.push(s);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut ok = 0;
    for _ in 0..20 {
        let head = once(addr, &raw_request(&basic(1001, APP_TOKEN), RAW, "")).await;
        ok += usize::from(status_of(&head) == 200);
    }
    assert_eq!(ok, 20, "apps' requests while the attack runs");
    drop(attackers);
}

#[tokio::test]
async fn unauthenticated_h2_streams_never_take_the_apps_slots() {
    let up = FakeUpstream::plain(minfraud).await;
    let state = state_with(&up, Box::new(Buffer::default()));
    let limits = Limits {
        max_concurrency: 4,
        ..Limits::default()
    };
    let app = server::router(state.clone(), limits);
    let (addr, _stop) = serving(app, limits).await;
    let url = format!("http://{addr}/minfraud/v2.0/score");
    // Streams on one h2 connection, each sending one byte of a body it
    // never finishes.
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut h2, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(tcp),
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    let mut senders = Vec::new();
    let mut streams = Vec::new();
    for _ in 0..32 {
        type Frame = Result<hyper::body::Frame<axum::body::Bytes>, std::io::Error>;
        let (tx, rx) = tokio::sync::mpsc::channel::<Frame>(1);
        tx.send(Ok(hyper::body::Frame::data(
            axum::body::Bytes::from_static(b"{"),
        )))
        .await
        .unwrap();
        senders.push(tx);
        let body = http_body_util::StreamBody::new(Box::pin(futures_util::stream::unfold(
            rx,
            |mut rx| async move { rx.recv().await.map(|x| (x, rx)) },
        )));
        let req = Request::post(url.as_str())
            .header("content-length", "100")
            .body(body)
            .unwrap();
        h2.ready().await.unwrap();
        streams.push(tokio::spawn(h2.send_request(req)));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let app_client = http_client().http2_prior_knowledge().build().unwrap();
    for _ in 0..10 {
        let r = app_client
            .post(&url)
            .header("authorization", basic(1001, APP_TOKEN))
            .body(RAW)
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
    }
    drop(senders);
    for s in streams {
        s.abort();
    }
}

fn http_client() -> reqwest::ClientBuilder {
    crate::sidecar_e2e::http()
}

#[tokio::test]
async fn guessing_tokens_is_throttled_per_source_and_answered_429_with_retry_after() {
    let up = FakeUpstream::plain(minfraud).await;
    let out = Buffer::default();
    let state = state_with(&up, Box::new(out.clone()));
    let app = server::router(state.clone(), Limits::default());
    let (addr, _stop) = serving(app, Limits::default()).await;
    // An app on a kept-alive connection, authenticated before the attack.
    let app_client = http_client().build().unwrap();
    let url = format!("http://{addr}/minfraud/v2.0/score");
    let send = |c: &reqwest::Client| {
        c.post(&url)
            .header("authorization", basic(1001, APP_TOKEN))
            .body(RAW)
            .send()
    };
    assert_eq!(send(&app_client).await.unwrap().status().as_u16(), 200);
    let started = Instant::now();
    let (mut tested, mut throttled, mut retry_after) = (0u32, 0u32, true);
    for i in 0..300 {
        let head = once(
            addr,
            &raw_request(&basic(1001, &format!("guess-{i}")), b"{}", ""),
        )
        .await;
        match status_of(&head) {
            401 => tested += 1,
            429 => {
                throttled += 1;
                retry_after &= head.to_ascii_lowercase().contains("retry-after:");
            }
            other => panic!("unexpected status {other}"),
        }
    }
    let secs = started.elapsed().as_secs_f64();
    // The burst, then at most two tokens per refilled place: the one that
    // takes it and the one that finds the bucket empty again.
    let (rate, burst) = server::auth::SOURCE_FAILURES;
    let allowed = f64::from(burst) + 2.0 * f64::from(rate) * secs + 2.0;
    assert!(
        f64::from(tested) <= allowed,
        "{tested} tokens tested in {secs:.2} s; at most {allowed:.0} allowed"
    );
    assert!(throttled > 0 && retry_after);
    // The app's kept-alive connection is not held up by the guesser.
    assert_eq!(send(&app_client).await.unwrap().status().as_u16(), 200);
    // The audit log has a bounded number of lines for the guesses, and
    // together with their `suppressed` counts they account for every one.
    state.flush_audit();
    let text = out.text();
    let mut lines = 0u64;
    let mut counted = 0u64;
    for l in text.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        if v["client"].is_null() && v["request_id"].is_string() {
            lines += 1;
            counted += 1 + v["suppressed"].as_u64().unwrap_or(0);
        }
    }
    let (_, audit_burst) = server::UNAUTHENTICATED_AUDIT;
    assert!(lines <= u64::from(audit_burst) + 300, "{lines}");
    assert!(counted <= 300 && counted + u64::from(audit_burst) >= 300 || counted == 300);
}

#[tokio::test]
async fn a_flood_of_failed_authentications_writes_a_bounded_number_of_audit_lines() {
    let up = FakeUpstream::plain(minfraud).await;
    let out = Buffer::default();
    let state = state_with(&up, Box::new(out.clone()));
    let app = server::router(state.clone(), Limits::default());
    let n = 3000u64;
    for i in 0..n {
        // Without a source address (in-process) and for unknown account
        // ids, so that only the audit rate limit applies.
        let auth = basic(50_000 + i as u32, "x");
        let _ = answer(&app, score(Some(&auth), b"{}")).await;
    }
    state.flush_audit();
    let text = out.text();
    let mut lines = 0u64;
    let mut counted = 0u64;
    for l in text.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        if v["outcome"] == "unauthorized" {
            lines += 1;
            counted += 1 + v["suppressed"].as_u64().unwrap_or(0);
        }
    }
    let (rate, burst) = server::UNAUTHENTICATED_AUDIT;
    assert!(lines < n / 2, "{lines} lines for {n} refusals");
    assert!(lines >= u64::from(burst.min(rate)));
    // Every refusal but those left out after the last line is counted.
    assert!(counted <= n && counted > n / 2 || counted == n, "{counted}");
    let (_, metrics) = admin(&state, "/metrics").await;
    assert!(metric(&metrics, "txveil_audit_lines_suppressed_total").is_some_and(|x| x > 0.0));
}

// === Browser-borne requests and HTTP strictness ===

#[tokio::test]
async fn browser_shaped_and_non_json_requests_are_refused_and_never_forwarded() {
    let up = FakeUpstream::plain(minfraud).await;
    let state = state_with(&up, Box::new(Buffer::default()));
    let app = server::router(state.clone(), Limits::default());
    let auth = basic(1001, APP_TOKEN);
    let with = |name: &'static str, value: &'static str| {
        let mut r = score(Some(&auth), RAW);
        r.headers_mut().insert(name, value.parse().unwrap());
        r
    };
    for (req, want) in [
        (
            with("origin", "https://evil.example"),
            (403, "BROWSER_REQUEST_REFUSED"),
        ),
        (
            with("sec-fetch-site", "cross-site"),
            (403, "BROWSER_REQUEST_REFUSED"),
        ),
        (
            with("sec-fetch-mode", "no-cors"),
            (403, "BROWSER_REQUEST_REFUSED"),
        ),
        (
            with("content-type", "text/plain"),
            (415, "CONTENT_TYPE_INVALID"),
        ),
        (
            with("content-type", "application/x-www-form-urlencoded"),
            (415, "CONTENT_TYPE_INVALID"),
        ),
        (
            with("content-type", "multipart/form-data; boundary=x"),
            (415, "CONTENT_TYPE_INVALID"),
        ),
        (
            with("content-encoding", "gzip"),
            (415, "CONTENT_ENCODING_UNSUPPORTED"),
        ),
        (
            with("content-encoding", "br"),
            (415, "CONTENT_ENCODING_UNSUPPORTED"),
        ),
        (
            with("transfer-encoding", "gzip, chunked"),
            (501, "TRANSFER_ENCODING_UNSUPPORTED"),
        ),
    ] {
        let (status, code, id) = answer(&app, req).await;
        assert_eq!((status, code.as_str()), want);
        assert_eq!(id.len(), 32);
    }
    assert!(up.requests().is_empty());
    // What apps send still goes through.
    for ct in [
        "application/json",
        "application/json; charset=UTF-8",
        "APPLICATION/JSON",
    ] {
        let (status, _, _) = answer(&app, with("content-type", ct)).await;
        assert_eq!(status, 200, "{ct}");
    }
    let (status, _, _) = answer(&app, with("content-encoding", "identity")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn http_1_1_without_exactly_one_host_is_a_400_in_minfrauds_shape() {
    let up = FakeUpstream::plain(minfraud).await;
    let state = state_with(&up, Box::new(Buffer::default()));
    let app = server::router(state.clone(), Limits::default());
    let (addr, _stop) = serving(app, Limits::default()).await;
    let auth = basic(1001, APP_TOKEN);
    let request = |hosts: &str| {
        let mut r = format!(
            "POST /minfraud/v2.0/score HTTP/1.1\r\n{hosts}authorization: {auth}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            RAW.len()
        )
        .into_bytes();
        r.extend_from_slice(RAW);
        r
    };
    for hosts in ["", "host: a\r\nhost: b\r\n"] {
        let head = once(addr, &request(hosts)).await;
        assert_eq!(status_of(&head), 400, "{head}");
        assert!(head.contains("x-request-id"), "{head}");
    }
    assert_eq!(
        status_of(&once(addr, &request("host: 127.0.0.1\r\n")).await),
        200
    );
    assert_eq!(up.requests().len(), 1);
}

#[tokio::test]
async fn a_revoked_maxmind_key_is_a_502_of_its_own_not_the_apps_401() {
    let up = FakeUpstream::plain(|_| {
        Answer::json(
            401,
            serde_json::json!({"code": "AUTHORIZATION_INVALID", "error": "bad key"}),
        )
    })
    .await;
    let state = state_with(&up, Box::new(Buffer::default()));
    let app = server::router(state.clone(), Limits::default());
    let (status, code, _) = answer(&app, score(Some(&basic(1001, APP_TOKEN)), RAW)).await;
    assert_eq!(
        (status, code.as_str()),
        (502, "UPSTREAM_AUTHORIZATION_INVALID")
    );
    let (status, code, _) = answer(&app, score(Some(&basic(1001, "wrong")), RAW)).await;
    assert_eq!((status, code.as_str()), (401, "AUTHORIZATION_INVALID"));
    let (_, metrics) = admin(&state, "/metrics").await;
    assert!(
        metrics.contains("code=\"UPSTREAM_AUTHORIZATION_INVALID\""),
        "{metrics}"
    );
}

/// Sends `request` on a new connection and reads everything until the
/// sidecar closes it.
async fn until_closed(addr: std::net::SocketAddr, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut got = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut got)).await;
    assert!(read.is_ok(), "the sidecar kept the connection open");
    String::from_utf8_lossy(&got).into_owned()
}

#[tokio::test]
async fn requests_hyper_cannot_parse_are_answered_in_minfrauds_error_shape() {
    let up = FakeUpstream::plain(minfraud).await;
    let state = state_with(&up, Box::new(Buffer::default()));
    let app = server::router(state.clone(), Limits::default());
    let (addr, _stop) = serving(app, Limits::default()).await;
    let auth = basic(1001, APP_TOKEN);
    let score = |extra: &str| raw_request(&auth, RAW, extra);
    let many_headers: String = (0..120).map(|i| format!("x-h{i}: v\r\n")).collect();
    let cases: Vec<(Vec<u8>, u16, &str)> = vec![
        (score("a header without a colon\r\n"), 400, "HTTP_INVALID"),
        (score("bad\x01name: v\r\n"), 400, "HTTP_INVALID"),
        (b"GARBAGE\r\n\r\n".to_vec(), 400, "HTTP_INVALID"),
        (
            b"POST /minfraud/v2.0/score HTTP/9.9\r\nhost: a\r\n\r\n".to_vec(),
            400,
            "HTTP_INVALID",
        ),
        (
            format!("GET /{} HTTP/1.1\r\nhost: a\r\n\r\n", "a".repeat(70_000)).into_bytes(),
            414,
            "URI_TOO_LONG",
        ),
        (score(&many_headers), 431, "HEADERS_TOO_LARGE"),
    ];
    for (request, status, code) in cases {
        let answer = until_closed(addr, &request).await;
        assert_eq!(status_of(&answer), status, "{code}");
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        assert!(
            head.contains(&format!(
                "content-type: {}",
                server::error::ERROR_CONTENT_TYPE
            )),
            "{code}: {head}"
        );
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{code}"
        );
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["code"], code);
    }
    // The handlers' own answers keep their form.
    let answer = until_closed(addr, &score("connection: close\r\n")).await;
    assert_eq!(status_of(&answer), 200);
    assert_eq!(up.requests().len(), 1);
}
