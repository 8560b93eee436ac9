//! minFraud response bodies, as typed models. Every field is optional (the
//! service omits what it does not know) and unknown fields are ignored, so a
//! new field upstream never breaks decoding. The full JSON is kept beside
//! the model ([`Response::raw`]) for the GeoIP2 fields not modelled here.

use serde::Deserialize;

/// A decoded response and the JSON it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Response<T> {
    /// The typed model.
    pub model: T,
    /// The whole response body.
    pub raw: serde_json::Value,
}

/// `disposition`: the outcome of the account's custom rules.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Disposition {
    /// `accept`, `manual_review`, `reject` or `test`.
    pub action: Option<String>,
    /// `default`, `custom_rule` or `dispute`.
    pub reason: Option<String>,
    /// The label of the custom rule that matched.
    pub rule_label: Option<String>,
}

/// One entry of `warnings`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Warning {
    /// Machine code, such as `INPUT_INVALID`.
    pub code: Option<String>,
    /// Human-readable text.
    pub warning: Option<String>,
    /// JSON pointer to the input the warning is about.
    pub input_pointer: Option<String>,
}

/// `ip_address` in a Score response.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct ScoreIpAddress {
    /// Risk that the IP address is fraudulent, 0.01 to 99.
    pub risk: Option<f64>,
}

/// A reason for the IP risk.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct IpRiskReason {
    /// Machine code, such as `ANONYMOUS_IP`.
    pub code: Option<String>,
    /// Human-readable text.
    pub reason: Option<String>,
}

/// `ip_address` in Insights and Factors: the minFraud fields; the GeoIP2
/// Insights fields (city, country, traits, ...) are in the raw JSON.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct IpAddress {
    /// Risk that the IP address is fraudulent.
    pub risk: Option<f64>,
    /// Why the risk is what it is.
    #[serde(default)]
    pub risk_reasons: Vec<IpRiskReason>,
}

/// `credit_card.issuer`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Issuer {
    /// Issuing bank.
    pub name: Option<String>,
    /// Whether `credit_card.bank_name` matches.
    pub matches_provided_name: Option<bool>,
    /// Issuer's phone number.
    pub phone_number: Option<String>,
    /// Whether `credit_card.bank_phone_number` matches.
    pub matches_provided_phone_number: Option<bool>,
}

/// `credit_card`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct CreditCard {
    /// Card brand.
    pub brand: Option<String>,
    /// Issuing country (ISO 3166-1).
    pub country: Option<String>,
    /// Whether it is a business card.
    pub is_business: Option<bool>,
    /// Whether the issuing country matches the billing country.
    pub is_issued_in_billing_address_country: Option<bool>,
    /// Whether it is prepaid.
    pub is_prepaid: Option<bool>,
    /// Whether it is virtual.
    pub is_virtual: Option<bool>,
    /// `credit`, `debit` or `charge`.
    #[serde(rename = "type")]
    pub card_type: Option<String>,
    /// Issuer details.
    pub issuer: Option<Issuer>,
}

/// `device`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Device {
    /// Confidence in the device match, 0.01 to 99.
    pub confidence: Option<f64>,
    /// Device id (UUID).
    pub id: Option<String>,
    /// When it was last seen.
    pub last_seen: Option<String>,
    /// Local time at the device.
    pub local_time: Option<String>,
}

/// `email.domain.visit`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct EmailDomainVisit {
    /// Whether the domain redirects.
    pub has_redirect: Option<bool>,
    /// Date of the last visit.
    pub last_visited_on: Option<String>,
    /// Status of the domain's site.
    pub status: Option<String>,
}

/// `email.domain`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct EmailDomain {
    /// Domain classification.
    pub classification: Option<String>,
    /// First seen date.
    pub first_seen: Option<String>,
    /// Domain risk.
    pub risk: Option<f64>,
    /// Visit details.
    pub visit: Option<EmailDomainVisit>,
    /// Relative volume.
    pub volume: Option<f64>,
}

