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
    /// SHA-256 (hex) of the identity: plan, address, action, rule, declaration.
    pub id: String,
    /// SHA-256 (hex) of the declaration's text at the head; `None` when the
    /// head does not declare it (a deleted block) or its declaration was not found.
    pub declaration: Option<String>,
}

/// The items of one run, as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DestructiveSet {
    /// SHA-256 (hex) of the items' ids, sorted, one per line: equal digests
    /// mean equal sets, whatever order the findings come in.
    pub digest: String,
    /// How many items (findings that need approval) there are.
    pub items: usize,
}

/// Version of the identity's encoding: a change of what goes into an id
/// changes this, so ids of different encodings never compare equal.
const ENCODING: &str = "plangate-item-v1";

/// Gives each finding that needs approval its item, and returns the set.
/// `declaration` gives the text of a finding's declaration at the head.
pub fn identify(
    findings: &mut [Finding],
    declaration: &dyn Fn(&Finding) -> Option<String>,
) -> DestructiveSet {
    let mut ids = Vec::new();
    for f in findings.iter_mut() {
        if f.require.is_none() {
            f.item = None;
            continue;
        }
        let declaration = declaration(f).map(|text| hex(&Sha256::digest(text.as_bytes())));
        let plan = f.plan_in_repo.clone().or_else(|| f.plan.clone());
        // A JSON array of strings and nulls: unambiguous (no separator can be
        // forged inside an address) and the same on every platform.
        let encoded = serde_json::json!([
            ENCODING,
            plan,
            f.address,
            f.action.as_str(),
            f.rule,
            declaration,
        ])
        .to_string();
        let id = hex(&Sha256::digest(encoded.as_bytes()));
        ids.push(id.clone());
        f.item = Some(Item { id, declaration });
    }
    ids.sort();
    ids.dedup();
    let mut lines = String::new();
    for id in &ids {
        lines.push_str(id);
        lines.push('\n');
    }
    DestructiveSet {
        digest: hex(&Sha256::digest(lines.as_bytes())),
        items: ids.len(),
    }
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

    #[test]
    fn hex_is_lowercase_and_two_digits_a_byte() {
        assert_eq!(hex(&[0, 10, 255]), "000aff");
    }
}
