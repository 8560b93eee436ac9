//! Deployment on the real binary: the health-only listener for probes from
//! outside the pod, reloads when mounted files change (no SIGHUP, as in
//! Kubernetes), and license-key rotation without a restart.

use crate::sidecar::{clients_toml, APP_TOKEN, MAXMIND_KEY};
use crate::sidecar_e2e::{basic, http, Sidecar};
use crate::upstream::{minfraud, FakeUpstream};
use std::path::Path;
use std::time::{Duration, Instant};

const SEED: &str = include_str!("data/transaction-seed.json");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn get(port: u16, path: &str) -> (u16, String) {
    let r = http()
        .build()
        .unwrap()
        .get(format!("http://127.0.0.1:{port}{path}"))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn score(sidecar: &Sidecar, account: u32, token: &str) -> u16 {
    http()
        .build()
        .unwrap()
        .post(format!(
            "http://127.0.0.1:{}/minfraud/v2.0/score",
            sidecar.plain
        ))
        .header("authorization", basic(account, token))
        .body(SEED)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Replaces `path` as an orchestrator does: a new file renamed over the old.
fn replace(path: &Path, text: &str) {
    let tmp = path.with_extension("new");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

async fn until(what: &str, limit: Duration, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check().await {
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn refused_reloads(metrics: &str) -> f64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix("txveil_policy_reloads_total{code=\"refused\"} "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

fn expected_authorization(key: &str) -> String {
    basic(42, key)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_health_listener_answers_probes_and_nothing_else() {
    let up = FakeUpstream::plain(minfraud).await;
    let health = free_port();
    let sidecar = Sidecar::start(&up, &["--health-listen", &format!("127.0.0.1:{health}")]).await;
    until("the health listener", Duration::from_secs(5), async || {
        tokio::net::TcpStream::connect(("127.0.0.1", health))
            .await
            .is_ok()
    })
    .await;
    let (status, body) = get(health, "/healthz").await;
    assert_eq!(status, 200);
    assert!(body.contains("policy_sha256"), "{body}");
    assert_eq!(get(health, "/readyz").await.0, 200);
    for hidden in ["/metrics", "/policies"] {
        assert_eq!(get(health, hidden).await.0, 404, "{hidden}");
        assert_eq!(get(sidecar.admin, hidden).await.0, 200, "{hidden}");
    }
    // Not the API either.
    let api = http()
        .build()
        .unwrap()
        .post(format!("http://127.0.0.1:{health}/minfraud/v2.0/score"))
        .header("authorization", basic(1001, APP_TOKEN))
        .body(SEED)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status().as_u16(), 404);
    assert!(up.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_clients_file_is_reloaded_without_a_signal_and_a_bad_one_is_refused() {
    let up = FakeUpstream::plain(minfraud).await;
    let sidecar = Sidecar::start(&up, &["--watch-interval", "0.1"]).await;
    let file = sidecar.dir.join("clients.toml");
    let added = "added-token";
    assert_eq!(score(&sidecar, 1009, added).await, 401);
    let with_new = format!(
        "{}\n[[client]]\nname = \"added\"\naccount_id = 1009\ntoken_sha256 = \"{}\"\n",
        clients_toml(),
        {
            use sha2::Digest as _;
            sha2::Sha256::digest(added.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        }
    );
    replace(&file, &with_new);
    until("the added client", Duration::from_secs(5), async || {
        score(&sidecar, 1009, added).await == 200
    })
    .await;
    // A bad file is refused; the last good one keeps serving.
    replace(&file, &format!("{with_new}\n[[client]]\nname = \n"));
    until("the refusal", Duration::from_secs(5), async || {
        refused_reloads(&get(sidecar.admin, "/metrics").await.1) >= 1.0
    })
    .await;
    assert_eq!(score(&sidecar, 1009, added).await, 200);
    assert_eq!(score(&sidecar, 1001, APP_TOKEN).await, 200);
    assert!(sidecar.stderr().contains("a watched file changed"));
    // Refused once, not again at every check.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        refused_reloads(&get(sidecar.admin, "/metrics").await.1),
        1.0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rotated_license_key_is_used_without_a_restart() {
    let up = FakeUpstream::plain(minfraud).await;
    let sidecar = Sidecar::start(&up, &["--watch-interval", "0.1"]).await;
    let key_file = sidecar.dir.join("license-key");
    assert_eq!(score(&sidecar, 1001, APP_TOKEN).await, 200);
    assert_eq!(
        up.requests()[0].header("authorization"),
        expected_authorization(MAXMIND_KEY)
    );
    let rotated = "mm-license-R0TATED";
    replace(&key_file, &format!("{rotated}\n"));
    until("the rotated key", Duration::from_secs(5), async || {
        assert_eq!(score(&sidecar, 1001, APP_TOKEN).await, 200);
        up.requests().last().unwrap().header("authorization") == expected_authorization(rotated)
    })
    .await;
    // An empty key file is refused; the last good key stays in use.
    replace(&key_file, "\n");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(score(&sidecar, 1001, APP_TOKEN).await, 200);
    assert_eq!(
        up.requests().last().unwrap().header("authorization"),
        expected_authorization(rotated)
    );
    let log = sidecar.stderr();
    assert!(log.contains("license key refused"), "{log}");
    assert!(!log.contains(rotated) && !log.contains(MAXMIND_KEY));
}

#[tokio::test(flavor = "multi_thread")]
async fn sighup_reads_the_license_key_file_again() {
    let up = FakeUpstream::plain(minfraud).await;
    let sidecar = Sidecar::start(&up, &[]).await;
    let rotated = "mm-license-HUP";
    replace(&sidecar.dir.join("license-key"), rotated);
    sidecar.signal("-HUP");
    until("the rotated key", Duration::from_secs(5), async || {
        assert_eq!(score(&sidecar, 1001, APP_TOKEN).await, 200);
        up.requests().last().unwrap().header("authorization") == expected_authorization(rotated)
    })
    .await;
}
