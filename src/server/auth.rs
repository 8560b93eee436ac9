//! Inbound authentication: the sidecar's clients file.
//!
//! Apps authenticate with HTTP Basic, as the official clients already do, but
//! with a *local* account id and token listed here, never MaxMind's. The token
//! is stored as its SHA-256 and compared in constant time. The clients file
//! (keys are a contract; more may be added):
//!
//! ```toml
//! [[client]]
//! name = "legacy-checkout"          # shows in logs and audit records
//! account_id = 1001                 # what the app passes as its account id
//! token_sha256 = "9f86d08..."       # hex SHA-256 of the token the app passes as its license key
//! endpoints = ["score", "insights"] # optional; default: all four
//! policy = "policies/minimal.toml"  # optional; default: the sidecar's --policy
//! rate_limit = { per_second = 50, burst = 100 }   # optional; default: none
//! shadow_policy = "policies/candidate.toml"      # optional; evaluated, never forwarded
//! ```
//!
//! Relative `policy` and `shadow_policy` paths are read from the clients
//! file's own directory, so the file works wherever the sidecar is started
//! from. `burst` defaults to `per_second`.

use crate::client::Service;
use crate::policy::line_of;
use base64::Engine as _;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use subtle::ConstantTimeEq;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClients {
    #[serde(default)]
    client: Vec<Spanned<RawClient>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClient {
    name: String,
    account_id: u32,
    token_sha256: String,
    endpoints: Option<Spanned<Vec<String>>>,
    policy: Option<PathBuf>,
    rate_limit: Option<Spanned<RawRateLimit>>,
    shadow_policy: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRateLimit {
    per_second: i64,
    burst: Option<i64>,
}

/// A client's request rate: a sustained rate and the burst allowed above it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RateLimit {
    /// Requests per second, sustained.
    pub per_second: u32,
    /// Requests allowed at once after a quiet spell.
    pub burst: u32,
}

/// One app allowed to use the sidecar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientEntry {
    /// Shown in logs and audit records.
    pub name: String,
    /// The local account id the app sends.
    pub account_id: u32,
    token_sha256: [u8; 32],
    /// The services the app may call.
    pub endpoints: Vec<Service>,
    /// Its own policy file, if not the sidecar's default.
    pub policy: Option<PathBuf>,
    /// Its request rate limit, if any.
    pub rate_limit: Option<RateLimit>,
    /// A candidate policy evaluated beside the real one, never forwarded.
    pub shadow_policy: Option<PathBuf>,
    /// The line of its `[[client]]` table in the clients file.
    pub line: usize,
}

/// The clients file, validated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Clients {
    by_account: HashMap<u32, ClientEntry>,
}

