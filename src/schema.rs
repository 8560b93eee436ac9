//! The minFraud request field table: every field txveil knows, its type and
//! what it means, for the transaction endpoints (Score, Insights, Factors) and
//! Report Transaction. Validation follows the official Python client
//! (`spec/minfraud-fields.md`). Fields marked input-only are not minFraud
//! fields: apps send them to txveil, which turns them into minFraud fields and
//! never forwards them.

/// Which request body a field belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Endpoint {
    /// Score, Insights and Factors (one body for all three).
    Transaction,
    /// Report Transaction.
    Report,
}

impl Endpoint {
    /// The policy file section and CLI name (`transaction`, `report`).
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Transaction => "transaction",
            Endpoint::Report => "report",
        }
    }

    /// Every endpoint, in policy-file order.
    pub const ALL: [Endpoint; 2] = [Endpoint::Transaction, Endpoint::Report];

    /// The fields of this endpoint's request body.
    pub fn fields(self) -> &'static [Field] {
        match self {
            Endpoint::Transaction => TRANSACTION,
            Endpoint::Report => REPORT,
        }
    }
}

/// The value rule of a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ty {
    /// Any string.
    Str,
    /// A non-empty string.
    NonEmptyStr,
    /// 32 hex digits.
    Md5,
    /// An email address or its MD5.
    Email,
    /// A host name (`email.domain`).
    Hostname,
    /// An IPv4 or IPv6 address.
    Ip,
    /// Two capital letters.
    Country,
    /// One to four capital letters or digits.
    Region,
    /// Three capital letters.
    Currency,
    /// `^[0-9]{1,4}$` as a string, or an integer 1 to 9999.
    PhoneCc,
    /// One of a fixed list of values.
    OneOf(&'static [&'static str]),
    /// `true` or `false`.
    Bool,
    /// A number greater than zero.
    Positive,
    /// A number zero or greater.
    NonNegative,
    /// An integer one or greater.
    Quantity,
    /// Six or eight digits.
    Iin,
    /// Two or four digits.
    LastDigits,
    /// Printable ASCII, 1 to 255 characters, not 1 to 19 digits only.
    Token,
    /// One letter or digit.
    SingleChar,
    /// An RFC 3339 date-time.
    Rfc3339,
    /// An absolute http or https URI.
    Uri,
    /// A custom input value: string of 1 to 255 characters without newline,
    /// a number strictly between -1e13 and 1e13, or a boolean.
    CustomValue,
    /// Eight characters.
    MaxmindId,
    /// A UUID that is not the nil UUID.
    MinfraudId,
    /// Input only: a raw username, hashed into `account.username_md5`.
    RawUsername,
    /// Input only: a raw card number, truncated into IIN and last digits.
    RawPan,
    /// Input only: the legacy `last_4_digits`, sent as `last_digits`.
    LegacyLastDigits,
}

impl Ty {
    /// Whether this is an input-only field that is never sent as it is.
    pub fn input_only(self) -> bool {
        matches!(self, Ty::RawUsername | Ty::RawPan | Ty::LegacyLastDigits)
    }

    /// Whether a keyed hash (64 hex digits) is a valid value for this field.
    pub(crate) fn takes_keyed_hash(self) -> bool {
        matches!(
            self,
            Ty::Str | Ty::NonEmptyStr | Ty::Token | Ty::CustomValue
        )
    }
}

/// One request field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// Policy path: `group.name`, `shopping_cart[].name`, `custom_inputs.*`,
    /// or a bare name for report fields.
    pub path: &'static str,
    /// The object the field lives in (`None` for report fields).
    pub group: Option<&'static str>,
    /// The field's key.
    pub name: &'static str,
    /// What a valid value is.
    pub ty: Ty,
    /// What the field means, for `policy explain`.
    pub summary: &'static str,
}

const fn f(path: &'static str, ty: Ty, summary: &'static str) -> Field {
    let bytes = path.as_bytes();
    let mut dot = 0;
    let mut found = false;
    while dot < bytes.len() {
        if bytes[dot] == b'.' {
            found = true;
            break;
        }
        dot += 1;
    }
    if !found {
        return Field {
            path,
            group: None,
            name: path,
            ty,
            summary,
        };
    }
    let (group, name) = path.split_at(dot);
    let name = name.split_at(1).1;
    let group = match group.as_bytes() {
        b"shopping_cart[]" => "shopping_cart",
        _ => group,
    };
    Field {
        path,
        group: Some(group),
        name,
        ty,
        summary,
    }
}

