//! The destructive set: what an approval approves.
//!
//! Each finding that needs approval is an item with a stable identity: the
//! plan (as the repository names it), the address, the action, the rule, and a
//! hash of the resource's declaration at the head. The same change judged at
//! another commit, or by another run, has the same identity, so an approval
//! can be bound to it; an edited declaration (a changed argument of an
//! approved replace) is a new item, and so is the same address destroyed by
//! another rule or in another plan. The set's digest covers every item.
//!
//! Pure: the declarations' texts come from the caller.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Finding;

/// A finding's identity as an item of the destructive set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// SHA-256 (hex) of the identity: plan, address, deposed key, action,
    /// rule, and the declaration's state and hash.
    pub id: String,
    /// SHA-256 (hex) of the declaration's text at the head, when it was found.
    pub declaration: Option<String>,
    /// Whether the declaration was found: `head`, `absent` (the head declares
    /// nothing, as for a deleted block) or `not-found` (the head should declare
    /// it but plangate could not find it: the id then cannot tell an edited
    /// block from the approved one, and nothing may be carried over on it).
    pub declared: Declared,
}

/// What is known of a finding's declaration at the head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Declared {
    Head,
    Absent,
    NotFound,
}

impl Declared {
    fn as_str(self) -> &'static str {
        match self {
            Declared::Head => "head",
            Declared::Absent => "absent",
            Declared::NotFound => "not-found",
        }
    }
}

/// What the caller knows of one finding: its declaration at the head, and the
/// deposed key of a deposed object (the same address can appear twice in a plan).
pub struct Facts {
    pub declaration: Declaration,
    pub deposed: Option<String>,
}

pub enum Declaration {
    /// The block's (or the file's) text at the head.
    Text(String),
    Absent,
    NotFound,
}

/// The items of one run, as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DestructiveSet {
    /// SHA-256 (hex) of the items' ids, sorted, one per line: equal digests
    /// mean equal sets, whatever order the findings come in. The empty set's
    /// digest is the SHA-256 of nothing (`e3b0c442…`).
    pub digest: String,
    /// How many items (findings that need approval) there are.
    pub items: usize,
}

/// Version of the identity's encoding: a change of what goes into an id
/// changes this, so ids of different encodings never compare equal.
const ENCODING: &str = "plangate-item-v1";

/// Gives each finding that needs approval its item, and returns the set.
pub fn identify(findings: &mut [Finding], facts: &dyn Fn(&Finding) -> Facts) -> DestructiveSet {
    let mut ids = Vec::new();
    for f in findings.iter_mut() {
        if f.require.is_none() {
            f.item = None;
            continue;
        }
        let Facts {
            declaration,
            deposed,
        } = facts(f);
        let (declared, declaration) = match declaration {
            Declaration::Text(text) => {
                (Declared::Head, Some(hex(&Sha256::digest(text.as_bytes()))))
            }
            Declaration::Absent => (Declared::Absent, None),
            Declaration::NotFound => (Declared::NotFound, None),
        };
        let plan = f.plan_in_repo.clone().or_else(|| f.plan.clone());
        // A JSON array of strings and nulls: unambiguous (no separator can be
        // forged inside an address) and the same on every platform.
        let encoded = serde_json::json!([
            ENCODING,
            plan,
            f.address,
            deposed,
            f.action.as_str(),
            f.rule,
            declared.as_str(),
            declaration,
        ])
        .to_string();
        let id = hex(&Sha256::digest(encoded.as_bytes()));
        ids.push(id.clone());
        f.item = Some(Item {
            id,
            declaration,
            declared,
        });
    }
    // Not deduplicated: two findings with one id (the same plan read twice)
    // are two items, and the digest counts both.
    DestructiveSet {
        digest: digest(&ids),
        items: ids.len(),
    }
}

