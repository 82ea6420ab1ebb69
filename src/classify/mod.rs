//! Who wrote a commit: an AI agent, a human, or non-AI automation (a bot), with
//! the evidence that decided it. A pure function of the commit and the catalog.
//!
//! Any agent signal makes a commit `agent`: an agent's identity as author,
//! committer or co-author, a tool footer or session line, a disclosure trailer
//! naming an AI, a git-ai note. Failing that, a bot identity makes it `bot`;
//! otherwise it is `human` ("no disclosed AI", not "proven human"). Commits a
//! message quotes (`git merge --squash`) are read the same way, and the
//! strongest class of the commit and those it quotes wins.

pub mod catalog;
// Public only for the fuzz targets (fuzz/commit_identity), not an API.
#[doc(hidden)]
pub mod identity;
pub mod pull;
mod quoted;

use serde::Serialize;

use catalog::Entry;
pub use catalog::{Catalog, Counted, Kind};
use identity::{Address, Role};

use crate::git::{Commit, Person, Signature};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Agent,
    Human,
    Bot,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Agent => "agent",
            Class::Human => "human",
            Class::Bot => "bot",
        }
    }
}

/// One signal found in a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub class: Class,
    /// The agent or bot it names, when it names one.
    pub who: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    pub class: Class,
    /// The agent or bot that decided the class, by its catalog name.
    pub name: Option<String>,
    pub evidence: Vec<String>,
    /// The class the commit's own marks give. A pull request's signal can
    /// make a commit agent-written; rules written for its own class still
    /// apply to it, so that the signal never loosens what a change needs.
    pub own: Class,
}

impl Classified {
    /// The agent's name, for an agent-written commit.
    pub fn agent(&self) -> Option<&str> {
        self.name.as_deref().filter(|_| self.class == Class::Agent)
    }

    /// The bot's name, for a bot-written commit.
    pub fn bot(&self) -> Option<&str> {
        self.name.as_deref().filter(|_| self.class == Class::Bot)
    }
}

/// Agent name used when a disclosure names an AI the catalog does not know.
const UNNAMED_AI: &str = "ai-assisted";

pub fn classify(commit: &Commit, catalog: &Catalog) -> Classified {
    let mut found: Vec<Evidence> = Vec::new();
    signals(
        &[
            (Role::Author, &commit.author),
            (Role::Committer, &commit.committer),
        ],
        &commit.message,
        &commit.trailers,
        catalog,
        0,
        &mut found,
    );
    if let Some(note) = &commit.ai_note
        && let Some(e) = ai_note(note)
    {
        found.push(e);
    }
    if catalog.settings.unverified == Counted::Agent && commit.signature != Signature::Good {
        found.push(Evidence {
            class: Class::Agent,
            who: None,
            text: format!(
                "{} (agents.unverified = \"agent\" counts every commit without a good signature)",
                match commit.signature {
                    Signature::None => "not signed",
                    _ => "signed, but not with a key git trusts here",
                }
            ),
        });
    }
    let decided = [Class::Agent, Class::Bot]
        .into_iter()
        .find(|c| found.iter().any(|e| e.class == *c));
    match decided {
        Some(class) => {
            let mut evidence: Vec<String> = Vec::new();
            for e in found.iter().filter(|e| e.class == class) {
                if !evidence.contains(&e.text) {
                    evidence.push(e.text.clone());
                }
            }
            Classified {
                class,
                own: class,
                name: found
                    .iter()
                    .filter(|e| e.class == class)
                    .find_map(|e| e.who.clone()),
                evidence,
            }
        }
        None => Classified {
            class: Class::Human,
            own: Class::Human,
            name: None,
            evidence: vec![human_evidence(commit)],
        },
    }
}

fn human_evidence(commit: &Commit) -> String {
    let mut text = format!("no agent or bot signal; author {}", commit.author);
    if commit.author != commit.committer {
        text.push_str(&format!(", committer {}", commit.committer));
    }
    let mut authors: Vec<String> = Vec::new();
    for q in quoted::split(&commit.message, 0).quoted {
        let author = q.author.to_string();
        if !authors.contains(&author) {
            authors.push(author);
        }
    }
    if !authors.is_empty() {
        text.push_str(&format!("; squashed commits by {}", authors.join(", ")));
    }
    text
}

