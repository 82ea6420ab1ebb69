//! The GitHub Action (action.yml), run step by step as GitHub's runner runs a
//! composite action: `${{ }}` expressions evaluated from the contexts, `if:`
//! conditions, `run:` steps in bash with the variables GitHub provides
//! (GITHUB_OUTPUT, GITHUB_PATH, GITHUB_STEP_SUMMARY, RUNNER_TEMP, …), and
//! `uses:` steps (the cache, the SARIF upload) recorded rather than run.
//! Against the local GitHub API server, on a history built with git.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::gate::{Gate, approve};
use common::github::{self, Reply};
use serde_json::{Value, json};
use yaml_rust2::{Yaml, YamlLoader};

const ACTION_REPOSITORY: &str = "acme/plangate";

fn action() -> Yaml {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap();
    YamlLoader::load_from_str(&text).unwrap().remove(0)
}

/// A step's outcome: what it printed and whether it succeeded.
#[derive(Debug, Default)]
struct StepRun {
    name: String,
    ran: bool,
    ok: bool,
    stdout: String,
    stderr: String,
    /// For a `uses:` step: the action and its evaluated `with:`.
    uses: Option<(String, HashMap<String, String>)>,
}

struct Run {
    steps: Vec<StepRun>,
    outputs: HashMap<String, String>,
    summary: String,
    ok: bool,
}

impl Run {
    fn step(&self, name: &str) -> &StepRun {
        self.steps
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no step {name}"))
    }
    fn log(&self) -> String {
        self.steps
            .iter()
            .map(|s| format!("{}{}", s.stdout, s.stderr))
            .collect()
    }
}

/// The runner: contexts and the environment GitHub gives every step.
struct Runner<'a> {
    workspace: &'a Path,
    temp: PathBuf,
    event: Value,
    event_path: PathBuf,
    api: String,
    inputs: HashMap<String, String>,
    extra_env: Vec<(String, String)>,
    steps: HashMap<String, HashMap<String, String>>,
    path_additions: Vec<String>,
}

