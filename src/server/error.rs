//! Every failure answered in minFraud's error shape, so each official client
//! raises its usual exception: JSON `{"code","error"}` with minFraud's error
//! content type. Messages name codes and paths, never values.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

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
}

impl ServerError {
    /// An error with status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// 401 for missing or unknown credentials.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "AUTHORIZATION_INVALID",
            "Invalid account ID or license key",
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
        response
    }
}
