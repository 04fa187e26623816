//! The client: identity check first, then the grant flow and the calls a grant allows.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ed25519_dalek::{Signature, VerifyingKey};
use rand::RngCore;
use reqwest::header::{AUTHORIZATION, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::checkpoint::{Consistency, Receipt};
use crate::discovery::{Discovery, ServerKey};
use crate::error::{Error, Problem};
use crate::secret::Token;
use crate::wire::*;
use zeroize::Zeroize;

/// Longest long poll the server allows, in seconds.
const MAX_WAIT_SECS: u64 = 25;
/// How often the identity proof is asked for while the server answers 429 (busy).
const PROOF_ATTEMPTS: u32 = 3;
/// The longest wait between two such attempts.
const MAX_PROOF_WAIT: Duration = Duration::from_secs(2);

/// Extra wait added after a 429 while polling (RFC 8628 `slow_down`).
const SLOW_DOWN: Duration = Duration::from_secs(5);
/// After this long without a successful exchange, the server proves itself again before the
/// next secret is sent: a pooled connection may have been dropped and the port taken over.
const REVERIFY_AFTER: Duration = Duration::from_secs(2);

/// Sets up a [`Client`]: where the server is, the key it must prove, optionally a token.
pub struct ClientBuilder {
    url: String,
    key: ServerKey,
    token: Option<Token>,
    unix_socket: Option<PathBuf>,
    timeout: Duration,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("url", &self.url)
            .field("key", &self.key)
            .field("has_token", &self.token.is_some())
            .field("unix_socket", &self.unix_socket)
            .finish()
    }
}

impl ClientBuilder {
    /// Uses a token the vendor stored earlier.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }

    /// Talks over the server's Unix socket (owner-only) instead of TCP.
    pub fn unix_socket(mut self, path: impl Into<PathBuf>) -> Self {
        self.unix_socket = Some(path.into());
        self
    }

    /// Timeout of ordinary calls (default 30 s; long polls get their wait on top).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Makes the client. Nothing is sent until the first call, which first checks the server's
    /// identity.
    pub fn build(self) -> Result<Client, Error> {
        let base = Url::parse(&self.url)
            .map_err(|e| Error::Config(format!("'{}' is not a URL: {e}", self.url)))?;
        let loopback = base.host_str().is_some_and(|h| {
            h == "localhost"
                || h.trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|a| a.is_loopback())
        });
        if base.scheme() != "http" || !loopback {
            return Err(Error::Config(format!(
                "'{}' is not a loopback http URL; the Selfmodel API only listens on this machine",
                self.url
            )));
        }
        let mut http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(self.timeout + Duration::from_secs(MAX_WAIT_SECS));
        #[cfg(unix)]
        if let Some(path) = self.unix_socket {
            http = http.unix_socket(path);
        }
        let http = http.build().map_err(Error::Transport)?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                key: self.key,
                trusted_until: Mutex::new(None),
                timeout: self.timeout,
            }),
            token: self.token.map(Arc::new),
        })
    }
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    key: ServerKey,
    /// Until when the last identity proof (extended by each successful exchange) holds.
    trusted_until: Mutex<Option<Instant>>,
    timeout: Duration,
}

impl Inner {
    fn trust(&self, trusted: bool) {
        if let Ok(mut t) = self.trusted_until.lock() {
            *t = trusted.then(|| Instant::now() + REVERIFY_AFTER);
        }
    }

    fn extend_trust(&self) {
        if let Ok(mut t) = self.trusted_until.lock()
            && t.is_some()
        {
            *t = Some(Instant::now() + REVERIFY_AFTER);
        }
    }
}

/// A vendor's handle on one Selfmodel server. Cheap to clone; safe to share between tasks.
///
/// Before a call that carries a secret (poll secret or token) the client makes the server sign a
/// fresh random challenge and checks it against the pinned key; a server that fails is refused
/// with [`Error::ServerNotTrusted`] and sees no secret. The check is repeated after a connection
/// failure and after 2 s without a successful exchange (the server may have stopped and another
/// process taken its port); a busy client pays for it once.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    token: Option<Arc<Token>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.inner.base.as_str())
            .field("key", &self.inner.key)
            .field("has_token", &self.token.is_some())
            .finish()
    }
}

