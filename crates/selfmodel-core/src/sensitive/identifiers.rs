//! Identifiers checked by their own rules: IBANs, UK National Insurance numbers, email addresses.

use super::*;

pub(super) fn iban(b: &[u8]) -> Option<SensitiveKind> {
    let upper_or_digit = |c: u8| c.is_ascii_uppercase() || c.is_ascii_digit();
    for i in 0..b.len().saturating_sub(3) {
        if !(starts_word(b, i)
            && b[i].is_ascii_uppercase()
            && b[i + 1].is_ascii_uppercase()
            && b[i + 2].is_ascii_digit()
            && b[i + 3].is_ascii_digit())
        {
            continue;
        }
        // Collect the compact form, group by group (groups separated by single spaces), and
        // try every group boundary as the end.
        let mut compact = Vec::with_capacity(34);
        let mut j = i;
        loop {
            let g = j;
            while j < b.len() && upper_or_digit(b[j]) && compact.len() < 34 {
                compact.push(b[j]);
                j += 1;
            }
            if j < b.len() && is_alnum(b[j]) {
                // The group runs into a word (or past 34 characters): not part of an IBAN.
                compact.truncate(compact.len() - (j - g));
                if (15..=34).contains(&compact.len()) && mod97(&compact) == 1 {
                    return Some(SensitiveKind::Iban);
                }
                break;
            }
            if (15..=34).contains(&compact.len()) && mod97(&compact) == 1 {
                return Some(SensitiveKind::Iban);
            }
            if j + 1 < b.len() && b[j] == b' ' && upper_or_digit(b[j + 1]) && j > g {
                j += 1;
            } else {
                break;
            }
        }
    }
    None
}

/// ISO 13616 check: move the first four characters to the end, letters to 10–35, mod 97.
pub(super) fn mod97(iban: &[u8]) -> u32 {
    let (head, rest) = iban.split_at(4);
    let mut r = 0u32;
    for &c in rest.iter().chain(head) {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c - b'A') + 10
        };
        r = if v >= 10 {
            (r * 100 + v) % 97
        } else {
            (r * 10 + v) % 97
        };
    }
    r
}

pub(super) fn uk_nino(b: &[u8]) -> Option<SensitiveKind> {
    if digits(b) < 6 {
        return None;
    }
    let u = b.to_ascii_uppercase();
    for i in 0..u.len() {
        if !starts_word(&u, i) || i + 9 > u.len() {
            continue;
        }
        let (p0, p1) = (u[i], u[i + 1]);
        if !(p0.is_ascii_uppercase() && p1.is_ascii_uppercase()) {
            continue;
        }
        let mut j = i + 2;
        let mut digits = 0;
        while j < u.len() && digits < 6 {
            if u[j] == b' ' && digits % 2 == 0 && j + 1 < u.len() && u[j + 1].is_ascii_digit() {
                j += 1;
            }
            if u[j].is_ascii_digit() {
                digits += 1;
                j += 1;
            } else {
                break;
            }
        }
        if digits != 6 {
            continue;
        }
        if j < u.len() && u[j] == b' ' {
            j += 1;
        }
        if j >= u.len() || !matches!(u[j], b'A'..=b'D') || !ends_word(&u, j + 1) {
            continue;
        }
        let bad_first = b"DFIQUV".contains(&p0);
        let bad_second = b"DFIOQUV".contains(&p1);
        let unallocated = [b"BG", b"GB", b"NK", b"KN", b"TN", b"NT", b"ZZ"]
            .iter()
            .any(|p| **p == [p0, p1]);
        if !(bad_first || bad_second || unallocated) {
            return Some(SensitiveKind::UkNino);
        }
    }
    None
}

pub(super) fn email(b: &[u8]) -> Option<SensitiveKind> {
    let local = |c: u8| is_alnum(c) || b"._%+-".contains(&c);
    let domain = |c: u8| is_alnum(c) || c == b'.' || c == b'-';
    for (at, _) in b.iter().enumerate().filter(|(_, c)| **c == b'@') {
        let mut s = at;
        while s > 0 && local(b[s - 1]) {
            s -= 1;
        }
        let mut e = at + 1;
        while e < b.len() && domain(b[e]) {
            e += 1;
        }
        while e > at + 1 && matches!(b[e - 1], b'.' | b'-') {
            e -= 1;
        }
        if s == at || b[s] == b'.' {
            continue;
        }
        let host = &b[at + 1..e];
        let labels: Vec<&[u8]> = host.split(|&c| c == b'.').collect();
        let tld_ok = labels
            .last()
            .is_some_and(|t| t.len() >= 2 && t.iter().all(u8::is_ascii_alphabetic));
        if labels.len() >= 2 && labels.iter().all(|l| !l.is_empty()) && tld_ok {
            // `scheme://user:secret@host` carries a password, not just an address.
            if s > 0 && b[s - 1] == b':' {
                return Some(SensitiveKind::Password);
            }
            return Some(SensitiveKind::Email);
        }
    }
    None
}
