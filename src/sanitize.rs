//! The pure core: a minFraud request in, a request that is safe to send out.
//!
//! [`sanitize_request`] reads the bytes strictly in one pass into a borrowed
//! tree (`doc`: strings without escapes and numbers stay slices of the
//! input, objects sorted by key) and traverses it once:
//!
//! 1. the request's own secrets (the raw username, email address and card
//!    number its policy hashes or truncates, and the countries of its
//!    order) are read first from their fixed places (`secrets`), so that
//!    every other value is read knowing them;
//! 2. then group by group (each cart item as one): the policy's action on
//!    each field and the values derived from them (`Walk`); then each field
//!    that stays, with its path, group and schema field known, is searched
//!    for echoes of the secrets (`EchoSearch`), read by the detectors for
//!    card numbers ([`pan`]) and email addresses, and validated with the
//!    official Python client's rules (`Scan`);
//! 3. what is left is written into one buffer. It does no I/O.
//!
//! A request with several problems is refused for the one that ranks
//! first: the policy's own refusal wherever it stands, then an echo, then
//! the first card or address found, then the first invalid field. The
//! output is a [`Sanitized`], which only this module can make and which is
//! the only thing the upstream client accepts.
//!
//! The outgoing request is *built* from what the policy allows, never made by
//! deleting from the input: a field nobody decided about is not copied.
//!
//! # Modules of the traversal
//!
//! - `walk`: the groups in order, each field given its rule's action;
//!   `actions` holds the actions on one raw field (and the rule that a raw
//!   value meets the card detector before any action transforms it),
//!   `derived` the values that need the whole group first.
//! - `scan`: what each field that stays meets, and the rank of refusals;
//!   `echo_search` looks for the request's own secrets, `detect` runs the
//!   detectors on one string.
//! - `compact`: every entry taken out of the tree (a field dropped, a group
//!   or cart item left empty, an entry the detectors take out) goes
//!   through its one `keep_in_order`, as the traversal meets it.
//! - `report`: what was done where, for audit records; `rejection`: why a
//!   request is refused; `output`: [`Sanitized`] and the last passes over
//!   the built tree.

mod actions;
pub mod card;
mod compact;
pub(crate) mod context;
pub(crate) mod decode;
mod derived;
mod detect;
mod digest;
pub(crate) mod doc;
pub mod echo;
mod echo_search;
pub(crate) mod email;
mod output;
pub mod pan;
pub mod path;
mod rejection;
mod report;
mod scan;
mod secrets;
mod spread;
mod unicode;
pub mod username;
mod username_digest;
pub(crate) mod validate;
mod walk;
pub(crate) mod word;

use crate::policy::Policy;
use crate::schema::Endpoint;
use bytes::Bytes;
use doc::{Arena, Obj};
use output::report_has_ids;
pub use output::Sanitized;
pub use path::FieldPath;
pub use rejection::{Rejection, RejectionKind};
pub use report::{Applied, Report};
use scan::Scan;
use serde_json::Value;
use walk::Walk;

/// The most arena memory a thread keeps between requests. A large or
/// deeply structured request can need tens of megabytes for its tree;
/// that is given back at once instead of being held for the next one.
const KEEP: usize = 1 << 20;
thread_local! {
    /// Each thread's arena, reset for every request: the memory of the
    /// last tree (up to [`KEEP`]) is reused by the next.
    static ARENA: std::cell::RefCell<Arena> = std::cell::RefCell::new(Arena::new());
}

/// The longest body [`sanitize_request`] reads: 1 MiB, fifty times the
/// 20,000 bytes minFraud (and the sidecar) accept, so that batch input of
/// any realistic request passes while a runaway input is refused at once.
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 1 << 20;

/// Sanitizes a request body (bytes, as received) for `endpoint` under
/// `policy`; a body longer than [`DEFAULT_MAX_REQUEST_BYTES`] is refused
/// with `REQUEST_TOO_LARGE` ([`sanitize_request_limited`] takes another
/// limit).
///
/// # Errors
/// A [`Rejection`] naming the code and path; then nothing may be forwarded.
pub fn sanitize_request(
    policy: &Policy,
    endpoint: Endpoint,
    body: &[u8],
) -> Result<Sanitized, Rejection> {
    sanitize_request_limited(policy, endpoint, body, DEFAULT_MAX_REQUEST_BYTES)
}