/// The signals of one commit, or of a commit quoted `depth` levels deep: its
/// people, its own message lines, and those of the commits it quotes, whose
/// evidence names the quoted commit.
fn signals(
    who: &[(Role, &Person)],
    message: &str,
    git_trailers: &[(String, String)],
    catalog: &Catalog,
    depth: usize,
    found: &mut Vec<Evidence>,
) {
    people(who, catalog, found);
    let split = quoted::split(message, depth);
    trailers(trailer_lines(&split.own, git_trailers), catalog, found);
    lines(&split.own, catalog, found);
    for q in &split.quoted {
        let mut inner = Vec::new();
        // git's trailer parse adds nothing here: every trailer-shaped line of
        // the quoted message is read anyway, and `git log` does not fold them.
        signals(
            &[(Role::Author, &q.author)],
            &q.message,
            &[],
            catalog,
            depth + 1,
            &mut inner,
        );
        found.extend(inner.into_iter().map(|e| Evidence {
            text: format!("squashed commit {}: {}", q.short(), e.text),
            ..e
        }));
    }
}

fn entry_evidence(entry: &Entry, review_counts: bool, text: String) -> Option<Evidence> {
    let class = match entry.kind {
        Kind::Bot => Class::Bot,
        Kind::Agent if entry.review && !review_counts => return None,
        Kind::Agent => Class::Agent,
    };
    Some(Evidence {
        class,
        who: Some(entry.name.clone()),
        text,
    })
}

fn describe(entry: &Entry) -> String {
    match (entry.kind, entry.review) {
        (Kind::Bot, _) => format!("{} (automation, not AI)", entry.name),
        (Kind::Agent, true) => format!("{} (an applied AI review suggestion)", entry.name),
        (Kind::Agent, false) => entry.name.clone(),
    }
}

/// The author and the committer (only the author, of a quoted commit).
fn people(who: &[(Role, &Person)], catalog: &Catalog, found: &mut Vec<Evidence>) {
    for &(role, person) in who {
        let address = Address::new(&person.name, &person.email);
        if let Some(entry) = identity::find(catalog, &address, role) {
            let text = format!("{} {person} is {}", role.as_str(), describe(entry));
            found.extend(entry_evidence(
                entry,
                catalog.settings.review_suggestions,
                text,
            ));
        } else if catalog.settings.unknown_automation == Counted::Agent
            && let Some(shape) = address.automation()
        {
            found.push(unknown_automation(
                format!("{} {person}", role.as_str()),
                &shape,
            ));
        }
        if let Some(glob) = configured_email(catalog, &person.email) {
            found.push(Evidence {
                class: Class::Agent,
                who: None,
                text: format!(
                    "{} e-mail {} matches agents.author_emails \"{glob}\"",
                    role.as_str(),
                    person.email
                ),
            });
        }
    }
}

/// Automation the catalog does not list as non-AI counts as an agent: a
/// catalog can never name every tool, so the default must not depend on it.
fn unknown_automation(who: String, shape: &str) -> Evidence {
    Evidence {
        class: Class::Agent,
        who: None,
        text: format!(
            "{who} is automation not known to be non-AI ({shape}; list it as a `bot` in \
             .plangate.hcl if it is not AI, or set agents.unknown_automation = \"human\")"
        ),
    }
}

fn configured_email(catalog: &Catalog, email: &str) -> Option<String> {
    let set = catalog.settings.emails.as_ref()?;
    let hit = set.matches(email.to_lowercase()).into_iter().next()?;
    catalog.settings.email_globs.get(hit).cloned()
}

/// Trailer-shaped lines: git's trailers of the last paragraph, and the same
/// keys anywhere in the body, indented or not, because squash merges, merge
/// shortlogs and reverts stack trailers mid-message.
fn trailer_lines(message: &str, git_trailers: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = git_trailers.to_vec();
    for line in message.lines().skip(1).map(str::trim_start) {
        if let Some((k, v)) = line.split_once(':')
            && let k = trailer_key(k)
            && !k.is_empty()
            && k.len() <= 40
            && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            let pair = (k, v.trim().to_owned());
            if !out
                .iter()
                .any(|(a, b)| a.eq_ignore_ascii_case(&pair.0) && *b == pair.1)
            {
                out.push(pair);
            }
        }
    }
    out
}

