//! The audit log: one JSON line per request with what was done, never a value.

use crate::json::write_str;
use crate::sanitize::{Applied, Rejection, Report, Sanitized};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant, SystemTime};

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
    /// Records of unauthenticated requests left out since the last one
    /// written (their lines are rate-limited); written when above zero.
    pub suppressed: u64,
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

/// Where audit lines go, and whether they can be kept.
///
/// Lines are rendered on the request path and written by a thread of their
/// own, so a slow disk never holds up an answer, and no caller ever waits
/// for the writer: the queue holds at most [`QUEUE_LINES`] lines, counted
/// as they are queued. A request is forwarded to minFraud only with a
/// [`Reservation`], a place in the queue taken while the sink is
/// [available](AuditLog::available), so its record cannot be refused for
/// lack of room. Records of requests that were not forwarded (refusals,
/// shed requests) may use only the part of the queue outside
/// [`RESERVED_LINES`]; past that they are counted as dropped and a line of
/// their own says how many.
///
/// The writer writes what has gathered at least every [`GATHER`] while lines
/// keep coming. A write that fails marks the sink failed (the lines of that
/// write are counted as lost) until a later write succeeds; a write that
/// has not returned after [`STALL`] marks it stalled. Either makes
/// [`AuditLog::available`] refuse.
pub struct AuditLog {
    shared: Arc<Shared>,
    queue: Option<mpsc::Sender<Message>>,
    /// Answered when the writer thread ends.
    done: std::sync::Mutex<Option<mpsc::Receiver<()>>>,
}

/// Lines the audit queue holds; past it, requests are not forwarded.
pub const QUEUE_LINES: usize = 16_384;

/// The part of the queue kept for records of forwarded requests: other
/// records (refusals, shed requests) are dropped and counted when fewer than
/// this many places are left, so a flood of refusals cannot stop forwarding.
pub const RESERVED_LINES: usize = QUEUE_LINES / 4;

/// How long one write may take before the sink counts as stalled (a pipe
/// nobody reads, a hung network file system).
pub const STALL: Duration = Duration::from_secs(2);

/// How long dropping an [`AuditLog`] waits for its writer to finish.
pub const CLOSE_WAIT: Duration = Duration::from_secs(5);

enum Message {
    Line(Vec<u8>),
    /// Answered once every line queued before it is written and flushed.
    Flush(mpsc::SyncSender<()>),
}

/// What the writer and the callers share.
struct Shared {
    epoch: Instant,
    /// Lines queued or promised to a reservation and not yet written.
    queued: AtomicUsize,
    /// The last write failed.
    failed: AtomicBool,
    /// Milliseconds after `epoch`, plus one, when the write in progress
    /// began; zero while the writer is not writing.
    writing_since: AtomicU64,
    /// Records dropped for lack of room and not yet reported in a line.
    dropped: AtomicU64,
    /// Whether the sink was last reported unavailable (so each change is
    /// logged once).
    reported_down: AtomicBool,
    /// Milliseconds after `epoch` of the last retry of a failed sink.
    retried_at: AtomicU64,
    stats: Stats,
}

impl Shared {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX - 1)
    }
}

/// Why the audit log cannot take the record of a request to be forwarded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unavailable {
    /// The last write failed (disk full, file system read-only, ...).
    Failed,
    /// A write has not returned for longer than [`STALL`].
    Stalled,
    /// The queue is full.
    Full,
    /// The writer thread is not running.
    Stopped,
}

impl Unavailable {
    /// A word for logs, metrics and `/readyz`.
    pub fn name(self) -> &'static str {
        match self {
            Unavailable::Failed => "write_failed",
            Unavailable::Stalled => "stalled",
            Unavailable::Full => "queue_full",
            Unavailable::Stopped => "stopped",
        }
    }
}

/// A place in the audit queue for the record of one forwarded request,
/// taken before it is forwarded; given back if dropped unused.
#[must_use = "a reservation holds a place in the audit queue"]
pub struct Reservation {
    shared: Arc<Shared>,
    used: bool,
}

impl std::fmt::Debug for Reservation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reservation")
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if !self.used {
            self.shared.queued.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct ReasonLabels {
    reason: &'static str,
}

/// The audit log's metrics (registered by [`super::metrics::Metrics`]).
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub(crate) written: Counter,
    lost: Family<ReasonLabels, Counter>,
    pub(crate) up: Gauge,
    pub(crate) queued: Gauge,
}

