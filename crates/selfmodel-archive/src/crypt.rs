//! age encryption (<https://age-encryption.org/v1>): with a passphrase (scrypt) or to X25519
//! recipients, binary or ASCII-armored, readable by the reference `age` tool and back.

use std::io::{Read, Write};
use std::iter;
use std::path::Path;
use std::str::FromStr;

use age::armor::{ArmoredReader, ArmoredWriter, Format};
use age::secrecy::{ExposeSecret, SecretString};
use age::{DecryptError, Decryptor, Encryptor};
use selfmodel_core::Passphrase;
use zeroize::Zeroizing;

use crate::error::{ArchiveError, Result};

const BINARY_MAGIC: &[u8] = b"age-encryption.org/v1\n";
const ARMOR_BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

/// Lowest and highest scrypt work factors (log2 N) an export is encrypted with: 2^20 takes 1 GiB
/// and a few seconds.
pub const WORK_FACTOR_RANGE: std::ops::RangeInclusive<u8> = 1..=20;

/// The highest work factor a file is opened with, what earlier versions could write (2^22 took
/// 4 GiB and 24 s on a 2-core machine). A file asking for more is refused before any work is
/// done: its header is not authenticated until after scrypt has run, so without the cap a file
/// of a few hundred bytes could make an import spend far more memory and minutes of work.
pub const MAX_OPENED_WORK_FACTOR: u8 = 22;

/// The work factor that takes about a second here, as age calibrates it, within
/// [`WORK_FACTOR_RANGE`] (age's own calibration has no ceiling: a fast machine's files would ask
/// slower ones for gigabytes). Measured once per process.
fn calibrated_work_factor() -> u8 {
    static CALIBRATED: std::sync::OnceLock<u8> = std::sync::OnceLock::new();
    *CALIBRATED.get_or_init(|| {
        // age's method: time 2^10 (scrypt's cost is linear in N), then double until a second.
        let cost = |log_n: u8| {
            let start = std::time::Instant::now();
            let params = scrypt::Params::new(log_n, 8, 1, 32).expect("valid scrypt parameters");
            scrypt::scrypt(&[], &[], &params, &mut [0u8; 32]).expect("a 32-byte output");
            start.elapsed()
        };
        let mut log_n = 10;
        let mut took = cost(log_n);
        while took.is_zero() && log_n < *WORK_FACTOR_RANGE.end() {
            log_n += 1;
            took = cost(log_n);
        }
        while took < std::time::Duration::from_secs(1) && log_n < *WORK_FACTOR_RANGE.end() {
            log_n += 1;
            took *= 2;
        }
        log_n
    })
}

/// An age X25519 recipient, `age1...`.
pub struct Recipient(age::x25519::Recipient);

impl FromStr for Recipient {
    type Err = ArchiveError;
    fn from_str(s: &str) -> Result<Self> {
        age::x25519::Recipient::from_str(s.trim())
            .map(Recipient)
            .map_err(|_| ArchiveError::BadRecipient(s.to_owned()))
    }
}

impl std::fmt::Display for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// How an export file is protected.
pub enum Protection {
    /// Not encrypted.
    Plain,
    /// Encrypted with a passphrase through scrypt.
    Passphrase {
        /// The passphrase.
        passphrase: Passphrase,
        /// log2 of scrypt's N; `None` lets age calibrate (about one second on this machine).
        work_factor: Option<u8>,
    },
    /// Encrypted to one or more X25519 recipients.
    Recipients(Vec<Recipient>),
}

impl Protection {
    /// A short name for reports: `none`, `passphrase` or `recipients`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Plain => "none",
            Self::Passphrase { .. } => "passphrase",
            Self::Recipients(_) => "recipients",
        }
    }
}

/// Writes `plaintext` to `out`, encrypted as asked (`armor`: ASCII armor instead of binary).
pub fn seal<W: Write>(plaintext: &[u8], protection: &Protection, armor: bool, out: W) -> Result<W> {
    seal_with(protection, armor, out, |w| w.write_all(plaintext))
}