impl Client {
    /// A client for the server at `url` (e.g. `http://127.0.0.1:7420`) that must prove it holds
    /// `pinned`.
    pub fn builder(url: &str, pinned: ServerKey) -> ClientBuilder {
        ClientBuilder {
            url: url.to_owned(),
            key: pinned,
            token: None,
            unix_socket: None,
            timeout: Duration::from_secs(30),
        }
    }

    /// A client for the server a discovery file names, trusting the key the vendor pinned at
    /// pairing: refused with [`Error::ServerNotTrusted`] if the file names another key. It talks
    /// over the server's Unix socket when the file offers one (only this user can connect to it),
    /// else over TCP.
    pub fn from_discovery(d: &Discovery, pinned: ServerKey) -> Result<ClientBuilder, Error> {
        let named = d.server_key()?;
        if named != pinned {
            return Err(Error::ServerNotTrusted {
                url: d.url.clone(),
                reason: format!("the discovery file names key {named}, not the pinned {pinned}"),
            });
        }
        let builder = Self::builder(&d.url, pinned);
        Ok(match &d.unix_socket {
            Some(path) => builder.unix_socket(path),
            None => builder,
        })
    }

    /// Pairs with the server a discovery file names (trust on first use): checks that it proves
    /// the file's key and returns the client with that key, which the vendor stores and passes
    /// to [`Client::connect`] or [`Client::from_discovery`] from then on.
    /// Like [`Client::from_discovery`], it uses the server's Unix socket when the file offers one.
    pub async fn pair(d: &Discovery) -> Result<(Self, ServerKey), Error> {
        let key = d.server_key()?;
        let client = Self::from_discovery(d, key)?.build()?;
        client.verify_server().await?;
        Ok((client, key))
    }

    /// Connects to `url` and checks that the server proves it holds `pinned`.
    pub async fn connect(url: &str, pinned: ServerKey) -> Result<Self, Error> {
        let client = Self::builder(url, pinned).build()?;
        client.verify_server().await?;
        Ok(client)
    }

