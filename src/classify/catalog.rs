//! The catalog of agents and bots: `rules/agents.hcl`, compiled in, plus the
//! `agent`, `bot` and `agents` blocks of a repository's `.plangate.hcl`.

use globset::{Glob, GlobSet, GlobSetBuilder};
use hcl_edit::Span;
use hcl_edit::structure::Block;
use regex::Regex;

use crate::hcl::{ConfigErrors, Fields, Reader, SourceFile};

/// The built-in catalog's text.
pub const BUILTIN: &str = include_str!("../../rules/agents.hcl");
pub const BUILTIN_NAME: &str = "rules/agents.hcl";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Agent,
    Bot,
}

/// One way an agent or bot commits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub email: Option<String>,
    pub github_id: Option<u64>,
    pub login: Option<String>,
    /// Narrows the fields above; never matches alone.
    pub name: Option<String>,
    /// A suffix of the author's name (never the committer's).
    pub author_suffix: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    pub kind: Kind,
    pub description: String,
    /// An AI review bot whose suggestions a person applied.
    pub review: bool,
    pub identities: Vec<Identity>,
    pub patterns: Vec<Regex>,
    pub subjects: Vec<Regex>,
    /// Lower-case words that name it in a disclosure trailer.
    pub names: Vec<String>,
    /// Lower-case GitHub logins of its accounts: the pull requests it opens,
    /// the reviews it leaves. Never matched against commit addresses (`Copilot`
    /// is the login of several Copilot products' addresses).
    pub logins: Vec<String>,
    /// Head-branch prefixes of the pull requests it opens (`codex/`).
    pub branches: Vec<String>,
    /// Links to its sessions in a pull request's body.
    pub pr_links: Vec<Regex>,
    /// Where it was defined (`rules/agents.hcl` or a `.plangate.hcl`).
    pub origin: String,
}

/// How commits with no signal of their own are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    Human,
    Agent,
}

/// The settings of `agents { … }` in `.plangate.hcl`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Globs over author, committer and co-author e-mails that mean an agent.
    pub emails: Option<GlobSet>,
    pub email_globs: Vec<String>,
    /// Trailer keys (lower case) whose presence means an agent.
    pub trailers: Vec<String>,
    /// Message-line patterns that mean an agent.
    pub patterns: Vec<Regex>,
    /// How a commit without a good signature counts.
    pub unverified: Counted,
    /// Whether applied AI review suggestions count as agent-written.
    pub review_suggestions: bool,
    /// How a change whose commits cannot be found counts.
    pub unknown: Counted,
    /// Whether prose claims ("Developed with assistance from Claude Code") count.
    pub prose: bool,
    /// How automation the catalog does not list (a `[bot]` account, a
    /// no-reply address) counts.
    pub unknown_automation: Counted,
    /// Pull-request signals: its author is an agent's account, its head
    /// branch has an agent's prefix, its body links an agent's session.
    pub pull_request_author: bool,
    pub pull_request_branch: bool,
    pub pull_request_links: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            emails: None,
            email_globs: Vec::new(),
            trailers: Vec::new(),
            patterns: Vec::new(),
            unverified: Counted::Human,
            review_suggestions: true,
            unknown: Counted::Agent,
            prose: true,
            unknown_automation: Counted::Agent,
            pull_request_author: true,
            pull_request_branch: true,
            pull_request_links: true,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Catalog {
    pub entries: Vec<Entry>,
    /// Trailer keys (lower case) in which people disclose AI help.
    pub disclosure_trailers: Vec<String>,
    /// Model words (lower case) that make a disclosure count.
    pub disclosure_names: Vec<String>,
    /// Sentence openings that claim an AI tool wrote the change (`prose`).
    pub claims: Vec<Regex>,
    /// Words that may follow an agent's or model's name (`prose.words`).
    pub name_words: Vec<String>,
    pub settings: Settings,
}

