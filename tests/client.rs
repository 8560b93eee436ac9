//! The upstream client against a fake minFraud on 127.0.0.1, plain and TLS.

use crate::upstream::{minfraud, Answer, FakeUpstream};
use serde_json::json;
use std::time::Duration;
use txveil::client::{Client, Error};
use txveil::schema::Endpoint;
use txveil::secret::{AccountId, Credentials, LicenseKey};
use txveil::{sanitize_request, sanitize_value, Policy};
use zeroize::Zeroizing;

const KEY: &str = "s3cr3t-l1cense-KEY";
// base64("42:s3cr3t-l1cense-KEY")
const AUTH: &str = "Basic NDI6czNjcjN0LWwxY2Vuc2UtS0VZ";

fn credentials() -> Credentials {
    Credentials {
        account_id: AccountId::new(42),
        license_key: LicenseKey::try_new(Zeroizing::new(KEY.into())).unwrap(),
    }
}

fn client(up: &FakeUpstream) -> Client {
    let builder = Client::builder(credentials()).timeout(Duration::from_secs(5));
    match &up.ca_pem {
        Some(ca) => builder
            .base_url(format!("https://localhost:{}", up.addr.port()))
            .root_ca_pem(ca.clone()),
        None => builder.base_url(format!("http://127.0.0.1:{}", up.addr.port())),
    }
    .build()
    .unwrap()
}

fn raw_transaction() -> txveil::Sanitized {
    let policy = Policy::embedded_default().unwrap();
    sanitize_request(
        &policy,
        Endpoint::Transaction,
        include_bytes!("data/transaction-raw.json"),
    )
    .unwrap()
}

#[tokio::test]
async fn sends_exact_path_headers_credentials_and_sanitized_body_over_tls() {
    let up = FakeUpstream::tls(minfraud).await;
    let c = client(&up);
    let request = raw_transaction();
    let score = c.score(&request).await.unwrap();
    assert_eq!(score.model.risk_score, Some(0.01));
    assert_eq!(
        score.model.disposition.unwrap().action.as_deref(),
        Some("accept")
    );
    assert_eq!(
        score.model.warnings[0].input_pointer.as_deref(),
        Some("/account/user_id")
    );
    let insights = c.insights(&request).await.unwrap();
    assert_eq!(
        insights.model.ip_address.unwrap().risk_reasons[0]
            .code
            .as_deref(),
        Some("ANONYMOUS_IP")
    );
    assert_eq!(
        insights.model.credit_card.unwrap().card_type.as_deref(),
        Some("credit")
    );
    assert_eq!(insights.raw["ip_address"]["country"]["iso_code"], "GB");
    let factors = c.factors(&request).await.unwrap();
    assert_eq!(factors.model.risk_score_reasons[0].multiplier, Some(45.0));

    let got = up.requests();
    let paths: Vec<&str> = got.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/minfraud/v2.0/score",
            "/minfraud/v2.0/insights",
            "/minfraud/v2.0/factors"
        ]
    );
    for r in &got {
        assert_eq!(r.header("authorization"), AUTH);
        assert_eq!(r.header("accept"), "application/json");
        assert_eq!(r.header("content-type"), "application/json");
        assert!(r.header("user-agent").starts_with("txveil/"));
        assert_eq!(r.json(), serde_json::Value::Object(request.body().clone()));
        assert!(!String::from_utf8_lossy(&r.body).contains("4111 1111"));
        assert_eq!(
            r.version,
            axum::http::Version::HTTP_2,
            "ALPN should pick h2"
        );
    }
}

#[tokio::test]
async fn report_sends_report_body_and_accepts_204() {
    let up = FakeUpstream::plain(minfraud).await;
    let policy = Policy::embedded_default().unwrap();
    let report = sanitize_request(
        &policy,
        Endpoint::Report,
        include_bytes!("data/report.json"),
    )
    .unwrap();
    client(&up).report(&report).await.unwrap();
    let got = up.requests();
    assert_eq!(got[0].path, "/minfraud/v2.0/transactions/report");
    assert_eq!(got[0].json()["tag"], "chargeback");
}

