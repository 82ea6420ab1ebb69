//! What a destructive CloudFormation change depends on: its dependency closure.
//!
//! The logical resource in the template its stack is deployed from (a `stack`
//! block of the configuration, `--template`, else every template declaring the
//! id, said so); the nested-stack resources leading there; its `Condition` and
//! the conditions its properties test (`Fn::If`), transitively, with the
//! parameters and mappings they read; the mappings it reads (`Fn::FindInMap`);
//! the parameters it uses, with their defaults and their values in the stack's
//! parameter file; the resources it refers to (`Ref`, `Fn::GetAtt`, `DependsOn`),
//! transitively; `Globals` for SAM resources; a `Transform`.
//!
//! The change set says what caused a change (`ChangeSource`, `CausingEntity`);
//! the links that can explain it are the cause links.

use std::collections::BTreeSet;

use super::SourceLocation;
use super::closure::{Closure, Link, Matcher};
use super::targets::{Repo, join};
use super::template::Template;
use super::touches::{Site, dir_of};
use crate::model::{Action, Change};

/// Where a stack comes from, as the configuration or the command line says.
#[derive(Debug, Clone, Default)]
pub struct StackSource {
    /// The template the stack is deployed from (repository path).
    pub template: Option<String>,
    /// The parameters file (`--parameters file://…`), when there is one.
    pub parameters: Option<String>,
    /// What said so, for the evidence.
    pub origin: String,
}

