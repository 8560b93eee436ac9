//! Serving connections: the accept loop of each worker, how the workers on
//! one listening socket spread its connections, the per-connection limits
//! (slots, header and idle deadlines) and graceful shutdown.

use super::Limits;
use axum::Router;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// When a connection last finished a request, and how many it has in flight.
/// The idle watchdog closes a connection that has had nothing in flight for
/// too long.
#[derive(Debug)]
struct Activity {
    opened: Instant,
    /// Set once the connection carried an authenticated request: until
    /// then it may be closed to make room for a new connection.
    trusted: AtomicBool,
    /// Wakes the connection's task to close it (see [`Sharing::evict`]).
    evict: tokio::sync::Notify,
    /// Milliseconds after `opened` when the last request finished; `u64::MAX`
    /// before the first.
    last_done: AtomicU64,
    in_flight: AtomicUsize,
    /// Wakes the watchdog when a request starts or ends.
    changed: tokio::sync::Notify,
}

impl Activity {
    fn new() -> Self {
        Self {
            opened: Instant::now(),
            trusted: AtomicBool::new(false),
            evict: tokio::sync::Notify::new(),
            last_done: AtomicU64::new(u64::MAX),
            in_flight: AtomicUsize::new(0),
            changed: tokio::sync::Notify::new(),
        }
    }

    /// How long the connection may stay as it is, from now; `None` while a
    /// request is in flight.
    fn idle_left(&self, limits: &Limits) -> Option<Duration> {
        if self.in_flight.load(Ordering::SeqCst) > 0 {
            return None;
        }
        let since_open = self.opened.elapsed();
        let (from, allowed) = match self.last_done.load(Ordering::SeqCst) {
            u64::MAX => (Duration::ZERO, limits.header_timeout),
            ms => (Duration::from_millis(ms), limits.keep_alive_timeout),
        };
        Some((from + allowed).saturating_sub(since_open))
    }
}

/// A request's connection, as the handler sees it (a request extension): the
/// handler marks it trusted once the request authenticates.
#[derive(Clone, Debug)]
pub struct Connection(Arc<Activity>);

impl Connection {
    /// Marks the connection as an app's: it is no longer closed to make
    /// room for new connections.
    pub fn trust(&self) {
        self.0.trusted.store(true, Ordering::Relaxed);
    }

    /// Whether the connection has carried an authenticated request.
    pub fn is_trusted(&self) -> bool {
        self.0.trusted.load(Ordering::Relaxed)
    }
}

/// How many `Host` header lines an HTTP/1.x request arrived with (a request
/// extension set by the connection layer; HTTP/2 names its authority
/// instead).
#[derive(Clone, Copy, Debug)]
pub struct HostLines(pub usize);

/// Counts a request in flight for the watchdog while it is being answered.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn start(activity: &Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::SeqCst);
        activity.changed.notify_one();
        Self(activity.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let ms = u64::try_from(self.0.opened.elapsed().as_millis()).unwrap_or(u64::MAX - 1);
        self.0.last_done.store(ms, Ordering::SeqCst);
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.0.changed.notify_one();
    }
}

/// Resolves when the connection has been idle for longer than allowed: no
/// complete first request head within the header timeout (from accept, TLS
/// handshake included), or nothing in flight for the keep-alive timeout.
async fn idle_expired(activity: Arc<Activity>, limits: Limits) {
    loop {
        let changed = activity.changed.notified();
        match activity.idle_left(&limits) {
            Some(left) if left.is_zero() => return,
            Some(left) => {
                tokio::select! {
                    () = tokio::time::sleep(left) => {}
                    () = changed => {}
                }
            }
            None => changed.await,
        }
    }
}

/// Serves `app` on `listener` (TLS when `tls` is given) until `shutdown`
/// turns true; then stops accepting and waits up to `grace` for open
/// connections to finish their requests.
///
/// At most `limits.max_connections` connections are open at once; a
/// connection that delivers no request head within `limits.header_timeout`
/// (TLS handshake included) or sits idle past `limits.keep_alive_timeout` is
/// closed; accept errors (such as running out of file descriptors) back off
/// instead of spinning.
pub async fn serve(
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    app: Router,
    shutdown: watch::Receiver<bool>,
    limits: Limits,
    grace: Duration,
) {
    if let Some(seat) = seats(&limits, 1).pop() {
        serve_sharing(listener, tls, app, shutdown, limits, grace, seat).await;
    }
}

