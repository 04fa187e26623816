//! The vendor side: find the running Selfmodel server, pin its key, ask the person for a grant,
//! claim the token on approval, and forget it when it stops working. Nothing here opens the
//! vault: every step is a request to the vendor API through `selfmodel-client`.

use std::time::Duration;

use selfmodel_client::{
    Client, Discovery, Grant, GrantRequest, PendingGrant, PollSecret, PollStatus, ServerKey, Token,
};
use tokio::sync::Mutex;

use crate::Error;
use crate::config::{ClientIdentity, Config};
use crate::state::{StateFile, Stored, StoredPending};

/// Whether a call can go ahead.
pub(crate) enum Access {
    /// A client holding the grant's token.
    Ready(Client),
    /// No grant yet: what to tell the assistant (a non-error answer).
    Waiting(String),
    /// The person said no: what to tell the assistant.
    Denied(String),
}

/// One MCP server's standing with the Selfmodel server. Safe to share between calls; the first
/// calls are serialised so that one grant request is filed, not one per call.
pub(crate) struct Session {
    config: Config,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    file: Option<StateFile>,
    stored: Option<Stored>,
    /// Connected and pinned, without a token.
    client: Option<Client>,
    /// The same with the grant's token.
    authed: Option<Client>,
    /// The grant as last seen.
    grant: Option<Grant>,
    /// Set when the person denied the request; kept for this process only, so restarting the
    /// assistant's connection asks again.
    denied: Option<String>,
}

