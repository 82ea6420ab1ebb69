//! A binary plan's configuration snapshot: Terraform (and OpenTofu) store in
//! the plan file every configuration file of every module they loaded, as
//! `tfconfig/m-<module key>/<file>` (the root module's key is empty), with
//! `tfconfig/modules.json` listing each module's key, source and directory
//! (relative to where terraform ran). Only `.tf` and `.tf.json` files
//! (override files included) are stored: not `.tfvars`, tests or other files.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};

use serde::Deserialize;

use crate::attribution::Snapshot;
use crate::attribution::targets::join;
use crate::attribution::touches::dir_of;

/// The most a snapshot may hold, uncompressed: far above any configuration,
/// and a bound on a zip made to inflate without end.
const MAX_BYTES: u64 = 64 << 20;
const MAX_FILES: usize = 20_000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigSnapshot {
    pub modules: Vec<SnapshotModule>,
    /// By module key, each file's name and text.
    pub files: BTreeMap<String, BTreeMap<String, String>>,
}

impl ConfigSnapshot {
    pub fn is_empty(&self) -> bool {
        self.files.values().all(BTreeMap::is_empty)
    }
}

/// One entry of `tfconfig/modules.json`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SnapshotModule {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "Source", default)]
    pub source: String,
    #[serde(rename = "Dir")]
    pub dir: String,
}

/// Read `tfconfig/` from a plan file's bytes.
pub fn read(bytes: &[u8]) -> Result<ConfigSnapshot, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut modules = None;
    let mut files: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut budget = MAX_BYTES;
    let mut count = 0usize;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| e.to_string())?;
        let name = entry.name().map_err(|e| e.to_string())?.into_owned();
        let Some(rest) = name.strip_prefix("tfconfig/") else {
            continue;
        };
        if entry.is_dir() {
            continue;
        }
        count += 1;
        if count > MAX_FILES {
            return Err(format!("more than {MAX_FILES} files"));
        }
        let mut text = Vec::new();
        // One byte more than the budget tells a file that is too big.
        (&mut entry)
            .take(budget + 1)
            .read_to_end(&mut text)
            .map_err(|e| format!("{name}: {e}"))?;
        budget = budget
            .checked_sub(text.len() as u64)
            .ok_or_else(|| format!("more than {} MiB", MAX_BYTES >> 20))?;
        if rest == "modules.json" {
            let list: Vec<SnapshotModule> =
                serde_json::from_slice(&text).map_err(|e| format!("{name}: {e}"))?;
            modules = Some(list);
        } else if let Some(file) = rest.strip_prefix("m-") {
            let (key, file) = file
                .rsplit_once('/')
                .ok_or_else(|| format!("an entry {name:?} outside any module's directory"))?;
            files
                .entry(key.to_owned())
                .or_default()
                .insert(file.to_owned(), String::from_utf8_lossy(&text).into_owned());
        }
    }
    let modules = modules.ok_or("it has no tfconfig/modules.json")?;
    Ok(ConfigSnapshot { modules, files })
}

/// The files terraform loads from a module directory: `.tf` and `.tf.json`,
/// but not the names it ignores (hidden files, editor backups `x~`, `#x#`).
fn is_loaded(name: &str) -> bool {
    (name.ends_with(".tf") || name.ends_with(".tf.json"))
        && !name.starts_with('.')
        && !name.ends_with('~')
        && !(name.starts_with('#') && name.ends_with('#'))
}

/// A module of the repository: the root, and local sources (`./…`, `../…`)
/// called from a module of the repository. Others come from a registry or
/// another repository, and only their calls (in the caller's files) say
/// which.
fn in_repository(module: &SnapshotModule, modules: &[SnapshotModule]) -> bool {
    if module.key.is_empty() {
        return true;
    }
    let local = module.source.starts_with("./") || module.source.starts_with("../");
    let parent = module.key.rsplit_once('.').map_or("", |(p, _)| p);
    local
        && modules
            .iter()
            .find(|m| m.key == parent)
            .is_some_and(|p| in_repository(p, modules))
}

/// Line endings aside (a checkout with `core.autocrlf` writes CRLF where git
/// stores LF), is the text the same?
fn same(a: &str, b: &str) -> bool {
    a == b || a.replace("\r\n", "\n") == b.replace("\r\n", "\n")
}