/// The seats of `workers` workers (at least one) serving one listening
/// socket: each worker takes one, and a handle on the same socket, to
/// [`serve_sharing`]. The workers share the socket's connection slots
/// (`limits.max_connections` in all) and spread its connections evenly:
/// a worker that accepts a connection while another serves fewer hands it
/// to that one. Otherwise whichever worker wakes first accepts a whole
/// burst of new connections and serves them alone.
pub fn seats(limits: &Limits, workers: usize) -> Vec<Seat> {
    Sharing::seats(limits, workers)
}

/// A connection one worker accepted and hands to another, with its slot
/// and its count on that worker.
struct Handoff {
    tcp: std::net::TcpStream,
    slot: tokio::sync::OwnedSemaphorePermit,
    counted: Counted,
}

/// What the workers serving one listening socket share (see [`seats`]):
/// its connection slots, how many connections each worker serves, and a
/// queue into each worker. A connection is counted for a worker from the
/// moment it is handed over, so that a burst does not all follow the first
/// hand-over.
struct Sharing {
    slots: Arc<tokio::sync::Semaphore>,
    /// Connections that have not (yet) carried an authenticated request,
    /// oldest first (entries of closed or trusted ones are skipped).
    untrusted: std::sync::Mutex<std::collections::VecDeque<std::sync::Weak<Activity>>>,
    max_connections: usize,
    open: Vec<AtomicUsize>,
    queues: Vec<tokio::sync::mpsc::UnboundedSender<Handoff>>,
}

/// One worker's place among the workers serving a listening socket (see
/// [`seats`]).
pub struct Seat {
    shared: Arc<Sharing>,
    index: usize,
    inbox: tokio::sync::mpsc::UnboundedReceiver<Handoff>,
}

impl std::fmt::Debug for Seat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seat").field("index", &self.index).finish()
    }
}

impl Sharing {
    fn seats(limits: &Limits, workers: usize) -> Vec<Seat> {
        let n = workers.max(1);
        let (queues, inboxes): (Vec<_>, Vec<_>) = (0..n)
            .map(|_| tokio::sync::mpsc::unbounded_channel())
            .unzip();
        let shared = Arc::new(Sharing {
            slots: Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1))),
            untrusted: std::sync::Mutex::new(std::collections::VecDeque::new()),
            max_connections: limits.max_connections.max(1),
            open: (0..n).map(|_| AtomicUsize::new(0)).collect(),
            queues,
        });
        inboxes
            .into_iter()
            .enumerate()
            .map(|(index, inbox)| Seat {
                shared: shared.clone(),
                index,
                inbox,
            })
            .collect()
    }

    /// A connection `me` accepted, counted for the worker that should
    /// serve it: `me`, unless another serves fewer.
    fn assign(self: &Arc<Self>, me: usize) -> Counted {
        let load = |i: usize| self.open[i].load(Ordering::Relaxed);
        let fewest = (0..self.open.len()).min_by_key(|&i| load(i)).unwrap_or(me);
        self.count(if load(fewest) < load(me) { fewest } else { me })
    }

    /// Records a new connection as untrusted.
    fn admit(&self, activity: &Arc<Activity>) {
        let mut q = match self.untrusted.lock() {
            Ok(q) => q,
            Err(p) => p.into_inner(),
        };
        if q.len() >= 2 * self.max_connections {
            q.retain(|w| {
                w.upgrade()
                    .is_some_and(|a| !a.trusted.load(Ordering::Relaxed))
            });
        }
        q.push_back(Arc::downgrade(activity));
    }

    /// When every connection slot is taken: closes the oldest connection
    /// that never carried an authenticated request (a silent connection,
    /// an unfinished TLS handshake, a client that only failed to
    /// authenticate), so that a flood of such connections cannot keep
    /// apps out. Returns whether one was closed.
    fn evict(&self) -> bool {
        let mut q = match self.untrusted.lock() {
            Ok(q) => q,
            Err(p) => p.into_inner(),
        };
        while let Some(w) = q.pop_front() {
            if let Some(a) = w.upgrade() {
                if !a.trusted.load(Ordering::Relaxed) {
                    a.evict.notify_one();
                    return true;
                }
            }
        }
        false
    }

    /// One more connection for worker `index`, until the count is dropped.
    fn count(self: &Arc<Self>, index: usize) -> Counted {
        self.open[index].fetch_add(1, Ordering::Relaxed);
        Counted {
            shared: self.clone(),
            index,
        }
    }
}