impl<'a> Runner<'a> {
    fn new(workspace: &'a Path, dir: &Path, api: &str, with: &[(&str, &str)]) -> Runner<'a> {
        let temp = dir.join("runner-temp");
        std::fs::create_dir_all(&temp).unwrap();
        let event_path = dir.join("event.json");
        let event: Value =
            serde_json::from_str(&std::fs::read_to_string(&event_path).unwrap()).unwrap();
        let mut runner = Runner {
            workspace,
            temp,
            event,
            event_path,
            api: api.to_owned(),
            inputs: HashMap::new(),
            extra_env: Vec::new(),
            steps: HashMap::new(),
            path_additions: Vec::new(),
        };
        let action = action();
        let declared = action["inputs"].as_hash().unwrap();
        for (name, spec) in declared {
            let name = name.as_str().unwrap().to_owned();
            let default = spec["default"].as_str().unwrap_or("").to_owned();
            let value = with
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
                .unwrap_or_else(|| runner.substitute(&default));
            runner.inputs.insert(name, value);
        }
        for (k, _) in with {
            assert!(
                runner.inputs.contains_key(*k),
                "action.yml declares no input `{k}`"
            );
        }
        runner
    }

    /// The value of a context path (`inputs.x`, `github.token`, `steps.id.outputs.y`, …).
    fn context(&self, path: &str) -> String {
        let parts: Vec<&str> = path.split('.').collect();
        match parts.as_slice() {
            ["inputs", name] => self.inputs.get(*name).cloned().unwrap_or_default(),
            ["github", "token"] => common::gate::TOKEN.into(),
            ["github", "action_path"] => env!("CARGO_MANIFEST_DIR").into(),
            ["github", "action_repository"] => ACTION_REPOSITORY.into(),
            ["github", "event", rest @ ..] => {
                let pointer = format!("/{}", rest.join("/"));
                self.event
                    .pointer(&pointer)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned()
            }
            ["runner", "temp"] => self.temp.display().to_string(),
            ["steps", id, "outputs", name] => self
                .steps
                .get(*id)
                .and_then(|o| o.get(*name))
                .cloned()
                .unwrap_or_default(),
            _ => panic!(
                "the harness does not know the context `{path}`: teach it, or keep action.yml simple"
            ),
        }
    }

    /// `${{ expr }}` in a string, evaluated.
    fn substitute(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("a closed expression") + start;
            out.push_str(&self.value(rest[start + 3..end].trim()));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// A term: a quoted literal or a context path.
    fn value(&self, term: &str) -> String {
        let term = term.trim();
        if let Some(lit) = term.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
            lit.to_owned()
        } else {
            self.context(term)
        }
    }

    /// An `if:` condition: `&&` of `always()`, `a == b`, `a != b`.
    fn condition(&self, expr: &str, failed: bool) -> bool {
        let expr = expr.trim().trim_start_matches("${{").trim_end_matches("}}");
        let mut always = false;
        let mut result = true;
        for clause in expr.split("&&").map(str::trim) {
            if clause == "always()" {
                always = true;
            } else if let Some((a, b)) = clause.split_once("!=") {
                result &= self.value(a) != self.value(b);
            } else if let Some((a, b)) = clause.split_once("==") {
                result &= self.value(a) == self.value(b);
            } else {
                panic!("the harness cannot evaluate `{clause}`");
            }
        }
        result && (always || !failed)
    }

    fn run(mut self) -> Run {
        let action = action();
        assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
        let mut runs = Vec::new();
        let mut failed = false;
        let summary_path = self.temp.join("step-summary.md");
        for step in action["runs"]["steps"].as_vec().unwrap() {
            let name = step["name"].as_str().unwrap_or("").to_owned();
            let mut outcome = StepRun {
                name: name.clone(),
                ..Default::default()
            };
            let go = match step["if"].as_str() {
                Some(cond) => self.condition(cond, failed),
                None => !failed,
            };
            if !go {
                runs.push(outcome);
                continue;
            }
            outcome.ran = true;
            if let Some(uses) = step["uses"].as_str() {
                let with = step["with"]
                    .as_hash()
                    .map(|h| {
                        h.iter()
                            .map(|(k, v)| {
                                (
                                    k.as_str().unwrap().to_owned(),
                                    self.substitute(v.as_str().unwrap_or("")),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                outcome.uses = Some((uses.to_owned(), with));
                outcome.ok = true;
                runs.push(outcome);
                continue;
            }
            let script = step["run"].as_str().expect("a run or uses step");
            assert!(
                !script.contains("${{"),
                "step `{name}` interpolates an expression into its script"
            );
            let output_file = self.temp.join(format!("output-{}", runs.len()));
            let path_file = self.temp.join(format!("path-{}", runs.len()));
            std::fs::write(&output_file, "").unwrap();
            std::fs::write(&path_file, "").unwrap();
            let mut cmd = Command::new("bash");
            cmd.arg("-c").arg(script).current_dir(self.workspace);
            let mut path = self.path_additions.clone();
            path.push(std::env::var("PATH").unwrap_or_default());
            cmd.env("PATH", path.join(":"))
                .env("GITHUB_ACTIONS", "true")
                .env("CI", "true")
                .env("GITHUB_EVENT_NAME", "pull_request")
                .env("GITHUB_EVENT_PATH", &self.event_path)
                .env("GITHUB_WORKSPACE", self.workspace)
                .env("GITHUB_REPOSITORY", "acme/infra")
                .env("GITHUB_API_URL", &self.api)
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_PATH", &path_file)
                .env("GITHUB_STEP_SUMMARY", &summary_path)
                .env("RUNNER_TEMP", &self.temp)
                .env("RUNNER_OS", "Linux")
                .env("RUNNER_ARCH", "X64")
                .env("NO_COLOR", "1")
                .env("PLANGATE_HTTP_BACKOFF_MS", "1")
                .env_remove("GITHUB_TOKEN");
            if let Some(env) = step["env"].as_hash() {
                for (k, v) in env {
                    cmd.env(
                        k.as_str().unwrap(),
                        self.substitute(v.as_str().unwrap_or("")),
                    );
                }
            }
            cmd.envs(self.extra_env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            let out = cmd.output().unwrap();
            outcome.ok = out.status.success();
            outcome.stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            outcome.stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            failed |= !outcome.ok;
            if let Some(id) = step["id"].as_str() {
                let outputs = std::fs::read_to_string(&output_file)
                    .unwrap()
                    .lines()
                    .filter_map(|l| l.split_once('='))
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect();
                self.steps.insert(id.to_owned(), outputs);
            }
            self.path_additions.extend(
                std::fs::read_to_string(&path_file)
                    .unwrap()
                    .lines()
                    .map(str::to_owned),
            );
            runs.push(outcome);
        }
        let outputs = action["outputs"]
            .as_hash()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().unwrap().to_owned(),
                    self.substitute(v["value"].as_str().unwrap()),
                )
            })
            .collect();
        Run {
            steps: runs,
            outputs,
            summary: std::fs::read_to_string(&summary_path).unwrap_or_default(),
            ok: !failed,
        }
    }
}

/// The built plangate, placed where the cache step restores it.
fn restore_cache(runner: &Runner<'_>) {
    let bin = runner.temp.join("plangate/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_plangate"), bin.join("plangate")).unwrap();
}

/// A case's pull request, with the plan in the workspace as a workflow would have it.
fn gate(case: &str) -> Gate {
    let g = Gate::new(case);
    std::fs::copy(&g.plan, g.repo.path().join("plan.json")).unwrap();
    g
}

#[test]
fn the_action_blocks_an_agent_delete_with_outputs_summary_and_annotations() {
    let g = gate("agent-deletes-block");
    // A broken policy in the work tree: only read if config-ref is not passed.
    std::fs::write(g.repo.path().join(".plangate.hcl"), "rule \"x\" {").unwrap();
    let runner = Runner::new(
        g.repo.path(),
        g.dir.path(),
        &g.gh.url(),
        &[("paths", "plan.json")],
    );
    restore_cache(&runner);
    let run = runner.run();
    assert!(!run.ok, "blocked: the job fails");
    assert!(run.step("Check the checkout").ok);
    let cache = run
        .step("Restore plangate")
        .uses
        .clone()
        .expect("the cache step is used");
    assert_eq!(cache.0, "actions/cache@v4");
    assert!(
        cache.1["key"].starts_with("plangate-Linux-X64-"),
        "{:?}",
        cache.1
    );
    assert!(
        run.step("Install plangate")
            .stdout
            .contains("restored from the cache")
    );
    let check = run.step("Run plangate");
    assert!(!check.ok);
    assert!(
        check
            .stdout
            .contains("::error title=plangate agent-destroy%3A blocked::"),
        "{}",
        run.log()
    );
    assert_eq!(run.outputs["result"], "fail");
    assert_eq!(run.outputs["blocked"], "1");
    assert_eq!(run.outputs["destructive"], "1");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&run.outputs["report"]).unwrap()).unwrap();
    common::schemas::validate(common::schemas::Kind::Check, &report);
    assert_eq!(report["findings"][0]["rule"], "agent-destroy");
    assert!(
        run.summary.contains("| ❌ blocked | `agent-destroy` |"),
        "{}",
        run.summary
    );
    assert!(!run.step("Upload SARIF").ran, "sarif is off by default");
    // The policy was read from the pull request's base (the default
    // config-ref), which has none: the broken work-tree file was not read.
    assert_eq!(report["config"], "built-in rules only");
    assert!(!run.log().contains(common::gate::TOKEN), "the token leaked");
}

#[test]
fn an_approval_makes_the_action_pass() {
    let g = gate("agent-deletes-block");
    g.reviews(vec![approve("carol", 41, g.head())]);
    let runner = Runner::new(
        g.repo.path(),
        g.dir.path(),
        &g.gh.url(),
        &[("paths", "plan.json")],
    );
    restore_cache(&runner);
    let run = runner.run();
    assert!(run.ok, "{}", run.log());
    assert_eq!(run.outputs["result"], "pass");
    assert_eq!(run.outputs["blocked"], "0");
    let auth =
        g.gh.requests()
            .iter()
            .find_map(|r| r.header("authorization").map(str::to_owned));
    assert_eq!(
        auth,
        Some(format!("Bearer {}", common::gate::TOKEN)),
        "the token input reaches the API"
    );
}

#[test]
fn sarif_is_written_and_handed_to_the_upload_step() {
    let g = gate("agent-deletes-block");
    let runner = Runner::new(
        g.repo.path(),
        g.dir.path(),
        &g.gh.url(),
        &[("paths", "plan.json"), ("sarif", "true")],
    );
    restore_cache(&runner);
    let run = runner.run();
    let upload = run.step("Upload SARIF");
    assert!(upload.ran, "the upload runs even though the check failed");
    let (uses, with) = upload.uses.clone().unwrap();
    assert_eq!(uses, "github/codeql-action/upload-sarif@v3");
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(&with["sarif_file"]).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(with["category"], "plangate");
}

#[test]
fn the_comment_is_created_once_then_updated_in_place() {
    let g = gate("agent-deletes-block");
    let comments = "/repos/acme/infra/issues/7/comments";
    g.gh.route(
        &format!("{comments}?per_page=100"),
        vec![Reply::json(200, json!([{"id": 5, "body": "looks good"}]))],
    );
    g.gh.route_method(
        "POST",
        comments,
        vec![Reply::json(
            201,
            json!({"id": 901, "html_url": "https://github.com/acme/infra/pull/7#issuecomment-901"}),
        )],
    );
    let runner = Runner::new(
        g.repo.path(),
        g.dir.path(),
        &g.gh.url(),
        &[("paths", "plan.json"), ("comment", "true")],
    );
    restore_cache(&runner);
    runner.run();
    let posted: Vec<_> =
        g.gh.requests()
            .into_iter()
            .filter(|r| r.method == "POST")
            .collect();
    assert_eq!(posted.len(), 1);
    assert!(
        posted[0].body.contains("<!-- plangate:report -->"),
        "{}",
        posted[0].body
    );
    assert!(posted[0].body.contains("agent-destroy"));

    // The next run finds its comment by the marker and edits it.
    g.gh.route(
        &format!("{comments}?per_page=100"),
        vec![Reply::json(200, json!([{"id": 5, "body": "looks good"}, {"id": 901, "body": "<!-- plangate:report -->\nold"}]))],
    );
    g.gh.route_method(
        "PATCH",
        "/repos/acme/infra/issues/comments/901",
        vec![Reply::json(200, json!({"id": 901}))],
    );
    let runner = Runner::new(
        g.repo.path(),
        g.dir.path(),
        &g.gh.url(),
        &[("paths", "plan.json"), ("comment", "true")],
    );
    runner.run();
    let methods: Vec<String> =
        g.gh.requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
    assert!(
        methods.contains(&"PATCH /repos/acme/infra/issues/comments/901".to_owned()),
        "{methods:?}"
    );
    assert_eq!(
        methods.iter().filter(|m| m.starts_with("POST")).count(),
        1,
        "no second comment"
    );
}

#[test]
fn a_comment_that_cannot_be_posted_is_said_and_does_not_change_the_verdict() {
    let g = gate("agent-deletes-block");
    g.reviews(vec![approve("carol", 41, g.head())]);
    g.gh.route(
        "/repos/acme/infra/issues/7/comments?per_page=100",
        vec![github::error(403, "Resource not accessible by integration")],
    );
    let runner = Runner::new(
        g.repo.path(),
        g.dir.path(),
        &g.gh.url(),
        &[("paths", "plan.json"), ("comment", "true")],
    );
    restore_cache(&runner);
    let run = runner.run();
    assert!(run.ok, "still a pass: {}", run.log());
    assert!(
        run.log().contains("::warning title=plangate comment::"),
        "{}",
        run.log()
    );
}

#[test]
fn a_shallow_checkout_is_refused_with_the_fix() {
    let g = gate("agent-deletes-block");
    let clone = g.dir.path().join("shallow");
    let url = format!("file://{}", g.repo.path().display());
    let out = Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url])
        .arg(&clone)
        .output()
        .unwrap();
    assert!(out.status.success());
    let runner = Runner::new(&clone, g.dir.path(), &g.gh.url(), &[("paths", "plan.json")]);
    let run = runner.run();
    assert!(!run.ok);
    assert!(
        run.step("Check the checkout")
            .stdout
            .contains("fetch-depth: 0"),
        "{}",
        run.log()
    );
    assert!(!run.step("Run plangate").ran);
}

