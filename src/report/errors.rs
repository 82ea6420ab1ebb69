//! What a machine-read output holds when plangate could not decide (exit 2):
//! the problems, each with its code, message and help, in the output's own
//! kind of document.

use serde::Serialize;
use serde_json::json;

use super::junit::escape;

/// One problem that kept plangate from deciding.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub code: Option<String>,
    pub message: String,
    pub help: Option<String>,
}

impl Problem {
    fn text(&self) -> String {
        match &self.help {
            Some(help) => format!("{}\nhelp: {help}", self.message),
            None => self.message.clone(),
        }
    }
}

/// `{"version": 1, "result": "error", "errors": […]}`, in that order (as the
/// other documents begin), which `json!`'s sorted keys would not keep.
pub fn json(errors: &[Problem]) -> String {
    #[derive(Serialize)]
    struct Document<'a> {
        version: u32,
        result: &'static str,
        errors: &'a [Problem],
    }
    let doc = Document {
        version: 1,
        result: "error",
        errors,
    };
    format!("{}\n", serde_json::to_string(&doc).unwrap_or_default())
}

/// One test case in error per problem.
pub fn junit(errors: &[Problem]) -> String {
    let n = errors.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"plangate\" tests=\"{n}\" failures=\"0\" errors=\"{n}\">\n  \
         <testsuite name=\"plangate\" tests=\"{n}\" failures=\"0\" errors=\"{n}\" skipped=\"0\">\n"
    ));
    for e in errors {
        let code = e.code.as_deref().unwrap_or("plangate::error");
        out.push_str(&format!(
            "    <testcase classname=\"plangate\" name=\"plangate could not decide: {}\">\n      \
             <error type=\"{}\" message=\"{}\">{}</error>\n    </testcase>\n",
            escape(code),
            escape(code),
            escape(&e.message),
            escape(&e.text())
        ));
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// One blocker issue per problem, on the repository's configuration file
/// (a Code Quality issue needs a path; the problem has none of its own).
pub fn codequality(errors: &[Problem]) -> String {
    let issues: Vec<serde_json::Value> = errors
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let code = e.code.as_deref().unwrap_or("plangate::error");
            json!({
                "type": "issue",
                "check_name": code,
                "description": format!("plangate could not decide: {}", e.text()),
                "categories": ["Security"],
                "severity": "blocker",
                "fingerprint": format!("plangate-error-{i}-{code}"),
                "location": { "path": ".plangate.hcl", "lines": { "begin": 1 } },
            })
        })
        .collect();
    format!("{}\n", serde_json::Value::Array(issues))
}

/// A SARIF log with one run, no results, and the problems as the tool
/// execution notifications of a failed invocation (exit code 2): code
/// scanning shows a run that could not decide, never an empty clean one.
pub fn sarif(errors: &[Problem]) -> String {
    let notifications: Vec<serde_json::Value> = errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": { "text": e.text() },
                "descriptor": { "id": e.code.as_deref().unwrap_or("plangate::error") },
            })
        })
        .collect();
    let doc = super::sarif::log(json!({
        "tool": { "driver": {
            "name": "plangate",
            "version": env!("CARGO_PKG_VERSION"),
        }},
        "invocations": [{
            "executionSuccessful": false,
            "exitCode": 2,
            "toolExecutionNotifications": notifications,
        }],
        "results": [],
    }));
    format!("{doc}\n")
}
