//! Command-line surface, a contract: the commands, flags and exit codes are
//! README.md's "The command line" and "The sidecar" sections (its "Flags"
//! table), and docs/operations.md for `serve`. Exit codes: 0 success,
//! 1 a rejected request (or an I/O failure in `--lines` mode), 2 usage or
//! policy errors.

mod clients;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{self, BufRead, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use txveil::policy::explain::Format;
use txveil::policy::{self, diff, explain, Policy};
use txveil::policy_test;
use txveil::schema::Endpoint;
use txveil::secret::HashKey;
use zeroize::Zeroizing;

/// Makes minFraud requests privacy-safe: hashes emails and usernames,
/// truncates cards, finds PANs anywhere, and applies a field policy.
#[derive(Debug, Parser)]
#[command(name = "txveil", version)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sanitize one JSON request (or JSON Lines with --lines) and print the result.
    Sanitize(SanitizeArgs),
    /// Check, explain, compare or test policy files.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Run the sidecar: minFraud's HTTP API in front of legacy services.
    ///
    /// Every flag can also be set in the config file (--config, same names
    /// with `_`) or the environment (TXVEIL_LISTEN, ...); flags win. MaxMind
    /// credentials come only from MAXMIND_ACCOUNT_ID and
    /// MAXMIND_LICENSE_KEY_FILE (or MAXMIND_LICENSE_KEY).
    Serve(Box<ServeArgs>),
    /// Manage the sidecar's clients file.
    #[command(subcommand)]
    Clients(ClientsCommand),
}

#[derive(Debug, Subcommand)]
enum ClientsCommand {
    /// Make a new app token: print it once on standard output and write only
    /// its SHA-256 digest, as a [[client]] entry, to the clients file.
    ///
    /// The token goes to a terminal or a pipe (a secret store), never to a
    /// file: with standard output redirected to a file nothing is made.
    /// Without --clients the entry is shown on standard error to add by hand.
    Add {
        /// The client's name (shown in logs, audit records and metrics).
        name: String,
        /// Clients file to append the entry to (created when missing).
        #[arg(long, value_name = "FILE")]
        clients: Option<PathBuf>,
        /// The account id the app will send [default: one past the highest in the file, or 1001].
        #[arg(long, value_name = "N")]
        account_id: Option<u32>,
        /// The services it may call (comma-separated) [default: all four].
        #[arg(long, value_name = "LIST", value_delimiter = ',')]
        endpoints: Vec<String>,
        /// Its own policy file (relative paths: from the clients file's directory).
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Config file (TOML) with any of the settings below.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The sidecar's settings, declared once in `txveil::config`.
    #[command(flatten)]
    settings: txveil::config::ServeInput,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum EndpointArg {
    Transaction,
    Report,
}

impl From<EndpointArg> for Endpoint {
    fn from(e: EndpointArg) -> Self {
        match e {
            EndpointArg::Transaction => Endpoint::Transaction,
            EndpointArg::Report => Endpoint::Report,
        }
    }
}

#[derive(Debug, Args)]
struct SanitizeArgs {
    /// Policy file (default: the embedded policies/default.toml).
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Which request body the input is.
    #[arg(long, value_enum, default_value = "transaction")]
    endpoint: EndpointArg,
    /// JSON Lines in, JSON Lines out: one output line per input line, in order.
    #[arg(long)]
    lines: bool,
    /// File holding the key for keyed_hash actions and card fingerprints
    /// (also TXVEIL_HASH_KEY_FILE).
    #[arg(long, env = "TXVEIL_HASH_KEY_FILE")]
    hash_key_file: Option<PathBuf>,
    /// Longest request read, in bytes (each line with --lines): a longer one
    /// is refused with REQUEST_TOO_LARGE.
    #[arg(long, value_name = "BYTES", default_value_t = txveil::DEFAULT_MAX_REQUEST_BYTES)]
    max_request_bytes: usize,
    /// Input file, or - for standard input.
    #[arg(default_value = "-")]
    file: String,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Text,
    Markdown,
    Json,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Text => Format::Text,
            FormatArg::Markdown => Format::Markdown,
            FormatArg::Json => Format::Json,
        }
    }
}

