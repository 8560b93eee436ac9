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
    /// A sidecar setting is wrong or settings contradict each other.
    #[error("{name}: {message}")]
    Setting {
        /// The flag or setting.
        name: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The config file cannot be used.
    #[error("{0}")]
    File(String),
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

// === Sidecar settings ===

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Declares the sidecar's settings once: each entry is a field of
/// [`ServeInput`] whose name is the config file's key (`tls_listen`), the
/// flag (`--tls-listen`, with the entry's help text and `arg` attributes)
/// and the environment variable (`TXVEIL_TLS_LISTEN`, [`env_name`]).
macro_rules! serve_settings {
    ($(
        $(#[doc = $doc:literal])*
        #[arg($($arg:tt)*)]
        $key:ident,
    )*) => {
        /// Sidecar settings as given: every field optional. The same keys
        /// are the config file's (`--config`), the flags' (`--tls-listen`
        /// for `tls_listen`) and the environment's (`TXVEIL_TLS_LISTEN`);
        /// flags win over the environment, which wins over the file.
        // The fields' texts are also `serve --help`'s, where a URL is
        // plain text.
        #[allow(rustdoc::bare_urls)]
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        #[cfg_attr(feature = "cli", derive(clap::Args))]
        pub struct ServeInput {
            $(
                $(#[doc = $doc])*
                #[cfg_attr(feature = "cli", arg($($arg)*))]
                pub $key: Option<String>,
            )*
        }

        /// Every sidecar setting's config key, in the order of `--help`.
        pub const SERVE_KEYS: &[&str] = &[$(stringify!($key)),*];

        impl ServeInput {
            fn fields_mut(&mut self) -> Vec<&mut Option<String>> {
                vec![$(&mut self.$key),*]
            }
        }
    };
}

serve_settings! {
    /// Plain HTTP listener [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    listen,
    /// TLS listener (HTTP/1.1 and h2); needs --tls-cert and --tls-key.
    #[arg(long, value_name = "ADDR")]
    tls_listen,
    /// TLS certificate chain (PEM).
    #[arg(long, value_name = "PEM")]
    tls_cert,
    /// TLS private key (PEM).
    #[arg(long, value_name = "PEM")]
    tls_key,
    /// minFraud base URL [default: https://minfraud.maxmind.com]; http:// only to loopback.
    #[arg(long, value_name = "URL")]
    upstream,
    /// Trust only this CA (PEM) for the upstream.
    #[arg(long, value_name = "PEM")]
    upstream_ca,
    /// Default policy [default: the embedded policies/default.toml].
    #[arg(long, value_name = "FILE")]
    policy,
    /// Clients file: local credentials, endpoints and policies of the apps.
    #[arg(long, value_name = "FILE")]
    clients,
    /// Admin listener for /healthz, /readyz and /metrics.
    #[arg(long, value_name = "ADDR")]
    admin_listen,
    /// Listener for /healthz and /readyz only (probes from outside the pod or host).
    #[arg(long, value_name = "ADDR")]
    health_listen,
    /// Seconds between checks of the policy, clients and license key files; a change reloads them as SIGHUP does [default: off].
    #[arg(long, value_name = "SECS")]
    watch_interval,
    /// HTTP proxy to reach minFraud through (CONNECT, TLS inside) [default: HTTPS_PROXY, with NO_PROXY].
    #[arg(long, value_name = "URL")]
    upstream_proxy,
    /// Seconds for a whole upstream call; 504 when it runs out [default: 10].
    #[arg(long, value_name = "SECS")]
    upstream_timeout,
    /// Key file for keyed_hash actions and card fingerprints.
    #[arg(long, value_name = "FILE")]
    hash_key_file,
    /// Audit log file [default: standard output].
    #[arg(long, value_name = "FILE")]
    audit_log,
    /// Requests processed at once; more get 503 [default: 256].
    #[arg(long, value_name = "N")]
    max_concurrency,
    /// Connections open at once per listener; more wait to be accepted [default: 512].
    #[arg(long, value_name = "N")]
    max_connections,
    /// Seconds an idle keep-alive or h2 connection stays open [default: 60].
    #[arg(long, value_name = "SECS")]
    keep_alive_timeout,
    /// Accept apps without credentials; only on loopback listeners, for local trials.
    #[arg(long, num_args = 0, default_missing_value = "true")]
    dangerous_allow_unauthenticated,
    /// Threads serving the API listeners, each with its own event loop [default: one per core].
    #[arg(long, value_name = "N")]
    workers,
    /// Candidate policy evaluated beside the real one (never forwarded) for clients without their own shadow_policy.
    #[arg(long, value_name = "FILE")]
    shadow_policy,
    /// Warn once when minFraud's funds_remaining falls under this many US dollars [default: off].
    #[arg(long, value_name = "USD")]
    funds_warning,
}

/// The environment variable of the sidecar setting `key`:
/// `TXVEIL_TLS_LISTEN` for `tls_listen`.
pub fn env_name(key: &str) -> String {
    format!("TXVEIL_{}", key.to_ascii_uppercase())
}

impl ServeInput {
    /// Reads a config file (TOML with the keys of [`ServeInput`]; numbers and
    /// booleans may be written bare).
    ///
    /// # Errors
    /// [`Error::File`] naming the file and line.
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::File(format!("{name}: cannot read: {}", crate::file::reason(&e)))
        })?;
        Self::parse(&text, &name)
    }

    /// Reads config-file text; `name` names it in errors.
    ///
    /// # Errors
    /// [`Error::File`] naming the file and line.
    pub fn parse(text: &str, name: &str) -> Result<Self, Error> {
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| crate::policy::line_of(text, s.start))
                .unwrap_or(0);
            Error::File(format!("{name}:{line}: {}", e.message().trim()))
        })?;
        let mut input = ServeInput::default();
        for (key, value) in table {
            let Some(i) = SERVE_KEYS.iter().position(|k| *k == key) else {
                return Err(Error::File(format!("{name}: key `{key}`: unknown setting")));
            };
            let text = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(n) => n.to_string(),
                toml::Value::Float(f) => f.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                _ => {
                    return Err(Error::File(format!(
                        "{name}: key `{key}`: expected a string, number or boolean"
                    )))
                }
            };
            *input.fields_mut().swap_remove(i) = Some(text);
        }
        Ok(input)
    }

    /// The settings in the environment (`TXVEIL_<KEY>`).
    pub fn from_env(source: &dyn Source) -> Self {
        let mut input = ServeInput::default();
        for (field, key) in input.fields_mut().into_iter().zip(SERVE_KEYS) {
            *field = source.get(&env_name(key));
        }
        input
    }

    /// `self`, with what it lacks taken from `lower`.
    pub fn or(mut self, mut lower: ServeInput) -> Self {
        for (mine, theirs) in self.fields_mut().into_iter().zip(lower.fields_mut()) {
            if mine.is_none() {
                *mine = theirs.take();
            }
        }
        self
    }
}