/// Like [`seal`], with the plaintext written by `body` as it is produced (nothing is buffered
/// whole).
pub fn seal_with<W: Write>(
    protection: &Protection,
    armor: bool,
    mut out: W,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<W> {
    let encryptor = match protection {
        Protection::Plain => {
            body(&mut out)?;
            return Ok(out);
        }
        Protection::Passphrase {
            passphrase,
            work_factor,
        } => {
            let mut r = age::scrypt::Recipient::new(secret(passphrase));
            let n = work_factor.unwrap_or_else(calibrated_work_factor);
            if !WORK_FACTOR_RANGE.contains(&n) {
                return Err(ArchiveError::Encrypt(format!(
                    "scrypt work factor {n} is outside {}..={}",
                    WORK_FACTOR_RANGE.start(),
                    WORK_FACTOR_RANGE.end()
                )));
            }
            r.set_work_factor(n);
            Encryptor::with_recipients(iter::once(&r as &dyn age::Recipient))
        }
        Protection::Recipients(rs) => {
            Encryptor::with_recipients(rs.iter().map(|r| &r.0 as &dyn age::Recipient))
        }
    }
    .map_err(|e| ArchiveError::Encrypt(e.to_string()))?;
    let format = if armor {
        Format::AsciiArmor
    } else {
        Format::Binary
    };
    let armored = ArmoredWriter::wrap_output(out, format)?;
    let mut writer = std::io::BufWriter::with_capacity(1 << 16, encryptor.wrap_output(armored)?);
    body(&mut writer)?;
    let writer = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(writer.finish()?.finish()?)
}

/// What a file is, from its first bytes and, for age, its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// Not age-encrypted (expected to be JSON).
    Plain,
    /// An age file.
    Age {
        /// ASCII-armored rather than binary.
        armored: bool,
        /// Encrypted with a passphrase (scrypt) rather than to recipients.
        passphrase: bool,
    },
}

impl Envelope {
    /// Tells age files (binary header `age-encryption.org/v1`, or the armor's BEGIN line) from
    /// anything else, and for age reads the header to tell passphrase from recipients.
    pub fn detect(bytes: &[u8]) -> Result<Self> {
        let start = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(bytes.len());
        let armored = bytes[start..].starts_with(ARMOR_BEGIN);
        if !armored && !bytes.starts_with(BINARY_MAGIC) {
            return Ok(Self::Plain);
        }
        let decryptor = Decryptor::new(ArmoredReader::new(bytes))
            .map_err(|e| ArchiveError::Damaged(format!("its header does not parse ({e})")))?;
        Ok(Self::Age {
            armored,
            passphrase: decryptor.is_scrypt(),
        })
    }
}

/// age identities (X25519 secret keys, `AGE-SECRET-KEY-1...`) that can decrypt files.
pub struct Identities(Vec<Box<dyn age::Identity + Send + Sync>>);

impl Identities {
    /// Reads an identity file in `age-keygen` format (comments and one key a line).
    pub fn from_file(path: &Path) -> Result<Self> {
        let file = age::IdentityFile::from_file(path.to_string_lossy().into_owned())
            .map_err(|e| ArchiveError::BadIdentity(format!("{}: {e}", path.display())))?;
        let ids = file
            .into_identities()
            .map_err(|e| ArchiveError::BadIdentity(format!("{}: {e}", path.display())))?;
        if ids.is_empty() {
            return Err(ArchiveError::BadIdentity(format!(
                "{}: holds no identities",
                path.display()
            )));
        }
        Ok(Self(ids))
    }

    /// Adds the identities of another file.
    pub fn extend(&mut self, other: Identities) {
        self.0.extend(other.0);
    }
}

/// What opens an age file.
pub enum Key {
    /// The passphrase it was encrypted with.
    Passphrase(Passphrase),
    /// Identities of its recipients.
    Identities(Identities),
}