#[derive(Debug, Subcommand)]
enum PolicyCommand {
    /// Validate policy files; errors name file:line:key. Exit 0 when all are valid.
    Check {
        /// Policy files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Show what a policy does to every field.
    Explain {
        /// Policy file.
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: FormatArg,
    },
    /// Compare field treatment of two policies; exit 1 when anything loosens.
    ///
    /// OLD and NEW are files, `-` for standard input, or `REV:PATH` read
    /// with `git show` (for example `main:policies/default.toml`).
    Diff {
        /// The policy before the change.
        old: String,
        /// The policy after the change.
        new: String,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: FormatArg,
    },
    /// Run the policies' [[test]] cases and report rule coverage.
    Test {
        /// Policy files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Fail when a policy's rule coverage is below this percentage.
        #[arg(long, value_name = "PCT")]
        min_coverage: Option<f64>,
    },
}

pub(crate) fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Sanitize(args) => sanitize(args),
        Command::Policy(PolicyCommand::Check { files }) => policy_check(&files),
        Command::Policy(PolicyCommand::Explain { file, format }) => {
            policy_explain(&file, format.into())
        }
        Command::Policy(PolicyCommand::Diff { old, new, format }) => {
            policy_diff(&old, &new, format.into())
        }
        Command::Policy(PolicyCommand::Test {
            files,
            min_coverage,
        }) => policy_test(&files, min_coverage),
        Command::Serve(args) => serve::run(*args),
        Command::Clients(ClientsCommand::Add {
            name,
            clients,
            account_id,
            endpoints,
            policy,
        }) => {
            let req = clients::AddRequest {
                name,
                account_id,
                endpoints,
                policy,
                clients,
            };
            match clients::add(&req) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => usage_error(e),
            }
        }
    }
}

fn usage_error(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("txveil: {message}");
    ExitCode::from(2)
}

fn load_policy(path: Option<&Path>, hash_key_file: Option<&Path>) -> Result<Policy, String> {
    let policy = match path {
        Some(p) => policy::load(p),
        None => Policy::embedded_default(),
    }
    .map_err(|e| e.to_string())?;
    match hash_key_file {
        Some(file) => {
            let bytes = Zeroizing::new(std::fs::read(file).map_err(|e| {
                format!(
                    "{}: cannot read hash key: {}",
                    file.display(),
                    txveil::file::reason(&e)
                )
            })?);
            let key = HashKey::try_new(bytes).map_err(|e| format!("{}: {e}", file.display()))?;
            Ok(policy.with_hash_key(Arc::new(key)))
        }
        None if policy.requires_hash_key() => Err(format!(
            "{}: the policy uses keyed_hash or a fingerprint; give --hash-key-file",
            policy.origin()
        )),
        None => Ok(policy),
    }
}

fn sanitize(args: SanitizeArgs) -> ExitCode {
    let policy = match load_policy(args.policy.as_deref(), args.hash_key_file.as_deref()) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let endpoint = Endpoint::from(args.endpoint);
    let mut input: Box<dyn BufRead> = if args.file == "-" {
        Box::new(io::BufReader::with_capacity(
            INPUT_BUFFER,
            io::stdin().lock(),
        ))
    } else {
        match std::fs::File::open(&args.file) {
            Ok(f) => Box::new(io::BufReader::with_capacity(INPUT_BUFFER, f)),
            Err(e) => return usage_error(format!("{}: {}", args.file, txveil::file::reason(&e))),
        }
    };
    if args.lines {
        let max = args.max_request_bytes;
        return match sanitize_lines(&policy, endpoint, max, &mut input) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("txveil: {}", e.kind());
                ExitCode::from(1)
            }
        };
    }
    // One byte past the limit is enough to refuse the request.
    let limit = u64::try_from(args.max_request_bytes).map_or(u64::MAX, |m| m.saturating_add(1));
    let mut body = Vec::new();
    if let Err(e) = input.take(limit).read_to_end(&mut body) {
        return usage_error(format!("{}: {}", args.file, txveil::file::reason(&e)));
    }
    match txveil::sanitize_request_limited(&policy, endpoint, &body, args.max_request_bytes) {
        Ok(s) => {
            println!("{}", s.to_json());
            ExitCode::SUCCESS
        }
        Err(r) => {
            eprintln!("{r}");
            ExitCode::from(1)
        }
    }
}

