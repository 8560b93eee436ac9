//! Prometheus metrics for `/metrics` on the admin listener. Labels are
//! static strings, so counting a request allocates nothing.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    endpoint: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: &'static str,
}

/// The sidecar's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    rejections: Family<CodeLabels, Counter>,
    upstream_latency: Histogram,
    reloads: Family<CodeLabels, Counter>,
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
        let rejections = Family::<CodeLabels, Counter>::default();
        let upstream_latency = Histogram::new(exponential_buckets(0.005, 2.0, 12));
        let reloads = Family::<CodeLabels, Counter>::default();
        registry.register(
            "requests",
            "Requests by endpoint and outcome",
            requests.clone(),
        );
        registry.register(
            "rejections",
            "Requests refused, by code",
            rejections.clone(),
        );
        registry.register(
            "upstream_latency_seconds",
            "Time minFraud took to answer",
            upstream_latency.clone(),
        );
        registry.register(
            "policy_reloads",
            "Policy reloads, by result (ok, refused)",
            reloads.clone(),
        );
        Self {
            registry,
            requests,
            rejections,
            upstream_latency,
            reloads,
        }
    }

    /// Counts one request.
    pub fn request(&self, endpoint: &'static str, outcome: &'static str) {
        self.requests
            .get_or_create(&RequestLabels { endpoint, outcome })
            .inc();
    }

    /// Counts one refusal by code.
    pub fn rejection(&self, code: &'static str) {
        self.rejections.get_or_create(&CodeLabels { code }).inc();
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

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}
