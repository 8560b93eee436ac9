//! minFraud's error shape on hyper's own HTTP/1 answers.
//!
//! A request hyper cannot parse (a broken request line or header, a target
//! or header section over its limits) never reaches the sidecar's handlers:
//! hyper answers it itself, with an empty body, and closes the connection.
//! The official clients then raise a generic error with nothing to say. This
//! wrapper around a connection's stream gives those answers the body every
//! other error of the sidecar has, `{"code","error"}` with minFraud's error
//! content type, so a client reports why.
//!
//! hyper's automatic answers are told from the handlers' by their head: the
//! status line, then `connection: close` and `content-length: 0` before any
//! other header. The handlers never answer an error without a body, so no
//! answer of theirs has that head. A head of another form is passed through
//! unchanged.

use super::error::ERROR_CONTENT_TYPE;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The statuses hyper answers parse errors with, and the code and message
/// each gets.
const ANSWERS: [(&[u8; 3], &str, &str); 3] = [
    (
        b"400",
        "HTTP_INVALID",
        "The request line or a header is not valid HTTP/1.1; nothing was sent to minFraud",
    ),
    (
        b"414",
        "URI_TOO_LONG",
        "The request target is too long; nothing was sent to minFraud",
    ),
    (
        b"431",
        "HEADERS_TOO_LARGE",
        "The request's headers are too large; nothing was sent to minFraud",
    ),
];

/// What follows the status line in hyper's automatic answers.
const AUTOMATIC: &[u8] = b"connection: close\r\ncontent-length: 0\r\n";

/// The answer to write instead of `head`, when `head` is one of hyper's
/// automatic answers to a request it could not parse: the same status and
/// headers, with minFraud's error content type and a `{"code","error"}` body.
pub(crate) fn with_error_body(head: &[u8]) -> Option<Vec<u8>> {
    let rest = head.strip_prefix(b"HTTP/1.1 ")?;
    let status = rest.get(..3)?;
    let (_, code, message) = ANSWERS.iter().find(|(s, _, _)| &s[..] == status)?;
    let line_end = head.windows(2).position(|w| w == b"\r\n")? + 2;
    let after = head[line_end..].strip_prefix(AUTOMATIC)?;
    // The remaining headers (`date`), then the blank line that ends the
    // head; the automatic answer has no body, so the head ends the buffer.
    let others = after.strip_suffix(b"\r\n")?;
    if !(others.is_empty() || others.ends_with(b"\r\n")) {
        return None;
    }
    let body = serde_json::json!({"code": code, "error": message}).to_string();
    let mut out = Vec::with_capacity(head.len() + body.len() + 128);
    out.extend_from_slice(&head[..line_end]);
    out.extend_from_slice(b"connection: close\r\ncontent-type: ");
    out.extend_from_slice(ERROR_CONTENT_TYPE.as_bytes());
    out.extend_from_slice(format!("\r\ncontent-length: {}\r\n", body.len()).as_bytes());
    out.extend_from_slice(others);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body.as_bytes());
    Some(out)
}

/// A connection's stream whose writes of hyper's automatic error answers
/// carry minFraud's error body ([`with_error_body`]); everything else passes
/// through as written.
pub(crate) struct ErrorBodies<T> {
    io: T,
    /// A rewritten answer not yet fully written, and how much of it was.
    pending: Option<(Vec<u8>, usize)>,
}

impl<T> ErrorBodies<T> {
    pub(crate) fn new(io: T) -> Self {
        Self { io, pending: None }
    }
}

impl<T: AsyncWrite + Unpin> ErrorBodies<T> {
    /// Writes what is left of a rewritten answer.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, done)) = &mut self.pending {
            if *done == bytes.len() {
                self.pending = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &bytes[*done..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *done += n;
        }
        Poll::Ready(Ok(()))
    }

