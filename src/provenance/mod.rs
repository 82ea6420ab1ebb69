//! Provenance: was a plan made from the commit `check` judges?
//!
//! Attribution reads the head's history to say who wrote each change, and an
//! approval counts on the head only; both assume the plan describes the head.
//! A plan made at another commit (an older push, another branch, a file an
//! agent committed) can describe other changes than the ones judged, so
//! `check` compares what the plan says of its configuration with the head:
//!
//! - a binary plan carries the configuration it was made from (`tfconfig/` in
//!   the zip, [`snapshot`]): each file of each module in the repository is
//!   compared with the head's;
//! - a JSON plan carries its `configuration` ([`declared`]): its resources and
//!   module calls (with their sources) are compared with the head's
//!   declarations, module by module.
//!
//! Where the plan's root module is comes from attribution
//! ([`crate::attribution::plan_root`]). [`check`] is pure over the plan and
//! the head's snapshot; any difference, or anything that cannot be compared,
//! is an error (exit 2), never a pass.

pub mod declared;
pub mod snapshot;
pub mod template;

use miette::Diagnostic;
use thiserror::Error;

use crate::attribution::{PlanRoot, Snapshot};
use crate::model::{Format, Plan};

/// What a Terraform plan says of the configuration it was made from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The JSON's `configuration` (its root module); `None` when the document
    /// has none.
    pub configuration: Option<declared::Module>,
    /// A binary plan's `tfconfig/`, or why it could not be read.
    pub snapshot: Option<Result<snapshot::ConfigSnapshot, String>>,
}

/// How many differences an error lists; the rest are counted.
const SHOWN: usize = 5;

#[derive(Debug, Error, Diagnostic)]
pub enum ProvenanceError {
    #[error(
        "{path} was not made from the head {head}: {count} {what} of its configuration differ{s} \
         from the head's in `{root}`: {list}",
        count = differences.len(),
        s = if differences.len() == 1 { "s" } else { "" },
        list = listed(differences),
    )]
    #[diagnostic(
        code(plangate::check::plan_not_from_head),
        help(
            "a plan made at another commit describes other changes than the ones judged: make the \
             plan from the head commit (`git checkout {head} && terraform plan -out=tfplan` in \
             `{root}`, then `terraform show -json tfplan > plan.json` for a JSON plan) and \
             check that"
        )
    )]
    Mismatch {
        path: String,
        head: String,
        /// "file" or "declaration".
        what: &'static str,
        /// The root module's directory, as shown (`.` for the repository's root).
        root: String,
        differences: Vec<String>,
    },

    #[error(
        "{path} was not made from the head {head}: the template of its change set ({file}) is \
         not the head's {template}: {difference}"
    )]
    #[diagnostic(
        code(plangate::check::plan_not_from_head),
        help(
            "a change set made from another template describes other changes than the ones \
             judged: create the change set from the head's {template} (`create-change-set \
             --template-body file://{template}` at {head}), describe it and get its template \
             again, and check those"
        )
    )]
    TemplateMismatch {
        path: String,
        head: String,
        template: String,
        file: String,
        difference: String,
    },

    #[error("{path} cannot be tied to the head {head}: {why}")]
    #[diagnostic(code(plangate::check::provenance_unknown), help("{help}"))]
    Unknown {
        path: String,
        head: String,
        why: String,
        help: String,
    },
}

fn listed(differences: &[String]) -> String {
    let shown: Vec<&str> = differences.iter().take(SHOWN).map(String::as_str).collect();
    let more = differences.len().saturating_sub(SHOWN);
    if more == 0 {
        shown.join(", ")
    } else {
        format!("{}, and {more} more", shown.join(", "))
    }
}

/// How to name the root module when plangate cannot find it.
const NAME_THE_ROOT: &str = "name the plan's root module in .plangate.hcl (`plan \"PLAN-PATH\" { \
     root = \"DIR\" }`, or `attribution { terraform_roots = { … } }`), or make the plan from the \
     head commit where its configuration is";

