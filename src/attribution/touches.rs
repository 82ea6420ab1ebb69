//! What a commit touched: the declarations, and the parts of them, whose text it
//! changed.
//!
//! A site is touched when its text (whitespace folded) in the commit differs
//! from its text in every parent, including appearing or disappearing. For an
//! ordinary commit that is "changed it"; for a merge it is git's `--cc` rule,
//! so a merge owns exactly what it changed beyond all its parents. Whole files
//! (read by `file()`, or widened to) are matched on the paths a commit changed,
//! not here.

use std::collections::BTreeMap;

use super::terraform::{self, Decl, fold};
use super::{lexical, parameters, template, terragrunt};
use crate::git::FileDiff;

/// A place a change can depend on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Site {
    /// A Terraform declaration in a module directory (`""` is the repository root).
    Tf { dir: String, decl: Decl },
    /// One argument or nested block of a Terraform declaration.
    TfPart {
        dir: String,
        decl: Decl,
        part: String,
    },
    /// A `.tf` file that some version of could not be read even lexically:
    /// anything in it may have changed.
    TfUnreadable { file: String },
    /// A variable's value in a var file (`.tfvars`, `.tfvars.json`).
    Tfvar { file: String, name: String },
    /// One key of the `inputs` of a Terragrunt file.
    TgInput { file: String, name: String },
    /// Anything else of a Terragrunt file (its `terraform` block, includes,
    /// locals, or the whole file when it does not parse).
    TgOther { file: String },
    /// A resource of a CloudFormation template.
    CfnResource { file: String, id: String },
    /// A parameter of a CloudFormation template.
    CfnParameter { file: String, name: String },
    /// An entry of a template's `Conditions`.
    CfnCondition { file: String, name: String },
    /// An entry of a template's `Mappings`.
    CfnMapping { file: String, name: String },
    /// A section that can change every resource (`Globals`, `Transform`).
    CfnGlobal { file: String, name: String },
    /// A parameter's value in a parameters file (`--parameters file://…`).
    CfnParamValue { file: String, name: String },
}