#[tokio::test]
async fn refuses_a_request_sanitized_for_the_other_endpoint() {
    let up = FakeUpstream::plain(minfraud).await;
    let c = client(&up);
    assert!(matches!(
        c.report(&raw_transaction()).await,
        Err(Error::WrongEndpoint { .. })
    ));
    let policy = Policy::embedded_default().unwrap();
    let report = sanitize_value(
        &policy,
        Endpoint::Report,
        json!({"tag": "clear", "transaction_id": "t"}),
    )
    .unwrap();
    assert!(matches!(
        c.score(&report).await,
        Err(Error::WrongEndpoint { .. })
    ));
    assert!(up.requests().is_empty());
}

#[tokio::test]
async fn maps_every_documented_error_code() {
    let cases: Vec<(u16, &str)> = vec![
        (400, "JSON_INVALID"),
        (400, "REQUEST_INVALID"),
        (400, "IP_ADDRESS_INVALID"),
        (400, "IP_ADDRESS_RESERVED"),
        (400, "MAXMIND_ID_INVALID"),
        (400, "MINFRAUD_ID_INVALID"),
        (400, "PARAMETER_UNKNOWN"),
        (400, "NOTES_INVALID"),
        (400, "TAG_REQUIRED"),
        (400, "TAG_INVALID"),
        (400, "TRANSACTION_ID_REQUIRED"),
        (401, "AUTHORIZATION_INVALID"),
        (401, "LICENSE_KEY_REQUIRED"),
        (401, "ACCOUNT_ID_REQUIRED"),
        (401, "USER_ID_REQUIRED"),
        (402, "INSUFFICIENT_FUNDS"),
        (403, "PERMISSION_REQUIRED"),
    ];
    for (status, code) in cases {
        let up = FakeUpstream::plain(move |_| {
            Answer::json(status, json!({"code": code, "error": "message"}))
        })
        .await;
        let err = client(&up).score(&raw_transaction()).await.unwrap_err();
        let ok = match (&err, code) {
            (Error::Authentication { code: c }, _) => c == code && status == 401,
            (Error::InsufficientFunds, "INSUFFICIENT_FUNDS") => true,
            (Error::PermissionRequired, "PERMISSION_REQUIRED") => true,
            (
                Error::InvalidRequest {
                    code: c, status: s, ..
                },
                _,
            ) => c == code && *s == status,
            _ => false,
        };
        assert!(ok, "{code}: {err:?}");
        assert!(!format!("{err} {err:?}").contains(KEY));
    }
    for (answer, check) in [
        (Answer::empty(403), "Http"),
        (Answer::empty(415), "Http"),
        (Answer::empty(429), "Http"),
        (Answer::empty(503), "Server"),
        (Answer::empty(500), "Server"),
        (Answer::empty(302), "UnexpectedStatus"),
        (
            Answer {
                content_type: "text/html",
                ..Answer::json(400, json!({"code": "X", "error": "y"}))
            },
            "Http",
        ),
        (
            Answer {
                body: b"<html>".to_vec(),
                ..Answer::json(200, json!({}))
            },
            "UnexpectedBody",
        ),
    ] {
        let up = FakeUpstream::plain(move |_| answer.clone()).await;
        let err = client(&up).score(&raw_transaction()).await.unwrap_err();
        assert!(format!("{err:?}").starts_with(check), "{check}: {err:?}");
    }
}

#[tokio::test]
async fn times_out_and_reports_unreachable_upstreams() {
    let up = FakeUpstream::plain(|p| Answer {
        delay: Duration::from_secs(3),
        ..minfraud(p)
    })
    .await;
    let c = Client::builder(credentials())
        .base_url(format!("http://127.0.0.1:{}", up.addr.port()))
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    assert!(matches!(
        c.score(&raw_transaction()).await,
        Err(Error::Timeout)
    ));
    // One attempt only: scoring calls are billed and never retried.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(up.requests().len(), 1);

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let c = Client::builder(credentials())
        .base_url(format!("http://{closed}"))
        .build()
        .unwrap();
    let err = c.score(&raw_transaction()).await.unwrap_err();
    assert!(matches!(err, Error::Connect(_)), "{err:?}");
    assert!(!err.to_string().contains(KEY));
}

