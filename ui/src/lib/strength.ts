// A passphrase strength meter: a rough estimate of guessing resistance in bits, with plain-words
// advice. It never stops the person (the core enforces only the minimum length), it informs.

export type Level = 0 | 1 | 2 | 3 | 4;

export interface Strength {
  level: Level;
  /** Estimated bits of entropy (rounded down). */
  bits: number;
  label: string;
  advice: string;
}

const LABELS = ["Too short", "Weak", "Fair", "Good", "Strong"] as const;

// Parts of passwords that guessers try first.
const COMMON = [
  "password", "passwort", "motdepasse", "qwerty", "azerty", "letmein", "iloveyou", "welcome",
  "admin", "selfmodel", "monkey", "dragon", "sunshine", "princess", "football", "abc123",
  "123456", "654321", "111111", "000000", "secret",
];

const SEQUENCES = ["abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiop", "asdfghjkl", "zxcvbnm"];

function poolSize(p: string): number {
  let pool = 0;
  if (/[a-z]/.test(p)) pool += 26;
  if (/[A-Z]/.test(p)) pool += 26;
  if (/[0-9]/.test(p)) pool += 10;
  if (/[ ]/.test(p)) pool += 1;
  if (/[^a-zA-Z0-9 ]/.test(p)) pool += 33;
  return Math.max(pool, 1);
}

/** Longest run of characters that follow each other in a keyboard or alphabet sequence. */
function longestSequence(p: string): number {
  const s = p.toLowerCase();
  let best = 0;
  for (const seq of SEQUENCES) {
    for (const line of [seq, [...seq].reverse().join("")]) {
      let run = 1;
      for (let i = 1; i < s.length; i++) {
        const prev = line.indexOf(s[i - 1]!);
        run = prev >= 0 && line[prev + 1] === s[i] ? run + 1 : 1;
        best = Math.max(best, run);
      }
    }
  }
  return best;
}

/** Estimates the strength of `passphrase`; below `minChars` it is always "Too short". */
export function strength(passphrase: string, minChars: number): Strength {
  const chars = [...passphrase];
  const n = chars.length;
  if (n < minChars) {
    const missing = minChars - n;
    return {
      level: 0,
      bits: 0,
      label: LABELS[0],
      advice: `Use at least ${minChars} characters (${missing} more). A few random words work well.`,
    };
  }
  // Characters: length × log2(pool), discounted for repeated characters.
  const unique = new Set(chars).size;
  const repetition = Math.max(0.25, unique / n);
  let bits = n * Math.log2(poolSize(passphrase)) * repetition;
  // Words: a guesser with a word list pays ~13 bits per random word (diceware), not per letter.
  const words = passphrase.trim().split(/[\s\-_.]+/).filter((w) => w.length > 0);
  if (words.length >= 2 && words.every((w) => /^\p{L}+$/u.test(w))) {
    bits = Math.min(bits, words.length * 12.9);
  }
  const lower = passphrase.toLowerCase();
  let advice = "";
  if (COMMON.some((c) => lower.includes(c))) {
    bits -= 24;
    advice = "It contains a common password; guessers try those first.";
  }
  const seq = longestSequence(passphrase);
  if (seq >= 4) {
    bits -= seq * 3;
    advice ||= "Avoid runs like abcd or 1234.";
  }
  bits = Math.max(0, Math.floor(bits));
  const level: Level = bits < 40 ? 1 : bits < 60 ? 2 : bits < 80 ? 3 : 4;
  if (!advice) {
    advice =
      level >= 4
        ? "Strong. Keep it somewhere safe: it cannot be recovered."
        : level === 3
          ? "Good. Another word or two would make it strong."
          : "Add more words or characters that are hard to guess.";
  }
  return { level, bits, label: LABELS[level], advice };
}
