//! The accept loop: HTTP/1.1 connections served with bounds that a slow or hostile local client
//! cannot get around — a deadline for a request's head, a cap on open connections — and a
//! shutdown that finishes in-flight requests for a short grace period, then drops the rest.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::defences::Via;

/// How long a client may take, by default, to send a request's head (line and headers), and
/// then its body.
pub const SLOW_CLIENT_TIMEOUT: Duration = Duration::from_secs(10);
/// Most connections open at once; further clients wait to be accepted.
pub const MAX_CONNECTIONS: usize = 256;
/// How long a shutdown waits for in-flight requests before dropping their connections.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Serves `app` on `listener` until `stop` turns true, then gives open connections
/// [`SHUTDOWN_GRACE`] to finish and drops whatever is left. Every request is marked with the
/// listener it came through (`via`). A request whose head takes longer than `head_timeout` to
/// arrive is dropped with its connection.
pub async fn serve<L: axum::serve::Listener>(
    mut listener: L,
    via: Via,
    app: Router,
    head_timeout: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let (closing, closing_rx) = watch::channel(false);
    let mut conns = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => continue,
            accepted = accept(&mut listener, &slots) => accepted,
        };
        let (io, permit) = accepted;
        let service =
            TowerToHyperService::new(app.clone().map_request(move |req: Request<Incoming>| {
                let mut req = req.map(Body::new);
                req.extensions_mut().insert(via);
                req
            }));
        let mut closing = closing_rx.clone();
        conns.spawn(async move {
            let _permit = permit;
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(head_timeout)
                .serve_connection(TokioIo::new(io), service)
                .with_upgrades();
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => return,
                _ = closing.wait_for(|c| *c) => conn.as_mut().graceful_shutdown(),
            }
            let _ = conn.await;
        });
    }
    drop(listener);
    let _ = closing.send(true);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while conns.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = conns.len(),
            "dropping connections still open after the shutdown grace period"
        );
        conns.abort_all();
    }
}

/// Waits for a free connection slot, then for a connection. (The semaphore is never closed, so
/// a slot always comes.)
async fn accept<L: axum::serve::Listener>(
    listener: &mut L,
    slots: &Arc<Semaphore>,
) -> (L::Io, Option<OwnedSemaphorePermit>) {
    let permit = slots.clone().acquire_owned().await.ok();
    let (io, _) = listener.accept().await;
    (io, permit)
}
