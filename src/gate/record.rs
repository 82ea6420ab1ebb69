//! plangate's records: the destructive set of a commit, written where only
//! CI writes (a check run on the commit) so that a later run can tell what a
//! reviewer of that commit was shown.
//!
//! A record says: at commit H, these items needed approval. It is read back
//! only from the expected app; what it may then do is narrow: an approval of
//! H carries to a later head whose whole set H's record holds (see
//! [`covers`]), and the approvals' own rules still apply there.
//!
//! Pure: writing and reading the check runs is the edge's job.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::Finding;
use super::items::{Declared, DestructiveSet, digest};

/// The check run's name: records are looked up by it.
pub const CHECK_NAME: &str = "plangate destructive set";

/// The record's encoding; another one is not read.
const FORMAT: u32 = 1;

/// GitHub refuses a check run's `output.text` longer than this.
pub const MAX_TEXT: usize = 65_535;

const FENCE_OPEN: &str = "```json\n";
const FENCE_CLOSE: &str = "\n```";

/// One commit's destructive set, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub plangate_record: u32,
    /// The commit the set is of.
    pub head: String,
    /// The set's digest ([`DestructiveSet::digest`]).
    pub digest: String,
    /// The items' ids, sorted; `None` when they did not fit in a check run
    /// (then only an equal digest is the same set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<String>>,
    /// What each item is, for people reading the check run (left out first
    /// when the record is too long).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<RecordItem>>,
    /// What the set was found with ([`Context`]): a review may be re-judged
    /// from the record only while both are the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classes: Option<String>,
}

/// What a destructive set was found with besides the plans: the
/// configuration (its digest) and the class of every commit of the range
/// (their digest, [`classes`]). The same head with the same context has the
/// same findings; a changed policy, or a pull request's signal that made its
/// commits an agent's, may have more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub config: String,
    pub classes: String,
}

