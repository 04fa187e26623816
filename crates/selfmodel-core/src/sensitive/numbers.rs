//! Numbers written as digit groups: phone numbers, payment cards and US social security numbers.

use super::*;

/// A UK mobile: 07 and nine more digits, written whole or grouped as UK numbers are (07911
/// 123456, 07911 123 456, 0791 112 3456, (07911) 123456), the groups apart by a space or two, a
/// dash or a dot; not inside a longer run of numbers, nor after a decimal point or a `+`.
fn uk_mobile(b: &[u8]) -> bool {
    // Longest first, so that "  " is not read as " " followed by a non-digit.
    const GAPS: [&[u8]; 5] = [b" - ", b"  ", b" ", b"-", b"."];
    // The length of the gap at `j` that more digits follow, if there is one.
    let gap = |j: usize| {
        GAPS.iter()
            .find(|g| b[j..].starts_with(g) && b.get(j + g.len()).is_some_and(u8::is_ascii_digit))
            .map(|g| g.len())
    };
    // Whether a gap ending at `i` follows a digit: the number would be part of a longer run.
    let continues = |i: usize| {
        GAPS.iter()
            .any(|g| i > g.len() && b[..i].ends_with(g) && b[i - g.len() - 1].is_ascii_digit())
    };
    (0..b.len()).any(|i| {
        if !b[i..].starts_with(b"07")
            || !starts_word(b, i)
            || (i > 0 && matches!(b[i - 1], b'.' | b'+'))
            || continues(i)
        {
            return false;
        }
        // "(07911) 123456": the first group in parentheses.
        let opened = i > 0 && b[i - 1] == b'(';
        let (mut j, mut groups) = (i, Vec::new());
        loop {
            let start = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            groups.push(j - start);
            if groups.iter().sum::<usize>() >= 11 {
                break;
            }
            let closing = [&b") "[..], b")"]
                .into_iter()
                .find(|c| opened && groups.len() == 1 && b[j..].starts_with(c))
                .map(<[u8]>::len);
            match closing.or_else(|| gap(j)) {
                Some(n) if b.get(j + n).is_some_and(u8::is_ascii_digit) => j += n,
                _ => break,
            }
        }
        matches!(
            groups.as_slice(),
            [11] | [5, 6] | [5, 3, 3] | [4, 3, 4] | [3, 4, 4]
        ) && ends_word(b, j)
            && gap(j).is_none()
    })
}

pub(super) fn phone(b: &[u8]) -> Option<SensitiveKind> {
    if digits(b) < 8 {
        return None;
    }
    // International: `+` and 8 to 15 digits, grouped by spaces, dashes, dots or parentheses.
    for i in 0..b.len() {
        if b[i] != b'+' || !starts_word(b, i) || !b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            continue;
        }
        let mut j = i + 1;
        let mut digits = 0;
        let mut last_digit = j;
        while j < b.len() && (b[j].is_ascii_digit() || b" -.()".contains(&b[j])) {
            if b[j].is_ascii_digit() {
                digits += 1;
                last_digit = j + 1;
            } else if j + 1 < b.len() && b" -.".contains(&b[j]) && b" -.".contains(&b[j + 1]) {
                break;
            }
            j += 1;
        }
        if (8..=15).contains(&digits) && ends_word(b, last_digit) {
            return Some(SensitiveKind::Phone);
        }
    }
    if uk_mobile(b) {
        return Some(SensitiveKind::Phone);
    }
    // North American: (415) 555-2671, 415-555-2671, 415.555.2671, 415 555 2671.
    let d = |i: usize, n: usize| i + n <= b.len() && b[i..i + n].iter().all(u8::is_ascii_digit);
    let nanp =
        |area: u8, exchange: u8| (b'2'..=b'9').contains(&area) && (b'2'..=b'9').contains(&exchange);
    for i in 0..b.len() {
        if !starts_word(b, i) {
            continue;
        }
        if b[i] == b'('
            && d(i + 1, 3)
            && b.get(i + 4) == Some(&b')')
            && b.get(i + 5) == Some(&b' ')
            && d(i + 6, 3)
            && matches!(b.get(i + 9), Some(b'-' | b'.' | b' '))
            && d(i + 10, 4)
            && ends_word(b, i + 14)
            && nanp(b[i + 1], b[i + 6])
        {
            return Some(SensitiveKind::Phone);
        }
        if d(i, 3)
            && matches!(b.get(i + 3), Some(b'-' | b'.' | b' '))
            && d(i + 4, 3)
            && b.get(i + 7) == b.get(i + 3)
            && d(i + 8, 4)
            && ends_word(b, i + 12)
            && !matches!(b.get(i + 12), Some(b'-' | b'.' | b' ') if b.get(i + 13).is_some_and(u8::is_ascii_digit))
            && !(i > 0 && matches!(b[i - 1], b'-' | b'.' | b'+'))
            && nanp(b[i], b[i + 4])
        {
            return Some(SensitiveKind::Phone);
        }
    }
    None
}

