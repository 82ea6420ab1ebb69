//! Commits quoted in a message. `git merge --squash` writes each squashed
//! commit as `git log` shows it: `commit <id>`, the `Merge:`, `Author:` and
//! `Date:` headers, a blank line, then the message indented by four spaces.
//! Each is read as a commit of its own, because the squash keeps the agent's
//! authorship only there: the squash's own author is whoever squashed.

use crate::git::Person;

/// How deep a squash of squashes is read as quoted commits; deeper text is
/// read as plain message lines. Bounds the recursion a crafted message causes.
pub const MAX_DEPTH: usize = 4;

/// `git log`'s indentation of a commit message.
const INDENT: &str = "    ";

/// One quoted commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quoted {
    pub sha: String,
    pub author: Person,
    /// The message without `git log`'s indentation.
    pub message: String,
}

impl Quoted {
    /// The id as evidence names it.
    pub fn short(&self) -> &str {
        &self.sha[..10]
    }

    /// Its author and co-authors, and those of the commits it quotes in turn,
    /// for a quoted commit `depth` levels deep.
    pub fn people(&self, depth: usize) -> Vec<Person> {
        let split = split(&self.message, depth);
        let mut out = vec![super::lower(&self.author)];
        out.extend(super::trailer_co_authors(&split.own, &[]));
        for q in &split.quoted {
            out.extend(q.people(depth + 1));
        }
        out
    }
}

/// A message's own lines, and the commits it quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub own: String,
    pub quoted: Vec<Quoted>,
}

/// Split a message of a commit quoted `depth` levels deep (0: the commit).
pub fn split(message: &str, depth: usize) -> Split {
    if depth >= MAX_DEPTH {
        return Split {
            own: message.to_owned(),
            quoted: Vec::new(),
        };
    }
    let lines: Vec<&str> = message.lines().collect();
    let mut own: Vec<&str> = Vec::new();
    let mut quoted = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        // The subject is the commit's own, whatever it looks like.
        if i > 0
            && let Some((q, next)) = block(&lines, i)
        {
            quoted.push(q);
            i = next;
            continue;
        }
        own.push(lines[i]);
        i += 1;
    }
    Split {
        own: own.join("\n"),
        quoted,
    }
}

/// `commit <id>`, a SHA-1 or SHA-256 object id as `git log` prints it.
fn commit_id(line: &str) -> Option<&str> {
    let id = line.strip_prefix("commit ")?.trim_end();
    let hex = id.bytes().all(|b| b.is_ascii_hexdigit());
    (hex && (id.len() == 40 || id.len() == 64)).then_some(id)
}

/// The quoted commit whose `commit` line is `lines[at]`, and the index of the
/// line after it. Anything short of git's exact layout is not a quoted commit,
/// so that an `Author:` line of an ordinary body is never read as an author.
fn block(lines: &[&str], at: usize) -> Option<(Quoted, usize)> {
    let sha = commit_id(lines[at])?;
    let mut author = None;
    let mut i = at + 1;
    while let Some((key, value)) = lines.get(i).and_then(|l| l.split_once(':')) {
        match key {
            "Author" if author.is_none() => author = Some(person(value)?),
            "Merge" | "Date" => {}
            _ => return None,
        }
        i += 1;
    }
    let author = author?;
    if lines.get(i).is_some_and(|l| !l.trim().is_empty()) {
        return None;
    }
    let (message, end) = indented(lines, i);
    Some((
        Quoted {
            sha: sha.to_owned(),
            author,
            message,
        },
        end,
    ))
}

/// The indented message from `lines[from]` on (blank lines included, which
/// `git commit`'s clean-up leaves empty), and the index after its last line.
fn indented(lines: &[&str], from: usize) -> (String, usize) {
    let mut body: Vec<&str> = Vec::new();
    let mut end = from;
    for (i, line) in lines.iter().enumerate().skip(from) {
        if let Some(text) = line.strip_prefix(INDENT) {
            body.push(text);
            end = i + 1;
        } else if line.trim().is_empty() {
            body.push("");
        } else {
            break;
        }
    }
    body.truncate(end - from);
    let message = body
        .join("\n")
        .trim_start_matches('\n')
        .trim_end()
        .to_owned();
    (message, end)
}

/// `Name <email>`, as `git log` prints an author.
fn person(value: &str) -> Option<Person> {
    let (name, rest) = value.split_once('<')?;
    let email = rest.trim_end().strip_suffix('>')?.trim();
    (!email.is_empty()).then(|| Person {
        name: name.trim().to_owned(),
        email: email.to_owned(),
    })
}
