//! Generators for domestic bank account numbers and acquirer reference
//! numbers whose digits hold card-shaped windows
//! (`src/sanitize/context/accounts.rs`): French RIBs, Russian settlement
//! accounts (with and without the bank's BIC), Spanish CCCs, Belgian
//! account numbers, Visa and Mastercard ARNs, each placed where shops and
//! chargeback reports send them; and card numbers placed in the same
//! fields, after the same words, glued the same way, for recall beside
//! them.

use super::context::{card_of_16, fours, placed, placed_at, rejected};
use super::{luhn_check_digit, pan_of, Case, Expect, PolicyKind, Rng};
use serde_json::{json, Value};
use txveil::schema::Endpoint;

use super::context::{CardCase, Realistic};

/// Bank accounts and ARNs that their checks and context tell from cards:
/// each under 1 % flagged.
pub(crate) const OVERBLOCKING: &[(&str, Realistic)] = &[
    ("french ribs 5-5-11-2 or plain, FR orders", ribs),
    (
        "russian settlement accounts 408.., RU orders (no BIC)",
        ru_accounts,
    ),
    (
        "russian settlement accounts with the bank's BIC, any order",
        ru_accounts_with_bic,
    ),
    ("spanish ccc 4-4-2-10 or plain, ES orders", cccs),
    ("belgian accounts 3-7-2, BE orders", be_accounts),
    (
        "visa and mastercard arns, plain or in groups of 4, arn key or word",
        arns,
    ),
    (
        "indian rtgs utrs and hdfc account numbers, IN orders, key, word or transaction id",
        indian_transfers,
    ),
    (
        "ibans in groups of 4 by other white space (no-break, thin, ideographic space, tab, &nbsp;)",
        ibans_other_white_space,
    ),
];

/// ARNs in chargeback reports (the report endpoint): under 1 % flagged.
pub(crate) const REPORT_OVERBLOCKING: &[(&str, Realistic)] = &[(
    "visa and mastercard arns in reports: transaction id, chargeback code, notes",
    arns_in_reports,
)];

/// Whether the default policy refuses `request`, sent to `endpoint`, for a
/// card number.
pub(crate) fn flagged_at(policies: &super::Policies, endpoint: Endpoint, request: Value) -> bool {
    matches!(
        txveil::sanitize_value(policies.default(), endpoint, request),
        Err(r) if r.code() == "PAN_DETECTED"
    )
}

/// Cards placed as those accounts are. A card alone (plain or in a card
/// layout) is always caught; a card glued into a stretch whose checks hold
/// by chance is lowered by design (about one in 97 for a RIB, one in a
/// hundred for a CCC, three in a thousand for an ARN).
pub(crate) const RECALL: &[(&str, CardCase)] = &[
    (
        "card alone, plain or in groups of 4, where accounts are sent, their country",
        card_alone_where_accounts_are_sent,
    ),
    (
        "card alone, plain or in groups of 4, report transaction id, chargeback code or after ARN",
        card_alone_where_arns_are_sent,
    ),
    (
        "card glued to more digits after a card word, where accounts are sent",
        card_glued_after_card_word,
    ),
    (
        "lowered by design when a RIB key holds: card glued to 7 digits, RIB word, FR order",
        card_glued_as_rib,
    ),
    (
        "lowered by design when both control digits hold: card glued to 4 digits, cuenta, ES order",
        card_glued_as_ccc,
    ),
    (
        "lowered by design when the ARN checks hold: card in groups of 4 + expiry + cvv, report transaction id",
        card_expiry_cvv_in_report,
    ),
    (
        "card glued to 4 digits after р/с, RU order",
        card_glued_as_ru_account,
    ),
    (
        "card of 16-19 digits glued after a bank's code and R (a utr's shape), IN order",
        card_glued_as_utr,
    ),
];

/// `request` with `billing.country` = `country`, as minFraud requests
/// nearly always carry it.
fn in_country(mut request: Value, country: &str) -> Value {
    request["billing"]["country"] = json!(country);
    request
}

/// The same accounts with no context at all: no word, no key naming them,
/// no country in the request (an account in `account.user_id` of a request
/// that names no country): decided as digits, reported, not held under
/// 1 %.
pub(crate) const LIMITS: &[(&str, Realistic)] = &[(
    "ribs, cccs, russian accounts in account.user_id, no country",
    accounts_without_context,
)];

fn accounts_without_context(rng: &mut Rng) -> Value {
    let v = match rng.below(3) {
        0 => rib(rng),
        1 => ccc(rng),
        _ => ru_account(rng),
    };
    json!({"account": {"user_id": v}})
}

