//! `selfmodel audit`: verify the chain against this machine's witness (and receipts), show it,
//! and hand out signed checkpoints.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use selfmodel::{ReceiptVerdict, SignedCheckpoint};
use selfmodel_core::ChainVerdict;
use serde_json::{Value, json};

use crate::args::AuditCmd;
use crate::{json, output};

/// A receipt file is a few hundred bytes; anything much larger is not one.
const MAX_RECEIPT_BYTES: u64 = 64 * 1024;

/// Runs an `audit` subcommand.
pub fn run(path: &Path, cmd: AuditCmd) -> Result<ExitCode> {
    match cmd {
        AuditCmd::Verify {
            json,
            accept_current,
            receipt,
        } => verify(path, json, accept_current, receipt.as_deref()),
        AuditCmd::Log { json } => {
            // Written event by event as the chain is read.
            let mut array = json.then(output::JsonArray::default);
            let mut model = crate::open(path)?;
            output::stream(
                |visit| model.for_each_audit_event(visit),
                |e| match &mut array {
                    Some(a) => a.push(&json::audit_event(&e)),
                    None => {
                        output::audit_event(&e);
                        Ok(())
                    }
                },
            )?;
            if let Some(a) = array {
                a.finish();
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCmd::Checkpoint { seq, out, force } => {
            let mut model = crate::open(path)?;
            let cp = model.checkpoint(seq)?;
            let (n, text) = (cp.seq, serde_json::to_string_pretty(&cp)? + "\n");
            model.close()?;
            match out {
                None => say!("{}", text.trim_end()),
                Some(file) => {
                    crate::report_cmd::write_private(&file, &text, force)?;
                    say!(
                        "wrote the signed checkpoint of audit event {n} to {}",
                        file.display()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn verify(
    path: &Path,
    as_json: bool,
    accept_current: bool,
    receipt: Option<&Path>,
) -> Result<ExitCode> {
    // Read the receipt first: a bad file fails before the vault is unlocked.
    let receipt = receipt.map(read_receipt).transpose()?;
    let mut model = crate::unlock(path)?;
    let verdict = model.verify_audit()?;
    let receipt_verdict = receipt
        .as_ref()
        .map(|r| model.check_receipt(r))
        .transpose()?;
    let intact = matches!(verdict, ChainVerdict::Intact { .. });
    let mut accepted = None;
    if accept_current {
        if !intact {
            bail!("the audit chain is broken, so its current state cannot be accepted");
        }
        accepted = Some(model.accept_current_state()?);
    }
    let warning = model.integrity_warning().cloned();
    model.close()?;

    let receipt_ok = receipt_verdict
        .as_ref()
        .is_none_or(ReceiptVerdict::is_consistent);
    let ok = intact && warning.is_none() && receipt_ok;
    if as_json {
        let mut out = serde_json::to_value(json::verdict(&verdict))?;
        if let Some(obj) = out.as_object_mut() {
            obj.insert("ok".into(), Value::Bool(ok));
            if let Some(w) = &warning {
                obj.insert(
                    "rollback".into(),
                    json!({"code": w.code(), "message": w.to_string()}),
                );
            }
            if let (Some(r), Some(v)) = (&receipt, &receipt_verdict) {
                obj.insert(
                    "receipt".into(),
                    json!({
                        "seq": r.seq,
                        "consistent": v.is_consistent(),
                        "code": receipt_code(v),
                        "message": v.to_string(),
                    }),
                );
            }
            if let Some(w) = &accepted {
                obj.insert(
                    "accepted".into(),
                    json!({"seq": w.seq, "head": w.head.to_hex()}),
                );
            }
        }
        output::print_json(&out)?;
    }
    if !as_json {
        match &verdict {
            ChainVerdict::Intact { events, head } => {
                say!("audit chain intact: {events} events, head {head}");
            }
            ChainVerdict::Broken {
                first_bad_event,
                reason,
            } => {
                eprintln!("error: audit chain broken at event {first_bad_event}: {reason}");
            }
        }
        if let Some(w) = &accepted {
            say!(
                "accepted: this machine's witness now records audit event {} (head {})",
                w.seq,
                w.head
            );
        }
        if let Some(w) = &warning {
            eprintln!(
                "error: {w}; if you restored or replaced it on purpose, accept it with \
                 `selfmodel audit verify --accept-current`"
            );
        }
        match (&receipt, &receipt_verdict) {
            (Some(r), Some(v)) if v.is_consistent() => {
                say!(
                    "receipt for audit event {}: consistent with this vault",
                    r.seq
                );
            }
            (Some(r), Some(v)) => eprintln!("error: receipt for audit event {}: {v}", r.seq),
            _ => {}
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn receipt_code(v: &ReceiptVerdict) -> &'static str {
    match v {
        ReceiptVerdict::Consistent => "consistent",
        ReceiptVerdict::BadSignature => "bad_signature",
        ReceiptVerdict::OtherVault { .. } => "other_vault",
        ReceiptVerdict::Older { .. } => "vault_older",
        ReceiptVerdict::Rewritten { .. } => "history_rewritten",
    }
}

fn read_receipt(path: &Path) -> Result<SignedCheckpoint> {
    let shown = path.display();
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .with_context(|| format!("cannot read the receipt {shown}"))?
        .take(MAX_RECEIPT_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read the receipt {shown}"))?;
    if bytes.len() as u64 > MAX_RECEIPT_BYTES {
        bail!("{shown} is too large to be a receipt");
    }
    serde_json::from_slice(&bytes).with_context(|| format!("{shown} is not a signed checkpoint"))
}