pub fn cloudformation(repo: &mut Repo<'_>, change: &Change, source: &StackSource) -> Closure {
    let mut out = Closure::default();
    let templates = repo.templates();
    let id = change.declared.name.as_str();
    let declares = |want: &str| -> Vec<String> {
        let mut v: Vec<String> = templates
            .iter()
            .filter(|(_, _, t)| t.resources.iter().any(|r| r.logical_id == want))
            .map(|(_, f, _)| f.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let first = change.declared.path.first().map_or(id, String::as_str);
    let roots: Vec<String> = match &source.template {
        Some(t) => {
            if !templates.iter().any(|(_, f, _)| f == t) {
                out.widen.push(format!(
                    "{} names {t} as the stack's template, and no revision of the range has it",
                    source.origin
                ));
                return out;
            }
            vec![t.clone()]
        }
        None => declares(first),
    };
    if roots.is_empty() {
        out.widen.push(format!(
            "no CloudFormation template in the repository declares `{first}`"
        ));
        // A CDK app synthesizes its templates: its sources are what changed.
        let apps: BTreeSet<String> = [repo.head, repo.base]
            .iter()
            .flat_map(|s| s.files.keys())
            .filter(|p| p.rsplit('/').next() == Some("cdk.json"))
            .map(|p| dir_of(p))
            .collect();
        for app in apps {
            out.links.push(Link {
                matcher: Matcher::Path {
                    path: app.clone(),
                    dir: true,
                    non_tf: false,
                },
                why: format!(
                    "the CDK app in {} (cdk.json), which synthesizes its template",
                    super::closure::show(&app)
                ),
                cause: true,
                keyed: false,
            });
        }
        return out;
    }
    let several = source.template.is_none() && roots.len() > 1;
    // Follow local nested-stack templates from the root template(s).
    let mut homes = roots.clone();
    let mut walk = Walk {
        templates: &templates,
        snapshots: [repo.head, repo.base],
        out: &mut out,
        params: source.parameters.as_deref(),
        seen: BTreeSet::new(),
    };
    for stack in &change.declared.path {
        let mut next = Vec::new();
        for file in &homes {
            walk.resource(file, stack, true, false);
            for (_, f, t) in templates.iter().filter(|(_, f, _)| f == file) {
                for r in t.resources.iter().filter(|r| r.logical_id == *stack) {
                    if let Some(child) = r
                        .nested_template
                        .as_deref()
                        .and_then(|n| join(&dir_of(f), n))
                    {
                        next.push(child);
                    }
                }
            }
        }
        next.sort();
        next.dedup();
        if next.is_empty() {
            walk.out.widen.push(format!(
                "the template of nested stack `{stack}` is not a local file"
            ));
            return out;
        }
        homes = next;
    }
    let removed = change.action == Action::Delete || change.action == Action::Forget;
    for file in &homes {
        if removed {
            // Removed: by its declaration or its condition, not by what its
            // properties used to read.
            walk.resource(file, id, true, true);
        } else {
            walk.resource(file, id, false, true);
        }
    }
    for (at_head, f, t) in &templates {
        if !homes.contains(f) {
            continue;
        }
        if let Some(r) = t.resources.iter().find(|r| r.logical_id == id)
            && out.location.is_none()
        {
            out.location = Some(SourceLocation {
                file: f.clone(),
                lines: r.lines,
                rev: repo.snapshot(*at_head).rev.clone(),
            });
        }
    }
    if several {
        out.notes.push(format!(
            "{} templates declare `{first}` ({}) and no `stack \"{}\"` block or --template says \
             which one the stack is deployed from: all of them count",
            roots.len(),
            roots.join(", "),
            change.declared.stack.as_deref().unwrap_or("NAME"),
        ));
    }
    mark_causes(&mut out, change);
    out
}

struct Walk<'w> {
    templates: &'w [(bool, String, Template)],
    /// The template texts, for what the parsed template does not hold.
    snapshots: [&'w super::targets::Snapshot; 2],
    out: &'w mut Closure,
    params: Option<&'w str>,
    seen: BTreeSet<(String, String, bool)>,
}

impl Walk<'_> {
    fn link(&mut self, site: Site, why: String) {
        self.out.links.push(Link {
            matcher: Matcher::Site(site),
            why,
            cause: false,
            keyed: false,
        });
    }

    /// A resource of `file`: its declaration and (unless `block_only`, for a
    /// removal) what it reads; its condition always.
    fn resource(&mut self, file: &str, id: &str, block_only: bool, own: bool) {
        if !self
            .seen
            .insert((file.to_owned(), id.to_owned(), block_only))
        {
            return;
        }
        let why = if own {
            "its declaration".to_owned()
        } else {
            format!("resource `{id}`, which it refers to")
        };
        self.link(
            Site::CfnResource {
                file: file.to_owned(),
                id: id.to_owned(),
            },
            why,
        );
        let found: Vec<_> = self
            .templates
            .iter()
            .filter(|(_, f, _)| f == file)
            .flat_map(|(_, _, t)| {
                t.resources
                    .iter()
                    .filter(|r| r.logical_id == id)
                    .map(move |r| (t, r))
            })
            .collect();
        for (t, r) in found {
            if !block_only {
                self.included(file, r.lines);
            }
            if let Some(c) = &r.condition {
                self.condition(file, t, c);
            }
            if t.globals.iter().any(|(n, _)| n == "Transform") {
                self.link(
                    Site::CfnGlobal {
                        file: file.to_owned(),
                        name: "Transform".into(),
                    },
                    "the template's Transform, which can rewrite any resource".into(),
                );
            }
            if block_only {
                continue;
            }
            for c in &r.conditions {
                self.condition(file, t, c);
            }
            for m in &r.mappings {
                self.mapping(file, m);
            }
            for p in &r.parameters {
                self.parameter(file, p);
            }
            if r.resource_type
                .as_deref()
                .is_some_and(|ty| ty.starts_with("AWS::Serverless::"))
                && t.globals.iter().any(|(n, _)| n == "Globals")
            {
                self.link(
                    Site::CfnGlobal {
                        file: file.to_owned(),
                        name: "Globals".into(),
                    },
                    "the template's Globals, which SAM resources inherit".into(),
                );
            }
            if r.imports {
                self.out.widen.push(format!(
                    "`{id}` uses Fn::ImportValue: a value another stack exports"
                ));
            }
            for other in r.resources.clone() {
                self.resource(file, &other, false, false);
            }
        }
    }

    /// Local snippets an `AWS::Include` transform inside the resource reads
    /// (`Location: ./snippet.yaml`): their text becomes its properties.
    fn included(&mut self, file: &str, lines: super::Lines) {
        let mut found: Vec<String> = Vec::new();
        for snapshot in self.snapshots {
            let Some(text) = snapshot.files.get(file) else {
                continue;
            };
            for line in text
                .lines()
                .skip(lines.start.saturating_sub(1))
                .take(lines.end + 1 - lines.start.min(lines.end))
            {
                let l = line.trim().trim_start_matches('-').trim();
                let Some(rest) = l
                    .strip_prefix("Location:")
                    .or_else(|| l.strip_prefix("\"Location\":"))
                else {
                    continue;
                };
                let value = rest
                    .trim()
                    .trim_end_matches(',')
                    .trim()
                    .trim_matches(['"', '\'']);
                let lower = value.to_ascii_lowercase();
                if value.is_empty() || lower.contains("://") || value.contains('$') {
                    continue;
                }
                if let Some(path) = join(&dir_of(file), value)
                    && !found.contains(&path)
                {
                    found.push(path);
                }
            }
        }
        for path in found {
            self.out.links.push(Link {
                matcher: Matcher::Path {
                    path,
                    dir: false,
                    non_tf: false,
                },
                why: "a snippet its AWS::Include transform reads".into(),
                cause: false,
                keyed: false,
            });
        }
    }

    fn condition(&mut self, file: &str, t: &Template, name: &str) {
        if !self
            .seen
            .insert((file.to_owned(), format!("condition {name}"), false))
        {
            return;
        }
        self.link(
            Site::CfnCondition {
                file: file.to_owned(),
                name: name.to_owned(),
            },
            format!("condition `{name}`, which decides it"),
        );
        let Some(c) = t.conditions.iter().find(|c| c.name == name) else {
            return;
        };
        for p in &c.parameters {
            self.parameter(file, p);
        }
        for m in &c.mappings {
            self.mapping(file, m);
        }
        for other in &c.conditions {
            self.condition(file, t, other);
        }
    }

    fn mapping(&mut self, file: &str, name: &str) {
        self.link(
            Site::CfnMapping {
                file: file.to_owned(),
                name: name.to_owned(),
            },
            format!("mapping `{name}`, which it reads"),
        );
    }

    fn parameter(&mut self, file: &str, name: &str) {
        if !self
            .seen
            .insert((file.to_owned(), format!("parameter {name}"), false))
        {
            return;
        }
        self.link(
            Site::CfnParameter {
                file: file.to_owned(),
                name: name.to_owned(),
            },
            format!("the parameter `{name}`, which it uses"),
        );
        match self.params {
            Some(values) => self.link(
                Site::CfnParamValue {
                    file: values.to_owned(),
                    name: name.to_owned(),
                },
                format!("the value of parameter `{name}` the stack is deployed with"),
            ),
            // Which parameter file the stack is deployed with is not said:
            // a value in any of them counts.
            None => self.out.links.push(Link {
                matcher: Matcher::ParamValue {
                    name: name.to_owned(),
                },
                why: format!(
                    "a value of parameter `{name}` in a parameter file (no `stack` block says \
                     which file the stack is deployed with)"
                ),
                cause: false,
                keyed: false,
            }),
        }
    }
}

/// Mark the links that can explain what the change set says caused the change.
fn mark_causes(out: &mut Closure, change: &Change) {
    // A replacement is explained by the details that force it, not by an
    // in-place change beside them.
    let all = &change.declared.causes;
    let forcing: Vec<_> = all.iter().filter(|c| c.forces).cloned().collect();
    let causes: &Vec<_> = if change.action == Action::Replace && !forcing.is_empty() {
        &forcing
    } else {
        all
    };
    let explains = |l: &Link| -> bool {
        let Matcher::Site(site) = &l.matcher else {
            return true;
        };
        if causes.is_empty() {
            return true;
        }
        causes
            .iter()
            .any(|c| match (c.source.as_str(), c.entity.as_deref()) {
                ("ParameterReference", Some(p)) => matches!(site,
                Site::CfnParameter { name, .. } | Site::CfnParamValue { name, .. } if name == p),
                ("DirectModification" | "ResourceAttribute", _) => {
                    !matches!(site, Site::CfnParameter { .. } | Site::CfnParamValue { .. })
                }
                _ => true,
            })
    };
    let removed = matches!(change.action, Action::Delete | Action::Forget);
    let own = |l: &Link| matches!(&l.matcher, Matcher::Site(Site::CfnResource { id, .. }) if *id == change.declared.name);
    let mut any = false;
    for l in &mut out.links {
        // A removed resource is explained by its removal (or its condition),
        // not by an edit of its declaration beside a cause not followed.
        l.cause = explains(l) && !(removed && own(l));
        any |= l.cause;
    }
    if removed {
        let presence: Vec<Link> = out
            .links
            .iter()
            .filter(|l| own(l))
            .filter_map(|l| match &l.matcher {
                Matcher::Site(site) => Some(Link {
                    matcher: Matcher::Presence(site.clone()),
                    why: l.why.clone(),
                    cause: true,
                    keyed: false,
                }),
                _ => None,
            })
            .collect();
        any |= !presence.is_empty();
        out.links.extend(presence);
    }
    let known = causes.iter().all(|c| {
        matches!(
            c.source.as_str(),
            "ParameterReference"
                | "ResourceReference"
                | "DirectModification"
                | "ResourceAttribute"
                | "Automatic"
                | "NoModification"
        )
    });
    if !known {
        let names: Vec<&str> = causes.iter().map(|c| c.source.as_str()).collect();
        out.widen.push(format!(
            "plangate does not know the ChangeSource {}",
            names.join(", ")
        ));
    }
    out.explain = any.then(|| {
        if causes.is_empty() {
            "its declaration".to_owned()
        } else {
            let said: Vec<String> = causes
                .iter()
                .map(|c| match &c.entity {
                    Some(e) => format!("{} {e}", c.source),
                    None => c.source.clone(),
                })
                .collect();
            format!("what the change set says caused it ({})", said.join(", "))
        }
    });
}
