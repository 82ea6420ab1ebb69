//! Commits as plangate reads them from `git log` (records of nine fields split
//! by `\x1f`, ended by `\x1e`: sha, parents, author, author e-mail, committer,
//! committer e-mail, signature code, trailers, message), then classified
//! against the built-in catalog. After a `\x1d`, the input holds git-ai notes
//! as `git log --notes` prints them (`sha\x1fnote\x1e`).
//!
//! Invariants: a record reads exactly when it has nine fields; an address
//! parsed from a trailer has a trimmed, lower-case, non-empty e-mail and reads
//! back the same from `Name <email>`; a co-author has a lower-case e-mail or,
//! named without one, a name that is not an address; a commit is `human` only
//! when no author, committer or co-author is a catalog agent or bot; adding an
//! agent co-author always makes it `agent`; every class comes with evidence.
#![no_main]

use std::collections::HashMap;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use plangate::classify::identity::{self, Address, Role};
use plangate::classify::{Catalog, Class, Kind, classify, co_authors};
use plangate::git::{Commit, parse_commit};
use plangate_fuzz::render;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::builtin().expect("the built-in catalog reads"))
}

fn check_address(value: &str) {
    let Some(a) = Address::parse(value) else {
        return;
    };
    assert!(!a.email.is_empty(), "{value:?} gave an empty e-mail");
    assert_eq!(a.email, a.email.trim(), "{value:?}");
    assert_eq!(a.email, a.email.to_lowercase(), "{value:?}");
    assert_eq!(a.name, a.name.trim(), "{value:?}");
    if a.github_id.is_some() {
        assert!(a.login.is_some() && a.email.ends_with("@users.noreply.github.com"));
    }
    let again = Address::parse(&format!("{} <{}>", a.name, a.email));
    assert_eq!(again.as_ref(), Some(&a), "{value:?} does not read back");
}

/// A catalog entry that makes a commit agent or bot (a review agent counts
/// only with `review_suggestions`, which the built-in catalog leaves off).
fn decisive(name: &str, email: &str, role: Role) -> Option<String> {
    let e = identity::find(catalog(), &Address::new(name, email), role)?;
    (e.kind == Kind::Bot || !e.review).then(|| e.name.clone())
}

fn check_commit(commit: &Commit) {
    let catalog = catalog();
    let c = classify(commit, catalog);
    assert!(!c.evidence.is_empty(), "a class without evidence: {c:?}");
    for (i, e) in c.evidence.iter().enumerate() {
        assert!(!c.evidence[..i].contains(e), "evidence repeated: {c:?}");
    }
    assert_eq!(
        c.agent().is_some(),
        c.class == Class::Agent && c.name.is_some()
    );
    assert_eq!(c.bot().is_some(), c.class == Class::Bot && c.name.is_some());
    let co = co_authors(commit);
    for (i, p) in co.iter().enumerate() {
        // A co-author named without an address is kept (approvals must know
        // of them) with an empty e-mail and a name that is not an address.
        match p.email.is_empty() {
            true => assert!(
                !p.name.trim().is_empty() && !p.name.contains(['<', '@']),
                "{p:?}"
            ),
            false => assert_eq!(p.email, p.email.trim().to_lowercase(), "{p:?}"),
        }
        assert!(!co[..i].contains(p), "co-author {p} twice");
    }
    if c.class == Class::Human {
        assert_eq!(c.name, None);
        let people = [
            (&commit.author, Role::Author),
            (&commit.committer, Role::Committer),
        ];
        for (p, role) in people {
            let hit = decisive(&p.name, &p.email, role);
            assert_eq!(hit, None, "{p} is in the catalog, yet the commit is human");
        }
        for p in &co {
            let hit = decisive(&p.name, &p.email, Role::CoAuthor);
            assert_eq!(
                hit, None,
                "co-author {p} is in the catalog, yet the commit is human"
            );
        }
    }
    // Any agent signal decides: a disclosed agent co-author cannot be outweighed.
    let mut disclosed = commit.clone();
    disclosed
        .message
        .push_str("\n\nCo-authored-by: Claude <noreply@anthropic.com>");
    assert_eq!(
        classify(&disclosed, catalog).class,
        Class::Agent,
        "an agent co-author did not make the commit agent: {disclosed:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (log, notes_text) = text.split_once('\x1d').unwrap_or((&text, ""));
    // As Git::ai_notes reads `git log --notes=refs/notes/ai --format=%H%x1f%N%x1e`.
    let notes: HashMap<String, String> = notes_text
        .split('\x1e')
        .filter_map(|r| {
            let (sha, note) = r.trim_start_matches('\n').split_once('\x1f')?;
            let note = note.trim();
            (!note.is_empty()).then(|| (sha.to_owned(), note.to_owned()))
        })
        .collect();
    // As Git::commits splits `git log` output.
    let records = log
        .split('\x1e')
        .map(|r| r.trim_start_matches('\n'))
        .filter(|r| !r.is_empty());
    for record in records.take(16) {
        let fields = record.split('\x1f').count();
        match parse_commit(record, &notes) {
            Err(e) => {
                assert!(fields < 9, "a record of {fields} fields refused: {e}");
                render(e);
            }
            Ok(commit) => {
                assert!(fields >= 9, "a record of {fields} fields read");
                assert_eq!(commit.message, commit.message.trim_end());
                assert_eq!(commit.ai_note.as_ref(), notes.get(&commit.sha));
                for (k, v) in &commit.trailers {
                    assert_eq!((k.trim(), v.trim()), (k.as_str(), v.as_str()));
                    check_address(v);
                }
                for line in commit.message.lines() {
                    check_address(line);
                }
                check_commit(&commit);
            }
        }
    }
});
