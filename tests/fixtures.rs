//! Every fixture under testdata/, read through the library and snapshotted: the
//! normalized changes of each plan, or the diagnostic of each refused input.

mod common;

use common::{rel, render};

/// Deposed keys are random per generation (see testdata/terraform/regen.sh).
fn snapshot_reading(path: &std::path::Path) {
    let name = rel(path);
    match plangate::input::read_plans(&[name]) {
        Ok(reading) => {
            let value: serde_json::Value =
                serde_json::from_str(&plangate::report::changes::json(&reading)).unwrap();
            common::schemas::validate(common::schemas::Kind::Changes, &value);
            insta::assert_json_snapshot!(value, {
                ".plans[].changes[].deposed" => "[deposed]",
            });
        }
        Err(errors) => {
            let text: Vec<String> = errors.errors.iter().map(|e| render(e)).collect();
            insta::assert_snapshot!(text.join("\n"));
        }
    }
}

#[test]
fn terraform_plans() {
    insta::glob!("../testdata", "terraform/*/plan.json", |path| {
        snapshot_reading(path);
    });
}

#[test]
fn cloudformation_change_sets() {
    insta::glob!("../testdata", "cloudformation/*.json", |path| {
        snapshot_reading(path);
    });
}

/// Directories hold several files read as one input (pages, nested change sets).
#[test]
fn cloudformation_directories() {
    for dir in ["pages", "page-missing", "nested", "nested-child-missing"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/cloudformation")
            .join(dir);
        insta::with_settings!({ snapshot_suffix => dir }, {
            snapshot_reading(&path);
        });
    }
}