impl Catalog {
    /// The built-in catalog alone.
    pub fn builtin() -> Result<Catalog, ConfigErrors> {
        let mut catalog = Catalog {
            entries: Vec::new(),
            disclosure_trailers: Vec::new(),
            disclosure_names: Vec::new(),
            claims: Vec::new(),
            name_words: Vec::new(),
            settings: Settings::default(),
        };
        let mut reader = Reader::new(SourceFile::new(BUILTIN_NAME, BUILTIN));
        let body = reader.parse()?;
        let mut f = reader.fields(&body, "in the catalog");
        catalog.read_entries(&mut reader, &mut f);
        for block in reader.blocks(&mut f, "disclosure") {
            catalog.read_disclosure(&mut reader, block);
        }
        for block in reader.blocks(&mut f, "prose") {
            catalog.read_prose(&mut reader, block);
        }
        reader.unknown(f, "`agent`, `bot`, `disclosure` or `prose` blocks");
        reader.finish()?;
        Ok(catalog)
    }

    /// Read `agent` and `bot` blocks.
    pub fn read_entries(&mut self, reader: &mut Reader, f: &mut Fields<'_>) {
        for (kind, ident) in [(Kind::Agent, "agent"), (Kind::Bot, "bot")] {
            for block in reader.blocks(f, ident) {
                if let Some(entry) = read_entry(reader, block, kind) {
                    if let Some(old) = self.entries.iter().position(|e| e.name == entry.name) {
                        // A repository's definition extends the built-in one.
                        let old = &mut self.entries[old];
                        old.identities.extend(entry.identities);
                        old.patterns.extend(entry.patterns);
                        old.subjects.extend(entry.subjects);
                        old.names.extend(entry.names);
                        old.logins.extend(entry.logins);
                        old.branches.extend(entry.branches);
                        old.pr_links.extend(entry.pr_links);
                    } else {
                        self.entries.push(entry);
                    }
                }
            }
        }
    }

    fn read_disclosure(&mut self, reader: &mut Reader, block: &Block) {
        let mut f = reader.fields(&block.body, "in `disclosure`");
        if let Some(e) = reader.attribute(&mut f, "trailers") {
            self.disclosure_trailers.extend(
                reader
                    .strings(e, "trailers")
                    .into_iter()
                    .map(|s| s.value.to_lowercase()),
            );
        }
        if let Some(e) = reader.attribute(&mut f, "names") {
            self.disclosure_names.extend(
                reader
                    .strings(e, "names")
                    .into_iter()
                    .map(|s| s.value.to_lowercase()),
            );
        }
        reader.unknown(f, "`trailers` or `names`");
    }

    fn read_prose(&mut self, reader: &mut Reader, block: &Block) {
        let mut f = reader.fields(&block.body, "in `prose`");
        if let Some(e) = reader.attribute(&mut f, "claims") {
            for c in reader.strings(e, "claims") {
                // Anchored at the line's start, and followed by the name.
                let anchored = crate::hcl::Spanned {
                    value: format!("(?i)^(?:{})\\s+", c.value),
                    span: c.span.clone(),
                };
                if let Some(re) = reader.regex(&anchored, "claims") {
                    self.claims.push(re);
                }
            }
        }
        if let Some(e) = reader.attribute(&mut f, "words") {
            self.name_words.extend(
                reader
                    .strings(e, "words")
                    .into_iter()
                    .map(|s| s.value.to_lowercase()),
            );
        }
        reader.unknown(f, "`claims` or `words`");
    }