#[test]
fn a_released_version_is_downloaded_and_its_checksum_checked() {
    let g = gate("agent-deletes-block");
    // A fake release: the built binary, archived as a release would be.
    let releases = g.dir.path().join("releases/v9.9.9");
    std::fs::create_dir_all(&releases).unwrap();
    let stage = g.dir.path().join("stage");
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_plangate"), stage.join("plangate")).unwrap();
    // Named as .github/workflows/release.yml names the static Linux build.
    let archive = "plangate-9.9.9-x86_64-unknown-linux-musl.tar.gz";
    let sh = |script: &str| {
        let o = Command::new("bash")
            .arg("-c")
            .arg(script)
            .current_dir(&releases)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    sh(&format!(
        "tar -czf {archive} -C {} plangate && sha256sum {archive} > {archive}.sha256",
        stage.display()
    ));
    let url = format!("file://{}", g.dir.path().join("releases").display());

    let mut runner = Runner::new(
        g.repo.path(),
        g.dir.path(),
        &g.gh.url(),
        &[("paths", "plan.json"), ("version", "9.9.9")],
    );
    runner
        .extra_env
        .push(("PLANGATE_RELEASES_URL".into(), url.clone()));
    let run = runner.run();
    assert!(!run.step("Restore plangate").ran, "no cache for a release");
    assert!(run.step("Install plangate").ok, "{}", run.log());
    assert!(run.step("Run plangate").ran);
    assert_eq!(run.outputs["result"], "fail");

    // A tampered archive is refused before it runs.
    sh(&format!("echo junk >> {archive}"));
    let mut runner = Runner::new(
        g.repo.path(),
        g.dir.path(),
        &g.gh.url(),
        &[("paths", "plan.json"), ("version", "9.9.9")],
    );
    std::fs::remove_dir_all(runner.temp.join("plangate")).ok();
    runner.extra_env.push(("PLANGATE_RELEASES_URL".into(), url));
    let run = runner.run();
    assert!(!run.step("Install plangate").ok);
    assert!(run.log().contains("checksum"), "{}", run.log());
    assert!(!run.step("Run plangate").ran);
}

#[test]
fn no_step_interpolates_inputs_into_a_script() {
    // Inputs reach scripts through `env:` only: an input holding shell syntax
    // must not run as code.
    for step in action()["runs"]["steps"].as_vec().unwrap() {
        if let Some(script) = step["run"].as_str() {
            assert!(!script.contains("${{"), "{script}");
        }
    }
    let g = gate("agent-deletes-block");
    let hostile = "plan.json; touch PWNED";
    let runner = Runner::new(
        g.repo.path(),
        g.dir.path(),
        &g.gh.url(),
        &[("paths", hostile), ("config-ref", "$(touch PWNED2)")],
    );
    restore_cache(&runner);
    runner.run();
    assert!(!g.repo.path().join("PWNED").exists() && !g.repo.path().join("PWNED2").exists());
}