/// An IBAN of any registry country in groups of four, the groups apart by
/// a white space character other than the ASCII space (as web pages, word
/// processors and French typography print them), or by `&nbsp;`.
fn ibans_other_white_space(rng: &mut Rng) -> Value {
    let (cc, len, letters) = *rng.pick(super::context::IBAN_COUNTRIES);
    let iban = super::context::iban_of(rng, cc, len, letters);
    let sep = *rng.pick(&[
        "\u{a0}",
        "\u{202f}",
        "\u{2009}",
        "\u{2007}",
        "\t",
        "\u{3000}",
        "&nbsp;",
        "\u{a0}\u{a0}",
    ]);
    let v = fours(&iban, sep);
    match rng.below(4) {
        0 => json!({"custom_inputs": {"iban": v}}),
        1 => json!({"custom_inputs": {"note": format!("IBAN: {v}")}}),
        2 => json!({"billing": {"address_2": v}}),
        _ => json!({"custom_inputs": {"note": format!("Refund to {v}, thanks")}}),
    }
}

/// Indian RTGS transaction references (a bank's code, `R`, a channel
/// digit, a day of the last month, a sequence) and HDFC Bank account
/// numbers (`50100` and nine digits), with their words and keys.
fn indian_transfers(rng: &mut Rng) -> Value {
    let (v, keys, words): (String, &[&str], &[&str]) = if rng.chance(2) {
        let bank = *rng.pick(&["SBIN", "HDFC", "ICIC", "UTIB", "PUNB"]);
        let utr = format!(
            "{bank}R{}2026{:02}{:02}{}",
            rng.pick(&["5", "2", "6"]),
            rng.range(1, 12),
            rng.range(1, 28),
            rng.digits(8)
        );
        (
            utr,
            &["utr", "rtgs_utr", "utr_no"],
            &["UTR ", "RTGS ref ", "", "Refund UTR: "],
        )
    } else {
        let account = format!("50100{}", rng.digits(9));
        let ifsc = if rng.chance(2) {
            format!(" IFSC HDFC000{}", rng.digits(4))
        } else {
            String::new()
        };
        (
            format!("{account}{ifsc}"),
            &["bank_account", "account_no", "acct"],
            &["A/c ", "Acct no ", "account: ", ""],
        )
    };
    let request = if rng.chance(5) {
        json!({"event": {"transaction_id": v}})
    } else {
        placed(rng, &v, keys, words)
    };
    in_country(request, "IN")
}

fn card_glued_as_utr(rng: &mut Rng) -> Case {
    let p = loop {
        let p = super::context::unambiguous_pan(rng);
        if p.len() >= 16 {
            break p;
        }
    };
    let v = format!("UTR SBINR{p}");
    let request = json!({"billing": {"country": "IN"}, "custom_inputs": {"note": v}});
    rejected(request, "/custom_inputs/note".into())
}

fn digit_values(s: &str) -> Vec<u32> {
    s.bytes().map(|b| u32::from(b - b'0')).collect()
}

/// A French RIB: bank, branch, account (a letter in one of five), key.
pub(crate) fn rib(rng: &mut Rng) -> String {
    let bank = rng.digits(5);
    let branch = rng.digits(5);
    let mut account = rng.digits(11);
    let mut value = account.clone();
    if rng.chance(5) {
        // A letter stands for a digit: A, J for 1; B, K, S for 2; ...
        let at = rng.below(11);
        let letter = *rng.pick(&[
            ('A', '1'),
            ('J', '1'),
            ('B', '2'),
            ('S', '2'),
            ('C', '3'),
            ('D', '4'),
            ('E', '5'),
        ]);
        account.replace_range(at..=at, &letter.0.to_string());
        value.replace_range(at..=at, &letter.1.to_string());
    }
    let n = |s: &str| s.parse::<u64>().unwrap();
    let key = 97 - (89 * n(&bank) + 15 * n(&branch) + 3 * n(&value)) % 97;
    if rng.chance(4) {
        format!("{bank}{branch}{account}{key:02}")
    } else {
        format!("{bank} {branch} {account} {key:02}")
    }
}

fn ribs(rng: &mut Rng) -> Value {
    let v = rib(rng);
    let r = placed(
        rng,
        &v,
        &["rib", "compte", "bank_account", "coordonnees_bancaires"],
        &[
            "RIB : ",
            "Compte : ",
            "Remboursement sur le compte ",
            "",
            "Refund to ",
        ],
    );
    in_country(r, "FR")
}

