// Form checks the person sees before anything is sent to the core. They mirror the core's rules
// (selfmodel-core validate) to give quick, specific messages; the core still decides.

import type { BeliefType, Catalogue, EvidenceKind } from "./bindings/ipc";

export const MAX_STATEMENT_CHARS = 500;
export const MAX_SUMMARY_CHARS = 280;
export const MAX_SOURCE_CHARS = 200;
export const MAX_REASON_CHARS = 500;
export const MAX_RETENTION_DAYS = 36500;
export const MAX_AUTO_LOCK_MINUTES = 1440;
/** The access log keeps requests in detail for at least a month, at most a hundred years. */
export const ACCESS_LOG_DAYS = { min: 30, max: 36500 } as const;
export const ERASE_PHRASE = "erase everything";
/** The phrase the person types to delete the vault file itself (the core checks it too). */
export const DESTROY_PHRASE = "destroy this vault";

/** Field name → message; empty when everything is fine. */
export type Errors = Record<string, string>;

export function ok(errors: Errors): boolean {
  return Object.keys(errors).length === 0;
}

const count = (s: string) => [...s].length;

export function newPassphraseErrors(first: string, second: string, minChars: number): Errors {
  const e: Errors = {};
  if (count(first) < minChars) e.passphrase = `Use at least ${minChars} characters.`;
  if (second !== first) e.repeat = "The two passphrases are not the same.";
  return e;
}

export function changePassphraseErrors(
  current: string,
  next: string,
  repeat: string,
  minChars: number,
): Errors {
  const e: Errors = {};
  if (current === "") e.current = "Enter your current passphrase.";
  Object.assign(e, newPassphraseErrors(next, repeat, minChars));
  if (!e.passphrase && next === current) e.passphrase = "Choose a passphrase you have not used here.";
  return e;
}

export interface BeliefForm {
  statement: string;
  category: string;
  /** Percent, 0–100, as the slider shows it. */
  confidence: number;
  purposes: string[];
  special: boolean;
  evidenceKind: EvidenceKind;
  evidenceSource: string;
  evidenceSummary: string;
}

export function emptyBeliefForm(category = ""): BeliefForm {
  return {
    statement: "",
    category,
    confidence: 70,
    purposes: [],
    special: false,
    evidenceKind: "stated",
    evidenceSource: "",
    evidenceSummary: "",
  };
}

function statementErrors(s: string, e: Errors) {
  if (s.trim() === "") e.statement = "Say what is believed, in one sentence.";
  else if (count(s.trim()) > MAX_STATEMENT_CHARS)
    e.statement = `Keep it under ${MAX_STATEMENT_CHARS} characters (now ${count(s.trim())}).`;
}

function confidenceErrors(c: number, e: Errors) {
  if (!Number.isFinite(c) || c < 0 || c > 100) e.confidence = "Confidence is between 0 and 100%.";
}

function purposeErrors(purposes: string[], type: BeliefType | undefined, catalogue: Catalogue, e: Errors) {
  if (type === undefined) return;
  const bad = purposes.filter((p) => !type.allowed_purposes.includes(p));
  if (bad.length > 0) {
    const names = bad.map((id) => catalogue.purposes.find((p) => p.id === id)?.name ?? id);
    e.purposes = `${type.name} beliefs cannot be used for: ${names.join(", ")}.`;
  }
}

export function beliefErrors(f: BeliefForm, catalogue: Catalogue): Errors {
  const e: Errors = {};
  statementErrors(f.statement, e);
  const type = catalogue.types.find((t) => t.id === f.category);
  if (type === undefined) e.category = "Choose a belief type.";
  confidenceErrors(f.confidence, e);
  purposeErrors(f.purposes, type, catalogue, e);
  const hasEvidence = f.evidenceSummary.trim() !== "";
  if (type?.evidence_required && !hasEvidence)
    e.evidenceSummary = `${type.name} beliefs need evidence: say what it rests on.`;
  if (count(f.evidenceSummary.trim()) > MAX_SUMMARY_CHARS)
    e.evidenceSummary = `Keep the summary under ${MAX_SUMMARY_CHARS} characters.`;
  if (count(f.evidenceSource.trim()) > MAX_SOURCE_CHARS)
    e.evidenceSource = `Keep the source under ${MAX_SOURCE_CHARS} characters.`;
  return e;
}