impl Stats {
    pub(crate) fn lost_family(&self) -> Family<ReasonLabels, Counter> {
        self.lost.clone()
    }

    fn lost(&self, reason: &'static str, n: u64) {
        self.lost.get_or_create(&ReasonLabels { reason }).inc_by(n);
    }
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
        let shared = Arc::new(Shared {
            epoch: Instant::now(),
            queued: AtomicUsize::new(0),
            failed: AtomicBool::new(false),
            writing_since: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            reported_down: AtomicBool::new(false),
            retried_at: AtomicU64::new(0),
            stats: Stats::default(),
        });
        let (queue, lines) = mpsc::channel();
        let (finished, done) = mpsc::sync_channel(1);
        let writer = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("txveil-audit".into())
                .spawn(move || {
                    write_lines(out, &lines, &shared);
                    let _ = finished.send(());
                })
        };
        match writer {
            Ok(_) => Self {
                shared,
                queue: Some(queue),
                done: std::sync::Mutex::new(Some(done)),
            },
            Err(e) => {
                tracing::error!(error = %e, "cannot start the audit writer; no request will be forwarded");
                Self {
                    shared,
                    queue: None,
                    done: std::sync::Mutex::new(None),
                }
            }
        }
    }

    /// The metrics of this log.
    pub fn stats(&self) -> &Stats {
        &self.shared.stats
    }

    /// Whether the record of a request forwarded now can be kept: the writer
    /// runs, its last write succeeded, no write is stalled and the queue has
    /// room. Each change is logged once; the `up` and `queued` gauges are
    /// updated.
    ///
    /// # Errors
    /// Why not.
    pub fn available(&self) -> Result<(), Unavailable> {
        let s = &self.shared;
        let since = s.writing_since.load(Ordering::SeqCst);
        let queued = s.queued.load(Ordering::SeqCst);
        let state = if self.queue.is_none() {
            Err(Unavailable::Stopped)
        } else if s.failed.load(Ordering::SeqCst) {
            // A failed sink is tried again at most once a second, even
            // with no traffic (the readiness probe asks), so that it is
            // found working again once the disk has room.
            let now = s.now_ms();
            let last = s.retried_at.load(Ordering::SeqCst);
            if now.saturating_sub(last) >= 1000
                && s.retried_at
                    .compare_exchange(last, now, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
                && self.take_room(QUEUE_LINES - RESERVED_LINES)
            {
                self.send(render_event("audit_retried", SystemTime::now()));
            }
            Err(Unavailable::Failed)
        } else if since != 0 && s.now_ms().saturating_sub(since - 1) > STALL.as_millis() as u64 {
            Err(Unavailable::Stalled)
        } else if queued >= QUEUE_LINES {
            Err(Unavailable::Full)
        } else {
            Ok(())
        };
        s.stats.up.set(i64::from(state.is_ok()));
        s.stats
            .queued
            .set(i64::try_from(queued).unwrap_or(i64::MAX));
        let down = state.is_err();
        if s.reported_down.swap(down, Ordering::SeqCst) != down {
            match state {
                Err(why) => tracing::error!(
                    reason = why.name(),
                    queued,
                    "the audit log cannot keep records; requests are not forwarded and /readyz answers 503"
                ),
                Ok(()) => tracing::info!("the audit log keeps records again; forwarding resumes"),
            }
        }
        state
    }

    /// A place in the queue for the record of a request about to be
    /// forwarded.
    ///
    /// # Errors
    /// As [`AuditLog::available`].
    pub fn reserve(&self) -> Result<Reservation, Unavailable> {
        self.available()?;
        if !self.take_room(QUEUE_LINES) {
            return Err(Unavailable::Full);
        }
        Ok(Reservation {
            shared: self.shared.clone(),
            used: false,
        })
    }

    /// One more queued line, if fewer than `limit` are queued.
    fn take_room(&self, limit: usize) -> bool {
        self.shared
            .queued
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |q| {
                (q < limit).then_some(q + 1)
            })
            .is_ok()
    }

    /// Queues the record of a forwarded request in its reserved place.
    pub fn write_reserved(&self, mut reservation: Reservation, r: &Record<'_>) {
        reservation.used = true;
        self.send(render(r, SystemTime::now()));
    }

    /// Queues the record of a request that was not forwarded, when the
    /// queue has room outside [`RESERVED_LINES`]; otherwise counts it as
    /// dropped (reported in a line of its own once the writer has room).
    /// Never waits.
    pub fn write(&self, r: &Record<'_>) -> bool {
        if self.queue.is_none() || !self.take_room(QUEUE_LINES - RESERVED_LINES) {
            self.shared.dropped.fetch_add(1, Ordering::SeqCst);
            self.shared.stats.lost("no_room", 1);
            return false;
        }
        self.send(render(r, SystemTime::now()));
        true
    }

    /// Sends a line whose place is already counted.
    fn send(&self, line: Vec<u8>) {
        let sent = self
            .queue
            .as_ref()
            .is_some_and(|q| q.send(Message::Line(line)).is_ok());
        if !sent {
            self.shared.queued.fetch_sub(1, Ordering::SeqCst);
            self.shared.stats.lost("stopped", 1);
            tracing::error!("the audit writer has stopped; an audit line is lost");
        }
    }

    /// Writes the line that opens a run of the sidecar
    /// (`"outcome":"audit_opened"`) and waits at most `within` for it, so
    /// that an audit log that cannot be written (a full disk) is known
    /// before the first request.
    ///
    /// # Errors
    /// As [`AuditLog::available`], once the line was tried.
    pub fn open(&self, within: Duration) -> Result<(), Unavailable> {
        if self.take_room(QUEUE_LINES) {
            self.send(render_event("audit_opened", SystemTime::now()));
        }
        self.flush_within(within);
        self.available()
    }

    /// Writes the line that closes a run of the sidecar
    /// (`"outcome":"audit_closed"`) and waits at most `within` for every
    /// line queued so far; returns how many lines were still not written
    /// then (zero when all were).
    pub fn close(&self, within: Duration) -> usize {
        if self.take_room(QUEUE_LINES) {
            self.send(render_event("audit_closed", SystemTime::now()));
        }
        self.flush_within(within)
    }

    /// Waits until every line queued so far is written and flushed.
    pub fn flush(&self) {
        self.flush_within(Duration::from_secs(60));
    }

    /// Waits at most `within` until every line queued so far is written
    /// and flushed; returns how many lines were still not written when it
    /// stopped waiting (zero when all were).
    pub fn flush_within(&self, within: Duration) -> usize {
        let Some(queue) = &self.queue else {
            return self.shared.queued.load(Ordering::SeqCst);
        };
        let (done, wait) = mpsc::sync_channel(1);
        if queue.send(Message::Flush(done)).is_ok() && wait.recv_timeout(within).is_ok() {
            return 0;
        }
        self.shared.queued.load(Ordering::SeqCst)
    }
}

