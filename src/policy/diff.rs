//! `txveil policy diff`: what changes in field treatment between two
//! policies, labelled by whether more data leaves.
//!
//! The comparison is of effective treatment, not text: reordering keys,
//! comments, or replacing a wildcard by the same action spelled per field are
//! no change. Actions are ranked by how much of a field leaves:
//!
//! `reject` (the request is refused) < `drop` < `keyed_hash` (keyed, not
//! reversible without the key) < `hash_email`, `hash_username` (unkeyed MD5,
//! which a dictionary reverses) < `truncate_pan` (IIN and last digits in
//! clear) < `keep`.
//!
//! A move up is **loosening**, down is **tightening**. Within `truncate_pan`,
//! IIN 6→8, last 2→4 and adding a fingerprint loosen. `on_email` toward
//! `keep` (reject → redact → hash → keep) loosens. `on_pan` reject→redact
//! and `unlisted` reject→drop loosen, and so does typing a custom input
//! `phone`. Other changes of the same rank (the username's canonical form,
//! a custom input's other types) are **neutral**.

use super::explain::{describe, treatments, Format};
use super::{Action, IinLength, InputType, OnPan, Policy, Unlisted};
use crate::schema::{self, Endpoint, Ty};
use serde_json::json;
use std::fmt::Write as _;

/// Whether a change lets more data leave.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Direction {
    /// More data leaves than before.
    Loosening,
    /// Less data leaves than before.
    Tightening,
    /// As much as before, in another form.
    Neutral,
}

impl Direction {
    /// `loosening`, `tightening` or `neutral`.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Loosening => "loosening",
            Direction::Tightening => "tightening",
            Direction::Neutral => "neutral",
        }
    }
}

/// One change of treatment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The endpoint, or `None` for a policy-wide setting.
    pub endpoint: Option<Endpoint>,
    /// The field path, or the setting (`on_pan`, `unlisted`).
    pub subject: String,
    /// The old treatment.
    pub old: String,
    /// The new treatment.
    pub new: String,
    /// Whether more data leaves.
    pub direction: Direction,
}

/// What actually happens to a field: its action, or the unlisted rule.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Effective {
    Listed(Action),
    Unlisted(Unlisted),
}

impl Effective {
    /// The same treatment whether a rule names it or `unlisted` decides it.
    fn normalized(&self) -> Action {
        match self {
            Effective::Listed(a) => a.clone(),
            Effective::Unlisted(Unlisted::Drop) => Action::Drop,
            Effective::Unlisted(Unlisted::Reject) => Action::Reject,
        }
    }
}

fn rank(e: &Effective) -> u8 {
    match e {
        Effective::Unlisted(Unlisted::Reject) | Effective::Listed(Action::Reject) => 0,
        Effective::Unlisted(Unlisted::Drop) | Effective::Listed(Action::Drop) => 1,
        Effective::Listed(Action::KeyedHash) => 2,
        Effective::Listed(Action::HashEmail | Action::HashUsername(_)) => 3,
        Effective::Listed(Action::TruncatePan(_)) => 4,
        Effective::Listed(Action::Keep) => 5,
    }
}

fn direction(old: &Effective, new: &Effective) -> Direction {
    use std::cmp::Ordering::*;
    match rank(new).cmp(&rank(old)) {
        Greater => Direction::Loosening,
        Less => Direction::Tightening,
        Equal => match (old, new) {
            (
                Effective::Listed(Action::TruncatePan(a)),
                Effective::Listed(Action::TruncatePan(b)),
            ) => {
                let score = |t: &super::Truncation| {
                    [t.iin == IinLength::Eight, t.last4, t.fingerprint.is_some()]
                };
                let (a, b) = (score(a), score(b));
                if a.iter().zip(&b).any(|(x, y)| !x && *y) {
                    Direction::Loosening
                } else if a != b {
                    Direction::Tightening
                } else {
                    Direction::Neutral
                }
            }
            _ => Direction::Neutral,
        },
    }
}