    /// Takes `buf` as written when it is an automatic answer, keeping its
    /// rewritten form to write.
    fn take_automatic(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Option<io::Result<usize>> {
        let rewritten = with_error_body(buf)?;
        self.pending = Some((rewritten, 0));
        match self.poll_pending(cx) {
            Poll::Ready(Err(e)) => Some(Err(e)),
            // Whatever is left goes out on the next write, flush or shutdown.
            Poll::Ready(Ok(())) | Poll::Pending => Some(Ok(buf.len())),
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ErrorBodies<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ErrorBodies<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        if let Some(r) = this.take_automatic(cx, buf) {
            return Poll::Ready(r);
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        let mut filled = bufs.iter().filter(|b| !b.is_empty());
        if let (Some(only), None) = (filled.next(), filled.next()) {
            if let Some(r) = this.take_automatic(cx, only) {
                return Poll::Ready(r);
            }
        }
        Pin::new(&mut this.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATE: &str = "date: Mon, 07 Dec 2026 03:57:11 GMT\r\n";

    #[test]
    fn hypers_automatic_answers_get_the_error_shape() {
        for (status, reason, code) in [
            ("400", "Bad Request", "HTTP_INVALID"),
            ("414", "URI Too Long", "URI_TOO_LONG"),
            (
                "431",
                "Request Header Fields Too Large",
                "HEADERS_TOO_LARGE",
            ),
        ] {
            let head = format!(
                "HTTP/1.1 {status} {reason}\r\nconnection: close\r\ncontent-length: 0\r\n{DATE}\r\n"
            );
            let out = String::from_utf8(with_error_body(head.as_bytes()).unwrap()).unwrap();
            let (h, body) = out.split_once("\r\n\r\n").unwrap();
            assert!(h.starts_with(&format!("HTTP/1.1 {status} {reason}\r\n")));
            assert!(h.contains(&format!("content-type: {ERROR_CONTENT_TYPE}\r\n")));
            assert!(h.contains(&format!("content-length: {}\r\n", body.len())));
            assert!(h.contains("connection: close\r\n") && h.ends_with(DATE.trim_end()));
            let v: serde_json::Value = serde_json::from_str(body).unwrap();
            assert_eq!(v["code"], code);
            assert!(v["error"].as_str().is_some_and(|m| !m.is_empty()));
        }
    }

    #[test]
    fn every_other_answer_passes_as_written() {
        for head in [
            // A handler's error, with its body.
            format!("HTTP/1.1 400 Bad Request\r\ncontent-type: {ERROR_CONTENT_TYPE}\r\ncontent-length: 2\r\n{DATE}\r\n{{}}"),
            // A success without a body, and statuses hyper never sends itself.
            format!("HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 0\r\n{DATE}\r\n"),
            format!("HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n{DATE}\r\n"),
            // Another header order, a head split across writes, HTTP/1.0.
            format!("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n{DATE}\r\n"),
            "HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n".to_owned(),
            format!("HTTP/1.0 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n{DATE}\r\n"),
            String::new(),
        ] {
            assert_eq!(with_error_body(head.as_bytes()), None);
        }
    }

    /// A stream that takes at most `step` bytes per write.
    struct Trickle {
        written: Vec<u8>,
        step: usize,
    }

    impl AsyncWrite for Trickle {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            let n = buf.len().min(this.step);
            this.written.extend_from_slice(&buf[..n]);
            Poll::Ready(Ok(n))
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    #[test]
    fn a_rewritten_answer_is_written_whole_through_short_writes() {
        use tokio::io::AsyncWriteExt;
        let head = format!(
            "HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n{DATE}\r\n"
        );
        let expected = with_error_body(head.as_bytes()).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        for step in [1, 7, 64, 4096] {
            let mut s = ErrorBodies::new(Trickle {
                written: Vec::new(),
                step,
            });
            rt.block_on(async {
                s.write_all(head.as_bytes()).await.unwrap();
                s.shutdown().await.unwrap();
            });
            assert_eq!(s.io.written, expected, "step {step}");
        }
    }
}