/// Object groups of a transaction request, in minFraud's documentation order.
pub const TRANSACTION_GROUPS: &[&str] = &[
    "device",
    "event",
    "account",
    "email",
    "billing",
    "shipping",
    "payment",
    "credit_card",
    "order",
    "shopping_cart",
    "custom_inputs",
];

/// The group of [`TRANSACTION_GROUPS`] named `name`, found by comparing
/// the names eight bytes at a time ([`crate::json::key::same_key`]).
pub(crate) fn group(name: &str) -> Option<&'static str> {
    group_position(name).map(|i| TRANSACTION_GROUPS[i])
}

/// Where `name` is in [`TRANSACTION_GROUPS`].
pub(crate) fn group_position(name: &str) -> Option<usize> {
    // One slot per group by length, first and last byte (no two groups
    // share one), then the name compared in place.
    let b = name.as_bytes();
    let (&first, &last) = (b.first()?, b.last()?);
    let at = GROUP_SLOTS[group_slot(b.len(), first, last)];
    let g = TRANSACTION_GROUPS.get(usize::from(at).checked_sub(1)?)?;
    crate::json::key::same_key(g, name).then(|| usize::from(at) - 1)
}

/// Where [`group_position`] looks a name of `len` bytes up.
const fn group_slot(len: usize, first: u8, last: u8) -> usize {
    (len + first as usize + last as usize) % 32
}

/// Each group's position in [`TRANSACTION_GROUPS`] plus one, at its
/// [`group_slot`]; zero where no group is.
const GROUP_SLOTS: [u8; 32] = {
    let mut slots = [0u8; 32];
    let mut g = 0;
    while g < TRANSACTION_GROUPS.len() {
        let b = TRANSACTION_GROUPS[g].as_bytes();
        let slot = group_slot(b.len(), b[0], b[b.len() - 1]);
        assert!(slots[slot] == 0, "two groups share a slot");
        slots[slot] = g as u8 + 1;
        g += 1;
    }
    slots
};

/// Field types whose valid values can hold neither 12 digits nor an email
/// address: such a field is checked against its format instead of scanned
/// (a value that fails the format is scanned, then refused by validation).
/// Every type here allows only a few ASCII characters of a fixed kind (an
/// 8-digit IIN is 8 ASCII digits) or one of a fixed list. A report's
/// `maxmind_id` is not one of them: any 8 characters are valid there, and 8
/// characters hold an address (`jo@ab.cd`) or, written with numbers such as
/// `⑫`, 16 digits.
#[inline]
pub(crate) fn format_guards(ty: Ty) -> bool {
    matches!(
        ty,
        Ty::Country
            | Ty::Currency
            | Ty::Region
            | Ty::SingleChar
            | Ty::OneOf(_)
            | Ty::Iin
            | Ty::LastDigits
            | Ty::PhoneCc
            | Ty::Bool
    )
}

