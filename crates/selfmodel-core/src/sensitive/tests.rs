use super::SensitiveKind::*;
use super::*;

fn kind(s: &str) -> Option<SensitiveKind> {
    find(s)
}

#[test]
fn credentials_are_found() {
    for (text, want) in [
        ("aws key AKIAIOSFODNN7EXAMPLE in config", AwsAccessKey),
        ("uses 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", GitHubToken),
        (
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
            GitHubToken,
        ),
        (
            "slack xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
            SlackToken,
        ),
        ("key sk-proj-4fT9sLq2XbW8mN3vR6yK1pZ0 leaked", ApiKey),
        ("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", ApiKey),
        ("AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe", ApiKey),
        ("-----BEGIN RSA PRIVATE KEY----- MIIEow", PrivateKey),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", PrivateKey),
        (
            "auth eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            Jwt,
        ),
        (
            "secret dozjgNryP4J3jVmNHl0w5N/XgL0n3I9PlFUP0THsR8U",
            RandomSecret,
        ),
        (
            "raw e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            RandomSecret,
        ),
        ("login password: hunter2!x", Password),
        ("password: Tr0ub4dor", Password),
        ("passphrase: \"correct horse battery\"", Password),
        ("Password = 'correct horse'", Password),
        ("pwd=s3cr3t", Password),
        ("PIN: 4921", Password),
        ("Netflix password is Tr0ub4dor&3", Password),
        ("Bank PIN is 4821", Password),
        ("My PIN IS 4821.", Password),
        ("Password Is hunter22", Password),
        ("Mobile 07911 123456", Phone),
        ("call 07911-123-456 after six", Phone),
        ("07911123456", Phone),
        ("Ring (07911) 123456 before nine", Phone),
        ("Mobile: 07911.123.456", Phone),
        ("Mobile 07911  123456", Phone),
        ("Born 1990. 07911 123456 is the mobile", Phone),
        ("Try 0791 112 3456.", Phone),
        ("api_key=abcd1234efgh", ApiKey),
        ("https://alice:hunter22@example.com/x", Password),
    ] {
        assert_eq!(kind(text), Some(want), "{text}");
    }
}

#[test]
fn cards_ids_and_contacts_are_found() {
    for (text, want) in [
        ("paid with 4111 1111 1111 1111 yesterday", PaymentCard),
        ("card 4111-1111-1111-1111", PaymentCard),
        ("card 4111111111111111.", PaymentCard),
        ("amex 3782 822463 10005", PaymentCard),
        ("mc 5555555555554444 and 12 more", PaymentCard),
        ("ref 123 4111 1111 1111 1111", PaymentCard),
        ("ssn 536-22-1234", UsSsn),
        ("ssn 536 22 1234", UsSsn),
        ("NINO AB 12 34 56 C", UkNino),
        ("nino ab123456c", UkNino),
        ("GB82 WEST 1234 5698 7654 32", Iban),
        ("iban DE89370400440532013000.", Iban),
        ("FR14 2004 1010 0505 0001 3M02 606 AND MORE", Iban),
        ("wrote to alice.smith+news@example.co.uk", Email),
        ("call +44 20 7946 0958", Phone),
        ("call +1 (415) 555-2671", Phone),
        ("call (415) 555-2671", Phone),
        ("call 415-555-2671 after six", Phone),
    ] {
        assert_eq!(kind(text), Some(want), "{text}");
    }
}

