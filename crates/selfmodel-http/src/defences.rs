//! The defences every request passes before a handler runs: an exact Host allow-list (DNS
//! rebinding), no secrets in URLs, CORS only for origins a grant lists, per-grant rate limits,
//! and headers that keep responses out of caches and referrers.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::actor::VaultHandle;
use crate::problem::ApiError;
use selfmodel_core::ErrorCode;

/// Whether a `Host` header names this server exactly: `127.0.0.1:PORT`, `[::1]:PORT` or
/// `localhost:PORT`. Anything else — empty, another name, a look-alike — is refused.
pub fn host_allowed(host: Option<&str>, port: u16) -> bool {
    let Some(host) = host else { return false };
    [
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        format!("localhost:{port}"),
    ]
    .iter()
    .any(|h| h == host)
}

/// The listener a request came through, set on every request by the accept loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// TCP on loopback, on this port: the Host must name this server.
    Tcp {
        /// The port listened on.
        port: u16,
    },
    /// The peer-checked Unix socket (only this user can connect).
    Socket,
}

/// Refuses a TCP request whose Host is not this server (DNS rebinding), and a request that no
/// listener marked: only the accept loop serves the API.
fn wrong_host(req: &Request) -> Option<Response> {
    let allowed = match req.extensions().get::<Via>() {
        Some(Via::Socket) => true,
        Some(Via::Tcp { port }) => {
            let host = req
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok());
            host_allowed(host, *port)
        }
        None => false,
    };
    (!allowed).then(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::HostNotAllowed,
            "requests must be addressed to 127.0.0.1, [::1] or localhost on this port",
        )
        .into_response()
    })
}

/// Query parameters that would put a secret in a URL.
const SECRET_PARAMS: &[&str] = &[
    "token",
    "access_token",
    "bearer",
    "poll_secret",
    "authorization",
];

/// What the checks before a handler need: the vault (which origins a grant lists) and the
/// callers' rate buckets.
#[derive(Clone)]
pub struct Gate {
    /// The vault, for CORS.
    pub vault: VaultHandle,
    /// The rate limits.
    pub limiter: RateLimiter,
}

/// The checks every request passes before its handler, in one layer and in this order: the
/// Host, no secrets in the URL, CORS (a preflight is answered here), then the caller's rate.
/// Every answer, refusals included, gets the headers that keep it out of caches and referrers.
/// (Preflights are not rate-limited: their bucket would be the origin's, which any local process
/// can name, and emptying it would lock that origin's vendor out of its browser.)
pub async fn gate(State(gate): State<Gate>, req: Request, next: Next) -> Response {
    let oversized = declared_length(req.headers()).is_some_and(|n| n > crate::MAX_BODY as u64);
    if let Some(refused) = wrong_host(&req).or_else(|| secret_in_url(&req)) {
        return hygiene(refused, oversized);
    }
    let Gate { vault, limiter } = gate;
    let resp = cors(&vault, req, |req| async move {
        match over_rate(&limiter, &req) {
            Some(refused) => refused,
            None => next.run(req).await,
        }
    })
    .await;
    hygiene(resp, oversized)
}

/// Refuses secrets in the URL (they leak through logs, history and Referer).
fn secret_in_url(req: &Request) -> Option<Response> {
    let leaked = req.uri().query().is_some_and(|q| {
        q.split('&')
            .filter_map(|kv| kv.split('=').next())
            .any(|k| SECRET_PARAMS.contains(&k.to_ascii_lowercase().as_str()))
    });
    leaked.then(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::TokenInUrl,
            "secrets are never accepted in the URL; send Authorization: Bearer",
        )
        .into_response()
    })
}