/// `^[a-z0-9_]{1,25}$`, minFraud's rule for a custom input's key.
#[inline]
pub(crate) fn custom_input_key(k: &str) -> bool {
    (1..=25).contains(&k.len())
        && k.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// `event.type` values.
pub const EVENT_TYPES: &[&str] = &[
    "account_creation",
    "account_login",
    "credit_application",
    "email_change",
    "fund_transfer",
    "password_reset",
    "payout_change",
    "purchase",
    "recurring_purchase",
    "referral",
    "sim_swap",
    "survey",
];
/// `event.party` values.
pub const PARTIES: &[&str] = &["agent", "customer"];
/// `shipping.delivery_speed` values. Every `Ty::OneOf` list is sorted, so
/// that validation can search it by halves.
pub const DELIVERY_SPEEDS: &[&str] = &["expedited", "overnight", "same_day", "standard"];
/// `payment.method` values.
pub const PAYMENT_METHODS: &[&str] = &[
    "bank_debit",
    "bank_redirect",
    "bank_transfer",
    "buy_now_pay_later",
    "card",
    "crypto",
    "digital_wallet",
    "gift_card",
    "real_time_payment",
    "rewards",
];
/// Report `tag` values.
pub const TAGS: &[&str] = &[
    "chargeback",
    "clear",
    "not_fraud",
    "spam_or_abuse",
    "suspected_fraud",
];
/// `payment.processor` values (164, identical in every official client).
pub const PAYMENT_PROCESSORS: &[&str] = &[
    "adyen",
    "affirm",
    "afterpay",
    "altapay",
    "amazon_payments",
    "american_express_payment_gateway",
    "apple_pay",
    "aps_payments",
    "authorizenet",
    "balanced",
    "banquest",
    "beanstream",
    "bluepay",
    "bluesnap",
    "boacompra",
    "boku",
    "bpoint",
    "braintree",
    "cardknox",
    "cardpay",
    "cashfree",
    "ccavenue",
    "ccnow",
    "cetelem",
    "chase_paymentech",
    "checkout_com",
    "cielo",
    "collector",
    "commdoo",
    "compropago",
    "concept_payments",
    "conekta",
    "coregateway",
    "creditguard",
    "credorax",
    "cryptomus",
    "ct_payments",
    "cuentadigital",
    "curopayments",
    "cybersource",
    "dalenys",
    "dalpay",
    "datacap",
    "datacash",
    "dibs",
    "digital_river",
    "dlocal",
    "dotpay",
    "ebs",
    "ecomm365",
    "ecommpay",
    "elavon",
    "emerchantpay",
    "epay",
    "epayco",
    "eprocessing_network",
    "epx",
    "eway",
    "exact",
    "fat_zebra",
    "first_atlantic_commerce",
    "first_data",
    "fiserv",
    "g2a_pay",
    "global_payments",
    "gocardless",
    "google_pay",
    "heartland",
    "hipay",
    "ingenico",
    "interac",
    "internetsecure",
    "intuit_quickbooks_payments",
    "iugu",
    "klarna",
    "komoju",
    "lemon_way",
    "mastercard_payment_gateway",
    "mercadopago",
    "mercanet",
    "merchant_esolutions",
    "mirjeh",
    "mollie",
    "moneris_solutions",
    "neopay",
    "neosurf",
    "nmi",
    "oceanpayment",
    "oney",
    "onpay",
    "openbucks",
    "openpaymx",
    "optimal_payments",
    "orangepay",
    "other",
    "pacnet_services",
    "payconex",
    "payeezy",
    "payfast",
    "paygate",
    "paylike",
    "payment_express",
    "paymentwall",
    "payone",
    "paypal",
    "payplus",
    "paysafecard",
    "paysera",
    "paystation",
    "paytm",
    "paytrace",
    "paytrail",
    "payture",
    "payu",
    "payulatam",
    "payvision",
    "payway",
    "payza",
    "pinpayments",
    "placetopay",
    "posconnect",
    "princeton_payment_solutions",
    "psigate",
    "pxp_financial",
    "qiwi",
    "quickpay",
    "raberil",
    "razorpay",
    "rede",
    "redpagos",
    "rewardspay",
    "safecharge",
    "sagepay",
    "securepay",
    "securetrading",
    "shopify_payments",
    "simplify_commerce",
    "skrill",
    "smartcoin",
    "smartdebit",
    "solidtrust_pay",
    "sps_decidir",
    "stripe",
    "summit_payments",
    "synapsefi",
    "systempay",
    "telerecargas",
    "towah",
    "transact_pro",
    "trustly",
    "trustpay",
    "tsys",
    "usa_epay",
    "vantiv",
    "verepay",
    "vericheck",
    "vindicia",
    "virtual_card_services",
    "vme",
    "vpos",
    "windcave",
    "wirecard",
    "worldpay",
    "yaadpay",
];

/// Fields of Score, Insights and Factors requests.
pub const TRANSACTION: &[Field] = &[
    f("device.ip_address", Ty::Ip, "IP address of the device"),
    f("device.user_agent", Ty::Str, "browser user agent"),
    f("device.accept_language", Ty::Str, "Accept-Language header"),
    f(
        "device.session_age",
        Ty::NonNegative,
        "seconds since the session started",
    ),
    f("device.session_id", Ty::Str, "session identifier"),
    f("device.tracking_token", Ty::Str, "Device Tracking token"),
    f("event.transaction_id", Ty::Str, "shop's transaction id"),
    f("event.shop_id", Ty::Str, "shop id"),
    f("event.time", Ty::Rfc3339, "time of the event"),
    f("event.type", Ty::OneOf(EVENT_TYPES), "kind of event"),
    f("event.party", Ty::OneOf(PARTIES), "who initiated the event"),
    f("account.user_id", Ty::Str, "shop's user id"),
    f(
        "account.username",
        Ty::RawUsername,
        "raw username (input only; sent as username_md5)",
    ),
    f("account.username_md5", Ty::Md5, "MD5 of the username"),
    f("email.address", Ty::Email, "email address or its MD5"),
    f("email.domain", Ty::Hostname, "domain of the email address"),
    f("billing.first_name", Ty::Str, "billing first name"),
    f("billing.last_name", Ty::Str, "billing last name"),
    f("billing.company", Ty::Str, "billing company"),
    f("billing.address", Ty::Str, "billing street address"),
    f(
        "billing.address_2",
        Ty::Str,
        "billing street address, second line",
    ),
    f("billing.city", Ty::Str, "billing city"),
    f(
        "billing.region",
        Ty::Region,
        "billing ISO 3166-2 subdivision code",
    ),
    f(
        "billing.country",
        Ty::Country,
        "billing ISO 3166-1 country code",
    ),
    f("billing.postal", Ty::Str, "billing postal code"),
    f("billing.phone_number", Ty::Str, "billing phone number"),
    f(
        "billing.phone_country_code",
        Ty::PhoneCc,
        "billing phone country code",
    ),
    f("shipping.first_name", Ty::Str, "shipping first name"),
    f("shipping.last_name", Ty::Str, "shipping last name"),
    f("shipping.company", Ty::Str, "shipping company"),
    f("shipping.address", Ty::Str, "shipping street address"),
    f(
        "shipping.address_2",
        Ty::Str,
        "shipping street address, second line",
    ),
    f("shipping.city", Ty::Str, "shipping city"),
    f(
        "shipping.region",
        Ty::Region,
        "shipping ISO 3166-2 subdivision code",
    ),
    f(
        "shipping.country",
        Ty::Country,
        "shipping ISO 3166-1 country code",
    ),
    f("shipping.postal", Ty::Str, "shipping postal code"),
    f("shipping.phone_number", Ty::Str, "shipping phone number"),
    f(
        "shipping.phone_country_code",
        Ty::PhoneCc,
        "shipping phone country code",
    ),
    f(
        "shipping.delivery_speed",
        Ty::OneOf(DELIVERY_SPEEDS),
        "shipping speed",
    ),
    f(
        "payment.method",
        Ty::OneOf(PAYMENT_METHODS),
        "payment method",
    ),
    f(
        "payment.processor",
        Ty::OneOf(PAYMENT_PROCESSORS),
        "payment processor",
    ),
    f(
        "payment.was_authorized",
        Ty::Bool,
        "whether the payment was authorized",
    ),
    f("payment.decline_code", Ty::Str, "processor decline code"),
    f(
        "credit_card.number",
        Ty::RawPan,
        "raw card number (input only; sent as IIN and last digits)",
    ),
    f(
        "credit_card.issuer_id_number",
        Ty::Iin,
        "first 6 or 8 digits of the card",
    ),
    f(
        "credit_card.last_digits",
        Ty::LastDigits,
        "last 2 or 4 digits of the card",
    ),
    f(
        "credit_card.last_4_digits",
        Ty::LegacyLastDigits,
        "legacy name of last_digits (sent as last_digits)",
    ),
    f("credit_card.token", Ty::Token, "card token (never a PAN)"),
    f("credit_card.bank_name", Ty::Str, "issuing bank name"),
    f(
        "credit_card.bank_phone_country_code",
        Ty::PhoneCc,
        "issuing bank phone country code",
    ),
    f(
        "credit_card.bank_phone_number",
        Ty::Str,
        "issuing bank phone number",
    ),
    f("credit_card.country", Ty::Country, "issuing country"),
    f("credit_card.avs_result", Ty::SingleChar, "AVS result code"),
    f("credit_card.cvv_result", Ty::SingleChar, "CVV result code"),
    f(
        "credit_card.was_3d_secure_successful",
        Ty::Bool,
        "3-D Secure outcome",
    ),
    f("order.amount", Ty::Positive, "order amount"),
    f("order.currency", Ty::Currency, "ISO 4217 currency code"),
    f("order.discount_code", Ty::Str, "discount codes"),
    f("order.affiliate_id", Ty::Str, "affiliate id"),
    f("order.subaffiliate_id", Ty::Str, "subaffiliate id"),
    f("order.referrer_uri", Ty::Uri, "referrer URI"),
    f("order.is_gift", Ty::Bool, "whether the order is a gift"),
    f(
        "order.has_gift_message",
        Ty::Bool,
        "whether the order has a gift message",
    ),
    f("shopping_cart[].category", Ty::Str, "item category"),
    f("shopping_cart[].item_id", Ty::Str, "item id"),
    f("shopping_cart[].quantity", Ty::Quantity, "item quantity"),
    f("shopping_cart[].price", Ty::Positive, "item price"),
    f(
        "custom_inputs.*",
        Ty::CustomValue,
        "custom input defined in the account portal",
    ),
];

/// Fields of Report Transaction requests.
pub const REPORT: &[Field] = &[
    f("ip_address", Ty::Ip, "IP address of the transaction"),
    f(
        "maxmind_id",
        Ty::MaxmindId,
        "maxmind_id from the minFraud response",
    ),
    f(
        "minfraud_id",
        Ty::MinfraudId,
        "id from the minFraud response",
    ),
    f("transaction_id", Ty::NonEmptyStr, "shop's transaction id"),
    f("tag", Ty::OneOf(TAGS), "report tag"),
    f("chargeback_code", Ty::Str, "chargeback code"),
    f("notes", Ty::Str, "free-text notes"),
];

use crate::json::key::FnvMap;

type Index = FnvMap<(Option<&'static str>, &'static str), &'static Field>;

fn index(endpoint: Endpoint) -> &'static Index {
    static TRANSACTION_INDEX: std::sync::OnceLock<Index> = std::sync::OnceLock::new();
    static REPORT_INDEX: std::sync::OnceLock<Index> = std::sync::OnceLock::new();
    let cell = match endpoint {
        Endpoint::Transaction => &TRANSACTION_INDEX,
        Endpoint::Report => &REPORT_INDEX,
    };
    cell.get_or_init(|| {
        endpoint
            .fields()
            .iter()
            .map(|f| ((f.group, f.name), f))
            .collect()
    })
}