#[test]
fn near_misses_pass() {
    for text in [
        "Prefers concise answers with the conclusion first",
        "Expanded code blocks in 41 of 50 answers; rarely expanded prose",
        "Uses a password manager and changed password: reset twice",
        "password: none",
        "Forgot the password: asked for a reset twice",
        "this file is encrypted, not with a passphrase: give the identity file",
        "Card 4111 1111 1111 1112 fails Luhn",
        "Order 4111111111111112",
        "Timestamp 1700000000000 in milliseconds",
        "Serial 0000 0000 0000 0000",
        "Met on 2024-01-15 and 2023-11-04 2024-01-15 again",
        "Upgraded from 1.2.3 to 10.11.12 on 2024-02-29 12:30",
        "IP 192.168.100.200 and version 4.111.1111.1111.1111",
        "SSN-like 000-12-3456, 666-12-3456, 900-12-3456, 123-00-4567, 123-45-0000",
        "The specimen 078-05-1120 printed on wallets",
        "NINO-like QQ 12 34 56 C and BG 12 34 56 A",
        "Not an IBAN: GB00 WEST 1234 5698 7654 32",
        "short hash a1b2c3d and id 0190f1a2-7b3c-7def-8a9b-0123456789ab",
        "@alice on the forum, user@localhost",
        "+5 points, +20% usage, +2024",
        "phone-like 123-456-7890 and 555-123-4567",
        "Kubernetes-Helm-Chart-v2-upgrade-path",
        "com/Rust-Lang/rust/pull/12345/files",
        "internationalization-and-localization-guide",
        "MyVeryLongComponentName2ForTesting3",
        "getUserProfileById2AndCache4LaterOrNever",
        "risk-sensitive tasks such as sk-learn pipelines",
        "Likes pinball: 3 games a week",
        "The password is long and the PIN is forgotten",
        "The Wi-Fi password is case-sensitive",
        "Prefers that the password is auto-generated",
        "Finds it funny the most common password is 123456",
        "The pin is 2000 years old",
        "Says the password is reset every month",
        "Order 07911123456789 and room 0791 1234",
        "Ticket 170791112345 and 0712345678",
        "Plays the numbers 07 14 21 28 35 4",
        "A rate of 0.07123456789 per cent",
        "Version 07911.123456.2 of the firmware",
        "Scores 07911 123456 789 in the table",
        "Scores 789 07911 123456 in the table",
        "Ref 12 07911 123456",
        "Ref 9-07911-123456",
        "Tracking 07911)123456",
        "Asked about -----BEGIN CERTIFICATE----- blocks",
        "Prefers British English (colour, organise, whilst)",
        "Works 9-5, scored 98 / 100, 3 cats",
    ] {
        assert_eq!(kind(text), None, "{text}");
    }
}

#[test]
fn random_base64_is_found_and_its_length_matters() {
    // A deterministic stream of base64 characters.
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut found = 0;
    for _ in 0..200 {
        let s: String = (0..40)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                char::from(alphabet[(x % 64) as usize])
            })
            .collect();
        if kind(&s).is_some() {
            found += 1;
        }
        assert_eq!(kind(&s[..20]), None, "20 characters are too short to judge");
    }
    assert!(found >= 190, "only {found} of 200 random keys found");
}

#[test]
fn arbitrary_text_never_panics() {
    let pieces = [
        "0",
        "4",
        "9",
        " ",
        "-",
        ".",
        "+",
        "(",
        ")",
        "@",
        ":",
        "=",
        "A",
        "Z",
        "a",
        "x",
        "_",
        "/",
        "eyJ",
        "é",
        "日",
        "-----BEGIN ",
        "PRIVATE KEY",
        "pwd",
        "GB82",
        "sk-",
        "AKIA",
    ];
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..20_000 {
        let mut s = String::new();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        for _ in 0..(x % 48) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            s.push_str(pieces[(x % pieces.len() as u64) as usize]);
        }
        let _ = find(&s);
    }
}

#[test]
fn luhn_and_mod97_agree_with_known_values() {
    assert!(numbers::luhn(b"79927398713"));
    assert!(!numbers::luhn(b"79927398710"));
    assert_eq!(identifiers::mod97(b"GB82WEST12345698765432"), 1);
    assert_ne!(identifiers::mod97(b"GB83WEST12345698765432"), 1);
}

#[test]
fn the_error_names_field_and_kind_but_not_the_text() {
    let e = check("evidence[0].summary", "paid with 4111 1111 1111 1111").unwrap_err();
    let msg = e.to_string();
    assert_eq!(
        msg,
        "evidence[0].summary contains what looks like a payment card number; \
         a self-model keeps no such data"
    );
    assert!(!msg.contains("4111"));
    assert_eq!(e.code().as_str(), "sensitive_data");
    assert!(check("statement", "Likes quokkas").is_ok());
}
