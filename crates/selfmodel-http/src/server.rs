//! Binding the listeners and assembling the router with its defences.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use tokio::net::{TcpListener, UnixListener, UnixStream};
use tokio::sync::watch;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

use crate::actor::VaultHandle;
use crate::defences::{self, Gate, RateLimiter, Via};
use crate::discovery::{self, Discovery};
use crate::listen;
use crate::problem::ApiError;
use crate::routes::{self, AppState};
use selfmodel_core::ErrorCode;

/// The port the API listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 7420;
/// Largest request body, in bytes.
pub const MAX_BODY: usize = 256 * 1024;

/// How to run the server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// TCP port on 127.0.0.1 and ::1; 0 picks a free one.
    pub port: u16,
    /// A directory (made 0700) for the Unix socket `api.sock`; `None` for no socket.
    pub socket_dir: Option<PathBuf>,
    /// Where to write the discovery file; `None` for none.
    pub discovery_file: Option<PathBuf>,
    /// Requests per second allowed per grant.
    pub rate_per_sec: u32,
    /// Burst allowed per grant.
    pub rate_burst: u32,
    /// Adds `GET /v1/bench/replay` (the last beliefs response from memory, unlogged) for the
    /// load benchmark's baseline. Never for real use.
    pub bench_baseline: bool,
    /// How long a client may take to send a request's head, and then its body.
    pub slow_client_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            port: DEFAULT_PORT,
            socket_dir: None,
            discovery_file: None,
            rate_per_sec: 50,
            rate_burst: 100,
            bench_baseline: false,
            slow_client_timeout: listen::SLOW_CLIENT_TIMEOUT,
        }
    }
}

/// A running server; [`RunningServer::shutdown`] stops it and removes its discovery file.
pub struct RunningServer {
    /// The TCP port it listens on.
    pub port: u16,
    /// The Unix socket path, if any.
    pub socket: Option<PathBuf>,
    /// The discovery file, if written.
    pub discovery_file: Option<PathBuf>,
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// The locks of the directories it serves from, released when it is dropped.
    _locks: Vec<discovery::DirLock>,
}

impl RunningServer {
    /// Waits until the server stops (it runs until [`RunningServer::shutdown`]).
    pub async fn wait(&mut self) {
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
    }

    /// Stops accepting, finishes in-flight requests (for at most [`listen::SHUTDOWN_GRACE`];
    /// connections still open then are dropped), removes the discovery file and socket.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        self.wait().await;
        if let Some(f) = &self.discovery_file {
            let _ = std::fs::remove_file(f);
        }
        if let Some(s) = &self.socket {
            let _ = std::fs::remove_file(s);
        }
    }
}

/// The router with its defences. It serves only requests the accept loop marked with their
/// listener ([`crate::Via`]): the Host check depends on it.
pub fn router(vault: VaultHandle, config: &ServerConfig) -> Router {
    let state = AppState {
        vault: vault.clone(),
        replay: config
            .bench_baseline
            .then(|| Arc::new(Mutex::new(Default::default()))),
    };
    let mut api = Router::new()
        .route("/v1/openapi.json", get(routes::openapi))
        .route("/v1/server-proof", post(routes::server_proof))
        .route("/v1/grant-requests", post(routes::request_grant))
        .route("/v1/grant-requests/poll", post(routes::poll))
        .route(
            "/v1/grant",
            get(routes::my_grant).delete(routes::relinquish),
        )
        .route("/v1/beliefs", get(routes::beliefs))
        .route("/v1/beliefs/proposals", post(routes::propose))
        .route("/v1/beliefs/{id}", get(routes::belief))
        .route("/v1/events", get(routes::events))
        .route("/v1/checkpoint", get(routes::checkpoint));
    if config.bench_baseline {
        api = api.route("/v1/bench/replay", get(routes::replay));
    }
    defend(
        api.fallback(routes::not_found).with_state(state),
        vault,
        config,
    )
}

/// Wraps routes in the defences every request passes: panic isolation, security headers, body
/// limits and a body deadline, no secrets in URLs, CORS for granted origins only, and per-grant
/// rate limits. They are one stack, applied to the router once, so that a request passes them
/// without a boxed service and future per defence.
pub fn defend(routes: Router, vault: VaultHandle, config: &ServerConfig) -> Router {
    let limiter = RateLimiter::new(config.rate_per_sec, config.rate_burst);
    routes.layer(
        ServiceBuilder::new()
            .layer(CatchPanicLayer::custom(|_| {
                tracing::error!("a request handler panicked; the server keeps serving");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::Internal,
                    "internal error",
                )
                .into_response()
            }))
            .layer(from_fn_with_state(Gate { vault, limiter }, defences::gate))
            .layer(RequestBodyTimeoutLayer::new(config.slow_client_timeout))
            .layer(RequestBodyLimitLayer::new(MAX_BODY))
            .layer(DefaultBodyLimit::max(MAX_BODY)),
    )
}

