//! Where settings come from. Production reads the process environment;
//! tests use a map, so no test ever mutates the environment
//! (`std::env::set_var` is banned in clippy.toml).

use crate::secret::{AccountId, Credentials, KeyError, LicenseKey};
use std::collections::HashMap;
use std::path::Path;
use zeroize::Zeroizing;

/// A source of named settings.
pub trait Source {
    /// The value of `key`, if set.
    fn get(&self, key: &str) -> Option<String>;
}

/// The process environment.
#[derive(Clone, Copy, Debug, Default)]
pub struct Env;

impl Source for Env {
    fn get(&self, key: &str) -> Option<String> {
        std::env::var(key).ok()
    }
}

impl Source for HashMap<String, String> {
    fn get(&self, key: &str) -> Option<String> {
        HashMap::get(self, key).cloned()
    }
}

/// Account id variable.
pub const ACCOUNT_ID: &str = "MAXMIND_ACCOUNT_ID";
/// License key file variable (preferred).
pub const LICENSE_KEY_FILE: &str = "MAXMIND_LICENSE_KEY_FILE";
/// License key variable.
pub const LICENSE_KEY: &str = "MAXMIND_LICENSE_KEY";

/// Why settings could not be read. Never carries a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A required setting is missing.
    #[error("{0} is not set")]
    Missing(&'static str),
    /// A setting has an unusable value.
    #[error("{name}: {source}")]
    Invalid {
        /// The setting.
        name: &'static str,
        /// Why.
        source: KeyError,
    },
}

/// MaxMind credentials from `MAXMIND_ACCOUNT_ID` and
/// `MAXMIND_LICENSE_KEY_FILE` (preferred, wins when both are set) or
/// `MAXMIND_LICENSE_KEY`. Never from a command-line flag.
///
/// # Errors
/// [`Error::Missing`] or [`Error::Invalid`], naming the variable.
pub fn credentials(source: &dyn Source) -> Result<Credentials, Error> {
    let id = source.get(ACCOUNT_ID).ok_or(Error::Missing(ACCOUNT_ID))?;
    let account_id = AccountId::parse(&id).map_err(|source| Error::Invalid {
        name: ACCOUNT_ID,
        source,
    })?;
    let license_key = match (source.get(LICENSE_KEY_FILE), source.get(LICENSE_KEY)) {
        (Some(file), _) => {
            LicenseKey::from_file(Path::new(&file)).map_err(|source| Error::Invalid {
                name: LICENSE_KEY_FILE,
                source,
            })?
        }
        (None, Some(value)) => {
            LicenseKey::try_new(Zeroizing::new(value)).map_err(|source| Error::Invalid {
                name: LICENSE_KEY,
                source,
            })?
        }
        (None, None) => return Err(Error::Missing(LICENSE_KEY_FILE)),
    };
    Ok(Credentials {
        account_id,
        license_key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn reads_credentials_from_a_file_first() {
        let dir = std::env::temp_dir().join(format!("txveil-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("key");
        std::fs::write(&file, "from-file\n").unwrap();
        let c = credentials(&map(&[
            (ACCOUNT_ID, "42"),
            (LICENSE_KEY_FILE, file.to_str().unwrap()),
            (LICENSE_KEY, "from-env"),
        ]))
        .unwrap();
        assert_eq!(c.account_id.get(), 42);
        assert!(!format!("{c:?}").contains("from-file"));
    }

    #[test]
    fn errors_name_the_variable_and_never_the_value() {
        assert_eq!(
            credentials(&map(&[])).unwrap_err(),
            Error::Missing(ACCOUNT_ID)
        );
        assert_eq!(
            credentials(&map(&[(ACCOUNT_ID, "42")])).unwrap_err(),
            Error::Missing(LICENSE_KEY_FILE)
        );
        let e = credentials(&map(&[(ACCOUNT_ID, "42"), (LICENSE_KEY, "bad key")])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "MAXMIND_LICENSE_KEY: license key has characters other than printable ASCII"
        );
        assert!(credentials(&map(&[(ACCOUNT_ID, "42"), (LICENSE_KEY, "secret1")])).is_ok());
        let e = credentials(&map(&[(ACCOUNT_ID, "x")])).unwrap_err();
        assert!(matches!(
            e,
            Error::Invalid {
                name: ACCOUNT_ID,
                ..
            }
        ));
    }
}
