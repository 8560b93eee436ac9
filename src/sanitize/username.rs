//! Usernames: a raw `account.username` becomes `account.username_md5`.
//!
//! The official Java, Node and .NET clients hash the raw UTF-8 string. txveil's
//! default canonical form is trimmed (Unicode white space) and NFC-normalized,
//! so the same user typed on two keyboards hashes the same; a policy may add
//! lowercasing, or choose `raw` to match the official clients byte for byte.

pub use crate::policy::UsernameForm;

/// The canonical form of `username`.
pub(crate) fn canonicalize(username: &str, form: UsernameForm) -> String {
    match form {
        UsernameForm::Raw => username.to_owned(),
        UsernameForm::TrimNfc => super::unicode::nfc(username.trim()),
        UsernameForm::TrimNfcLowercase => super::unicode::nfc(username.trim()).to_lowercase(),
    }
}

/// `account.username_md5` for `username`.
pub(crate) fn hash(username: &str, form: UsernameForm) -> String {
    super::email::md5_hex(&canonicalize(username, form))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_matches_the_official_clients() {
        assert_eq!(
            hash("username", UsernameForm::Raw),
            "14c4b06b824ec593239362517f538b29"
        );
        assert_eq!(
            hash("foo", UsernameForm::Raw),
            "acbd18db4cc2f85cedef654fccc4a4d8"
        );
        assert_eq!(
            hash("fred", UsernameForm::Raw),
            "570a90bfbf8c7eab5dc5d4e26832d5b1"
        );
    }

    #[test]
    fn canonical_forms_trim_normalize_and_optionally_lowercase() {
        let decomposed = " Jose\u{301} ";
        assert_eq!(canonicalize(decomposed, UsernameForm::TrimNfc), "Jos\u{e9}");
        assert_eq!(
            canonicalize(decomposed, UsernameForm::TrimNfcLowercase),
            "jos\u{e9}"
        );
        assert_eq!(canonicalize(decomposed, UsernameForm::Raw), decomposed);
        assert_eq!(
            hash("fred", UsernameForm::TrimNfc),
            hash(" fred\t", UsernameForm::TrimNfc)
        );
    }
}
