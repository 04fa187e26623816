//! The vault actor: one thread owns the unlocked `Selfmodel` (or nothing, when locked) and runs
//! every call in turn. Concurrent vendor reads that queue up are served in one transaction — a
//! group commit: one durable write for the whole batch, each response released only after its
//! own access-log entry is committed.
//!
//! The thread is owned: [`VaultHandle::close`] (or dropping the last handle) closes the vault on
//! that thread and joins it, so no SQLCipher work can still be running when the process exits.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use selfmodel::{Credential, Disclosure, PageCheck, Selfmodel, VendorRead};
use tokio::sync::{mpsc, oneshot};

/// Most reads served in one transaction.
const MAX_BATCH: usize = 64;

/// How often an open vault erases beliefs past their retention and compacts the access log past
/// its own ([`Selfmodel::upkeep`]), besides once the check of every page has passed after unlock
/// ([`Selfmodel::upkeep_when_checked`], run between calls).
pub const RETENTION_PERIOD: std::time::Duration = std::time::Duration::from_secs(3600);

/// How often [`VaultHandle::enforce_retention`] looks whether the check after unlock has passed.
const CHECK_POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// Why a call to the vault did not produce an answer.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The vault is locked.
    #[error("the vault is locked")]
    Locked,
    /// The use case refused or failed.
    #[error(transparent)]
    Model(#[from] selfmodel::Error),
    /// The transaction could not be committed, or the actor is gone: nothing was served.
    #[error("the vault is unavailable: {0}")]
    Unavailable(String),
}

type Job = Box<dyn FnOnce(Option<&mut Selfmodel>) + Send>;

enum Msg {
    Read(
        Credential,
        VendorRead,
        oneshot::Sender<Result<Disclosure, CallError>>,
    ),
    Run(Job),
    Lock(oneshot::Sender<Option<Selfmodel>>),
    Unlock(Box<Selfmodel>),
    /// Close the model (if any) and stop the thread; the reply carries the close's outcome.
    Close(Option<oneshot::Sender<selfmodel::Result<()>>>),
}

/// A cloneable handle to the vault actor. Dropping the last handle closes the vault and joins
/// the thread, as [`VaultHandle::close`] does.
#[derive(Clone)]
pub struct VaultHandle {
    inner: Arc<Inner>,
}

struct Inner {
    tx: mpsc::UnboundedSender<Msg>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Inner {
    /// Waits for the vault thread to finish (unless called on that thread itself).
    fn join(&self) {
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(t) = thread
            && t.thread().id() != std::thread::current().id()
            && t.join().is_err()
        {
            tracing::error!("the vault thread panicked while closing");
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        let _ = self.tx.send(Msg::Close(None));
        self.join();
    }
}

impl VaultHandle {
    /// Starts the actor with an unlocked model, or locked (`None`).
    pub fn spawn(model: Option<Selfmodel>) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let thread = std::thread::Builder::new()
            .name("selfmodel-vault".into())
            .spawn(move || run(model, rx))
            .map_err(|e| tracing::error!("cannot start the vault thread: {e}"))
            .ok();
        Self {
            inner: Arc::new(Inner {
                tx,
                thread: Mutex::new(thread),
            }),
        }
    }

    /// Closes the vault (the model is dropped and the file closed on the vault thread) and
    /// joins the thread before returning. Calls made afterwards answer
    /// [`CallError::Unavailable`]. Closing twice is harmless.
    pub async fn close(&self) -> Result<(), CallError> {
        let (reply, rx) = oneshot::channel();
        let outcome = match self.send(Msg::Close(Some(reply))) {
            Ok(()) => rx.await.unwrap_or(Ok(())).map_err(CallError::Model),
            Err(_) => Ok(()),
        };
        self.inner.join();
        outcome
    }

    /// Runs `f` on the unlocked model.
    pub async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Selfmodel) -> selfmodel::Result<T> + Send + 'static,
    ) -> Result<T, CallError> {
        let (reply, rx) = oneshot::channel();
        let job: Job = Box::new(move |model| {
            let out = match model {
                None => Err(CallError::Locked),
                Some(m) => f(m).map_err(CallError::Model),
            };
            let _ = reply.send(out);
        });
        self.send(Msg::Run(job))?;
        rx.await
            .map_err(|_| CallError::Unavailable("the vault thread stopped".into()))?
    }

    /// Erases beliefs past their retention and compacts the access log past its own
    /// ([`Selfmodel::upkeep`]) every [`RETENTION_PERIOD`] while the vault is unlocked (vendor
    /// reads never disclose expired beliefs in between), until the vault is closed; the first
    /// time one period from now, since the vault thread keeps up after unlocking by itself. Runs
    /// on the current tokio runtime.
    pub fn enforce_retention(&self) {
        let vault = self.clone();
        tokio::spawn(async move {
            // While the check that unlocking started runs, a call a second, so that the vault
            // thread keeps up as soon as it has passed even when no one else calls.
            while let Ok(PageCheck::Running) = vault.call(|m| Ok(m.page_check())).await {
                tokio::time::sleep(CHECK_POLL).await;
            }
            let start = tokio::time::Instant::now() + RETENTION_PERIOD;
            let mut ticks = tokio::time::interval_at(start, RETENTION_PERIOD);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                match vault.call(|m| m.upkeep()).await {
                    Ok(erased) if !erased.is_empty() => {
                        tracing::info!(erased = erased.len(), "retention erased expired beliefs");
                    }
                    Ok(_) | Err(CallError::Locked) => {}
                    Err(CallError::Unavailable(_)) => return,
                    Err(e) => tracing::warn!("retention failed: {e}"),
                }
            }
        });
    }

    /// A purpose-bound vendor read, batched with any others waiting.
    pub async fn read(&self, cred: Credential, read: VendorRead) -> Result<Disclosure, CallError> {
        let (reply, rx) = oneshot::channel();
        self.send(Msg::Read(cred, read, reply))?;
        rx.await
            .map_err(|_| CallError::Unavailable("the vault thread stopped".into()))?
    }

    /// Locks the vault: the model is handed back (drop it to close the file); calls answer
    /// [`CallError::Locked`] until [`VaultHandle::unlock`].
    pub async fn lock(&self) -> Option<Selfmodel> {
        let (reply, rx) = oneshot::channel();
        if self.send(Msg::Lock(reply)).is_err() {
            return None;
        }
        rx.await.ok().flatten()
    }

    /// Unlocks the vault with an opened model.
    pub fn unlock(&self, model: Selfmodel) {
        let _ = self.send(Msg::Unlock(Box::new(model)));
    }

    fn send(&self, msg: Msg) -> Result<(), CallError> {
        self.inner
            .tx
            .send(msg)
            .map_err(|_| CallError::Unavailable("the vault thread stopped".into()))
    }
}