/// Why a clients file cannot be used; names the file, line and key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ClientsError {
    /// The file.
    pub file: String,
    /// The line at fault, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl Clients {
    /// Reads and validates a clients file.
    ///
    /// # Errors
    /// [`ClientsError`] naming the file, line and key.
    pub fn load(path: &Path) -> Result<Self, ClientsError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ClientsError {
            file: file.clone(),
            line: None,
            message: format!("cannot read: {}", crate::file::reason(&e)),
        })?;
        let mut clients = Self::parse(&text, &file)?;
        if let Some(dir) = path.parent() {
            for entry in clients.by_account.values_mut() {
                for policy in [&mut entry.policy, &mut entry.shadow_policy] {
                    if let Some(policy) = policy.as_mut().filter(|p| p.is_relative()) {
                        *policy = dir.join(&*policy);
                    }
                }
            }
        }
        Ok(clients)
    }

    /// Validates clients-file text; `file` names it in errors.
    ///
    /// # Errors
    /// [`ClientsError`] naming the file, line and key.
    pub fn parse(text: &str, file: &str) -> Result<Self, ClientsError> {
        let err = |span: Option<std::ops::Range<usize>>, message: String| ClientsError {
            file: file.to_owned(),
            line: span.map(|s| line_of(text, s.start)),
            message,
        };
        let raw: RawClients = toml::from_str(text).map_err(|e| {
            let message = e.message().trim();
            let message = match e.span().and_then(|s| key_at(text, s.start)) {
                Some(key) if !message.contains(&format!("`{key}`")) => {
                    format!("key `{key}`: {message}")
                }
                _ => message.to_owned(),
            };
            err(e.span(), message)
        })?;
        let mut by_account = HashMap::new();
        let mut names = std::collections::HashSet::new();
        for c in raw.client {
            let span = Some(c.span());
            let c = c.into_inner();
            let digest = parse_digest(&c.token_sha256).ok_or_else(|| {
                err(
                    span.clone(),
                    format!(
                        "client `{}`: key `token_sha256` must be 64 hex digits",
                        c.name
                    ),
                )
            })?;
            let empty: [u8; 32] = Sha256::digest(b"").into();
            if digest == empty {
                return Err(err(
                    span.clone(),
                    format!(
                        "client `{}`: key `token_sha256` is the SHA-256 of the empty string (was the token's variable unset?); an empty token would authenticate",
                        c.name
                    ),
                ));
            }
            let endpoints = match &c.endpoints {
                None => Service::ALL.to_vec(),
                Some(list) => list
                    .get_ref()
                    .iter()
                    .map(|e| {
                        Service::ALL.into_iter().find(|s| s.name() == e).ok_or_else(|| {
                            err(Some(list.span()), format!("client `{}`: key `endpoints`: unknown endpoint `{e}` (score, insights, factors, report)", c.name))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            };
            let rate_limit = match &c.rate_limit {
                None => None,
                Some(r) => {
                    let at = Some(r.span());
                    let r = r.get_ref();
                    let positive = |key: &str, n: i64| {
                        u32::try_from(n).ok().filter(|n| *n > 0).ok_or_else(|| {
                            err(
                                at.clone(),
                                format!(
                                    "client `{}`: key `rate_limit.{key}` must be a whole number from 1 to {}",
                                    c.name,
                                    u32::MAX
                                ),
                            )
                        })
                    };
                    let per_second = positive("per_second", r.per_second)?;
                    let burst = positive("burst", r.burst.unwrap_or(i64::from(per_second)))?;
                    Some(RateLimit { per_second, burst })
                }
            };
            if c.account_id == 0 {
                return Err(err(
                    span,
                    format!("client `{}`: key `account_id` must be positive", c.name),
                ));
            }
            if !names.insert(c.name.clone()) {
                return Err(err(
                    span,
                    format!("client `{}`: key `name` is used twice", c.name),
                ));
            }
            let entry = ClientEntry {
                name: c.name,
                account_id: c.account_id,
                token_sha256: digest,
                endpoints,
                policy: c.policy,
                rate_limit,
                shadow_policy: c.shadow_policy,
                line: span.as_ref().map_or(0, |s| line_of(text, s.start)),
            };
            if let Some(other) = by_account.insert(entry.account_id, entry) {
                return Err(err(
                    span,
                    format!(
                        "key `account_id` {} is used twice (client `{}`)",
                        other.account_id, other.name
                    ),
                ));
            }
        }
        if by_account.is_empty() {
            return Err(err(None, "no [[client]] entries".into()));
        }
        Ok(Self { by_account })
    }

    /// Every client.
    pub fn entries(&self) -> impl Iterator<Item = &ClientEntry> {
        self.by_account.values()
    }

    /// The client whose credentials these are, checking the token in
    /// constant time.
    ///
    /// The token's digest is computed and compared whether or not the
    /// account id is known (against a digest no token has, for an unknown
    /// one), so the time taken does not tell which account ids exist.
    pub fn authenticate(&self, credentials: &BasicCredentials) -> Option<&ClientEntry> {
        /// Compared with when the account id is unknown: the digest of no
        /// token (SHA-256 output is not all ones for any known input).
        const NO_TOKEN: [u8; 32] = [0xff; 32];
        let entry = self.by_account.get(&credentials.account_id);
        let expected = entry.map_or(&NO_TOKEN, |e| &e.token_sha256);
        let digest: [u8; 32] = Sha256::digest(credentials.token.as_bytes()).into();
        let matches = bool::from(digest.ct_eq(expected));
        entry.filter(|_| matches)
    }
}

// === Failed authentication ===

/// How many failed authentications a source address may make: a sustained
/// rate per second and a burst. The failure that finds the bucket empty has
/// had its token checked, so past the burst a source has at most twice the
/// rate of tokens checked.
pub const SOURCE_FAILURES: (u32, u32) = (5, 20);

/// How many failed authentications one account id may see, from all
/// sources together.
pub const ACCOUNT_FAILURES: (u32, u32) = (10, 50);

/// Keys tracked before the oldest idle ones are forgotten.
const MAX_TRACKED: usize = 65_536;

/// What a failed authentication is counted against.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
enum Key {
    Source(std::net::IpAddr),
    Account(u32),
}

/// Throttles credential guessing: failed authentications are counted per
/// source address and per account id (GCRA buckets, governor); once a
/// bucket is spent, requests from that source or for that account are
/// answered 429 without their token being checked, until it refills.
pub struct FailureThrottle {
    per_source: governor::DefaultKeyedRateLimiter<std::net::IpAddr>,
    per_account: governor::DefaultKeyedRateLimiter<u32>,
    /// Keys whose bucket is spent, and until when.
    blocked: std::sync::Mutex<HashMap<Key, std::time::Instant>>,
}

impl std::fmt::Debug for FailureThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FailureThrottle")
    }
}

impl Default for FailureThrottle {
    fn default() -> Self {
        Self::new(SOURCE_FAILURES, ACCOUNT_FAILURES)
    }
}

impl FailureThrottle {
    /// Allows `per_source` and `per_account` failures, each as (per second,
    /// burst).
    pub fn new(per_source: (u32, u32), per_account: (u32, u32)) -> Self {
        let quota = |(rate, burst): (u32, u32)| {
            let n = |x| std::num::NonZeroU32::new(x).unwrap_or(std::num::NonZeroU32::MIN);
            governor::Quota::per_second(n(rate)).allow_burst(n(burst))
        };
        Self {
            per_source: governor::RateLimiter::keyed(quota(per_source)),
            per_account: governor::RateLimiter::keyed(quota(per_account)),
            blocked: std::sync::Mutex::new(HashMap::new()),
        }
    }

    fn blocked(&self) -> std::sync::MutexGuard<'_, HashMap<Key, std::time::Instant>> {
        match self.blocked.lock() {
            Ok(b) => b,
            Err(p) => p.into_inner(),
        }
    }

    /// `Err(wait)` while `source` or `account` has spent its failures.
    ///
    /// # Errors
    /// How long until a request from there may be tried again.
    pub fn check(
        &self,
        source: Option<std::net::IpAddr>,
        account: Option<u32>,
    ) -> Result<(), std::time::Duration> {
        let now = std::time::Instant::now();
        let blocked = self.blocked();
        let until = [source.map(Key::Source), account.map(Key::Account)]
            .into_iter()
            .flatten()
            .filter_map(|k| blocked.get(&k).copied())
            .filter(|t| *t > now)
            .max();
        match until {
            Some(t) => Err(t - now),
            None => Ok(()),
        }
    }

    /// Counts one failed authentication from `source` for `account`.
    pub fn failed(&self, source: Option<std::net::IpAddr>, account: Option<u32>) {
        use governor::clock::{Clock as _, DefaultClock};
        let clock = DefaultClock::default();
        let mut spent = Vec::new();
        if let Some(ip) = source {
            if let Err(n) = self.per_source.check_key(&ip) {
                spent.push((Key::Source(ip), n.wait_time_from(clock.now())));
            }
        }
        if let Some(id) = account {
            if let Err(n) = self.per_account.check_key(&id) {
                spent.push((Key::Account(id), n.wait_time_from(clock.now())));
            }
        }
        if self.per_source.len() > MAX_TRACKED {
            self.per_source.retain_recent();
        }
        if self.per_account.len() > MAX_TRACKED {
            self.per_account.retain_recent();
        }
        if spent.is_empty() {
            return;
        }
        let now = std::time::Instant::now();
        let mut blocked = self.blocked();
        if blocked.len() >= MAX_TRACKED {
            blocked.retain(|_, t| *t > now);
            self.per_source.retain_recent();
            self.per_account.retain_recent();
        }
        for (key, wait) in spent {
            blocked.insert(key, now + wait);
        }
    }
}