/// How many free ports to try when port 0 is asked for and ::1 has the one 127.0.0.1 got.
const PORT_TRIES: usize = 16;

/// Binds `port` on 127.0.0.1 and on ::1 (0: a port free on both). Refuses when either is taken by
/// another process: a squatter on [::1] would receive what clients send to `localhost`. Listens
/// on 127.0.0.1 alone only where this machine has no IPv6 loopback at all.
async fn bind_loopback(port: u16) -> std::io::Result<(TcpListener, Option<TcpListener>)> {
    let taken = |at: &str, p: u16, e: std::io::Error| {
        std::io::Error::new(
            e.kind(),
            format!("cannot listen on {at}:{p}: {e} (is another server running?)"),
        )
    };
    for _ in 0..PORT_TRIES {
        let v4 = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
            .await
            .map_err(|e| taken("127.0.0.1", port, e))?;
        let got = v4.local_addr()?.port();
        match TcpListener::bind(SocketAddr::from((Ipv6Addr::LOCALHOST, got))).await {
            Ok(v6) => return Ok((v4, Some(v6))),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                if port != 0 {
                    return Err(taken("[::1]", got, e));
                }
            }
            Err(e) => {
                tracing::warn!("not listening on [::1]:{got}: {e}");
                return Ok((v4, None));
            }
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AddrInUse,
        "found no port free on both 127.0.0.1 and [::1]",
    ))
}

/// Binds 127.0.0.1 and ::1 (and the Unix socket if configured), writes the discovery file and
/// serves until shut down. Refuses to start if the port is taken (it may be squatted).
pub async fn start(vault: VaultHandle, config: ServerConfig) -> std::io::Result<RunningServer> {
    let public_key = vault
        .call(|m| Ok(m.identity()?.public_key_hex()))
        .await
        .map_err(|e| std::io::Error::other(format!("cannot read the vault identity: {e}")))?;
    let app = router(vault, &config);
    let mut dirs: Vec<&Path> = config.socket_dir.iter().map(PathBuf::as_path).collect();
    dirs.extend(config.discovery_file.as_deref().and_then(Path::parent));
    dirs.dedup();
    let locks = dirs
        .into_iter()
        .map(discovery::lock)
        .collect::<std::io::Result<Vec<_>>>()?;
    let (v4, v6) = bind_loopback(config.port).await?;
    let port = v4.local_addr()?.port();
    let (stop, stopped) = watch::channel(false);
    let mut tasks = Vec::new();
    for listener in std::iter::once(v4).chain(v6) {
        tasks.push(tokio::spawn(listen::serve(
            listener,
            Via::Tcp { port },
            app.clone(),
            config.slow_client_timeout,
            stopped.clone(),
        )));
    }
    let socket = match &config.socket_dir {
        None => None,
        Some(dir) => {
            let path = dir.join("api.sock");
            let _ = std::fs::remove_file(&path);
            let listener = PeerChecked(UnixListener::bind(&path)?);
            tasks.push(tokio::spawn(listen::serve(
                listener,
                Via::Socket,
                app.clone(),
                config.slow_client_timeout,
                stopped.clone(),
            )));
            Some(path)
        }
    };
    if let Some(file) = &config.discovery_file {
        discovery::write(
            file,
            &Discovery {
                version: 1,
                url: format!("http://127.0.0.1:{port}"),
                port,
                unix_socket: socket.clone(),
                public_key,
                pid: std::process::id(),
            },
        )?;
    }
    tracing::info!(port, socket = ?socket, "vendor API listening on loopback");
    Ok(RunningServer {
        port,
        socket,
        discovery_file: config.discovery_file,
        stop,
        tasks,
        _locks: locks,
    })
}

/// A Unix socket listener that only accepts peers running as this user.
struct PeerChecked(UnixListener);

impl axum::serve::Listener for PeerChecked {
    type Io = UnixStream;
    type Addr = tokio::net::unix::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let me = rustix::process::getuid().as_raw();
        loop {
            match self.0.accept().await {
                Ok((stream, addr)) => match stream.peer_cred() {
                    Ok(cred) if cred.uid() == me => return (stream, addr),
                    Ok(cred) => tracing::warn!(
                        uid = cred.uid(),
                        "refused a socket connection from another user"
                    ),
                    Err(e) => {
                        tracing::warn!("refused a socket connection without credentials: {e}")
                    }
                },
                Err(e) => {
                    tracing::warn!("socket accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// Whether `path` is a usable socket directory (exists with mode 0700).
pub fn is_private(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o777 == 0o700)
}
