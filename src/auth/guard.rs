//! The guard in front of each route, WebSocket upgrades included (so a refused socket is
//! refused before the upgrade, with a JSON body). Receives the request and its route's
//! [`RouteRule`]; sends 415 `unsupported_media_type` for a POST whose body is declared as
//! something else than JSON, 403 `forbidden` for a socket or event stream opened from a
//! browser origin not allowed, 401 `unauthorized` for a token that is missing where one is
//! needed, or bad (with the reason), 403 for a role that is not enough; else passes the
//! request on with its [`Caller`] for the handler.

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE, ORIGIN, SEC_WEBSOCKET_PROTOCOL};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, ResponseError, web};
use serde::Deserialize;

use crate::api_error::ApiError;
use crate::auth::identity::{Caller, Identity};
use crate::auth::origin::OriginPolicy;
use crate::auth::policy::{self, RouteRule};
use crate::auth::token::{TokenError, TokenKeys};
use crate::config::auth::{AuthConfig, AuthMode};
use crate::input;

/// The subprotocol a browser offers before its token: `new WebSocket(url, ["bearer", jwt])`.
pub const BEARER_PROTOCOL: &str = "bearer";

/// What the guard knows; shared by every worker.
pub struct Authority {
    /// The hub's mode.
    pub mode: AuthMode,
    /// The keys tokens are checked with; `None` without `JWT_SECRET`.
    keys: Option<TokenKeys>,
    /// The origins allowed on sockets and streams.
    origins: OriginPolicy,
}

impl Authority {
    /// The authority the settings describe.
    pub fn new(config: &AuthConfig) -> Authority {
        Authority {
            mode: config.mode,
            keys: TokenKeys::from_config(config),
            origins: OriginPolicy::new(&config.allowed_origins),
        }
    }

    /// The caller of `req` on a route of `rule`, or why it is refused.
    fn caller(&self, req: &HttpRequest, rule: &RouteRule) -> Result<Caller, ApiError> {
        if req.method() == Method::POST {
            json_or_nothing(req)?;
        }
        if rule.checks_origin {
            self.allowed_origin(req)?;
        }
        let identity = match presented_token(req) {
            None => None,
            Some(token) => Some(self.verify(&token)?),
        };
        policy::admit(rule.access, self.mode, identity.as_ref())?;
        Ok(Caller {
            mode: self.mode,
            identity,
        })
    }

    /// The identity `token` vouches for, or a 401 saying why not.
    fn verify(&self, token: &str) -> Result<Identity, ApiError> {
        let keys = self.keys.as_ref().ok_or(TokenError::NoSecret);
        keys.and_then(|keys| keys.verify(token))
            .map_err(|error| ApiError::Unauthorized(error.to_string()))
    }

    /// A 403 when a browser page of another origin opens a socket or a stream.
    fn allowed_origin(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let Some(origin) = req.headers().get(ORIGIN) else {
            return Ok(());
        };
        let origin = origin.to_str().unwrap_or("");
        let info = req.connection_info();
        if self.origins.allows(origin, info.host()) {
            return Ok(());
        }
        Err(ApiError::Forbidden(format!(
            "the origin {} is not allowed; add it to ALLOWED_ORIGINS",
            input::shown(origin)
        )))
    }
}

/// The middleware of one route: refuses, or passes the request on with its [`Caller`].
pub async fn admit(
    rule: RouteRule,
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let verdict = match req.app_data::<web::Data<Authority>>() {
        Some(authority) => authority.caller(req.request(), &rule),
        None => Ok(Caller {
            mode: AuthMode::Open,
            identity: None,
        }),
    };
    match verdict {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            next.call(req).await
        }
        Err(refusal) => Ok(req.into_response(refusal.error_response())),
    }
}

/// A 415 unless the body is declared as JSON, or not declared (as the seeds' clients send
/// it): a browser's cross-site form or `text/plain` post never reaches a handler.
fn json_or_nothing(req: &HttpRequest) -> Result<(), ApiError> {
    let Some(declared) = req.headers().get(CONTENT_TYPE) else {
        return Ok(());
    };
    let text = declared.to_str().unwrap_or("").to_ascii_lowercase();
    let essence = text.split(';').next().unwrap_or("").trim();
    let json = essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"));
    if json {
        return Ok(());
    }
    Err(ApiError::UnsupportedMediaType(format!(
        "the body must be JSON (Content-Type: application/json), not {}",
        input::shown(essence)
    )))
}

/// The query's `token`.
#[derive(Deserialize)]
struct TokenQuery {
    /// `?token=<jwt>`.
    token: Option<String>,
}

/// The token the request carries: `Authorization: Bearer`, `?token=`, or on a WebSocket the
/// protocol offered after `bearer` in `Sec-WebSocket-Protocol`.
pub fn presented_token(req: &HttpRequest) -> Option<String> {
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_owned())
        });
    header
        .or_else(|| {
            web::Query::<TokenQuery>::from_query(req.query_string())
                .ok()
                .and_then(|query| query.into_inner().token)
        })
        .or_else(|| {
            offered_protocols(req)
                .skip_while(|p| p != BEARER_PROTOCOL)
                .nth(1)
        })
        .filter(|token| !token.is_empty())
}

/// Whether the client offered the `bearer` subprotocol (the upgrade must then name it).
pub fn offers_bearer_protocol(req: &HttpRequest) -> bool {
    offered_protocols(req).any(|protocol| protocol == BEARER_PROTOCOL)
}

/// The subprotocols of `Sec-WebSocket-Protocol`, in the order offered.
fn offered_protocols(req: &HttpRequest) -> impl Iterator<Item = String> + '_ {
    req.headers()
        .get_all(SEC_WEBSOCKET_PROTOCOL)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|protocol| protocol.trim().to_owned())
}