/// Answers CORS preflights for origins a live grant lists (and for the grant flow itself, which
/// checks the origin against what the request asks for), and adds CORS headers to successful
/// responses for such origins, and to refusals for origins some grant lists or listed (so that a
/// page learns its grant was revoked, not merely that the call failed) — never `*`, always with
/// `Vary: Origin`.
async fn cors<F, Fut>(vault: &VaultHandle, req: Request, inner: F) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Response>,
{
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(str::to_owned);
    let grant_flow = matches!(
        req.uri().path(),
        "/v1/grant-requests" | "/v1/grant-requests/poll"
    );
    if req.method() == Method::OPTIONS {
        let Some(origin) = origin else {
            return StatusCode::NO_CONTENT.into_response();
        };
        // The grant flow is open to web pages only when the person turned web vendors on; other
        // calls only to origins a live grant lists.
        let o = origin.clone();
        let known = vault
            .call(move |m| {
                if grant_flow {
                    m.web_vendors()
                } else {
                    m.origin_known(&o)
                }
            })
            .await
            .unwrap_or(false);
        let mut resp = StatusCode::NO_CONTENT.into_response();
        vary(resp.headers_mut());
        if known {
            let h = resp.headers_mut();
            allow_origin(h, &origin);
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST, DELETE"),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("authorization, content-type"),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
        } else {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::OriginNotAllowed,
                "no grant allows this origin",
            )
            .into_response();
        }
        return resp;
    }
    // The OpenAPI document and the identity proof check no origin, and no web page needs them
    // (a browser vendor's key pin comes from its approval): they are not readable cross-origin.
    let unchecked = matches!(req.uri().path(), "/v1/openapi.json" | "/v1/server-proof");
    let mut resp = inner(req).await;
    vary(resp.headers_mut());
    if let Some(origin) = origin.filter(|_| !unchecked) {
        // The use case checked this origin against the caller's grant (or request); a success
        // means it is allowed. A refusal is readable by the origins of grants, and in the grant
        // flow by any page while the person lets web pages ask.
        let readable = resp.status().is_success() || {
            let o = origin.clone();
            vault
                .call(move |m| {
                    if grant_flow {
                        m.web_vendors()
                    } else {
                        m.origin_ever_granted(&o)
                    }
                })
                .await
                .unwrap_or(false)
        };
        if readable {
            allow_origin(resp.headers_mut(), &origin);
        }
    }
    resp
}

fn vary(h: &mut HeaderMap) {
    h.append(header::VARY, HeaderValue::from_static("Origin"));
}

fn allow_origin(h: &mut HeaderMap, origin: &str) {
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        // A page limited (429) can read how long to wait.
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Retry-After"),
        );
    }
}