/// A trailer key as written loosely: `Co-Authored-By `, `co-authored by`
/// (space for hyphen), `Co-authored-by` are one key. A space before the colon
/// or inside the key is tolerated only between word characters.
fn trailer_key(k: &str) -> String {
    let k = k.trim();
    if k.split_whitespace().count() > 3 {
        return String::new();
    }
    k.split_whitespace().collect::<Vec<_>>().join("-")
}

fn trailers(pairs: Vec<(String, String)>, catalog: &Catalog, found: &mut Vec<Evidence>) {
    for (key, value) in pairs {
        let lower = key.to_lowercase();
        let line = format!("{key}: {value}");
        if catalog.settings.trailers.contains(&lower) {
            found.push(Evidence {
                class: Class::Agent,
                who: None,
                text: format!("trailer \"{line}\" (agents.trailers)"),
            });
        }
        let disclosure = catalog.disclosure_trailers.contains(&lower);
        if lower != "co-authored-by" && !disclosure {
            continue;
        }
        // A co-author (or a disclosure with an address) is matched as a person.
        if let Some(address) = Address::parse(&value)
            && let Some(entry) = identity::find(catalog, &address, Role::CoAuthor)
        {
            let text = format!("trailer \"{line}\" names {}", describe(entry));
            found.extend(entry_evidence(
                entry,
                catalog.settings.review_suggestions,
                text,
            ));
            continue;
        }
        if lower == "co-authored-by"
            && let Some(address) = Address::parse(&value)
            && let Some(glob) = configured_email(catalog, &address.email)
        {
            found.push(Evidence {
                class: Class::Agent,
                who: None,
                text: format!("trailer \"{line}\": e-mail matches agents.author_emails \"{glob}\""),
            });
            continue;
        }
        // A tool's name of two words or more ("AI Assistant", "Claude Code")
        // with an address the catalog does not know: no person is called that
        // (one word, "Claude", may be a person's first name).
        if lower == "co-authored-by"
            && let Some(address) = Address::parse(&value)
            && words(&address.name).len() >= 2
            && let Some(who) = ai_named(catalog, &words(&address.name))
        {
            found.push(Evidence {
                class: Class::Agent,
                who: Some(who.clone()),
                text: format!(
                    "trailer \"{line}\" names {who} (a tool's name, at an address the catalog does not list)"
                ),
            });
            continue;
        }
        if lower == "co-authored-by"
            && catalog.settings.unknown_automation == Counted::Agent
            && let Some(address) = Address::parse(&value)
            && let Some(shape) = address.automation()
        {
            found.push(unknown_automation(format!("co-author \"{value}\""), &shape));
            continue;
        }
        // A person who co-authors gives an address; a name alone that is an
        // agent's or a model's is how people credit a tool.
        if lower == "co-authored-by"
            && let Some(name) = Address::name_only(&value)
            && let Some(who) = ai_named(catalog, &words(&name))
        {
            found.push(Evidence {
                class: Class::Agent,
                who: Some(who.clone()),
                text: format!(
                    "trailer \"{line}\" names {who} (a name without an address: a tool's, not a person's)"
                ),
            });
            continue;
        }
        if disclosure && let Some(who) = named_ai(catalog, &value) {
            found.push(Evidence {
                class: Class::Agent,
                who: Some(who.clone()),
                text: format!("trailer \"{line}\" discloses AI help ({who})"),
            });
        }
    }
}