/// Decrypts an age file, refusing plaintext larger than `limit` bytes, and a passphrase file
/// whose scrypt work factor is above [`MAX_OPENED_WORK_FACTOR`] before any work is done.
///
/// The plaintext is wiped when dropped, and so is every buffer it outgrew on the way; `expected`
/// (the ciphertext's size, which the plaintext does not exceed) sizes the first one.
pub fn open(
    input: impl std::io::BufRead,
    key: &Key,
    limit: u64,
    expected: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    let decryptor = Decryptor::new(ArmoredReader::new(input))
        .map_err(|e| ArchiveError::Damaged(format!("its header does not parse ({e})")))?;
    let scrypt = decryptor.is_scrypt();
    let reader = match key {
        Key::Passphrase(p) => {
            if !scrypt {
                return Err(ArchiveError::WrongKey(
                    "this file is encrypted to age recipients, not with a passphrase: give the identity file (--identity KEYFILE)".into(),
                ));
            }
            let mut identity = age::scrypt::Identity::new(secret(p));
            identity.set_max_work_factor(MAX_OPENED_WORK_FACTOR);
            decryptor.decrypt(iter::once(&identity as &dyn age::Identity))
        }
        Key::Identities(ids) => {
            if scrypt {
                return Err(ArchiveError::WrongKey(
                    "this file is encrypted with a passphrase, not to an identity: leave out --identity and give the passphrase".into(),
                ));
            }
            decryptor.decrypt(ids.0.iter().map(|i| i.as_ref() as &dyn age::Identity))
        }
    }
    .map_err(decrypt_error)?;
    let plain = read_wiped(reader.take(limit.saturating_add(1)), expected)
        .map_err(|e| ArchiveError::Damaged(e.to_string()))?;
    if plain.len() as u64 > limit {
        return Err(ArchiveError::TooLarge {
            size: plain.len() as u64,
            limit,
        });
    }
    Ok(plain)
}