impl Drop for AuditLog {
    fn drop(&mut self) {
        drop(self.queue.take());
        let done = match self.done.get_mut() {
            Ok(d) => d.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(done) = done {
            if done.recv_timeout(CLOSE_WAIT).is_err() {
                tracing::error!(
                    lines = self.shared.queued.load(Ordering::SeqCst),
                    "the audit writer did not finish; audit lines are lost"
                );
            }
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
fn write_lines(out: Box<dyn Write + Send>, lines: &mpsc::Receiver<Message>, shared: &Shared) {
    let mut sink = Sink {
        out,
        buf: Vec::with_capacity(64 * 1024),
        lines: 0,
        shared,
    };
    while let Ok(first) = lines.recv() {
        sink.take(first);
        loop {
            sink.commit();
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
                        sink.commit();
                        return;
                    }
                }
            }
            if !more {
                break;
            }
        }
    }
    sink.commit();
}

/// The writer thread's output: the lines gathered since the last write.
struct Sink<'a> {
    out: Box<dyn Write + Send>,
    buf: Vec<u8>,
    /// Queued lines in `buf`.
    lines: usize,
    shared: &'a Shared,
}

impl Sink<'_> {
    fn take(&mut self, message: Message) {
        match message {
            Message::Line(line) => {
                self.buf.extend_from_slice(&line);
                self.lines += 1;
            }
            Message::Flush(done) => {
                self.commit();
                let _ = done.send(());
            }
        }
    }

    /// Writes and flushes what has gathered, with a line counting the
    /// records dropped for lack of room since the last such line. A failed
    /// write loses its lines: they are counted and logged, never retried
    /// (the next write starts clean).
    fn commit(&mut self) {
        let s = self.shared;
        let dropped = s.dropped.swap(0, Ordering::SeqCst);
        if dropped > 0 {
            self.buf
                .extend_from_slice(&render_dropped(dropped, SystemTime::now()));
        }
        if self.buf.is_empty() {
            return;
        }
        s.writing_since.store(s.now_ms() + 1, Ordering::SeqCst);
        let result = self
            .out
            .write_all(&self.buf)
            .and_then(|()| self.out.flush());
        s.writing_since.store(0, Ordering::SeqCst);
        let n = self.lines as u64;
        s.queued.fetch_sub(self.lines, Ordering::SeqCst);
        match result {
            Ok(()) => {
                s.stats.written.inc_by(n);
                if s.failed.swap(false, Ordering::SeqCst) {
                    tracing::info!("the audit log is written again");
                }
            }
            Err(e) => {
                s.stats.lost("write_failed", n);
                s.dropped.fetch_add(dropped, Ordering::SeqCst);
                if !s.failed.swap(true, Ordering::SeqCst) {
                    tracing::error!(error = %e.kind(), lines = n, "cannot write the audit log; these audit lines are lost and no request is forwarded until a write succeeds");
                } else {
                    tracing::error!(error = %e.kind(), lines = n, "cannot write the audit log; audit lines lost");
                }
            }
        }
        self.buf.clear();
        self.lines = 0;
    }
}