/// How much of the input `sanitize` reads at once: a large buffer takes a
/// file in few reads, and nearly every line lies wholly inside it.
const INPUT_BUFFER: usize = 1 << 20;

/// JSON Lines in, one result line out per line. A line that lies wholly in
/// the reader's buffer is sanitized where it lies; only a line that runs
/// past the buffer's end is gathered into a copy, and no more than `max`
/// bytes of it (a longer line is answered with REQUEST_TOO_LARGE).
fn sanitize_lines(
    policy: &Policy,
    endpoint: Endpoint,
    max: usize,
    input: &mut dyn BufRead,
) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut carried: Vec<u8> = Vec::new();
    // The current line has run past `max`: the rest of it is skipped.
    let mut too_large = false;
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let used = match memchr::memchr(b'\n', buf) {
            Some(end) if carried.is_empty() && !too_large => {
                answer_line(policy, endpoint, max, &buf[..end], &mut out)?;
                end + 1
            }
            Some(end) => {
                if too_large || carried.len() + end > max.saturating_add(1) {
                    answer_too_large(&mut out)?;
                } else {
                    carried.extend_from_slice(&buf[..end]);
                    answer_line(policy, endpoint, max, &carried, &mut out)?;
                }
                carried.clear();
                too_large = false;
                end + 1
            }
            None => {
                if !too_large && carried.len() + buf.len() > max.saturating_add(1) {
                    too_large = true;
                    carried.clear();
                }
                if !too_large {
                    carried.extend_from_slice(buf);
                }
                buf.len()
            }
        };
        input.consume(used);
    }
    // A last line without a newline.
    if too_large {
        answer_too_large(&mut out)?;
    } else if !carried.is_empty() {
        answer_line(policy, endpoint, max, &carried, &mut out)?;
    }
    out.flush()
}

