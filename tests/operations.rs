//! Operating the sidecar, end to end on the real binary: SIGHUP reloads of
//! the clients file, minFraud's balance as metrics, per-client rate limits
//! (as the official clients see them), shadow policies, and `/policies`.

use crate::sidecar::{app_token_sha256, clients_toml, APP_TOKEN};
use crate::sidecar_e2e::{assert_no_secrets, basic, client_output, http, Sidecar};
use crate::upstream::{minfraud, FakeUpstream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SEED: &str = include_str!("data/transaction-seed.json");

/// A score call as app `account` with `token`.
async fn score_answer(
    sidecar: &Sidecar,
    account: u32,
    token: &str,
    body: &str,
) -> reqwest::Response {
    score_answer_on(&http().build().unwrap(), sidecar, account, token, body).await
}

/// As `score_answer`, sent with `client` (whose connections are reused:
/// building a client takes tens of milliseconds in a debug build, which
/// tests that count on timing must not spend between requests).
async fn score_answer_on(
    client: &reqwest::Client,
    sidecar: &Sidecar,
    account: u32,
    token: &str,
    body: &str,
) -> reqwest::Response {
    client
        .post(format!(
            "http://127.0.0.1:{}/minfraud/v2.0/score",
            sidecar.plain
        ))
        .header("authorization", basic(account, token))
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

/// A score call's HTTP status.
async fn score(sidecar: &Sidecar, account: u32, token: &str, body: &str) -> u16 {
    score_answer(sidecar, account, token, body)
        .await
        .status()
        .as_u16()
}

/// As `score`, sent with `client`.
async fn score_on(
    client: &reqwest::Client,
    sidecar: &Sidecar,
    account: u32,
    token: &str,
    body: &str,
) -> u16 {
    score_answer_on(client, sidecar, account, token, body)
        .await
        .status()
        .as_u16()
}

async fn admin(sidecar: &Sidecar, path: &str) -> String {
    admin_on(&http().build().unwrap(), sidecar, path).await
}

async fn admin_on(client: &reqwest::Client, sidecar: &Sidecar, path: &str) -> String {
    client
        .get(format!("http://127.0.0.1:{}{path}", sidecar.admin))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The value of the metric line starting with `name` (labels included), or
/// `None` when there is no such line.
fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

/// Sends SIGHUP and waits until `/metrics` counts one more reload of either
/// result.
async fn reload(sidecar: &Sidecar) {
    reload_on(&http().build().unwrap(), sidecar).await;
}

/// As `reload`, polling with `client`.
async fn reload_on(client: &reqwest::Client, sidecar: &Sidecar) {
    let count = |t: &str| {
        metric(t, "txveil_policy_reloads_total{code=\"ok\"}").unwrap_or(0.0)
            + metric(t, "txveil_policy_reloads_total{code=\"refused\"}").unwrap_or(0.0)
    };
    let before = count(&admin_on(client, sidecar, "/metrics").await);
    sidecar.signal("-HUP");
    let deadline = Instant::now() + Duration::from_secs(5);
    while count(&admin_on(client, sidecar, "/metrics").await) == before {
        assert!(Instant::now() < deadline, "no reload counted");
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn client(name: &str, account: u32, token: &str, extra: &str) -> String {
    format!(
        "[[client]]\nname = \"{name}\"\naccount_id = {account}\ntoken_sha256 = \"{}\"\n{extra}\n",
        sha256_hex(token)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn sighup_adds_removes_and_rekeys_clients_and_refuses_a_bad_file() {
    let up = FakeUpstream::plain(minfraud).await;
    let sidecar = Sidecar::start(&up, &[]).await;
    let file = sidecar.dir.join("clients.toml");
    assert_eq!(score(&sidecar, 1001, APP_TOKEN, SEED).await, 200);
    assert_eq!(score(&sidecar, 1009, "new-app-token", SEED).await, 401);

    // Add 1009, re-key 1001, remove 1002 and 1003.
    let next = client("new-app", 1009, "new-app-token", "")
        + &client("legacy-checkout", 1001, "rotated-token", "");
    std::fs::write(&file, &next).unwrap();
    reload(&sidecar).await;
    assert_eq!(score(&sidecar, 1009, "new-app-token", SEED).await, 200);
    assert_eq!(score(&sidecar, 1001, "rotated-token", SEED).await, 200);
    assert_eq!(score(&sidecar, 1001, APP_TOKEN, SEED).await, 401);
    assert_eq!(score(&sidecar, 1003, APP_TOKEN, SEED).await, 401);

    // Bad files are refused, named by file, line and key; the last good
    // clients keep serving.
    let bad_files = [
        (
            next.replace(
                "account_id = 1009",
                "account_id = 1009\nendpoints = [\"scores\"]",
            ),
            "client `new-app`: key `endpoints`",
        ),
        (
            format!("{next}rate_limit = {{ per_second = 0 }}\n"),
            "key `rate_limit.per_second`",
        ),
        (
            next.replace("account_id = 1009", "account_id = \"x\""),
            "account_id",
        ),
        (
            next.replace(
                "name = \"new-app\"",
                "name = \"new-app\"\npolicy = \"missing.toml\"",
            ),
            "clients.toml:1: client `new-app`: key `policy`: ",
        ),
    ];
    for (i, (text, key)) in bad_files.iter().enumerate() {
        std::fs::write(&file, text).unwrap();
        reload(&sidecar).await;
        let log = sidecar.stderr();
        let refusal = log
            .lines()
            .filter(|l| l.contains("reload refused"))
            .nth(i)
            .unwrap_or_else(|| panic!("no refusal logged for {key}: {log}"));
        assert!(refusal.contains(key), "{refusal}");
        assert!(
            refusal.contains(&file.display().to_string()),
            "file not named: {refusal}"
        );
        assert_eq!(score(&sidecar, 1009, "new-app-token", SEED).await, 200);
        assert_eq!(score(&sidecar, 1001, APP_TOKEN, SEED).await, 401);
    }
    let line = |t: &str| {
        t.lines()
            .find(|l| l.contains("reload refused") && l.contains("endpoints"))
            .map(str::to_owned)
    };
    assert!(
        line(&sidecar.stderr()).is_some_and(|l| l.contains("clients.toml:4:")),
        "{:?}",
        line(&sidecar.stderr())
    );
    let m = admin(&sidecar, "/metrics").await;
    assert_eq!(
        metric(&m, "txveil_policy_reloads_total{code=\"ok\"}"),
        Some(1.0)
    );
    assert_eq!(
        metric(&m, "txveil_policy_reloads_total{code=\"refused\"}"),
        Some(4.0)
    );
    assert_no_secrets("sidecar log", &sidecar.stderr());
}

#[tokio::test(flavor = "multi_thread")]
async fn funds_and_queries_become_gauges_and_low_funds_warn_once_per_fall() {
    // funds_remaining per answer, in order.
    const FUNDS: [f64; 6] = [10.0, 4.5, 3.0, 12.0, 2.0, 1.0];
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let up = FakeUpstream::plain(move |path| {
        let i = seen.fetch_add(1, Ordering::SeqCst).min(FUNDS.len() - 1);
        let mut a = minfraud(path);
        if a.status != 200 {
            return a;
        }
        let mut v: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
        v["funds_remaining"] = FUNDS[i].into();
        v["queries_remaining"] = (900 - i).into();
        a.body = serde_json::to_vec(&v).unwrap();
        a
    })
    .await;
    let sidecar = Sidecar::start(&up, &["--funds-warning", "5"]).await;
    let warnings = || {
        sidecar
            .stderr()
            .matches("minFraud funds are under the warning level")
            .count()
    };
    let mut warned = Vec::new();
    for _ in FUNDS {
        assert_eq!(score(&sidecar, 1001, APP_TOKEN, SEED).await, 200);
        warned.push(warnings());
    }
    // Under 5 at the 2nd answer, still under at the 3rd, back over at the
    // 4th, under again at the 5th and 6th.
    assert_eq!(warned, [0, 1, 1, 1, 2, 2]);
    let m = admin(&sidecar, "/metrics").await;
    assert_eq!(metric(&m, "txveil_minfraud_funds_remaining"), Some(1.0));
    assert_eq!(metric(&m, "txveil_minfraud_queries_remaining"), Some(895.0));
    // A report answer (204, no balance) leaves the gauges alone.
    let r = http()
        .build()
        .unwrap()
        .post(format!(
            "http://127.0.0.1:{}/minfraud/v2.0/transactions/report",
            sidecar.plain
        ))
        .header("authorization", basic(1001, APP_TOKEN))
        .body(r#"{"ip_address":"81.2.69.160","tag":"chargeback"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let m = admin(&sidecar, "/metrics").await;
    assert_eq!(metric(&m, "txveil_minfraud_funds_remaining"), Some(1.0));
}

#[tokio::test(flavor = "multi_thread")]
async fn without_funds_warning_nothing_is_warned_but_gauges_still_move() {
    let up = FakeUpstream::plain(|path| {
        let mut a = minfraud(path);
        let mut v: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
        v["funds_remaining"] = 0.25.into();
        a.body = serde_json::to_vec(&v).unwrap();
        a
    })
    .await;
    let sidecar = Sidecar::start(&up, &[]).await;
    assert_eq!(score(&sidecar, 1001, APP_TOKEN, SEED).await, 200);
    assert!(!sidecar.stderr().contains("under the warning level"));
    let m = admin(&sidecar, "/metrics").await;
    assert_eq!(metric(&m, "txveil_minfraud_funds_remaining"), Some(0.25));
}

/// Clients file: app 1001 limited to 1 request/s with a burst of 2; app
/// 1003 unlimited.
fn limited_clients() -> String {
    let t = app_token_sha256();
    format!(
        "[[client]]\nname = \"legacy-checkout\"\naccount_id = 1001\ntoken_sha256 = \"{t}\"\nrate_limit = {{ per_second = 1, burst = 2 }}\n\n\
         [[client]]\nname = \"other-app\"\naccount_id = 1003\ntoken_sha256 = \"{t}\"\n"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn over_its_rate_limit_an_app_gets_429_and_minfraud_is_not_called() {
    let up = FakeUpstream::plain(minfraud).await;
    let sidecar = Sidecar::start_full(&up, &[], None, &limited_clients()).await;
    // One client for every request: the limit refills every second, and
    // the requests between its checks must take a small part of that.
    let c = &http().build().unwrap();
    let statuses = [
        score_on(c, &sidecar, 1001, APP_TOKEN, SEED).await,
        score_on(c, &sidecar, 1001, APP_TOKEN, SEED).await,
        score_on(c, &sidecar, 1001, APP_TOKEN, SEED).await,
        score_on(c, &sidecar, 1001, APP_TOKEN, SEED).await,
    ];
    assert_eq!(statuses, [200, 200, 429, 429]);
    // Another app is not held back by the first one's limit.
    for _ in 0..4 {
        assert_eq!(score_on(c, &sidecar, 1003, APP_TOKEN, SEED).await, 200);
    }
    assert_eq!(
        up.requests().len(),
        6,
        "throttled requests reached minFraud"
    );
    // The answer: minFraud's error shape, with Retry-After.
    let r = score_answer_on(c, &sidecar, 1001, APP_TOKEN, SEED).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "1");
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/vnd.maxmind.com-error+json"));
    let v: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(v["code"], "RATE_LIMITED");
    // After a second, one more request may go.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(score_on(c, &sidecar, 1001, APP_TOKEN, SEED).await, 200);
    // So far: 10 requests, 3 of them throttled.
    let (mut requests, mut throttled) = (10, 3);
    // A reload that keeps the limit keeps what was used of it. With the
    // allowance used up, a limit started afresh would let two requests
    // through (its burst), a kept one at most one within the next second
    // (it refills one a second). A reload slow enough to leave the two
    // requests a second or more after the allowance ran out proves
    // nothing, and the check is made again.
    let mut checked = false;
    for _ in 0..10 {
        loop {
            requests += 1;
            if score_on(c, &sidecar, 1001, APP_TOKEN, SEED).await == 429 {
                throttled += 1;
                break;
            }
        }
        let used_up = Instant::now();
        reload_on(c, &sidecar).await;
        let after = [
            score_on(c, &sidecar, 1001, APP_TOKEN, SEED).await,
            score_on(c, &sidecar, 1001, APP_TOKEN, SEED).await,
        ];
        requests += 2;
        throttled += after.iter().filter(|&&s| s == 429).count();
        if used_up.elapsed() < Duration::from_secs(1) {
            assert!(
                after.contains(&429),
                "the reload reset the limit: {after:?}"
            );
            checked = true;
            break;
        }
    }
    assert!(checked, "every reload took a second or more");
    let m = admin_on(c, &sidecar, "/metrics").await;
    assert_eq!(
        metric(&m, "txveil_throttled_total{client=\"legacy-checkout\"}"),
        Some(throttled as f64)
    );
    assert_eq!(
        metric(&m, "txveil_throttled_total{client=\"other-app\"}"),
        None
    );
    let audited = sidecar
        .audit_lines(requests)
        .await
        .lines()
        .filter(|l| l.contains("\"outcome\":\"throttled\"") && l.contains("RATE_LIMITED"))
        .count();
    assert_eq!(audited, throttled);

    // A reload that changes the limit starts afresh.
    std::fs::write(
        sidecar.dir.join("clients.toml"),
        limited_clients().replace("burst = 2", "burst = 5"),
    )
    .unwrap();
    reload_on(c, &sidecar).await;
    assert_eq!(score_on(c, &sidecar, 1001, APP_TOKEN, SEED).await, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_official_python_and_node_clients_raise_a_clear_error_when_throttled() {
    let up = FakeUpstream::plain(minfraud).await;
    let sidecar = Sidecar::start_full(&up, &[], None, &limited_clients()).await;
    let v = client_output(sidecar.python("python_rate_limit.py"), "python client");
    assert_eq!(
        v["results"],
        serde_json::json!(["ok", "ok", "InvalidRequestError"])
    );
    assert_eq!(v["code"], "RATE_LIMITED");
    assert_eq!(v["status"], 429);
    assert!(v["message"].as_str().unwrap().contains("rate limit"), "{v}");

    // A fresh burst for the Node client.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let v = client_output(sidecar.node("node_rate_limit.js"), "node client");
    assert_eq!(
        v["results"],
        serde_json::json!(["ok", "ok", "RATE_LIMITED"])
    );
    assert!(v["error"].as_str().unwrap().contains("rate limit"), "{v}");
    assert_eq!(
        up.requests().len(),
        4,
        "throttled requests reached minFraud"
    );
}

/// A stricter candidate: the minimal policy, refusing unlisted fields.
fn strict_candidate() -> String {
    std::fs::read_to_string(crate::util::path("policies/minimal.toml"))
        .unwrap()
        .replace("unlisted = \"drop\"", "unlisted = \"reject\"")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shadow_policy_is_audited_and_counted_but_never_forwarded() {
    let up = FakeUpstream::plain(minfraud).await;
    let dir = std::env::temp_dir().join(format!("txveil-shadow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let strict = dir.join("strict.toml");
    std::fs::write(&strict, strict_candidate()).unwrap();
    let minimal = crate::util::path("policies/minimal.toml");
    let clients = clients_toml()
        + &client(
            "trial-app",
            1004,
            APP_TOKEN,
            &format!("shadow_policy = \"{}\"", minimal.display()),
        );
    let sidecar = Sidecar::start_full(
        &up,
        &["--shadow-policy", strict.to_str().unwrap()],
        None,
        &clients,
    )
    .await;
    // 1001 has no shadow of its own: --shadow-policy (strict) applies.
    // 1004 has minimal.toml as its own shadow.
    assert_eq!(score(&sidecar, 1001, APP_TOKEN, SEED).await, 200);
    assert_eq!(score(&sidecar, 1004, APP_TOKEN, SEED).await, 200);
    let raw = include_str!("data/transaction-raw.json");
    assert_eq!(score(&sidecar, 1001, APP_TOKEN, raw).await, 200);
    let sent = up.requests();
    assert_eq!(sent.len(), 3);
    // What went upstream is what the policy in force made, shadow or not.
    assert_eq!(sent[0].body, sent[1].body);

    // Without any shadow policy, the same bytes go upstream.
    let plain_up = FakeUpstream::plain(minfraud).await;
    let plain = Sidecar::start(&plain_up, &[]).await;
    assert_eq!(score(&plain, 1001, APP_TOKEN, SEED).await, 200);
    assert_eq!(score(&plain, 1001, APP_TOKEN, raw).await, 200);
    let plain_sent = plain_up.requests();
    assert_eq!(plain_sent[0].body, sent[0].body);
    assert_eq!(plain_sent[1].body, sent[2].body);

    let audit = sidecar.audit_lines(3).await;
    let lines: Vec<serde_json::Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    let strict_digest = sha256_hex(&strict_candidate());
    // Strict: would reject the request, naming the code and a path.
    let s0 = &lines[0]["shadow"];
    assert_eq!(s0["policy_sha256"], strict_digest.as_str());
    assert_eq!(s0["outcome"], "rejected");
    assert_eq!(s0["code"], "FIELD_FORBIDDEN");
    assert!(s0["path"].as_str().unwrap().starts_with('/'), "{s0}");
    assert_eq!(lines[0]["outcome"], "forwarded");
    // Minimal: would forward, treating some paths differently (dropping
    // what the default keeps).
    let s1 = &lines[1]["shadow"];
    assert_eq!(s1["outcome"], "forwarded");
    let differs = s1["differs"].as_array().unwrap();
    assert!(!differs.is_empty(), "{s1}");
    assert!(
        differs
            .iter()
            .all(|d| d[0].as_str().unwrap().starts_with('/')),
        "{s1}"
    );
    assert!(differs.iter().any(|d| d[1] == "drop_unlisted"), "{s1}");
    assert!(lines.iter().all(|l| l["shadow"].is_object()));
    assert_no_secrets("audit log", &audit);

    let m = admin(&sidecar, "/metrics").await;
    assert_eq!(
        metric(
            &m,
            "txveil_shadow_rejections_total{code=\"FIELD_FORBIDDEN\"}"
        ),
        Some(2.0)
    );
    // The real policy's rejections are not the shadow's.
    assert!(!m
        .lines()
        .any(|l| l.starts_with("txveil_rejections_total") && l.contains("FIELD_FORBIDDEN")));
}

#[tokio::test(flavor = "multi_thread")]
async fn policies_lists_each_clients_policies_and_the_last_reload_without_secrets() {
    let up = FakeUpstream::plain(minfraud).await;
    let candidate = crate::util::path("policies/minimal.toml");
    let clients = clients_toml().replace(
        "name = \"legacy-checkout\"",
        &format!(
            "name = \"legacy-checkout\"\nshadow_policy = \"{}\"\nrate_limit = {{ per_second = 50, burst = 100 }}",
            candidate.display()
        ),
    );
    let sidecar = Sidecar::start_full(&up, &[], None, &clients).await;
    let text = admin(&sidecar, "/policies").await;
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let default = &v["default"]["policy"];
    assert_eq!(default["name"], "default");
    assert_eq!(default["embedded"], true);
    assert_eq!(
        default["sha256"],
        sha256_hex(txveil::policy::DEFAULT_POLICY_SOURCE).as_str()
    );
    let by_name = |n: &str| {
        v["clients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["client"] == n)
            .unwrap()
            .clone()
    };
    let legacy = by_name("legacy-checkout");
    assert_eq!(legacy["policy"]["name"], "default");
    assert_eq!(legacy["shadow_policy"]["name"], "minimal");
    assert_eq!(
        legacy["shadow_policy"]["path"],
        candidate.display().to_string().as_str()
    );
    assert_eq!(
        legacy["rate_limit"],
        serde_json::json!({"per_second": 50, "burst": 100})
    );
    let minimal = by_name("minimal-app");
    assert_eq!(minimal["policy"]["name"], "minimal");
    assert_eq!(
        minimal["policy"]["sha256"],
        sha256_hex(&std::fs::read_to_string(&candidate).unwrap()).as_str()
    );
    assert_eq!(minimal["shadow_policy"], serde_json::Value::Null);
    assert_eq!(
        by_name("reports-only")["endpoints"],
        serde_json::json!(["report"])
    );
    // No token digest, no secret.
    assert!(!text.contains(&app_token_sha256()));
    assert!(!text.to_lowercase().contains("token"));
    assert_no_secrets("/policies", &text);

    // loaded_at moves with a reload.
    let first = v["loaded_at"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(20)).await;
    reload(&sidecar).await;
    let again: serde_json::Value =
        serde_json::from_str(&admin(&sidecar, "/policies").await).unwrap();
    assert!(again["loaded_at"].as_str().unwrap() > first.as_str());
}
