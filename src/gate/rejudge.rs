//! Re-judging a review from the head's records (`check --from-record`): the
//! findings that needed approval when the head was checked with its plans,
//! rebuilt without the plans, so that a review event needs no terraform and
//! no cloud credentials.
//!
//! The records are trusted only as far as they can be checked here: each
//! must be of the head, list its items, and have been found with the same
//! configuration and the same commit classes as this run has (else the head
//! checked now might have more findings than were recorded); every commit an
//! item names must be in the range; every rule it names must be in the policy.
//! Several records (plans checked in several jobs, or a re-run) are one set:
//! each item as many times as the record holding it most often has it.
//!
//! Pure: reading the check runs is the edge's job.

use std::collections::HashMap;
use std::sync::Arc;

use super::items::{self, Declared, DestructiveSet, Item};
use super::record::{Context, Record, RecordItem};
use super::{Finding, Target};
use crate::attribution::{self, AttributedCommit, Authorship, Basis, CommitFacts};
use crate::history::History;
use crate::model::Action;
use crate::policy::Policy;

/// The findings the records hold, and their set; why they cannot be used, if not.
pub fn findings(
    records: &[Record],
    context: &Context,
    history: &History,
    policy: &Policy,
) -> Result<(Vec<Finding>, DestructiveSet), String> {
    if records.is_empty() {
        return Err("no record of it was found".into());
    }
    let mut most: HashMap<&str, (usize, &RecordItem)> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for record in records {
        let items = record.items.as_ref().ok_or(
            "a record of it lists no items (its set was too large for a check run): only the plan can show them",
        )?;
        if record.config.as_deref() != Some(context.config.as_str()) {
            return Err(
                "the configuration (or plangate's version) is not the one its record was made with"
                    .into(),
            );
        }
        if record.classes.as_deref() != Some(context.classes.as_str()) {
            return Err(
                "the range's commits or their classes are not those its record was made with \
                 (a new base, or a pull request's agent signal changed since)"
                    .into(),
            );
        }
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for item in items {
            *counts.entry(item.id.as_str()).or_default() += 1;
        }
        for item in items {
            let n = counts[item.id.as_str()];
            match most.get_mut(item.id.as_str()) {
                Some(entry) => entry.0 = entry.0.max(n),
                None => {
                    order.push(item.id.as_str());
                    most.insert(item.id.as_str(), (n, item));
                }
            }
        }
    }
    let commits: HashMap<&str, &crate::history::Authored> = history
        .commits
        .iter()
        .map(|a| (a.commit.sha.as_str(), a))
        .collect();
    let head = &history.range.head;
    let mut findings = Vec::new();
    for id in order {
        let (n, item) = most[id];
        let finding = finding(item, head, &commits, policy)?;
        findings.extend(std::iter::repeat_n(finding, n));
    }
    let mut ids: Vec<String> = findings
        .iter()
        .filter_map(|f| f.item.as_ref().map(|i| i.id.clone()))
        .collect();
    ids.sort();
    let set = DestructiveSet {
        digest: items::digest(&ids),
        items: ids.len(),
    };
    Ok((findings, set))
}