#[tokio::test]
async fn a_forward_within_a_limit_ends_at_the_sooner_of_the_limit_and_the_clients_own() {
    use txveil::client::Service;
    let up = FakeUpstream::plain(|p| Answer {
        delay: Duration::from_secs(3),
        ..minfraud(p)
    })
    .await;
    let base = format!("http://127.0.0.1:{}", up.addr.port());
    let request = raw_transaction();
    // (the client's own limit, the limit of the call): each ends it, whichever is sooner.
    for (own, call) in [
        (Duration::from_secs(60), Duration::from_millis(200)),
        (Duration::from_millis(200), Duration::from_secs(60)),
    ] {
        let c = Client::builder(credentials())
            .base_url(&base)
            .timeout(own)
            .build()
            .unwrap();
        let started = std::time::Instant::now();
        let answer = c.forward_within(Service::Score, &request, call).await;
        assert!(matches!(answer, Err(Error::Timeout)), "{answer:?}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{own:?} {call:?}"
        );
    }
    // With time enough, the answer comes back as it is.
    let c = Client::builder(credentials())
        .base_url(&base)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let answer = c
        .forward_within(Service::Score, &request, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn a_tls_handshake_that_never_finishes_counts_against_the_connect_timeout() {
    // A peer that takes the TCP connection and then says nothing.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            open.push(stream);
        }
    });
    let c = Client::builder(credentials())
        .base_url(format!("https://localhost:{port}"))
        .connect_timeout(Duration::from_millis(300))
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let answer = c.score(&raw_transaction()).await;
    assert!(matches!(answer, Err(Error::Timeout)), "{answer:?}");
    // The connect timeout ended it, not the call's 60 s.
    assert!(started.elapsed() < Duration::from_secs(30));
    held.abort();
}

/// A plain-HTTP upstream on 127.0.0.1 that reads a request and answers
/// every connection with `answer` (raw bytes, then the connection closes).
async fn raw_upstream(answer: Vec<u8>) -> (u16, tokio::task::JoinHandle<()>) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                // The head and the sanitized body (well under 8 KB).
                while !request.ends_with(b"}") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = stream.write_all(&answer).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (port, task)
}

fn plain_client(port: u16) -> Client {
    Client::builder(credentials())
        .base_url(format!("http://127.0.0.1:{port}"))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_answer_streamed_past_the_limit_without_a_length_is_refused() {
    // No Content-Length to refuse up front: the limit holds while reading.
    let mut answer =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
            .to_vec();
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..(txveil::client::MAX_ANSWER_BYTES / chunk.len() + 2) {
        answer.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        answer.extend_from_slice(&chunk);
        answer.extend_from_slice(b"\r\n");
    }
    answer.extend_from_slice(b"0\r\n\r\n");
    let (port, task) = raw_upstream(answer).await;
    let got = plain_client(port).score(&raw_transaction()).await;
    assert!(matches!(got, Err(Error::AnswerTooLarge)), "{got:?}");
    task.abort();
}

#[tokio::test]
async fn an_answer_that_breaks_off_is_a_connection_error_not_an_answer() {
    let answer = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"risk_score\":"
        .to_vec();
    let (port, task) = raw_upstream(answer).await;
    let got = plain_client(port).score(&raw_transaction()).await;
    assert!(matches!(got, Err(Error::Connect(_))), "{got:?}");
    assert!(!format!("{got:?}").contains(KEY));
    task.abort();
}

#[tokio::test]
async fn refuses_an_upstream_signed_by_an_unknown_ca() {
    let up = FakeUpstream::tls(minfraud).await;
    let other = crate::pki::TestPki::new();
    let c = Client::builder(credentials())
        .base_url(format!("https://localhost:{}", up.addr.port()))
        .root_ca_pem(other.ca_pem)
        .build()
        .unwrap();
    assert!(matches!(
        c.score(&raw_transaction()).await,
        Err(Error::Connect(_))
    ));
    assert!(up.requests().is_empty());
}

/// Everything hyper-util, h2 and the rest log through `tracing`, and rustls
/// through `log`, at TRACE while calls run. The capture runs in a process of its own: tracing
/// caches, per call site and for the whole process, whether anyone listens,
/// and other tests reaching the same call sites at the same moment on
/// other threads (with no subscriber) make it drop most of this thread's
/// events.
#[test]
fn the_key_never_appears_in_captured_logs() {
    const CHILD: &str = "TXVEIL_TEST_LOG_CAPTURE";
    if std::env::var_os(CHILD).is_none() {
        let run = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "client::the_key_never_appears_in_captured_logs",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&run.stdout);
        assert!(run.status.success(), "the capture failed:\n{said}");
        assert!(
            said.contains("1 passed"),
            "the capture did not run:\n{said}"
        );
        return;
    }
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let sink = Sink::default();
    // rustls and hyper-rustls log through the `log` crate: those records
    // go to the same place (this process runs this test alone).
    struct Records(Sink);
    impl log::Log for Records {
        fn enabled(&self, _: &log::Metadata<'_>) -> bool {
            true
        }
        fn log(&self, record: &log::Record<'_>) {
            let line = format!(
                "{} {}: {}\n",
                record.level(),
                record.target(),
                record.args()
            );
            self.0 .0.lock().unwrap().extend_from_slice(line.as_bytes());
        }
        fn flush(&self) {}
    }
    log::set_boxed_logger(Box::new(Records(sink.clone()))).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let up = FakeUpstream::tls(minfraud).await;
            let c = client(&up);
            c.score(&raw_transaction()).await.unwrap();
            let bad = FakeUpstream::plain(|_| {
                Answer::json(401, json!({"code": "AUTHORIZATION_INVALID", "error": "x"}))
            })
            .await;
            let _ = client(&bad).score(&raw_transaction()).await;
        });
    });
    let logs = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("rustls"), "expected rustls' records");
    assert!(
        logs.len() > 1000,
        "expected trace output, got {} bytes",
        logs.len()
    );
    for secret in [
        KEY,
        "NDI6czNjcjN0LWwxY2Vuc2UtS0VZ",
        "4111111111111111",
        "4111 1111 1111 1111",
    ] {
        assert!(!logs.contains(secret), "log holds a secret");
    }
}