/// The body length a request declares (`Content-Length`), if it declares one.
fn declared_length(h: &HeaderMap) -> Option<u64> {
    h.get(header::CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

/// Headers that keep vendor data out of caches and referrers; and `Connection: close` on an
/// answer to a request whose body was not read because it is too large (`oversized`: it declared
/// more than the limit, and was refused before or by the body limit).
fn hygiene(mut resp: Response, oversized: bool) -> Response {
    let too_large = resp.status() == StatusCode::PAYLOAD_TOO_LARGE;
    if too_large && !is_json(resp.headers()) {
        // The body limit's own answer is plain text; every error of this API is a Problem. The
        // CORS headers already set stay.
        let mut problem = ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::TooLarge,
            format!(
                "the request body is over the limit of {} bytes",
                crate::MAX_BODY
            ),
        )
        .into_response();
        for name in [
            header::VARY,
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
        ] {
            for value in resp.headers().get_all(&name) {
                problem.headers_mut().append(name.clone(), value.clone());
            }
        }
        resp = problem;
    }
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // A body refused for its size was not read: the connection cannot carry another request,
    // and saying so keeps clients from reusing it (and then failing on a broken pipe).
    if too_large || oversized {
        h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    resp
}

/// The most buckets kept before idle ones are dropped.
const MAX_BUCKETS: usize = 10_000;

fn is_json(h: &HeaderMap) -> bool {
    h.get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"))
}

/// Token buckets keyed by [`rate_key`]: per grant for callers with a token (every local client
/// has the same address), per kind of call and origin for callers without one.
#[derive(Clone)]
pub struct RateLimiter {
    buckets: Arc<Mutex<BTreeMap<String, (f64, Instant)>>>,
    per_sec: f64,
    burst: f64,
}

impl RateLimiter {
    /// A limiter allowing `per_sec` requests a second per grant, in bursts of `burst`.
    pub fn new(per_sec: u32, burst: u32) -> Self {
        Self {
            buckets: Arc::default(),
            per_sec: f64::from(per_sec),
            burst: f64::from(burst.max(1)),
        }
    }

    fn take(&self, key: &str) -> bool {
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return true;
        };
        if buckets.len() > MAX_BUCKETS {
            buckets.retain(|_, (tokens, at)| {
                *tokens < self.burst && now.duration_since(*at).as_secs() < 60
            });
            // A caller inventing a key per request (token ids, origins) must not make every
            // request scan an ever larger map, nor reset the buckets of busy callers: past the
            // bound, the buckets used least recently go.
            if buckets.len() > MAX_BUCKETS / 2 {
                let mut ages: Vec<Instant> = buckets.values().map(|(_, at)| *at).collect();
                let cut = ages.len() - MAX_BUCKETS / 2;
                let (_, oldest_kept, _) = ages.select_nth_unstable(cut);
                let oldest_kept = *oldest_kept;
                buckets.retain(|_, (_, at)| *at >= oldest_kept);
            }
        }
        let (tokens, at) = buckets.entry(key.to_owned()).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.per_sec).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The longest part of an `Origin` header a bucket is named by (header values are ASCII).
const MAX_ORIGIN_KEY: usize = 200;

/// The bucket a request is rate-limited in. A caller with a token has its grant's own bucket.
/// Callers without one are kept apart so that no flood starves the others: the identity proof
/// and the OpenAPI document (no vault write) each have their own bucket, the grant flow has one
/// per web origin and one for native callers, and the Unix socket (this user only) has its own
/// buckets beside those of TCP.
fn rate_key(req: &Request<Body>) -> String {
    if let Some(id) = bearer(req.headers()).and_then(|t| t.split('_').nth(1)) {
        return format!("grant:{id}");
    }
    let transport = if req.extensions().get::<Via>() == Some(&Via::Socket) {
        "socket"
    } else {
        "tcp"
    };
    let class = match req.uri().path() {
        "/v1/server-proof" => "proof",
        "/v1/openapi.json" => "openapi",
        p if p.starts_with("/v1/grant-requests") => "grant-flow",
        _ => "other",
    };
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map_or("native", |o| &o[..o.len().min(MAX_ORIGIN_KEY)]);
    format!("{transport}:{class}:{origin}")
}

/// Refuses a request over the caller's rate with 429 and `Retry-After`.
fn over_rate(limiter: &RateLimiter, req: &Request<Body>) -> Option<Response> {
    if limiter.take(&rate_key(req)) {
        return None;
    }
    let mut resp = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
        "too many requests under this grant; slow down",
    )
    .into_response();
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    Some(resp)
}

/// The bearer token of a request, if it has one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_hosts_pass() {
        assert!(host_allowed(Some("127.0.0.1:7420"), 7420));
        assert!(host_allowed(Some("[::1]:7420"), 7420));
        assert!(host_allowed(Some("localhost:7420"), 7420));
        for bad in [
            "",
            "127.0.0.1",
            "localhost",
            "127.0.0.1:7421",
            "evil.example:7420",
            "localhost.:7420",
            "LOCALHOST:7420",
            "foo.localhost:7420",
            "127.0.0.1.nip.io:7420",
            ":7420",
        ] {
            assert!(!host_allowed(Some(bad), 7420), "{bad}");
        }
        assert!(!host_allowed(None, 7420));
    }

    #[test]
    fn a_flood_of_invented_keys_does_not_reset_a_busy_bucket() {
        // No refill: only a reset could give the busy bucket a token back.
        let l = RateLimiter::new(0, 3);
        assert!(l.take("grant:busy") && l.take("grant:busy") && l.take("grant:busy"));
        assert!(!l.take("grant:busy"));
        for i in 0..3 * MAX_BUCKETS {
            l.take(&format!("grant:invented-{i}"));
            if i % 1000 == 0 {
                assert!(
                    !l.take("grant:busy"),
                    "the busy bucket was reset after {i} keys"
                );
            }
        }
        let kept = l.buckets.lock().map(|b| b.len()).unwrap_or(0);
        assert!(kept <= MAX_BUCKETS + 1, "{kept} buckets");
    }

    #[test]
    fn buckets_refill_and_empty() {
        let l = RateLimiter::new(1, 3);
        assert!(l.take("a") && l.take("a") && l.take("a"));
        assert!(!l.take("a"));
        assert!(l.take("b"), "another grant has its own bucket");
    }
}
