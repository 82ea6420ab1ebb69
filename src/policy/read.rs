//! Reading rules, teams, persons and resource groups from HCL, and resolving
//! them into a [`Policy`]: built-in files first, then the repository's file,
//! whose rules may add to or (with `override = true`) loosen the built-ins.

use std::collections::HashSet;
use std::ops::Range;

use hcl_edit::Span;
use hcl_edit::structure::Block;

use super::{
    Approver, Match, Origin, Override, Pattern, Person, Policy, Require, ResourceGroup, Rule,
    Severity, Subject, Team,
};
use crate::attribution::AuthoredBy;
use crate::hcl::{ConfigErrors, Fields, Reader, SourceFile, Spanned};
use crate::model::Action;

/// The built-in rules, compiled in: (path in the source tree, text).
pub const BUILTIN_RULES: &[(&str, &str)] = &[
    (
        "rules/stateful.hcl",
        include_str!("../../rules/stateful.hcl"),
    ),
    (
        "rules/agent-destroy.hcl",
        include_str!("../../rules/agent-destroy.hcl"),
    ),
    (
        "rules/agent-destroy-stateful.hcl",
        include_str!("../../rules/agent-destroy-stateful.hcl"),
    ),
    (
        "rules/stateful-destroy.hcl",
        include_str!("../../rules/stateful-destroy.hcl"),
    ),
    (
        "rules/agent-edits-policy.hcl",
        include_str!("../../rules/agent-edits-policy.hcl"),
    ),
    (
        "rules/agent-edits-gate-workflow.hcl",
        include_str!("../../rules/agent-edits-gate-workflow.hcl"),
    ),
    (
        "rules/resource-forgotten.hcl",
        include_str!("../../rules/resource-forgotten.hcl"),
    ),
];

type Strs = Vec<Spanned<String>>;

#[derive(Default)]
struct RawMatch {
    span: Option<Range<usize>>,
    actions: Option<Strs>,
    authored_by: Option<Strs>,
    resource_groups: Option<Strs>,
    resource_types: Option<Strs>,
    addresses: Option<Strs>,
    plans: Option<Strs>,
    files: Option<Strs>,
    containing: Option<Spanned<String>>,
}

#[derive(Default)]
struct RawRequire {
    span: Option<Range<usize>>,
    approvals: Option<Spanned<u64>>,
    from: Option<Strs>,
}

struct RawRule {
    id: Spanned<String>,
    span: Option<Range<usize>>,
    origin: Origin,
    description: Option<String>,
    why: Option<String>,
    example: Option<String>,
    severity: Option<Spanned<String>>,
    override_: bool,
    disabled: bool,
    matcher: Option<RawMatch>,
    require: Option<RawRequire>,
}

#[derive(Default)]
struct Raw {
    rules: Vec<RawRule>,
    teams: Vec<Team>,
    persons: Vec<Person>,
    groups: Vec<(Spanned<String>, String, Strs, Origin)>,
}

fn origin(reader: &Reader, span: &Option<Range<usize>>) -> Origin {
    Origin {
        file: reader.file.name.clone(),
        line: reader.file.line_col(span.as_ref().map_or(0, |s| s.start)).0,
    }
}

pub(super) fn strings(reader: &mut Reader, f: &mut Fields<'_>, key: &str) -> Option<Strs> {
    let e = reader.attribute(f, key)?;
    // A single string is accepted where a list is expected.
    if let hcl_edit::expr::Expression::String(_) = e {
        return reader.string(e, key).map(|s| vec![s]);
    }
    Some(reader.strings(e, key))
}

fn text(reader: &mut Reader, f: &mut Fields<'_>, key: &str) -> Option<String> {
    let e = reader.attribute(f, key)?;
    reader.string(e, key).map(|s| s.value)
}

