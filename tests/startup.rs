//! `txveil serve` refusing to start: every file it reads missing or
//! unreadable, every port it binds already taken. Each refusal is one line on
//! standard error naming the setting or path and the reason, and exit code 2;
//! never a panic.
//!
//! Unreadable files are made so by their mode. Root reads any file whatever
//! its mode, so when the tests run as root, every start-up here runs as the
//! unprivileged user 65534 (util-linux `setpriv`), owner of the files.

use crate::sidecar::{app_token_sha256, MAXMIND_KEY};
use std::os::unix::fs::PermissionsExt as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The unprivileged user the start-ups run as when the tests run as root.
const NOBODY: u32 = 65534;

fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        == Some("0")
}

/// A directory holding every file a TLS sidecar with an audit log reads.
struct Files {
    dir: PathBuf,
}

impl Files {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("txveil-startup-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("audit")).unwrap();
        let pki = crate::pki::TestPki::new();
        let policy = std::fs::read_to_string(crate::util::path("policies/default.toml")).unwrap();
        let clients = format!(
            "[[client]]\nname = \"app\"\naccount_id = 1001\ntoken_sha256 = \"{}\"\n",
            app_token_sha256()
        );
        let files: [(&str, &str, u32); 7] = [
            ("cert.pem", &pki.cert_pem, 0o644),
            ("key.pem", &pki.key_pem, 0o600),
            ("ca.pem", &pki.ca_pem, 0o644),
            ("clients.toml", &clients, 0o644),
            ("policy.toml", &policy, 0o644),
            ("license-key", &format!("{MAXMIND_KEY}\n"), 0o600),
            (
                "hash-key",
                "a-hash-key-of-at-least-thirty-two-bytes!",
                0o600,
            ),
        ];
        for (name, text, mode) in files {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        std::fs::write(
            dir.join("txveil.toml"),
            format!("clients = \"{}\"\n", dir.join("clients.toml").display()),
        )
        .unwrap();
        if running_as_root() {
            let chown = Command::new("chown")
                .args(["-R", &format!("{NOBODY}:{NOBODY}")])
                .arg(&dir)
                .status()
                .unwrap();
            assert!(chown.success());
        }
        Self { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_str().unwrap().to_owned()
    }

    /// `txveil serve` reading every file of the directory, with its ports.
    fn command(&self, listen: &str, tls: &str, admin: &str) -> Command {
        let mut command = if running_as_root() {
            let mut c = Command::new("setpriv");
            c.args([
                &format!("--reuid={NOBODY}"),
                &format!("--regid={NOBODY}"),
                "--clear-groups",
                "--",
                env!("CARGO_BIN_EXE_txveil"),
            ]);
            c
        } else {
            Command::new(env!("CARGO_BIN_EXE_txveil"))
        };
        command
            .arg("serve")
            .args(["--config", &self.path("txveil.toml")])
            .args([
                "--listen",
                listen,
                "--tls-listen",
                tls,
                "--admin-listen",
                admin,
            ])
            .args(["--tls-cert", &self.path("cert.pem")])
            .args(["--tls-key", &self.path("key.pem")])
            .args(["--upstream", "https://127.0.0.1:1"])
            .args(["--upstream-ca", &self.path("ca.pem")])
            .args(["--policy", &self.path("policy.toml")])
            .args(["--hash-key-file", &self.path("hash-key")])
            .args(["--audit-log", &self.path("audit/audit.jsonl")])
            .env_remove("MAXMIND_LICENSE_KEY")
            .env_remove("TXVEIL_LOG")
            .env("MAXMIND_ACCOUNT_ID", "42")
            .env("MAXMIND_LICENSE_KEY_FILE", self.path("license-key"))
            .current_dir(&self.dir);
        command
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `command` until it exits (at most 10 s: a sidecar that started
/// instead of refusing is killed) and returns its exit code and standard error.
fn refusal(mut command: Command) -> (Option<i32>, String) {
    let log = tempfile_path("stderr");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let err = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    (code, err)
}

fn tempfile_path(name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    std::env::temp_dir().join(format!(
        "txveil-startup-{}-{}-{name}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ))
}

/// One line on standard error, containing every piece of `wanted`, and no
/// panic or secret.
fn assert_one_line(what: &str, code: Option<i32>, err: &str, wanted: &[&str]) {
    assert_eq!(code, Some(2), "{what}: exit code; stderr: {err}");
    assert_eq!(err.lines().count(), 1, "{what}: one line: {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert!(!err.contains(MAXMIND_KEY), "{what}: the key is printed");
    for w in wanted {
        assert!(err.contains(w), "{what}: wanted `{w}` in: {err}");
    }
}

/// Every file `txveil serve` reads at start-up, as a path in [`Files`].
const READ: &[&str] = &[
    "txveil.toml",
    "clients.toml",
    "policy.toml",
    "license-key",
    "hash-key",
    "cert.pem",
    "key.pem",
    "ca.pem",
];

const ANY: &str = "127.0.0.1:0";

#[test]
fn a_missing_file_is_one_line_naming_it_no_such_file_and_exit_2() {
    let files = Files::new("missing");
    for name in READ {
        let path = files.path(name);
        std::fs::rename(&path, format!("{path}.away")).unwrap();
        let (code, err) = refusal(files.command(ANY, ANY, ANY));
        assert_one_line(name, code, &err, &[&path, "no such file or directory"]);
        std::fs::rename(format!("{path}.away"), &path).unwrap();
    }
    // The audit log's directory is missing.
    let audit = files.dir.join("audit");
    std::fs::rename(&audit, files.dir.join("audit.away")).unwrap();
    let (code, err) = refusal(files.command(ANY, ANY, ANY));
    assert_one_line(
        "audit_log",
        code,
        &err,
        &[
            "audit_log",
            &files.path("audit/audit.jsonl"),
            "no such file",
        ],
    );
}

#[test]
fn an_unreadable_file_is_one_line_naming_it_permission_denied_and_exit_2() {
    let files = Files::new("unreadable");
    for name in READ {
        let path = files.path(name);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
        let (code, err) = refusal(files.command(ANY, ANY, ANY));
        assert_one_line(name, code, &err, &[&path, "permission denied"]);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    // The audit log's directory cannot be written (the runs above made the
    // log before refusing a policy they could not read).
    let audit = files.dir.join("audit");
    let _ = std::fs::remove_file(audit.join("audit.jsonl"));
    std::fs::set_permissions(&audit, std::fs::Permissions::from_mode(0o555)).unwrap();
    let (code, err) = refusal(files.command(ANY, ANY, ANY));
    assert_one_line(
        "audit_log",
        code,
        &err,
        &[
            "audit_log",
            &files.path("audit/audit.jsonl"),
            "permission denied",
        ],
    );
}

#[test]
fn a_busy_port_is_one_line_naming_the_listener_and_exit_2_not_a_panic() {
    let files = Files::new("busy");
    let holder = std::net::TcpListener::bind(ANY).unwrap();
    let busy = holder.local_addr().unwrap().to_string();
    let cases = [
        ("listen", files.command(&busy, ANY, ANY)),
        ("tls_listen", files.command(ANY, &busy, ANY)),
        ("admin_listen", files.command(ANY, ANY, &busy)),
    ];
    for (setting, command) in cases {
        let (code, err) = refusal(command);
        assert_one_line(
            setting,
            code,
            &err,
            &[
                &format!("{setting}: cannot listen on {busy}"),
                "address already in use",
            ],
        );
    }
    // Every file and port is fine: the same command starts (the refusals
    // above came from the port alone).
    let mut fine = files.command(ANY, ANY, ANY);
    let mut child = fine
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let still_running = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        still_running,
        "the sidecar did not start with every file and port fine"
    );
    drop(holder);
}

/// Standard error of `command` after it has run for a second (then killed).
fn first_second(mut command: Command) -> String {
    let log = tempfile_path("stderr");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    let _ = child.kill();
    let _ = child.wait();
    let err = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    err
}

#[test]
fn a_key_readable_by_the_processs_own_group_is_not_warned_about_as_kubernetes_mounts_it() {
    // A Secret volume with defaultMode 0400 and the pod's fsGroup: the
    // kubelet makes the files root:fsGroup, mode 0440; the container runs
    // with that group. Readable by others is still warned about.
    use std::os::unix::fs::MetadataExt as _;
    let files = Files::new("group-key");
    let key = files.path("license-key");
    let gid = if running_as_root() {
        NOBODY
    } else {
        std::fs::metadata(&files.dir).unwrap().gid()
    };
    if running_as_root() {
        let chown = Command::new("chown")
            .arg(format!("0:{gid}"))
            .arg(&key)
            .status()
            .unwrap();
        assert!(chown.success());
    }
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o440)).unwrap();
    let err = first_second(files.command(ANY, ANY, ANY));
    assert!(err.contains("serving minFraud API"), "{err}");
    assert!(!err.contains("readable by group or others"), "{err}");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o444)).unwrap();
    let err = first_second(files.command(ANY, ANY, ANY));
    assert!(
        err.contains("license key file") && err.contains("readable by group or others"),
        "{err}"
    );
}
