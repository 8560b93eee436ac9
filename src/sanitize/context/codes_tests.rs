use super::*;
use crate::sanitize::context::{Field, Order};
use crate::sanitize::pan;
use crate::sanitize::word::Facts;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
    fn digits(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.below(10) as u8).collect()
    }
    /// A date of birth as (two-digit year, month, day).
    fn birth(&mut self) -> [u8; 3] {
        let month = 1 + self.below(12) as u8;
        [self.below(100) as u8, month, 1 + self.below(28) as u8]
    }
}

fn two(n: u8) -> [u8; 2] {
    [n / 10, n % 10]
}

fn text(d: &[u8]) -> String {
    d.iter().map(|&x| char::from(b'0' + x)).collect()
}

fn flagged(s: &str, field: &Field<'_>) -> bool {
    !pan::find_pans_in(s, &Facts::of(s.as_bytes()), field).is_empty()
}

fn weighted(d: &[u8], w: &[u32]) -> u32 {
    d.iter()
        .zip(w.iter().cycle())
        .map(|(&x, &w)| u32::from(x) * w)
        .sum()
}

/// A valid number of `nid`, as its digits, written plain.
fn valid(nid: Nid, rng: &mut Rng) -> Vec<u8> {
    let [yy, mm, dd] = rng.birth();
    let mut d: Vec<u8> = Vec::new();
    match nid {
        Nid::Pinfl => {
            d.push(3 + rng.below(4) as u8);
            d.extend(two(dd).iter().chain(&two(mm)).chain(&two(yy)));
            d.extend(rng.digits(6));
            d.push((weighted(&d, &[7, 3, 1]) % 10) as u8);
        }
        Nid::Nir => {
            d.push(1 + rng.below(2) as u8);
            d.extend(two(yy).iter().chain(&two(mm)));
            d.extend(two(1 + rng.below(95) as u8));
            d.extend(rng.digits(6));
            let body = d.iter().fold(0u64, |a, &x| a * 10 + u64::from(x));
            d.extend(two((97 - body % 97) as u8));
        }
        Nid::Nik => {
            let provinces = [51u8, 52, 53, 61, 63, 64, 81, 82, 32, 35, 36];
            d.extend(two(provinces[rng.below(11) as usize]));
            d.extend(two(1 + rng.below(26) as u8));
            d.extend(two(1 + rng.below(30) as u8));
            d.extend(two(dd + 40).iter().chain(&two(mm)).chain(&two(yy)));
            d.extend([0, 1, 2, 3]);
        }
        Nid::Inn => {
            d.extend(two([50u8, 61, 63, 66, 77][rng.below(5) as usize]));
            d.extend(rng.digits(8));
            d.push((weighted(&d, &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11 % 10) as u8);
            d.push((weighted(&d, &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11 % 10) as u8);
        }
        Nid::Cnic => {
            d.push(1 + rng.below(7) as u8);
            d.extend(rng.digits(12));
        }
        Nid::Cnp => {
            d.push(1 + rng.below(6) as u8);
            d.extend(two(yy).iter().chain(&two(mm)).chain(&two(dd)));
            d.extend(two(1 + rng.below(52) as u8));
            d.extend(rng.digits(3));
            let r = weighted(&d, &[2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9]) % 11;
            d.push(if r == 10 { 1 } else { r as u8 });
        }
        Nid::MyKad => {
            d.extend(two(yy).iter().chain(&two(mm)).chain(&two(dd)));
            d.extend(two(21 + rng.below(38) as u8));
            d.extend(rng.digits(4));
        }
        Nid::KzIin => loop {
            d.clear();
            d.extend(two(yy).iter().chain(&two(mm)).chain(&two(dd)));
            d.push(1 + rng.below(6) as u8);
            d.extend(rng.digits(4));
            let mut c = weighted(&d, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) % 11;
            if c == 10 {
                c = weighted(&d, &[3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]) % 11;
            }
            if c < 10 {
                d.push(c as u8);
                break;
            }
        },
        Nid::CnId => loop {
            d.clear();
            let provinces = [61u8, 62, 63, 64, 65, 35, 36, 11, 44];
            d.extend(two(provinces[rng.below(9) as usize]));
            d.extend(rng.digits(4));
            d.extend([1, 9]);
            d.extend(two(yy).iter().chain(&two(mm)).chain(&two(dd)));
            d.extend(rng.digits(3));
            let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
            let check = (12 - weighted(&d, &w) % 11) % 11;
            if check < 10 {
                d.push(check as u8);
                break;
            }
        },
        Nid::EgId => {
            d.push(2 + rng.below(2) as u8);
            d.extend(two(yy).iter().chain(&two(mm)).chain(&two(dd)));
            d.extend(two(*[1u8, 2, 12, 21, 88]
                .get(rng.below(5) as usize)
                .unwrap_or(&1)));
            d.extend(rng.digits(5));
        }
    }
    d
}

const ALL: [Nid; 10] = [
    Nid::Pinfl,
    Nid::Nir,
    Nid::Nik,
    Nid::Inn,
    Nid::Cnic,
    Nid::Cnp,
    Nid::MyKad,
    Nid::KzIin,
    Nid::EgId,
    Nid::CnId,
];

#[test]
fn national_numbers_are_found_by_their_structure_and_check_digits() {
    let mut rng = Rng(0x51f1_5eed);
    for nid in ALL {
        for _ in 0..200 {
            let d = valid(nid, &mut rng);
            let lens = [d.len()];
            assert!(national(&d, &lens, false).any(|n| n == nid), "{nid:?}");
            if nid.checked() {
                // Almost any one digit changed breaks the check digits (the
                // NIR's key and the INN's pair catch every single change;
                // the others all but a few: count them).
                let mut broken = 0;
                for at in 0..d.len() {
                    let mut bad = d.clone();
                    bad[at] = (bad[at] + 1) % 10;
                    broken += usize::from(!national(&bad, &lens, false).any(|n| n == nid));
                }
                assert!(broken * 10 >= d.len() * 8, "{nid:?}: {broken}");
            }
        }
    }
    // Their layouts: a NIR grouped as printed, a CNIC 5-7-1, a MyKad
    // 6-2-4; a NIK in fours is a card's layout, and no NIK.
    let nir = valid(Nid::Nir, &mut rng);
    assert!(national(&nir, &[1, 2, 2, 2, 3, 3, 2], false).any(|n| n == Nid::Nir));
    assert!(national(&nir, &[4, 4, 4, 3], false).all(|n| n != Nid::Nir));
    let cnic = valid(Nid::Cnic, &mut rng);
    assert!(national(&cnic, &[5, 7, 1], false).any(|n| n == Nid::Cnic));
    let mykad = valid(Nid::MyKad, &mut rng);
    assert!(national(&mykad, &[6, 2, 4], false).any(|n| n == Nid::MyKad));
    // A resident id as typed, 6-8-4 and 6-4-4-4, or with its `X` after
    // the 17 digits.
    let cn = valid(Nid::CnId, &mut rng);
    assert!(national(&cn, &[6, 8, 4], false).any(|n| n == Nid::CnId));
    assert!(national(&cn, &[6, 4, 4, 4], false).any(|n| n == Nid::CnId));
    assert!(national(&cn, &[4, 4, 4, 4, 2], false).all(|n| n != Nid::CnId));
    let nik = valid(Nid::Nik, &mut rng);
    assert!(national(&nik, &[4, 4, 4, 4], false).all(|n| n != Nid::Nik));
}

/// The number's word, in the language of the country that issues it.
fn word(nid: Nid) -> &'static str {
    match nid {
        Nid::Pinfl => "ПИНФЛ",
        Nid::Nir => "N° sécu",
        Nid::Nik => "NIK:",
        Nid::Inn => "ИНН",
        Nid::Cnic => "CNIC#",
        Nid::Cnp => "CNP:",
        Nid::MyKad => "MyKad",
        Nid::KzIin => "ИИН",
        Nid::EgId => "الرقم القومي",
        Nid::CnId => "身份证号",
    }
}

#[test]
fn national_numbers_are_not_cards_with_their_word_or_in_their_country() {
    let mut rng = Rng(0x1d5);
    let note = Field::of(None, true, "note");
    let user_id = Field::of(Some("account.user_id"), false, "user_id");
    for nid in ALL {
        let [a, b] = nid.country();
        let mut order = Order::default();
        order.note(
            false,
            "country",
            &String::from_utf8(vec![a, b]).unwrap_or_default(),
        );
        let in_country = Field {
            order: Some(&order),
            ..user_id
        };
        let mut other = Order::default();
        other.note(false, "country", "US");
        let elsewhere = Field {
            order: Some(&other),
            ..user_id
        };
        let mut n = 0;
        let mut tried = 0;
        while n < 20 {
            tried += 1;
            assert!(tried < 200_000, "{nid:?}");
            let d = valid(nid, &mut rng);
            let s = text(&d);
            if !flagged(&s, &note) {
                continue;
            }
            n += 1;
            let unambiguous = pan::is_pan(&d) && !pan::brand::maestro_short(&d);
            // Its word lowers it; a card word before it keeps it a card.
            assert!(
                !flagged(&format!("{} {s}", word(nid)), &note),
                "{nid:?} {n}"
            );
            assert!(
                flagged(&format!("card {} {s}", word(nid)), &note),
                "{nid:?}"
            );
            // Its country lowers it when it has check digits or is no
            // card's unambiguous shape; another country never does.
            let by_country = nid.checked() || !unambiguous;
            assert_eq!(!flagged(&s, &in_country), by_country, "{nid:?} {n}");
            assert!(flagged(&s, &elsewhere), "{nid:?} {n}");
            // In a card's layout (fours), a card's shape stays a card (a
            // whole Chinese resident id after its word is one in any
            // layout: `context::decide_unambiguous`).
            if unambiguous && d.len() >= 13 && nid != Nid::CnId {
                let fours: Vec<String> = d.chunks(4).map(text).collect();
                let grouped = fours.join(" ");
                assert!(
                    flagged(&format!("{} {grouped}", word(nid)), &note),
                    "{nid:?}"
                );
            }
        }
    }
}

/// `body` with its Finnish reference check digit (weights 7, 3, 1 from the
/// right; ten minus the sum's last digit).
fn with_fi_check(mut body: Vec<u8>) -> Vec<u8> {
    let mut rev = body.clone();
    rev.reverse();
    body.push(((10 - weighted(&rev, &[7, 3, 1]) % 10) % 10) as u8);
    body
}

/// `d` in groups of five from the right, as Finnish invoices print it.
fn in_fives(d: &[u8]) -> String {
    let s = text(d);
    let head = s.len() % 5;
    let mut groups: Vec<&str> = Vec::new();
    if head > 0 {
        groups.push(&s[..head]);
    }
    groups.extend((head..s.len()).step_by(5).map(|i| &s[i..i + 5]));
    groups.join(" ")
}

#[test]
fn finnish_references_are_not_cards_after_their_word() {
    // Finance Finland's example: 1234561.
    assert!(fi_reference(&[1, 2, 3, 4, 5, 6, 1]));
    assert!(!fi_reference(&[1, 2, 3, 4, 5, 6, 2]));
    let mut rng = Rng(71);
    let key = Field::of(None, true, "viitenumero");
    let note = Field::of(None, true, "note");
    let mut finnish = Order::default();
    finnish.note(false, "country", "FI");
    let mut n = 0;
    while n < 60 {
        let len = 12 + rng.below(8) as usize;
        let reference = with_fi_check(rng.digits(len));
        let written = if rng.below(2) == 0 {
            in_fives(&reference)
        } else {
            text(&reference)
        };
        if !flagged(&written, &note) {
            continue;
        }
        n += 1;
        // Its word in the key or before it tells it.
        assert!(!flagged(&written, &key), "ref {n}");
        assert!(
            !flagged(&format!("Viitenumero: {written}"), &note),
            "ref {n}"
        );
        // The order in Finland alone does not, nor a card word.
        let mut in_finland = note;
        in_finland.order = Some(&finnish);
        assert!(flagged(&written, &in_finland), "ref {n}");
        assert!(flagged(&format!("card {written}"), &key), "ref {n}");
        // A wrong check digit leaves the digits a card.
        let mut bad = reference.clone();
        let last = bad.len() - 1;
        bad[last] = (bad[last] + 1) % 10;
        let bad = text(&bad);
        if flagged(&bad, &note) {
            assert!(flagged(&bad, &key), "ref {n}");
        }
    }
}