/// Numbers written as digit groups: payment cards and US social security numbers.
pub(super) fn numbers(b: &[u8]) -> Option<SensitiveKind> {
    // The shortest is a social security number's nine.
    if digits(b) < 9 {
        return None;
    }
    // A run: digit groups joined by single spaces, dashes or dots, bounded by non-words.
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || !starts_word(b, i) || (i > 0 && b[i - 1] == b'.') {
            i += 1;
            continue;
        }
        let mut groups: Vec<&[u8]> = Vec::new();
        let mut seps: Vec<u8> = Vec::new();
        let mut j = i;
        loop {
            let g = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            groups.push(&b[g..j]);
            if j + 1 < b.len() && b" -.".contains(&b[j]) && b[j + 1].is_ascii_digit() {
                seps.push(b[j]);
                j += 1;
            } else {
                break;
            }
        }
        let next = j;
        if ends_word(b, j) {
            if let Some(kind) = classify(&groups, &seps) {
                return Some(kind);
            }
        } else {
            // The last group runs into a word: judge only the groups before it.
            groups.pop();
            seps.pop();
            if !groups.is_empty()
                && let Some(kind) = classify(&groups, &seps)
            {
                return Some(kind);
            }
        }
        i = next.max(i + 1);
    }
    None
}

fn classify(groups: &[&[u8]], seps: &[u8]) -> Option<SensitiveKind> {
    if groups.iter().any(|g| card_number(g)) {
        return Some(SensitiveKind::PaymentCard);
    }
    // Segments: maximal stretches joined by one separator, sharing their boundary groups.
    let mut start = 0;
    while start < seps.len() {
        let sep = seps[start];
        let mut end = start + 1;
        while end < seps.len() && seps[end] == sep {
            end += 1;
        }
        let seg = &groups[start..=end];
        if sep != b'.' {
            if seg.len() == 3 && ssn(seg) {
                return Some(SensitiveKind::UsSsn);
            }
            if card_in(seg) {
                return Some(SensitiveKind::PaymentCard);
            }
        }
        start = end;
    }
    None
}

fn ssn(g: &[&[u8]]) -> bool {
    if g[0].len() != 3 || g[1].len() != 2 || g[2].len() != 4 {
        return false;
    }
    let area = g[0];
    let never_issued = area == b"000" || area == b"666" || area[0] == b'9';
    let advertised = [g[0], g[1], g[2]].concat();
    let specimen = advertised == b"078051120" || advertised == b"219099999";
    !(never_issued || g[1] == b"00" || g[2] == b"0000" || specimen)
}

/// Whether consecutive groups of 3–6 digits in `seg` make a card number.
fn card_in(seg: &[&[u8]]) -> bool {
    for s in 0..seg.len() {
        let mut digits = Vec::with_capacity(19);
        for g in &seg[s..] {
            if seg.len() > 1 && !(3..=6).contains(&g.len()) {
                break;
            }
            digits.extend_from_slice(g);
            if digits.len() > 19 {
                break;
            }
            if card_number(&digits) {
                return true;
            }
        }
    }
    false
}

/// 13–19 digits of a card network's range (major industry identifiers 2–6) passing Luhn.
fn card_number(d: &[u8]) -> bool {
    (13..=19).contains(&d.len())
        && (b'2'..=b'6').contains(&d[0])
        && d.iter().any(|&c| c != d[0])
        && luhn(d)
}

pub(super) fn luhn(d: &[u8]) -> bool {
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &c)| {
            let v = u32::from(c - b'0');
            if i % 2 == 1 {
                let v = v * 2;
                if v > 9 { v - 9 } else { v }
            } else {
                v
            }
        })
        .sum();
    sum.is_multiple_of(10)
}
