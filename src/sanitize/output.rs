//! The core's output and the last passes over the built tree.
//!
//! [`Sanitized`] is the only thing the upstream client accepts, and only
//! the `sanitize` module makes one. Before the tree is written, a report
//! must still name itself and its transaction ([`report_has_ids`]).

use super::doc::Obj;
use super::path::FieldPath;
use super::{Rejection, RejectionKind, Report};
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