fn read_blocks(reader: &mut Reader, f: &mut Fields<'_>, raw: &mut Raw) {
    for block in reader.blocks(f, "rule") {
        if let Some(rule) = read_rule(reader, block) {
            raw.rules.push(rule);
        }
    }
    for block in reader.blocks(f, "team") {
        let Some(name) = reader
            .labels(block, 1, "the team's name")
            .map(|mut l| l.remove(0))
        else {
            continue;
        };
        let mut tf = reader.fields(&block.body, &format!("in team \"{}\"", name.value));
        let members = strings(reader, &mut tf, "members").unwrap_or_default();
        reader.unknown(tf, "`members`");
        if members.is_empty() {
            reader.error(
                block.ident.span(),
                format!("team \"{}\" has no members", name.value),
                "here",
                Some("list GitHub logins: members = [\"alice\"]".into()),
            );
        }
        let origin = origin(reader, &block.ident.span());
        raw.teams.push(Team {
            name: name.value,
            members: members.into_iter().map(|m| m.value).collect(),
            origin,
        });
    }
    for block in reader.blocks(f, "person") {
        let Some(login) = reader
            .labels(block, 1, "the person's GitHub login")
            .map(|mut l| l.remove(0))
        else {
            continue;
        };
        let mut pf = reader.fields(&block.body, &format!("in person \"{}\"", login.value));
        let emails = strings(reader, &mut pf, "emails").unwrap_or_default();
        let mut ids = Vec::new();
        if let Some(e) = reader.attribute(&mut pf, "ids") {
            for item in reader.list(e, "ids") {
                ids.extend(reader.number(item, "ids").map(|n| n.value));
            }
        }
        reader.unknown(pf, "`emails` or `ids`");
        let origin = origin(reader, &block.ident.span());
        raw.persons.push(Person {
            login: login.value,
            emails: emails.into_iter().map(|e| e.value.to_lowercase()).collect(),
            ids,
            origin,
        });
    }
    for block in reader.blocks(f, "resource_group") {
        let Some(name) = reader
            .labels(block, 1, "the group's name")
            .map(|mut l| l.remove(0))
        else {
            continue;
        };
        let mut gf = reader.fields(
            &block.body,
            &format!("in resource_group \"{}\"", name.value),
        );
        let description = text(reader, &mut gf, "description").unwrap_or_default();
        let types = strings(reader, &mut gf, "types").unwrap_or_default();
        reader.unknown(gf, "`description` or `types`");
        let origin = origin(reader, &block.ident.span());
        raw.groups.push((name, description, types, origin));
    }
}

fn read_rule(reader: &mut Reader, block: &Block) -> Option<RawRule> {
    let id = reader.labels(block, 1, "the rule's id")?.remove(0);
    let mut f = reader.fields(&block.body, &format!("in rule \"{}\"", id.value));
    let description = text(reader, &mut f, "description");
    let why = text(reader, &mut f, "why");
    let example = text(reader, &mut f, "example");
    let severity = reader
        .attribute(&mut f, "severity")
        .and_then(|e| reader.string(e, "severity"));
    let mut flag = |reader: &mut Reader, key: &str| {
        reader
            .attribute(&mut f, key)
            .and_then(|e| reader.bool(e, key))
            .unwrap_or(false)
    };
    let override_ = flag(reader, "override");
    let disabled = flag(reader, "disabled");
    let matcher = reader.blocks(&mut f, "match").first().map(|m| {
        let mut mf = reader.fields(&m.body, "in `match`");
        let raw = RawMatch {
            span: m.ident.span(),
            actions: strings(reader, &mut mf, "actions"),
            authored_by: strings(reader, &mut mf, "authored_by"),
            resource_groups: strings(reader, &mut mf, "resource_groups"),
            resource_types: strings(reader, &mut mf, "resource_types"),
            addresses: strings(reader, &mut mf, "addresses"),
            plans: strings(reader, &mut mf, "plans"),
            files: strings(reader, &mut mf, "files"),
            containing: reader
                .attribute(&mut mf, "containing")
                .and_then(|e| reader.string(e, "containing")),
        };
        reader.unknown(
            mf,
            "`actions`, `authored_by`, `resource_groups`, `resource_types`, `addresses`, `plans`, `files` or `containing`",
        );
        raw
    });
    let require = reader.blocks(&mut f, "require").first().map(|r| {
        let mut rf = reader.fields(&r.body, "in `require`");
        let raw = RawRequire {
            span: r.ident.span(),
            approvals: reader
                .attribute(&mut rf, "approvals")
                .and_then(|e| reader.number(e, "approvals")),
            from: strings(reader, &mut rf, "from"),
        };
        reader.unknown(rf, "`approvals` or `from`");
        raw
    });
    reader.unknown(
        f,
        "`description`, `why`, `example`, `severity`, `override`, `disabled`, `match` or `require`",
    );
    let span = block.ident.span();
    Some(RawRule {
        origin: origin(reader, &span),
        id,
        span,
        description,
        why,
        example,
        severity,
        override_,
        disabled,
        matcher,
        require,
    })
}