export interface RectifyForm {
  statement: string;
  /** Percent, 0–100. */
  confidence: number;
  purposes: string[];
  reason: string;
}

export function rectifyErrors(
  f: RectifyForm,
  before: { statement: string; confidence: number; purposes: string[] },
  type: BeliefType | undefined,
  catalogue: Catalogue,
): Errors {
  const e: Errors = {};
  statementErrors(f.statement, e);
  confidenceErrors(f.confidence, e);
  purposeErrors(f.purposes, type, catalogue, e);
  if (f.reason.trim() === "") e.reason = "Say why you are correcting it; it is kept in the history.";
  else if (count(f.reason.trim()) > MAX_REASON_CHARS)
    e.reason = `Keep the reason under ${MAX_REASON_CHARS} characters.`;
  const same =
    f.statement.trim() === before.statement &&
    Math.round(f.confidence) === Math.round(before.confidence * 100) &&
    [...f.purposes].sort().join() === [...before.purposes].sort().join();
  if (same) e.form = "Nothing changed yet: edit the statement, confidence or purposes.";
  return e;
}

export function retentionErrors(days: number): Errors {
  if (!Number.isInteger(days) || days < 1 || days > MAX_RETENTION_DAYS)
    return { days: `Choose a whole number of days from 1 to ${MAX_RETENTION_DAYS}.` };
  return {};
}

/** A type's review interval: from a day to 10,000 days (as the core allows). */
export const REVIEW_DAYS = { min: 1, max: 10000 } as const;

export function reviewDaysErrors(days: number): Errors {
  if (!Number.isInteger(days) || days < REVIEW_DAYS.min || days > REVIEW_DAYS.max)
    return { days: `Choose a whole number of days from ${REVIEW_DAYS.min} to ${REVIEW_DAYS.max.toLocaleString("en")}.` };
  return {};
}

export function accessLogRetentionErrors(days: number): Errors {
  if (!Number.isInteger(days) || days < ACCESS_LOG_DAYS.min || days > ACCESS_LOG_DAYS.max)
    return { days: `Choose a whole number of days from ${ACCESS_LOG_DAYS.min} to ${ACCESS_LOG_DAYS.max}.` };
  return {};
}

export function autoLockErrors(minutes: number): Errors {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_AUTO_LOCK_MINUTES)
    return { minutes: `Choose 1 to ${MAX_AUTO_LOCK_MINUTES} minutes.` };
  return {};
}

export function eraseErrors(typed: string): Errors {
  return typed.trim() === ERASE_PHRASE ? {} : { confirm: `Type “${ERASE_PHRASE}” to confirm.` };
}

export function destroyErrors(typed: string): Errors {
  return typed.trim() === DESTROY_PHRASE ? {} : { confirm: `Type “${DESTROY_PHRASE}” to confirm.` };
}

export interface ExportForm {
  everything: boolean;
  categories: string[];
  purposes: string[];
  encryption: "none" | "passphrase" | "recipients";
  passphrase: string;
  repeat: string;
  recipients: string;
  armor: boolean;
}

export function emptyExportForm(): ExportForm {
  return {
    everything: true,
    categories: [],
    purposes: [],
    encryption: "passphrase",
    passphrase: "",
    repeat: "",
    recipients: "",
    armor: false,
  };
}

/** The age public keys in a text box: one per line or separated by spaces or commas. */
export function recipientList(text: string): string[] {
  return text.split(/[\s,]+/).filter((r) => r !== "");
}

export function exportErrors(f: ExportForm, minChars: number): Errors {
  const e: Errors = {};
  if (!f.everything && f.categories.length === 0 && f.purposes.length === 0)
    e.subset = "Choose at least one type or purpose, or export everything.";
  if (f.encryption === "passphrase") Object.assign(e, newPassphraseErrors(f.passphrase, f.repeat, minChars));
  if (f.encryption === "recipients") {
    const list = recipientList(f.recipients);
    if (list.length === 0) e.recipients = "Paste at least one age public key (age1…).";
    const bad = list.filter((r) => !/^age1[02-9ac-hj-np-z]{58}$/.test(r));
    if (bad.length > 0) e.recipients = `Not an age public key: ${bad[0]}`;
  }
  return e;
}
