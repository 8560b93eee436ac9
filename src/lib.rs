//! txveil makes minFraud requests privacy-safe before they leave an application.
//!
//! It canonicalizes and MD5-hashes email addresses exactly as MaxMind's
//! official clients do, hashes usernames into `account.username_md5`,
//! truncates card numbers to the IIN and last digits, finds card numbers
//! (PANs) anywhere in a request, and drops or transforms every field as a
//! policy file says, failing closed.
//!
//! # Layout
//!
//! - [`sanitize`]: the pure core (no I/O): strict JSON, field actions, PAN
//!   scan, validation; [`sanitize::Sanitized`] is its only output.
//!   - `sanitize::email`: canonicalization and MD5 as the official clients.
//!   - [`sanitize::card`]: IIN and last-digit truncation.
//!   - [`sanitize::pan`]: the PAN detector.
//!   - [`sanitize::username`]: username canonical forms.
//!   - [`sanitize::path`]: JSON-pointer paths used in every rejection.
//! - `json`: the strict JSON codec (reader, writer, key comparison and
//!   hashing, word-at-a-time byte tests); it knows nothing of minFraud.
//! - [`policy`]: policy files, parsed then compiled into a valid [`Policy`].
//! - [`schema`]: the minFraud field table.
//! - [`secret`]: keys that are never printed and are wiped on drop.
//! - [`client`]: the upstream minFraud client; accepts only `Sanitized`.
//! - [`config`]: where settings come from (environment, or a map in tests).
//! - [`file`](mod@file): why reading an operator's file failed, as start-up errors say it.
//! - [`server`]: the sidecar (`txveil serve`): minFraud's HTTP API, with
//!   inbound auth, audit, metrics and graceful shutdown.
//!
//! # Features
//!
//! | feature | adds | on by default |
//! |---|---|---|
//! | (none) | the pure core: [`sanitize`], [`policy`], [`schema`], [`secret`]; no async runtime, no network, no TLS | |
//! | `client` | `client` (the upstream minFraud client) and `config` (where its credentials come from) | yes |
//! | `server` | `client`, and `server` (the sidecar) | yes |
//! | `cli` | `server`, and the `txveil` command | yes |
//!
//! An application that only sanitizes depends on
//! `txveil = { version = "0.1", default-features = false }`.
//!
//! # Data flow
//!
//! ```text
//! request bytes ─▶ parse (strict JSON) ─▶ field actions ─▶ PAN scan ─▶ validate ─▶ Sanitized
//!                                  │              │             │           │
//!                                  └──────────────┴─────────────┴───────────┴─▶ Rejection (code + path)
//! ```
//!
//! # Example
//!
//! ```
//! use txveil::{policy::Policy, schema::Endpoint, sanitize::sanitize_request};
//!
//! let policy = Policy::embedded_default()?;
//! let body = br#"{"email":{"address":"Test@MaxMind.com"},
//!                 "credit_card":{"number":"4111 1111 1111 1111"}}"#;
//! let safe = sanitize_request(&policy, Endpoint::Transaction, body)?;
//! assert_eq!(safe.body()["email"]["address"], "977577b140bfb7c516e4746204fbdb01");
//! assert_eq!(safe.body()["credit_card"]["issuer_id_number"], "411111");
//! assert!(!safe.to_json().contains("4111111111111111"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
pub mod config;
pub mod file;
pub(crate) mod json;
pub mod policy;
pub mod sanitize;
pub mod schema;
pub mod secret;
#[cfg(feature = "server")]
pub mod server;

#[cfg(fuzzing)]
pub mod fuzzing;

pub use policy::Policy;
pub use sanitize::{
    sanitize_request, sanitize_request_limited, sanitize_value, Rejection, Sanitized,
    DEFAULT_MAX_REQUEST_BYTES,
};