fn run(mut model: Option<Selfmodel>, mut rx: mpsc::UnboundedReceiver<Msg>) {
    let mut closed = None;
    while let Some(first) = rx.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(m) => batch.push(m),
                Err(_) => break,
            }
        }
        let mut reads = Vec::new();
        for msg in batch {
            match msg {
                // Anything queued behind the close is dropped unanswered: its caller sees
                // `Unavailable`.
                _ if closed.is_some() => {}
                Msg::Read(c, r, reply) => reads.push((c, r, reply)),
                Msg::Close(reply) => {
                    serve_reads(&mut model, std::mem::take(&mut reads));
                    closed = Some(reply);
                }
                other => {
                    serve_reads(&mut model, std::mem::take(&mut reads));
                    handle(&mut model, other);
                }
            }
        }
        serve_reads(&mut model, reads);
        if closed.is_some() {
            break;
        }
        // What unlocking withheld is erased, and the access log compacted, as soon as the check
        // of every page lets a write through without waiting.
        match model.as_mut().map(Selfmodel::upkeep_when_checked) {
            Some(Ok(erased)) if !erased.is_empty() => {
                tracing::info!(erased = erased.len(), "retention erased expired beliefs");
            }
            Some(Err(e)) => tracing::warn!("retention after unlock failed: {e}"),
            _ => {}
        }
    }
    // Stop taking calls before the file is closed, so nothing queues up behind the close.
    drop(rx);
    let outcome = model.map_or(Ok(()), Selfmodel::close);
    if let Err(e) = &outcome {
        tracing::error!("closing the vault failed: {e}");
    }
    if let Some(Some(reply)) = closed {
        let _ = reply.send(outcome);
    }
}

fn handle(model: &mut Option<Selfmodel>, msg: Msg) {
    match msg {
        Msg::Run(job) => {
            if catch_unwind(AssertUnwindSafe(|| job(model.as_mut()))).is_err() {
                tracing::error!("a vault call panicked; the vault thread keeps serving");
            }
        }
        Msg::Lock(reply) => {
            let _ = reply.send(model.take());
        }
        Msg::Unlock(m) => {
            if let Some(previous) = model.replace(*m)
                && let Err(e) = previous.close()
            {
                tracing::error!("closing the previous vault failed: {e}");
            }
        }
        Msg::Read(..) | Msg::Close(_) => {}
    }
}

type Pending = (
    Credential,
    VendorRead,
    oneshot::Sender<Result<Disclosure, CallError>>,
);

fn serve_reads(model: &mut Option<Selfmodel>, reads: Vec<Pending>) {
    if reads.is_empty() {
        return;
    }
    let Some(m) = model.as_mut() else {
        for (_, _, reply) in reads {
            let _ = reply.send(Err(CallError::Locked));
        }
        return;
    };
    let refs: Vec<(&Credential, &VendorRead)> = reads.iter().map(|(c, r, _)| (c, r)).collect();
    let outcome = catch_unwind(AssertUnwindSafe(|| m.vendor_reads(&refs)));
    match outcome {
        Ok(Ok(results)) => {
            for ((_, _, reply), result) in reads.into_iter().zip(results) {
                let _ = reply.send(result.map_err(CallError::Model));
            }
        }
        Ok(Err(e)) => {
            tracing::error!("a batch of vendor reads could not be logged; nothing was served: {e}");
            let why = e.to_string();
            for (_, _, reply) in reads {
                let _ = reply.send(Err(CallError::Unavailable(why.clone())));
            }
        }
        Err(_) => {
            tracing::error!("a batch of vendor reads panicked; nothing was served");
            for (_, _, reply) in reads {
                let _ = reply.send(Err(CallError::Unavailable("internal error".into())));
            }
        }
    }
}