fn effective(p: &Policy, endpoint: Endpoint, path: &str) -> Effective {
    match p.action_for(endpoint, path) {
        Some(a) => Effective::Listed(a.clone()),
        None => Effective::Unlisted(p.unlisted()),
    }
}

fn text(e: &Effective, ty: Ty) -> String {
    match e {
        Effective::Listed(a) => format!("{a}: {}", describe(a, ty)),
        Effective::Unlisted(Unlisted::Drop) => "drop (unlisted)".into(),
        Effective::Unlisted(Unlisted::Reject) => "reject (unlisted)".into(),
    }
}

/// Every change of treatment from `old` to `new`.
pub fn diff(old: &Policy, new: &Policy) -> Vec<Change> {
    let mut changes = Vec::new();
    if old.on_pan() != new.on_pan() {
        let name = |o: OnPan| match o {
            OnPan::Reject => "reject",
            OnPan::Redact => "redact",
        };
        changes.push(Change {
            endpoint: None,
            subject: "on_pan".into(),
            old: name(old.on_pan()).into(),
            new: name(new.on_pan()).into(),
            direction: if new.on_pan() == OnPan::Redact {
                Direction::Loosening
            } else {
                Direction::Tightening
            },
        });
    }
    if old.on_email() != new.on_email() {
        // keep < hash < redact < reject: each step sends less.
        changes.push(Change {
            endpoint: None,
            subject: "on_email".into(),
            old: old.on_email().name().into(),
            new: new.on_email().name().into(),
            direction: if new.on_email() < old.on_email() {
                Direction::Loosening
            } else {
                Direction::Tightening
            },
        });
    }
    if old.on_username() != new.on_username() {
        // keep < hash < redact < reject, as for on_email.
        changes.push(Change {
            endpoint: None,
            subject: "on_username".into(),
            old: old.on_username().name().into(),
            new: new.on_username().name().into(),
            direction: if new.on_username() < old.on_username() {
                Direction::Loosening
            } else {
                Direction::Tightening
            },
        });
    }
    if old.unknown_enum() != new.unknown_enum() {
        // forward < reject.
        changes.push(Change {
            endpoint: None,
            subject: "unknown_enum".into(),
            old: old.unknown_enum().name().into(),
            new: new.unknown_enum().name().into(),
            direction: if new.unknown_enum() < old.unknown_enum() {
                Direction::Loosening
            } else {
                Direction::Tightening
            },
        });
    }
    if old.card_digest_search() != new.card_digest_search() {
        // off < other_fields < all_fields.
        changes.push(Change {
            endpoint: None,
            subject: "card_digest_search".into(),
            old: old.card_digest_search().name().into(),
            new: new.card_digest_search().name().into(),
            direction: if new.card_digest_search() < old.card_digest_search() {
                Direction::Loosening
            } else {
                Direction::Tightening
            },
        });
    }
    if old.unlisted() != new.unlisted() {
        let name = |u: Unlisted| match u {
            Unlisted::Drop => "drop",
            Unlisted::Reject => "reject",
        };
        changes.push(Change {
            endpoint: None,
            subject: "unlisted".into(),
            old: name(old.unlisted()).into(),
            new: name(new.unlisted()).into(),
            direction: if new.unlisted() == Unlisted::Drop {
                Direction::Loosening
            } else {
                Direction::Tightening
            },
        });
    }
    let mut paths: Vec<(Endpoint, String, Ty)> = Vec::new();
    for t in treatments(old).into_iter().chain(treatments(new)) {
        let ty = schema::by_path(t.endpoint, &t.path).map_or(Ty::CustomValue, |f| f.ty);
        if !paths
            .iter()
            .any(|(e, p, _)| *e == t.endpoint && *p == t.path)
        {
            paths.push((t.endpoint, t.path, ty));
        }
    }
    for (endpoint, path, ty) in paths {
        let (a, b) = (
            effective(old, endpoint, &path),
            effective(new, endpoint, &path),
        );
        if a.normalized() != b.normalized() {
            changes.push(Change {
                endpoint: Some(endpoint),
                direction: direction(&a, &b),
                old: text(&a, ty),
                new: text(&b, ty),
                subject: path,
            });
        } else if let Some(key) = path.strip_prefix("custom_inputs.") {
            let (ta, tb) = (
                old.custom_input_type(endpoint, key),
                new.custom_input_type(endpoint, key),
            );
            if ta != tb {
                changes.push(Change {
                    endpoint: Some(endpoint),
                    direction: type_direction(ta, tb),
                    old: typed_text(&a, ty, ta),
                    new: typed_text(&b, ty, tb),
                    subject: path,
                });
            }
        }
    }
    changes
}

