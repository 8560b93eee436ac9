//! txveil integration tests: one binary (see Cargo.toml `autotests = false`).
