//! Terraform / OpenTofu binary plan files (`plan -out=FILE`), read through the
//! tool's own `show -json`: the file's inner format is internal to each tool and
//! version, so the tool is the only faithful reader.

use std::io::Cursor;
use std::path::Path;
use std::process::Command;

use super::error::ReadError;

/// Programs tried in order; a plan that one cannot read may be the other's.
const TOOLS: &[&str] = &["terraform", "tofu"];

/// Is this zip archive a Terraform plan (it holds a `tfplan` entry)?
pub fn is_plan_zip(bytes: &[u8]) -> Result<bool, String> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    Ok(archive.file_names().any(|n| n.is_ok_and(|n| n == "tfplan")))
}

/// `terraform show -json FILE` (or `tofu`), run in the plan's directory, where
/// `init` ran and the providers its schemas come from are installed.
pub fn show_json(path: &Path, display: &str) -> Result<Vec<u8>, ReadError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file = path.file_name().map_or(path.as_os_str(), |f| f);
    let mut failure = None;
    for tool in TOOLS {
        let output = match Command::new(tool)
            .args(["show", "-json", "-no-color"])
            .arg(file)
            .current_dir(dir)
            .env("TF_IN_AUTOMATION", "1")
            .output()
        {
            Ok(output) => output,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(ReadError::PlanToolFailed {
                    path: display.to_owned(),
                    tool: (*tool).to_owned(),
                    status: e.to_string(),
                    stderr: String::new(),
                });
            }
        };
        if output.status.success() {
            return Ok(output.stdout);
        }
        failure = Some(ReadError::PlanToolFailed {
            path: display.to_owned(),
            tool: (*tool).to_owned(),
            status: output.status.to_string(),
            stderr: last_lines(&output.stderr),
        });
    }
    Err(failure.unwrap_or(ReadError::NoPlanTool {
        path: display.to_owned(),
    }))
}

/// The tail of a tool's error output, trimmed of Terraform's box drawing.
fn last_lines(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.trim_start_matches(['│', '╷', '╵', ' ']).trim())
        .filter(|l| !l.is_empty())
        .collect();
    let tail = &lines[lines.len().saturating_sub(6)..];
    tail.join(" ")
}