/// TLS listener settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsListen {
    /// Address.
    pub addr: SocketAddr,
    /// Certificate chain (PEM).
    pub cert: PathBuf,
    /// Private key (PEM).
    pub key: PathBuf,
}

/// Validated sidecar settings.
#[derive(Clone, Debug, PartialEq)]
pub struct ServeSettings {
    /// Plain HTTP listener.
    pub listen: SocketAddr,
    /// TLS listener.
    pub tls: Option<TlsListen>,
    /// minFraud base URL.
    pub upstream: String,
    /// CA for the upstream.
    pub upstream_ca: Option<PathBuf>,
    /// Default policy (`None`: embedded).
    pub policy: Option<PathBuf>,
    /// Clients file (`None` only with the dangerous flag).
    pub clients: Option<PathBuf>,
    /// Admin listener.
    pub admin_listen: Option<SocketAddr>,
    /// Whole upstream call.
    pub upstream_timeout: Duration,
    /// Hash key file.
    pub hash_key_file: Option<PathBuf>,
    /// Audit log file (`None`: standard output).
    pub audit_log: Option<PathBuf>,
    /// Requests processed at once.
    pub max_concurrency: usize,
    /// Connections open at once per listener.
    pub max_connections: usize,
    /// How long an idle connection stays open.
    pub keep_alive_timeout: Duration,
    /// Apps may call without credentials (loopback only).
    pub dangerous_allow_unauthenticated: bool,
    /// Threads serving the API listeners.
    pub workers: usize,
    /// Shadow policy for clients without their own.
    pub shadow_policy: Option<PathBuf>,
    /// Funds (US dollars) under which a warning is logged.
    pub funds_warning: Option<f64>,
    /// Listener for /healthz and /readyz alone.
    pub health_listen: Option<SocketAddr>,
    /// How often the files a reload reads are checked for changes.
    pub watch_interval: Option<Duration>,
    /// HTTP proxy for the upstream, when set here rather than in `HTTPS_PROXY`.
    pub upstream_proxy: Option<String>,
}

