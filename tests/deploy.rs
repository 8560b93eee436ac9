//! Deployment on the real binary: the health-only listener for probes from
//! outside the pod, reloads when mounted files change (no SIGHUP, as in
//! Kubernetes), and license-key rotation without a restart.

use crate::sidecar::{clients_toml, APP_TOKEN, MAXMIND_KEY};
use crate::sidecar_e2e::{basic, get, http, Sidecar};
use crate::upstream::{minfraud, FakeUpstream};
use crate::util::free_port;
use std::path::Path;
use std::time::{Duration, Instant};

const SEED: &str = include_str!("data/transaction-seed.json");

async fn score(sidecar: &Sidecar, account: u32, token: &str) -> u16 {
    score_as(sidecar.plain, account, token).await
}

/// The status of a Score request to `port` with `account`'s credentials.
async fn score_as(port: u16, account: u32, token: &str) -> u16 {
    http()
        .build()
        .unwrap()
        .post(format!("http://127.0.0.1:{port}/minfraud/v2.0/score"))
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
    assert_eq!(score_at(health).await, 404);
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

// === Egress through an HTTP proxy ===

/// A CONNECT proxy on loopback that records each request head it gets and
/// every byte it carries from the sidecar towards minFraud.
struct RecordingProxy {
    port: u16,
    heads: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    carried: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

impl RecordingProxy {
    async fn start() -> Self {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let heads = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let carried = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (h, c) = (heads.clone(), carried.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut app, _)) = listener.accept().await else {
                    continue;
                };
                let (heads, carried) = (h.clone(), c.clone());
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        if app.read_exact(&mut byte).await.is_err() {
                            return;
                        }
                        head.push(byte[0]);
                    }
                    let text = String::from_utf8_lossy(&head).into_owned();
                    heads.lock().unwrap().push(text.clone());
                    let target = text.split_whitespace().nth(1).unwrap_or("").to_owned();
                    let Ok(mut up) = tokio::net::TcpStream::connect(target).await else {
                        let _ = app.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                        return;
                    };
                    app.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                        .await
                        .unwrap();
                    let (mut app_r, mut app_w) = app.into_split();
                    let (mut up_r, mut up_w) = up.split();
                    let towards = async {
                        let mut buf = [0u8; 4096];
                        loop {
                            match app_r.read(&mut buf).await {
                                Ok(0) | Err(_) => break,
                                Ok(n) => {
                                    carried.lock().unwrap().extend_from_slice(&buf[..n]);
                                    if up_w.write_all(&buf[..n]).await.is_err() {
                                        break;
                                    }
                                }
                            }
                        }
                    };
                    let back = async {
                        let _ = tokio::io::copy(&mut up_r, &mut app_w).await;
                    };
                    tokio::join!(towards, back);
                });
            }
        });
        Self {
            port,
            heads,
            carried,
        }
    }
}

/// `txveil serve` with an HTTPS upstream (trusting its test CA), the
/// environment `env`, and `extra` flags; returns it with its API port.
async fn sidecar_to_tls_upstream(
    up: &FakeUpstream,
    env: &[(&str, String)],
    extra: &[&str],
) -> (std::process::Child, u16, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "txveil-proxy-{}-{}",
        std::process::id(),
        free_port()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ca.pem"), up.ca_pem.as_deref().unwrap()).unwrap();
    std::fs::write(dir.join("clients.toml"), clients_toml()).unwrap();
    std::fs::write(dir.join("license-key"), MAXMIND_KEY).unwrap();
    let port = free_port();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_txveil"));
    command
        .arg("serve")
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args([
            "--upstream",
            &format!("https://127.0.0.1:{}", up.addr.port()),
        ])
        .arg("--upstream-ca")
        .arg(dir.join("ca.pem"))
        .arg("--clients")
        .arg(dir.join("clients.toml"))
        .args(extra)
        .env("MAXMIND_ACCOUNT_ID", "42")
        .env("MAXMIND_LICENSE_KEY_FILE", dir.join("license-key"))
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(dir.join("stderr.log")).unwrap());
    for (k, v) in env {
        command.env(k, v);
    }
    let child = command.spawn().unwrap();
    until("the sidecar", Duration::from_secs(10), async || {
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
    })
    .await;
    (child, port, dir)
}

async fn score_at(port: u16) -> u16 {
    score_as(port, 1001, APP_TOKEN).await
}

