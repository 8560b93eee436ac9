//! Prometheus metrics for `/metrics` on the admin listener. Labels are
//! static strings, except `client`: the name of the authenticated client,
//! which comes from the clients file (never from request data), or empty
//! before a request is authenticated.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::atomic::{AtomicI64, AtomicU64};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    client: String,
    endpoint: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ClientCodeLabels {
    client: String,
    code: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ClientLabels {
    client: String,
}

/// The sidecar's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    rejections: Family<ClientCodeLabels, Counter>,
    upstream_errors: Family<ClientCodeLabels, Counter>,
    upstream_latency: Histogram,
    reloads: Family<CodeLabels, Counter>,
    throttled: Family<ClientLabels, Counter>,
    shadow_rejections: Family<CodeLabels, Counter>,
    shadow_skipped: Counter,
    audit_suppressed: Counter,
    audit_refusals: Family<CodeLabels, Counter>,
    funds_remaining: Gauge<f64, AtomicU64>,
    queries_remaining: Gauge<i64, AtomicI64>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("txveil");
        let requests = Family::<RequestLabels, Counter>::default();
        let rejections = Family::<ClientCodeLabels, Counter>::default();
        let upstream_latency = Histogram::new(exponential_buckets(0.005, 2.0, 12));
        let reloads = Family::<CodeLabels, Counter>::default();
        registry.register(
            "requests",
            "Requests by endpoint and outcome",
            requests.clone(),
        );
        registry.register(
            "rejections",
            "Requests refused by txveil (input, policy, credentials, limits), by code",
            rejections.clone(),
        );
        let upstream_errors = Family::<ClientCodeLabels, Counter>::default();
        registry.register(
            "upstream_errors",
            "Requests answered 502 or 504 because minFraud could not be reached, timed out or answered badly, by code",
            upstream_errors.clone(),
        );
        registry.register(
            "upstream_latency_seconds",
            "Time minFraud took to answer",
            upstream_latency.clone(),
        );
        registry.register(
            "policy_reloads",
            "Reloads of the clients file and policies, by result (ok, refused)",
            reloads.clone(),
        );
        let throttled = Family::<ClientLabels, Counter>::default();
        registry.register(
            "throttled",
            "Requests refused by a client's rate limit, by client",
            throttled.clone(),
        );
        let shadow_rejections = Family::<CodeLabels, Counter>::default();
        registry.register(
            "shadow_rejections",
            "Requests a shadow policy would have refused, by code",
            shadow_rejections.clone(),
        );
        let shadow_skipped = Counter::default();
        registry.register(
            "shadow_skipped",
            "Requests whose shadow run was skipped because the shadow queue was full",
            shadow_skipped.clone(),
        );
        let audit_suppressed = Counter::default();
        registry.register(
            "audit_lines_suppressed",
            "Audit lines of unauthenticated requests left out by their rate limit (each is counted in the next line written)",
            audit_suppressed.clone(),
        );
        let audit_refusals = Family::<CodeLabels, Counter>::default();
        registry.register(
            "audit_refusals",
            "Requests not forwarded because the audit log could not keep their record, by reason",
            audit_refusals.clone(),
        );
        let funds_remaining = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "minfraud_funds_remaining",
            "funds_remaining in minFraud's latest answer (US dollars)",
            funds_remaining.clone(),
        );
        let queries_remaining = Gauge::<i64, AtomicI64>::default();
        registry.register(
            "minfraud_queries_remaining",
            "queries_remaining in minFraud's latest answer",
            queries_remaining.clone(),
        );
        Self {
            registry,
            requests,
            rejections,
            upstream_errors,
            upstream_latency,
            reloads,
            throttled,
            shadow_rejections,
            shadow_skipped,
            audit_suppressed,
            audit_refusals,
            funds_remaining,
            queries_remaining,
        }
    }

    /// Counts one request of `client` (a name from the clients file; `None`
    /// before authentication).
    pub fn request(&self, client: Option<&str>, endpoint: &'static str, outcome: &'static str) {
        self.requests
            .get_or_create(&RequestLabels {
                client: client.unwrap_or_default().to_owned(),
                endpoint,
                outcome,
            })
            .inc();
    }

    /// Counts one refusal by code: a failure to reach minFraud
    /// (`UPSTREAM_*`) as an upstream error, anything else as a rejection.
    pub fn rejection(&self, client: Option<&str>, code: &'static str) {
        let family = if code.starts_with("UPSTREAM_") {
            &self.upstream_errors
        } else {
            &self.rejections
        };
        family
            .get_or_create(&ClientCodeLabels {
                client: client.unwrap_or_default().to_owned(),
                code,
            })
            .inc();
    }

    /// Records one upstream call's duration.
    pub fn upstream(&self, seconds: f64) {
        self.upstream_latency.observe(seconds);
    }

    /// Counts one reload attempt.
    pub fn reload(&self, result: &'static str) {
        self.reloads
            .get_or_create(&CodeLabels { code: result })
            .inc();
    }

    /// Counts one request refused by a client's rate limit.
    pub fn throttled(&self, client: &str) {
        self.throttled
            .get_or_create(&ClientLabels {
                client: client.to_owned(),
            })
            .inc();
    }

    /// Counts one request a shadow policy would have refused.
    pub fn shadow_rejection(&self, code: &'static str) {
        self.shadow_rejections
            .get_or_create(&CodeLabels { code })
            .inc();
    }

    /// Counts one request whose shadow run was skipped.
    pub fn shadow_skipped(&self) {
        self.shadow_skipped.inc();
    }

    /// Counts one unauthenticated request's audit line left out.
    pub fn audit_suppressed(&self) {
        self.audit_suppressed.inc();
    }

    /// Counts one request refused because the audit log could not keep its
    /// record.
    pub fn audit_refusal(&self, reason: &'static str) {
        self.audit_refusals
            .get_or_create(&CodeLabels { code: reason })
            .inc();
    }

    /// The latest `funds_remaining`.
    pub fn funds_remaining(&self, funds: f64) {
        self.funds_remaining.set(funds);
    }

    /// The latest `queries_remaining`.
    pub fn queries_remaining(&self, queries: u64) {
        self.queries_remaining
            .set(i64::try_from(queries).unwrap_or(i64::MAX));
    }

    /// Registers the audit log's metrics: lines written, lines lost by
    /// reason (`write_failed`, `no_room`, `stopped`), whether it can keep
    /// records now (`audit_up`, 1 or 0) and the lines waiting in its queue.
    pub fn register_audit(&mut self, stats: &super::audit::Stats) {
        self.registry.register(
            "audit_lines_written",
            "Audit lines written and flushed",
            stats.written.clone(),
        );
        self.registry.register(
            "audit_lines_lost",
            "Audit lines not written, by reason (write_failed, no_room, stopped)",
            stats.lost_family(),
        );
        self.registry.register(
            "audit_up",
            "1 while the audit log can keep records (requests are forwarded), else 0",
            stats.up.clone(),
        );
        self.registry.register(
            "audit_queued_lines",
            "Audit lines waiting to be written",
            stats.queued.clone(),
        );
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}