/// Most worker threads `serve` starts.
pub const MAX_WORKERS: usize = 256;

fn seconds(name: &'static str, v: Option<String>, default: f64) -> Result<Duration, Error> {
    match v.map(|t| t.parse::<f64>()) {
        None => Ok(Duration::from_secs_f64(default)),
        Some(Ok(s)) if s > 0.0 && s.is_finite() && s < 1e9 => Ok(Duration::from_secs_f64(s)),
        Some(_) => Err(Error::Setting {
            name,
            message: "seconds, greater than zero".into(),
        }),
    }
}

fn positive(name: &'static str, v: Option<String>, default: usize) -> Result<usize, Error> {
    match v {
        None => Ok(default),
        Some(n) => n.parse().ok().filter(|n| *n > 0).ok_or(Error::Setting {
            name,
            message: "a positive integer".into(),
        }),
    }
}

fn addr(name: &'static str, v: &str) -> Result<SocketAddr, Error> {
    v.parse().map_err(|_| Error::Setting {
        name,
        message: format!("`{v}` is not an address:port"),
    })
}

fn tls_listen(
    addr_text: Option<String>,
    cert: Option<String>,
    key: Option<String>,
) -> Result<Option<TlsListen>, Error> {
    match (addr_text, cert, key) {
        (None, None, None) => Ok(None),
        (Some(a), Some(cert), Some(key)) => Ok(Some(TlsListen {
            addr: addr("tls_listen", &a)?,
            cert: cert.into(),
            key: key.into(),
        })),
        _ => Err(Error::Setting {
            name: "tls_listen",
            message: "--tls-listen, --tls-cert and --tls-key go together".into(),
        }),
    }
}

fn dollars(name: &'static str, v: Option<String>) -> Result<Option<f64>, Error> {
    match v.map(|t| t.parse::<f64>()) {
        None => Ok(None),
        Some(Ok(f)) if f.is_finite() && f >= 0.0 => Ok(Some(f)),
        Some(_) => Err(Error::Setting {
            name,
            message: "US dollars, zero or more".into(),
        }),
    }
}

fn switch(name: &'static str, v: Option<&str>) -> Result<bool, Error> {
    match v {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(Error::Setting {
            name,
            message: "true or false".into(),
        }),
    }
}

/// Apps authenticate with a clients file; only without one, by the
/// dangerous switch, and only when every listener is on loopback, do they
/// call without credentials.
fn who_may_call(
    clients: bool,
    dangerous: bool,
    listen: SocketAddr,
    tls: Option<&TlsListen>,
) -> Result<(), Error> {
    match (clients, dangerous) {
        (false, false) => Err(Error::Setting {
            name: "clients",
            message: "a clients file is required (--clients); only --dangerous-allow-unauthenticated on a loopback listener runs without one".into(),
        }),
        (true, true) => Err(Error::Setting {
            name: "dangerous_allow_unauthenticated",
            message: "give a clients file or the dangerous flag, not both".into(),
        }),
        (false, true) => {
            let all_loopback =
                listen.ip().is_loopback() && tls.is_none_or(|t| t.addr.ip().is_loopback());
            if all_loopback {
                Ok(())
            } else {
                Err(Error::Setting {
                    name: "dangerous_allow_unauthenticated",
                    message: "only allowed when every listener is on a loopback address".into(),
                })
            }
        }
        (true, false) => Ok(()),
    }
}

