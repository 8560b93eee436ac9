//! `txveil clients add`: a new app token without a manual. The token is
//! random, printed once on standard output (a terminal or a pipe into a
//! secret store, never a file), and only its SHA-256 digest is written
//! down: appended to the clients file, or shown for the operator to add.

use base64::Engine as _;
use ring::rand::{SecureRandom as _, SystemRandom};
use sha2::{Digest as _, Sha256};
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use txveil::client::Service;
use txveil::server::auth::Clients;
use zeroize::Zeroizing;

/// The account id given to the first client when none is asked for.
const FIRST_ACCOUNT_ID: u32 = 1001;

/// Random bytes in a token: 256 bits, as many as its digest.
const TOKEN_BYTES: usize = 32;

/// What `clients add` was asked for.
pub(super) struct AddRequest {
    pub(super) name: String,
    pub(super) account_id: Option<u32>,
    pub(super) endpoints: Vec<String>,
    pub(super) policy: Option<PathBuf>,
    pub(super) clients: Option<PathBuf>,
}

/// Makes the token and the entry, writes the entry where asked and prints
/// the token once. Nothing is written when anything is wrong.
pub(super) fn add(req: &AddRequest) -> Result<(), String> {
    if stdout_is_a_file() {
        return Err(
            "the token is printed once on standard output, which is a file here: \
                    refusing to write a secret to a file (print it to a terminal, or pipe it \
                    into your secret store)"
                .into(),
        );
    }
    check_name(&req.name)?;
    for e in &req.endpoints {
        if !Service::ALL.iter().any(|s| s.name() == e) {
            return Err(format!(
                "unknown endpoint `{e}` (score, insights, factors, report)"
            ));
        }
    }
    let existing = match &req.clients {
        Some(path) => read_if_present(path)?,
        None => None,
    };
    let account_id = match req.account_id {
        Some(0) => return Err("--account-id must be positive".into()),
        Some(id) => id,
        None => next_account_id(existing.as_deref(), req.clients.as_deref())?,
    };
    let token = new_token()?;
    let digest = hex(&Sha256::digest(token.as_bytes()));
    let entry = entry_text(req, account_id, &digest);

    match &req.clients {
        Some(path) => {
            let mut text = existing.unwrap_or_default();
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&entry);
            // The file as it will be must load as the sidecar loads it.
            Clients::parse(&text, &path.display().to_string()).map_err(|e| e.to_string())?;
            write_replacing(path, &text)?;
            eprintln!(
                "txveil: added client `{}` (account id {account_id}) to {}; its token is \
                 on standard output and is not stored anywhere",
                req.name,
                path.display()
            );
        }
        None => {
            eprintln!(
                "txveil: add this entry to the clients file; the token is on standard \
                 output and is not stored anywhere:\n\n{entry}"
            );
        }
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", token.as_str())
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot print the token: {e}"))?;
    if std::io::stdout().is_terminal() {
        eprintln!(
            "txveil: the app passes account id {account_id} and this token as its minFraud \
             account id and license key"
        );
    }
    Ok(())
}

/// Whether standard output is a regular file (a redirection, `> file`).
fn stdout_is_a_file() -> bool {
    std::fs::metadata("/proc/self/fd/1").is_ok_and(|m| m.is_file())
}

fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err("a client name is 1 to 64 of A-Z, a-z, 0-9, `-`, `_`, `.` \
             (it shows in logs, audit records and metric labels)"
            .into())
    }
}

fn read_if_present(path: &Path) -> Result<Option<String>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!(
            "{}: cannot read: {}",
            path.display(),
            txveil::file::reason(&e)
        )),
    }
}

/// One past the highest account id in the clients file, or the first.
fn next_account_id(text: Option<&str>, path: Option<&Path>) -> Result<u32, String> {
    let Some(text) = text else {
        return Ok(FIRST_ACCOUNT_ID);
    };
    let file = path.map(|p| p.display().to_string()).unwrap_or_default();
    let clients = Clients::parse(text, &file).map_err(|e| e.to_string())?;
    let highest = clients.entries().map(|c| c.account_id).max();
    match highest {
        None => Ok(FIRST_ACCOUNT_ID),
        Some(h) => h
            .checked_add(1)
            .ok_or_else(|| "no account id is left above the highest one; give --account-id".into()),
    }
}

fn new_token() -> Result<Zeroizing<String>, String> {
    let mut bytes = Zeroizing::new([0u8; TOKEN_BYTES]);
    SystemRandom::new()
        .fill(bytes.as_mut())
        .map_err(|_| "the system's random source failed".to_owned())?;
    let mut token = Zeroizing::new(String::with_capacity(7 + 43));
    token.push_str("txveil_");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode_string(bytes.as_ref(), &mut token);
    Ok(token)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn entry_text(req: &AddRequest, account_id: u32, digest: &str) -> String {
    let mut s = format!(
        "[[client]]\nname = \"{}\"\naccount_id = {account_id}\ntoken_sha256 = \"{digest}\"\n",
        req.name
    );
    if !req.endpoints.is_empty() {
        let list: Vec<String> = req.endpoints.iter().map(|e| format!("\"{e}\"")).collect();
        s.push_str(&format!("endpoints = [{}]\n", list.join(", ")));
    }
    if let Some(policy) = &req.policy {
        let p = toml::Value::String(policy.display().to_string());
        s.push_str(&format!("policy = {p}\n"));
    }
    s
}

/// Writes `text` to a new file beside `path`, then renames it over `path`,
/// so a reader (a reloading sidecar) sees the old file or the new one. A
/// new file is readable by its owner only; an existing one keeps its mode.
fn write_replacing(path: &Path, text: &str) -> Result<(), String> {
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    let fail = |e: std::io::Error| {
        format!(
            "{}: cannot write: {}",
            path.display(),
            txveil::file::reason(&e)
        )
    };
    let mode = std::fs::metadata(path).map_or(0o600, |m| m.permissions().mode() & 0o7777);
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.txveil-new"));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(&tmp)
        .map_err(fail)?;
    let written = f
        .write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .and_then(|()| std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(mode)))
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(())
}