/// Check that a Terraform plan was made from the head. `Ok(Some(note))`: the
/// comparison does not apply (and why, for the report); `Ok(None)`: it was
/// made from the head; `Err`: it was not, or plangate cannot tell.
pub fn check(
    plan: &Plan,
    root: &PlanRoot,
    head: &Snapshot,
) -> Result<Option<String>, ProvenanceError> {
    if plan.format != Format::Terraform {
        return Ok(None);
    }
    let short: String = head.rev.chars().take(12).collect();
    let unknown = |why: String, help: &str| ProvenanceError::Unknown {
        path: plan.path.clone(),
        head: short.clone(),
        why,
        help: help.to_owned(),
    };
    let dirs = match root {
        PlanRoot::Terragrunt { file } => {
            return Ok(Some(format!(
                "{}: not compared with the head's configuration: it is a Terragrunt stack's plan \
                 ({file}), made from a copy of its module with the files Terragrunt generates",
                plan.path
            )));
        }
        PlanRoot::Dirs(dirs) => dirs,
    };
    // Each candidate root is compared; the plan is the head's when one agrees.
    let mut best: Option<(String, &'static str, Vec<String>)> = None;
    let mut consider = |dir: &str, what: &'static str, differences: Vec<String>| {
        if best
            .as_ref()
            .is_none_or(|(_, _, d)| differences.len() < d.len())
        {
            best = Some((dir.to_owned(), what, differences));
        }
    };
    match &plan.origin.snapshot {
        Some(Err(why)) => {
            return Err(unknown(
                format!(
                    "its configuration snapshot (`tfconfig/` in the plan file) cannot be read: {why}"
                ),
                "make the plan again with `terraform plan -out=FILE` from the head commit",
            ));
        }
        Some(Ok(taken)) => {
            if dirs.is_empty() {
                if taken.is_empty() {
                    return Ok(None);
                }
                return Err(unknown(
                    "plangate cannot find its root module in the repository at the head".into(),
                    NAME_THE_ROOT,
                ));
            }
            for dir in dirs {
                let differences = snapshot::compare(taken, dir, head);
                if differences.is_empty() {
                    return Ok(None);
                }
                consider(dir, "file", differences);
            }
        }
        None => {
            let Some(module) = &plan.origin.configuration else {
                return Err(unknown(
                    "the plan JSON has no `configuration`, which says what it was made from".into(),
                    "give plangate the whole output of `terraform show -json PLANFILE`, made from \
                     the head commit",
                ));
            };
            if dirs.is_empty() {
                if module.is_empty() {
                    return Ok(None);
                }
                return Err(unknown(
                    "plangate cannot find its root module in the repository at the head".into(),
                    NAME_THE_ROOT,
                ));
            }
            for dir in dirs {
                let differences = declared::compare(module, dir, head).map_err(|why| {
                    unknown(
                        why,
                        "terraform reads that file, so plangate must too to compare it: fix it at \
                         the head, or report the file to plangate's maintainers if terraform reads it",
                    )
                })?;
                if differences.is_empty() {
                    return Ok(None);
                }
                consider(dir, "declaration", differences);
            }
        }
    }
    let (dir, what, differences) = best.unwrap_or_default();
    let shown = if dir.is_empty() { ".".to_owned() } else { dir };
    Err(ProvenanceError::Mismatch {
        path: plan.path.clone(),
        head: short,
        what,
        root: shown,
        differences,
    })
}

/// A head snapshot of `files` (path, text), for the tests of the comparisons.
#[cfg(test)]
fn test_head(files: &[(&str, &str)]) -> crate::attribution::Snapshot {
    crate::attribution::Snapshot {
        rev: "h".into(),
        files: files
            .iter()
            .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
            .collect(),
        links: std::collections::BTreeMap::new(),
    }
}
