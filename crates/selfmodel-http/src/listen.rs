//! The accept loop: HTTP/1.1 connections served with bounds that a slow or hostile local client
//! cannot get around — a deadline for a request's head, a cap on open connections that idle
//! connections cannot hold shut — and a shutdown that finishes in-flight requests for a short
//! grace period, then drops the rest.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::defences::Via;

/// How long a client may take, by default, to send a request's head (line and headers), and
/// then its body.
pub const SLOW_CLIENT_TIMEOUT: Duration = Duration::from_secs(10);
/// Most connections open at once. When all are taken, a new client closes the connection idle
/// the longest (one waiting for a request's head, or between requests); while every one is
/// answering a request, new clients wait to be accepted.
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
    let open = Arc::new(Open::default());
    let (closing, closing_rx) = watch::channel(false);
    let mut conns = JoinSet::new();
    loop {
        // Accepting is cancel-safe; a connection accepted is not dropped for another branch.
        let (io, _) = tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => continue,
            accepted = listener.accept() => accepted,
        };
        let permit = match slots.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                open.evict_idlest();
                // (The semaphore is never closed, so a slot always comes.)
                tokio::select! {
                    _ = stop.wait_for(|s| *s) => break,
                    Ok(permit) = slots.clone().acquire_owned() => permit,
                }
            }
        };
        let (activity, registered) = open.register();
        let (busy, idle) = (activity.clone(), activity.clone());
        let service = TowerToHyperService::new(
            app.clone()
                .map_request(move |req: Request<Incoming>| {
                    busy.answering();
                    let mut req = req.map(Body::new);
                    req.extensions_mut().insert(via);
                    req
                })
                .map_response(move |resp: Response| {
                    // The connection is idle again once hyper has taken the last of its answer's
                    // body (it drops the body then), not when the handler returns.
                    let done = Answered(idle.clone());
                    resp.map(|body| {
                        Body::new(body.map_frame(move |frame| {
                            let _ = &done;
                            frame
                        }))
                    })
                }),
        );
        let mut closing = closing_rx.clone();
        conns.spawn(async move {
            let _permit = permit;
            let _registered = registered;
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(head_timeout)
                .serve_connection(TokioIo::new(io), service)
                .with_upgrades();
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => return,
                () = activity.evicted.notified() => {
                    // Picked while idle, it may have taken a request since (its service runs on
                    // this task, so that cannot change now): that one is answered first.
                    if !activity.is_answering() {
                        return;
                    }
                    conn.as_mut().graceful_shutdown();
                }
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

/// `idle_since` of a connection answering a request.
const ANSWERING: u64 = u64::MAX;

/// The open connections of one listener, by number, with what each is doing.
struct Open {
    started: Instant,
    next: AtomicU64,
    conns: Mutex<HashMap<u64, Arc<Activity>>>,
}

impl Default for Open {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            next: AtomicU64::new(0),
            conns: Mutex::default(),
        }
    }
}

/// What one connection is doing: since when it has been idle ([`ANSWERING`] while it answers a
/// request), and the signal that closes it.
struct Activity {
    started: Instant,
    idle_since: AtomicU64,
    evicted: Notify,
}

impl Activity {
    fn answering(&self) {
        self.idle_since.store(ANSWERING, Ordering::Relaxed);
    }

    fn is_answering(&self) -> bool {
        self.idle_since.load(Ordering::Relaxed) == ANSWERING
    }

    fn idle(&self) {
        let now = u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(ANSWERING - 1);
        self.idle_since.store(now, Ordering::Relaxed);
    }
}

/// Marks its connection idle when dropped: with the body of the answer, once it is written.
struct Answered(Arc<Activity>);

impl Drop for Answered {
    fn drop(&mut self) {
        self.0.idle();
    }
}

/// Removes its connection from [`Open`] when dropped.
struct Registered {
    open: Arc<Open>,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.open.lock().remove(&self.id);
    }
}

impl Open {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Activity>>> {
        self.conns.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A new connection, idle from now until its first request arrives.
    fn register(self: &Arc<Self>) -> (Arc<Activity>, Registered) {
        let activity = Arc::new(Activity {
            started: self.started,
            idle_since: AtomicU64::new(0),
            evicted: Notify::new(),
        });
        activity.idle();
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(id, activity.clone());
        let registered = Registered {
            open: self.clone(),
            id,
        };
        (activity, registered)
    }

    /// Closes the connection idle the longest, if any is idle.
    fn evict_idlest(&self) {
        let mut conns = self.lock();
        let idlest = conns
            .iter()
            .map(|(id, a)| (a.idle_since.load(Ordering::Relaxed), *id))
            .filter(|(since, _)| *since != ANSWERING)
            .min();
        if let Some((_, id)) = idlest
            && let Some(activity) = conns.remove(&id)
        {
            activity.evicted.notify_one();
            tracing::debug!("every connection slot taken: closed the connection idle longest");
        }
    }
}
