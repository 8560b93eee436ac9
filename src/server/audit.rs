//! The audit log: one JSON line per request with what was done, never a value.

use crate::sanitize::doc::write_str;
use crate::sanitize::{Applied, Rejection, Report, Sanitized};
use std::io::Write;
use std::sync::mpsc;
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
    /// What the shadow policy would have done differently, if one ran.
    pub shadow: Option<&'a Shadow>,
}

/// What a shadow policy would have done with a request, where it differs
/// from the policy in force. Paths and action names only, never a value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shadow {
    /// SHA-256 of the shadow policy.
    pub policy_sha256: String,
    /// `forwarded` or `rejected`: what the shadow policy would have done.
    pub outcome: &'static str,
    /// Its rejection code, when it would reject.
    pub code: Option<&'static str>,
    /// Its rejection path, when it would reject.
    pub path: Option<String>,
    /// Where both policies would forward the request but treat fields
    /// differently: (path, the shadow policy's action), `none` where it
    /// would not touch a field the policy in force did. In path order.
    pub differs: Vec<(String, &'static str)>,
}

impl Shadow {
    /// Compares the shadow policy's result `trial` with `real`, the report
    /// of the policy in force on the same request (`None` when it rejected
    /// the request).
    pub fn compare(
        policy_sha256: &str,
        real: Option<&Report>,
        trial: &Result<Sanitized, Rejection>,
    ) -> Self {
        let mut shadow = Self {
            policy_sha256: policy_sha256.to_owned(),
            outcome: "forwarded",
            ..Self::default()
        };
        match (real, trial) {
            (_, Err(r)) => {
                shadow.outcome = "rejected";
                shadow.code = Some(r.code());
                shadow.path = Some(r.path.to_string());
            }
            (Some(real), Ok(trial)) => {
                shadow.differs = real
                    .differences(trial.report())
                    .into_iter()
                    .map(|(path, action)| (path, action.map_or("none", Applied::name)))
                    .collect();
            }
            (None, Ok(_)) => {}
        }
        shadow
    }
}

/// Where audit lines go.
///
/// Lines are rendered on the request path and written by a thread of their
/// own, so a slow disk never holds up an answer. The queue holds
/// [`QUEUE_LINES`] lines; when the disk falls that far behind, requests wait
/// for room rather than lose their record. The writer writes what has
/// gathered at least every [`GATHER`] while lines keep coming, and drains
/// the queue when the log is dropped.
pub struct AuditLog {
    queue: Option<mpsc::SyncSender<Message>>,
    writer: Option<std::thread::JoinHandle<()>>,
}

/// Lines the audit queue holds before requests wait for the writer.
pub const QUEUE_LINES: usize = 16_384;

enum Message {
    Line(Vec<u8>),
    /// Answered once every line queued before it is written and flushed.
    Flush(mpsc::SyncSender<()>),
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditLog")
    }
}

impl AuditLog {
    /// Audit lines to `out` (standard output, a file, or a buffer in tests),
    /// written by a thread of their own.
    pub fn new(out: Box<dyn Write + Send>) -> Self {
        let (queue, lines) = mpsc::sync_channel(QUEUE_LINES);
        let writer = std::thread::Builder::new()
            .name("txveil-audit".into())
            .spawn(move || write_lines(out, &lines));
        match writer {
            Ok(writer) => Self {
                queue: Some(queue),
                writer: Some(writer),
            },
            Err(e) => {
                tracing::error!(error = %e, "cannot start the audit writer; audit lines are lost");
                Self {
                    queue: None,
                    writer: None,
                }
            }
        }
    }

    /// Queues one record as one line. Failures to write are reported on the
    /// log, never to the client.
    pub fn write(&self, r: &Record<'_>) {
        let line = render(r, SystemTime::now());
        if let Some(queue) = &self.queue {
            if queue.send(Message::Line(line)).is_err() {
                tracing::error!("the audit writer has stopped; an audit line is lost");
            }
        }
    }

