//! The core's output and the last passes over the built tree.
//!
//! [`Sanitized`] is the only thing the upstream client accepts, and only
//! the `sanitize` module makes one. Before the tree is written, groups and
//! cart items that sanitizing left empty are taken out
//! ([`drop_empty_groups`]), and a report must still name itself and its
//! transaction ([`report_has_ids`]).

use super::doc::{Obj, Val};
use super::path::FieldPath;
use super::scan::segment;
use super::{Applied, Rejection, RejectionKind, Report};
use crate::schema::Endpoint;

use bytes::Bytes;
use serde_json::{Map, Value};
use std::fmt;

/// A request that went through a policy. Only this module can make one, and
/// the upstream client accepts nothing else.
///
/// `Debug` shows the body's length, not the body: a test or log line that
/// prints a request it did not expect to be accepted must not print the card
/// number or address that got through.
#[derive(Clone, PartialEq)]
pub struct Sanitized {
    pub(super) endpoint: Endpoint,
    /// Shared, so that the client sends it without a copy.
    pub(super) json: Bytes,
    pub(super) report: Report,
    pub(super) policy_digest: std::sync::Arc<str>,
}

impl fmt::Debug for Sanitized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sanitized")
            .field("endpoint", &self.endpoint)
            .field("json_bytes", &self.json.len())
            .field("report", &self.report)
            .field("policy_digest", &self.policy_digest)
            .finish()
    }
}

impl Sanitized {
    /// The endpoint the request was sanitized for.
    pub fn endpoint(&self) -> Endpoint {
        self.endpoint
    }
    /// The request that may be sent, as a JSON object (read back from
    /// [`Sanitized::json`]; for inspection, not for forwarding).
    pub fn body(&self) -> Map<String, Value> {
        serde_json::from_slice(&self.json).unwrap_or_default()
    }
    /// The request that may be sent, as compact JSON bytes.
    pub fn json(&self) -> &[u8] {
        &self.json
    }
    /// The same bytes as [`Sanitized::json`], shared (a reference, not a
    /// copy): the body the client sends.
    #[cfg(feature = "client")]
    pub(crate) fn shared_json(&self) -> Bytes {
        self.json.clone()
    }
    /// What was applied to which path.
    pub fn report(&self) -> &Report {
        &self.report
    }
    /// The report, once the request itself is no longer needed.
    pub fn into_report(self) -> Report {
        self.report
    }
    /// The digest of the policy that made this request.
    pub fn policy_digest(&self) -> &str {
        &self.policy_digest
    }
    /// The request as compact JSON.
    pub fn to_json(&self) -> String {
        // The writer produces UTF-8 from UTF-8 input.
        String::from_utf8_lossy(&self.json).into_owned()
    }
}

/// Leaves out groups, cart items and the cart itself when sanitizing left
/// them empty (`{"order":{}}` after a redaction).
pub(super) fn drop_empty_groups(body: &mut Obj<'_>, report: &mut Report) {
    let root = FieldPath::root();
    let mut empty = Vec::new();
    for (position, entry) in body.entries_mut().iter_mut().enumerate() {
        let key = &entry.key;
        let value = &mut entry.val;
        let path = || segment(&root, 0, false, key.as_str(), position + 1);
        match value {
            Val::Obj(m) if m.is_empty() => empty.push((key.as_str().to_owned(), path())),
            Val::Arr(items) => {
                let mut index = 0;
                let mut dropped = Vec::new();
                items.retain(|item| {
                    let keep = !matches!(item, Val::Obj(m) if m.is_empty());
                    if !keep {
                        dropped.push(index);
                    }
                    index += 1;
                    keep
                });
                if !dropped.is_empty() {
                    let p = path();
                    for i in dropped {
                        report.push(p.index(i), Applied::DroppedEmpty);
                    }
                }
                if items.is_empty() {
                    empty.push((key.as_str().to_owned(), path()));
                }
            }
            _ => {}
        }
    }
    for (key, path) in empty {
        body.remove(&key);
        report.push(path, Applied::DroppedEmpty);
    }
}

/// A report needs `tag` and at least one transaction identifier.
pub(super) fn report_has_ids(body: &Obj<'_>) -> Result<(), Rejection> {
    let root = FieldPath::root();
    if !body.contains_key("tag") {
        return Err(Rejection::new(
            root.known("tag"),
            RejectionKind::RequestInvalid,
        ));
    }
    let ids = ["ip_address", "maxmind_id", "minfraud_id", "transaction_id"];
    if !ids.iter().any(|k| body.contains_key(k)) {
        return Err(Rejection::new(root, RejectionKind::RequestInvalid));
    }
    Ok(())
}