/// Transaction fields the sanitizer writes itself (derived values and
/// card fingerprints), looked up once: the walk gives them to the entries
/// it makes, so that the scan need not look each up again.
#[derive(Debug)]
pub(crate) struct Filled {
    pub(crate) email_domain: &'static Field,
    pub(crate) username_md5: &'static Field,
    pub(crate) issuer_id_number: &'static Field,
    pub(crate) last_digits: &'static Field,
    pub(crate) custom_input: &'static Field,
}

/// The [`Filled`] fields (`None` only if the schema lacked one, which a
/// test rules out; the scan then looks the fields up itself).
pub(crate) fn filled() -> Option<&'static Filled> {
    static FILLED: std::sync::OnceLock<Option<Filled>> = std::sync::OnceLock::new();
    FILLED
        .get_or_init(|| {
            let f = |group, name| field(Endpoint::Transaction, Some(group), name);
            Some(Filled {
                email_domain: f("email", "domain")?,
                username_md5: f("account", "username_md5")?,
                issuer_id_number: f("credit_card", "issuer_id_number")?,
                last_digits: f("credit_card", "last_digits")?,
                custom_input: f("custom_inputs", "*")?,
            })
        })
        .as_ref()
}

/// Looks up a field by group and key; custom inputs match `custom_inputs.*`.
pub fn field(endpoint: Endpoint, group: Option<&str>, name: &str) -> Option<&'static Field> {
    // HashMap is covariant in its key, so the 'static-keyed index can be
    // queried with borrowed strings.
    let index: &FnvMap<(Option<&str>, &str), &'static Field> = index(endpoint);
    if group == Some("custom_inputs") {
        return index.get(&(Some("custom_inputs"), "*")).copied();
    }
    index.get(&(group, name)).copied()
}

