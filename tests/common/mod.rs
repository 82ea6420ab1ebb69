//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod applied;
pub mod cases;
pub mod gate;
pub mod github;
pub mod repo;
pub mod schemas;

use std::path::Path;
use std::process::{Command, Output};

use miette::{GraphicalReportHandler, GraphicalTheme};

/// A path under the crate root as the tests name it (relative, so that
/// snapshots do not depend on where the checkout is).
pub fn rel(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

/// A diagnostic as a user sees it, without colour, at a fixed width.
pub fn render(diagnostic: &dyn miette::Diagnostic) -> String {
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .render_report(&mut out, diagnostic)
        .expect("rendering into a String cannot fail");
    out
}

pub fn plangate() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_plangate"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITLAB_CI")
        .env_remove("COLUMNS");
    cmd
}

pub fn run(args: &[&str]) -> Output {
    plangate().args(args).output().expect("plangate runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The `changes --format json` document of one or more paths, via the library.
pub fn changes_json(paths: &[&str]) -> serde_json::Value {
    let args: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
    let reading = plangate::input::read_plans(&args).expect("the fixture reads");
    let doc = serde_json::from_str(&plangate::report::changes::json(&reading)).unwrap();
    schemas::validate(schemas::Kind::Changes, &doc);
    doc
}

/// A rendered diagnostic with its line wrapping undone, for substring checks.
pub fn flat(s: &str) -> String {
    s.lines()
        .map(|l| l.trim().trim_start_matches('│').trim())
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