    /// Read the `agents { … }` block of `.plangate.hcl`.
    pub fn read_settings(&mut self, reader: &mut Reader, block: &Block) {
        let mut f = reader.fields(&block.body, "in `agents`");
        let s = &mut self.settings;
        if let Some(e) = reader.attribute(&mut f, "author_emails") {
            let globs = reader.strings(e, "author_emails");
            let mut builder = GlobSetBuilder::new();
            for g in &globs {
                match Glob::new(&g.value.to_lowercase()) {
                    Ok(glob) => {
                        builder.add(glob);
                        s.email_globs.push(g.value.clone());
                    }
                    Err(err) => reader.error(
                        Some(g.span.clone()),
                        format!("invalid glob in `author_emails`: {err}"),
                        "this glob",
                        None,
                    ),
                }
            }
            s.emails = builder.build().ok();
        }
        if let Some(e) = reader.attribute(&mut f, "trailers") {
            s.trailers = reader
                .strings(e, "trailers")
                .into_iter()
                .map(|t| t.value.to_lowercase())
                .collect();
        }
        if let Some(e) = reader.attribute(&mut f, "patterns") {
            let patterns = reader.strings(e, "patterns");
            s.patterns = patterns
                .iter()
                .filter_map(|p| reader.regex(p, "patterns"))
                .collect();
        }
        if let Some(e) = reader.attribute(&mut f, "prose") {
            s.prose = reader.bool(e, "prose").unwrap_or(true);
        }
        for (key, slot) in [
            ("unverified", &mut s.unverified),
            ("unknown", &mut s.unknown),
            ("unknown_automation", &mut s.unknown_automation),
        ] {
            if let Some(e) = reader.attribute(&mut f, key)
                && let Some(v) = reader.string(e, key)
            {
                match v.value.as_str() {
                    "agent" => *slot = Counted::Agent,
                    "human" => *slot = Counted::Human,
                    _ => reader.error(
                        Some(v.span),
                        format!("`{key}` is \"agent\" or \"human\""),
                        "not one of them",
                        None,
                    ),
                }
            }
        }
        if let Some(e) = reader.attribute(&mut f, "review_suggestions")
            && let Some(v) = reader.string(e, "review_suggestions")
        {
            match v.value.as_str() {
                "agent" => s.review_suggestions = true,
                "ignore" => s.review_suggestions = false,
                _ => reader.error(
                    Some(v.span),
                    "`review_suggestions` is \"agent\" or \"ignore\"",
                    "not one of them",
                    None,
                ),
            }
        }
        for (key, slot) in [
            ("pull_request_author", &mut s.pull_request_author),
            ("pull_request_branch", &mut s.pull_request_branch),
            ("pull_request_links", &mut s.pull_request_links),
        ] {
            if let Some(e) = reader.attribute(&mut f, key)
                && let Some(v) = reader.bool(e, key)
            {
                *slot = v;
            }
        }
        reader.unknown(
            f,
            "`author_emails`, `trailers`, `patterns`, `unverified`, `unknown`, `unknown_automation`, \
             `prose`, `review_suggestions`, `pull_request_author`, `pull_request_branch` or \
             `pull_request_links`",
        );
    }
}