impl Site {
    /// How the site reads in a message.
    pub fn describe(&self) -> String {
        match self {
            Site::Tf { decl, .. } => decl.describe(),
            Site::TfPart { decl, part, .. } => format!("`{part}` of {}", decl.describe()),
            Site::TfUnreadable { file } => format!("{file}, which plangate could not read"),
            Site::Tfvar { name, .. } => format!("the value of `{name}`"),
            Site::TgInput { name, .. } => format!("input `{name}`"),
            Site::TgOther { .. } => "its Terragrunt configuration".into(),
            Site::CfnResource { id, .. } => format!("resource `{id}`"),
            Site::CfnParameter { name, .. } => format!("parameter `{name}`"),
            Site::CfnCondition { name, .. } => format!("condition `{name}`"),
            Site::CfnMapping { name, .. } => format!("mapping `{name}`"),
            Site::CfnGlobal { name, .. } => format!("section `{name}`"),
            Site::CfnParamValue { name, .. } => format!("the value of parameter `{name}`"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Added,
    Changed,
    Removed,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Added => "added",
            Verb::Changed => "changed",
            Verb::Removed => "removed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touch {
    pub site: Site,
    pub file: String,
    pub verb: Verb,
}

pub fn dir_of(path: &str) -> String {
    path.rsplit_once('/')
        .map_or(String::new(), |(d, _)| d.to_owned())
}

pub fn is_terraform(path: &str) -> bool {
    path.ends_with(".tf")
}

pub fn is_tfvars(path: &str) -> bool {
    path.ends_with(".tfvars") || path.ends_with(".tfvars.json")
}

/// Terragrunt's files: `terragrunt.hcl` and the `.hcl` files it includes or
/// reads (`root.hcl`, `env.hcl`, …); not the lock file or plangate's own.
pub fn is_terragrunt(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.ends_with(".hcl")
        && name != ".terraform.lock.hcl"
        && name != super::settings::CONFIG_FILE_NAME
}

/// Files that may be CloudFormation templates or parameter files (decided by content).
pub fn may_be_template(path: &str) -> bool {
    [".yaml", ".yml", ".json", ".template"]
        .iter()
        .any(|e| path.ends_with(e))
        && !is_tfvars(path)
}

/// Every site a commit touched, over all the files it changed. The `.tf` files
/// of one directory are compared together: a block moved from `main.tf` to
/// `db.tf` unchanged is no change of its module (and no decoy).
pub fn commit_touches(files: &[FileDiff], templates: bool) -> Vec<Touch> {
    let mut out = Vec::new();
    let mut by_dir: BTreeMap<String, Vec<&FileDiff>> = BTreeMap::new();
    for f in files {
        if is_terraform(&f.path) {
            by_dir.entry(dir_of(&f.path)).or_default().push(f);
        } else if templates || !may_be_template(&f.path) {
            out.extend(touches(f));
        }
    }
    for (dir, group) in by_dir {
        match group.as_slice() {
            [one] => out.extend(touches(one)),
            _ => out.extend(module_touches(&dir, &group)),
        }
    }
    out
}

/// The touches of several `.tf` files of one directory, compared as one module.
fn module_touches(dir: &str, group: &[&FileDiff]) -> Vec<Touch> {
    let parents = group.iter().map(|f| f.parents.len()).max().unwrap_or(0);
    // Version i < parents: parent i; version `parents`: the commit.
    let mut texts: Vec<BTreeMap<Site, String>> = vec![BTreeMap::new(); parents + 1];
    let mut home: BTreeMap<Site, String> = BTreeMap::new();
    for f in group {
        for (v, text) in texts.iter_mut().enumerate() {
            let version = if v == parents {
                f.new.as_deref()
            } else {
                f.parents.get(v).and_then(Option::as_deref)
            };
            let Some(version) = version else { continue };
            let Some(sites) = tf_sites(dir, version) else {
                // Not even its braces balance: read the files one by one.
                return group.iter().flat_map(|f| touches(f)).collect();
            };
            for (site, t) in sites {
                if v == parents || !home.contains_key(&site) {
                    home.insert(site.clone(), f.path.clone());
                }
                text.entry(site).or_default().push_str(&t);
            }
        }
    }
    let mut out = Vec::new();
    compare(&texts, "", &mut out);
    for t in &mut out {
        t.file = home.get(&t.site).cloned().unwrap_or_default();
    }
    out
}

/// Every site the commit touched in one file.
pub fn touches(diff: &FileDiff) -> Vec<Touch> {
    let versions: Vec<Option<&str>> = diff
        .parents
        .iter()
        .map(Option::as_deref)
        .chain(std::iter::once(diff.new.as_deref()))
        .collect();
    let path = diff.path.as_str();
    let mut out = Vec::new();
    if is_terraform(path) {
        let dir = dir_of(path);
        let mut readable = true;
        let texts = per_version(&versions, |text| match tf_sites(&dir, text) {
            Some(sites) => sites,
            None => {
                readable = false;
                Vec::new()
            }
        });
        if readable {
            compare(&texts, path, &mut out);
        } else {
            out.push(Touch {
                site: Site::TfUnreadable {
                    file: path.to_owned(),
                },
                file: path.to_owned(),
                verb: Verb::Changed,
            });
        }
    } else if is_tfvars(path) {
        let texts = per_version(&versions, |text| {
            terraform::tfvars(path, text)
                .unwrap_or_default()
                .into_iter()
                .map(|(name, _, text)| {
                    (
                        Site::Tfvar {
                            file: path.to_owned(),
                            name,
                        },
                        text,
                    )
                })
                .collect()
        });
        compare(&texts, path, &mut out);
    } else if is_terragrunt(path) {
        let texts = per_version(&versions, |text| terragrunt::sites(path, text));
        compare(&texts, path, &mut out);
    } else if may_be_template(path) {
        let texts = per_version(&versions, |text| {
            let mut sites = template_sites(path, text);
            sites.extend(parameters::sites(path, text));
            sites
        });
        compare(&texts, path, &mut out);
    }
    out
}

/// A `.tf` file's declarations and their parts with the folded text of each,
/// or `None` when not even its braces balance.
pub fn tf_sites(dir: &str, text: &str) -> Option<Vec<(Site, String)>> {
    let decls = terraform::declarations(text).or_else(|| lexical::declarations(text))?;
    let mut out = Vec::new();
    for d in decls {
        for p in &d.parts {
            out.push((
                Site::TfPart {
                    dir: dir.to_owned(),
                    decl: d.decl.clone(),
                    part: p.name.clone(),
                },
                p.text.clone(),
            ));
        }
        out.push((
            Site::Tf {
                dir: dir.to_owned(),
                decl: d.decl,
            },
            d.text,
        ));
    }
    Some(out)
}

/// A template's declarations with the folded text of each.
pub fn template_sites(path: &str, text: &str) -> Vec<(Site, String)> {
    let Some(t) = template::parse_template(text) else {
        return Vec::new();
    };
    let lines: Vec<&str> = text.lines().collect();
    let slice = |l: super::Lines| {
        fold(
            &lines
                .get(l.start.saturating_sub(1)..l.end.min(lines.len()))
                .unwrap_or_default()
                .join("\n"),
        )
    };
    let file = || path.to_owned();
    let mut out: Vec<(Site, String)> = t
        .resources
        .iter()
        .map(|r| {
            (
                Site::CfnResource {
                    file: file(),
                    id: r.logical_id.clone(),
                },
                slice(r.lines),
            )
        })
        .collect();
    out.extend(t.parameters.iter().map(|(name, l)| {
        (
            Site::CfnParameter {
                file: file(),
                name: name.clone(),
            },
            slice(*l),
        )
    }));
    out.extend(t.conditions.iter().map(|c| {
        (
            Site::CfnCondition {
                file: file(),
                name: c.name.clone(),
            },
            slice(c.lines),
        )
    }));
    out.extend(t.mappings.iter().map(|(name, l)| {
        (
            Site::CfnMapping {
                file: file(),
                name: name.clone(),
            },
            slice(*l),
        )
    }));
    out.extend(t.globals.iter().map(|(name, l)| {
        (
            Site::CfnGlobal {
                file: file(),
                name: name.clone(),
            },
            slice(*l),
        )
    }));
    out
}

/// For each version (absent file: empty), its sites with their texts.
fn per_version(
    versions: &[Option<&str>],
    mut read: impl FnMut(&str) -> Vec<(Site, String)>,
) -> Vec<BTreeMap<Site, String>> {
    versions
        .iter()
        .map(|v| {
            let mut map: BTreeMap<Site, String> = BTreeMap::new();
            for (site, text) in v.map(&mut read).unwrap_or_default() {
                // A site declared twice (invalid, but possible) keeps both texts.
                map.entry(site).or_default().push_str(&text);
            }
            map
        })
        .collect()
}

/// Sites whose text in the last version differs from every earlier version.
fn compare(texts: &[BTreeMap<Site, String>], path: &str, out: &mut Vec<Touch>) {
    let Some((new, parents)) = texts.split_last() else {
        return;
    };
    let mut sites: Vec<&Site> = texts.iter().flat_map(|m| m.keys()).collect();
    sites.sort();
    sites.dedup();
    for site in sites {
        let now = new.get(site);
        if parents.iter().all(|p| p.get(site) != now) {
            let verb = match (parents.first().and_then(|p| p.get(site)), now) {
                (None, _) => Verb::Added,
                (Some(_), None) => Verb::Removed,
                (Some(_), Some(_)) => Verb::Changed,
            };
            out.push(Touch {
                site: site.clone(),
                file: path.to_owned(),
                verb,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(path: &str, parents: &[Option<&str>], new: Option<&str>) -> FileDiff {
        FileDiff {
            path: path.into(),
            parents: parents.iter().map(|p| p.map(str::to_owned)).collect(),
            new: new.map(str::to_owned),
        }
    }

    fn res(dir: &str, name: &str) -> Site {
        Site::Tf {
            dir: dir.into(),
            decl: Decl::Resource {
                data: false,
                kind: "x".into(),
                name: name.into(),
            },
        }
    }

    fn blocks(t: &[Touch]) -> Vec<(Site, Verb)> {
        t.iter()
            .filter(|t| !matches!(t.site, Site::TfPart { .. }))
            .map(|t| (t.site.clone(), t.verb))
            .collect()
    }

    const TWO: &str = "resource \"x\" \"a\" {\n  v = 1\n}\n\nresource \"x\" \"b\" {\n  v = 1\n}\n";

    #[test]
    fn changed_added_and_removed_declarations() {
        let edited = "resource \"x\" \"a\" {\n  v = 2\n}\n\nresource \"x\" \"c\" {\n  v = 1\n}\n";
        let t = touches(&diff("infra/main.tf", &[Some(TWO)], Some(edited)));
        assert_eq!(
            blocks(&t),
            [
                (res("infra", "a"), Verb::Changed),
                (res("infra", "b"), Verb::Removed),
                (res("infra", "c"), Verb::Added)
            ]
        );
        assert!(t.iter().any(|t| t.site
            == Site::TfPart {
                dir: "infra".into(),
                decl: Decl::Resource {
                    data: false,
                    kind: "x".into(),
                    name: "a".into()
                },
                part: "v".into()
            }
            && t.verb == Verb::Changed));
        assert!(
            touches(&diff(
                "main.tf",
                &[Some(TWO)],
                Some(&TWO.replace("  v", "    v"))
            ))
            .is_empty()
        );
    }

    #[test]
    fn a_merge_owns_only_what_differs_from_every_parent() {
        let ours = TWO.replace("\"a\" {\n  v = 1", "\"a\" {\n  v = 2");
        let theirs = TWO.replace("\"b\" {\n  v = 1", "\"b\" {\n  v = 3");
        let clean = ours.replace("\"b\" {\n  v = 1", "\"b\" {\n  v = 3");
        assert!(
            touches(&diff(
                "main.tf",
                &[Some(&ours), Some(&theirs)],
                Some(&clean)
            ))
            .is_empty()
        );
        // An evil merge also deletes b.
        let evil = "resource \"x\" \"a\" {\n  v = 2\n}\n";
        let t = touches(&diff("main.tf", &[Some(&ours), Some(&theirs)], Some(evil)));
        assert_eq!(blocks(&t), [(res("", "b"), Verb::Removed)]);
    }

    #[test]
    fn a_broken_version_touches_only_the_blocks_it_changed() {
        let broken = TWO.replace("\"b\" {\n  v = 1", "\"b\" {\n  v = [1,,");
        let broken = broken.replace("v = [1,,\n}", "v = [1,, ]\n}");
        let t = touches(&diff("m/main.tf", &[Some(TWO)], Some(&broken)));
        assert_eq!(blocks(&t), [(res("m", "b"), Verb::Changed)]);
        // Braces that do not balance: the whole file, named.
        let t = touches(&diff("m/main.tf", &[Some(TWO)], Some("resource \"x\" {")));
        assert_eq!(
            blocks(&t),
            [(
                Site::TfUnreadable {
                    file: "m/main.tf".into()
                },
                Verb::Changed
            )]
        );
    }

    #[test]
    fn a_block_moved_between_files_of_a_module_is_no_change() {
        let main = "resource \"x\" \"a\" {\n  v = 1\n}\n";
        let db = "resource \"x\" \"b\" {\n  v = 1\n}\n";
        let moved = [
            diff("m/main.tf", &[Some(TWO)], Some(main)),
            diff("m/db.tf", &[None], Some(db)),
        ];
        assert!(commit_touches(&moved, false).is_empty());
        // Moved and edited: a change, in the file it is in now.
        let edited = [
            diff("m/main.tf", &[Some(TWO)], Some(main)),
            diff(
                "m/db.tf",
                &[None],
                Some("resource \"x\" \"b\" {\n  v = 2\n}\n"),
            ),
        ];
        let t = commit_touches(&edited, false);
        assert_eq!(blocks(&t), [(res("m", "b"), Verb::Changed)]);
        assert!(t.iter().all(|t| t.file == "m/db.tf"));
    }

    #[test]
    fn tfvars_keys() {
        let t = touches(&diff(
            "prod.tfvars",
            &[Some("a = 1\nb = 2\n")],
            Some("a = 1\nb = 3\n"),
        ));
        assert_eq!(t.len(), 1);
        assert_eq!(
            t[0].site,
            Site::Tfvar {
                file: "prod.tfvars".into(),
                name: "b".into()
            }
        );
    }
}
