//! Git repositories built at test time with the real `git`, with fixed
//! identities and dates so that commit ids are the same on every run.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const HUMAN: (&str, &str) = ("Alice Human", "alice@example.com");
pub const CLAUDE: (&str, &str) = ("Claude", "noreply@anthropic.com");

pub struct TestRepo {
    dir: tempfile::TempDir,
    clock: Cell<u32>,
}

impl TestRepo {
    pub fn new() -> TestRepo {
        let repo = TestRepo {
            dir: tempfile::tempdir().expect("a temporary directory"),
            clock: Cell::new(0),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.file(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.file(rel)).unwrap();
    }

    /// Run git here with fixed identities and the next fixed date.
    pub fn git_as(&self, author: (&str, &str), committer: (&str, &str), args: &[&str]) -> String {
        let t = self.clock.get() + 1;
        self.clock.set(t);
        let date = format!("2026-01-01T00:{:02}:{:02}Z", t / 60, t % 60);
        let out = Command::new("git")
            .args(args)
            .current_dir(self.path())
            .env("GIT_AUTHOR_NAME", author.0)
            .env("GIT_AUTHOR_EMAIL", author.1)
            .env("GIT_COMMITTER_NAME", committer.0)
            .env("GIT_COMMITTER_EMAIL", committer.1)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", self.path())
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    pub fn git(&self, args: &[&str]) -> String {
        self.git_as(HUMAN, HUMAN, args)
    }

    /// Commit everything in the work tree; returns the new commit's id.
    pub fn commit_as(
        &self,
        author: (&str, &str),
        committer: (&str, &str),
        message: &str,
    ) -> String {
        self.git_as(author, committer, &["add", "-A"]);
        let msg = self.file(".git/plangate-test-message");
        std::fs::write(&msg, message).unwrap();
        self.git_as(
            author,
            committer,
            &[
                "commit",
                "-q",
                "--allow-empty",
                "--cleanup=verbatim",
                "-F",
                msg.to_str().unwrap(),
            ],
        );
        self.head()
    }

    pub fn commit(&self, author: (&str, &str), message: &str) -> String {
        self.commit_as(author, author, message)
    }

    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"])
    }
}