/// Client balance accounts and currencies of Russian accounts as invoices
/// print them.
const RU_HEADS: &[&str] = &[
    "40817810", "40817810", "40702810", "40802810", "40817840", "40817978", "40702643", "42301810",
];

/// A Russian settlement account with a random key digit (no BIC checks
/// it).
fn ru_account(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(RU_HEADS), rng.digits(12))
}

/// The key digit (the ninth) of a Russian account made to hold with `bic`.
fn ru_keyed(rng: &mut Rng, bic: &str) -> String {
    let mut a = ru_account(rng);
    for k in 0..10u32 {
        a.replace_range(8..9, &k.to_string());
        let sum: u32 = digit_values(&bic[6..])
            .into_iter()
            .chain(digit_values(&a))
            .zip([7, 1, 3].iter().cycle())
            .map(|(x, w)| x * w % 10)
            .sum();
        if sum.is_multiple_of(10) {
            break;
        }
    }
    a
}

const RU_WORDS: &[&str] = &[
    "р/с ",
    "Р/с: ",
    "расчётный счёт ",
    "счет № ",
    "",
    "Refund to ",
];
const RU_KEYS: &[&str] = &["rs", "schet", "bank_account", "raschetny_schet"];

fn ru_accounts(rng: &mut Rng) -> Value {
    let v = ru_account(rng);
    let r = placed(rng, &v, RU_KEYS, RU_WORDS);
    in_country(r, "RU")
}

fn ru_accounts_with_bic(rng: &mut Rng) -> Value {
    let bic = format!("04{}", rng.digits(7));
    let v = ru_keyed(rng, &bic);
    let note = match rng.below(3) {
        0 => format!("р/с {v} БИК {bic}"),
        1 => format!("БИК {bic}, счёт {v}"),
        _ => format!("Refund: BIC {bic} account {v}"),
    };
    json!({"custom_inputs": {"note": note}})
}

/// A Spanish CCC with both control digits.
pub(crate) fn ccc(rng: &mut Rng) -> String {
    const W: [u32; 10] = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6];
    let dc = |s: &str| {
        let sum: u32 = digit_values(s).iter().zip(W).map(|(x, w)| x * w).sum();
        match 11 - sum % 11 {
            11 => 0,
            10 => 1,
            c => c,
        }
    };
    let bank = *rng.pick(&[
        "2100", "0049", "0182", "0081", "2038", "0075", "0128", "1465",
    ]);
    let branch = rng.digits(4);
    let account = rng.digits(10);
    let d1 = dc(&format!("00{bank}{branch}"));
    let d2 = dc(&account);
    match rng.below(3) {
        0 => format!("{bank}{branch}{d1}{d2}{account}"),
        1 => format!("{bank}-{branch}-{d1}{d2}-{account}"),
        _ => format!("{bank} {branch} {d1}{d2} {account}"),
    }
}

fn cccs(rng: &mut Rng) -> Value {
    let v = ccc(rng);
    let r = placed(
        rng,
        &v,
        &["cuenta", "ccc", "cuenta_bancaria", "bank_account"],
        &["Cuenta: ", "CCC ", "Reembolso a la cuenta ", "", "c/c "],
    );
    in_country(r, "ES")
}

fn be_accounts(rng: &mut Rng) -> Value {
    let body = rng.digits(10);
    let check = match body.parse::<u64>().unwrap() % 97 {
        0 => 97,
        c => c,
    };
    let v = format!("{}-{}-{check:02}", &body[..3], &body[3..]);
    let r = placed(
        rng,
        &v,
        &["rekening", "rekeningnummer", "konto"],
        &["Rekening ", "Terugbetaling op rekening ", ""],
    );
    in_country(r, "BE")
}

/// An ARN: a format code (2 Visa, 7 Mastercard), the acquirer's BIN,
/// `YDDD`, 11 digits and a Luhn check digit.
pub(crate) fn arn(rng: &mut Rng) -> String {
    let (code, bin) = if rng.chance(2) {
        ("2", format!("4{}", rng.digits(5)))
    } else {
        ("7", format!("{}{}", rng.pick(&["5", "2"]), rng.digits(5)))
    };
    let body = format!(
        "{code}{bin}{}{:03}{}",
        rng.below(10),
        rng.range(1, 365),
        rng.digits(11)
    );
    format!("{body}{}", luhn_check_digit(&body))
}

fn arn_written(rng: &mut Rng) -> String {
    let a = arn(rng);
    if rng.chance(2) {
        a
    } else {
        fours(&a, " ")
    }
}

