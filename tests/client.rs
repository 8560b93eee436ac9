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

/// Everything reqwest, hyper, h2 and rustls log at TRACE while a call runs.
#[test]
fn the_key_never_appears_in_captured_logs() {
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