#[tokio::test(flavor = "multi_thread")]
async fn through_a_proxy_minfraud_is_reached_by_connect_and_the_key_never_crosses_in_clear() {
    let up = FakeUpstream::tls(minfraud).await;
    let proxy = RecordingProxy::start().await;
    let url = format!("http://127.0.0.1:{}", proxy.port);
    let (mut child, port, _dir) =
        sidecar_to_tls_upstream(&up, &[], &["--upstream-proxy", &url]).await;
    assert_eq!(score_at(port).await, 200);
    let _ = child.kill();
    let _ = child.wait();
    let heads = proxy.heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(
        heads[0].starts_with(&format!(
            "CONNECT 127.0.0.1:{} HTTP/1.1\r\n",
            up.addr.port()
        )),
        "{heads:?}"
    );
    assert!(!heads[0].to_ascii_lowercase().contains("authorization"));
    // minFraud got the sidecar's credentials, through the tunnel.
    assert_eq!(
        up.requests()[0].header("authorization"),
        basic(42, MAXMIND_KEY)
    );
    let carried = proxy.carried.lock().unwrap().clone();
    assert!(
        carried.len() > 200,
        "no TLS records went through the tunnel"
    );
    let encoded = basic(42, MAXMIND_KEY);
    let key_b64 = encoded.trim_start_matches("Basic ");
    for needle in [MAXMIND_KEY, key_b64, "minfraud/v2.0", "authorization"] {
        assert!(
            !carried
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle.as_bytes())),
            "`{needle}` crossed the proxy in clear"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn https_proxy_from_the_environment_is_used_and_no_proxy_bypasses_it() {
    let up = FakeUpstream::tls(minfraud).await;
    let proxy = RecordingProxy::start().await;
    let url = format!("http://127.0.0.1:{}", proxy.port);
    let (mut child, port, _d) =
        sidecar_to_tls_upstream(&up, &[("HTTPS_PROXY", url.clone())], &[]).await;
    assert_eq!(score_at(port).await, 200);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(proxy.heads.lock().unwrap().len(), 1);
    let env = [
        ("HTTPS_PROXY", url),
        ("NO_PROXY", "localhost,127.0.0.0/8".to_owned()),
    ];
    let (mut child, port, _d) = sidecar_to_tls_upstream(&up, &env, &[]).await;
    assert_eq!(score_at(port).await, 200);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        proxy.heads.lock().unwrap().len(),
        1,
        "NO_PROXY's host went through the proxy"
    );
    assert_eq!(up.requests().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proxy_that_is_not_http_is_refused_at_start_up() {
    let up = FakeUpstream::tls(minfraud).await;
    for bad in [
        "https://127.0.0.1:3128",
        "socks5://127.0.0.1:1080",
        "not a url",
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_txveil"))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--dangerous-allow-unauthenticated",
            ])
            .args([
                "--upstream",
                &format!("https://127.0.0.1:{}", up.addr.port()),
            ])
            .args(["--upstream-proxy", bad])
            .env("MAXMIND_ACCOUNT_ID", "42")
            .env("MAXMIND_LICENSE_KEY", MAXMIND_KEY)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {err}");
        assert!(err.contains("upstream proxy"), "{bad}: {err}");
    }
}

/// Debian's tinyproxy (installed by scripts/test) on a free loopback port,
/// allowed to CONNECT to `port`; its log records each CONNECT.
fn tinyproxy(dir: &Path, port: u16) -> (std::process::Child, u16, std::path::PathBuf) {
    let listen = free_port();
    let log = dir.join("tinyproxy.log");
    let conf = dir.join("tinyproxy.conf");
    std::fs::write(
        &conf,
        format!(
            "Port {listen}\nListen 127.0.0.1\nTimeout 30\nAllow 127.0.0.1\nConnectPort {port}\n\
             LogFile \"{}\"\nLogLevel Connect\nMaxClients 10\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::write(&log, "").unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o666)).unwrap();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let child = std::process::Command::new("tinyproxy")
        .args(["-d", "-c"])
        .arg(&conf)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("tinyproxy is needed for this test (./scripts/test installs it)");
    (child, listen, log)
}

#[tokio::test(flavor = "multi_thread")]
async fn debians_tinyproxy_carries_the_tunnel_to_minfraud() {
    let up = FakeUpstream::tls(minfraud).await;
    let dir = std::env::temp_dir().join(format!("txveil-tinyproxy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (mut proxy, listen, log) = tinyproxy(&dir, up.addr.port());
    until("tinyproxy", Duration::from_secs(10), async || {
        tokio::net::TcpStream::connect(("127.0.0.1", listen))
            .await
            .is_ok()
    })
    .await;
    let env = [("HTTPS_PROXY", format!("http://127.0.0.1:{listen}"))];
    let (mut child, port, _d) = sidecar_to_tls_upstream(&up, &env, &[]).await;
    let status = score_at(port).await;
    let _ = child.kill();
    let _ = child.wait();
    let _ = proxy.kill();
    let _ = proxy.wait();
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(status, 200, "tinyproxy log: {logged}");
    assert_eq!(
        up.requests()[0].header("authorization"),
        basic(42, MAXMIND_KEY)
    );
    assert!(
        logged.contains(&format!("CONNECT 127.0.0.1:{}", up.addr.port())),
        "tinyproxy log: {logged}"
    );
    assert!(!logged.contains(MAXMIND_KEY));
}

#[tokio::test(flavor = "multi_thread")]
async fn upstream_failures_are_counted_apart_from_rejections() {
    let up = FakeUpstream::plain(|path: &str| {
        let mut answer = minfraud(path);
        answer.delay = Duration::from_secs(3);
        answer
    })
    .await;
    let sidecar = Sidecar::start(&up, &["--upstream-timeout", "0.3"]).await;
    assert_eq!(score(&sidecar, 1001, APP_TOKEN).await, 504);
    assert_eq!(score(&sidecar, 1001, "wrong-token").await, 401);
    let metrics = get(sidecar.admin, "/metrics").await.1;
    let has = |line: &str| metrics.lines().any(|l| l == line);
    let client = "client=\"legacy-checkout\"";
    assert!(
        has(&format!(
            "txveil_upstream_errors_total{{{client},code=\"UPSTREAM_TIMEOUT\"}} 1"
        )),
        "{metrics}"
    );
    assert!(
        has(&format!(
            "txveil_requests_total{{{client},endpoint=\"score\",outcome=\"upstream_timeout\"}} 1"
        )),
        "{metrics}"
    );
    // Not authenticated: no client name, whatever account id was sent.
    assert!(
        has("txveil_rejections_total{client=\"\",code=\"AUTHORIZATION_INVALID\"} 1"),
        "{metrics}"
    );
    assert!(
        !metrics
            .lines()
            .any(|l| l.starts_with("txveil_rejections_total") && l.contains("UPSTREAM")),
        "{metrics}"
    );
}