    /// The same client holding `token` (from [`Approval::token`] or the vendor's storage).
    pub fn with_token(&self, token: Token) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            token: Some(Arc::new(token)),
        }
    }

    /// The pinned server key.
    pub fn server_key(&self) -> ServerKey {
        self.inner.key
    }

    /// The server's base URL.
    pub fn url(&self) -> &str {
        self.inner.base.as_str()
    }

    /// Makes the server sign a fresh 32-byte nonce and checks the signature against the pinned
    /// key. Sends no secret.
    pub async fn verify_server(&self) -> Result<(), Error> {
        let mut nonce = [0u8; 32];
        rand::rng().fill_bytes(&mut nonce);
        let untrusted = |reason: String| Error::ServerNotTrusted {
            url: self.inner.base.to_string(),
            reason,
        };
        let body = ProofRequest {
            nonce: hex::encode(nonce),
        };
        let mut attempt = 0;
        let proof: ProofReply = loop {
            attempt += 1;
            match self
                .send(
                    Method::POST,
                    "/v1/server-proof",
                    &[],
                    Some(&body),
                    None,
                    None,
                )
                .await
            {
                Ok(p) => break p,
                // Busy is not untrusted: wait as asked, a few times, then say it is busy.
                Err(
                    Error::RateLimited { retry_after, .. }
                    | Error::Unavailable {
                        retry_after: retry_after @ Some(_),
                        ..
                    },
                ) if attempt < PROOF_ATTEMPTS => {
                    tokio::time::sleep(retry_after.unwrap_or(MAX_PROOF_WAIT).min(MAX_PROOF_WAIT))
                        .await;
                }
                Err(
                    e @ (Error::Transport(_)
                    | Error::Locked(_)
                    | Error::RateLimited { .. }
                    | Error::Unavailable { .. }),
                ) => {
                    return Err(e);
                }
                Err(e) => return Err(untrusted(format!("no valid identity proof ({e})"))),
            }
        };
        let key = &self.inner.key;
        if !proof.public_key.eq_ignore_ascii_case(&key.to_hex()) {
            return Err(untrusted(format!(
                "it presents key {}, not the pinned {key}",
                proof.public_key
            )));
        }
        let mut sig = [0u8; 64];
        hex::decode_to_slice(&proof.signature, &mut sig)
            .map_err(|_| untrusted("the signature is not 64 bytes of hex".into()))?;
        let verifying = VerifyingKey::from_bytes(&key.0)
            .map_err(|_| untrusted("the pinned key is not a valid Ed25519 key".into()))?;
        verifying
            .verify_strict(&proof_message(&nonce), &Signature::from_bytes(&sig))
            .map_err(|_| untrusted("the signature over the challenge does not verify".into()))?;
        self.inner.trust(true);
        Ok(())
    }

    async fn ensure_verified(&self) -> Result<(), Error> {
        let trusted = self
            .inner
            .trusted_until
            .lock()
            .ok()
            .and_then(|t| *t)
            .is_some_and(|until| Instant::now() < until);
        if trusted {
            return Ok(());
        }
        self.verify_server().await
    }

    // ---- the grant flow ----------------------------------------------------------------------

    /// Asks the person for a grant. Show [`PendingGrant::user_code`] to the person, then poll.
    pub async fn request_grant(&self, request: &GrantRequest) -> Result<PendingGrant, Error> {
        self.ensure_verified().await?;
        let out: GrantRequestReply = self
            .send(
                Method::POST,
                "/v1/grant-requests",
                &[],
                Some(request),
                None,
                None,
            )
            .await?;
        Ok(out.into())
    }

    /// Polls a grant request once. On approval the token is in the answer — the only time the
    /// server hands it over.
    pub async fn poll_once(&self, pending: &PendingGrant) -> Result<PollStatus, Error> {
        self.ensure_verified().await?;
        let mut body = PollRequest {
            poll_secret: pending.poll_secret.expose().to_owned(),
        };
        let sent = self
            .send(
                Method::POST,
                "/v1/grant-requests/poll",
                &[],
                Some(&body),
                None,
                None,
            )
            .await;
        body.poll_secret.zeroize();
        let out: PollReply = sent?;
        Ok(match out.status {
            PollState::Pending => PollStatus::Pending,
            PollState::Denied => PollStatus::Denied,
            PollState::Expired => PollStatus::Expired,
            PollState::Approved => match (out.token, out.grant) {
                (Some(token), Some(grant)) => PollStatus::Approved(Box::new(Approval {
                    token: Token::new(token),
                    grant,
                    checkpoint: out.checkpoint.filter(|c| c.verify(&self.inner.key).is_ok()),
                })),
                _ => return Err(Error::Protocol("approved without a token or grant".into())),
            },
        })
    }

    /// Polls until the person decides, waiting the server's interval between polls (longer
    /// after a 429). Denial and expiry are [`Error::Denied`] and [`Error::RequestExpired`].
    pub async fn wait_for_approval(&self, pending: &PendingGrant) -> Result<Approval, Error> {
        let mut interval = pending.interval;
        loop {
            match self.poll_once(pending).await {
                Ok(PollStatus::Pending) => {}
                Ok(PollStatus::Approved(a)) => return Ok(*a),
                Ok(PollStatus::Denied) => return Err(Error::Denied),
                Ok(PollStatus::Expired) => return Err(Error::RequestExpired),
                Err(Error::RateLimited { retry_after, .. }) => {
                    interval += SLOW_DOWN;
                    tokio::time::sleep(retry_after.unwrap_or_default()).await;
                }
                Err(e) => return Err(e),
            }
            tokio::time::sleep(interval).await;
        }
    }

    // ---- calls under a grant -----------------------------------------------------------------

    /// The grant this client's token stands for.
    pub async fn grant(&self) -> Result<Grant, Error> {
        self.authed(Method::GET, "/v1/grant", &[], None::<&()>, None)
            .await
    }

    /// Gives up the grant: the token stops working at once.
    pub async fn give_up(&self) -> Result<(), Error> {
        let _: Option<serde_json::Value> = self
            .authed(Method::DELETE, "/v1/grant", &[], None::<&()>, None)
            .await?;
        Ok(())
    }

    /// One page of beliefs for a declared purpose.
    pub async fn beliefs(&self, query: &BeliefQuery) -> Result<BeliefPage, Error> {
        self.authed(
            Method::GET,
            "/v1/beliefs",
            &query_pairs(query),
            None::<&()>,
            None,
        )
        .await
    }

    /// Every belief for a declared purpose, following `next` page by page.
    pub async fn all_beliefs(&self, query: &BeliefQuery) -> Result<Vec<Belief>, Error> {
        let mut pages = self.belief_pages(query.clone());
        let mut all = Vec::new();
        while let Some(page) = pages.next_page().await? {
            all.extend(page.beliefs);
        }
        Ok(all)
    }

    /// Pages of beliefs for a declared purpose; see [`BeliefPages::next_page`].
    pub fn belief_pages(&self, query: BeliefQuery) -> BeliefPages {
        BeliefPages {
            client: self.clone(),
            query,
            done: false,
        }
    }

    /// One belief for a declared purpose (404 if it is not disclosable under the grant).
    pub async fn belief(&self, id: &str, purpose: &str) -> Result<Belief, Error> {
        let path = format!("/v1/beliefs/{}", encode_segment(id));
        self.authed(
            Method::GET,
            &path,
            &[("purpose", purpose.to_owned())],
            None::<&()>,
            None,
        )
        .await
    }

    /// Proposes a belief; it waits in the person's inbox until they accept or reject it.
    pub async fn propose(&self, proposal: &Proposal) -> Result<ProposalReceipt, Error> {
        self.authed(
            Method::POST,
            "/v1/beliefs/proposals",
            &[],
            Some(proposal),
            None,
        )
        .await
    }

    /// Notices after `cursor`, waiting up to `wait` (at most 25 s) for one to arrive.
    pub async fn events(&self, cursor: u64, wait: Duration) -> Result<Events, Error> {
        let wait = wait.as_secs().min(MAX_WAIT_SECS);
        self.authed(
            Method::GET,
            "/v1/events",
            &[("after", cursor.to_string()), ("wait", wait.to_string())],
            None::<&()>,
            Some(Duration::from_secs(wait)),
        )
        .await
    }

    /// A feed of notices starting after `cursor` (0 for all; store the feed's cursor to resume).
    pub fn follow_events(&self, cursor: u64) -> EventFeed {
        EventFeed {
            client: self.clone(),
            cursor,
        }
    }

    /// The vault's signed audit checkpoint: the latest (`None`), or its current statement of
    /// event `seq`. Checked against the pinned key before it is returned
    /// ([`Error::InvalidCheckpoint`] otherwise). Logged on the person's side as
    /// `audit.checkpoint`; needs a live grant but no purpose.
    pub async fn checkpoint(&self, seq: Option<u64>) -> Result<SignedCheckpoint, Error> {
        let query: Vec<(&str, String)> = seq.map(|s| ("seq", s.to_string())).into_iter().collect();
        let cp: SignedCheckpoint = self
            .authed(Method::GET, "/v1/checkpoint", &query, None::<&()>, None)
            .await?;
        cp.verify(&self.inner.key)?;
        if let Some(asked) = seq
            && asked != cp.seq
        {
            return Err(Error::InvalidCheckpoint(format!(
                "asked for event {asked}, got a checkpoint of event {}",
                cp.seq
            )));
        }
        Ok(cp)
    }

    /// Checks a receipt (a checkpoint kept earlier) against what the vault states now: asks for
    /// its current statement of the receipt's event and compares ([`SignedCheckpoint::compare`]).
    /// A vault that no longer has that event answers with its latest checkpoint instead, which
    /// shows the rollback.
    pub async fn check_receipt(&self, receipt: &SignedCheckpoint) -> Result<Consistency, Error> {
        receipt.verify(&self.inner.key)?;
        let current = match self.checkpoint(Some(receipt.seq)).await {
            Ok(cp) => cp,
            Err(Error::NotFound(_)) => self.checkpoint(None).await?,
            Err(e) => return Err(e),
        };
        receipt.compare(&current)
    }

    // ---- plumbing ----------------------------------------------------------------------------

    async fn authed<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&B>,
        wait: Option<Duration>,
    ) -> Result<T, Error> {
        let token = self
            .token
            .clone()
            .ok_or_else(|| Error::Config("this call needs a token; use with_token".into()))?;
        self.ensure_verified().await?;
        self.send(method, path, query, body, Some(&token), wait)
            .await
    }

    async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&B>,
        token: Option<&Token>,
        wait: Option<Duration>,
    ) -> Result<T, Error> {
        let mut url = self.inner.base.clone();
        url.set_path(path);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut req = self
            .inner
            .http
            .request(method, url)
            .timeout(self.inner.timeout + wait.unwrap_or_default());
        if let Some(t) = token {
            let mut v = HeaderValue::from_str(&format!("Bearer {}", t.expose()))
                .map_err(|_| Error::Config("the token is not a valid header value".into()))?;
            v.set_sensitive(true);
            req = req.header(AUTHORIZATION, v);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                // Whoever answers next must prove itself again.
                self.inner.trust(false);
                return Err(Error::Transport(e));
            }
        };
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let bytes = resp.bytes().await.map_err(|e| {
            self.inner.trust(false);
            Error::Transport(e)
        })?;
        if token.is_some() {
            // The connection that carried the secret answered: it still leads to the server.
            self.inner.extend_trust();
        }
        if status.is_success() {
            let bytes: &[u8] = if status == StatusCode::NO_CONTENT && bytes.is_empty() {
                b"null"
            } else {
                &bytes
            };
            return serde_json::from_slice(bytes).map_err(|e| {
                Error::Protocol(format!("unexpected {status} response to {path}: {e}"))
            });
        }
        let problem = match serde_json::from_slice::<selfmodel_wire::Problem>(&bytes) {
            Ok(p) => Problem {
                status: status.as_u16(),
                code: p.error.code,
                message: p.error.message,
            },
            Err(_) => Problem {
                status: status.as_u16(),
                code: "unknown".into(),
                message: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
            },
        };
        Err(Error::from_problem(problem, retry_after))
    }
}