/// Read the built-in rules, then the repository's blocks from `config` (whose
/// errors go to its reader, for the caller to report with the file's others).
pub fn read_policy(config: Option<(&mut Reader, &mut Fields<'_>)>) -> Result<Policy, ConfigErrors> {
    let mut builtin = Raw::default();
    let mut builtin_readers = Vec::new();
    for (name, text) in BUILTIN_RULES {
        let mut reader = Reader::new(SourceFile::new(*name, *text));
        let body = reader.parse()?;
        let mut f = reader.fields(&body, "in a rules file");
        read_blocks(&mut reader, &mut f, &mut builtin);
        reader.unknown(f, "`rule` or `resource_group` blocks");
        builtin_readers.push(reader);
    }
    let mut policy = Policy::default();
    // Built-ins are resolved with their own readers: an error there is a bug in
    // plangate, reported like any other.
    let mut resolver = Resolver::default();
    let file_index = |file: &str| {
        BUILTIN_RULES
            .iter()
            .position(|(n, _)| *n == file)
            .unwrap_or(0)
    };
    for group in &builtin.groups {
        let reader = &mut builtin_readers[file_index(&group.3.file)];
        resolver.group(group, reader);
    }
    for rule in &builtin.rules {
        let reader = &mut builtin_readers[file_index(&rule.origin.file)];
        if let Some(r) = resolver.rule(rule, None, &[], reader, true) {
            policy.rules.push(r);
        }
    }
    for reader in builtin_readers {
        reader.finish()?;
    }
    let Some((reader, f)) = config else {
        policy.groups = resolver.resolved;
        return Ok(policy);
    };
    let mut raw = Raw::default();
    read_blocks(reader, f, &mut raw);
    for group in &raw.groups {
        resolver.group(group, reader);
    }
    policy.groups = resolver.resolved.clone();
    // Teams and persons, each defined once. (Sets, not searches of the lists:
    // a configuration may hold thousands of entries.)
    let mut team_names = HashSet::new();
    for team in raw.teams {
        if !team_names.insert(team.name.clone()) {
            reader.error(
                None,
                format!("team \"{}\" is defined twice", team.name),
                "again",
                None,
            );
        }
        policy.teams.push(team);
    }
    let mut logins = HashSet::new();
    for person in raw.persons {
        if !logins.insert(person.login.clone()) {
            reader.error(
                None,
                format!("person \"{}\" is defined twice", person.login),
                "again",
                None,
            );
        }
        policy.persons.push(person);
    }
    let mut seen = HashSet::new();
    // The repository's own rules, appended after the built-ins once all are
    // read: a rule's base is looked up among the few built-ins only.
    let mut added = Vec::new();
    for rule in &raw.rules {
        if !seen.insert(rule.id.value.as_str()) {
            reader.error(
                Some(rule.id.span.clone()),
                format!("rule \"{}\" is defined twice", rule.id.value),
                "again here",
                None,
            );
            continue;
        }
        let base = policy.rules.iter().position(|r| r.id == rule.id.value);
        let resolved = resolver.rule(
            rule,
            base.map(|i| &policy.rules[i]),
            &policy.teams,
            reader,
            false,
        );
        match (base, resolved) {
            (Some(i), Some(r)) if rule.disabled => {
                let builtin = policy.rules.remove(i);
                let _ = r;
                policy.disabled.push(Override {
                    rule: builtin.id.clone(),
                    builtin: builtin.origin.clone(),
                    by: rule.origin.clone(),
                    what: vec!["disabled".into()],
                });
            }
            (Some(i), Some(r)) => policy.rules[i] = r,
            (None, Some(_)) if rule.disabled => {
                reader.error(
                    rule.span.clone(),
                    format!(
                        "rule \"{}\" is disabled but is not a built-in rule",
                        rule.id.value
                    ),
                    "here",
                    Some(
                        "`disabled` turns off a built-in rule; to drop your own rule, delete it"
                            .into(),
                    ),
                );
            }
            (None, Some(r)) => added.push(r),
            (_, None) => {}
        }
    }
    policy.rules.append(&mut added);
    // Teams that no rule uses are probably a typo elsewhere.
    let used: HashSet<&str> = policy
        .rules
        .iter()
        .filter_map(|r| r.require.as_ref())
        .flat_map(|q| &q.from)
        .filter_map(|a| match a {
            Approver::Team(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    for team in &policy.teams {
        if !used.contains(team.name.as_str()) {
            policy.warnings.push(format!(
                "team \"{}\" ({}) is not used by any rule",
                team.name, team.origin
            ));
        }
    }
    Ok(policy)
}

#[derive(Default)]
struct Resolver {
    resolved: Vec<ResourceGroup>,
}

impl Resolver {
    fn group(&mut self, raw: &(Spanned<String>, String, Strs, Origin), reader: &mut Reader) {
        let (name, description, types, origin) = raw;
        if self.resolved.iter().any(|g| g.name == name.value) {
            reader.error(
                Some(name.span.clone()),
                format!("resource_group \"{}\" is defined twice", name.value),
                "again here",
                None,
            );
            return;
        }
        let types = types
            .iter()
            .filter_map(|t| pattern(reader, t, "types"))
            .collect();
        self.resolved.push(ResourceGroup {
            name: name.value.clone(),
            description: description.clone(),
            types,
            origin: origin.clone(),
        });
    }

    /// Resolve one rule; `base` is the built-in it redefines, if any.
    fn rule(
        &self,
        raw: &RawRule,
        base: Option<&Rule>,
        teams: &[Team],
        reader: &mut Reader,
        builtin: bool,
    ) -> Option<Rule> {
        let id = &raw.id.value;
        let valid_id = !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid_id {
            reader.error(
                Some(raw.id.span.clone()),
                format!("rule id \"{id}\" must be kebab-case (a-z, 0-9, -)"),
                "this id",
                Some("name the pattern the rule flags, such as `agent-destroy-database`".into()),
            );
        }
        let severity = match &raw.severity {
            Some(s) => match s.value.as_str() {
                "error" => Some(Severity::Error),
                "warning" => Some(Severity::Warning),
                "info" => Some(Severity::Info),
                _ => {
                    reader.error(
                        Some(s.span.clone()),
                        "`severity` is \"error\", \"warning\" or \"info\"",
                        "not one of them",
                        None,
                    );
                    None
                }
            },
            None => Some(base.map_or(Severity::Error, |b| b.severity)),
        };
        // Every part is read even when an earlier one is wrong, so that one run
        // reports every problem of the rule (configuration errors come at once).
        let matcher = match (&raw.matcher, base) {
            (Some(m), _) => self.matcher(m, reader),
            (None, Some(b)) => Some(b.matcher.clone()),
            (None, None) => {
                reader.error(
                    raw.span.clone(),
                    format!("rule \"{id}\" has no `match` block"),
                    "here",
                    Some("say which changes it is about: match { actions = [\"delete\"] }".into()),
                );
                None
            }
        };
        let require = match (&raw.require, base) {
            (Some(r), _) => require(r, teams, reader).map(Some),
            (None, Some(b)) if raw.severity.is_none() => Some(b.require.clone()),
            (None, _) => Some(None),
        };
        let pick = |own: &Option<String>, inherited: Option<&String>| {
            own.clone()
                .or_else(|| inherited.cloned())
                .unwrap_or_default()
        };
        let description = pick(&raw.description, base.map(|b| &b.description));
        if description.is_empty() {
            reader.error(
                raw.span.clone(),
                format!("rule \"{id}\" has no `description`"),
                "here",
                Some("say in one line what it flags".into()),
            );
        }
        if builtin && (raw.why.is_none() || raw.example.is_none()) {
            reader.error(
                raw.span.clone(),
                format!("built-in rule \"{id}\" needs `why` and `example`"),
                "here",
                None,
            );
        }
        let (Some(severity), Some(matcher), Some(require)) = (severity, matcher, require) else {
            return None;
        };
        match (&severity, &require) {
            (Severity::Error, None) if !raw.disabled => {
                reader.error(
                    raw.span.clone(),
                    format!("rule \"{id}\" is an error but requires no approvals"),
                    "here",
                    Some("add require { approvals = 1 }, or make it a warning".into()),
                );
                return None;
            }
            (Severity::Error, Some(r)) if r.approvals == 0 => {
                let span = raw
                    .require
                    .as_ref()
                    .and_then(|q| q.approvals.as_ref().map(|a| a.span.clone()));
                reader.error(
                    span.or(raw.span.clone()),
                    "an error rule needs at least 1 approval",
                    "here",
                    None,
                );
                return None;
            }
            (Severity::Warning | Severity::Info, Some(_)) if raw.require.is_some() => {
                let span = raw.require.as_ref().and_then(|q| q.span.clone());
                reader.error(
                    span,
                    format!("a {} cannot require approvals", severity.as_str()),
                    "here",
                    Some("only `severity = \"error\"` rules hold a change for approval".into()),
                );
                return None;
            }
            _ => {}
        }
        let require = if severity == Severity::Error {
            require
        } else {
            None
        };
        let mut rule = Rule {
            id: id.clone(),
            description,
            why: pick(&raw.why, base.map(|b| &b.why)),
            example: pick(&raw.example, base.map(|b| &b.example)),
            severity,
            matcher,
            require,
            origin: raw.origin.clone(),
            overrides: None,
        };
        if let Some(b) = base {
            let loosened = loosens(b, &rule, raw.disabled);
            if !loosened.is_empty() && !raw.override_ {
                reader.error(
                    raw.span.clone(),
                    format!("rule \"{id}\" loosens the built-in rule ({})", loosened.join("; ")),
                    "loosens a built-in",
                    Some(format!(
                        "a repository may tighten built-in rules freely; to loosen `{id}` ({}) on purpose, add `override = true`, and `plangate check` will report it",
                        b.origin
                    )),
                );
                return None;
            }
            if raw.override_ && !loosened.is_empty() {
                rule.overrides = Some(Override {
                    rule: id.clone(),
                    builtin: b.origin.clone(),
                    by: raw.origin.clone(),
                    what: loosened,
                });
            }
        } else if raw.override_ {
            reader.error(
                raw.span.clone(),
                format!("rule \"{id}\" has `override = true` but no built-in rule has that id"),
                "here",
                Some("`plangate rules` lists the built-in rules".into()),
            );
        }
        Some(rule)
    }

    fn matcher(&self, m: &RawMatch, reader: &mut Reader) -> Option<Match> {
        let patterns = |reader: &mut Reader, list: &Option<Strs>, key: &str| -> Vec<Pattern> {
            list.iter()
                .flatten()
                .filter_map(|s| pattern(reader, s, key))
                .collect()
        };
        let authored_by = m
            .authored_by
            .iter()
            .flatten()
            .filter_map(|s| match s.value.as_str() {
                "agent" => Some(AuthoredBy::Agent),
                "human" => Some(AuthoredBy::Human),
                "bot" => Some(AuthoredBy::Bot),
                "unknown" => Some(AuthoredBy::Unknown),
                _ => {
                    reader.error(Some(s.span.clone()), format!("`authored_by` takes \"agent\", \"human\", \"bot\" or \"unknown\", not \"{}\"", s.value), "not one of them", None);
                    None
                }
            })
            .collect();
        let plan_keys = m.actions.is_some()
            || m.resource_groups.is_some()
            || m.resource_types.is_some()
            || m.addresses.is_some()
            || m.plans.is_some();
        if let Some(files) = &m.files {
            if plan_keys {
                reader.error(
                    m.span.clone(),
                    "a `match` is about `files` or about planned changes, not both",
                    "here",
                    Some("write two rules".into()),
                );
                // The change side is still read, for its own problems.
                let changes = RawMatch {
                    files: None,
                    containing: None,
                    span: m.span.clone(),
                    actions: m.actions.clone(),
                    authored_by: None,
                    resource_groups: m.resource_groups.clone(),
                    resource_types: m.resource_types.clone(),
                    addresses: m.addresses.clone(),
                    plans: m.plans.clone(),
                };
                let _ = self.matcher(&changes, reader);
                let _ = patterns(reader, &m.files, "files");
                return None;
            }
            let in_repository: Strs = files
                .iter()
                .filter(|f| crate::hcl::repository_path(reader, f, "files"))
                .cloned()
                .collect();
            return Some(Match {
                subject: Subject::Files {
                    files: patterns(reader, &Some(in_repository), "files"),
                    containing: m.containing.as_ref().map(|c| c.value.clone()),
                },
                authored_by,
            });
        }
        if let Some(c) = &m.containing {
            reader.error(
                Some(c.span.clone()),
                "`containing` goes with `files`",
                "without files",
                None,
            );
        }
        let actions = m
            .actions
            .iter()
            .flatten()
            .filter_map(|s| match Action::ALL.iter().find(|a| a.as_str() == s.value) {
                Some(a) => Some(*a),
                None => {
                    reader.error(Some(s.span.clone()), format!("unknown action \"{}\"", s.value), "unknown action", Some("actions are create, read, update, replace, delete, forget, import and no-op".into()));
                    None
                }
            })
            .collect();
        let mut resource_types = patterns(reader, &m.resource_types, "resource_types");
        let mut groups = Vec::new();
        for g in m.resource_groups.iter().flatten() {
            match self.resolved.iter().find(|r| r.name == g.value) {
                Some(group) => {
                    resource_types.extend(group.types.iter().cloned());
                    groups.push(g.value.clone());
                }
                None => {
                    let known: Vec<&str> = self.resolved.iter().map(|r| r.name.as_str()).collect();
                    reader.error(
                        Some(g.span.clone()),
                        format!("unknown resource group \"{}\"", g.value),
                        "unknown group",
                        Some(format!("known groups: {}", known.join(", "))),
                    );
                }
            }
        }
        Some(Match {
            subject: Subject::Changes {
                actions,
                resource_types,
                resource_groups: groups,
                addresses: patterns(reader, &m.addresses, "addresses"),
                plans: patterns(reader, &m.plans, "plans"),
            },
            authored_by,
        })
    }
}

pub(super) fn pattern(reader: &mut Reader, s: &Spanned<String>, key: &str) -> Option<Pattern> {
    match Pattern::new(&s.value) {
        Ok(p) => Some(p),
        Err(e) => {
            reader.error(
                Some(s.span.clone()),
                format!("invalid glob in `{key}`: {}", e.kind()),
                "this glob",
                None,
            );
            None
        }
    }
}

fn require(r: &RawRequire, teams: &[Team], reader: &mut Reader) -> Option<Require> {
    let approvals = match &r.approvals {
        Some(a) if a.value > 100 => {
            reader.error(
                Some(a.span.clone()),
                "`approvals` is at most 100",
                "too many",
                None,
            );
            None
        }
        Some(a) => Some(a.value as u32),
        None => {
            reader.error(
                r.span.clone(),
                "`require` needs `approvals`",
                "here",
                Some("require { approvals = 1 }".into()),
            );
            None
        }
    };
    let mut from = Vec::new();
    for s in r.from.iter().flatten() {
        let v = s.value.as_str();
        let approver = if let Some(team) = v.strip_prefix("team:") {
            if !teams.iter().any(|t| t.name == team) {
                let known: Vec<&str> = teams.iter().map(|t| t.name.as_str()).collect();
                reader.error(
                    Some(s.span.clone()),
                    format!("unknown team \"{team}\""),
                    "no such team",
                    Some(if known.is_empty() {
                        "define it: team \"NAME\" { members = [\"login\"] }".into()
                    } else {
                        format!("known teams: {}", known.join(", "))
                    }),
                );
                continue;
            }
            Approver::Team(team.to_owned())
        } else if let Some(rest) = v.strip_prefix('@') {
            match rest.split_once('/') {
                Some((org, slug)) if is_login(org) && !slug.is_empty() => Approver::GitHubTeam {
                    org: org.to_owned(),
                    slug: slug.to_owned(),
                },
                _ => {
                    reader.error(
                        Some(s.span.clone()),
                        format!("\"{v}\" is not a GitHub team"),
                        "here",
                        Some("write GitHub teams as \"@org/team-slug\"".into()),
                    );
                    continue;
                }
            }
        } else if is_login(v) {
            Approver::Login(v.to_owned())
        } else {
            reader.error(
                Some(s.span.clone()),
                format!("\"{v}\" is not a GitHub login, \"team:NAME\" or \"@org/team\""),
                "here",
                None,
            );
            continue;
        };
        from.push(approver);
    }
    Some(Require {
        approvals: approvals?,
        from,
    })
}

fn is_login(s: &str) -> bool {
    !s.is_empty() && s.len() <= 39 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// How `new` loosens the built-in `old`, in words; empty when it does not.
fn loosens(old: &Rule, new: &Rule, disabled: bool) -> Vec<String> {
    let mut out = Vec::new();
    if disabled {
        out.push("disabled".into());
        return out;
    }
    if new.severity < old.severity {
        out.push(format!(
            "severity {} → {}",
            old.severity.as_str(),
            new.severity.as_str()
        ));
    }
    if new.approvals() < old.approvals() {
        out.push(format!(
            "approvals {} → {}",
            old.approvals(),
            new.approvals()
        ));
    }
    if new.matcher != old.matcher {
        out.push("a different match".into());
    }
    let old_from = old
        .require
        .as_ref()
        .map(|r| r.from.clone())
        .unwrap_or_default();
    let new_from = new
        .require
        .as_ref()
        .map(|r| r.from.clone())
        .unwrap_or_default();
    // Naming who may approve where anyone could is a tightening; changing an
    // existing list is not known to be one.
    if !old_from.is_empty() && new_from != old_from {
        out.push("a different `from` list".into());
    }
    out
}