/// As [`sanitize_request`], refusing a body longer than `max_bytes` with
/// `REQUEST_TOO_LARGE` (path `/`) before reading it.
///
/// # Errors
/// A [`Rejection`] naming the code and path; then nothing may be forwarded.
pub fn sanitize_request_limited(
    policy: &Policy,
    endpoint: Endpoint,
    body: &[u8],
    max_bytes: usize,
) -> Result<Sanitized, Rejection> {
    if body.len() > max_bytes {
        return Err(Rejection::new(
            FieldPath::root(),
            RejectionKind::RequestTooLarge,
        ));
    }
    ARENA.with(|cell| match cell.try_borrow_mut() {
        Ok(mut arena) => {
            arena.reset();
            let result = sanitize_in(policy, endpoint, body, &arena);
            if arena.allocated_bytes() > KEEP {
                *arena = Arena::new();
            }
            result
        }
        // Not reached (sanitizing calls nothing that sanitizes); a fresh
        // arena keeps it correct if it ever were.
        Err(_) => sanitize_in(policy, endpoint, body, &Arena::new()),
    })
}

fn sanitize_in(
    policy: &Policy,
    endpoint: Endpoint,
    body: &[u8],
    arena: &Arena,
) -> Result<Sanitized, Rejection> {
    let input = doc::parse_object(body, arena)
        .map_err(|_| Rejection::new(FieldPath::root(), RejectionKind::JsonInvalid))?;
    sanitize_obj(policy, endpoint, input, body.len(), arena)
}

/// Sanitizes an already-parsed request: it is written out and read as bytes
/// from the network are.
///
/// # Errors
/// A [`Rejection`] naming the code and path.
pub fn sanitize_value(
    policy: &Policy,
    endpoint: Endpoint,
    request: Value,
) -> Result<Sanitized, Rejection> {
    let bytes = match &request {
        Value::Object(_) => serde_json::to_vec(&request).ok(),
        _ => None,
    }
    .ok_or_else(|| Rejection::new(FieldPath::root(), RejectionKind::JsonInvalid))?;
    sanitize_request(policy, endpoint, &bytes)
}

fn sanitize_obj<'a>(
    policy: &Policy,
    endpoint: Endpoint,
    input: Obj<'a>,
    size: usize,
    arena: &'a Arena,
) -> Result<Sanitized, Rejection> {
    // The request's own secrets first: every other value is read knowing
    // them.
    let secrets = match endpoint {
        Endpoint::Transaction => {
            secrets::Secrets::gather(policy, policy.section(endpoint), &input, arena)
        }
        Endpoint::Report => secrets::Secrets::default(),
    };
    let echoes = secrets.echoes;
    let mut walk = Walk {
        arena,
        policy,
        endpoint,
        section: policy.section(endpoint),
        report: Report {
            entries: Vec::with_capacity(64),
        },
        fingerprints: Vec::new(),
        reads: secrets.reads,
        scan: Scan::new(
            policy,
            endpoint,
            arena,
            &echoes,
            secrets.order,
            &secrets.computed,
        ),
        emptied: Default::default(),
    };
    let body = match endpoint {
        Endpoint::Transaction => walk.transaction(input)?,
        Endpoint::Report => walk.report(input)?,
    };
    let mut scan = walk.scan;
    let refusal = scan.refusal();
    // The policy's actions first, then the echoes found, then what the
    // detectors found.
    let mut report = walk.report;
    if let Some(echo) = scan.echo.take() {
        report.entries.extend(echo.found.entries);
    }
    report.entries.extend(scan.report.entries);
    // Then the cart items and groups the detectors left empty, which the
    // walk took out.
    let (items, groups) = walk.emptied;
    report.entries.extend(items.entries);
    report.entries.extend(groups.entries);
    if let Some(r) = refusal {
        return Err(r);
    }
    if endpoint == Endpoint::Report {
        report_has_ids(&body)?;
    }
    let mut json = Vec::with_capacity(size);
    doc::write_obj(&mut json, &body);
    // The tree owns no memory outside the arena: dropping it would walk it
    // and free nothing.
    std::mem::forget(body);
    Ok(Sanitized {
        endpoint,
        json: Bytes::from(json),
        report,
        policy_digest: policy.shared_digest(),
    })
}

/// The text written in place of an email address under `on_email = "redact"`.
pub const EMAIL_REDACTION: &str = "[EMAIL REDACTED]";

/// The text written in place of a username echo under `on_username = "redact"`.
pub const USERNAME_REDACTION: &str = "[USERNAME REDACTED]";

#[cfg(test)]
#[path = "sanitize/tests.rs"]
mod tests;
