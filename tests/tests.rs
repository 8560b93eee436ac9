//! txveil integration tests: one binary (see Cargo.toml `autotests = false`).

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod address_forms;
mod cli;
mod client;
mod corpus;
mod deploy;
mod doubles;
mod fuzz_regressions;
mod golden;
mod hashed_and_echoed;
mod neighbouring_digits;
mod nested_readings;
mod operations;
mod pan_quality;
mod pki;
mod policy_files;
mod policy_tools;
mod properties;
mod readings;
mod sidecar;
mod sidecar_e2e;
mod sidecar_guard;
mod split_and_glued;
mod startup;
mod upstream;
mod username_digest;
mod util;
