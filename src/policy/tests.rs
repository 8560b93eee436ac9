use super::*;

fn err(src: &str) -> Error {
    parse(src, "p.toml").unwrap_err()
}

#[test]
fn shipped_policies_compile() {
    let p = Policy::embedded_default().unwrap();
    assert_eq!(p.unlisted(), Unlisted::Drop);
    assert_eq!(p.on_pan(), OnPan::Reject);
    assert_eq!(p.digest().len(), 64);
    assert_eq!(
        p.action_for(Endpoint::Transaction, "billing.city"),
        Some(&Action::Keep)
    );
    assert_eq!(
        p.action_for(Endpoint::Transaction, "email.address"),
        Some(&Action::HashEmail)
    );
    // The wildcard never sweeps raw fields in.
    assert_eq!(
        p.action_for(Endpoint::Transaction, "custom_inputs.anything"),
        Some(&Action::Keep)
    );
    assert!(!p.requires_hash_key());
}

#[test]
fn typo_in_a_path_names_file_line_key_and_a_suggestion() {
    let e = err("version = 1\n[transaction]\n\"billing.adress\" = \"keep\"\n");
    assert_eq!(e.line, Some(3));
    assert_eq!(e.key.as_deref(), Some("billing.adress"));
    assert_eq!(
        e.kind,
        ErrorKind::UnknownField(Some("billing.address".into()))
    );
    assert_eq!(
        e.to_string(),
        "p.toml:3: key `billing.adress`: unknown field (did you mean `billing.address`?)"
    );
}

#[test]
fn unknown_actions_and_disallowed_actions_are_errors() {
    let e = err("version = 1\n[transaction]\n\"billing.city\" = \"kep\"\n");
    assert_eq!(
        e.kind,
        ErrorKind::UnknownAction {
            name: "kep".into(),
            suggestion: Some("keep".into()),
            valid: vec!["keep", "drop", "reject", "keyed_hash"].into(),
        }
    );
    assert_eq!(
        e.to_string(),
        "p.toml:3: key `billing.city`: unknown action `kep` (did you mean `keep`?); \
         this field takes keep, drop, reject, keyed_hash"
    );
    // The suggestion comes from what the field takes.
    let e = err("version = 1\n[transaction]\n\"email.address\" = \"hash_emial\"\n");
    assert!(
        e.to_string().ends_with(
            "(did you mean `hash_email`?); this field takes keep, drop, reject, hash_email"
        ),
        "{e}"
    );
    let e = err("version = 1\n[transaction]\n\"account.username\" = \"hashusername\"\n");
    assert!(
        e.to_string().contains("did you mean `hash_username`?"),
        "{e}"
    );
    // Nothing close: no guess, but still the list.
    let e = err("version = 1\n[transaction]\n\"billing.city\" = \"obliterate\"\n");
    assert!(
        e.to_string().ends_with(
            "unknown action `obliterate`; this field takes keep, drop, reject, keyed_hash"
        ),
        "{e}"
    );
    let e = err("version = 1\n[transaction]\n\"credit_card.number\" = \"keep\"\n");
    assert!(matches!(e.kind, ErrorKind::ActionNotAllowed { .. }), "{e}");
    let e = err("version = 1\n[transaction]\n\"account.username\" = \"keep\"\n");
    assert!(matches!(e.kind, ErrorKind::ActionNotAllowed { .. }));
    let e = err("version = 1\n[report]\n\"notes\" = \"hash_email\"\n");
    assert!(matches!(e.kind, ErrorKind::ActionNotAllowed { .. }));
}

#[test]
fn bad_options_settings_and_versions_are_errors() {
    let e = err("version = 1\n[transaction]\n\"credit_card.number\" = { action = \"truncate_pan\", iin = 7 }\n");
    assert_eq!(e.line, Some(3));
    assert!(matches!(e.kind, ErrorKind::BadOption(_)));
    let e = err("version = 1\n[transaction]\n\"billing.city\" = { action = \"keep\", iin = 6 }\n");
    assert!(matches!(e.kind, ErrorKind::BadOption(_)));
    let e = err("version = 1\nunlisted = \"allow\"\n");
    assert_eq!((e.line, e.key.as_deref()), (Some(2), Some("unlisted")));
    let e = err("version = 2\n");
    assert_eq!(e.kind, ErrorKind::UnsupportedVersion);
    let e = err("version = 1\nunknown = 1\n");
    assert_eq!(e.line, Some(2));
    let e = err("version = 1\n[transaction\n");
    assert!(matches!(e.kind, ErrorKind::Syntax(_)));
    let e = err("");
    assert!(matches!(e.kind, ErrorKind::Syntax(_)), "{e}");
    let e = err("version = 1\n[transaction]\n\"custom_inputs.Bad-Key\" = \"keep\"\n");
    assert!(matches!(e.kind, ErrorKind::BadOption(_)));
}

