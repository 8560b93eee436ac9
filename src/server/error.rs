//! Every failure answered in minFraud's error shape, so each official client
//! raises its usual exception: JSON `{"code","error"}` with minFraud's error
//! content type. Messages name codes and paths, never values.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// minFraud's error content type.
pub const ERROR_CONTENT_TYPE: &str =
    "application/vnd.maxmind.com-error+json; charset=UTF-8; version=2.0";

/// An error answer of the sidecar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerError {
    /// HTTP status.
    pub status: StatusCode,
    /// Machine code (`AUTHORIZATION_INVALID`, `PAN_DETECTED`, ...).
    pub code: &'static str,
    /// Human-readable text, without request data.
    pub message: String,
    /// Whole seconds to wait before trying again (`Retry-After`), if any.
    pub retry_after: Option<u64>,
}

impl ServerError {
    /// An error with status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 429 for a client over its rate limit; `wait` is how long until its
    /// next request may go. Each official client raises its generic
    /// invalid-request error with this code and message.
    pub fn rate_limited(wait: Duration) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            "This client is over its request rate limit; no request was sent to minFraud. Try again later.",
        );
        e.retry_after = Some(wait.as_secs() + u64::from(wait.subsec_nanos() > 0));
        e
    }

    /// 429 for a source address or account id that failed to authenticate
    /// too often; `wait` is how long until it may try again. No token was
    /// checked.
    pub fn auth_throttled(wait: Duration) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "AUTHORIZATION_THROTTLED",
            "Too many failed authentications from this address or for this account ID; try again later",
        );
        e.retry_after = Some(wait.as_secs() + u64::from(wait.subsec_nanos() > 0));
        e
    }

    /// 401 for missing or unknown credentials.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "AUTHORIZATION_INVALID",
            "Invalid account ID or license key",
        )
    }

    /// 503 when the audit log cannot keep the request's record (its disk is
    /// full, its writes fail or stall): the request is not forwarded.
    pub fn audit_unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "AUDIT_LOG_UNAVAILABLE",
            "The sidecar cannot write its audit log; no request was sent to minFraud. Try again later.",
        )
    }

    /// 403 for an endpoint the client may not call.
    pub fn forbidden(endpoint: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "PERMISSION_REQUIRED",
            format!("This client is not permitted to use the {endpoint} service"),
        )
    }
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"code": self.code, "error": self.message}).to_string();
        let mut response = (self.status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(ERROR_CONTENT_TYPE),
        );
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
