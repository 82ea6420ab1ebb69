//! A hook payload's shell command through the agent guard: `plangate::guard`'s
//! shell parser and decision, as `plangate guard` runs them.
//!
//! Invariants: parsing and deciding never panic and end; a decision that is
//! not `allow` always says why; whatever the parser cannot see through is
//! never allowed by the default policy; the same command always gets the
//! same decision.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plangate::config::{GuardAnswer, GuardSettings};
use plangate::guard::{commands, decide, shell};

fuzz_target!(|data: &[u8]| {
    let command = String::from_utf8_lossy(data);
    let parsed = shell::parse(&command);
    let settings = GuardSettings::default();
    // Every saved plan and change set needs approval here: nothing the
    // command applies is allowed.
    let mut judge = |_: decide::Target<'_>| Ok(vec!["delete x (rule)".to_owned()]);
    let d = decide::decide(&command, ".", &settings, commands::builtin(), &mut judge);
    assert_eq!(d.answer == GuardAnswer::Allow, d.reasons.is_empty(), "{d:?}");
    if !parsed.unresolved.is_empty() {
        assert_eq!(d.answer, GuardAnswer::Deny, "unseen, yet {d:?}");
    }
    let again = decide::decide(&command, ".", &settings, commands::builtin(), &mut judge);
    assert_eq!(d, again);
});
