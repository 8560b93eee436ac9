//! Run with `cargo run --release --example bare_proxy -- LISTEN UPSTREAM [WORKERS] [WORK_US]`
//!
//! The floor under `txveil serve`: a proxy built from the same parts and
//! doing nothing else. Each of WORKERS threads (default 2) runs a tokio
//! `current_thread` runtime accepting on one shared listening socket and
//! serving HTTP/1.1 with hyper; each request's body is read whole, then
//! WORK_US microseconds of CPU are spent (a busy loop standing in for
//! sanitizing; default 0), then the body is posted to UPSTREAM (an
//! `http://host:port` base) with the request's path through hyper-util's
//! pooled keep-alive client (`TCP_NODELAY`), and minFraud's answer is read
//! whole and handed back. No authentication, audit, metrics or limits.
//!
//! `scripts/bench-sidecar` loads it beside nginx and txveil when
//! `TXVEIL_BENCH_FLOOR` lists WORK_US values: how fast a sidecar on this
//! stack can be on the machine at hand, and what each microsecond of work
//! per request costs in throughput.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::body::Incoming;
use hyper::{Request, Response, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: bare_proxy LISTEN UPSTREAM [WORKERS] [WORK_US]";
    let listen: std::net::SocketAddr = args.next().ok_or(usage)?.parse()?;
    let upstream: Uri = args.next().ok_or(usage)?.parse()?;
    let workers: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(2);
    let work = Duration::from_micros(args.next().map(|s| s.parse()).transpose()?.unwrap_or(0));
    let authority = upstream.authority().ok_or(usage)?.clone();
    let listener = std::net::TcpListener::bind(listen)?;
    listener.set_nonblocking(true)?;
    let mut threads = Vec::new();
    for _ in 0..workers.max(1) {
        let listener = listener.try_clone()?;
        let authority = authority.clone();
        threads.push(std::thread::spawn(move || -> Result<(), Error> {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(serve(listener, authority, work))
        }));
    }
    for t in threads {
        t.join().map_err(|_| "a worker panicked")??;
    }
    Ok(())
}

async fn serve(
    listener: std::net::TcpListener,
    authority: hyper::http::uri::Authority,
    work: Duration,
) -> Result<(), Error> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build(connector);
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let client = client.clone();
        let authority = authority.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                forward(client.clone(), authority.clone(), work, req)
            });
            // A connection's end (the client going away) is not an error here.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn forward(
    client: Client<HttpConnector, Full<Bytes>>,
    authority: hyper::http::uri::Authority,
    work: Duration,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Error> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await?.to_bytes();
    spin(work);
    let uri = Uri::builder()
        .scheme("http")
        .authority(authority)
        .path_and_query(parts.uri.path())
        .build()?;
    let upstream = Request::post(uri)
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .body(Full::new(body))?;
    let (parts, body) = client.request(upstream).await?.into_parts();
    let body = body.collect().await?.to_bytes();
    Ok(Response::from_parts(parts, Full::new(body)))
}

/// Keeps the CPU busy for `d`.
fn spin(d: Duration) {
    let start = Instant::now();
    while start.elapsed() < d {
        std::hint::spin_loop();
    }
}
