//! Many plans in one call are read on every core; what comes out is as if
//! they were read one by one: in argument order, every unreadable file an
//! error, every duplicate in a walk read once.

use std::fs;
use std::path::Path;
use std::process::Command;

const TERRAFORM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/terraform");

/// Every fixture plan of testdata/terraform, sorted.
fn fixtures() -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = fs::read_dir(TERRAFORM)
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path().join("plan.json");
            p.is_file().then_some(p)
        })
        .collect();
    out.sort();
    out
}

fn changes(args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_plangate"))
        .args(["changes", "--format", "json"])
        .args(args)
        .env_remove("GITLAB_CI")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (code, doc, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn paths(doc: &serde_json::Value) -> Vec<String> {
    doc["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn plans_named_in_any_order_come_out_in_that_order() {
    let dir = tempfile::tempdir().unwrap();
    // 60 files, named in an order that is not the files' sorted order.
    let mut named = Vec::new();
    for (i, plan) in fixtures().iter().cycle().take(60).enumerate() {
        let path = dir.path().join(format!("{:02}.json", (i * 37) % 60));
        fs::copy(plan, &path).unwrap();
        named.push(path.display().to_string());
    }
    let args: Vec<&str> = named.iter().map(String::as_str).collect();
    let (code, doc, err) = changes(&args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(paths(&doc), named);
    // Each file's changes are its own plan's.
    for (i, plan) in fixtures().iter().cycle().take(60).enumerate() {
        let (_, one, _) = changes(&[plan.to_str().unwrap()]);
        assert_eq!(
            doc["plans"][i]["changes"], one["plans"][0]["changes"],
            "{}",
            named[i]
        );
    }
}

#[test]
fn one_damaged_plan_among_many_is_an_error_never_skipped() {
    let dir = tempfile::tempdir().unwrap();
    for (i, plan) in fixtures().iter().enumerate() {
        fs::copy(plan, dir.path().join(format!("plan-{i:02}.json"))).unwrap();
    }
    let whole = fs::read_to_string(fixtures()[0].as_path()).unwrap();
    fs::write(
        dir.path().join("plan-07-cut.json"),
        &whole[..whole.len() / 2],
    )
    .unwrap();
    let (code, _, err) = changes(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("plan-07-cut.json"), "{err}");
}

#[test]
fn the_same_plan_twice_in_a_walk_of_many_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let all = fixtures();
    for (i, plan) in all.iter().enumerate() {
        fs::copy(plan, dir.path().join(format!("a-{i:02}.json"))).unwrap();
    }
    // A copy of the fifth, under a name the walk reaches later.
    fs::copy(&all[4], dir.path().join("z-copy.json")).unwrap();
    let (code, doc, err) = changes(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let read = paths(&doc);
    let dir_name = dir.path().display().to_string();
    assert!(!read.iter().any(|p| p.ends_with("z-copy.json")), "{read:?}");
    let dups = doc["duplicates"].as_array().unwrap();
    assert_eq!(dups.len(), 1, "{doc}");
    assert_eq!(
        Path::new(dups[0]["same_as"].as_str().unwrap()),
        Path::new(&dir_name).join("a-04.json")
    );
}

#[test]
fn two_big_plans_alike_at_both_ends_but_not_between_are_both_read() {
    // A walk tells plans apart by their length and ends first; plans that
    // agree there are compared in full. These differ in one address only.
    let plan = fs::read_to_string(format!("{TERRAFORM}/replace-by-triggers/plan.json")).unwrap();
    let body = plan.trim().strip_prefix('{').unwrap();
    let pad = " ".repeat(100 << 10);
    let a = format!("{{{pad}{body}");
    let a = format!("{}{pad}}}", a.strip_suffix('}').unwrap());
    let b = a.replacen("\"terraform_data.app\"", "\"terraform_data.apq\"", 1);
    assert_ne!(a, b);
    assert_eq!(a.len(), b.len());
    assert_eq!(a[..64 << 10], b[..64 << 10]);
    assert_eq!(a[a.len() - (64 << 10)..], b[b.len() - (64 << 10)..]);
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.json"), &a).unwrap();
    fs::write(dir.path().join("b.json"), &b).unwrap();
    // And a true copy of the first, which is one plan with it.
    fs::write(dir.path().join("c.json"), &a).unwrap();
    let (code, doc, err) = changes(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(doc["plans"].as_array().unwrap().len(), 2, "{doc}");
    let dups = doc["duplicates"].as_array().unwrap();
    assert_eq!(dups.len(), 1, "{doc}");
    assert!(dups[0]["path"].as_str().unwrap().ends_with("c.json"));
    assert!(dups[0]["same_as"].as_str().unwrap().ends_with("a.json"));
}
