//! Run with `cargo run --example score -- [REQUEST.json]`
//!
//! Policy → sanitize → client → Score, in process. Credentials come from
//! `MAXMIND_ACCOUNT_ID` and `MAXMIND_LICENSE_KEY_FILE` (or
//! `MAXMIND_LICENSE_KEY`). The upstream is MaxMind's production host unless
//! `MINFRAUD_BASE_URL` names another (`https://sandbox.maxmind.com`, or a
//! fake on `http://127.0.0.1:PORT`); `MINFRAUD_CA_FILE` trusts a private CA.
//! The request defaults to `tests/data/transaction-raw.json`, which holds a
//! raw email, username and card number: only their sanitized forms are sent.

use std::time::Duration;
use txveil::client::Client;
use txveil::config::{self, Env, Source};
use txveil::schema::Endpoint;
use txveil::{sanitize_request, Policy};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/data/transaction-raw.json".into());
    let body = std::fs::read(&path)?;

    let policy = Policy::embedded_default()?;
    let request = sanitize_request(&policy, Endpoint::Transaction, &body)?;
    println!(
        "sending (policy sha256:{}): {}",
        policy.digest(),
        request.to_json()
    );

    let mut builder = Client::builder(config::credentials(&Env)?).timeout(Duration::from_secs(10));
    if let Some(url) = Env.get("MINFRAUD_BASE_URL") {
        builder = builder.base_url(url);
    }
    if let Some(ca) = Env.get("MINFRAUD_CA_FILE") {
        builder = builder.root_ca_pem(std::fs::read(ca)?);
    }
    let score = builder.build()?.score(&request).await?;
    println!("risk score: {:?}", score.model.risk_score);
    println!("id: {:?}", score.model.id);
    for w in &score.model.warnings {
        println!("warning {:?} at {:?}", w.code, w.input_pointer);
    }
    Ok(())
}