    /// Waits until every line queued so far is written and flushed.
    pub fn flush(&self) {
        let Some(queue) = &self.queue else { return };
        let (done, wait) = mpsc::sync_channel(1);
        if queue.send(Message::Flush(done)).is_ok() {
            let _ = wait.recv();
        }
    }
}

impl Drop for AuditLog {
    fn drop(&mut self) {
        drop(self.queue.take());
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// How long the writer gathers lines before it writes them, once lines
/// arrive faster than it goes idle. While it gathers it is not waiting on
/// the queue, so requests queue their lines without waking it.
pub const GATHER: Duration = Duration::from_millis(2);

/// The writer thread. It sleeps on the queue while nothing comes; the first
/// line wakes it, and from then on it writes what has gathered every
/// [`GATHER`] until a round brings nothing. Under load that is one wake-up
/// and one write per round instead of one per request; a line waits at
/// most one round. A flush request is answered as soon as it is reached.
fn write_lines(out: Box<dyn Write + Send>, lines: &mpsc::Receiver<Message>) {
    let mut sink = Sink {
        out: std::io::BufWriter::with_capacity(64 * 1024, out),
        failed: false,
    };
    while let Ok(first) = lines.recv() {
        sink.take(first);
        loop {
            sink.flush();
            std::thread::sleep(GATHER);
            let mut more = false;
            loop {
                match lines.try_recv() {
                    Ok(message) => {
                        sink.take(message);
                        more = true;
                    }
                    Err(mpsc::TryRecvError::Empty) => break,
                    Err(mpsc::TryRecvError::Disconnected) => {
                        sink.flush();
                        return;
                    }
                }
            }
            if !more {
                break;
            }
        }
    }
    sink.flush();
}

/// The writer thread's output; a failure is logged once until writing
/// works again.
struct Sink {
    out: std::io::BufWriter<Box<dyn Write + Send>>,
    failed: bool,
}

impl Sink {
    fn take(&mut self, message: Message) {
        match message {
            Message::Line(line) => {
                let r = self.out.write_all(&line);
                self.check(r);
            }
            Message::Flush(done) => {
                self.flush();
                let _ = done.send(());
            }
        }
    }

    fn flush(&mut self) {
        let r = self.out.flush();
        self.check(r);
    }

    fn check(&mut self, r: std::io::Result<()>) {
        if r.is_err() && !self.failed {
            tracing::error!("cannot write the audit log");
        }
        self.failed = r.is_err();
    }
}

/// The audit line, compact: what sanitizing changed (`[path, action]`
/// pairs), how many fields went through unchanged, and the outcome. Field
/// order is the order in the file; `client` and `policy_sha256` are `null`
/// when unknown, `code`, `path` and `upstream_status` left out.
fn render(r: &Record<'_>, now: SystemTime) -> Vec<u8> {
    let mut b = Vec::with_capacity(640);
    let text = |b: &mut Vec<u8>, key: &str, value: Option<&str>| {
        b.extend_from_slice(key.as_bytes());
        match value {
            Some(v) => write_str(b, v),
            None => b.extend_from_slice(b"null"),
        }
    };
    b.extend_from_slice(b"{\"time\":\"");
    write_time(&mut b, now);
    b.push(b'"');
    text(&mut b, ",\"request_id\":", Some(r.request_id));
    text(&mut b, ",\"client\":", r.client);
    text(&mut b, ",\"endpoint\":", Some(r.endpoint));
    text(&mut b, ",\"policy_sha256\":", r.policy_sha256);
    b.extend_from_slice(b",\"applied\":[");
    let mut kept = 0;
    if let Some(report) = r.applied {
        let mut first = true;
        report.each_change(|path, action| {
            if !first {
                b.push(b',');
            }
            first = false;
            text(&mut b, "[", Some(path));
            text(&mut b, ",", Some(action.name()));
            b.push(b']');
        });
        kept = report.kept();
    }
    b.extend_from_slice(b"],\"kept\":");
    write_decimal(&mut b, u64::try_from(kept).unwrap_or(u64::MAX));
    text(&mut b, ",\"outcome\":", Some(r.outcome));
    if let Some(code) = r.code {
        text(&mut b, ",\"code\":", Some(code));
    }
    if let Some(path) = r.path.as_deref() {
        text(&mut b, ",\"path\":", Some(path));
    }
    if let Some(status) = r.upstream_status {
        b.extend_from_slice(b",\"upstream_status\":");
        write_decimal(&mut b, u64::from(status));
    }
    if let Some(shadow) = r.shadow {
        text(
            &mut b,
            ",\"shadow\":{\"policy_sha256\":",
            Some(&shadow.policy_sha256),
        );
        text(&mut b, ",\"outcome\":", Some(shadow.outcome));
        if let Some(code) = shadow.code {
            text(&mut b, ",\"code\":", Some(code));
        }
        if let Some(path) = shadow.path.as_deref() {
            text(&mut b, ",\"path\":", Some(path));
        }
        b.extend_from_slice(b",\"differs\":[");
        for (i, (path, action)) in shadow.differs.iter().enumerate() {
            if i > 0 {
                b.push(b',');
            }
            text(&mut b, "[", Some(path));
            text(&mut b, ",", Some(action));
            b.push(b']');
        }
        b.extend_from_slice(b"]}");
    }
    let micros = u64::try_from(r.latency.as_micros()).unwrap_or(u64::MAX);
    b.extend_from_slice(b",\"latency_ms\":");
    write_decimal(&mut b, micros / 1000);
    let frac = micros % 1000;
    b.extend_from_slice(&[
        b'.',
        digit(frac / 100),
        digit(frac / 10 % 10),
        digit(frac % 10),
        b'}',
        b'\n',
    ]);
    b
}

/// The ASCII digit for `d` (below 10).
fn digit(d: u64) -> u8 {
    b"0123456789"[(d % 10) as usize]
}

/// `n` in decimal.
fn write_decimal(b: &mut Vec<u8>, n: u64) {
    b.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// The RFC 3339 UTC form of `now` to the millisecond (as
/// `humantime::format_rfc3339_millis` writes it; a time before 1970 as
/// 1970 begins), which needs no JSON escaping. The text up to the second
/// is formatted once per second and thread; lines within that second reuse
/// it.
fn write_time(b: &mut Vec<u8>, now: SystemTime) {
    thread_local! {
        static SECOND: std::cell::Cell<(u64, [u8; 20])> = const { std::cell::Cell::new((u64::MAX, [0; 20])) };
    }
    let since = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = since.as_secs();
    let (cached, mut prefix) = SECOND.get();
    if cached != secs {
        let second = SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
        let text = humantime::format_rfc3339_millis(second).to_string();
        // `YYYY-MM-DDTHH:MM:SS.mmmZ`: the prefix is everything before the
        // milliseconds. A year past 9999 would not fit: then the whole
        // text is written and nothing is kept.
        match text.as_bytes().get(..20) {
            Some(head) if text.len() == 24 => {
                prefix.copy_from_slice(head);
                SECOND.set((secs, prefix));
            }
            _ => {
                let text = humantime::format_rfc3339_millis(now).to_string();
                b.extend_from_slice(text.as_bytes());
                return;
            }
        }
    }
    let millis = u64::from(since.subsec_millis());
    b.extend_from_slice(&prefix);
    b.extend_from_slice(&[
        digit(millis / 100),
        digit(millis / 10 % 10),
        digit(millis % 10),
        b'Z',
    ]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Endpoint;
    use crate::Policy;

    #[test]
    fn times_and_numbers_are_written_as_humantime_and_fmt_write_them() {
        let start = SystemTime::UNIX_EPOCH + Duration::from_millis(1_763_800_000_000);
        // Steps of 1 ms to 9 days: several lines in one second (the cached
        // prefix), seconds, days and months apart.
        let mut at = start;
        for step in [1, 7, 999, 1, 250, 86_400_000, 1, 777_777_777, 3] {
            at += Duration::from_millis(step);
            let mut b = Vec::new();
            write_time(&mut b, at);
            assert_eq!(
                b,
                humantime::format_rfc3339_millis(at).to_string().as_bytes()
            );
        }
        let mut b = Vec::new();
        write_time(&mut b, SystemTime::UNIX_EPOCH - Duration::from_secs(5));
        assert_eq!(b, b"1970-01-01T00:00:00.000Z");
        for n in [0, 7, 10, 99, 100, 4_096, u64::from(u32::MAX), u64::MAX] {
            let mut b = Vec::new();
            write_decimal(&mut b, n);
            assert_eq!(b, n.to_string().as_bytes());
        }
    }

    #[test]
    fn the_line_for_the_sample_is_compact_json() {
        let policy = Policy::embedded_default().expect("default policy");
        let body = include_bytes!("../../tests/data/transaction-raw.json");
        let s = crate::sanitize_request(&policy, Endpoint::Transaction, body).expect("sanitized");
        let record = Record {
            request_id: "5f0c8a1e9b7d4c2a8e6f1b3d5a7c9e0f",
            client: Some("legacy-checkout"),
            endpoint: "score",
            policy_sha256: Some(policy.digest()),
            applied: Some(s.report()),
            outcome: "forwarded",
            code: None,
            path: None,
            upstream_status: Some(200),
            latency: Duration::from_micros(1234),
            shadow: None,
        };
        let line = render(&record, SystemTime::UNIX_EPOCH);
        assert!(line.len() < 512, "{} bytes", line.len());
        let v: serde_json::Value = serde_json::from_slice(&line).expect("one JSON object");
        assert_eq!(v["latency_ms"], 1.234);
        assert_eq!(v["upstream_status"], 200);
        assert!(v["kept"].as_u64().is_some_and(|k| k > 20));
        let applied = v["applied"].as_array().expect("a list");
        assert!(applied
            .iter()
            .any(|a| a[0] == "/credit_card/number" && a[1] == "truncate_pan"));
        assert!(applied.iter().all(|a| a[1] != "keep"));
        assert!(v.get("code").is_none() && v.get("path").is_none());
        assert_eq!(line.last(), Some(&b'\n'));
    }

    #[derive(Clone, Default)]
    struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::ErrorKind::Other)?
                .extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn lines(&self) -> usize {
            self.0
                .lock()
                .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
        }
    }

    /// A record of a forwarded request, with nothing else set.
    fn forwarded() -> Record<'static> {
        Record {
            request_id: "r",
            endpoint: "score",
            outcome: "forwarded",
            ..Record::default()
        }
    }

    #[test]
    fn a_line_reaches_the_output_without_a_flush_after_a_busy_or_idle_spell() {
        let out = Shared::default();
        let log = AuditLog::new(Box::new(out.clone()));
        let record = forwarded();
        let written = |n: usize| {
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while out.lines() < n && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            out.lines()
        };
        log.write(&record);
        assert_eq!(written(1), 1, "the first line after an idle spell");
        for _ in 0..500 {
            log.write(&record);
        }
        assert_eq!(written(501), 501, "lines gathered while busy");
        std::thread::sleep(GATHER * 5);
        log.write(&record);
        assert_eq!(written(502), 502, "a line after the writer went idle again");
        drop(log);
    }

    #[test]
    fn lines_are_written_off_the_caller_and_none_is_lost() {
        let out = Shared::default();
        let log = AuditLog::new(Box::new(out.clone()));
        let record = forwarded();
        for _ in 0..1000 {
            log.write(&record);
        }
        log.flush();
        assert_eq!(out.lines(), 1000);
        for _ in 0..QUEUE_LINES + 10 {
            log.write(&record);
        }
        drop(log);
        assert_eq!(
            out.lines(),
            1000 + QUEUE_LINES + 10,
            "dropping the log drains it"
        );
    }
}
