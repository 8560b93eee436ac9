//! Any bytes as a policy file: compiling never panics, and an error names a
//! line within the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = txveil::policy::parse(text, "fuzz.toml") {
        let lines = text.lines().count() + 1;
        let message = e.to_string();
        let line = e.line.expect("a policy error names a line");
        assert!(
            (1..=lines).contains(&line),
            "line {line} of {lines}: {message}"
        );
        assert!(message.starts_with("fuzz.toml"), "{message}");
    }
});