/// The query parameters a read is sent with.
fn query_pairs(q: &BeliefQuery) -> Vec<(&'static str, String)> {
    let mut pairs = vec![("purpose", q.purpose.clone())];
    if let Some(c) = &q.category {
        pairs.push(("category", c.clone()));
    }
    if let Some(m) = q.min_confidence {
        pairs.push(("min_confidence", m.to_string()));
    }
    if let Some(text) = &q.q {
        pairs.push(("q", text.clone()));
    }
    if let Some(f) = q.fresh {
        pairs.push(("fresh", f.to_string()));
    }
    if let Some(a) = &q.after {
        pairs.push(("after", a.clone()));
    }
    if let Some(l) = q.limit {
        pairs.push(("limit", l.to_string()));
    }
    pairs
}

fn encode_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Pages of a purpose-bound read, following the server's `next` cursor.
pub struct BeliefPages {
    client: Client,
    query: BeliefQuery,
    done: bool,
}

impl BeliefPages {
    /// The next page, or `None` after the last one. A page may be short or empty and still be
    /// followed by more.
    pub async fn next_page(&mut self) -> Result<Option<BeliefPage>, Error> {
        if self.done {
            return Ok(None);
        }
        let page = self.client.beliefs(&self.query).await?;
        match &page.next {
            Some(next) => self.query.after = Some(next.clone()),
            None => self.done = true,
        }
        Ok(Some(page))
    }
}

/// A feed of notices (long poll with a cursor).
pub struct EventFeed {
    client: Client,
    cursor: u64,
}

impl EventFeed {
    /// The next notices, waiting up to `wait` (at most 25 s) for one; empty if none came. The
    /// cursor advances past what is returned.
    pub async fn next_batch(&mut self, wait: Duration) -> Result<Vec<Event>, Error> {
        let out = self.client.events(self.cursor, wait).await?;
        self.cursor = self.cursor.max(out.cursor);
        Ok(out.events)
    }

    /// Where the feed is: store it to resume with [`Client::follow_events`].
    pub fn cursor(&self) -> u64 {
        self.cursor
    }
}
