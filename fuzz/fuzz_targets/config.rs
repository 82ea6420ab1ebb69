//! A repository's `.plangate.hcl` through `plangate::config::parse`.
//!
//! Invariants: a configuration that reads keeps every built-in rule, as a rule
//! or as a recorded `disabled` override, and never loosens one silently; rule
//! ids are unique; every problem names the file at a line and column inside it,
//! problems come in file order, and each renders with its source excerpt.
#![no_main]

use std::collections::HashSet;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use plangate::config::hcl::{ConfigError, SourceFile};
use plangate::config::{self, Config};
use plangate_fuzz::render;

const NAME: &str = ".plangate.hcl";

fn builtin() -> &'static Config {
    static BUILTIN: OnceLock<Config> = OnceLock::new();
    BUILTIN.get_or_init(|| config::builtin().expect("the built-in configuration reads"))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let lines = text.split('\n').count();
    match config::parse(SourceFile::new(NAME, text.clone())) {
        Ok(config) => {
            assert_eq!(config.source.as_deref(), Some(NAME));
            let policy = &config.policy;
            let mut ids = HashSet::new();
            for rule in &policy.rules {
                assert!(!rule.id.is_empty(), "a rule without an id");
                assert!(ids.insert(rule.id.as_str()), "rule {} twice", rule.id);
                if rule.origin.file == NAME {
                    assert!((1..=lines).contains(&rule.origin.line), "{}", rule.origin);
                }
            }
            for b in &builtin().policy.rules {
                let disabled = policy.disabled.iter().any(|o| o.rule == b.id);
                match policy.rule(&b.id) {
                    None => assert!(disabled, "built-in rule {} vanished", b.id),
                    Some(r) => {
                        assert!(!disabled, "rule {} both kept and disabled", b.id);
                        if r.approvals() < b.approvals()
                            || r.severity < b.severity
                            || r.matcher != b.matcher
                        {
                            assert!(r.overrides.is_some(), "rule {} loosened silently", b.id);
                        }
                    }
                }
            }
        }
        Err(errors) => {
            assert_eq!(errors.file, NAME);
            assert!(!errors.errors.is_empty(), "refused without a reason");
            let mut last = (0, 0);
            for e in &errors.errors {
                let (ConfigError::Syntax {
                    line, col, span, ..
                }
                | ConfigError::Invalid {
                    line, col, span, ..
                }) = e;
                assert!((1..=lines).contains(line), "line {line} of {lines}: {e}");
                assert!(*col >= 1, "column {col}: {e}");
                assert!(span.offset() <= text.len(), "a span past the end: {e}");
                assert!((*line, *col) >= last, "problems out of order");
                last = (*line, *col);
            }
            let rendered = render(errors);
            assert!(rendered.contains(NAME));
        }
    }
});