fn arns(rng: &mut Rng) -> Value {
    let v = arn_written(rng);
    match rng.below(3) {
        0 => json!({"custom_inputs": {"arn": v}}),
        1 => json!({"custom_inputs": {"acquirer_reference": v}}),
        _ => json!({"custom_inputs": {"note": format!("Chargeback, ARN {v}")}}),
    }
}

fn arns_in_reports(rng: &mut Rng) -> Value {
    let v = arn_written(rng);
    match rng.below(3) {
        0 => json!({"ip_address": "81.2.69.160", "tag": "chargeback", "transaction_id": v}),
        1 => json!({"ip_address": "81.2.69.160", "tag": "chargeback", "chargeback_code": v}),
        _ => json!({"ip_address": "81.2.69.160", "tag": "chargeback",
            "notes": format!("Chargeback, ARN {v}")}),
    }
}

fn card_alone_where_accounts_are_sent(rng: &mut Rng) -> Case {
    let p = super::context::unambiguous_pan(rng);
    let v = if rng.chance(2) { p } else { fours(&p, " ") };
    let (cc, keys, words): (&str, &[&str], &[&str]) = match rng.below(3) {
        0 => ("FR", &["rib", "compte"], &["RIB : ", "Compte : "]),
        1 => ("RU", RU_KEYS, &["р/с ", "счёт "]),
        _ => ("ES", &["cuenta", "ccc"], &["Cuenta: ", "CCC "]),
    };
    let (mut request, path) = placed_at(rng, &v, keys, words);
    request["billing"]["country"] = json!(cc);
    rejected(request, path)
}

fn card_alone_where_arns_are_sent(rng: &mut Rng) -> Case {
    let p = super::context::unambiguous_pan(rng);
    let v = if rng.chance(2) { p } else { fours(&p, " ") };
    let (request, path) = match rng.below(3) {
        0 => (
            json!({"ip_address": "81.2.69.160", "transaction_id": v}),
            "/transaction_id",
        ),
        1 => (
            json!({"ip_address": "81.2.69.160", "chargeback_code": v}),
            "/chargeback_code",
        ),
        _ => (
            json!({"ip_address": "81.2.69.160", "notes": format!("ARN {v}")}),
            "/notes",
        ),
    };
    report_rejected(request, path)
}

fn report_rejected(request: Value, path: &str) -> Case {
    Case {
        request,
        endpoint: Endpoint::Report,
        policy: PolicyKind::Default,
        expect: Expect::Rejected("PAN_DETECTED", path.into()),
    }
}

fn card_glued_after_card_word(rng: &mut Rng) -> Case {
    let p = card_of_16(rng);
    let (cc, more, word) = *rng.pick(&[
        ("FR", 7, "carte "),
        ("ES", 4, "tarjeta "),
        ("RU", 4, "card "),
    ]);
    let v = format!("{word}{p}{}", rng.digits(more));
    let mut request = json!({"custom_inputs": {"note": v}});
    request["billing"]["country"] = json!(cc);
    rejected(request, "/custom_inputs/note".into())
}

fn card_glued_as_rib(rng: &mut Rng) -> Case {
    let p = card_of_16(rng);
    let v = format!("RIB : {p}{}", rng.digits(7));
    let request = json!({"billing": {"country": "FR"}, "custom_inputs": {"note": v}});
    rejected(request, "/custom_inputs/note".into())
}

fn card_glued_as_ccc(rng: &mut Rng) -> Case {
    let p = card_of_16(rng);
    let v = format!("Cuenta: {p}{}", rng.digits(4));
    let request = json!({"billing": {"country": "ES"}, "custom_inputs": {"note": v}});
    rejected(request, "/custom_inputs/note".into())
}

fn card_expiry_cvv_in_report(rng: &mut Rng) -> Case {
    // Mastercard's 2-series half the time: a format code's first digit.
    let p = if rng.chance(2) {
        let prefix = rng.range(2221, 2720).to_string();
        pan_of(rng, &prefix, 16)
    } else {
        card_of_16(rng)
    };
    let v = format!(
        "{} {:02}{:02} {:03}",
        fours(&p, " "),
        rng.range(1, 12),
        rng.range(26, 31),
        rng.below(1000)
    );
    report_rejected(
        json!({"ip_address": "81.2.69.160", "transaction_id": v}),
        "/transaction_id",
    )
}

fn card_glued_as_ru_account(rng: &mut Rng) -> Case {
    let p = card_of_16(rng);
    let v = format!("р/с {p}{}", rng.digits(4));
    let request = json!({"billing": {"country": "RU"}, "custom_inputs": {"note": v}});
    rejected(request, "/custom_inputs/note".into())
}