fn finding(
    item: &RecordItem,
    head: &str,
    commits: &HashMap<&str, &crate::history::Authored>,
    policy: &Policy,
) -> Result<Finding, String> {
    let what = format!("{} {}", item.action, item.address);
    let rule = policy
        .rules
        .iter()
        .find(|r| r.id == item.rule)
        .ok_or_else(|| {
            format!(
                "its record names rule {} ({what}), which the policy lacks",
                item.rule
            )
        })?;
    if rule.require.is_none() {
        return Err(format!(
            "its record has {what} needing approval under {}, which needs none",
            rule.id
        ));
    }
    let action = Action::ALL
        .into_iter()
        .find(|a| a.as_str() == item.action)
        .ok_or_else(|| format!("its record names an unknown action `{}`", item.action))?;
    let attributed = item
        .commits
        .iter()
        .map(|sha| {
            let authored = commits.get(sha.as_str()).ok_or_else(|| {
                format!("its record ties {what} to {sha}, which is not a commit of the range")
            })?;
            Ok(AttributedCommit {
                sha: sha.clone(),
                class: authored.by.class,
                agent: authored.by.agent().map(str::to_owned),
                who: Arc::new(CommitFacts::of(authored)),
                wrote: vec![format!(
                    "attributed by plangate's record of {}",
                    short(head)
                )],
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let who = Authorship {
        authored_by: attribution::authored_by(&attributed),
        basis: item.basis.unwrap_or(Basis::InfrastructureFiles),
        commits: attributed,
        location: None,
        note: None,
    };
    let mut f = super::finding(
        rule,
        item.plan.clone(),
        item.address.clone(),
        item.resource_type
            .clone()
            .unwrap_or_else(|| "unknown".into()),
        action,
        item.reasons.clone(),
        Some(who),
        Target::Recorded,
    );
    f.plan_in_repo = item.plan.clone();
    f.item = Some(Item {
        id: item.id.clone(),
        declaration: None,
        // Unknown is never carried over.
        declared: item.declared.unwrap_or(Declared::NotFound),
    });
    Ok(f)
}

fn short(sha: &str) -> String {
    sha.chars().take(7).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::record::Record;

    const HEAD: &str = "1111111111111111111111111111111111111111";

    fn context() -> Context {
        Context {
            config: "c".repeat(64),
            classes: "d".repeat(64),
        }
    }

    fn history() -> History {
        History {
            range: crate::git::Range {
                base: "b".repeat(40),
                head: HEAD.into(),
                merge_base: "b".repeat(40),
                source: crate::git::RangeSource::Flags,
            },
            commits: Vec::new(),
        }
    }

    fn item(id: &str, rule: &str) -> RecordItem {
        RecordItem {
            id: id.repeat(64),
            plan: Some("plan.json".into()),
            address: format!("terraform_data.{id}"),
            action: "delete".into(),
            rule: rule.into(),
            commits: Vec::new(),
            resource_type: Some("terraform_data".into()),
            reasons: Vec::new(),
            basis: None,
            declared: Some(Declared::Absent),
        }
    }

    fn record(items: Vec<RecordItem>) -> Record {
        let mut ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
        ids.sort();
        Record {
            plangate_record: 1,
            head: HEAD.into(),
            digest: items::digest(&ids),
            ids: Some(ids),
            items: Some(items),
            config: Some(context().config),
            classes: Some(context().classes),
        }
    }

    fn gated() -> (Policy, String) {
        let policy = crate::config::builtin().unwrap().policy;
        let rule = policy
            .rules
            .iter()
            .find(|r| r.require.is_some())
            .unwrap()
            .id
            .clone();
        (policy, rule)
    }

    fn addresses(records: &[Record]) -> Vec<String> {
        let (policy, _) = gated();
        let (findings, set) = findings(records, &context(), &history(), &policy).unwrap();
        assert_eq!(set.items, findings.len());
        let mut a: Vec<String> = findings.into_iter().map(|f| f.address).collect();
        a.sort();
        a
    }

    #[test]
    fn several_records_are_one_set_each_item_as_often_as_one_record_has_it() {
        let (_, rule) = gated();
        let a = || item("a", &rule);
        let b = || item("b", &rule);
        assert_eq!(
            addresses(&[record(vec![a()]), record(vec![a(), b()])]),
            ["terraform_data.a", "terraform_data.b"]
        );
        assert_eq!(
            addresses(&[record(vec![a(), a()]), record(vec![a()])]),
            ["terraform_data.a", "terraform_data.a"]
        );
    }

    #[test]
    fn a_record_that_cannot_be_matched_to_this_run_is_refused() {
        let (policy, rule) = gated();
        let judge = |r: Record| findings(&[r], &context(), &history(), &policy).unwrap_err();
        let mut other_config = record(vec![item("a", &rule)]);
        other_config.config = Some("e".repeat(64));
        assert!(judge(other_config).contains("configuration"));
        let mut unstated = record(vec![item("a", &rule)]);
        unstated.classes = None;
        assert!(judge(unstated).contains("classes"));
        let mut ids_only = record(vec![item("a", &rule)]);
        ids_only.items = None;
        assert!(judge(ids_only).contains("lists no items"));
        assert!(judge(record(vec![item("a", "no-such-rule")])).contains("no-such-rule"));
        let mut odd = item("a", &rule);
        odd.action = "obliterate".into();
        assert!(judge(record(vec![odd])).contains("unknown action"));
        let mut stranger = item("a", &rule);
        stranger.commits = vec!["2".repeat(40)];
        assert!(judge(record(vec![stranger])).contains("not a commit of the range"));
        assert!(
            findings(&[], &context(), &history(), &policy)
                .unwrap_err()
                .contains("no record")
        );
    }

    #[test]
    fn an_item_whose_declaration_is_unknown_is_never_carried() {
        let (policy, rule) = gated();
        let mut old = item("a", &rule);
        old.declared = None;
        let (f, _) = findings(&[record(vec![old])], &context(), &history(), &policy).unwrap();
        assert_eq!(f[0].item.as_ref().unwrap().declared, Declared::NotFound);
    }
}