/// The key written on the line holding byte `at` of `text`, when that line
/// is a `key = value` pair.
fn key_at(text: &str, at: usize) -> Option<String> {
    let start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let (key, _) = text[start..].split_once('=')?;
    let key = key.trim().trim_matches('"');
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
    plain.then(|| key.to_owned())
}

fn parse_digest(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim();
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in hex.as_bytes().chunks(2).enumerate() {
        let s = std::str::from_utf8(pair).ok()?;
        out[i] = u8::from_str_radix(s, 16).ok()?;
    }
    Some(out)
}

/// Credentials from an `Authorization: Basic` header. The token is wiped on drop.
pub struct BasicCredentials {
    /// The account id the app sent.
    pub account_id: u32,
    token: zeroize::Zeroizing<String>,
}

impl std::fmt::Debug for BasicCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicCredentials")
            .field("account_id", &self.account_id)
            .finish_non_exhaustive()
    }
}

/// Parses an `Authorization` header value; `None` if it is not Basic
/// credentials with a numeric account id.
pub fn parse_basic(header: &str) -> Option<BasicCredentials> {
    let (scheme, rest) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = zeroize::Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(rest.trim())
            .ok()?,
    );
    let text = std::str::from_utf8(&decoded).ok()?;
    let (id, token) = text.split_once(':')?;
    Some(BasicCredentials {
        account_id: id.parse().ok()?,
        token: zeroize::Zeroizing::new(token.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // sha256("test") = 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    const FILE: &str = r#"
[[client]]
name = "legacy-checkout"
account_id = 1001
token_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
endpoints = ["score", "insights"]
policy = "policies/minimal.toml"

[[client]]
name = "reports"
account_id = 1002
token_sha256 = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"
"#;

    fn creds(id: u32, token: &str) -> BasicCredentials {
        let header = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{id}:{token}"))
        );
        parse_basic(&header).unwrap()
    }

    #[test]
    fn authenticates_with_the_token_digest() {
        let clients = Clients::parse(FILE, "clients.toml").unwrap();
        let c = clients.authenticate(&creds(1001, "test")).unwrap();
        assert_eq!(c.name, "legacy-checkout");
        assert_eq!(c.endpoints, [Service::Score, Service::Insights]);
        assert_eq!(
            clients
                .authenticate(&creds(1002, "test"))
                .unwrap()
                .endpoints
                .len(),
            4
        );
        assert!(clients.authenticate(&creds(1001, "tesT")).is_none());
        assert!(clients.authenticate(&creds(9999, "test")).is_none());
        assert!(parse_basic("Bearer x").is_none());
        assert!(parse_basic("Basic !!!").is_none());
        assert!(parse_basic(&format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("abc:x")
        ))
        .is_none());
        assert!(!format!("{:?}", creds(1001, "test")).contains("test"));
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let bad = FILE.replace("\"insights\"]", "\"insight\"]");
        let e = Clients::parse(&bad, "clients.toml").unwrap_err();
        assert_eq!(e.line, Some(6));
        assert!(
            e.to_string()
                .starts_with("clients.toml:6: client `legacy-checkout`: key `endpoints`"),
            "{e}"
        );
        let e = Clients::parse(
            "[[client]]\nname = \"a\"\naccount_id = 1\ntoken_sha256 = \"abc\"\n",
            "c",
        )
        .unwrap_err();
        assert!(e.to_string().contains("token_sha256"));
        let e = Clients::parse(
            "[[client]]\nname = \"a\"\naccount_id = 1\ntoken = \"x\"\n",
            "c",
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown field `token`"), "{e}");
        let e = Clients::parse(
            "[[client]]\nname = \"a\"\naccount_id = \"x\"\ntoken_sha256 = \"abc\"\n",
            "c",
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("c:3: key `account_id`: "), "{e}");
        let dup = format!(
            "{FILE}\n[[client]]\nname = \"x\"\naccount_id = 1001\ntoken_sha256 = \"{}\"\n",
            "0".repeat(64)
        );
        assert!(Clients::parse(&dup, "c")
            .unwrap_err()
            .to_string()
            .contains("used twice"));
        assert!(Clients::parse("", "c").is_err());
    }

    #[test]
    fn the_digest_of_the_empty_token_is_refused_naming_file_line_and_key() {
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        for digest in [empty.to_owned(), empty.to_uppercase()] {
            let text = format!(
                "[[client]]\nname = \"a\"\naccount_id = 1\ntoken_sha256 = \"{}\"\n\n[[client]]\nname = \"b\"\naccount_id = 2\ntoken_sha256 = \"{digest}\"\n",
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
            );
            let e = Clients::parse(&text, "clients.toml").unwrap_err();
            assert_eq!(e.line, Some(6), "{e}");
            let shown = e.to_string();
            assert!(
                shown.starts_with("clients.toml:6: client `b`: key `token_sha256` is the SHA-256 of the empty string"),
                "{shown}"
            );
        }
    }

    #[test]
    fn reads_rate_limits_and_shadow_policies() {
        let file = format!(
            "{FILE}rate_limit = {{ per_second = 5, burst = 20 }}\nshadow_policy = \"candidate.toml\"\n"
        );
        let clients = Clients::parse(&file, "clients.toml").unwrap();
        let reports = clients.authenticate(&creds(1002, "test")).unwrap();
        assert_eq!(
            reports.rate_limit,
            Some(RateLimit {
                per_second: 5,
                burst: 20
            })
        );
        assert_eq!(reports.shadow_policy, Some(PathBuf::from("candidate.toml")));
        let other = clients.authenticate(&creds(1001, "test")).unwrap();
        assert_eq!(
            (other.rate_limit, other.shadow_policy.as_ref()),
            (None, None)
        );
        let no_burst = format!("{FILE}rate_limit = {{ per_second = 7 }}\n");
        let c = Clients::parse(&no_burst, "c").unwrap();
        assert_eq!(
            c.authenticate(&creds(1002, "test")).unwrap().rate_limit,
            Some(RateLimit {
                per_second: 7,
                burst: 7
            })
        );
        for (bad, key) in [
            ("per_second = 0", "rate_limit.per_second"),
            ("per_second = -3", "rate_limit.per_second"),
            ("per_second = 5, burst = 0", "rate_limit.burst"),
            ("per_second = 99999999999", "rate_limit.per_second"),
        ] {
            let text = format!("{FILE}\n\nrate_limit = {{ {bad} }}\n");
            let e = Clients::parse(&text, "clients.toml").unwrap_err();
            let line = text[..text.find("rate_limit").unwrap()]
                .matches('\n')
                .count()
                + 1;
            assert_eq!(e.line, Some(line), "{e}");
            assert!(e.to_string().contains(&format!("key `{key}`")), "{e}");
            assert!(e.to_string().contains("client `reports`"), "{e}");
        }
        let e =
            Clients::parse(&format!("{FILE}rate_limit = {{ per_minute = 5 }}\n"), "c").unwrap_err();
        assert!(e.to_string().contains("per_minute"), "{e}");
    }
}