impl Session {
    pub fn new(config: Config) -> Self {
        Self {
            config,
            inner: Mutex::new(Inner::default()),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Gets a client that holds a token, filing a grant request or polling the pending one when
    /// there is none yet.
    pub async fn access(&self, who: &ClientIdentity) -> Result<Access, Error> {
        let mut guard = self.inner.lock().await;
        let inner = &mut *guard;
        if let Some(c) = &inner.authed {
            return Ok(Access::Ready(c.clone()));
        }
        let file = match &inner.file {
            Some(f) => f.clone(),
            None => {
                let file = match &self.config.state_file {
                    Some(p) => StateFile::at(p.clone()),
                    None => StateFile::default_for(&who.slug())?,
                };
                let stored = file
                    .load()?
                    .unwrap_or_else(|| Stored::new(&who.vendor_id()));
                tracing::info!(state = %file.path().display(), stored = ?stored, "MCP state");
                inner.stored = Some(stored);
                inner.file = Some(file.clone());
                file
            }
        };
        let Some(stored) = inner.stored.as_mut() else {
            return Err(Error::state(file.path(), "not loaded"));
        };
        let client = match &inner.client {
            Some(c) => c.clone(),
            None => {
                let c = self.connect(stored, &file).await?;
                inner.client = Some(c.clone());
                c
            }
        };
        if let Some(token) = &stored.token {
            let authed = client.with_token(Token::new(token.clone()));
            inner.authed = Some(authed.clone());
            return Ok(Access::Ready(authed));
        }
        if let Some(message) = &inner.denied {
            return Ok(Access::Denied(message.clone()));
        }

        if let Some(p) = stored.pending.clone() {
            let pending = PendingGrant {
                request_id: p.request_id.clone(),
                user_code: p.user_code.clone(),
                poll_secret: PollSecret::new(p.poll_secret.clone()),
                expires_at: p.expires_at,
                interval: Duration::from_secs(p.interval_secs.max(1)),
            };
            match client.poll_once(&pending).await {
                Ok(PollStatus::Pending) | Err(selfmodel_client::Error::RateLimited { .. }) => {
                    return Ok(Access::Waiting(self.waiting_text(&p)));
                }
                Ok(PollStatus::Approved(approval)) => {
                    stored.forget_pending();
                    stored.token = Some(approval.token.expose().to_owned());
                    stored.grant_id = Some(approval.grant.id.clone());
                    file.save(stored)?;
                    tracing::info!(grant = %approval.grant.id, "the person approved the grant");
                    let authed = client.with_token(approval.token);
                    inner.grant = Some(approval.grant);
                    inner.authed = Some(authed.clone());
                    return Ok(Access::Ready(authed));
                }
                Ok(PollStatus::Denied) => {
                    stored.forget_pending();
                    file.save(stored)?;
                    let message = format!(
                        "The person denied this assistant's request for access to their \
                         Selfmodel (user code {}). Nothing is shared. Do not ask again in this \
                         conversation unless the person wants to; restarting the assistant's \
                         connection to Selfmodel files a new request.",
                        p.user_code
                    );
                    inner.denied = Some(message.clone());
                    return Ok(Access::Denied(message));
                }
                Ok(PollStatus::Expired) => {
                    tracing::info!(request = %p.request_id, "the grant request lapsed; asking again");
                    stored.forget_pending();
                    file.save(stored)?;
                }
                Err(
                    e @ (selfmodel_client::Error::Unauthorized(_)
                    | selfmodel_client::Error::Gone(_)),
                ) => {
                    // Unknown to the server (another vault), or claimed without being stored.
                    tracing::warn!(error = %e, "the pending grant request is unusable; asking again");
                    stored.forget_pending();
                    file.save(stored)?;
                }
                Err(e) => return Err(e.into()),
            }
        }

        let ask = GrantRequest::new(
            &stored.vendor_id,
            &who.vendor_name(),
            &self.justification(who),
        )
        .purposes(self.config.purposes.iter().cloned())
        .categories(self.config.categories.iter().cloned())
        .operations(self.config.operations.iter().copied())
        .duration_days(self.config.duration_days)
        .vendor_retention_days(0);
        let pending = client.request_grant(&ask).await?;
        let p = StoredPending {
            request_id: pending.request_id.clone(),
            user_code: pending.user_code.clone(),
            poll_secret: pending.poll_secret.expose().to_owned(),
            expires_at: pending.expires_at,
            interval_secs: pending.interval.as_secs(),
        };
        tracing::info!(request = %p.request_id, code = %p.user_code, "filed a grant request");
        let text = self.waiting_text(&p);
        stored.pending = Some(p);
        file.save(stored)?;
        Ok(Access::Waiting(text))
    }

    /// The grant behind the token, as last fetched (fetching it when unknown).
    pub async fn grant(&self, client: &Client) -> Result<Grant, Error> {
        if let Some(g) = &self.inner.lock().await.grant {
            return Ok(g.clone());
        }
        let g = client.grant().await?;
        self.inner.lock().await.grant = Some(g.clone());
        Ok(g)
    }

    /// Remembers the grant as just fetched.
    pub async fn remember_grant(&self, grant: &Grant) {
        self.inner.lock().await.grant = Some(grant.clone());
    }

    /// The token stopped working (revoked, expired, unknown): forget it, here and on disk, so
    /// the next call asks the person again.
    pub async fn forget_grant(&self) -> Result<(), Error> {
        let mut guard = self.inner.lock().await;
        let inner = &mut *guard;
        inner.authed = None;
        inner.grant = None;
        if let (Some(file), Some(stored)) = (&inner.file, inner.stored.as_mut()) {
            stored.forget_grant();
            file.save(stored)?;
        }
        Ok(())
    }

    /// The connection failed: find the server again on the next call (it may have restarted on
    /// another port). The pinned key and the token stay.
    pub async fn disconnected(&self) {
        let mut g = self.inner.lock().await;
        g.client = None;
        g.authed = None;
    }

    /// Connects to the server the discovery file names, pinning its key on first contact and
    /// holding it to the pinned key afterwards.
    async fn connect(&self, stored: &mut Stored, file: &StateFile) -> Result<Client, Error> {
        let discovery = match &self.config.discovery_file {
            Some(p) => Discovery::load(p)?,
            None => Discovery::load_default()?,
        };
        match &stored.server_key {
            Some(hex) => {
                let key: ServerKey = hex.parse()?;
                let client = Client::from_discovery(&discovery, key)
                    .map_err(|e| pinned_mismatch(e, file))?
                    .build()?;
                client
                    .verify_server()
                    .await
                    .map_err(|e| pinned_mismatch(e, file))?;
                Ok(client)
            }
            None => {
                let (client, key) = Client::pair(&discovery).await?;
                tracing::info!(key = %key, url = %discovery.url, "paired with the Selfmodel server");
                stored.server_key = Some(key.to_hex());
                file.save(stored)?;
                Ok(client)
            }
        }
    }

    fn justification(&self, who: &ClientIdentity) -> String {
        let text = format!(
            "An AI assistant connected through Selfmodel's MCP server (selfmodel mcp). It calls \
             itself {}: self-asserted by the assistant, not verified. It reads beliefs for the \
             purposes named to adapt its answers to you, and may propose beliefs to your inbox. \
             What it reads becomes part of its conversation.",
            who.quoted()
        );
        text.chars().take(500).collect()
    }

    fn waiting_text(&self, p: &StoredPending) -> String {
        format!(
            "Waiting for approval — this assistant has asked the person's Selfmodel for access, \
             and nothing is shared until they approve. Ask the person to approve user code {code} \
             in Selfmodel (app: Inbox; CLI: selfmodel grant approve {id}). The request names \
             purposes {purposes} and belief types {categories}; the person may narrow it. It \
             lapses at {expires}. Call the tool again once they have approved.",
            code = p.user_code,
            id = p.request_id,
            purposes = self.config.purposes.join(", "),
            categories = self.config.categories.join(", "),
            expires = p.expires_at.format("%Y-%m-%d %H:%M UTC"),
        )
    }
}

/// Explains a server that does not hold the pinned key.
fn pinned_mismatch(e: selfmodel_client::Error, file: &StateFile) -> Error {
    match e {
        selfmodel_client::Error::ServerNotTrusted { url, reason } => {
            selfmodel_client::Error::ServerNotTrusted {
                url,
                reason: format!(
                    "{reason}. If the person replaced their vault on purpose, delete {} so that \
                     this assistant pairs again",
                    file.path().display()
                ),
            }
            .into()
        }
        other => other.into(),
    }
}