/// A connection's count on its worker, given back when it is dropped (when
/// the connection closes, or is counted elsewhere).
struct Counted {
    shared: Arc<Sharing>,
    index: usize,
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.shared.open[self.index].fetch_sub(1, Ordering::Relaxed);
    }
}

/// As [`serve`], for one of several workers (each on a runtime of its own)
/// serving the same listening socket: they share its connection slots and
/// spread its connections evenly (see [`seats`]).
pub async fn serve_sharing(
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    app: Router,
    mut shutdown: watch::Receiver<bool>,
    limits: Limits,
    grace: Duration,
    seat: Seat,
) {
    use hyper_util::rt::TokioTimer;
    let Seat {
        shared,
        index: me,
        mut inbox,
    } = seat;
    let mut builder =
        hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(256);
    let conns = Connections {
        builder: Arc::new(builder),
        acceptor: tls.map(tokio_rustls::TlsAcceptor::from),
        app,
        limits,
        graceful: hyper_util::server::graceful::GracefulShutdown::new(),
        shared: shared.clone(),
    };
    let mut backoff = Duration::ZERO;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            Some(h) = inbox.recv() => {
                conns.serve_handed(h);
                continue;
            }
            _ = shutdown.changed() => break,
        };
        let tcp = match accepted {
            Ok((tcp, _peer)) => {
                backoff = Duration::ZERO;
                tcp
            }
            Err(e) => {
                backoff = (backoff * 2).clamp(Duration::from_millis(10), Duration::from_secs(1));
                tracing::warn!(error = %e, backoff_ms = backoff.as_millis() as u64, "accept failed; backing off");
                tokio::time::sleep(backoff).await;
                continue;
            }
        };
        // A slot is taken for an accepted connection only: a worker waiting
        // for connections holds none, so the slots taken are the open
        // connections whichever worker accepts the next one.
        let held = match shared.slots.clone().try_acquire_owned() {
            Ok(s) => s,
            Err(_) => {
                // Every slot is taken and a connection is waiting: the
                // oldest connection that never authenticated is closed to
                // make room; without one, the new connection waits for a
                // slot (this worker accepts nothing else meanwhile).
                if shared.evict() {
                    tracing::debug!(
                        "all connection slots taken; closed the oldest unauthenticated connection"
                    );
                }
                let s = loop {
                    tokio::select! {
                        s = shared.slots.clone().acquire_owned() => break s.ok(),
                        Some(h) = inbox.recv() => conns.serve_handed(h),
                        _ = shutdown.changed() => break None,
                    }
                };
                match s {
                    Some(s) => s,
                    None => break,
                }
            }
        };
        let counted = shared.assign(me);
        let to = counted.index;
        if to == me {
            conns.serve(tcp, held, counted);
            continue;
        }
        // Handed over as a plain socket: the other worker registers it with
        // its own event loop.
        let Ok(tcp) = tcp.into_std() else { continue };
        let handoff = Handoff {
            tcp,
            slot: held,
            counted,
        };
        if let Err(back) = shared.queues[to].send(handoff) {
            // That worker has stopped: the connection counts, and is served,
            // here.
            let handoff = Handoff {
                counted: shared.count(me),
                ..back.0
            };
            conns.serve_handed(handoff);
        }
    }
    drop(listener);
    // Connections handed over before the stop are served, not dropped.
    inbox.close();
    while let Ok(h) = inbox.try_recv() {
        conns.serve_handed(h);
    }
    tokio::select! {
        () = conns.graceful.shutdown() => {}
        () = tokio::time::sleep(grace) => tracing::warn!("shutdown grace period over; closing open connections"),
    }
}

