//! Join CloudFormation pages into plans: the pages of one change set into one
//! list, and nested change sets into their root with `/`-prefixed addresses.
//!
//! What cannot be joined is said, never dropped: a page whose next page is
//! missing is an error; a nested change set that was not given, or a child given
//! without its root, is a [`Gap`] on the plan, which `check` refuses.

use std::collections::{HashMap, HashSet};

use super::cloudformation::Page;
use super::error::ReadError;
use crate::model::{Action, Change, Format, Gap, Plan};

/// One change set with all its pages merged.
struct ChangeSet {
    path: String,
    parts: Vec<String>,
    parent: Option<String>,
    changes: Vec<Change>,
    children: Vec<(usize, String)>,
    notes: Vec<crate::model::Note>,
    stack: Option<String>,
}

/// Plans from pages, in the order their first file was given.
pub fn assemble(pages: Vec<Page>) -> Result<Vec<Plan>, Vec<ReadError>> {
    let mut errors = Vec::new();
    let mut sets: Vec<(Option<String>, ChangeSet)> = Vec::new();
    let mut groups: Vec<(Option<String>, Vec<Page>)> = Vec::new();
    for page in pages {
        match groups
            .iter_mut()
            .find(|(k, _)| k.is_some() && *k == page.key)
        {
            Some((_, group)) => group.push(page),
            None => groups.push((page.key.clone(), vec![page])),
        }
    }
    for (key, group) in groups {
        match merge(key.as_deref(), group) {
            Ok(set) => sets.push((key, set)),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let index: HashMap<String, usize> = sets
        .iter()
        .enumerate()
        .filter_map(|(i, (k, _))| k.clone().map(|k| (k, i)))
        .collect();
    // A change set is linked under its parent when the parent was given and
    // names it from a nested-stack change.
    let linked: HashSet<usize> = sets
        .iter()
        .flat_map(|(_, s)| {
            s.children
                .iter()
                .filter_map(|(_, id)| index.get(id).copied())
        })
        .collect();
    let mut plans = Vec::new();
    let mut reached = HashSet::new();
    for (i, (_, set)) in sets.iter().enumerate() {
        if linked.contains(&i) {
            continue;
        }
        let mut plan = Plan {
            path: set.path.clone(),
            format: Format::CloudFormation,
            tool_version: None,
            changes: Vec::new(),
            parts: set.parts.clone(),
            gaps: Vec::new(),
            notes: set.notes.clone(),
            origin: Default::default(),
        };
        if let Some(parent) = &set.parent {
            plan.gaps.push(Gap::RootChangeSetMissing {
                parent_change_set_id: parent.clone(),
            });
        }
        let mut visiting = HashSet::from([i]);
        if let Err(e) = flatten(&sets, &index, i, "", &mut plan, &mut visiting) {
            errors.push(e);
        }
        reached.extend(visiting);
        // Nested changes belong to the root's stack: its template leads to theirs.
        for c in &mut plan.changes {
            c.declared.stack = set.stack.clone();
        }
        plans.push(plan);
    }
    // Change sets that name each other in a loop have no root and would vanish.
    if let Some(lost) = (0..sets.len()).find(|i| !reached.contains(i)) {
        errors.push(ReadError::NestedLoop {
            path: sets[lost].1.path.clone(),
            change_set: sets[lost].0.clone().unwrap_or_default(),
        });
    }
    if errors.is_empty() {
        Ok(plans)
    } else {
        Err(errors)
    }
}

/// Merge the pages of one change set, checking that no page is missing at the end.
fn merge(key: Option<&str>, mut pages: Vec<Page>) -> Result<ChangeSet, ReadError> {
    let finals = pages.iter().filter(|p| p.next_token.is_none()).count();
    let label = || key.unwrap_or("(unnamed)").to_owned();
    if finals == 0 {
        return Err(ReadError::PageMissing {
            path: pages[0].path.clone(),
            change_set: label(),
        });
    }
    let mut tokens = HashSet::new();
    let duplicated = pages
        .iter()
        .filter_map(|p| p.next_token.as_deref())
        .any(|t| !tokens.insert(t));
    if finals > 1 || duplicated {
        return Err(ReadError::PageDuplicate {
            path: pages[1].path.clone(),
            change_set: label(),
        });
    }
    // The final page last; the others in the order given (their order is not
    // recorded in the responses, and the model's meaning does not depend on it).
    pages.sort_by_key(|p| p.next_token.is_none());
    let mut set = ChangeSet {
        path: pages[0].path.clone(),
        parts: pages[1..].iter().map(|p| p.path.clone()).collect(),
        parent: pages[0].parent.clone(),
        stack: pages.iter().find_map(|p| p.stack.clone()),
        changes: Vec::new(),
        children: Vec::new(),
        notes: Vec::new(),
    };
    for page in pages {
        let base = set.changes.len();
        set.children
            .extend(page.children.into_iter().map(|(i, id)| (base + i, id)));
        set.changes.extend(page.changes);
        for note in page.notes {
            if !set.notes.contains(&note) {
                set.notes.push(note);
            }
        }
    }
    Ok(set)
}

/// Append change set `i`'s changes to `plan` under `prefix`, then its children.
fn flatten(
    sets: &[(Option<String>, ChangeSet)],
    index: &HashMap<String, usize>,
    i: usize,
    prefix: &str,
    plan: &mut Plan,
    visiting: &mut HashSet<usize>,
) -> Result<(), ReadError> {
    let set = &sets[i].1;
    if !prefix.is_empty() {
        plan.parts.push(set.path.clone());
        plan.parts.extend(set.parts.iter().cloned());
    }
    for change in &set.changes {
        let mut change = change.clone();
        change.address = format!("{prefix}{}", change.address);
        change.declared.path = prefix
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        plan.changes.push(change);
    }
    // A nested stack that is updated without a change set of its own hides
    // what happens inside it. Added ones only create; removed and replaced
    // ones are already flagged as destroying everything they hold.
    for (i, change) in set.changes.iter().enumerate() {
        let nested = matches!(
            change.resource_type.as_str(),
            "AWS::CloudFormation::Stack" | "AWS::Serverless::Application"
        );
        let changing = change.action == Action::Update;
        if nested && changing && !set.children.iter().any(|(at, _)| *at == i) {
            plan.gaps.push(Gap::NestedStackNotDescribed {
                stack: format!("{prefix}{}", change.address),
            });
        }
    }
    for (at, child_id) in &set.children {
        let stack = format!("{prefix}{}", set.changes[*at].address);
        let Some(&child) = index.get(child_id) else {
            plan.gaps.push(Gap::NestedChangeSetMissing {
                stack,
                change_set_id: child_id.clone(),
            });
            continue;
        };
        if !visiting.insert(child) {
            return Err(ReadError::NestedLoop {
                path: set.path.clone(),
                change_set: child_id.clone(),
            });
        }
        flatten(sets, index, child, &format!("{stack}/"), plan, visiting)?;
    }
    Ok(())
}
