//! The agents' hook contracts: what each hands the guard on standard input,
//! and how each must be told allow, ask or deny. Pure.
//!
//! - Claude Code `PreToolUse` (tool `Bash`, `tool_input.command`): exit 2 with
//!   the reason on stderr blocks; `hookSpecificOutput.permissionDecision =
//!   "ask"` on stdout (exit 0) asks. Any other exit code lets the command run.
//!   <https://code.claude.com/docs/en/hooks>
//! - Codex `PreToolUse` (tool `Bash`, `tool_input.command`): exit 2 with a
//!   non-empty stderr blocks; `ask` is not supported (it fails open), so
//!   the guard denies instead. <https://developers.openai.com/codex/hooks>
//! - Gemini CLI `BeforeTool` (tool `run_shell_command`, `tool_input.command`):
//!   `{"decision": "deny" | "ask", "reason": …}` on stdout; JSON wins over the
//!   exit code, and exit 2 with text on stderr blocks too.
//!   <https://geminicli.com/docs/hooks/reference>
//! - Cursor `beforeShellExecution` (top-level `command`, `cwd`): `{"permission":
//!   "allow" | "deny" | "ask", "user_message", "agent_message"}` on stdout.
//!   <https://cursor.com/docs/agent/hooks>
//!
//! Every hook fails open on some exit code, so the guard answers every error
//! of its own (an unreadable payload, a bad configuration, a plan it cannot
//! read) with that agent's blocking answer.

use serde_json::{Value, json};

use crate::config::GuardAnswer;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agent {
    ClaudeCode,
    Codex,
    GeminiCli,
    Cursor,
}

impl Agent {
    pub const ALL: [Agent; 4] = [
        Agent::ClaudeCode,
        Agent::Codex,
        Agent::GeminiCli,
        Agent::Cursor,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Agent::ClaudeCode => "claude-code",
            Agent::Codex => "codex",
            Agent::GeminiCli => "gemini-cli",
            Agent::Cursor => "cursor",
        }
    }

    pub fn from_name(name: &str) -> Option<Agent> {
        Agent::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Can it ask its user (rather than only allow or deny)?
    fn asks(self) -> bool {
        self != Agent::Codex
    }
}

/// One hook call, as the guard needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub agent: Agent,
    /// The shell command, when the call is one (another tool's call is `None`:
    /// not the guard's to judge).
    pub command: Option<String>,
    /// The directory the command runs in, as the agent gives it.
    pub cwd: Option<String>,
}

/// Read a hook payload. `agent` is `--agent`; without it the agent is told
/// from the payload's shape.
pub fn read(payload: &str, agent: Option<Agent>) -> Result<Call, String> {
    let value: Value =
        serde_json::from_str(payload).map_err(|e| format!("the hook's input is not JSON ({e})"))?;
    if !value.is_object() {
        return Err("the hook's input is not a JSON object".into());
    }
    let event = value.get("hook_event_name").and_then(Value::as_str);
    let agent = match agent {
        Some(a) => a,
        None => match event {
            // Codex's payload names its turn and model; Claude Code's does not.
            Some("PreToolUse") if value.get("turn_id").is_some() => Agent::Codex,
            Some("PreToolUse") => Agent::ClaudeCode,
            Some("BeforeTool") => Agent::GeminiCli,
            Some("beforeShellExecution") => Agent::Cursor,
            Some(other) => {
                return Err(format!(
                    "the hook event `{other}` is not one the guard knows (PreToolUse, BeforeTool, \
                     beforeShellExecution); name the agent with --agent"
                ));
            }
            None => {
                return Err(
                    "the hook's input has no `hook_event_name`; name the agent with --agent".into(),
                );
            }
        },
    };
    let cwd = value.get("cwd").and_then(Value::as_str).map(str::to_owned);
    let string_at = |pointer: &str| -> Result<Option<String>, String> {
        match value.pointer(pointer) {
            Some(Value::String(s)) => Ok(Some(s.clone())),
            None | Some(Value::Null) => Ok(None),
            Some(_) => Err(format!("the hook's `{pointer}` is not a string")),
        }
    };
    let tool = value.get("tool_name").and_then(Value::as_str);
    let command = match agent {
        Agent::ClaudeCode | Agent::Codex => match tool {
            Some("Bash") => Some(
                string_at("/tool_input/command")?
                    .ok_or("a Bash call with no `tool_input.command`")?,
            ),
            Some(_) => None,
            None => return Err("the hook's input has no `tool_name`".into()),
        },
        Agent::GeminiCli => match tool {
            Some("run_shell_command") => Some(
                string_at("/tool_input/command")?
                    .ok_or("a run_shell_command call with no `tool_input.command`")?,
            ),
            Some(_) => None,
            None => return Err("the hook's input has no `tool_name`".into()),
        },
        Agent::Cursor => Some(string_at("/command")?.ok_or("the hook's input has no `command`")?),
    };
    Ok(Call {
        agent,
        command,
        cwd,
    })
}

/// What the guard writes and exits with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub stdout: String,
    pub stderr: String,
    pub exit: u8,
}