/// SHA-256 (hex) of the ids, sorted, one per line: the set's digest.
pub fn digest(ids: &[String]) -> String {
    let mut ids: Vec<&String> = ids.iter().collect();
    ids.sort();
    let mut lines = String::new();
    for id in ids {
        lines.push_str(id);
        lines.push('\n');
    }
    hex(&Sha256::digest(lines.as_bytes()))
}

/// The lines `lines` (1-based, inclusive) of `text`.
pub fn lines_of(text: &str, start: usize, end: usize) -> Option<String> {
    if start == 0 || end < start {
        return None;
    }
    let picked: Vec<&str> = text.lines().skip(start - 1).take(end - start + 1).collect();
    (picked.len() == end - start + 1).then(|| picked.join("\n"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_picked_whole_or_not_at_all() {
        let text = "a\nb\nc\n";
        assert_eq!(lines_of(text, 2, 3).as_deref(), Some("b\nc"));
        assert_eq!(lines_of(text, 1, 1).as_deref(), Some("a"));
        assert_eq!(lines_of(text, 3, 4), None);
        assert_eq!(lines_of(text, 0, 1), None);
        assert_eq!(lines_of(text, 2, 1), None);
    }

    /// Two findings of one rule: a delete of `x.a` (absent at the head) and of
    /// its deposed object, as a plan lists both.
    fn two_deletes() -> Vec<Finding> {
        let config = crate::config::builtin().unwrap();
        let rule = config
            .policy
            .rules
            .iter()
            .find(|r| r.require.is_some())
            .unwrap();
        (0..2)
            .map(|i| {
                super::super::finding(
                    rule,
                    Some("plan.json".into()),
                    "x.a".into(),
                    "x".into(),
                    crate::model::Action::Delete,
                    Vec::new(),
                    None,
                    super::super::Target::Change { plan: 0, change: i },
                )
            })
            .collect()
    }

    fn facts(deposed: bool) -> impl Fn(&Finding) -> Facts {
        move |f| Facts {
            declaration: Declaration::Absent,
            deposed: match f.target {
                super::super::Target::Change { change: 1, .. } if deposed => {
                    Some("00000001".into())
                }
                _ => None,
            },
        }
    }

    #[test]
    fn a_deposed_object_is_an_item_of_its_own() {
        let mut findings = two_deletes();
        let set = identify(&mut findings, &facts(true));
        let ids: Vec<&str> = findings
            .iter()
            .map(|f| f.item.as_ref().unwrap().id.as_str())
            .collect();
        assert_ne!(ids[0], ids[1]);
        assert_eq!(set.items, 2);
    }

    #[test]
    fn two_findings_with_one_id_are_two_items_of_the_set() {
        let mut one = two_deletes();
        one.truncate(1);
        let single = identify(&mut one, &facts(false));
        let mut both = two_deletes();
        let double = identify(&mut both, &facts(false));
        assert_eq!(both[0].item, both[1].item);
        assert_eq!((single.items, double.items), (1, 2));
        assert_ne!(single.digest, double.digest);
    }

    #[test]
    fn a_declaration_not_found_is_not_the_same_item_as_one_absent() {
        let mut absent = two_deletes();
        identify(&mut absent, &facts(false));
        let mut unknown = two_deletes();
        identify(&mut unknown, &|_| Facts {
            declaration: Declaration::NotFound,
            deposed: None,
        });
        let (a, u) = (
            absent[0].item.clone().unwrap(),
            unknown[0].item.clone().unwrap(),
        );
        assert_eq!(
            (a.declared, u.declared),
            (Declared::Absent, Declared::NotFound)
        );
        assert_ne!(a.id, u.id);
    }

    #[test]
    fn the_empty_set_has_the_digest_of_nothing() {
        let set = identify(&mut [], &facts(false));
        assert_eq!(set.items, 0);
        assert!(set.digest.starts_with("e3b0c442"), "{}", set.digest);
    }

    #[test]
    fn hex_is_lowercase_and_two_digits_a_byte() {
        assert_eq!(hex(&[0, 10, 255]), "000aff");
    }
}