/// Looks up a field by its policy path.
pub fn by_path(endpoint: Endpoint, path: &str) -> Option<&'static Field> {
    endpoint.fields().iter().find(|f| f.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fields the walk fills in are the ones the scan would look up.
    #[test]
    fn filled_fields_are_the_schemas() {
        let f = filled().expect("the schema has every filled field");
        let t = Endpoint::Transaction;
        for (given, group, name) in [
            (f.email_domain, "email", "domain"),
            (f.username_md5, "account", "username_md5"),
            (f.issuer_id_number, "credit_card", "issuer_id_number"),
            (f.last_digits, "credit_card", "last_digits"),
            (f.custom_input, "custom_inputs", "any_key"),
        ] {
            assert_eq!(Some(given), field(t, Some(group), name), "{group}.{name}");
            assert_eq!(given.group, Some(group));
        }
    }

    /// `group` knows exactly the names of `TRANSACTION_GROUPS`.
    #[test]
    fn group_names_each_transaction_group_and_nothing_else() {
        for g in TRANSACTION_GROUPS {
            assert_eq!(group(g), Some(*g));
            for other in [
                format!("{g}s"),
                g[..g.len() - 1].to_owned(),
                g.to_uppercase(),
                format!(" {g}"),
                // The same length, first and last byte.
                format!("{}x{}", &g[..1], &g[2..]),
            ] {
                assert_eq!(group(&other), None, "{other}");
            }
        }
        for other in ["", "shopping", "custom_input", "ip_address", "notes"] {
            assert_eq!(group(other), None, "{other}");
        }
    }

    /// Report paths write group and field names as they are, without JSON
    /// pointer escaping: no schema name may hold `~` or `/`.
    #[test]
    fn schema_names_need_no_pointer_escaping() {
        let names = TRANSACTION_GROUPS.iter().copied().chain(
            TRANSACTION
                .iter()
                .chain(REPORT)
                .flat_map(|f| [Some(f.name), f.group])
                .flatten(),
        );
        let mut seen = 0;
        for name in names {
            assert!(!name.contains(['~', '/']), "{name}");
            seen += 1;
        }
        assert!(seen > 100, "{seen}");
    }

    #[test]
    fn one_of_lists_are_sorted() {
        let mut lists = 0;
        for f in TRANSACTION.iter().chain(REPORT) {
            if let Ty::OneOf(values) = f.ty {
                assert!(values.windows(2).all(|w| w[0] < w[1]), "{}", f.name);
                use crate::sanitize::doc::{Text, Val};
                let valid = |s: &'static str| {
                    crate::sanitize::validate::valid(f.ty, &Val::Str(Text::plain(s)))
                };
                assert!(values.iter().all(|v| valid(v)), "{}", f.name);
                assert!(!valid("zz_not_listed") && !valid(""), "{}", f.name);
                lists += 1;
            }
        }
        assert_eq!(lists, 6);
    }

    #[test]
    fn splits_paths_into_group_and_name() {
        let f = by_path(Endpoint::Transaction, "shopping_cart[].price").unwrap();
        assert_eq!((f.group, f.name), (Some("shopping_cart"), "price"));
        let f = by_path(Endpoint::Report, "notes").unwrap();
        assert_eq!((f.group, f.name), (None, "notes"));
        assert!(field(Endpoint::Transaction, Some("custom_inputs"), "anything").is_some());
        assert_eq!(PAYMENT_PROCESSORS.len(), 164);
        assert_eq!(EVENT_TYPES.len(), 12);
    }

    #[test]
    fn every_field_belongs_to_a_known_group() {
        for f in TRANSACTION {
            assert!(TRANSACTION_GROUPS.contains(&f.group.unwrap()), "{}", f.path);
        }
    }
}
