//! `plangate guard` end to end: the binary as each agent's hook runs it, with
//! payloads as each agent's hook documentation gives them (see
//! src/guard/hook.rs for the sources), in a real git repository, on plans
//! made by the real terraform (testdata/terraform).

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::repo::{HUMAN, TestRepo};
use serde_json::{Value, json};

fn payload(agent: &str, command: &str, cwd: &Path) -> String {
    let cwd = cwd.display().to_string();
    match agent {
        "claude-code" => json!({
            "session_id": "abc123", "transcript_path": "/tmp/s.jsonl", "cwd": cwd,
            "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": "Bash",
            "tool_input": {"command": command, "description": "run it", "timeout": 120000},
            "tool_use_id": "toolu_01ABC123"
        }),
        "codex" => json!({
            "session_id": "t", "turn_id": "turn-1", "transcript_path": null, "cwd": cwd,
            "hook_event_name": "PreToolUse", "model": "gpt-5", "permission_mode": "default",
            "tool_name": "Bash", "tool_input": {"command": command}, "tool_use_id": "call_1"
        }),
        "gemini-cli" => json!({
            "session_id": "s", "transcript_path": "/tmp/t.json", "cwd": cwd,
            "hook_event_name": "BeforeTool", "timestamp": "2026-08-21T16:16:56.000Z",
            "tool_name": "run_shell_command",
            "tool_input": {"command": command, "is_background": false}
        }),
        "cursor" => json!({
            "hook_event_name": "beforeShellExecution", "conversation_id": "conv-123",
            "generation_id": "gen-456", "workspace_roots": [cwd], "command": command, "cwd": cwd
        }),
        other => panic!("{other}"),
    }
    .to_string()
}

fn guard(stdin: &str, args: &[&str], dir: &Path) -> Output {
    guard_with(stdin, args, dir, &[])
}

fn guard_with(stdin: &str, args: &[&str], dir: &Path, env: &[(&str, String)]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_plangate"))
        .arg("guard")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// How the agent would take the guard's answer: allow, ask or deny.
fn taken(agent: &str, out: &Output) -> &'static str {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let code = out.status.code();
    let json: Option<Value> = serde_json::from_str(stdout.trim()).ok();
    match agent {
        // Exit 2 blocks; JSON on exit 0 may ask or deny; anything else runs it.
        "claude-code" => match (code, json) {
            (Some(2), _) => "deny",
            (Some(0), Some(v)) => match v["hookSpecificOutput"]["permissionDecision"].as_str() {
                Some("ask") => "ask",
                Some("deny") => "deny",
                _ => "allow",
            },
            _ => "allow",
        },
        // Exit 2 with a non-empty stderr blocks; everything else runs it.
        "codex" => {
            if code == Some(2) && !out.stderr.is_empty() {
                "deny"
            } else {
                "allow"
            }
        }
        // JSON wins; else exit 2 with text blocks.
        "gemini-cli" => match json {
            Some(v) => match v["decision"].as_str() {
                Some("deny" | "block") => "deny",
                Some("ask") => "ask",
                _ => "allow",
            },
            None if code == Some(2) && !out.stderr.is_empty() => "deny",
            None => "allow",
        },
        "cursor" => match json.as_ref().and_then(|v| v["permission"].as_str()) {
            Some("deny") => "deny",
            Some("ask") => "ask",
            _ => "allow",
        },
        _ => unreachable!(),
    }
}

const AGENTS: [&str; 4] = ["claude-code", "codex", "gemini-cli", "cursor"];

/// A repository with the real terraform's plans of testdata/terraform: one
/// that only creates (`infra/create.json`) and one that deletes
/// (`infra/deletes.json`).
fn repository() -> TestRepo {
    let repo = TestRepo::new();
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/terraform");
    std::fs::create_dir_all(repo.file("infra")).unwrap();
    std::fs::copy(
        testdata.join("create/plan.json"),
        repo.file("infra/create.json"),
    )
    .unwrap();
    std::fs::copy(
        testdata.join("delete-no-resource-config/plan.json"),
        repo.file("infra/deletes.json"),
    )
    .unwrap();
    repo.write("README.md", "infra\n");
    repo.commit(HUMAN, "Start");
    repo
}

fn ask(agent: &str, repo: &TestRepo, command: &str) -> (&'static str, Output) {
    let out = guard(&payload(agent, command, repo.path()), &[], repo.path());
    (taken(agent, &out), out)
}