#[test]
fn exact_paths_override_wildcards_whatever_the_order() {
    let p = parse(
        "version = 1\n[transaction]\n\"billing.city\" = \"drop\"\n\"billing.*\" = \"keep\"\n",
        "p",
    )
    .unwrap();
    assert_eq!(
        p.action_for(Endpoint::Transaction, "billing.city"),
        Some(&Action::Drop)
    );
    assert_eq!(
        p.action_for(Endpoint::Transaction, "billing.postal"),
        Some(&Action::Keep)
    );
}

#[test]
fn keyed_hash_needs_a_key_and_debug_hides_it() {
    let p = parse(
        "version = 1\n[transaction]\n\"custom_inputs.fp\" = \"keyed_hash\"\n",
        "p",
    )
    .unwrap();
    assert!(p.requires_hash_key());
    let key =
        crate::secret::HashKey::try_new(zeroize::Zeroizing::new(b"0123456789abcdef".to_vec()))
            .unwrap();
    let p = p.with_hash_key(Arc::new(key));
    assert!(!format!("{p:?}").contains("0123456789abcdef"));
}

#[test]
fn digest_is_sha256_of_the_file_bytes() {
    let p = parse("version = 1\n", "p").unwrap();
    // printf 'version = 1\n' | sha256sum
    assert_eq!(
        p.digest(),
        "dbab12665d98aef021ba64953c61b0ed8a908cfb56a1c01e2fcb4b052b71a2a1"
    );
}

#[test]
fn on_username_is_optional_and_checked() {
    let p = parse("version = 1\n[transaction]\n", "p.toml").unwrap();
    assert_eq!(p.on_username(), OnUsername::Hash);
    for (value, want) in [
        ("keep", OnUsername::Keep),
        ("hash", OnUsername::Hash),
        ("redact", OnUsername::Redact),
        ("reject", OnUsername::Reject),
    ] {
        let p = parse(
            &format!("version = 1\non_username = \"{value}\"\n"),
            "p.toml",
        )
        .unwrap();
        assert_eq!(p.on_username(), want);
    }
    let e = err("version = 1\non_username = \"drop\"\n");
    assert_eq!((e.line, e.key.as_deref()), (Some(2), Some("on_username")));
    let old = parse("version = 1\non_username = \"hash\"\n", "old").unwrap();
    let new = parse("version = 1\non_username = \"keep\"\n", "new").unwrap();
    let changes = diff::diff(&old, &new);
    assert!(changes.iter().any(|c| c.subject == "on_username"));
}

#[test]
fn card_digest_search_is_optional_and_checked() {
    let p = parse("version = 1\n[transaction]\n", "p.toml").unwrap();
    assert_eq!(p.card_digest_search(), CardDigestSearch::OtherFields);
    for (value, want) in [
        ("other_fields", CardDigestSearch::OtherFields),
        ("all_fields", CardDigestSearch::AllFields),
        ("off", CardDigestSearch::Off),
    ] {
        let p = parse(
            &format!("version = 1\ncard_digest_search = \"{value}\"\n"),
            "p.toml",
        )
        .unwrap();
        assert_eq!(p.card_digest_search(), want);
        assert_eq!(p.card_digest_search().name(), value);
    }
    let e = err("version = 1\ncard_digest_search = \"on\"\n");
    assert_eq!(
        (e.line, e.key.as_deref()),
        (Some(2), Some("card_digest_search"))
    );
    let old = parse("version = 1\n", "old").unwrap();
    let new = parse("version = 1\ncard_digest_search = \"off\"\n", "new").unwrap();
    let changes = diff::diff(&old, &new);
    assert!(changes
        .iter()
        .any(|c| c.subject == "card_digest_search" && c.direction == diff::Direction::Loosening));
}