fn read_entry(reader: &mut Reader, block: &Block, kind: Kind) -> Option<Entry> {
    let what = if kind == Kind::Agent { "agent" } else { "bot" };
    let name = reader
        .labels(block, 1, &format!("the {what}'s name"))?
        .remove(0);
    let mut f = reader.fields(&block.body, &format!("in {what} \"{}\"", name.value));
    let mut entry = Entry {
        name: name.value.clone(),
        kind,
        description: String::new(),
        review: false,
        identities: Vec::new(),
        patterns: Vec::new(),
        subjects: Vec::new(),
        names: Vec::new(),
        logins: Vec::new(),
        branches: Vec::new(),
        pr_links: Vec::new(),
        origin: reader.file.name.clone(),
    };
    match reader.attribute(&mut f, "description") {
        Some(e) => {
            entry.description = reader
                .string(e, "description")
                .map(|s| s.value)
                .unwrap_or_default()
        }
        None => reader.error(
            block.ident.span(),
            format!("{what} \"{}\" has no `description`", name.value),
            "here",
            Some("say what it is: it is shown in evidence and `plangate rules`".into()),
        ),
    }
    if kind == Kind::Agent
        && let Some(e) = reader.attribute(&mut f, "review")
    {
        entry.review = reader.bool(e, "review").unwrap_or(false);
    }
    if let Some(e) = reader.attribute(&mut f, "identities") {
        for item in reader.list(e, "identities") {
            if let Some(identity) = read_identity(reader, item) {
                entry.identities.push(identity);
            }
        }
    }
    for (key, slot) in [
        ("patterns", &mut entry.patterns),
        ("subjects", &mut entry.subjects),
    ] {
        if let Some(e) = reader.attribute(&mut f, key) {
            let texts = reader.strings(e, key);
            slot.extend(texts.iter().filter_map(|p| reader.regex(p, key)));
        }
    }
    if let Some(e) = reader.attribute(&mut f, "names") {
        entry.names = reader
            .strings(e, "names")
            .into_iter()
            .map(|s| s.value.to_lowercase())
            .collect();
    }
    if kind == Kind::Agent {
        for (key, slot) in [
            ("logins", &mut entry.logins),
            ("branches", &mut entry.branches),
        ] {
            if let Some(e) = reader.attribute(&mut f, key) {
                for s in reader.strings(e, key) {
                    if s.value.trim().is_empty() {
                        reader.error(
                            Some(s.span.clone()),
                            format!("an empty string in `{key}` would match everything"),
                            "empty",
                            None,
                        );
                    } else {
                        slot.push(s.value.to_lowercase());
                    }
                }
            }
        }
        if let Some(e) = reader.attribute(&mut f, "pr_links") {
            let texts = reader.strings(e, "pr_links");
            entry
                .pr_links
                .extend(texts.iter().filter_map(|p| reader.regex(p, "pr_links")));
        }
    }
    let keys = if kind == Kind::Agent {
        "`description`, `review`, `identities`, `logins`, `patterns`, `subjects`, `names`, \
         `branches` or `pr_links`"
    } else {
        "`description`, `identities`, `patterns`, `subjects` or `names`"
    };
    reader.unknown(f, keys);
    if entry.identities.is_empty()
        && entry.patterns.is_empty()
        && entry.subjects.is_empty()
        && entry.names.is_empty()
        && entry.logins.is_empty()
        && entry.branches.is_empty()
        && entry.pr_links.is_empty()
    {
        reader.error(
            block.ident.span(),
            format!("{what} \"{}\" has nothing to recognise it by", name.value),
            "here",
            Some("give it `identities`, `patterns`, `subjects` or `names`".into()),
        );
    }
    Some(entry)
}

fn read_identity(reader: &mut Reader, expr: &hcl_edit::expr::Expression) -> Option<Identity> {
    let fields = reader.object(expr, "identities")?;
    let mut id = Identity::default();
    for (key, value) in fields {
        match key.value.as_str() {
            "email" => {
                id.email = reader
                    .string(value, "email")
                    .map(|s| s.value.to_lowercase())
            }
            "login" => {
                id.login = reader
                    .string(value, "login")
                    .map(|s| s.value.to_lowercase())
            }
            "name" => id.name = reader.string(value, "name").map(|s| s.value.to_lowercase()),
            "author_suffix" => {
                id.author_suffix = reader.string(value, "author_suffix").map(|s| s.value)
            }
            "github_id" => id.github_id = reader.number(value, "github_id").map(|n| n.value),
            other => reader.error(
                Some(key.span.clone()),
                format!("unknown key `{other}` in an identity"),
                "unknown key",
                Some("expected `email`, `github_id`, `login`, `name` or `author_suffix`".into()),
            ),
        }
    }
    if id.email.is_none()
        && id.github_id.is_none()
        && id.login.is_none()
        && id.author_suffix.is_none()
    {
        reader.error(
            expr.span(),
            "an identity needs `email`, `github_id`, `login` or `author_suffix`",
            "this identity",
            Some("a display name alone is not an identity: people share names with agents".into()),
        );
        return None;
    }
    Some(id)
}

/// Parse a configuration body's catalog parts onto the built-in catalog. Used by
/// the configuration loader, which owns the other blocks.
pub fn extend_from(catalog: &mut Catalog, reader: &mut Reader, f: &mut Fields<'_>) {
    catalog.read_entries(reader, f);
    for block in reader.blocks(f, "agents") {
        catalog.read_settings(reader, block);
    }
}
