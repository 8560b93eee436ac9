//! Secrets: values that must never be printed, logged or serialized.
//!
//! Each secret has no `Display` and no `Serialize`; its `Debug` prints only the
//! type name and `[REDACTED]`; its bytes are wiped when it is dropped.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use zeroize::Zeroizing;

/// The key of the keyed-hash (HMAC-SHA256) policy action, which pseudonymizes
/// fields such as a card fingerprint (PCI DSS 3.5.1.1 wants hashes of a PAN
/// keyed).
pub struct HashKey(Zeroizing<Vec<u8>>);

/// Why a key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key has fewer than 16 bytes (128 bits, the PCI minimum strength).
    #[error("hash key is shorter than 16 bytes")]
    TooShort,
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
        crate::sanitize::hex(&mac.finalize().into_bytes())
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
