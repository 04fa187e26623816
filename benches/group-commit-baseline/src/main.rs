//! Read-throughput baselines.
//!   mem   (B):  GET / -> ~20 KB JSON body from memory
//!   fsync (C1): GET / -> one SQLite INSERT (WAL, synchronous=FULL) in spawn_blocking
//!               behind a Mutex<Connection>, then the body
//!   group (C2): GET / -> log row sent to one writer thread, which commits batches
//!               in one transaction (synchronous=FULL) and acks each request (oneshot)
//!               after its batch is durable; then the body
//! usage: group-commit-baseline <mem|fsync|group> <port> <body.json> [db-path]
use axum::{extract::State, http::header, response::IntoResponse, routing::get, Router};
use bytes::Bytes;
use rusqlite::{params, Connection};
use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc, Mutex,
};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, oneshot};

struct LogRow {
    ts_ns: i64,
    seq: i64,
    vendor: &'static str,
    purpose: &'static str,
    resource: &'static str,
    nbytes: i64,
}

enum Mode {
    Mem,
    Fsync(Mutex<Connection>),
    Group(mpsc::Sender<(LogRow, oneshot::Sender<()>)>),
}

struct AppState {
    body: Bytes,
    mode: Mode,
    seq: AtomicU64,
}

const INSERT_SQL: &str = "INSERT INTO access_log(ts_ns, seq, vendor, purpose, resource, nbytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

fn make_row(st: &AppState) -> LogRow {
    // ~100 bytes of payload per row
    LogRow {
        ts_ns: SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as i64,
        seq: st.seq.fetch_add(1, Ordering::Relaxed) as i64,
        vendor: "vendor:acme-analytics-eu-west-1",
        purpose: "purpose:personalised-recommendations",
        resource: "/beliefs/person-0001/all.json",
        nbytes: st.body.len() as i64,
    }
}

fn insert(conn: &Connection, r: &LogRow) -> rusqlite::Result<usize> {
    conn.prepare_cached(INSERT_SQL)?
        .execute(params![r.ts_ns, r.seq, r.vendor, r.purpose, r.resource, r.nbytes])
}

fn open_db(path: &str) -> Connection {
    let conn = Connection::open(path).expect("open db");
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .expect("wal");
    assert_eq!(mode.to_lowercase(), "wal");
    conn.execute_batch(
        "PRAGMA synchronous=FULL;
         CREATE TABLE IF NOT EXISTS access_log(
            id INTEGER PRIMARY KEY, ts_ns INTEGER NOT NULL, seq INTEGER NOT NULL,
            vendor TEXT NOT NULL, purpose TEXT NOT NULL, resource TEXT NOT NULL,
            nbytes INTEGER NOT NULL);",
    )
    .expect("schema");
    let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
    assert_eq!(sync, 2, "synchronous must be FULL(2)");
    let v: String = conn.query_row("SELECT sqlite_version()", [], |r| r.get(0)).unwrap();
    eprintln!("sqlite {v}, journal_mode=wal, synchronous=FULL, db={path}");
    conn
}

async fn handler(State(st): State<Arc<AppState>>) -> impl IntoResponse {
    match &st.mode {
        Mode::Mem => {}
        Mode::Fsync(_) => {
            let st2 = st.clone();
            tokio::task::spawn_blocking(move || {
                let row = make_row(&st2);
                if let Mode::Fsync(m) = &st2.mode {
                    let conn = m.lock().unwrap();
                    insert(&conn, &row).expect("insert");
                }
            })
            .await
            .expect("join");
        }
        Mode::Group(tx) => {
            let (ack_tx, ack_rx) = oneshot::channel();
            tx.send((make_row(&st), ack_tx)).await.expect("writer gone");
            ack_rx.await.expect("writer dropped ack");
        }
    }
    ([(header::CONTENT_TYPE, "application/json")], st.body.clone())
}

fn group_writer(mut conn: Connection, mut rx: mpsc::Receiver<(LogRow, oneshot::Sender<()>)>) {
    const MAX_BATCH: usize = 4096;
    let (mut batches, mut rows) = (0u64, 0u64);
    let mut last = std::time::Instant::now();
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(x) => batch.push(x),
                Err(_) => break,
            }
        }
        let tx = conn.transaction().expect("begin");
        for (r, _) in &batch {
            insert(&tx, r).expect("insert");
        }
        tx.commit().expect("commit"); // WAL + synchronous=FULL: fsync of the WAL here
        batches += 1;
        rows += batch.len() as u64;
        for (_, ack) in batch.drain(..) {
            let _ = ack.send(());
        }
        if last.elapsed().as_secs() >= 5 {
            eprintln!("group writer: {rows} rows in {batches} commits (avg batch {:.1})",
                rows as f64 / batches.max(1) as f64);
            (batches, rows, last) = (0, 0, std::time::Instant::now());
        }
    }
    eprintln!("group writer: {rows} rows in {batches} commits (avg batch {:.1})",
        rows as f64 / batches.max(1) as f64);
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map(String::as_str).unwrap_or("mem");
    let port: u16 = args.get(2).and_then(|p| p.parse().ok()).unwrap_or(3001);
    let body = Bytes::from(std::fs::read(args.get(3).expect("body path")).expect("read body"));
    let db = args.get(4).cloned().unwrap_or_else(|| "data/access.db".into());
    let mode = match mode {
        "mem" => Mode::Mem,
        "fsync" => Mode::Fsync(Mutex::new(open_db(&db))),
        "group" => {
            let (tx, rx) = mpsc::channel(65536);
            let conn = open_db(&db);
            std::thread::spawn(move || group_writer(conn, rx));
            Mode::Group(tx)
        }
        m => panic!("unknown mode {m}"),
    };
    let st = Arc::new(AppState { body, mode, seq: AtomicU64::new(0) });
    let app = Router::new().route("/", get(handler)).with_state(st);
    let addr = format!("127.0.0.1:{port}");
    let listener = tokio::net::TcpListener::bind(&addr).await.unwrap();
    eprintln!("listening on http://{}", listener.local_addr().unwrap());
    axum::serve(listener, app).await.unwrap();
}
