//! The audit log: one JSON line per request with what was done, never a value.

use crate::sanitize::Report;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// One request's audit record.
#[derive(Clone, Debug, Default)]
pub struct Record<'a> {
    /// Request id (also sent back as `x-request-id`).
    pub request_id: &'a str,
    /// The authenticated client's name, if any.
    pub client: Option<&'a str>,
    /// `score`, `insights`, `factors`, `report`, or the path asked for.
    pub endpoint: &'a str,
    /// SHA-256 of the policy applied.
    pub policy_sha256: Option<&'a str>,
    /// The (path, action) pairs applied.
    pub applied: Option<&'a Report>,
    /// `forwarded`, `rejected`, `unauthorized`, `forbidden`, `upstream_error`, ...
    pub outcome: &'a str,
    /// The error or rejection code, if any.
    pub code: Option<&'a str>,
    /// The path of a rejection, if any.
    pub path: Option<String>,
    /// minFraud's HTTP status, when it was called.
    pub upstream_status: Option<u16>,
    /// Time from receipt to answer.
    pub latency: Duration,
}

/// Where audit lines go.
pub struct AuditLog {
    out: Mutex<Box<dyn Write + Send>>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditLog")
    }
}

impl AuditLog {
    /// Audit lines to `out` (standard output, a file, or a buffer in tests).
    pub fn new(out: Box<dyn Write + Send>) -> Self {
        Self {
            out: Mutex::new(out),
        }
    }

    /// Writes one record as one line. Failures to write are reported on the
    /// log, never to the client.
    pub fn write(&self, r: &Record<'_>) {
        let line = Line {
            time: humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
            request_id: r.request_id,
            client: r.client,
            endpoint: r.endpoint,
            policy_sha256: r.policy_sha256,
            applied: Applied(r.applied),
            outcome: r.outcome,
            code: r.code,
            path: r.path.as_deref(),
            upstream_status: r.upstream_status,
            latency_ms: (r.latency.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
        };
        // Render first, then one write per line: serde_json formats in small
        // pieces, which on an unbuffered file would be one syscall each.
        let mut bytes = Vec::with_capacity(4096);
        if serde_json::to_writer(&mut bytes, &line).is_err() {
            return;
        }
        bytes.push(b'\n');
        let Ok(mut out) = self.out.lock() else { return };
        if out.write_all(&bytes).and_then(|()| out.flush()).is_err() {
            tracing::error!("cannot write the audit log");
        }
    }
}

/// The audit line as written (field order is the order in the file).
#[derive(Serialize)]
struct Line<'a> {
    time: String,
    request_id: &'a str,
    client: Option<&'a str>,
    endpoint: &'a str,
    policy_sha256: Option<&'a str>,
    applied: Applied<'a>,
    outcome: &'a str,
    code: Option<&'a str>,
    path: Option<&'a str>,
    upstream_status: Option<u16>,
    latency_ms: f64,
}

/// `[{"path": ..., "action": ...}, ...]` straight from the report.
struct Applied<'a>(Option<&'a Report>);

impl Serialize for Applied<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let entries: Vec<_> = self.0.map(|r| r.changes().collect()).unwrap_or_default();
        let mut seq = serializer.serialize_seq(Some(entries.len()))?;
        for (path, action) in &entries {
            seq.serialize_element(&Entry {
                path,
                action: action.name(),
            })?;
        }
        seq.end()
    }
}

struct Entry<'a> {
    path: &'a str,
    action: &'a str,
}

impl Serialize for Entry<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("path", self.path)?;
        map.serialize_entry("action", self.action)?;
        map.end()
    }
}
