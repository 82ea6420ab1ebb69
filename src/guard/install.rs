//! `plangate init --guard AGENT`: the guard's hook in the agent's project
//! settings, merged into what the file already holds. Pure: the caller reads
//! and writes the file.

use serde_json::{Map, Value, json};

use super::hook::Agent;

/// Where the agent reads its project hooks, from the repository's root.
pub fn settings_file(agent: Agent) -> &'static str {
    match agent {
        Agent::ClaudeCode => ".claude/settings.json",
        Agent::Codex => ".codex/hooks.json",
        Agent::GeminiCli => ".gemini/settings.json",
        Agent::Cursor => ".cursor/hooks.json",
    }
}

/// The command the hook runs.
pub fn command(agent: Agent) -> String {
    format!("plangate guard --agent {}", agent.name())
}

/// `existing` (the file's text, if there is one) with the guard's hook added;
/// `None` when the hook is already there. A file that is not a JSON object
/// is an error: it is left as it is.
pub fn merge(agent: Agent, existing: Option<&str>) -> Result<Option<String>, String> {
    let mut root = match existing {
        Some(text) if !text.trim().is_empty() => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(o)) => o,
            Ok(_) => return Err("it is not a JSON object".into()),
            Err(e) => return Err(format!("it is not JSON ({e})")),
        },
        _ => Map::new(),
    };
    let command = command(agent);
    let (event, entry) = match agent {
        Agent::ClaudeCode => (
            "PreToolUse",
            json!({"matcher": "Bash", "hooks": [{"type": "command", "command": command, "timeout": 60}]}),
        ),
        Agent::Codex => (
            "PreToolUse",
            json!({"matcher": "^Bash$", "hooks": [{"type": "command", "command": command, "timeout": 60}]}),
        ),
        Agent::GeminiCli => (
            "BeforeTool",
            json!({"matcher": "run_shell_command", "hooks": [{"name": "plangate", "type": "command", "command": command, "timeout": 60000}]}),
        ),
        Agent::Cursor => (
            "beforeShellExecution",
            json!({"command": command, "timeout": 60}),
        ),
    };
    if agent == Agent::Cursor {
        root.entry("version").or_insert(json!(1));
    }
    let hooks = root
        .entry("hooks")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(hooks) = hooks else {
        return Err("its `hooks` is not an object".into());
    };
    let list = hooks
        .entry(event)
        .or_insert_with(|| Value::Array(Vec::new()));
    let Value::Array(list) = list else {
        return Err(format!("its `hooks.{event}` is not a list"));
    };
    if list.iter().any(|e| mentions(e, &command)) {
        return Ok(None);
    }
    list.push(entry);
    let mut text = serde_json::to_string_pretty(&Value::Object(root)).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(Some(text))
}

/// Does a hook entry already run the guard?
fn mentions(entry: &Value, command: &str) -> bool {
    match entry {
        Value::String(s) => s.contains(command),
        Value::Array(a) => a.iter().any(|v| mentions(v, command)),
        Value::Object(o) => o.values().any(|v| mentions(v, command)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hook_is_added_beside_what_is_there_and_only_once() {
        let existing = r#"{"permissions": {"allow": ["Bash(ls)"]}, "hooks": {"PreToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": "fmt"}]}]}}"#;
        let merged = merge(Agent::ClaudeCode, Some(existing)).unwrap().unwrap();
        let v: Value = serde_json::from_str(&merged).unwrap();
        assert_eq!(v["permissions"]["allow"][0], "Bash(ls)");
        let list = v["hooks"]["PreToolUse"].as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1]["matcher"], "Bash");
        assert_eq!(
            list[1]["hooks"][0]["command"],
            "plangate guard --agent claude-code"
        );
        assert_eq!(merge(Agent::ClaudeCode, Some(&merged)).unwrap(), None);
    }

    #[test]
    fn each_agent_gets_its_own_shape() {
        let get = |a| serde_json::from_str::<Value>(&merge(a, None).unwrap().unwrap()).unwrap();
        assert_eq!(
            get(Agent::Codex)["hooks"]["PreToolUse"][0]["matcher"],
            "^Bash$"
        );
        assert_eq!(
            get(Agent::GeminiCli)["hooks"]["BeforeTool"][0]["matcher"],
            "run_shell_command"
        );
        let cursor = get(Agent::Cursor);
        assert_eq!(cursor["version"], 1);
        assert_eq!(
            cursor["hooks"]["beforeShellExecution"][0]["command"],
            "plangate guard --agent cursor"
        );
        // Codex refuses unknown root keys: only `hooks` is written.
        assert_eq!(get(Agent::Codex).as_object().unwrap().len(), 1);
    }

    #[test]
    fn a_file_that_is_not_settings_is_left_alone() {
        for bad in [
            "[]",
            "{",
            r#"{"hooks": []}"#,
            r#"{"hooks": {"PreToolUse": {}}}"#,
        ] {
            assert!(merge(Agent::ClaudeCode, Some(bad)).is_err(), "{bad}");
        }
    }
}
