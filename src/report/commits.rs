//! `plangate commits`: the classified commits of the range.

use std::fmt::Write;

use serde::Serialize;

use crate::classify::Class;
use crate::git::{Range, RangeSource};
use crate::history::History;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    range: &'a Range,
    commits: Vec<CommitView<'a>>,
}

#[derive(Serialize)]
struct CommitView<'a> {
    sha: &'a str,
    class: Class,
    agent: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bot: Option<&'a str>,
    evidence: &'a [String],
    author: String,
    subject: &'a str,
}

/// `{"version":1,"range":{…},"commits":[{"sha","class","agent","evidence"}]}`.
pub fn json(history: &History) -> String {
    let doc = Document {
        version: 1,
        range: &history.range,
        commits: history
            .commits
            .iter()
            .map(|a| CommitView {
                sha: &a.commit.sha,
                class: a.by.class,
                agent: a.by.agent(),
                bot: a.by.bot(),
                evidence: &a.by.evidence,
                author: a.commit.author.to_string(),
                subject: a.commit.subject(),
            })
            .collect(),
    };
    serde_json::to_string(&doc).unwrap_or_default()
}

fn source(s: &RangeSource) -> String {
    match s {
        RangeSource::Flags => "--base/--head".into(),
        RangeSource::PullRequest { number: Some(n) } => format!("pull request #{n}"),
        RangeSource::PullRequest { number: None } => "pull request".into(),
        RangeSource::MergeGroup => "merge group".into(),
        RangeSource::Push => "push".into(),
        RangeSource::MergeRequest { iid: Some(n) } => format!("merge request !{n}"),
        RangeSource::MergeRequest { iid: None } => "merge request".into(),
        RangeSource::PreCommit => "pre-push hook".into(),
        RangeSource::Upstream => "upstream branch".into(),
    }
}

pub fn human(history: &History) -> String {
    let r = &history.range;
    let mut out = String::new();
    let count = |c: Class| history.commits.iter().filter(|a| a.by.class == c).count();
    let _ = writeln!(
        out,
        "{} commit(s) in {}..{} ({}): {} agent, {} human, {} bot",
        history.commits.len(),
        short(&r.merge_base),
        short(&r.head),
        source(&r.source),
        count(Class::Agent),
        count(Class::Human),
        count(Class::Bot)
    );
    for a in &history.commits {
        let who = a.by.name.as_deref().unwrap_or("");
        let _ = writeln!(
            out,
            "  {}  {:<5}  {:<20}  {}",
            short(&a.commit.sha),
            a.by.class.as_str(),
            who,
            a.commit.subject()
        );
        if a.by.class != Class::Human {
            for e in &a.by.evidence {
                let _ = writeln!(out, "              because {e}");
            }
        }
    }
    out
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(10)]
}