/// `email`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Email {
    /// Domain details.
    pub domain: Option<EmailDomain>,
    /// When the address was first seen.
    pub first_seen: Option<String>,
    /// Whether it is a disposable address.
    pub is_disposable: Option<bool>,
    /// Whether it is a free provider.
    pub is_free: Option<bool>,
    /// Whether it is associated with fraud.
    pub is_high_risk: Option<bool>,
}

/// `billing_address` and `shipping_address`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Address {
    /// Whether the postal code is in the city.
    pub is_postal_in_city: Option<bool>,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Distance to the IP location, km.
    pub distance_to_ip_location: Option<f64>,
    /// Whether it is in the IP's country.
    pub is_in_ip_country: Option<bool>,
    /// Shipping only: whether it is a high-risk address.
    pub is_high_risk: Option<bool>,
    /// Shipping only: distance to the billing address, km.
    pub distance_to_billing_address: Option<f64>,
}

/// `billing_phone` and `shipping_phone`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Phone {
    /// Country (ISO 3166-1).
    pub country: Option<String>,
    /// Whether it is a VoIP number.
    pub is_voip: Option<bool>,
    /// Whether it matches the postal code.
    pub matches_postal: Option<bool>,
    /// Network operator.
    pub network_operator: Option<String>,
    /// `fixed` or `mobile`.
    pub number_type: Option<String>,
}

/// One reason in `risk_score_reasons`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Reason {
    /// Machine code.
    pub code: Option<String>,
    /// Human-readable text.
    pub reason: Option<String>,
}

/// One entry of `risk_score_reasons`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct RiskScoreReason {
    /// How much this factor multiplied the risk.
    pub multiplier: Option<f64>,
    /// The reasons.
    #[serde(default)]
    pub reasons: Vec<Reason>,
}

/// A Score response.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Score {
    /// Response id (UUID); `minfraud_id` in reports.
    pub id: Option<String>,
    /// Overall risk score, 0.01 to 99.
    pub risk_score: Option<f64>,
    /// Account funds left, USD.
    pub funds_remaining: Option<f64>,
    /// Queries left at the current price.
    pub queries_remaining: Option<u64>,
    /// IP risk.
    pub ip_address: Option<ScoreIpAddress>,
    /// Custom rule outcome.
    pub disposition: Option<Disposition>,
    /// Input warnings.
    #[serde(default)]
    pub warnings: Vec<Warning>,
}

/// An Insights response.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Insights {
    /// Response id (UUID).
    pub id: Option<String>,
    /// Overall risk score, 0.01 to 99.
    pub risk_score: Option<f64>,
    /// Account funds left, USD.
    pub funds_remaining: Option<f64>,
    /// Queries left at the current price.
    pub queries_remaining: Option<u64>,
    /// IP risk and reasons (GeoIP2 fields in the raw JSON).
    pub ip_address: Option<IpAddress>,
    /// Custom rule outcome.
    pub disposition: Option<Disposition>,
    /// Input warnings.
    #[serde(default)]
    pub warnings: Vec<Warning>,
    /// Card details.
    pub credit_card: Option<CreditCard>,
    /// Device details.
    pub device: Option<Device>,
    /// Email details.
    pub email: Option<Email>,
    /// Billing address details.
    pub billing_address: Option<Address>,
    /// Billing phone details.
    pub billing_phone: Option<Phone>,
    /// Shipping address details.
    pub shipping_address: Option<Address>,
    /// Shipping phone details.
    pub shipping_phone: Option<Phone>,
}

/// A Factors response: Insights plus the reasons for the risk score.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Factors {
    /// Everything Insights has.
    #[serde(flatten)]
    pub insights: Insights,
    /// Why the risk score is what it is.
    #[serde(default)]
    pub risk_score_reasons: Vec<RiskScoreReason>,
}
