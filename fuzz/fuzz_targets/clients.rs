//! Any bytes as a clients file: parsing never panics, an error names the file
//! and a line within it, and never echoes a token digest.
#![no_main]

use libfuzzer_sys::fuzz_target;
use txveil::server::auth::Clients;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = Clients::parse(text, "clients.toml") {
        let lines = text.lines().count() + 1;
        if let Some(line) = e.line {
            assert!((1..=lines).contains(&line), "line {line} of {lines}");
        }
        assert_eq!(e.file, "clients.toml");
    }
});