fn answer_too_large(out: &mut impl Write) -> io::Result<()> {
    out.write_all(br#"{"error":{"code":"REQUEST_TOO_LARGE","path":""}}"#)?;
    out.write_all(b"\n")
}

/// Sanitizes one line (its `\r` before the newline taken off) and writes
/// the result, or the rejection, as one line.
fn answer_line(
    policy: &Policy,
    endpoint: Endpoint,
    max: usize,
    line: &[u8],
    out: &mut impl Write,
) -> io::Result<()> {
    let body = line.strip_suffix(b"\r").unwrap_or(line);
    match txveil::sanitize_request_limited(policy, endpoint, body, max) {
        Ok(s) => out.write_all(s.json())?,
        Err(r) => serde_json::to_writer(
            &mut *out,
            &serde_json::json!({"error": {"code": r.code(), "path": r.path.to_string()}}),
        )?,
    }
    out.write_all(b"\n")
}

fn policy_check(files: &[PathBuf]) -> ExitCode {
    let mut failed = false;
    for file in files {
        match policy::load(file) {
            Ok(p) => println!("ok {} sha256:{}", file.display(), p.digest()),
            Err(e) => {
                eprintln!("{e}");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

fn policy_explain(file: &Path, format: Format) -> ExitCode {
    match policy::load(file) {
        Ok(p) => {
            print!("{}", explain::render(&p, format));
            ExitCode::SUCCESS
        }
        Err(e) => usage_error(e),
    }
}

/// Reads a policy named on the command line: a file, `-` for standard input,
/// or `REV:PATH` from git when no such file exists.
fn read_policy_arg(arg: &str) -> Result<Policy, String> {
    if arg == "-" {
        let mut text = String::new();
        io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("standard input: {}", e.kind()))?;
        return policy::parse(&text, "<stdin>").map_err(|e| e.to_string());
    }
    let path = Path::new(arg);
    if path.exists() || !arg.contains(':') {
        return policy::load(path).map_err(|e| e.to_string());
    }
    let out = std::process::Command::new("git")
        .args(["show", arg])
        .output()
        .map_err(|e| format!("{arg}: cannot run git: {}", e.kind()))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("{arg}: git show failed: {}", err.trim()));
    }
    let text = String::from_utf8(out.stdout).map_err(|_| format!("{arg}: not UTF-8"))?;
    policy::parse(&text, arg).map_err(|e| e.to_string())
}

fn policy_diff(old: &str, new: &str, format: Format) -> ExitCode {
    let (old, new) = match (read_policy_arg(old), read_policy_arg(new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return usage_error(e),
    };
    let changes = diff::diff(&old, &new);
    print!("{}", diff::render(&old, &new, &changes, format));
    if diff::loosens(&changes) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn policy_test(files: &[PathBuf], min_coverage: Option<f64>) -> ExitCode {
    let mut failed = false;
    for file in files {
        let p = match policy::load(file) {
            Ok(p) => p,
            Err(e) => return usage_error(e),
        };
        let run = policy_test::run(&p);
        println!("{}", file.display());
        for case in &run.cases {
            match &case.failure {
                None => println!("  ok    {} (line {})", case.name, case.line),
                Some(why) => {
                    failed = true;
                    println!("  FAIL  {} (line {})\n    {why}", case.name, case.line);
                }
            }
        }
        let uncovered: Vec<_> = run.rules.iter().filter(|r| !r.covered).collect();
        let coverage = run.coverage();
        println!(
            "  {} passed, {} failed; coverage {:.1}% ({} of {} rules)",
            run.cases.iter().filter(|c| c.failure.is_none()).count(),
            run.cases.iter().filter(|c| c.failure.is_some()).count(),
            coverage,
            run.rules.len() - uncovered.len(),
            run.rules.len()
        );
        for r in &uncovered {
            match r.line {
                Some(line) => println!(
                    "  not covered: [{}] {} ({}:{line})",
                    r.scope,
                    r.rule,
                    file.display()
                ),
                None => println!("  not covered: {}", r.rule),
            }
        }
        if min_coverage.is_some_and(|min| coverage + 1e-9 < min) {
            println!("  coverage {coverage:.1}% is below --min-coverage");
            failed = true;
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

mod serve {
    use super::{usage_error, ServeArgs};
    use std::process::ExitCode;
    use txveil::config::{Env, ServeInput, ServeSettings, Source};
    use txveil::server::run::{self, Refused};

    /// Reads the settings (flags, then the environment, then the config
    /// file), sets up logging and runs the sidecar until it is stopped.
    pub(super) fn run(args: ServeArgs) -> ExitCode {
        let level = Env
            .get("TXVEIL_LOG")
            .and_then(|l| l.parse().ok())
            .unwrap_or(tracing::Level::INFO);
        use std::io::IsTerminal as _;
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .with_max_level(level)
            .init();
        let flags = args.settings;
        let file = match &args.config {
            Some(path) => match ServeInput::from_file(path) {
                Ok(f) => f,
                Err(e) => return usage_error(e),
            },
            None => ServeInput::default(),
        };
        let settings =
            match ServeSettings::from_input(flags.or(ServeInput::from_env(&Env)).or(file)) {
                Ok(s) => s,
                Err(e) => return usage_error(e),
            };
        match run::run(&settings, std::future::pending()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e @ Refused::Runtime(_)) => {
                eprintln!("txveil: {e}");
                ExitCode::from(1)
            }
            Err(Refused::Start(message)) => usage_error(message),
        }
    }
}
