//! Command-line surface (a contract: see DESIGN.md). Exit codes: 0 success,
//! 1 a rejected request (or an I/O failure in `--lines` mode), 2 usage or
//! policy errors.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{self, BufRead, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use txveil::policy::{self, Policy};
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
    /// Input file, or - for standard input.
    #[arg(default_value = "-")]
    file: String,
}

#[derive(Debug, Subcommand)]
enum PolicyCommand {
    /// Validate policy files; errors name file:line:key. Exit 0 when all are valid.
    Check {
        /// Policy files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

pub(crate) fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Sanitize(args) => sanitize(args),
        Command::Policy(PolicyCommand::Check { files }) => policy_check(&files),
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
            let bytes =
                Zeroizing::new(std::fs::read(file).map_err(|e| {
                    format!("{}: cannot read hash key: {}", file.display(), e.kind())
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
        Box::new(io::BufReader::new(io::stdin().lock()))
    } else {
        match std::fs::File::open(&args.file) {
            Ok(f) => Box::new(io::BufReader::new(f)),
            Err(e) => return usage_error(format!("{}: {}", args.file, e.kind())),
        }
    };
    if args.lines {
        return match sanitize_lines(&policy, endpoint, &mut input) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("txveil: {}", e.kind());
                ExitCode::from(1)
            }
        };
    }
    let mut body = Vec::new();
    if let Err(e) = input.read_to_end(&mut body) {
        return usage_error(format!("{}: {}", args.file, e.kind()));
    }
    match txveil::sanitize_request(&policy, endpoint, &body) {
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

fn sanitize_lines(policy: &Policy, endpoint: Endpoint, input: &mut dyn BufRead) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut line = Vec::with_capacity(4096);
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        let body = line.strip_suffix(b"\n").unwrap_or(&line);
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        match txveil::sanitize_request(policy, endpoint, body) {
            Ok(s) => serde_json::to_writer(&mut out, s.body())?,
            Err(r) => serde_json::to_writer(
                &mut out,
                &serde_json::json!({"error": {"code": r.code(), "path": r.path.to_string()}}),
            )?,
        }
        out.write_all(b"\n")?;
    }
    out.flush()
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
