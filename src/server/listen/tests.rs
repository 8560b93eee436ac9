use super::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A listening socket on a free loopback port, as the workers get it.
fn bind() -> std::net::TcpListener {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    l
}

/// Runs one worker on `listener` with `seat` until `stop` turns true.
fn worker(
    listener: &std::net::TcpListener,
    seat: Seat,
    limits: Limits,
    stop: &watch::Receiver<bool>,
) {
    let listener = TcpListener::from_std(listener.try_clone().unwrap()).unwrap();
    let app = Router::new().route("/", axum::routing::get(|| async { "ok" }));
    tokio::spawn(serve_sharing(
        listener,
        None,
        app,
        stop.clone(),
        limits,
        Duration::from_secs(1),
        seat,
    ));
}

/// Lets the spawned workers run until each waits for something (the tests
/// run on one thread: a yield runs every task that is ready first).
async fn settle() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
}

/// The status line of the answer to a request on a new connection, or
/// `None` when none came within a bound far past any answer's time.
async fn status(port: u16) -> Option<String> {
    let ask = async {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
        s.write_all(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .await?;
        let mut out = Vec::new();
        s.read_to_end(&mut out).await?;
        std::io::Result::Ok(out)
    };
    let out = tokio::time::timeout(Duration::from_secs(10), ask)
        .await
        .ok()?
        .ok()?;
    let text = String::from_utf8_lossy(&out);
    text.lines().next().map(str::to_owned)
}

/// Whether the server closed `s` (end of stream or reset) within `wait`.
async fn closed(s: &mut tokio::net::TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 16];
    matches!(
        tokio::time::timeout(wait, s.read(&mut buf)).await,
        Ok(Ok(0) | Err(_))
    )
}

/// `max_connections` slots, and time enough for a silent connection to
/// outlast any test.
fn limits(max_connections: usize) -> Limits {
    Limits {
        max_connections,
        header_timeout: Duration::from_secs(120),
        ..Limits::default()
    }
}

#[tokio::test]
async fn workers_waiting_for_connections_hold_no_slots() {
    // Three workers share two connection slots. Two wait on a socket no
    // client connects to (as when the kernel hands every new connection to
    // the third): the slots stay free, and the third serves the
    // connections it gets.
    let limits = limits(2);
    let mut seats = seats(&limits, 3);
    let shared = seats[0].shared.clone();
    let (_stop, stop) = watch::channel(false);
    let (quiet, busy) = (bind(), bind());
    for seat in seats.drain(..2) {
        worker(&quiet, seat, limits, &stop);
    }
    settle().await;
    assert_eq!(
        shared.slots.available_permits(),
        2,
        "a worker waiting for a connection holds no slot"
    );
    worker(&busy, seats.pop().unwrap(), limits, &stop);
    let port = busy.local_addr().unwrap().port();
    for _ in 0..3 {
        assert_eq!(status(port).await.as_deref(), Some("HTTP/1.1 200 OK"));
    }
}

#[tokio::test]
async fn a_full_limit_closes_the_oldest_silent_connection_for_a_new_one() {
    // Three workers share two connection slots; one takes the connections
    // while the others wait. Two silent connections take both slots: a
    // request on a third is answered, the oldest silent one is closed for
    // it and the other stays open.
    let limits = limits(2);
    let mut seats = seats(&limits, 3);
    let shared = seats[0].shared.clone();
    let (_stop, stop) = watch::channel(false);
    let (quiet, busy) = (bind(), bind());
    for seat in seats.drain(..2) {
        worker(&quiet, seat, limits, &stop);
    }
    worker(&busy, seats.pop().unwrap(), limits, &stop);
    let port = busy.local_addr().unwrap().port();
    let mut silent = Vec::new();
    for _ in 0..2 {
        silent.push(
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .unwrap(),
        );
    }
    // Nothing shows from outside when they are accepted: wait for their
    // slots (a bound, not a measurement).
    for _ in 0..1000 {
        if shared.slots.available_permits() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        shared.slots.available_permits(),
        0,
        "both silent ones hold a slot"
    );
    assert_eq!(status(port).await.as_deref(), Some("HTTP/1.1 200 OK"));
    assert!(
        closed(&mut silent[0], Duration::from_secs(10)).await,
        "the oldest is closed"
    );
    assert!(
        !closed(&mut silent[1], Duration::from_millis(300)).await,
        "the newer one stays open"
    );
}