fn message(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_destroy_is_denied_in_every_agents_own_terms() {
    let repo = repository();
    for agent in AGENTS {
        let (answer, out) = ask(agent, &repo, "terraform destroy -auto-approve");
        assert_eq!(answer, "deny", "{agent}: {}", message(&out));
        assert!(
            message(&out).contains("terraform-destroy"),
            "{agent}: {}",
            message(&out)
        );
        let (answer, out) = ask(agent, &repo, "ls -la && git status");
        assert_eq!(answer, "allow", "{agent}: {}", message(&out));
        assert_eq!(out.status.code(), Some(0), "{agent}");
    }
}

#[test]
fn a_saved_plan_is_judged_by_the_policy() {
    let repo = repository();
    for agent in AGENTS {
        let (answer, out) = ask(
            agent,
            &repo,
            "cd infra && terraform apply -auto-approve create.json",
        );
        assert_eq!(answer, "allow", "{agent}: {}", message(&out));
        let (answer, out) = ask(agent, &repo, "terraform -chdir=infra apply deletes.json");
        assert_eq!(answer, "deny", "{agent}: {}", message(&out));
        let text = message(&out);
        assert!(
            text.contains("agent-destroy") && text.contains("delete "),
            "{agent}: {text}"
        );
        let (answer, out) = ask(agent, &repo, "terraform apply -auto-approve");
        assert_eq!(answer, "deny", "{agent}: {}", message(&out));
        assert!(message(&out).contains("plan -out=tfplan"), "{agent}");
        // A plan that is not there is not a pass.
        let (answer, _) = ask(agent, &repo, "terraform apply infra/missing.tfplan");
        assert_eq!(answer, "deny", "{agent}");
    }
}

#[test]
fn held_commands_are_asked_about_where_the_policy_and_the_agent_allow() {
    let repo = repository();
    repo.write(".plangate.hcl", "guard {\n  held = \"ask\"\n}\n");
    // From the work tree, which the agent can write, a loosening is refused.
    for agent in AGENTS {
        let (answer, out) = ask(agent, &repo, "aws s3 rb s3://acme-logs --force");
        assert_eq!(answer, "deny", "{agent}: {}", message(&out));
        assert!(
            message(&out).contains("loosens the guard"),
            "{agent}: {}",
            message(&out)
        );
    }
    // From a revision the hook names, it counts.
    repo.commit(HUMAN, "Ask, do not deny");
    for (agent, expected) in [
        ("claude-code", "ask"),
        ("codex", "deny"), // Codex cannot ask: its `ask` would let the command run.
        ("gemini-cli", "ask"),
        ("cursor", "ask"),
    ] {
        let command = "aws s3 rb s3://acme-logs --force";
        let out = guard(
            &payload(agent, command, repo.path()),
            &["--config-ref", "HEAD"],
            repo.path(),
        );
        assert_eq!(taken(agent, &out), expected, "{agent}: {}", message(&out));
    }
}

#[test]
fn what_the_red_team_found_is_held() {
    let repo = repository();
    std::fs::copy(
        repo.file("infra/create.json"),
        repo.file("infra/good.tfplan"),
    )
    .unwrap();
    std::os::unix::fs::symlink("infra", repo.file("lnk")).unwrap();
    for command in [
        // The plan written on the same line after plangate read it.
        "terraform plan -destroy -out=infra/good.tfplan && terraform apply infra/good.tfplan",
        "cp infra/deletes.json infra/good.tfplan && terraform apply infra/good.tfplan",
        // Not a regular file: a directory (walked), /proc (never ends).
        "terraform apply /proc; terraform destroy -auto-approve",
        "terraform apply infra",
        // Directories only the shell knows.
        "cd -P lnk/.. && terraform apply good.tfplan",
        "cd ~ && terraform apply good.tfplan",
        "export CDPATH=/elsewhere; cd infra && terraform apply good.tfplan",
        // Options, clusters, names.
        "sudo -iu root terraform destroy",
        "env -vS 'terraform destroy'",
        "terragrunt --log-level debug destroy",
        "pulumi -v 9 destroy",
        "npx aws-cdk@latest destroy",
        "npm exec -- cdk destroy",
        "Terraform.exe destroy",
        // Filled in when it runs.
        "echo destroy | xargs terraform",
        "find destroy -maxdepth 0 -exec terraform {} \\;",
        // Shells reading their input, shells not listed, strings the shell runs.
        "sudo -s <<EOF\nterraform destroy\nEOF",
        "su -c 'terraform destroy'",
        "mksh -c 'terraform destroy'",
        "trap 'terraform destroy' EXIT",
        "PS4='$(terraform destroy)' bash -xc true",
        // Programs plangate does not follow.
        "ssh bastion terraform destroy -auto-approve",
        "docker run --rm hashicorp/terraform destroy",
        "git -c alias.x='!terraform destroy' x",
    ] {
        let (answer, out) = ask("claude-code", &repo, command);
        assert_eq!(answer, "deny", "{command}: {}", message(&out));
    }
    // A NUL byte, which a shell reading a pipe drops.
    let (answer, _) = ask("claude-code", &repo, "terra\u{0}form destroy");
    assert_eq!(answer, "deny");
    // What is plain still passes.
    for command in [
        "cd infra && terraform apply good.tfplan",
        "git status && ls infra",
    ] {
        let (answer, out) = ask("claude-code", &repo, command);
        assert_eq!(answer, "allow", "{command}: {}", message(&out));
    }
}

#[test]
fn every_error_of_its_own_blocks() {
    let repo = repository();
    for agent in AGENTS {
        for bad in ["", "{not json", "[1,2]"] {
            let out = guard(bad, &["--agent", agent], repo.path());
            assert_eq!(
                taken(agent, &out),
                "deny",
                "{agent} {bad:?}: {}",
                message(&out)
            );
            assert!(
                message(&out).contains("cannot read the hook's input"),
                "{agent}"
            );
        }
    }
    // An unknown agent and a payload that does not say: exit 2, which blocks
    // Claude Code, Codex and Gemini CLI alike.
    let out = guard("{}", &[], repo.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(!out.stderr.is_empty());
    // A configuration that does not read blocks too.
    repo.write(".plangate.hcl", "guard {\n  held = \"maybe\"\n}\n");
    for agent in AGENTS {
        let (answer, out) = ask(agent, &repo, "ls");
        assert_eq!(answer, "deny", "{agent}");
        assert!(
            message(&out).contains("configuration"),
            "{agent}: {}",
            message(&out)
        );
    }
}

#[test]
fn another_tool_is_not_the_guards() {
    let repo = repository();
    let edit = json!({
        "session_id": "abc", "cwd": repo.path(), "hook_event_name": "PreToolUse",
        "tool_name": "Edit", "tool_input": {"file_path": "main.tf"}
    })
    .to_string();
    let out = guard(&edit, &[], repo.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

/// The real terraform's binary plan, read through `terraform show -json`
/// as the guard would: a replace needs approval. Needs terraform 1.11 on
/// PATH (`.ci/run` has it); skipped with a note otherwise.
#[test]
fn a_binary_plan_is_read_with_the_real_terraform() {
    let version = Command::new("terraform").arg("version").output();
    if !version.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("v1.11")) {
        eprintln!("skipped: terraform 1.11 is not on PATH");
        return;
    }
    let repo = repository();
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/terraform");
    std::fs::copy(
        testdata.join("replace-cannot-update/tfplan"),
        repo.file("infra/tfplan"),
    )
    .unwrap();
    let (answer, out) = ask("claude-code", &repo, "cd infra && terraform apply tfplan");
    assert_eq!(answer, "deny", "{}", message(&out));
    assert!(message(&out).contains("replace "), "{}", message(&out));
}

#[test]
fn init_guard_merges_the_hook_into_the_agents_settings() {
    let repo = repository();
    std::fs::create_dir_all(repo.file(".claude")).unwrap();
    repo.write(
        ".claude/settings.json",
        r#"{"permissions": {"deny": ["Read(./.env)"]}}"#,
    );
    let init = |agent: &str| {
        Command::new(env!("CARGO_BIN_EXE_plangate"))
            .args(["init", "--guard", agent])
            .current_dir(repo.path())
            .output()
            .unwrap()
    };
    for agent in AGENTS {
        let out = init(agent);
        assert_eq!(out.status.code(), Some(0), "{agent}: {}", message(&out));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("added"),
            "{agent}"
        );
        // Twice is once.
        let again = init(agent);
        assert!(
            String::from_utf8_lossy(&again.stdout).contains("already runs"),
            "{agent}"
        );
    }
    let claude: Value =
        serde_json::from_str(&std::fs::read_to_string(repo.file(".claude/settings.json")).unwrap())
            .unwrap();
    assert_eq!(claude["permissions"]["deny"][0], "Read(./.env)");
    assert_eq!(
        claude["hooks"]["PreToolUse"][0]["hooks"][0]["command"],
        "plangate guard --agent claude-code"
    );
    for file in [
        ".codex/hooks.json",
        ".gemini/settings.json",
        ".cursor/hooks.json",
    ] {
        assert!(repo.file(file).exists(), "{file}");
    }
    // A settings file that is not JSON is not overwritten.
    repo.write(".cursor/hooks.json", "{ not json");
    let out = init("cursor");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(repo.file(".cursor/hooks.json")).unwrap(),
        "{ not json"
    );
}

/// An `aws` on PATH that answers `describe-change-set` as the AWS CLI does
/// (`--output json`, pages joined), from testdata/cloudformation, and logs
/// how it was called. The real CLI needs an account; what it prints is
/// modelled by those files (see their README).
fn fake_aws(dir: &Path, root: &str) -> Vec<(&'static str, String)> {
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/cloudformation");
    let script = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{log}'\ncase \"$*\" in\n  \
         *--change-set-name\\ missing*) echo 'An error occurred (ChangeSetNotFound) when \
         calling the DescribeChangeSet operation: ChangeSet [missing] does not exist' >&2; \
         exit 254;;\n  *Inner-TA7GZ10ZV08Q*) cat '{t}/nested/data-stack-inner.json';;\n  \
         *DataStack-433Z6JXO967G/*) cat '{t}/nested/data-stack.json';;\n  *) cat '{t}/{root}';;\n\
         esac\n",
        log = dir.join("aws.log").display(),
        t = testdata.display(),
    );
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let aws = bin.join("aws");
    std::fs::write(&aws, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&aws, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    vec![("PATH", path)]
}

#[test]
fn an_execute_of_a_change_set_is_judged_by_its_description() {
    let repo = repository();
    let tmp = tempfile::tempdir().unwrap();
    let execute = "aws --region us-east-1 cloudformation execute-change-set \
                   --change-set-name release-142 --stack-name shop-prod";
    let env = fake_aws(tmp.path(), "nested/root.json");
    let out = guard_with(
        &payload("claude-code", execute, repo.path()),
        &[],
        repo.path(),
        &env,
    );
    assert_eq!(taken("claude-code", &out), "deny", "{}", message(&out));
    let text = message(&out);
    // The nested stacks' change sets were described too: their deletes count.
    assert!(
        text.contains("the change set release-142 of stack shop-prod holds changes")
            && text.contains("DataStack/Inner/Db")
            && text.contains("DataStack/SessionsTable"),
        "{text}"
    );
    let log = std::fs::read_to_string(tmp.path().join("aws.log")).unwrap();
    let calls: Vec<&str> = log.lines().collect();
    assert_eq!(calls.len(), 3, "{log}");
    assert_eq!(
        calls[0],
        "--region us-east-1 cloudformation describe-change-set --change-set-name release-142 \
         --stack-name shop-prod --output json"
    );
    // A change set that cannot be described is not a pass.
    let out = guard_with(
        &payload(
            "codex",
            "aws cloudformation execute-change-set --change-set-name missing --stack-name shop-prod",
            repo.path(),
        ),
        &[],
        repo.path(),
        &env,
    );
    assert_eq!(taken("codex", &out), "deny", "{}", message(&out));
    assert!(
        message(&out).contains("ChangeSetNotFound"),
        "{}",
        message(&out)
    );
    // Nor is one the CLI printed only a page of.
    let env = fake_aws(tmp.path(), "next-token-alone.json");
    let out = guard_with(
        &payload(
            "cursor",
            "aws cloudformation execute-change-set --change-set-name x --stack-name shop-prod",
            repo.path(),
        ),
        &[],
        repo.path(),
        &env,
    );
    assert_eq!(taken("cursor", &out), "deny", "{}", message(&out));
    // Without the AWS CLI, the guard says what it needs.
    let out = guard_with(
        &payload("gemini-cli", execute, repo.path()),
        &[],
        repo.path(),
        &[("PATH", "/nonexistent".to_owned())],
    );
    assert_eq!(taken("gemini-cli", &out), "deny", "{}", message(&out));
    assert!(message(&out).contains("AWS CLI"), "{}", message(&out));
}

#[test]
fn an_exception_in_the_work_tree_is_a_loosening_the_guard_refuses() {
    let repo = repository();
    repo.write(
        ".plangate.hcl",
        "exception \"logs\" {\n  rule = \"agent-destroy\"\n  addresses = [\"aws_s3_bucket.logs\"]\n  reason = \"r\"\n  expires = \"2099-01-01\"\n}\n",
    );
    for agent in AGENTS {
        let (answer, out) = ask(agent, &repo, "terraform destroy -auto-approve");
        assert_eq!(answer, "deny", "{agent}: {}", message(&out));
        assert!(
            message(&out).contains("loosens the guard (an `exception`)"),
            "{agent}: {}",
            message(&out)
        );
    }
}