impl ServeSettings {
    /// Validates settings, before any port is bound.
    ///
    /// # Errors
    /// [`Error::Setting`] naming the setting.
    pub fn from_input(input: ServeInput) -> Result<Self, Error> {
        let listen = addr(
            "listen",
            input.listen.as_deref().unwrap_or("127.0.0.1:8080"),
        )?;
        let tls = tls_listen(input.tls_listen, input.tls_cert, input.tls_key)?;
        let upstream = input
            .upstream
            .unwrap_or_else(|| crate::client::DEFAULT_BASE_URL.to_owned());
        crate::client::check_base_url(&upstream).map_err(|message| Error::Setting {
            name: "upstream",
            message,
        })?;
        let upstream_timeout = seconds("upstream_timeout", input.upstream_timeout, 10.0)?;
        let keep_alive_timeout = seconds("keep_alive_timeout", input.keep_alive_timeout, 60.0)?;
        let max_concurrency = positive("max_concurrency", input.max_concurrency, 256)?;
        let max_connections = positive("max_connections", input.max_connections, 512)?;
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let workers = positive("workers", input.workers, cores)?;
        let funds_warning = dollars("funds_warning", input.funds_warning)?;
        if workers > MAX_WORKERS {
            return Err(Error::Setting {
                name: "workers",
                message: format!("at most {MAX_WORKERS}"),
            });
        }
        let dangerous = switch(
            "dangerous_allow_unauthenticated",
            input.dangerous_allow_unauthenticated.as_deref(),
        )?;
        let clients = input.clients.map(PathBuf::from);
        who_may_call(clients.is_some(), dangerous, listen, tls.as_ref())?;
        Ok(Self {
            listen,
            tls,
            upstream,
            upstream_ca: input.upstream_ca.map(PathBuf::from),
            policy: input.policy.map(PathBuf::from),
            clients,
            admin_listen: input
                .admin_listen
                .as_deref()
                .map(|a| addr("admin_listen", a))
                .transpose()?,
            upstream_timeout,
            hash_key_file: input.hash_key_file.map(PathBuf::from),
            audit_log: input.audit_log.map(PathBuf::from),
            max_concurrency,
            max_connections,
            keep_alive_timeout,
            dangerous_allow_unauthenticated: dangerous,
            workers,
            shadow_policy: input.shadow_policy.map(PathBuf::from),
            funds_warning,
            health_listen: input
                .health_listen
                .as_deref()
                .map(|a| addr("health_listen", a))
                .transpose()?,
            watch_interval: input
                .watch_interval
                .map(|v| seconds("watch_interval", Some(v), 0.0))
                .transpose()?,
            upstream_proxy: input.upstream_proxy,
        })
    }
}

#[cfg(test)]
mod serve_tests {
    use super::*;

