//! Run with `cargo run --release --example client_transports -- [CALLS] [TASKS] [ROUNDS]`
//!
//! The client's two transports side by side, in the same run: reqwest (what
//! `ClientBuilder::build` gives a library user) and hyper's pooled client
//! (what `ClientBuilder::build_many` gives the sidecar's event loops). Each
//! round sends CALLS Score requests from TASKS concurrent tasks to a fake
//! minFraud on 127.0.0.1 (plain HTTP/1.1, in this process, the same for
//! both), alternating the transports, and prints requests per second and
//! the process's CPU time per request, then the medians and the ratio
//! reqwest / hyper.

use std::sync::Arc;
use std::time::{Duration, Instant};
use txveil::client::Client;
use txveil::schema::Endpoint;
use txveil::secret::{AccountId, Credentials, LicenseKey};
use txveil::{sanitize_request, Policy};
use zeroize::Zeroizing;

const ANSWER: &str = r#"{"id":"5bc5d6c2-b2c8-40af-87f4-6d61af86b6ae","risk_score":0.01,"funds_remaining":10.0,"queries_remaining":1000}"#;

fn credentials() -> Credentials {
    Credentials {
        account_id: AccountId::new(42),
        license_key: LicenseKey::try_new(Zeroizing::new("bench-key".into())).expect("key"),
    }
}

/// User plus system CPU time of this process so far.
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // Fields 14 and 15 (utime, stime), counted from after the command name.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

async fn round(
    client: &Client,
    request: &Arc<txveil::Sanitized>,
    calls: usize,
    tasks: usize,
) -> (f64, f64) {
    let start = Instant::now();
    let cpu_start = cpu();
    let mut handles = Vec::new();
    for t in 0..tasks {
        let client = client.clone();
        let request = request.clone();
        let n = calls / tasks + usize::from(t < calls % tasks);
        handles.push(tokio::spawn(async move {
            for _ in 0..n {
                let score = client.score(&request).await.expect("score");
                assert_eq!(score.model.risk_score, Some(0.01));
            }
        }));
    }
    for h in handles {
        h.await.expect("task");
    }
    let wall = start.elapsed().as_secs_f64();
    let cpu_us = (cpu() - cpu_start).as_secs_f64() * 1e6 / calls as f64;
    (calls as f64 / wall, cpu_us)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>());
    let calls = args.next().transpose()?.unwrap_or(20_000);
    let tasks = args.next().transpose()?.unwrap_or(16);
    let rounds = args.next().transpose()?.unwrap_or(5);

    let app = axum::Router::new().route(
        "/minfraud/v2.0/score",
        axum::routing::post(|| async {
            (
                [(
                    "content-type",
                    "application/vnd.maxmind.com-minfraud-score+json; charset=UTF-8; version=2.0",
                )],
                ANSWER,
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });

    let policy = Policy::embedded_default()?;
    let request = Arc::new(sanitize_request(
        &policy,
        Endpoint::Transaction,
        include_bytes!("../tests/data/transaction-raw.json"),
    )?);
    let reqwest_client = Client::builder(credentials()).base_url(&base).build()?;
    let hyper_client = Client::builder(credentials())
        .base_url(&base)
        .build_many(1)?
        .pop()
        .ok_or("no client")?;
    // Warm both pools.
    round(&reqwest_client, &request, tasks * 10, tasks).await;
    round(&hyper_client, &request, tasks * 10, tasks).await;

    let (mut rq, mut hy, mut rq_cpu, mut hy_cpu) = (vec![], vec![], vec![], vec![]);
    for r in 0..rounds {
        let (a, a_cpu) = round(&reqwest_client, &request, calls, tasks).await;
        let (b, b_cpu) = round(&hyper_client, &request, calls, tasks).await;
        println!(
            "round {r}: reqwest {a:.0} req/s {a_cpu:.1} µs CPU/req; hyper {b:.0} req/s {b_cpu:.1} µs CPU/req"
        );
        rq.push(a);
        hy.push(b);
        rq_cpu.push(a_cpu);
        hy_cpu.push(b_cpu);
    }
    let (a, b) = (median(rq), median(hy));
    let (ac, bc) = (median(rq_cpu), median(hy_cpu));
    println!(
        "medians: reqwest {a:.0} req/s, {ac:.1} µs CPU/req; hyper {b:.0} req/s, {bc:.1} µs CPU/req; \
         reqwest/hyper throughput {:.2}x, CPU per request {:.2}x",
        a / b,
        ac / bc
    );
    Ok(())
}