/// The digest of the range's commits and their classes: one line per commit,
/// sorted, so that the order they were read in does not matter.
pub fn classes<'a>(
    commits: impl IntoIterator<Item = (&'a str, crate::classify::Class, Option<&'a str>)>,
) -> String {
    use sha2::{Digest, Sha256};
    let mut lines: Vec<String> = commits
        .into_iter()
        .map(|(sha, class, agent)| format!("{sha} {} {}", class.as_str(), agent.unwrap_or("-")))
        .collect();
    lines.sort();
    let mut h = Sha256::new();
    for line in lines {
        h.update(line);
        h.update("\n");
    }
    format!("{:x}", h.finalize())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordItem {
    pub id: String,
    pub plan: Option<String>,
    pub address: String,
    pub action: String,
    pub rule: String,
    /// The commits the finding is attributed to.
    pub commits: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// How the commits were tied to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<crate::attribution::Basis>,
    /// Whether its declaration was found at the head (an item not found never
    /// carries an approval over).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared: Option<Declared>,
}

/// The record of a run's findings at `head`.
pub fn of(findings: &[Finding], set: &DestructiveSet, head: &str, context: &Context) -> Record {
    let mut items: Vec<RecordItem> = findings
        .iter()
        .filter_map(|f| {
            let item = f.item.as_ref()?;
            Some(RecordItem {
                id: item.id.clone(),
                plan: f.plan_in_repo.clone().or_else(|| f.plan.clone()),
                address: f.address.clone(),
                action: f.action.as_str().to_owned(),
                rule: f.rule.clone(),
                commits: f.commits.iter().map(|c| c.sha.clone()).collect(),
                resource_type: Some(f.resource_type.clone()),
                reasons: f.reasons.clone(),
                basis: Some(f.basis),
                declared: Some(item.declared),
            })
        })
        .collect();
    items.sort_by(|a, b| a.id.cmp(&b.id));
    Record {
        plangate_record: FORMAT,
        head: head.to_owned(),
        digest: set.digest.clone(),
        ids: Some(items.iter().map(|i| i.id.clone()).collect()),
        items: Some(items),
        config: Some(context.config.clone()),
        classes: Some(context.classes.clone()),
    }
}

/// The check run's text: the record as fenced JSON, shortened to fit (the
/// items' details first, then the ids; the digest always stays).
pub fn text(record: &Record) -> String {
    let fenced = |r: &Record| {
        let json = serde_json::to_string_pretty(r).unwrap_or_default();
        format!("{FENCE_OPEN}{json}{FENCE_CLOSE}")
    };
    let mut record = record.clone();
    let full = fenced(&record);
    if full.len() <= MAX_TEXT {
        return full;
    }
    record.items = None;
    let ids = fenced(&record);
    if ids.len() <= MAX_TEXT {
        return ids;
    }
    record.ids = None;
    fenced(&record)
}

/// The check run's one-line summary, for people.
pub fn summary(record: &Record) -> String {
    let n = record.ids.as_ref().map(Vec::len);
    let what = match n {
        Some(0) => "nothing that needs approval".to_owned(),
        Some(1) => "1 change that needs approval".to_owned(),
        Some(n) => format!("{n} changes that need approval"),
        None => "a destructive set too large to list here".to_owned(),
    };
    format!(
        "plangate recorded {what} at {} (digest {}). Read by plangate to carry approvals over \
         pushes that keep this set; not a verdict.",
        short(&record.head),
        short(&record.digest)
    )
}

/// A check run's text read back as a record of `head_sha`; why not, if not.
pub fn parse(text: &str, head_sha: &str) -> Result<Record, String> {
    let json = text
        .strip_prefix(FENCE_OPEN)
        .and_then(|t| t.strip_suffix(FENCE_CLOSE))
        .ok_or("its text is not a fenced JSON record")?;
    let record: Record =
        serde_json::from_str(json).map_err(|e| format!("its record does not parse: {e}"))?;
    if record.plangate_record != FORMAT {
        return Err(format!(
            "its record is of format {}, not {FORMAT}",
            record.plangate_record
        ));
    }
    if record.head != head_sha {
        return Err(format!(
            "its record is of {}, not of the commit it is on",
            short(&record.head)
        ));
    }
    if let Some(ids) = &record.ids
        && digest(ids) != record.digest
    {
        return Err("its ids do not hash to its digest".into());
    }
    if let (Some(ids), Some(items)) = (&record.ids, &record.items)
        && !items.iter().map(|i| &i.id).eq(ids.iter())
    {
        return Err("its items are not its ids".into());
    }
    Ok(record)
}

/// Does every record of a commit hold the head's whole set (each id as many
/// times as the head has it)? Why not, if not. Each record must: when one
/// commit has several (a re-run), the reviewer may have been shown any of
/// them. An item whose declaration was not found at the head cannot be told
/// from an edited one, so it is never covered.
pub fn covers(
    records: &[Record],
    findings: &[Finding],
    set: &DestructiveSet,
) -> Result<(), String> {
    if records.is_empty() {
        return Err("plangate has no record of it".into());
    }
    if let Some(f) = findings.iter().find(|f| {
        f.item
            .as_ref()
            .is_some_and(|i| i.declared == Declared::NotFound)
    }) {
        return Err(format!(
            "the declaration of {} was not found at the head, so an edit of it cannot be ruled out",
            f.address
        ));
    }
    let mut wanted: HashMap<&str, usize> = HashMap::new();
    for f in findings {
        if let Some(i) = &f.item {
            *wanted.entry(i.id.as_str()).or_default() += 1;
        }
    }
    for record in records {
        let Some(ids) = &record.ids else {
            if record.digest == set.digest {
                continue;
            }
            return Err("its record lists no items and its digest is not the head's".into());
        };
        let mut held: HashMap<&str, usize> = HashMap::new();
        for id in ids {
            *held.entry(id.as_str()).or_default() += 1;
        }
        let missing = findings.iter().find(|f| {
            f.item.as_ref().is_some_and(|i| {
                held.get(i.id.as_str()).copied().unwrap_or(0) < wanted[i.id.as_str()]
            })
        });
        if let Some(f) = missing {
            return Err(format!(
                "its recorded set does not hold {} {} ({}): a new or edited item",
                f.action.as_str(),
                f.address,
                f.rule
            ));
        }
    }
    Ok(())
}

fn short(sha: &str) -> String {
    sha.chars().take(7).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::items::{self, Declaration, Facts};

    const HEAD: &str = "1111111111111111111111111111111111111111";

    fn context() -> Context {
        Context {
            config: "c".repeat(64),
            classes: "d".repeat(64),
        }
    }

    /// Deletes of `addresses` under the built-in rule that needs approval,
    /// identified as items.
    fn findings(addresses: &[&str]) -> (Vec<Finding>, DestructiveSet) {
        let config = crate::config::builtin().unwrap();
        let rule = config
            .policy
            .rules
            .iter()
            .find(|r| r.require.is_some())
            .unwrap();
        let mut findings: Vec<Finding> = addresses
            .iter()
            .enumerate()
            .map(|(i, a)| {
                super::super::finding(
                    rule,
                    Some("plan.json".into()),
                    (*a).into(),
                    "x".into(),
                    crate::model::Action::Delete,
                    Vec::new(),
                    None,
                    super::super::Target::Change { plan: 0, change: i },
                )
            })
            .collect();
        let set = items::identify(&mut findings, &|_| Facts {
            declaration: Declaration::Absent,
            deposed: None,
        });
        (findings, set)
    }

    #[test]
    fn a_record_reads_back_as_written_and_only_on_its_commit() {
        let (f, set) = findings(&["x.a", "x.b"]);
        let record = of(&f, &set, HEAD, &context());
        let text = text(&record);
        assert_eq!(parse(&text, HEAD), Ok(record));
        let other = "2222222222222222222222222222222222222222";
        assert!(
            parse(&text, other)
                .unwrap_err()
                .contains("not of the commit")
        );
        assert!(parse("{}", HEAD).unwrap_err().contains("not a fenced JSON"));
        let tampered = text.replace(&set.digest, &"0".repeat(64));
        assert!(parse(&tampered, HEAD).unwrap_err().contains("do not hash"));
        let future = text.replace("\"plangate_record\": 1", "\"plangate_record\": 2");
        assert!(parse(&future, HEAD).unwrap_err().contains("format 2"));
    }

    #[test]
    fn a_record_too_long_for_a_check_run_keeps_its_ids_then_its_digest() {
        let many: Vec<String> = (0..400).map(|i| format!("x.{i}")).collect();
        let names: Vec<&str> = many.iter().map(String::as_str).collect();
        let (f, set) = findings(&names);
        let record = of(&f, &set, HEAD, &context());
        let short = parse(&text(&record), HEAD).unwrap();
        assert!(text(&record).len() <= MAX_TEXT);
        assert_eq!(
            (short.items, short.ids.as_ref()),
            (None, record.ids.as_ref())
        );
        let many: Vec<String> = (0..1500).map(|i| format!("x.{i}")).collect();
        let names: Vec<&str> = many.iter().map(String::as_str).collect();
        let (f, set) = findings(&names);
        let digest_only = parse(&text(&of(&f, &set, HEAD, &context())), HEAD).unwrap();
        assert_eq!(
            (digest_only.ids, digest_only.digest),
            (None, set.digest.clone())
        );
        // Then only the same digest is the same set.
        assert_eq!(covers(&[of(&f, &set, HEAD, &context())], &f, &set), Ok(()));
        let (fewer, fewer_set) = findings(&names[1..]);
        let mut record = of(&f, &set, HEAD, &context());
        record.ids = None;
        assert!(covers(&[record], &fewer, &fewer_set).is_err());
    }

    #[test]
    fn every_record_must_hold_every_item_as_often_as_the_head_has_it() {
        let (two, two_set) = findings(&["x.a", "x.b"]);
        let (one, one_set) = findings(&["x.a"]);
        let (twice, twice_set) = findings(&["x.a", "x.a"]);
        let of_two = of(&two, &two_set, HEAD, &context());
        let of_one = of(&one, &one_set, HEAD, &context());
        assert_eq!(
            covers(std::slice::from_ref(&of_two), &one, &one_set),
            Ok(())
        );
        assert!(
            covers(std::slice::from_ref(&of_one), &two, &two_set)
                .unwrap_err()
                .contains("delete x.b")
        );
        assert!(covers(std::slice::from_ref(&of_one), &twice, &twice_set).is_err());
        assert!(covers(&[of_two, of_one], &two, &two_set).is_err());
        assert!(
            covers(&[], &one, &one_set)
                .unwrap_err()
                .contains("no record")
        );
    }
}
