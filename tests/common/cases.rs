//! Histories of testdata/attribution/<case>, rebuilt with the real git.

use std::path::{Path, PathBuf};

use super::repo::TestRepo;

/// Copy a tree; a symbolic link is copied as the link (git commits it as one).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            let link = std::fs::read_link(entry.path()).unwrap();
            std::os::unix::fs::symlink(link, target).unwrap();
        } else if kind.is_dir() {
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

/// The step whose commit is the plan's base (`--base`): the case's `base`, else 0.
/// Steps before it are history the range does not hold (e.g. where a branch forked).
pub fn base(name: &str) -> usize {
    spec(name)["base"].as_u64().unwrap_or(0) as usize
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
        if let Some(branch) = step["squash"].as_str() {
            // The real squash merge, with git's own message (SQUASH_MSG, which
            // lists the squashed commits with their messages indented).
            repo.git_as(author, committer, &["merge", "--squash", "-q", branch]);
            repo.git_as(author, committer, &["commit", "-q", "--no-edit"]);
            steps.push(repo.head());
            continue;
        }
        let message = step["message"].as_str().unwrap();
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

/// The case's plan file: its `changeset`, else `plan.json`.
pub fn plan_file(name: &str) -> PathBuf {
    let spec = spec(name);
    case_dir(name).join(spec["changeset"].as_str().unwrap_or("plan.json"))
}

/// Where the plan is placed in the repository's work tree: the case's
/// `plan_path`, else the plan's file name in `plan_dir` (default the root).
pub fn plan_path(name: &str) -> String {
    let spec = spec(name);
    if let Some(path) = spec["plan_path"].as_str() {
        return path.to_owned();
    }
    let file = plan_file(name);
    let file = file.file_name().unwrap().to_string_lossy();
    match spec["plan_dir"].as_str() {
        None | Some(".") | Some("") => file.into_owned(),
        Some(dir) => format!("{}/{file}", dir.trim_end_matches('/')),
    }
}

/// Copy the case's plan into the work tree at [`plan_path`] (not committed:
/// plans are made in CI); returns that path, relative to the repository.
pub fn place_plan(name: &str, repo: &TestRepo) -> String {
    let rel = plan_path(name);
    let target = repo.file(&rel);
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::copy(plan_file(name), &target).unwrap();
    rel
}
