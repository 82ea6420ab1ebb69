//! Histories of testdata/attribution/<case>, rebuilt with the real git.

use std::path::{Path, PathBuf};

use super::repo::TestRepo;

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub fn clear_tree(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() == ".git" {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            std::fs::remove_dir_all(entry.path()).unwrap();
        } else {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
}

pub fn person(v: &serde_json::Value) -> (&str, &str) {
    (v[0].as_str().unwrap(), v[1].as_str().unwrap())
}

pub fn case_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/attribution")
        .join(name)
}

pub fn spec(name: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(case_dir(name).join("case.json")).unwrap())
        .unwrap()
}

/// Build the case's history; returns the repository and each step's commit.
pub fn build(name: &str) -> (TestRepo, Vec<String>) {
    let dir = case_dir(name);
    let spec = spec(name);
    let repo = TestRepo::new();
    let mut steps = Vec::new();
    for step in spec["steps"].as_array().unwrap() {
        let author = person(&step["author"]);
        let committer = step.get("committer").map(person).unwrap_or(author);
        let message = step["message"].as_str().unwrap();
        if let Some(branch) = step["branch"].as_str() {
            let exists = repo.git(&["branch", "--list", branch]);
            if exists.is_empty() {
                repo.git(&["checkout", "-q", "-b", branch]);
            } else {
                repo.git(&["checkout", "-q", branch]);
            }
        } else if !steps.is_empty() && repo.git(&["rev-parse", "--abbrev-ref", "HEAD"]) != "main" {
            repo.git(&["checkout", "-q", "main"]);
        }
        if let Some(branch) = step["merge"].as_str() {
            // Start the merge, then make its tree the step's: what the merge
            // commits beyond its parents is the step's doing.
            let _ = std::process::Command::new("git")
                .args(["merge", "-q", "--no-ff", "--no-commit", branch])
                .current_dir(repo.path())
                .output()
                .unwrap();
        }
        clear_tree(repo.path());
        copy_tree(&dir.join(step["tree"].as_str().unwrap()), repo.path());
        steps.push(repo.commit_as(author, committer, message));
    }
    if repo.git(&["rev-parse", "--abbrev-ref", "HEAD"]) != "main" {
        repo.git(&["checkout", "-q", "main"]);
    }
    (repo, steps)
}