/// A line that records an event of the audit log itself, not a request.
fn render_event(outcome: &str, now: SystemTime) -> Vec<u8> {
    let mut b = Vec::with_capacity(64);
    b.extend_from_slice(b"{\"time\":\"");
    write_time(&mut b, now);
    b.extend_from_slice(b"\",\"outcome\":");
    write_str(&mut b, outcome);
    b.extend_from_slice(b"}\n");
    b
}

/// The line counting `n` records dropped for lack of room in the queue.
fn render_dropped(n: u64, now: SystemTime) -> Vec<u8> {
    let mut b = Vec::with_capacity(96);
    b.extend_from_slice(b"{\"time\":\"");
    write_time(&mut b, now);
    b.extend_from_slice(b"\",\"outcome\":\"audit_lines_dropped\",\"count\":");
    write_decimal(&mut b, n);
    b.extend_from_slice(b"}\n");
    b
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
    if r.suppressed > 0 {
        b.extend_from_slice(b",\"suppressed\":");
        write_decimal(&mut b, r.suppressed);
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
            suppressed: 0,
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
        for _ in 0..QUEUE_LINES - RESERVED_LINES {
            let reservation = log.reserve().expect("room");
            log.write_reserved(reservation, &record);
        }
        drop(log);
        assert_eq!(
            out.lines(),
            1000 + QUEUE_LINES - RESERVED_LINES,
            "dropping the log drains it"
        );
    }

    #[test]
    fn refusals_never_take_the_places_kept_for_forwarded_requests() {
        let gate = std::sync::Arc::new(std::sync::Mutex::new(()));
        struct Gated(std::sync::Arc<std::sync::Mutex<()>>, Shared);
        impl Write for Gated {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                let _open = self.0.lock().map_err(|_| std::io::ErrorKind::Other)?;
                self.1.write(b)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let out = Shared::default();
        let held = gate.lock().expect("gate");
        let log = AuditLog::new(Box::new(Gated(gate.clone(), out.clone())));
        let record = forwarded();
        let mut refused = 0;
        for _ in 0..QUEUE_LINES {
            if !log.write(&record) {
                refused += 1;
            }
        }
        assert!(refused >= RESERVED_LINES, "{refused}");
        let kept: Vec<Reservation> = (0..RESERVED_LINES - 1)
            .map(|_| log.reserve().expect("a place kept for forwarding"))
            .collect();
        for r in kept {
            log.write_reserved(r, &record);
        }
        drop(held);
        log.flush();
        let text = String::from_utf8(out.0.lock().expect("out").clone()).expect("utf-8");
        assert!(text.contains("\"outcome\":\"audit_lines_dropped\""));
        assert_eq!(log.available(), Ok(()));
    }
}
