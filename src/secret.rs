//! Secrets: values that must never be printed, logged or serialized.
//!
//! Each secret has no `Display` and no `Serialize`; its `Debug` prints only the
//! type name and `[REDACTED]`; its bytes are wiped when it is dropped.

use hmac::{Hmac, Mac};
use secrecy::SecretString;
use sha2::Sha256;
use std::fmt;
use std::path::Path;
use zeroize::Zeroizing;

/// The key of the keyed-hash (HMAC-SHA256) policy action, which pseudonymizes
/// fields such as a card fingerprint (PCI DSS 3.5.1.1 wants hashes of a PAN
/// keyed).
pub struct HashKey(Zeroizing<Vec<u8>>);

/// Why a key was refused. Never carries the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The hash key has fewer than 16 bytes (128 bits, the PCI minimum strength).
    #[error("hash key is shorter than 16 bytes")]
    TooShort,
    /// The license key is empty.
    #[error("license key is empty")]
    Empty,
    /// The license key has a character outside printable ASCII (a stray
    /// space, a second line).
    #[error("license key has characters other than printable ASCII")]
    NotPrintable,
    /// The key file could not be read.
    #[error("cannot read key file {path}: {reason}")]
    Unreadable {
        /// The file.
        path: String,
        /// The I/O error kind.
        reason: String,
    },
    /// The account id is not a positive integer.
    #[error("account id is not a positive integer")]
    BadAccountId,
}

// === LicenseKey ===

/// A MaxMind license key. Held in a [`SecretString`]: no `Display`, no
/// `Serialize`, a redacting `Debug`, zeroized on drop. The only place it is
/// read is where the upstream client builds its `Authorization` header.
pub struct LicenseKey(
    // Without the `client` feature nothing sends requests upstream, so
    // nothing reads the key: it is only held and wiped.
    #[cfg_attr(not(feature = "client"), allow(dead_code))] SecretString,
);

impl LicenseKey {
    /// Wraps a key; one trailing newline (`\n` or `\r\n`) is removed.
    ///
    /// # Errors
    /// [`KeyError::Empty`] or [`KeyError::NotPrintable`].
    pub fn try_new(key: Zeroizing<String>) -> Result<Self, KeyError> {
        let trimmed = key.strip_suffix('\n').unwrap_or(&key);
        let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
        if trimmed.is_empty() {
            return Err(KeyError::Empty);
        }
        if !trimmed.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
            return Err(KeyError::NotPrintable);
        }
        Ok(Self(SecretString::from(trimmed.to_owned())))
    }

    /// Reads a key from a file (the preferred way: flags show in `ps`, and
    /// environment variables leak into child processes and crash reports).
    ///
    /// # Errors
    /// [`KeyError::Unreadable`], or as [`LicenseKey::try_new`].
    pub fn from_file(path: &Path) -> Result<Self, KeyError> {
        let text = std::fs::read_to_string(path).map_err(|e| KeyError::Unreadable {
            path: path.display().to_string(),
            reason: crate::file::reason(&e),
        })?;
        Self::try_new(Zeroizing::new(text))
    }

    /// The secret, for the one caller that builds the `Authorization` header.
    #[cfg(feature = "client")]
    pub(crate) fn secret(&self) -> &SecretString {
        &self.0
    }
}

impl fmt::Debug for LicenseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LicenseKey([REDACTED])")
    }
}

/// A MaxMind account id: public, printable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AccountId(u32);

impl AccountId {
    /// An account id.
    pub fn new(id: u32) -> Self {
        Self(id)
    }

    /// Parses an account id.
    ///
    /// # Errors
    /// [`KeyError::BadAccountId`] unless it is a positive integer.
    pub fn parse(s: &str) -> Result<Self, KeyError> {
        match s.trim().parse::<u32>() {
            Ok(id) if id > 0 => Ok(Self(id)),
            _ => Err(KeyError::BadAccountId),
        }
    }

    /// The id as a number.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// MaxMind credentials: an account id and its license key.
#[derive(Debug)]
pub struct Credentials {
    /// The account id (public).
    pub account_id: AccountId,
    /// The license key (secret).
    pub license_key: LicenseKey,
}

impl HashKey {
    /// Wraps key bytes; leading and trailing ASCII white space (a newline at the
    /// end of a key file) is removed.
    ///
    /// # Errors
    /// [`KeyError::TooShort`] under 16 bytes.
    pub fn try_new(bytes: Zeroizing<Vec<u8>>) -> Result<Self, KeyError> {
        let trimmed = bytes.trim_ascii();
        if trimmed.len() < 16 {
            return Err(KeyError::TooShort);
        }
        Ok(Self(Zeroizing::new(trimmed.to_vec())))
    }

    /// HMAC-SHA256 of `data`, lowercase hex.
    pub(crate) fn hmac_hex(&self, data: &[u8]) -> String {
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.0) {
            Ok(mac) => mac,
            // HMAC takes keys of any length; this arm cannot be reached.
            Err(_) => return String::new(),
        };
        mac.update(data);
        crate::json::hex(&mac.finalize().into_bytes())
    }
}

impl HashKey {
    /// Reads a hash key from a file.
    ///
    /// # Errors
    /// [`KeyError::Unreadable`] or [`KeyError::TooShort`].
    pub fn from_file(path: &Path) -> Result<Self, KeyError> {
        let bytes = std::fs::read(path).map_err(|e| KeyError::Unreadable {
            path: path.display().to_string(),
            reason: crate::file::reason(&e),
        })?;
        Self::try_new(Zeroizing::new(bytes))
    }
}

impl fmt::Debug for HashKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HashKey([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn license_key_is_never_printed_and_trailing_newline_is_trimmed() {
        let key = LicenseKey::try_new(Zeroizing::new("abcdef123456\n".into())).unwrap();
        assert_eq!(format!("{key:?}"), "LicenseKey([REDACTED])");
        let creds = Credentials {
            account_id: AccountId::new(42),
            license_key: key,
        };
        let debug = format!("{creds:?}");
        assert!(!debug.contains("abcdef"), "{debug}");
    }

    #[test]
    fn bad_license_keys_are_refused_without_echoing_them() {
        for bad in ["", "\n", "two\nlines", "has space"] {
            let e = LicenseKey::try_new(Zeroizing::new(bad.into())).unwrap_err();
            assert!(!e.to_string().contains("lines") && !e.to_string().contains("space"));
        }
        let e = LicenseKey::from_file(Path::new("/nonexistent/key")).unwrap_err();
        assert!(matches!(e, KeyError::Unreadable { .. }));
        assert_eq!(AccountId::parse("0"), Err(KeyError::BadAccountId));
        assert_eq!(AccountId::parse(" 42 ").unwrap().get(), 42);
    }

    #[test]
    fn hmac_matches_openssl_and_debug_redacts() {
        // printf 4111111111111111 | openssl dgst -sha256 -hmac 0123456789abcdef
        let key = HashKey::try_new(Zeroizing::new(b"0123456789abcdef\n".to_vec())).unwrap();
        assert_eq!(
            key.hmac_hex(b"4111111111111111"),
            "6ab68ca2a9a5093ababdf00856c5692bf32152e770d12450e6c24d6e122a0086"
        );
        assert_eq!(format!("{key:?}"), "HashKey([REDACTED])");
        assert_eq!(
            HashKey::try_new(Zeroizing::new(b"short".to_vec())).err(),
            Some(KeyError::TooShort)
        );
    }
}