/// The people named in a commit's `Co-authored-by` lines (trailers, or lines of
/// the body, where squash merges stack them), and the authors and co-authors
/// of the commits it quotes, who wrote part of it too.
pub fn co_authors(commit: &Commit) -> Vec<Person> {
    let split = quoted::split(&commit.message, 0);
    let mut out: Vec<Person> = Vec::new();
    let author = lower(&commit.author);
    let quoted = split.quoted.iter().flat_map(|q| q.people(1));
    // Who squashed their own commits is their author, not a co-author.
    let from_quotes = quoted.filter(|p| *p != author);
    for p in trailer_co_authors(&split.own, &commit.trailers)
        .into_iter()
        .chain(from_quotes)
    {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// A person as co-author lists compare them: the address in lower case.
fn lower(p: &Person) -> Person {
    let a = Address::new(&p.name, &p.email);
    Person {
        name: a.name,
        email: a.email,
    }
}

fn trailer_co_authors(message: &str, git_trailers: &[(String, String)]) -> Vec<Person> {
    trailer_lines(message, git_trailers)
        .into_iter()
        .filter(|(key, _)| key.eq_ignore_ascii_case("co-authored-by"))
        .filter_map(|(_, value)| match Address::parse(&value) {
            Some(a) => Some(Person {
                name: a.name,
                email: a.email,
            }),
            // Named without an address: still someone approvals must know of.
            None => Address::name_only(&value).map(|name| Person {
                name,
                email: String::new(),
            }),
        })
        .collect()
}

/// Is this name and address an agent or bot of the catalog (or, with no
/// address, a tool's name)?
pub fn is_catalog_identity(catalog: &Catalog, name: &str, email: &str) -> bool {
    let address = Address::new(name, email);
    identity::find(catalog, &address, identity::Role::CoAuthor).is_some()
        || address.automation().is_some()
        || (email.trim().is_empty() && ai_named(catalog, &words(name)).is_some())
}

/// The lower-case words of a name or sentence, split at anything but letters and digits.
fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The agent a name is, when the name is a tool's: every word is a catalog
/// agent's word, a model word, a `prose.words` word (`code`, `github`,
/// `cli`…) or a version (`4`, `1m`, `o3`), and one is an agent's or a model's.
/// "Claude Opus 4.6 (1M context)", "GitHub Copilot" and "OpenHands-GPT-5" are
/// tools; "Claude Monet" and "Devin Smith" are people.
fn ai_named(catalog: &Catalog, words: &[String]) -> Option<String> {
    if words.is_empty() || !words.iter().all(|w| is_tool_word(catalog, w)) {
        return None;
    }
    let agent = words.iter().find_map(|w| {
        catalog
            .entries
            .iter()
            .filter(|e| e.kind == Kind::Agent && !e.review)
            .find(|e| e.names.contains(w))
    });
    // "AI" names no tool but is no person's name either ("AI Assistant").
    let model = words
        .iter()
        .any(|w| catalog.disclosure_names.contains(w) || w == "ai");
    match agent {
        Some(e) => Some(e.name.clone()),
        None => model.then(|| UNNAMED_AI.to_owned()),
    }
}

fn is_tool_word(catalog: &Catalog, w: &str) -> bool {
    let version = w.len() <= 4 && w.bytes().any(|b| b.is_ascii_digit());
    version
        || w.bytes().all(|b| b.is_ascii_digit())
        || catalog.name_words.iter().any(|n| n == w)
        || catalog.disclosure_names.iter().any(|n| n == w)
        || catalog
            .entries
            .iter()
            .any(|e| e.kind == Kind::Agent && e.names.iter().any(|n| n == w))
}

/// A sentence that claims an AI tool wrote the change: a `prose.claims`
/// opening at the start of a line, then a tool's name, and nothing after the
/// name but the end of the sentence or a joining word. A line that only
/// mentions a tool ("Fix Claude Code hook parsing", "address Copilot review
/// comments") makes no claim.
fn prose_claim(catalog: &Catalog, line: &str) -> Option<String> {
    let line = line.trim_start_matches(|c: char| !c.is_alphanumeric());
    let claim = catalog.claims.iter().find_map(|re| re.find(line))?;
    let rest = line[claim.end()..].trim_start_matches(|c: char| "[*_`\"'".contains(c));
    let rest = rest
        .strip_prefix("the ")
        .or_else(|| rest.strip_prefix("The "))
        .unwrap_or(rest);
    // The name runs to the first mark that ends it.
    let end = rest
        .find(|c: char| ",;:!?()[]<>\"`*".contains(c))
        .unwrap_or(rest.len());
    let mut phrase = &rest[..end];
    // A full stop ends it too, but not inside a version ("4.6").
    if let Some(i) = phrase.find(". ") {
        phrase = &phrase[..i];
    }
    let phrase = phrase.trim_end_matches('.');
    const JOINS: &[&str] = &[
        "and", "to", "for", "in", "on", "with", "from", "at", "which", "that", "as", "under", "&",
        "via", "using", "while", "after", "before", "then",
    ];
    let all = words(phrase);
    let name: Vec<String> = all
        .iter()
        .take_while(|w| !JOINS.contains(&w.as_str()))
        .cloned()
        .collect();
    ai_named(catalog, &name)
}

/// The agent a disclosure value names: a catalog agent's word, else a model word.
fn named_ai(catalog: &Catalog, value: &str) -> Option<String> {
    let words: Vec<String> = value
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    let names = |w: &String, n: &String| w.starts_with(n.as_str());
    for entry in catalog.entries.iter().filter(|e| e.kind == Kind::Agent) {
        if words
            .iter()
            .any(|w| entry.names.iter().any(|n| names(w, n)))
        {
            return Some(entry.name.clone());
        }
    }
    words
        .iter()
        .any(|w| catalog.disclosure_names.iter().any(|n| names(w, n)))
        .then(|| UNNAMED_AI.to_owned())
}

/// Footers, session links and subject markers.
fn lines(message: &str, catalog: &Catalog, found: &mut Vec<Evidence>) {
    let subject = message.lines().next().unwrap_or("");
    for entry in &catalog.entries {
        if let Some(p) = entry.subjects.iter().find(|p| p.is_match(subject)) {
            let text = format!(
                "subject \"{subject}\" matches {}'s marker /{p}/",
                entry.name
            );
            found.extend(entry_evidence(
                entry,
                catalog.settings.review_suggestions,
                text,
            ));
        }
        for line in message.lines().map(str::trim) {
            if entry.patterns.iter().any(|p| p.is_match(line)) {
                let text = format!("message line \"{line}\" is {}'s marker", entry.name);
                found.extend(entry_evidence(
                    entry,
                    catalog.settings.review_suggestions,
                    text,
                ));
            }
        }
    }
    for line in message.lines().map(str::trim) {
        let marker = catalog
            .entries
            .iter()
            .any(|e| e.patterns.iter().any(|p| p.is_match(line)));
        if !marker
            && catalog.settings.prose
            && let Some(who) = prose_claim(catalog, line)
        {
            found.push(Evidence {
                class: Class::Agent,
                who: Some(who.clone()),
                text: format!("message line \"{line}\" says {who} wrote it"),
            });
        }
    }
    for line in message.lines().map(str::trim) {
        if let Some(p) = catalog.settings.patterns.iter().find(|p| p.is_match(line)) {
            found.push(Evidence {
                class: Class::Agent,
                who: None,
                text: format!("message line \"{line}\" matches agents.patterns /{p}/"),
            });
        }
    }
}

/// A git-ai authorship note (standard v3): an attestation section, `---`, then
/// JSON metadata. It records AI work when it lists AI sessions or prompts.
fn ai_note(note: &str) -> Option<Evidence> {
    let (attestation, metadata) = note.split_once("\n---").unwrap_or((note, ""));
    let meta: serde_json::Value = serde_json::from_str(metadata.trim()).unwrap_or_default();
    let tool = ["prompts", "sessions"].iter().find_map(|k| {
        let map = meta.get(k)?.as_object()?;
        map.values()
            .find_map(|p| {
                p.pointer("/agent_id/tool")
                    .and_then(|t| t.as_str())
                    .map(str::to_owned)
            })
            .or_else(|| (!map.is_empty()).then(String::new))
    });
    // Attestation keys: `s_…::t_…` (AI session and trace) or a bare 16-hex
    // legacy prompt id mark AI lines; `h_…` marks a known human.
    let ai_lines = attestation.lines().any(|l| {
        let key = l.split_whitespace().next().unwrap_or("");
        l.starts_with("  ")
            && (key.starts_with("s_")
                || (key.len() == 16 && key.bytes().all(|b| b.is_ascii_hexdigit())))
    });
    if tool.is_none() && !ai_lines {
        return None;
    }
    let tool = tool.filter(|t| !t.is_empty());
    Some(Evidence {
        class: Class::Agent,
        who: tool.clone(),
        text: format!(
            "git-ai note (refs/notes/ai) records AI-written lines{}",
            tool.map(|t| format!(" by {t}")).unwrap_or_default()
        ),
    })
}

#[cfg(test)]
mod tests;