#[test]
fn shape_mistakes_are_explained_in_the_policys_terms() {
    // (source, line, key, words the message must hold)
    let cases: &[(&str, usize, &str, &str)] = &[
        (
            "version = 1\n[transaction]\nemail.address = \"hash_email\"\n",
            3,
            "email.address",
            "quote the field path: `\"email.address\" = ...`",
        ),
        (
            "version = 1\n[report]\n\"notes\" = \"keep\"\nip_address.x = \"keep\"\n",
            4,
            "ip_address.x",
            "unquoted dotted key",
        ),
        (
            "version = 1\n[transaction]\nemail.address = { action = \"hash_email\" }\n",
            3,
            "email.address",
            "unquoted dotted key",
        ),
        (
            "version = 1\ntransaction = \"keep\"\n",
            2,
            "transaction",
            "write `[transaction]`",
        ),
        (
            "version = 1\n[[report]]\n\"notes\" = \"keep\"\n",
            2,
            "report",
            "write `[report]`",
        ),
        (
            "version = 1\non_pan = [\"reject\"]\n",
            2,
            "on_pan",
            "`on_pan` is a string",
        ),
        ("version = \"1\"\n", 1, "version", "`version = 1`"),
        (
            "version = 1\n[test]\nname = \"x\"\ninput = \"{}\"\n",
            2,
            "test",
            "`[[test]]`",
        ),
    ];
    for (source, line, key, words) in cases {
        let e = err(source);
        assert!(matches!(e.kind, ErrorKind::Shape(_)), "{source}: {e}");
        assert_eq!(e.line, Some(*line), "{source}: {e}");
        assert_eq!(e.key.as_deref(), Some(*key), "{source}: {e}");
        let text = e.to_string();
        assert!(text.contains(words), "{source}: {text}");
        for serde_word in ["borrowed", "sequence", "expected a map", "invalid type"] {
            assert!(!text.contains(serde_word), "{source}: {text}");
        }
    }
    // Mistakes that are not of shape keep their own errors.
    let e = err("version = 1\n[transaction]\n\"billing.city\" = 5\n");
    assert!(matches!(e.kind, ErrorKind::BadOption(_)), "{e}");
    let e = err("version = 1\n[transaction]\n\"billing.city\" = { keep = true }\n");
    assert!(e.to_string().contains("needs `action = \"...\"`"), "{e}");
    let e = err("version = 1\nverison = 1\n");
    assert!(matches!(e.kind, ErrorKind::Syntax(_)), "{e}");
    assert!(e.to_string().contains("verison"), "{e}");
}

#[test]
fn custom_inputs_are_typed_as_minfraud_types_them() {
    let p = parse(
        "version = 1\n[transaction]\n\"custom_inputs.*\" = \"keep\"\n\
         \"custom_inputs.mobile\" = { action = \"keep\", type = \"phone\" }\n\
         \"custom_inputs.points\" = { action = \"keep\", type = \"number\" }\n\
         \"custom_inputs.vip\" = { action = \"keep\", type = \"boolean\" }\n\
         \"custom_inputs.tier\" = { action = \"keep\", type = \"string\" }\n",
        "p.toml",
    )
    .unwrap();
    let ty = |k: &str| p.custom_input_type(Endpoint::Transaction, k);
    assert_eq!(ty("mobile"), Some(InputType::Phone));
    assert_eq!(ty("points"), Some(InputType::Number));
    assert_eq!(ty("vip"), Some(InputType::Boolean));
    assert_eq!(ty("tier"), Some(InputType::String));
    assert_eq!(ty("note"), None);
    assert_eq!(
        p.action_for(Endpoint::Transaction, "custom_inputs.mobile"),
        Some(&Action::Keep)
    );
    for name in InputType::NAMES {
        assert_eq!(InputType::from_name(name).map(InputType::name), Some(*name));
    }
}

#[test]
fn a_bad_custom_input_type_names_file_line_and_key() {
    // (source, line, key, words the message must hold)
    let cases = [
        (
            "version = 1\n[transaction]\n\"custom_inputs.mobile\" = { action = \"keep\", type = \"telephone\" }\n",
            3,
            "custom_inputs.mobile",
            "\"phone\", \"number\", \"boolean\", \"string\"",
        ),
        (
            "version = 1\n[transaction]\n\n\"custom_inputs.mobile\" = { action = \"keep\", type = 1 }\n",
            4,
            "custom_inputs.mobile",
            "`type` is one of",
        ),
        (
            "version = 1\n[transaction]\n\"custom_inputs.mobile\" = { action = \"drop\", type = \"phone\" }\n",
            3,
            "custom_inputs.mobile",
            "takes no option `type`",
        ),
        (
            "version = 1\n[transaction]\n\"custom_inputs.*\" = { action = \"keep\", type = \"phone\" }\n",
            3,
            "custom_inputs.*",
            "takes no option `type`",
        ),
        (
            "version = 1\n[transaction]\n\"billing.phone_number\" = { action = \"keep\", type = \"phone\" }\n",
            3,
            "billing.phone_number",
            "takes no option `type`",
        ),
    ];
    for (source, line, key, words) in cases {
        let e = err(source);
        assert_eq!(e.line, Some(line), "{source}: {e}");
        assert_eq!(e.key.as_deref(), Some(key), "{source}: {e}");
        assert!(matches!(e.kind, ErrorKind::BadOption(_)), "{source}: {e}");
        let shown = e.to_string();
        assert!(
            shown.starts_with(&format!("p.toml:{line}: key `{key}`")),
            "{shown}"
        );
        assert!(shown.contains(words), "{shown}");
    }
}