    fn input(pairs: &[(&str, &str)]) -> ServeInput {
        let env: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (format!("TXVEIL_{}", k.to_uppercase()), (*v).to_owned()))
            .collect();
        ServeInput::from_env(&env)
    }

    #[test]
    fn flags_win_over_env_which_wins_over_the_file() {
        let flags = ServeInput {
            listen: Some("127.0.0.1:1".into()),
            ..Default::default()
        };
        let env = input(&[("listen", "127.0.0.1:2"), ("clients", "env.toml")]);
        let file = ServeInput {
            clients: Some("file.toml".into()),
            policy: Some("p.toml".into()),
            ..Default::default()
        };
        let merged = flags.or(env).or(file);
        assert_eq!(merged.listen.as_deref(), Some("127.0.0.1:1"));
        assert_eq!(merged.clients.as_deref(), Some("env.toml"));
        assert_eq!(merged.policy.as_deref(), Some("p.toml"));
        let s = ServeSettings::from_input(merged).unwrap();
        assert_eq!(s.upstream_timeout, Duration::from_secs(10));
        assert_eq!(s.upstream, "https://minfraud.maxmind.com");
    }

    #[test]
    fn refuses_unsafe_or_contradictory_settings() {
        let err = |pairs: &[(&str, &str)]| {
            ServeSettings::from_input(input(pairs))
                .unwrap_err()
                .to_string()
        };
        assert!(err(&[]).starts_with("clients: a clients file is required"));
        assert!(err(&[
            ("clients", "c"),
            ("upstream", "http://minfraud.example.com")
        ])
        .starts_with("upstream:"));
        assert!(
            err(&[("clients", "c"), ("tls_listen", "127.0.0.1:8443")]).starts_with("tls_listen:")
        );
        assert!(err(&[
            ("dangerous_allow_unauthenticated", "true"),
            ("listen", "0.0.0.0:8080")
        ])
        .contains("loopback"));
        assert!(err(&[("clients", "c"), ("upstream_timeout", "0")]).starts_with("upstream_timeout"));
        assert!(err(&[("clients", "c"), ("listen", "nope")]).starts_with("listen:"));
        assert!(err(&[("clients", "c"), ("workers", "0")]).starts_with("workers:"));
        for bad in ["-1", "ten", "inf", "NaN"] {
            assert!(err(&[("clients", "c"), ("funds_warning", bad)]).starts_with("funds_warning:"));
        }
        let s = ServeSettings::from_input(input(&[("clients", "c"), ("funds_warning", "25.5")]));
        assert_eq!(s.unwrap().funds_warning, Some(25.5));
        assert!(err(&[("clients", "c"), ("workers", "257")]).starts_with("workers: at most 256"));
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let default = ServeSettings::from_input(input(&[("clients", "c")])).unwrap();
        assert_eq!(default.workers, cores);
        let ok = ServeSettings::from_input(input(&[
            ("dangerous_allow_unauthenticated", "true"),
            ("upstream", "http://127.0.0.1:9"),
        ]));
        assert!(ok.unwrap().dangerous_allow_unauthenticated);
    }

    #[test]
    fn reads_a_config_file_with_bare_numbers() {
        let dir = std::env::temp_dir().join(format!("txveil-serve-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("txveil.toml");
        std::fs::write(
            &f,
            "clients = \"c.toml\"\nupstream_timeout = 2.5\nmax_concurrency = 8\n",
        )
        .unwrap();
        let s = ServeSettings::from_input(ServeInput::from_file(&f).unwrap()).unwrap();
        assert_eq!(
            (s.upstream_timeout, s.max_concurrency),
            (Duration::from_millis(2500), 8)
        );
        std::fs::write(&f, "listn = \"x\"\n").unwrap();
        assert!(ServeInput::from_file(&f)
            .unwrap_err()
            .to_string()
            .contains("key `listn`"));
    }
}

/// Every sidecar setting comes in by its three doors under agreeing names
/// (flag `--tls-listen`, config key `tls_listen`, environment
/// `TXVEIL_TLS_LISTEN`), each reaching the same one field, and the README's
/// flag table documents each under those names with the flag's help.
#[cfg(all(test, feature = "cli"))]
mod setting_names_tests {
    use super::*;
    use clap::{Args as _, FromArgMatches as _};

    fn command() -> clap::Command {
        ServeInput::augment_args(clap::Command::new("serve"))
    }

    /// Which fields are set.
    fn set(mut input: ServeInput) -> Vec<&'static str> {
        input
            .fields_mut()
            .into_iter()
            .zip(SERVE_KEYS)
            .filter(|(f, _)| f.is_some())
            .map(|(_, k)| *k)
            .collect()
    }

    #[test]
    fn every_setting_has_one_flag_one_config_key_and_one_environment_name() {
        let command = command();
        let args: Vec<_> = command
            .get_arguments()
            .filter(|a| a.get_id() != "help")
            .collect();
        assert_eq!(args.len(), SERVE_KEYS.len(), "one flag per setting");
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        for (arg, key) in args.iter().zip(SERVE_KEYS) {
            let flag = key.replace('_', "-");
            let env = env_name(key);
            assert_eq!(arg.get_long(), Some(flag.as_str()), "{key}");
            assert_eq!(env, format!("TXVEIL_{}", key.to_uppercase()));
            // A bare flag (the dangerous switch) means `true`.
            let (value, mut argv) = match arg.get_num_args().map(|n| n.takes_values()) {
                Some(false) => ("true", vec!["serve".to_owned(), format!("--{flag}")]),
                _ => ("v1", vec!["serve".into(), format!("--{flag}"), "v1".into()]),
            };
            let from_flag =
                ServeInput::from_arg_matches(&self::command().try_get_matches_from(&argv).unwrap())
                    .unwrap();
            let from_env = ServeInput::from_env(&HashMap::from([(env.clone(), value.into())]));
            let from_file = ServeInput::parse(&format!("{key} = \"{value}\"\n"), "t.toml").unwrap();
            assert_eq!(set(from_flag.clone()), [*key]);
            assert_eq!(from_flag, from_env, "{key}");
            assert_eq!(from_env, from_file, "{key}");
            argv.truncate(1);
            assert_eq!(
                set(
                    ServeInput::from_arg_matches(&self::command().get_matches_from(&argv)).unwrap()
                ),
                Vec::<&str>::new()
            );
            // The README's row: `--flag VALUE` | `key` / `TXVEIL_KEY` | help.
            let shown = match arg.get_value_names() {
                Some([name]) if value != "true" => format!("--{flag} {name}"),
                _ => format!("--{flag}"),
            };
            let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
            let row = format!("| `{shown}` | `{key}` / `{env}` | {help} |");
            assert!(readme.lines().any(|l| l == row), "README lacks: {row}");
        }
    }

    #[test]
    fn the_unauthenticated_switch_parses_as_a_plain_flag_does() {
        // A bare boolean flag of clap, as the switch was declared before it
        // became a setting with a value: every command line is taken or
        // refused alike.
        let plain = clap::Command::new("serve").arg(
            clap::Arg::new("dangerous_allow_unauthenticated")
                .long("dangerous-allow-unauthenticated")
                .action(clap::ArgAction::SetTrue),
        );
        let flag = "--dangerous-allow-unauthenticated";
        let lines: [&[&str]; 5] = [
            &[],
            &[flag],
            &[flag, flag],
            &["--dangerous-allow-unauthenticated=false"],
            &[flag, "true"],
        ];
        for line in lines {
            let argv: Vec<&str> = std::iter::once("serve")
                .chain(line.iter().copied())
                .collect();
            let ours = command().try_get_matches_from(&argv).map(|m| {
                ServeInput::from_arg_matches(&m)
                    .unwrap()
                    .dangerous_allow_unauthenticated
            });
            let theirs = plain.clone().try_get_matches_from(&argv).map(|m| {
                m.get_flag("dangerous_allow_unauthenticated")
                    .then(|| "true".to_owned())
            });
            match (ours, theirs) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{line:?}"),
                (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind(), "{line:?}"),
                (a, b) => panic!("{line:?}: {a:?} against {b:?}"),
            }
        }
    }
}

