//! What a commit touched: the declarations whose text it changed.
//!
//! A declaration is touched when its text (whitespace folded) in the commit
//! differs from its text in every parent, including appearing or disappearing.
//! For an ordinary commit that is "changed it"; for a merge it is git's `--cc`
//! rule, so a merge owns exactly what it changed beyond all its parents.

use std::collections::BTreeMap;

use super::template;
use super::terraform::{self, Decl, fold};
use crate::git::FileDiff;

/// A place a change can depend on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Site {
    /// A Terraform declaration in a module directory (`""` is the repository root).
    Tf { dir: String, decl: Decl },
    /// A `.tf` file in `dir` that some version of could not be read: anything in
    /// the directory may have changed.
    TfUnreadable { dir: String },
    /// A variable's value in a `.tfvars` file.
    Tfvar { name: String },
    /// A resource of a CloudFormation template.
    CfnResource { file: String, id: String },
    /// A parameter of a CloudFormation template.
    CfnParameter { file: String, name: String },
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

/// Files that may be CloudFormation templates (decided by content).
pub fn may_be_template(path: &str) -> bool {
    [".yaml", ".yml", ".json", ".template"]
        .iter()
        .any(|e| path.ends_with(e))
        && !is_tfvars(path)
}

/// Every declaration the commit touched in one file.
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
        let texts = per_version(&versions, |text| {
            let decls = terraform::declarations(text);
            readable &= decls.is_some();
            decls
                .unwrap_or_default()
                .into_iter()
                .map(|d| {
                    (
                        Site::Tf {
                            dir: dir.clone(),
                            decl: d.decl,
                        },
                        d.text,
                    )
                })
                .collect()
        });
        compare(&texts, path, &mut out);
        if !readable {
            out.push(Touch {
                site: Site::TfUnreadable { dir },
                file: path.to_owned(),
                verb: Verb::Changed,
            });
        }
    } else if is_tfvars(path) {
        let texts = per_version(&versions, |text| {
            terraform::tfvars(path, text)
                .unwrap_or_default()
                .into_iter()
                .map(|(name, _, text)| (Site::Tfvar { name }, text))
                .collect()
        });
        compare(&texts, path, &mut out);
    } else if may_be_template(path) {
        let texts = per_version(&versions, |text| template_sites(path, text));
        compare(&texts, path, &mut out);
    }
    out
}

/// A template's resources and parameters with the folded text of each.
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
    let mut out: Vec<(Site, String)> = t
        .resources
        .iter()
        .map(|r| {
            (
                Site::CfnResource {
                    file: path.to_owned(),
                    id: r.logical_id.clone(),
                },
                slice(r.lines),
            )
        })
        .collect();
    out.extend(t.parameters.iter().map(|(name, l)| {
        (
            Site::CfnParameter {
                file: path.to_owned(),
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

    const TWO: &str = "resource \"x\" \"a\" {\n  v = 1\n}\n\nresource \"x\" \"b\" {\n  v = 1\n}\n";

    #[test]
    fn changed_added_and_removed_declarations() {
        let edited = "resource \"x\" \"a\" {\n  v = 2\n}\n\nresource \"x\" \"c\" {\n  v = 1\n}\n";
        let t = touches(&diff("infra/main.tf", &[Some(TWO)], Some(edited)));
        let got: Vec<(Site, Verb)> = t.into_iter().map(|t| (t.site, t.verb)).collect();
        assert_eq!(
            got,
            [
                (res("infra", "a"), Verb::Changed),
                (res("infra", "b"), Verb::Removed),
                (res("infra", "c"), Verb::Added)
            ]
        );
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
        assert_eq!(t.len(), 1);
        assert_eq!(
            (t[0].site.clone(), t[0].verb),
            (res("", "b"), Verb::Removed)
        );
    }

    #[test]
    fn an_unreadable_version_touches_the_whole_directory() {
        let t = touches(&diff("m/main.tf", &[Some(TWO)], Some("resource \"x\" {")));
        assert!(
            t.iter()
                .any(|t| t.site == Site::TfUnreadable { dir: "m".into() })
        );
    }

    #[test]
    fn tfvars_keys() {
        let t = touches(&diff(
            "prod.tfvars",
            &[Some("a = 1\nb = 2\n")],
            Some("a = 1\nb = 3\n"),
        ));
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].site, Site::Tfvar { name: "b".into() });
    }
}
