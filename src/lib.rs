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
//! Each module imports only the modules listed before it (the pure core
//! first; `scripts/module-graph` prints the import edges and fails on a
//! circle):
//!
//! - `json`: the strict JSON codec (reader, writer, key comparison and
//!   hashing, word-at-a-time byte tests); it knows nothing of minFraud.
//! - [`file`](mod@file): why reading an operator's file failed, as start-up errors say it.
//! - [`schema`]: the minFraud field table, and the field rules the policy
//!   and the core share (custom input keys, types whose format guards them).
//! - [`secret`]: keys that are never printed and are wiped on drop.
//! - [`policy`]: policy files, parsed (`policy::raw`) then compiled into a
//!   valid [`Policy`]; [`policy::explain`] and [`policy::diff`] for reviewers.
//! - [`sanitize`]: the pure core (no I/O): field actions, detectors,
//!   validation over the request tree (`sanitize::doc`, the codec's tree
//!   with what the core learns of each entry); [`sanitize::Sanitized`] is
//!   its only output.
//!   - `sanitize::email`: canonicalization and MD5 as the official clients,
//!     and the address detector (`sanitize::email::find`).
//!   - [`sanitize::card`]: IIN and last-digit truncation.
//!   - [`sanitize::pan`]: the PAN detector; `sanitize::context` decides its
//!     ambiguous shapes from the field and the words around them;
//!     `pan::masked` reads masked cards that show more than a truncation.
//!   - `sanitize::decode`: other readings of a string (percent, base64,
//!     escapes) that the detectors also read.
//!   - [`sanitize::echo`]: the request's own secrets echoed in other fields
//!     (`echo::respelled`: the username respelled); `sanitize::spread`: a
//!     card's first digits written apart from the app's truncation.
//!   - `sanitize::secrets`: those secrets, read from their fixed places
//!     before the traversal.
//!   - `sanitize::walk` (with `actions`, `derived`), `sanitize::scan` (with
//!     `echo_search`, `detect`), `sanitize::compact`, `sanitize::report`,
//!     `sanitize::rejection`, `sanitize::output`: the traversal itself, as
//!     the `sanitize` module lists them.
//!   - [`sanitize::username`]: username canonical forms.
//!   - `sanitize::validate`: field formats, as minFraud accepts them.
//!   - [`sanitize::path`]: JSON-pointer paths used in every rejection.
//!   - `sanitize::word`, `sanitize::unicode`: the detectors' byte pre-checks
//!     and Unicode normalization.
//! - [`policy_test`]: a policy's own `[[test]]` cases run through the core.
//! - [`client`]: the upstream minFraud client; accepts only `Sanitized`.
//! - [`config`]: the sidecar's settings, declared once, from flags, a config
//!   file or the environment (or a map in tests).
//! - [`server`]: the sidecar (`txveil serve`): minFraud's HTTP API, with
//!   inbound auth ([`server::auth`]), audit ([`server::audit`]), metrics,
//!   reload ([`server::watch`]) and graceful shutdown; [`server::run::run`]
//!   is the whole sidecar as one call.
//! - `fuzzing` (only under `cfg(fuzzing)`): the crate-private entry points
//!   the fuzz targets drive.
//!
//! # Features
//!
//! | feature | adds | on by default |
//! |---|---|---|
//! | (none) | the pure core: [`sanitize`], [`policy`], [`policy_test`], [`schema`], [`secret`]; no async runtime, no network, no TLS | |
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
//! request bytes ─▶ parse (strict JSON) ─▶ the request's own secrets ─▶ each group:
//!     the policy's actions ─▶ echoes, detectors, validation ─▶ output ─▶ Sanitized
//!
//! any step ─▶ Rejection (code + path): the policy's own refusal first, then
//!             an echo, the first card or address found, the first invalid field
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
pub mod policy_test;
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