/// A custom input typed `phone` forwards telephone-shaped digits that an
/// untyped one refuses (a 12-15-digit Maestro number that is a valid
/// telephone number): typing one `phone` loosens, untyping it tightens.
/// The other types change what is valid, not what the scan lets through.
fn type_direction(old: Option<InputType>, new: Option<InputType>) -> Direction {
    match (old == Some(InputType::Phone), new == Some(InputType::Phone)) {
        (false, true) => Direction::Loosening,
        (true, false) => Direction::Tightening,
        _ => Direction::Neutral,
    }
}

fn typed_text(e: &Effective, ty: Ty, input: Option<InputType>) -> String {
    match input {
        Some(t) => format!("{} (type {})", text(e, ty), t.name()),
        None => format!("{} (untyped)", text(e, ty)),
    }
}

/// Whether any change loosens.
pub fn loosens(changes: &[Change]) -> bool {
    changes.iter().any(|c| c.direction == Direction::Loosening)
}

/// Renders a diff.
pub fn render(old: &Policy, new: &Policy, changes: &[Change], format: Format) -> String {
    let loosening = changes
        .iter()
        .filter(|c| c.direction == Direction::Loosening)
        .count();
    let tightening = changes
        .iter()
        .filter(|c| c.direction == Direction::Tightening)
        .count();
    let summary = format!(
        "{} change(s): {loosening} loosening, {tightening} tightening, {} neutral",
        changes.len(),
        changes.len() - loosening - tightening
    );
    let scope = |c: &Change| {
        c.endpoint
            .map_or("policy".to_owned(), |e| e.name().to_owned())
    };
    match format {
        Format::Json => {
            let v = json!({
                "old": {"policy": old.origin(), "sha256": old.digest()},
                "new": {"policy": new.origin(), "sha256": new.digest()},
                "loosens": loosening > 0,
                "changes": changes.iter().map(|c| json!({
                    "scope": scope(c), "subject": c.subject, "old": c.old, "new": c.new,
                    "direction": c.direction.name(),
                })).collect::<Vec<_>>(),
            });
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
        Format::Text => {
            let mut s = format!(
                "old: {} sha256:{}\nnew: {} sha256:{}\n",
                old.origin(),
                old.digest(),
                new.origin(),
                new.digest()
            );
            for c in changes {
                let _ = write!(
                    s,
                    "\n{:<10} [{}] {}\n  - {}\n  + {}\n",
                    c.direction.name().to_uppercase(),
                    scope(c),
                    c.subject,
                    c.old,
                    c.new
                );
            }
            let _ = writeln!(s, "\n{summary}");
            s
        }
        Format::Markdown => {
            let mut s = format!(
                "### Policy diff\n\n- old: `{}` (`{}`)\n- new: `{}` (`{}`)\n- {summary}\n",
                old.origin(),
                &old.digest()[..12],
                new.origin(),
                &new.digest()[..12]
            );
            if !changes.is_empty() {
                s.push_str("\n| | scope | field | old | new |\n|---|---|---|---|---|\n");
                for c in changes {
                    let mark = match c.direction {
                        Direction::Loosening => "⚠️ loosening",
                        Direction::Tightening => "tightening",
                        Direction::Neutral => "neutral",
                    };
                    let _ = writeln!(
                        s,
                        "| {mark} | {} | `{}` | {} | {} |",
                        scope(c),
                        c.subject,
                        c.old,
                        c.new
                    );
                }
            }
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::parse;

    fn p(src: &str) -> Policy {
        parse(&format!("version = 1\n{src}"), "p").unwrap()
    }

    #[test]
    fn typing_a_custom_input_phone_loosens() {
        let untyped = p("[transaction]\n\"custom_inputs.alt\" = \"keep\"\n");
        let phone =
            p("[transaction]\n\"custom_inputs.alt\" = { action = \"keep\", type = \"phone\" }\n");
        let number =
            p("[transaction]\n\"custom_inputs.alt\" = { action = \"keep\", type = \"number\" }\n");
        let only = |a: &Policy, b: &Policy| {
            let changes = diff(a, b);
            assert_eq!(changes.len(), 1, "{changes:?}");
            assert_eq!(changes[0].subject, "custom_inputs.alt");
            changes[0].direction
        };
        assert_eq!(only(&untyped, &phone), Direction::Loosening);
        assert_eq!(only(&phone, &untyped), Direction::Tightening);
        assert_eq!(only(&phone, &number), Direction::Tightening);
        assert_eq!(only(&untyped, &number), Direction::Neutral);
        assert!(diff(&phone, &phone).is_empty());
        assert!(diff(&untyped, &phone)[0].new.ends_with("(type phone)"));
    }

    #[test]
    fn text_changes_that_keep_treatment_are_no_change() {
        let a = p("[transaction]\n\"billing.*\" = \"keep\"\n\"device.ip_address\" = \"keep\"\n");
        let b = p("# reordered\n[transaction]\n\"device.ip_address\" = \"keep\" # ip\n\"billing.city\" = \"keep\"\n\"billing.*\" = \"keep\"\n");
        assert_eq!(diff(&a, &b), vec![]);
    }

    #[test]
    fn labels_loosening_and_tightening() {
        let a = p("[transaction]\n\"credit_card.number\" = \"truncate_pan\"\n\"email.address\" = \"hash_email\"\n\"billing.city\" = \"drop\"\n");
        let b = p("on_pan = \"redact\"\n[transaction]\n\"credit_card.number\" = { action = \"truncate_pan\", iin = 8 }\n\"email.address\" = \"keep\"\n");
        let changes = diff(&a, &b);
        let find = |s: &str| changes.iter().find(|c| c.subject == s).unwrap().direction;
        assert_eq!(find("on_pan"), Direction::Loosening);
        let c = p("on_email = \"keep\"\n[transaction]\n");
        let d = p("on_email = \"reject\"\n[transaction]\n");
        let dir = |a: &Policy, b: &Policy| {
            diff(a, b)
                .into_iter()
                .find(|x| x.subject == "on_email")
                .map(|x| x.direction)
        };
        assert_eq!(dir(&c, &d), Some(Direction::Tightening));
        assert_eq!(dir(&d, &c), Some(Direction::Loosening));
        assert_eq!(find("credit_card.number"), Direction::Loosening);
        assert_eq!(find("email.address"), Direction::Loosening);
        assert!(
            changes.iter().all(|c| c.subject != "billing.city"),
            "drop → unlisted drop is no change"
        );
        assert!(loosens(&changes));
        let back = diff(&b, &a);
        assert!(back.iter().all(|c| c.direction == Direction::Tightening));
        assert!(!loosens(&back));
    }

    #[test]
    fn username_form_changes_are_neutral_and_unlisted_reject_to_drop_loosens() {
        let a =
            p("unlisted = \"reject\"\n[transaction]\n\"account.username\" = \"hash_username\"\n");
        let b = p("[transaction]\n\"account.username\" = { action = \"hash_username\", canonical = \"raw\" }\n");
        let changes = diff(&a, &b);
        assert_eq!(
            changes
                .iter()
                .find(|c| c.subject == "account.username")
                .unwrap()
                .direction,
            Direction::Neutral
        );
        assert_eq!(
            changes
                .iter()
                .find(|c| c.subject == "unlisted")
                .unwrap()
                .direction,
            Direction::Loosening
        );
        assert_eq!(
            changes
                .iter()
                .find(|c| c.subject == "billing.city")
                .unwrap()
                .direction,
            Direction::Loosening
        );
    }
}