// === File permissions ===

/// A start-up warning about who may use `path`: a secret file (license key,
/// hash key) readable by group or others, or a clients file writable by
/// others. `None` when the permissions are fine or cannot be read.
pub fn permission_warning(setting: &str, path: &Path, secret: bool) -> Option<String> {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let meta = std::fs::metadata(path).ok()?;
    let mode = meta.permissions().mode() & 0o777;
    // A secret readable by its group is fine when that group is the
    // process's own primary group: Kubernetes gives Secret files to the
    // pod's fsGroup (root:fsGroup, mode 0440 from defaultMode 0400), and
    // with runAsGroup equal to fsGroup no one outside the pod holds it.
    let own_group = meta.gid() == effective_gid().unwrap_or(u32::MAX) && meta.gid() != 0;
    let group_read = if own_group { 0o004 } else { 0o044 };
    let problem = if secret {
        (mode & group_read != 0).then_some("is readable by group or others; chmod 600 it")
    } else {
        (mode & 0o002 != 0).then_some("is writable by others; chmod o-w it")
    }?;
    Some(format!(
        "{setting}: {} {problem} (mode {mode:03o})",
        path.display()
    ))
}

/// The process's effective group id (Linux: from /proc/self/status).
fn effective_gid() -> Option<u32> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("Gid:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[cfg(test)]
mod permission_tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn file_with_mode(name: &str, mode: u32) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("txveil-perm-{}-{name}", std::process::id()));
        std::fs::write(&path, "x").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        path
    }

    #[test]
    fn warns_about_readable_secrets_and_writable_clients_files() {
        let open_key = file_with_mode("key-644", 0o644);
        let closed_key = file_with_mode("key-600", 0o600);
        let open_clients = file_with_mode("clients-666", 0o666);
        let fine_clients = file_with_mode("clients-644", 0o644);
        let w = permission_warning("license key file", &open_key, true).unwrap();
        assert!(
            w.contains("readable by group or others") && w.contains("644"),
            "{w}"
        );
        assert_eq!(permission_warning("k", &closed_key, true), None);
        let w = permission_warning("clients", &open_clients, false).unwrap();
        assert!(w.contains("writable by others"), "{w}");
        assert_eq!(permission_warning("clients", &fine_clients, false), None);
        for p in [open_key, closed_key, open_clients, fine_clients] {
            let _ = std::fs::remove_file(p);
        }
    }
}