/// The differences between the snapshot, its root module taken to be `root`,
/// and the head: each file named with what differs, sorted. Empty: the same.
pub fn compare(taken: &ConfigSnapshot, root: &str, head: &Snapshot) -> Vec<String> {
    let mut out = BTreeSet::new();
    let listed: BTreeSet<&str> = taken.modules.iter().map(|m| m.key.as_str()).collect();
    for key in taken.files.keys().filter(|k| !listed.contains(k.as_str())) {
        out.insert(format!(
            "tfconfig/m-{key}/ (a module its modules.json does not list)"
        ));
    }
    let empty = BTreeMap::new();
    for module in &taken.modules {
        if !in_repository(module, &taken.modules) {
            continue;
        }
        let Some(dir) = join(root, &module.dir) else {
            out.insert(format!(
                "module `{}` (its directory {} is outside the repository)",
                module.key, module.dir
            ));
            continue;
        };
        let resolved = head.resolve(&dir);
        let at_head: BTreeMap<&str, &str> = head
            .files
            .iter()
            .filter(|(p, _)| dir_of(p) == resolved)
            .map(|(p, t)| (p.rsplit('/').next().unwrap_or(p), t.as_str()))
            .filter(|(name, _)| is_loaded(name))
            .collect();
        let in_plan = taken.files.get(&module.key).unwrap_or(&empty);
        let shown = |name: &str| {
            if dir.is_empty() {
                name.to_owned()
            } else {
                format!("{dir}/{name}")
            }
        };
        for (name, text) in in_plan {
            match at_head.get(name.as_str()) {
                Some(h) if same(h, text) => {}
                Some(_) => {
                    out.insert(format!("{} (differs)", shown(name)));
                }
                None => {
                    out.insert(format!("{} (only in the plan)", shown(name)));
                }
            }
        }
        for name in at_head.keys().filter(|n| !in_plan.contains_key(**n)) {
            out.insert(format!("{} (only at the head)", shown(name)));
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provenance::test_head as head;

    fn module(key: &str, source: &str, dir: &str) -> SnapshotModule {
        SnapshotModule {
            key: key.into(),
            source: source.into(),
            dir: dir.into(),
        }
    }

    fn taken(files: &[(&str, &str, &str)], modules: Vec<SnapshotModule>) -> ConfigSnapshot {
        let mut by_key: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (k, n, t) in files {
            by_key
                .entry((*k).into())
                .or_default()
                .insert((*n).into(), (*t).into());
        }
        ConfigSnapshot {
            modules,
            files: by_key,
        }
    }

    #[test]
    fn files_are_compared_module_by_module() {
        let modules = vec![
            module("", "", "."),
            module("db", "../modules/db", "../modules/db"),
            module(
                "vpc",
                "terraform-aws-modules/vpc/aws",
                ".terraform/modules/vpc",
            ),
        ];
        let t = taken(
            &[
                ("", "main.tf", "a"),
                ("db", "main.tf", "b\n"),
                ("vpc", "main.tf", "anything"),
            ],
            modules,
        );
        let h = head(&[
            ("infra/main.tf", "a"),
            ("infra/terraform.tfvars", "x = 1"),
            ("infra/.hidden.tf", "ignored"),
            ("modules/db/main.tf", "b\r\n"),
        ]);
        assert!(
            compare(&t, "infra", &h).is_empty(),
            "{:?}",
            compare(&t, "infra", &h)
        );
        let h = head(&[
            ("infra/main.tf", "a2"),
            ("infra/extra.tf", "new"),
            ("modules/db/other.tf.json", "{}"),
        ]);
        assert_eq!(
            compare(&t, "infra", &h),
            [
                "infra/extra.tf (only at the head)",
                "infra/main.tf (differs)",
                "modules/db/main.tf (only in the plan)",
                "modules/db/other.tf.json (only at the head)",
            ]
        );
    }

    #[test]
    fn a_module_outside_the_repository_cannot_be_compared() {
        let t = taken(
            &[("", "main.tf", "a")],
            vec![module("", "", "."), module("x", "../../x", "../../x")],
        );
        let d = compare(&t, "infra", &head(&[("infra/main.tf", "a")]));
        assert_eq!(
            d,
            ["module `x` (its directory ../../x is outside the repository)"]
        );
    }

    #[test]
    fn a_damaged_or_empty_archive_is_said() {
        assert!(read(b"PK\x03\x04garbage").is_err());
    }
}