/// The agent's way of saying `answer`, with `message` for the agent (and
/// its user).
pub fn reply(agent: Option<Agent>, answer: GuardAnswer, message: &str) -> Reply {
    let answer = match (answer, agent) {
        (GuardAnswer::Ask, Some(a)) if a.asks() => GuardAnswer::Ask,
        // Where asking is not possible, a held command is denied.
        (GuardAnswer::Ask, _) => GuardAnswer::Deny,
        (other, _) => other,
    };
    let line = |v: Value| format!("{v}\n");
    match (agent, answer) {
        (_, GuardAnswer::Allow) => Reply {
            stdout: String::new(),
            stderr: String::new(),
            exit: 0,
        },
        (Some(Agent::ClaudeCode), GuardAnswer::Ask) => Reply {
            stdout: line(json!({"hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": "ask",
                "permissionDecisionReason": message,
            }})),
            stderr: String::new(),
            exit: 0,
        },
        (Some(Agent::GeminiCli), a) => Reply {
            stdout: line(json!({
                "decision": if a == GuardAnswer::Ask { "ask" } else { "deny" },
                "reason": message,
            })),
            stderr: if a == GuardAnswer::Deny {
                message.to_owned()
            } else {
                String::new()
            },
            exit: if a == GuardAnswer::Deny { 2 } else { 0 },
        },
        (Some(Agent::Cursor), a) => Reply {
            stdout: line(json!({
                "permission": if a == GuardAnswer::Ask { "ask" } else { "deny" },
                "user_message": message,
                "agent_message": message,
            })),
            stderr: String::new(),
            exit: 0,
        },
        // Claude Code, Codex, or an agent not known: exit 2 with the reason
        // on stderr blocks in Claude Code, Codex and Gemini CLI.
        _ => Reply {
            stdout: String::new(),
            stderr: if message.trim().is_empty() {
                "plangate guard denied this command".into()
            } else {
                message.to_owned()
            },
            exit: 2,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Payloads as each agent's hook documentation gives them (see the module docs).
    const CLAUDE: &str = r#"{"session_id":"abc123","transcript_path":"/p/s.jsonl","cwd":"/repo","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"terraform destroy","description":"Tear down","timeout":120000},"tool_use_id":"toolu_01ABC123"}"#;
    const CODEX: &str = r#"{"session_id":"t","turn_id":"turn-1","transcript_path":null,"cwd":"/repo","hook_event_name":"PreToolUse","model":"gpt-5","permission_mode":"default","tool_name":"Bash","tool_input":{"command":"terraform destroy"},"tool_use_id":"call_abc123"}"#;
    const GEMINI: &str = r#"{"session_id":"s","transcript_path":"/t.json","cwd":"/repo","hook_event_name":"BeforeTool","timestamp":"2026-08-21T16:16:56.000Z","tool_name":"run_shell_command","tool_input":{"command":"terraform destroy","is_background":false}}"#;
    const CURSOR: &str = r#"{"hook_event_name":"beforeShellExecution","conversation_id":"conv-123","generation_id":"gen-456","workspace_roots":["/repo"],"command":"terraform destroy","cwd":"/repo"}"#;

    #[test]
    fn each_agent_is_told_from_its_payload() {
        for (payload, agent) in [
            (CLAUDE, Agent::ClaudeCode),
            (CODEX, Agent::Codex),
            (GEMINI, Agent::GeminiCli),
            (CURSOR, Agent::Cursor),
        ] {
            let call = read(payload, None).unwrap();
            assert_eq!(call.agent, agent);
            assert_eq!(call.command.as_deref(), Some("terraform destroy"));
            assert_eq!(call.cwd.as_deref(), Some("/repo"));
        }
        // Another tool is not the guard's.
        let edit = CLAUDE.replace(r#""tool_name":"Bash""#, r#""tool_name":"Edit""#);
        assert_eq!(read(&edit, None).unwrap().command, None);
    }

    #[test]
    fn a_payload_that_does_not_read_is_an_error() {
        for bad in [
            "",
            "not json",
            "[]",
            r#"{"tool_name":"Bash"}"#,
            r#"{"hook_event_name":"Stop"}"#,
            &CLAUDE.replace(
                r#""command":"terraform destroy""#,
                r#""command":["terraform","destroy"]"#,
            ),
            &CLAUDE.replace(r#""command":"terraform destroy","#, ""),
        ] {
            assert!(read(bad, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn each_agent_is_answered_its_own_way() {
        let deny = |a| reply(Some(a), GuardAnswer::Deny, "held");
        for a in [Agent::ClaudeCode, Agent::Codex] {
            assert_eq!((deny(a).exit, deny(a).stderr.as_str()), (2, "held"));
        }
        let g = deny(Agent::GeminiCli);
        assert_eq!(g.exit, 2);
        assert_eq!(
            serde_json::from_str::<Value>(&g.stdout).unwrap()["decision"],
            "deny"
        );
        let c = deny(Agent::Cursor);
        assert_eq!(
            serde_json::from_str::<Value>(&c.stdout).unwrap()["permission"],
            "deny"
        );
        // Ask where the agent can; Codex cannot, so it is denied.
        let ask = reply(Some(Agent::ClaudeCode), GuardAnswer::Ask, "why");
        let v: Value = serde_json::from_str(&ask.stdout).unwrap();
        assert_eq!(v["hookSpecificOutput"]["permissionDecision"], "ask");
        assert_eq!(reply(Some(Agent::Codex), GuardAnswer::Ask, "why").exit, 2);
        // Unknown agent: exit 2 and a reason.
        let unknown = reply(None, GuardAnswer::Deny, "");
        assert_eq!(unknown.exit, 2);
        assert!(!unknown.stderr.is_empty());
        assert_eq!(
            reply(Some(Agent::Cursor), GuardAnswer::Allow, "").stdout,
            ""
        );
    }
}