/// Reads `reader` to its end into memory that is wiped when dropped. A buffer that is outgrown is
/// copied into one twice its size and wiped, where `Vec` growth would free it as it is.
fn read_wiped(mut reader: impl Read, expected: usize) -> std::io::Result<Zeroizing<Vec<u8>>> {
    let mut plain = Zeroizing::new(Vec::with_capacity(expected));
    let mut chunk = Zeroizing::new([0u8; 64 * 1024]);
    loop {
        let n = match reader.read(&mut chunk[..]) {
            Ok(0) => return Ok(plain),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if plain.capacity() - plain.len() < n {
            let mut larger = Zeroizing::new(Vec::with_capacity(
                (plain.len() + n).max(plain.capacity() * 2),
            ));
            larger.extend_from_slice(&plain);
            plain = larger;
        }
        plain.extend_from_slice(&chunk[..n]);
    }
}

fn decrypt_error(e: DecryptError) -> ArchiveError {
    match e {
        DecryptError::DecryptionFailed => {
            ArchiveError::WrongKey("wrong passphrase for this age file".into())
        }
        DecryptError::NoMatchingKeys => ArchiveError::WrongKey(
            "none of the given identities can decrypt this age file (it is encrypted to other recipients)".into(),
        ),
        DecryptError::ExcessiveWork { required, .. } => ArchiveError::ExcessiveWork { required },
        other => ArchiveError::Damaged(other.to_string()),
    }
}

fn secret(p: &Passphrase) -> SecretString {
    SecretString::from(p.expose().to_owned())
}

/// A fresh X25519 identity: its secret key (`AGE-SECRET-KEY-1...`, as in an `age-keygen` file)
/// and its recipient (`age1...`).
pub fn generate_identity() -> (Zeroizing<String>, String) {
    let id = age::x25519::Identity::generate();
    let secret = Zeroizing::new(id.to_string().expose_secret().to_owned());
    (secret, id.to_public().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(s: &str) -> Passphrase {
        Passphrase::new(s.into())
    }

    fn identities(secret: &str) -> Identities {
        let file = age::IdentityFile::from_buffer(secret.as_bytes()).unwrap();
        Identities(file.into_identities().unwrap())
    }

    #[test]
    fn passphrase_round_trip_binary_and_armored() {
        for armor in [false, true] {
            let p = Protection::Passphrase {
                passphrase: pass("correct horse battery"),
                work_factor: Some(4),
            };
            let sealed = seal(b"{\"x\":1}", &p, armor, Vec::new()).unwrap();
            assert_eq!(
                Envelope::detect(&sealed).unwrap(),
                Envelope::Age {
                    armored: armor,
                    passphrase: true
                }
            );
            let key = Key::Passphrase(pass("correct horse battery"));
            assert_eq!(
                open(sealed.as_slice(), &key, 100, 0).unwrap().as_slice(),
                b"{\"x\":1}"
            );
            let wrong = Key::Passphrase(pass("wrong horse battery"));
            assert_eq!(
                open(sealed.as_slice(), &wrong, 100, 0)
                    .unwrap_err()
                    .code()
                    .as_str(),
                "wrong_key"
            );
        }
    }

    #[test]
    fn recipients_round_trip_and_wrong_identity() {
        let (s1, r1) = generate_identity();
        let (s2, r2) = generate_identity();
        let (s3, _) = generate_identity();
        let p = Protection::Recipients(vec![r1.parse().unwrap(), r2.parse().unwrap()]);
        let sealed = seal(b"hello", &p, false, Vec::new()).unwrap();
        for s in [&s1, &s2] {
            let key = Key::Identities(identities(s));
            assert_eq!(
                open(sealed.as_slice(), &key, 100, 0).unwrap().as_slice(),
                b"hello"
            );
        }
        let err = open(sealed.as_slice(), &Key::Identities(identities(&s3)), 100, 0).unwrap_err();
        assert_eq!(err.code().as_str(), "wrong_key");
        let err = open(
            sealed.as_slice(),
            &Key::Passphrase(pass("whatever it is")),
            100,
            0,
        )
        .unwrap_err();
        assert_eq!(err.code().as_str(), "wrong_key");
    }

    #[test]
    fn a_work_factor_above_the_cap_is_refused_before_any_work() {
        let p = Protection::Passphrase {
            passphrase: pass("export pass 123"),
            work_factor: Some(10),
        };
        let sealed = seal(b"{}", &p, false, Vec::new()).unwrap();
        let key = Key::Passphrase(pass("export pass 123"));
        assert_eq!(
            open(sealed.as_slice(), &key, 100, 0).unwrap().as_slice(),
            b"{}"
        );
        // The stanza `-> scrypt <salt> 10` edited to ask for 2^23, one more than the cap (age's
        // own limit depends on how fast the machine is): refused, not computed.
        let at = sealed.windows(4).position(|w| w == b" 10\n").unwrap();
        let mut bomb = sealed.clone();
        bomb[at..at + 4].copy_from_slice(b" 23\n");
        let err = open(bomb.as_slice(), &key, 100, 0).unwrap_err();
        assert_eq!(err.code().as_str(), "excessive_work", "{err}");
        // Nor can an export ask for more than it could open, nor its calibration choose more.
        let too_much = Protection::Passphrase {
            passphrase: pass("export pass 123"),
            work_factor: Some(21),
        };
        assert!(seal(b"{}", &too_much, false, Vec::new()).is_err());
        assert!(WORK_FACTOR_RANGE.contains(&calibrated_work_factor()));
    }

    #[test]
    fn truncated_and_oversized_are_refused() {
        let (s, r) = generate_identity();
        let p = Protection::Recipients(vec![r.parse().unwrap()]);
        let sealed = seal(&[7u8; 200_000], &p, false, Vec::new()).unwrap();
        let key = Key::Identities(identities(&s));
        // Read whole through buffers it outgrows (none to start with, one too small), and
        // through one sized as the file.
        for expected in [0, 1000, sealed.len()] {
            let plain = open(sealed.as_slice(), &key, 1 << 20, expected).unwrap();
            assert_eq!(plain.as_slice(), [7u8; 200_000].as_slice());
        }
        for cut in [sealed.len() - 1, sealed.len() / 2, 100, 30] {
            let err = open(&sealed[..cut], &key, 1 << 20, 0).unwrap_err();
            assert_eq!(err.code().as_str(), "damaged", "cut at {cut}: {err}");
        }
        assert_eq!(
            open(sealed.as_slice(), &key, 1000, 0)
                .unwrap_err()
                .code()
                .as_str(),
            "too_large"
        );
    }

    #[test]
    fn plain_and_bad_recipients() {
        assert_eq!(Envelope::detect(b"{}").unwrap(), Envelope::Plain);
        assert_eq!(Envelope::detect(b"").unwrap(), Envelope::Plain);
        assert!("age1nope".parse::<Recipient>().is_err());
        assert!(
            Envelope::detect(b"age-encryption.org/v1\n-> X25519 garbage")
                .unwrap_err()
                .to_string()
                .contains("damaged")
        );
    }
}
