//! Any bytes as a config file: parsing and validating never panic, and an
//! error names the file or the setting.
#![no_main]

use libfuzzer_sys::fuzz_target;
use txveil::config::{ServeInput, ServeSettings};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match ServeInput::parse(text, "txveil.toml") {
        Ok(input) => {
            let _ = ServeSettings::from_input(input);
        }
        Err(e) => assert!(e.to_string().contains("txveil.toml"), "{e}"),
    }
});
