//! Helpers shared by the integration tests.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository root.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path under the repository root.
pub(crate) fn path(rel: &str) -> PathBuf {
    root().join(rel)
}

/// Runs the real `txveil` binary with `args` and `stdin`.
pub(crate) fn txveil(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_txveil"))
        .args(args)
        .current_dir(root())
        .env_remove("TXVEIL_HASH_KEY_FILE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn txveil");
    let mut input = child.stdin.take().expect("stdin");
    // A command that fails early (bad flags) exits without reading its input.
    match input.write_all(stdin) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.expect("write stdin"),
    }
    drop(input);
    child.wait_with_output().expect("wait txveil")
}

/// Standard output as text.
pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes `text` to a fresh file in a temporary directory and returns its path.
pub(crate) fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("txveil-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write temp file");
    p
}

/// Reads a file under the repository root.
pub(crate) fn read(rel: impl AsRef<Path>) -> String {
    std::fs::read_to_string(root().join(rel)).expect("read file")
}

/// `text` fit for a failure message: in every run of 12 or more digits (any
/// script; spaces, `-`, `.` and `/` between them, as card numbers are
/// written), the digits are shown as `#`, so that a failing test cannot print
/// a card number that got through. Shorter numbers (amounts, codes) stay.
pub(crate) fn shown(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let separator = |c: char| c.is_whitespace() || matches!(c, '-' | '.' | '/');
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_numeric() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let mut end = i;
        let mut digits = 0;
        while end < chars.len() && (chars[end].is_numeric() || separator(chars[end])) {
            digits += usize::from(chars[end].is_numeric());
            end += 1;
        }
        for &c in &chars[i..end] {
            out.push(if digits >= 12 && c.is_numeric() {
                '#'
            } else {
                c
            });
        }
        i = end;
    }
    out
}

#[test]
fn shown_masks_card_length_digit_runs_only() {
    assert_eq!(
        shown("card 4111 1111 1111 1111, ok"),
        "card #### #### #### ####, ok"
    );
    assert_eq!(
        shown("５５５５５５５５５５５５４４４４"),
        "################"
    );
    assert_eq!(shown("4111-1111-1111-1111/12"), "####-####-####-####/##");
    assert_eq!(
        shown("amount 323.21, phone 323-123-4321"),
        "amount 323.21, phone 323-123-4321"
    );
}

/// A loopback port free at the time of asking, for a listener the sidecar
/// binds itself.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether the embedded default policy refuses the transaction `request`
/// for a card number.
pub(crate) fn refused_as_pan(request: serde_json::Value) -> bool {
    static POLICY: std::sync::OnceLock<txveil::Policy> = std::sync::OnceLock::new();
    let policy = POLICY.get_or_init(|| txveil::Policy::embedded_default().unwrap());
    matches!(
        txveil::sanitize_value(policy, txveil::schema::Endpoint::Transaction, request),
        Err(e) if e.code() == "PAN_DETECTED"
    )
}

/// The cases a test ran and the ones that leaked, each named by a
/// description that holds no card (and is shown masked all the same).
#[derive(Default)]
pub(crate) struct Leaks {
    total: usize,
    leaked: Vec<String>,
}

impl Leaks {
    /// Counts one case; when it did not `hold`, keeps its description.
    pub(crate) fn case(&mut self, held: bool, describe: impl FnOnce() -> String) {
        self.total += 1;
        if !held {
            self.leaked.push(shown(&describe()));
        }
    }

    /// Asserts that at least `at_least` cases ran and that none leaked.
    #[track_caller]
    pub(crate) fn assert_none(&self, at_least: usize) {
        let total = self.total;
        assert!(total >= at_least, "{total} cases, fewer than {at_least}");
        assert!(
            self.leaked.is_empty(),
            "{} of {total} leaked:\n{}",
            self.leaked.len(),
            self.leaked.join("\n")
        );
    }
}

#[test]
fn leaks_fail_on_a_leaked_case_or_too_few_cases() {
    let mut leaks = Leaks::default();
    leaks.case(true, || unreachable!("a held case is not described"));
    leaks.assert_none(1);
    let few = std::panic::catch_unwind(|| leaks.assert_none(2));
    assert!(few.is_err());
    leaks.case(false, || "field 3".into());
    let leaked = std::panic::catch_unwind(|| leaks.assert_none(1));
    assert!(leaked.is_err());
}