/// How one worker serves its connections.
struct Connections {
    builder: Arc<hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>>,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    app: Router,
    limits: Limits,
    graceful: hyper_util::server::graceful::GracefulShutdown,
    shared: Arc<Sharing>,
}

impl Connections {
    /// Serves a connection another worker accepted.
    fn serve_handed(&self, h: Handoff) {
        if let Ok(tcp) = tokio::net::TcpStream::from_std(h.tcp) {
            self.serve(tcp, h.slot, h.counted);
        }
    }

    /// Serves one connection on this worker's runtime, holding its slot
    /// and its count until it closes.
    fn serve(
        &self,
        tcp: tokio::net::TcpStream,
        slot: tokio::sync::OwnedSemaphorePermit,
        counted: Counted,
    ) {
        use super::framing::ErrorBodies;
        use hyper_util::rt::TokioIo;
        let _ = tcp.set_nodelay(true);
        let limits = self.limits;
        let activity = Arc::new(Activity::new());
        self.shared.admit(&activity);
        let peer = tcp.peer_addr().ok();
        let tracked = {
            let activity = activity.clone();
            let connection = Connection(activity.clone());
            tower::ServiceBuilder::new()
                .map_request(move |mut req: hyper::Request<hyper::body::Incoming>| {
                    if req.version() <= hyper::Version::HTTP_11 {
                        let n = req.headers().get_all(hyper::header::HOST).iter().count();
                        req.extensions_mut().insert(HostLines(n));
                    }
                    let ext = req.extensions_mut();
                    ext.insert(connection.clone());
                    if let Some(peer) = peer {
                        ext.insert(axum::extract::ConnectInfo(peer));
                    }
                    req
                })
                .map_future(move |fut| {
                    let in_flight = InFlight::start(&activity);
                    async move {
                        let r = fut.await;
                        drop(in_flight);
                        r
                    }
                })
                .service(self.app.clone())
        };
        let service = hyper_util::service::TowerToHyperService::new(tracked);
        let watcher = self.graceful.watcher();
        let builder = self.builder.clone();
        let acceptor = self.acceptor.clone();
        tokio::spawn(async move {
            let _held = (slot, counted);
            let evicted = activity.clone();
            let idle = async move {
                tokio::select! {
                    () = idle_expired(activity, limits) => {}
                    () = evicted.evict.notified() => {}
                }
            };
            tokio::pin!(idle);
            match acceptor {
                None => {
                    let conn = builder.serve_connection_with_upgrades(
                        TokioIo::new(ErrorBodies::new(tcp)),
                        service,
                    );
                    tokio::select! {
                        _ = watcher.watch(conn.into_owned()) => {}
                        () = &mut idle => {}
                    }
                }
                Some(acceptor) => {
                    let stream = tokio::select! {
                        s = acceptor.accept(tcp) => s,
                        () = &mut idle => return,
                    };
                    let Ok(stream) = stream else { return };
                    let conn = builder.serve_connection_with_upgrades(
                        TokioIo::new(ErrorBodies::new(stream)),
                        service,
                    );
                    tokio::select! {
                        _ = watcher.watch(conn.into_owned()) => {}
                        () = &mut idle => {}
                    }
                }
            }
        });
    }
}

/// A rustls server configuration (ring) from PEM files, offering h2 and http/1.1.
///
/// # Errors
/// A message naming the file that could not be read or used.
pub fn tls_config(
    cert: &std::path::Path,
    key: &std::path::Path,
) -> Result<Arc<rustls::ServerConfig>, String> {
    use rustls::pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};
    let read = |path: &std::path::Path| {
        std::fs::read(path)
            .map(zeroize::Zeroizing::new)
            .map_err(|e| {
                format!(
                    "{}: cannot read: {}",
                    path.display(),
                    crate::file::reason(&e)
                )
            })
    };
    let cert_pem = read(cert)?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate", cert.display()));
    }
    // The private key's PEM is wiped when this function returns.
    let key_pem = read(key)?;
    let key_der =
        PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| format!("{}: {e}", key.display()))?;
    // *ring*, as the upstream client uses it (see `client`'s TLS settings on
    // rustls deprecating it for lacking post-quantum key exchange).
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(certs, key_der)
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests;