#[tokio::test]
async fn an_applications_own_reqwest_client_is_used_with_its_proxy() {
    // The app's egress proxy: a fake that answers as minFraud and records
    // what it was sent, so the request reaching it (and not the upstream
    // named by the base URL) shows the app's client was used.
    let up = FakeUpstream::plain(minfraud).await;
    let proxy = FakeUpstream::plain(minfraud).await;
    // The application's client brings its own TLS; here, rustls with ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .proxy(reqwest::Proxy::http(format!("http://{}", proxy.addr)).unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let c = Client::builder(credentials())
        .base_url(format!("http://127.0.0.1:{}", up.addr.port()))
        .http_client(http)
        .build()
        .unwrap();
    let score = c.score(&raw_transaction()).await.unwrap();
    assert_eq!(score.model.risk_score, Some(0.01));
    assert!(up.requests().is_empty(), "the upstream was called directly");
    let got = proxy.requests();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].path, "/minfraud/v2.0/score");
    assert_eq!(got[0].header("authorization"), AUTH);
}

#[tokio::test]
async fn the_reqwest_and_the_sidecars_transports_send_the_same_request() {
    let up = FakeUpstream::tls(minfraud).await;
    let ca = up.ca_pem.clone().unwrap();
    let builder = || {
        Client::builder(credentials())
            .base_url(format!("https://localhost:{}", up.addr.port()))
            .root_ca_pem(ca.clone())
    };
    let reqwest_client = builder().build().unwrap();
    let lean = builder().build_many(1).unwrap().pop().unwrap();
    let request = raw_transaction();
    for c in [&reqwest_client, &lean] {
        c.report(
            &sanitize_value(
                &Policy::embedded_default().unwrap(),
                Endpoint::Report,
                json!({"ip_address": "81.2.69.160", "tag": "chargeback"}),
            )
            .unwrap(),
        )
        .await
        .unwrap();
        let raw = c
            .forward(txveil::client::Service::Insights, &request)
            .await
            .unwrap();
        assert_eq!(raw.status, 200);
    }
    let got = up.requests();
    assert_eq!(got.len(), 4);
    for (a, b) in [(&got[0], &got[2]), (&got[1], &got[3])] {
        assert_eq!(a.path, b.path);
        assert_eq!(a.body, b.body);
        assert_eq!(a.version, b.version, "both negotiate the same HTTP version");
        for h in ["authorization", "content-type", "accept", "user-agent"] {
            assert_eq!(a.header(h), b.header(h), "{h}");
        }
    }
}
