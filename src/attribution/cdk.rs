//! Which template a CDK stack is deployed from: the cloud assembly's
//! `manifest.json` (`cdk.out/manifest.json`, and the nested assemblies of CDK
//! stages) names each stack's template file.
//!
//! A change set names its stack (`StackName`); the manifest maps that name to
//! a template, so that a logical id declared in several synthesized templates
//! is attributed to the one that was deployed.

use serde_json::Value;

use super::targets::join;
use super::touches::dir_of;

/// The artifact type of a stack in a cloud assembly.
const STACK: &str = "aws:cloudformation:stack";
/// The artifact type of a nested assembly (a CDK `Stage`).
const ASSEMBLY: &str = "cdk:cloud-assembly";
/// Stages nest; deeper than this is not a real app.
const MAX_DEPTH: usize = 16;

/// What the manifests say of one stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// One template (repository path), and the manifest that named it.
    Template {
        template: String,
        manifest: String,
    },
    /// Several manifests name the stack with different templates.
    Ambiguous(Vec<String>),
    Nothing,
}

/// The template of stack `stack` by the cloud-assembly manifests among
/// `paths` (repository paths; `text` reads them).
pub fn template_of(paths: &[&str], text: &dyn Fn(&str) -> Option<String>, stack: &str) -> Found {
    let mut hits: Vec<(String, String)> = Vec::new();
    for manifest in paths.iter().filter(|p| is_root_manifest(p)) {
        collect(manifest, text, stack, 0, &mut hits);
    }
    hits.sort();
    hits.dedup_by(|a, b| a.0 == b.0);
    match hits.as_slice() {
        [] => Found::Nothing,
        [(template, manifest)] => Found::Template {
            template: template.clone(),
            manifest: manifest.clone(),
        },
        many => Found::Ambiguous(many.iter().map(|(t, _)| t.clone()).collect()),
    }
}

/// Any `manifest.json` may be a cloud assembly's (`cdk.json`'s `output`
/// moves `cdk.out`); one that is not names no stack.
fn is_root_manifest(path: &str) -> bool {
    path.rsplit('/').next() == Some("manifest.json")
}

fn collect(
    manifest: &str,
    text: &dyn Fn(&str) -> Option<String>,
    stack: &str,
    depth: usize,
    hits: &mut Vec<(String, String)>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let Some(doc) = text(manifest).and_then(|t| serde_json::from_str::<Value>(&t).ok()) else {
        return;
    };
    let Some(artifacts) = doc.get("artifacts").and_then(Value::as_object) else {
        return;
    };
    let dir = dir_of(manifest);
    for (id, artifact) in artifacts {
        let props = artifact.get("properties");
        let prop = |k: &str| props.and_then(|p| p.get(k)).and_then(Value::as_str);
        match artifact.get("type").and_then(Value::as_str) {
            Some(STACK) => {
                // `stackName` when the app sets one (stages do), else the id.
                let name = prop("stackName").unwrap_or(id);
                if name == stack
                    && let Some(template) = prop("templateFile").and_then(|f| join(&dir, f))
                {
                    hits.push((template, manifest.to_owned()));
                }
            }
            Some(ASSEMBLY) => {
                if let Some(sub) = prop("directoryName").and_then(|d| join(&dir, d)) {
                    let nested = if sub.is_empty() {
                        "manifest.json".to_owned()
                    } else {
                        format!("{sub}/manifest.json")
                    };
                    if nested != manifest {
                        collect(&nested, text, stack, depth + 1, hits);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// The case's cloud assembly, synthesized by the real CDK (its synth.sh).
    fn assembly() -> BTreeMap<String, String> {
        let root = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/attribution/cdk-assembly-manifest/0-base"
        );
        let mut files = BTreeMap::new();
        for rel in [
            "cdk.out/manifest.json",
            "cdk.out/assembly-Prod/manifest.json",
        ] {
            let text = std::fs::read_to_string(format!("{root}/{rel}")).expect("the case is there");
            files.insert(rel.to_owned(), text);
        }
        files
    }

    fn find(files: &BTreeMap<String, String>, stack: &str) -> Found {
        let paths: Vec<&str> = files.keys().map(String::as_str).collect();
        template_of(&paths, &|p| files.get(p).cloned(), stack)
    }

    #[test]
    fn a_stack_by_its_artifact_id_and_a_staged_stack_by_its_stack_name() {
        let files = assembly();
        assert_eq!(
            find(&files, "Blue"),
            Found::Template {
                template: "cdk.out/Blue.template.json".into(),
                manifest: "cdk.out/manifest.json".into()
            }
        );
        // In a Stage: the nested assembly's manifest, by `stackName`.
        assert_eq!(
            find(&files, "Prod-Api"),
            Found::Template {
                template: "cdk.out/assembly-Prod/ProdApi2466CF1F.template.json".into(),
                manifest: "cdk.out/assembly-Prod/manifest.json".into()
            }
        );
        // The artifact id of a staged stack is not its stack's name.
        assert_eq!(find(&files, "ProdApi2466CF1F"), Found::Nothing);
        assert_eq!(find(&files, "Orange"), Found::Nothing);
    }

    #[test]
    fn two_assemblies_that_disagree_choose_nothing() {
        let mut files = assembly();
        let other =
            files["cdk.out/manifest.json"].replace("Blue.template.json", "BlueV2.template.json");
        files.insert("other/cdk.out/manifest.json".into(), other);
        match find(&files, "Blue") {
            Found::Ambiguous(t) => assert_eq!(
                t,
                [
                    "cdk.out/Blue.template.json",
                    "other/cdk.out/BlueV2.template.json"
                ]
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn files_that_are_not_manifests_and_a_stage_that_names_itself() {
        let mut files = BTreeMap::new();
        files.insert(
            "web/manifest.json".to_owned(),
            r#"{"name": "pwa", "icons": []}"#.to_owned(),
        );
        files.insert("broken/manifest.json".to_owned(), "{".to_owned());
        files.insert(
            "loop/manifest.json".to_owned(),
            r#"{"artifacts": {"a": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "."}},
                              "b": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "x"}}}}"#
                .to_owned(),
        );
        files.insert(
            "loop/x/manifest.json".to_owned(),
            r#"{"artifacts": {"back": {"type": "cdk:cloud-assembly", "properties": {"directoryName": ".."}}}}"#
                .to_owned(),
        );
        assert_eq!(find(&files, "Blue"), Found::Nothing);
    }
}
