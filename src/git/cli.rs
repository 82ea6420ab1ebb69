//! The `git` subprocess adapter: every git call plangate makes is here.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use super::diff::FileDiff;
use super::range::{Range, RangeRequest};
use super::{Commit, CommitDiff, GitError, Person, Signature};

/// Field and record separators for `git log --format`: bytes no commit field holds.
const FIELD: char = '\x1f';
const RECORD: char = '\x1e';

/// The largest text [`Git::diffs`] reads of a file that is not configuration:
/// what runs terraform is a script, not a data dump.
pub const SMALL_TEXT: usize = 256 << 10;

/// Where git notes from git-ai live (its standard v3: never `refs/notes/commits`).
const AI_NOTES: &str = "refs/notes/ai";

/// A repository, read through the `git` command.
#[derive(Debug, Clone)]
pub struct Git {
    dir: PathBuf,
}

impl Git {
    /// The repository containing `dir`.
    pub fn open(dir: &Path) -> Result<Git, GitError> {
        let git = Git {
            dir: dir.to_path_buf(),
        };
        let top = git
            .text(&["rev-parse", "--show-toplevel"])
            .map_err(|e| match e {
                GitError::Failed { .. } => GitError::NotARepository {
                    dir: dir.display().to_string(),
                },
                other => other,
            })?;
        Ok(Git {
            dir: PathBuf::from(top.trim_end()),
        })
    }

    /// The working tree's top directory.
    pub fn root(&self) -> &Path {
        &self.dir
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("git");
        cmd.args([
            "-c",
            "core.quotePath=false",
            "-c",
            "log.showSignature=false",
        ])
        .args(args)
        .current_dir(&self.dir)
        // plangate reads history; it never wants a pager, a prompt or a
        // translated message.
        .env("GIT_PAGER", "cat")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("LC_ALL", "C")
        // `refs/replace/*` would let a local ref show another commit's author
        // and message in place of the real one: read the objects themselves.
        .env("GIT_NO_REPLACE_OBJECTS", "1");
        cmd
    }

    fn run(&self, args: &[&str], input: Option<Vec<u8>>) -> Result<Vec<u8>, GitError> {
        let mut cmd = self.command(args);
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd.stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = cmd.spawn().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => GitError::NotFound,
            _ => GitError::Failed {
                args: args.join(" "),
                stderr: e.to_string(),
            },
        })?;
        // Feed standard input from a thread so a large output cannot deadlock.
        let writer = input.map(|bytes| {
            let mut stdin = child.stdin.take().expect("stdin was piped");
            std::thread::spawn(move || stdin.write_all(&bytes))
        });
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        let mut out = child.stdout.take().expect("stdout was piped");
        let mut err = child.stderr.take().expect("stderr was piped");
        let err_reader = std::thread::spawn(move || {
            let _ = err.read_to_end(&mut stderr);
            stderr
        });
        let read = out.read_to_end(&mut stdout);
        let stderr = err_reader.join().unwrap_or_default();
        let status = child.wait();
        if let Some(w) = writer {
            let _ = w.join();
        }
        let failed = |detail: String| GitError::Failed {
            args: args.join(" "),
            stderr: detail,
        };
        read.map_err(|e| failed(e.to_string()))?;
        let status = status.map_err(|e| failed(e.to_string()))?;
        if !status.success() {
            return Err(failed(String::from_utf8_lossy(&stderr).trim().to_owned()));
        }
        Ok(stdout)
    }

    fn text(&self, args: &[&str]) -> Result<String, GitError> {
        self.run(args, None)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    /// The commit a revision names, or `None` when there is no such commit.
    pub fn commit_id(&self, rev: &str) -> Result<Option<String>, GitError> {
        let spec = format!("{rev}^{{commit}}");
        match self.text(&[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ]) {
            Ok(sha) => Ok(Some(sha.trim().to_owned())),
            Err(GitError::Failed { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The commits reachable from `to` and not from `from` (`from..to`).
    pub fn commits_between(&self, from: &str, to: &str) -> Result<Vec<String>, GitError> {
        let exclude = format!("^{from}");
        let out = self.text(&["rev-list", "--end-of-options", to, &exclude])?;
        Ok(out.lines().map(str::to_owned).collect())
    }

    pub fn is_shallow(&self) -> Result<bool, GitError> {
        Ok(self.text(&["rev-parse", "--is-shallow-repository"])?.trim() == "true")
    }

    /// Commits whose parents this shallow clone does not have.
    fn shallow_boundaries(&self) -> Result<Vec<String>, GitError> {
        let path = self.text(&["rev-parse", "--git-path", "shallow"])?;
        let path = self.dir.join(path.trim());
        Ok(std::fs::read_to_string(path)
            .map(|s| s.lines().map(str::to_owned).collect())
            .unwrap_or_default())
    }

    pub fn merge_base(&self, a: &str, b: &str) -> Result<Option<String>, GitError> {
        match self.run(&["merge-base", a, b], None) {
            Ok(out) => Ok(Some(String::from_utf8_lossy(&out).trim().to_owned())),
            // Exit 1 with no output: no common ancestor.
            Err(GitError::Failed { stderr, .. }) if stderr.is_empty() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The remote's default branch, as a revision (`origin/main`).
    fn default_branch(&self, hint: Option<&str>) -> Result<Option<String>, GitError> {
        let mut candidates: Vec<String> = Vec::new();
        if let Some(h) = hint {
            candidates.push(format!("origin/{h}"));
            candidates.push(h.to_owned());
        }
        if let Ok(head) = self.text(&[
            "symbolic-ref",
            "--quiet",
            "--short",
            "refs/remotes/origin/HEAD",
        ]) {
            candidates.push(head.trim().to_owned());
        }
        for name in ["origin/main", "origin/master", "main", "master"] {
            candidates.push(name.to_owned());
        }
        for c in candidates {
            if self.commit_id(&c)?.is_some() {
                return Ok(Some(c));
            }
        }
        Ok(None)
    }

    /// Resolve a request to commit ids, refusing a shallow history that lacks it.
    pub fn resolve(&self, request: &RangeRequest) -> Result<Range, GitError> {
        let shallow = self.is_shallow()?;
        let missing = |what: &'static str, rev: &str| {
            if shallow {
                GitError::Shallow {
                    detail: format!("the {what} revision `{rev}` is not fetched"),
                }
            } else {
                GitError::UnknownRevision {
                    what,
                    rev: rev.to_owned(),
                    help: "fetch it, or pass a revision this repository has".into(),
                }
            }
        };
        let head = self
            .commit_id(&request.head)?
            .ok_or_else(|| missing("head", &request.head))?;
        let base_rev = match &request.base {
            Some(b) => b.clone(),
            None => self
                .default_branch(request.default_branch.as_deref())?
                .ok_or_else(|| GitError::NoRange {
                    why: "this is a new branch and no default branch (origin/HEAD, main, master) \
                          was found to compare it with"
                        .into(),
                })?,
        };
        let base = match self.commit_id(&base_rev)? {
            Some(b) => b,
            None if base_rev == "@{upstream}" => {
                return Err(GitError::NoRange {
                    why: "the current branch has no upstream".into(),
                });
            }
            None => return Err(missing("base", &base_rev)),
        };
        let merge_base = match self.merge_base(&base, &head)? {
            Some(mb) => mb,
            None if shallow => {
                return Err(GitError::Shallow {
                    detail: format!("no common ancestor of {base} and {head} is fetched"),
                });
            }
            None => return Err(GitError::Unrelated { base, head }),
        };
        if shallow {
            // A boundary inside the range means git would read the range as
            // starting there: commits would be missing without any error.
            let inside = self.text(&["rev-list", &format!("{merge_base}..{head}")])?;
            let boundaries = self.shallow_boundaries()?;
            if let Some(b) = inside.lines().find(|c| boundaries.iter().any(|s| s == c)) {
                return Err(GitError::Shallow {
                    detail: format!("commit {b} in the range has no fetched parents"),
                });
            }
        }
        Ok(Range {
            base,
            head,
            merge_base,
            source: request.source.clone(),
        })
    }

    /// The commits of the range, oldest first, refusing a range of more than
    /// `limit` commits before reading them.
    /// The range's commits, oldest first; `signatures` asks git to check each
    /// commit's signature (else [`Signature::NotChecked`]).
    pub fn commits(
        &self,
        range: &Range,
        limit: usize,
        signatures: bool,
    ) -> Result<Vec<Commit>, GitError> {
        let spec = format!("{}..{}", range.base, range.head);
        // Counting stops one past the limit: a huge range costs no more than a
        // range at the limit.
        let most = format!("--max-count={}", limit.saturating_add(1));
        let count = self.text(&["rev-list", "--count", &most, &spec])?;
        let count = count
            .trim()
            .parse::<usize>()
            .map_err(|_| GitError::Output {
                what: format!("rev-list --count printed {count:?}"),
            })?;
        if count > limit {
            return Err(GitError::TooManyCommits {
                base: range.base.clone(),
                head: range.head.clone(),
                limit,
            });
        }
        let format = [
            "%H",
            "%P",
            "%an",
            "%ae",
            "%cn",
            "%ce",
            if signatures { "%G?" } else { "-" },
            "%(trailers:unfold,only)",
            "%B",
        ]
        .join("%x1f");
        let out = self.text(&[
            "log",
            "--reverse",
            "--topo-order",
            "--no-color",
            &format!("--format={format}%x1e"),
            &spec,
        ])?;
        let notes = self.ai_notes(&spec)?;
        out.split(RECORD)
            .map(|r| r.trim_start_matches('\n'))
            .filter(|r| !r.is_empty())
            .map(|record| parse_commit(record, &notes))
            .collect()
    }

    /// git-ai notes of the range's commits, by commit.
    fn ai_notes(&self, spec: &str) -> Result<HashMap<String, String>, GitError> {
        if self.commit_id(AI_NOTES)?.is_none() {
            return Ok(HashMap::new());
        }
        let out = self.text(&[
            "log",
            &format!("--notes={AI_NOTES}"),
            "--format=%H%x1f%N%x1e",
            spec,
        ])?;
        Ok(out
            .split(RECORD)
            .filter_map(|r| {
                let (sha, note) = r.trim_start_matches('\n').split_once(FIELD)?;
                let note = note.trim();
                (!note.is_empty()).then(|| (sha.to_owned(), note.to_owned()))
            })
            .collect())
    }

    /// What each commit changed in the files `keep` selects, with file texts.
    /// A merge lists only the files that differ from every parent.
    /// `small` selects further files whose texts are read only when every
    /// version is at most [`SMALL_TEXT`] bytes (a script, not a data dump).
    pub fn diffs(
        &self,
        commits: &[Commit],
        keep: &dyn Fn(&str) -> bool,
        small: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<CommitDiff>, GitError> {
        let input: String = commits.iter().map(|c| format!("{}\n", c.sha)).collect();
        // `-c`: a merge lists only files that differ from every parent; `--always`
        // prints each commit's id even when it changed nothing.
        let raw = self.run(
            &[
                "diff-tree",
                "--stdin",
                "-r",
                "-z",
                "-c",
                "--root",
                "--no-renames",
                "--no-abbrev",
                "--always",
            ],
            Some(input.into_bytes()),
        )?;
        let entries = parse_raw(&raw)?;
        let ids = |want: &dyn Fn(&str) -> bool| -> Vec<String> {
            let mut v: Vec<String> = entries
                .iter()
                .flat_map(|(_, es)| es.iter().filter(|e| !e.gitlink && want(&e.path)))
                .flat_map(|e| e.blobs.iter().cloned())
                .filter(|b| !is_null(b))
                .collect();
            v.sort();
            v.dedup();
            v
        };
        let mut blobs = ids(keep);
        let sized = self.sizes(&ids(&|p| !keep(p) && small(p)))?;
        let fits: std::collections::HashSet<String> = sized
            .into_iter()
            .filter(|(_, size)| *size <= SMALL_TEXT)
            .map(|(id, _)| id)
            .collect();
        blobs.extend(fits.iter().cloned());
        blobs.sort();
        blobs.dedup();
        let texts = self.blobs(&blobs)?;
        let read = |e: &RawEntry| {
            keep(&e.path)
                || (small(&e.path) && e.blobs.iter().all(|b| is_null(b) || fits.contains(b)))
        };
        let text_of = |b: &str| (!is_null(b)).then(|| texts.get(b).cloned().unwrap_or_default());
        let mut first: HashMap<String, Vec<String>> = HashMap::new();
        let merges: String = commits
            .iter()
            .filter(|c| c.is_merge())
            .map(|c| format!("{} {}\n", c.sha, c.parents[0]))
            .collect();
        if !merges.is_empty() {
            // `M P` lines compare commit M with P as its only parent.
            let raw = self.run(
                &[
                    "diff-tree",
                    "--stdin",
                    "-r",
                    "-z",
                    "--no-renames",
                    "--no-abbrev",
                    "--always",
                ],
                Some(merges.into_bytes()),
            )?;
            for (pair, es) in parse_raw(&raw)? {
                let merge = pair.split(' ').next().unwrap_or(&pair).to_owned();
                first.insert(merge, es.into_iter().map(|e| e.path).collect());
            }
        }
        Ok(entries
            .into_iter()
            .map(|(sha, es)| CommitDiff {
                first_parent_paths: first.remove(&sha).unwrap_or_default(),
                sha,
                paths: es.iter().map(|e| e.path.clone()).collect(),
                files: es
                    .into_iter()
                    .filter(|e| !e.gitlink && read(e))
                    .map(|e| {
                        let (parents, result) = e.blobs.split_at(e.blobs.len() - 1);
                        FileDiff {
                            path: e.path,
                            parents: parents.iter().map(|b| text_of(b)).collect(),
                            new: text_of(&result[0]),
                        }
                    })
                    .collect(),
            })
            .collect())
    }

    /// Every symbolic link at `rev`, with its target as git stores it.
    pub fn links_at(&self, rev: &str) -> Result<Vec<(String, String)>, GitError> {
        let out = self.run(&["ls-tree", "-r", "-z", "--full-tree", rev], None)?;
        let mut listed = Vec::new();
        for entry in out.split(|&b| b == 0).filter(|e| !e.is_empty()) {
            let entry = String::from_utf8_lossy(entry);
            if let Some((meta, path)) = entry.split_once('\t')
                && meta.starts_with("120000 ")
            {
                let blob = meta.split(' ').nth(2).unwrap_or_default().to_owned();
                listed.push((path.to_owned(), blob));
            }
        }
        let ids: Vec<String> = listed.iter().map(|(_, b)| b.clone()).collect();
        let texts = self.blobs(&ids)?;
        Ok(listed
            .into_iter()
            .map(|(path, blob)| (path, texts.get(&blob).cloned().unwrap_or_default()))
            .collect())
    }

    /// Every file at `rev` that `keep` selects, with its text.
    pub fn files_at(
        &self,
        rev: &str,
        keep: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<(String, String)>, GitError> {
        let out = self.run(&["ls-tree", "-r", "-z", "--full-tree", rev], None)?;
        let mut listed = Vec::new();
        for entry in out.split(|&b| b == 0).filter(|e| !e.is_empty()) {
            let entry = String::from_utf8_lossy(entry);
            let (meta, path) = entry.split_once('\t').ok_or_else(|| GitError::Output {
                what: format!("ls-tree entry {entry:?}"),
            })?;
            let mut fields = meta.split(' ');
            let (kind, blob) = (fields.nth(1), fields.next());
            if kind == Some("blob") && keep(path) {
                listed.push((path.to_owned(), blob.unwrap_or_default().to_owned()));
            }
        }
        let ids: Vec<String> = listed.iter().map(|(_, b)| b.clone()).collect();
        let texts = self.blobs(&ids)?;
        Ok(listed
            .into_iter()
            .map(|(path, blob)| {
                let text = texts.get(&blob).cloned().unwrap_or_default();
                (path, text)
            })
            .collect())
    }

    /// The commit `--config-ref` names.
    fn config_commit(&self, rev: &str) -> Result<String, GitError> {
        self.commit_id(rev)?
            .ok_or_else(|| GitError::UnknownRevision {
                what: "configuration",
                rev: rev.to_owned(),
                help: "--config-ref names the revision to read the configuration from".into(),
            })
    }

    /// A file's text at a revision, or `None` when the revision has no such file.
    pub fn file_at(&self, rev: &str, path: &str) -> Result<Option<String>, GitError> {
        let commit = self.config_commit(rev)?;
        let spec = format!("{commit}:{path}");
        match self.run(&["cat-file", "-e", &spec], None) {
            Ok(_) => Ok(Some(self.text(&["cat-file", "blob", &spec])?)),
            Err(GitError::Failed { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Is `path` a symbolic link in revision `rev`? (Git stores a link as a
    /// blob holding its target's path, which `file_at` would return as text.)
    pub fn is_symlink_at(&self, rev: &str, path: &str) -> Result<bool, GitError> {
        let commit = self.config_commit(rev)?;
        let out = self.run(&["ls-tree", "-z", &commit, "--", path], None)?;
        Ok(out.starts_with(b"120000 "))
    }

    /// Object sizes by id, in one `cat-file --batch-check`.
    fn sizes(&self, ids: &[String]) -> Result<Vec<(String, usize)>, GitError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let input: String = ids.iter().map(|id| format!("{id}\n")).collect();
        let out = self.text_with(&["cat-file", "--batch-check"], input)?;
        Ok(out
            .lines()
            .filter_map(|l| {
                let mut f = l.split(' ');
                let (id, _, size) = (f.next()?, f.next()?, f.next()?);
                Some((id.to_owned(), size.parse().ok()?))
            })
            .collect())
    }

    fn text_with(&self, args: &[&str], input: String) -> Result<String, GitError> {
        self.run(args, Some(input.into_bytes()))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    /// Blob texts by id, read in one `cat-file --batch`.
    fn blobs(&self, ids: &[String]) -> Result<HashMap<String, String>, GitError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let input: String = ids.iter().map(|id| format!("{id}\n")).collect();
        let out = self.run(&["cat-file", "--batch"], Some(input.into_bytes()))?;
        let mut texts = HashMap::new();
        let mut rest = &out[..];
        while !rest.is_empty() {
            let nl = rest
                .iter()
                .position(|&b| b == b'\n')
                .ok_or_else(|| GitError::Output {
                    what: "cat-file header".into(),
                })?;
            let header = String::from_utf8_lossy(&rest[..nl]).into_owned();
            let mut parts = header.split(' ');
            let (id, kind, size) = (parts.next(), parts.next(), parts.next());
            rest = &rest[nl + 1..];
            if kind == Some("missing") {
                return Err(GitError::Output {
                    what: format!("blob {} is missing", id.unwrap_or_default()),
                });
            }
            let size: usize =
                size.and_then(|s| s.parse().ok())
                    .ok_or_else(|| GitError::Output {
                        what: format!("cat-file header {header:?}"),
                    })?;
            if rest.len() < size + 1 {
                return Err(GitError::Output {
                    what: "cat-file output ends early".into(),
                });
            }
            texts.insert(
                id.unwrap_or_default().to_owned(),
                String::from_utf8_lossy(&rest[..size]).into_owned(),
            );
            rest = &rest[size + 1..];
        }
        Ok(texts)
    }
}

fn is_null(blob: &str) -> bool {
    blob.bytes().all(|b| b == b'0')
}

/// One `diff-tree --raw` entry: the blobs of each parent, then the result.
struct RawEntry {
    path: String,
    blobs: Vec<String>,
    /// A submodule (mode 160000) on some side: its "blob" is a commit of
    /// another repository, with no text here.
    gitlink: bool,
}

/// `diff-tree --stdin -z -c` output: a commit id, then its entries, repeated.
/// Plain entries are `:m m b b S\0path\0`; combined ones (merges) start with one
/// colon per parent and carry a blob per parent before the result's.
fn parse_raw(raw: &[u8]) -> Result<Vec<(String, Vec<RawEntry>)>, GitError> {
    let mut groups: Vec<(String, Vec<RawEntry>)> = Vec::new();
    let mut tokens = raw
        .split(|&b| b == 0)
        .map(|t| String::from_utf8_lossy(t).trim_matches('\n').to_owned());
    while let Some(token) = tokens.next() {
        if token.is_empty() {
            continue;
        }
        if let Some(meta) = token.strip_prefix(':') {
            let colons = 1 + meta.chars().take_while(|&c| c == ':').count();
            let fields: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
            // modes (colons + 1), blobs (colons + 1), status
            let blobs = fields
                .get(colons + 1..2 * colons + 2)
                .ok_or_else(|| GitError::Output {
                    what: format!("diff-tree entry {token:?}"),
                })?
                .iter()
                .map(|s| s.to_string())
                .collect();
            let gitlink = fields
                .get(..colons + 1)
                .is_some_and(|modes| modes.contains(&"160000"));
            let path = tokens.next().ok_or_else(|| GitError::Output {
                what: "diff-tree entry without a path".into(),
            })?;
            let group = groups.last_mut().ok_or_else(|| GitError::Output {
                what: "diff-tree entry before any commit id".into(),
            })?;
            group.1.push(RawEntry {
                path,
                blobs,
                gitlink,
            });
        } else {
            groups.push((token, Vec::new()));
        }
    }
    Ok(groups)
}

/// One `git log` record of [`Git::commits`]' format (fields split by `\x1f`),
/// with the git-ai notes by commit id.
pub fn parse_commit(record: &str, notes: &HashMap<String, String>) -> Result<Commit, GitError> {
    let fields: Vec<&str> = record.splitn(9, FIELD).collect();
    let [sha, parents, an, ae, cn, ce, sig, trailers, message] = fields[..] else {
        return Err(GitError::Output {
            what: format!("a log record with {} fields", fields.len()),
        });
    };
    Ok(Commit {
        sha: sha.to_owned(),
        parents: parents.split_whitespace().map(str::to_owned).collect(),
        author: Person {
            name: an.to_owned(),
            email: ae.to_owned(),
        },
        committer: Person {
            name: cn.to_owned(),
            email: ce.to_owned(),
        },
        message: message.trim_end().to_owned(),
        trailers: trailers
            .lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect(),
        signature: Signature::from_code(sig),
        ai_note: notes.get(sha).cloned(),
    })
}

/// Files at any revision, read through long-lived `git cat-file --batch`
/// processes: attribution asks for a handful of files at a handful of commits,
/// and a process per question would cost more than the answers. Threads that
/// ask at once each get a process of their own (started when none is free).
pub struct Revisions {
    git: Git,
    idle: Mutex<Vec<Batch>>,
    /// The first failure; later questions get no answer, and the caller must
    /// check [`Revisions::failure`] (a failure is exit 2, never a quiet "absent").
    failed: Mutex<Option<GitError>>,
}

struct Batch {
    child: std::process::Child,
    input: std::process::ChildStdin,
    output: std::io::BufReader<std::process::ChildStdout>,
}

impl Drop for Batch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Git {
    pub fn revisions(&self) -> Revisions {
        Revisions {
            git: self.clone(),
            idle: Mutex::new(Vec::new()),
            failed: Mutex::new(None),
        }
    }
}

impl Revisions {
    /// A file's text at a revision (`None`: no such file, or not text).
    pub fn text(&self, rev: &str, path: &str) -> Option<String> {
        let (kind, bytes) = self.object(&format!("{rev}:{path}"))?;
        (kind == "blob").then(|| {
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
        })
    }

    /// The paths of the files directly in `dir` at a revision.
    pub fn list(&self, rev: &str, dir: &str) -> Vec<String> {
        let Some((kind, bytes)) = self.object(&format!("{rev}:{dir}")) else {
            return Vec::new();
        };
        if kind != "tree" {
            return Vec::new();
        }
        // Entries: "<mode> <name>\0<raw object id>"; the id's length is the
        // repository's hash length (20 bytes for SHA-1, 32 for SHA-256).
        let id_len = if rev.len() == 64 { 32 } else { 20 };
        let mut out = Vec::new();
        let mut rest = &bytes[..];
        while let Some(nul) = rest.iter().position(|&b| b == 0) {
            let head = String::from_utf8_lossy(&rest[..nul]);
            if let Some((mode, name)) = head.split_once(' ')
                && !mode.starts_with("40")
            {
                out.push(if dir.is_empty() {
                    name.to_owned()
                } else {
                    format!("{dir}/{name}")
                });
            }
            rest = rest.get(nul + 1 + id_len..).unwrap_or_default();
        }
        out
    }

    /// The failure that stopped the reader, if any (taken: ask once).
    pub fn failure(&self) -> Option<GitError> {
        lock(&self.failed).take()
    }

    fn fail(&self, what: String) {
        lock(&self.failed).get_or_insert(GitError::Output { what });
        lock(&self.idle).clear();
    }

    fn object(&self, name: &str) -> Option<(String, Vec<u8>)> {
        if lock(&self.failed).is_some() || name.contains('\n') {
            return None;
        }
        let idle = lock(&self.idle).pop();
        let mut batch = match idle {
            Some(batch) => batch,
            None => match self.start() {
                Ok(batch) => batch,
                Err(what) => {
                    self.fail(what);
                    return None;
                }
            },
        };
        match batch.ask(name) {
            Ok(answer) => {
                lock(&self.idle).push(batch);
                answer
            }
            // The process is dropped (killed): its output is out of step.
            Err(what) => {
                self.fail(what);
                None
            }
        }
    }

    fn start(&self) -> Result<Batch, String> {
        let mut cmd = self.git.command(&["cat-file", "--batch"]);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("git cat-file --batch did not start: {e}"))?;
        let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
            return Err("git cat-file --batch started without its pipes".into());
        };
        Ok(Batch {
            child,
            input,
            output: std::io::BufReader::new(output),
        })
    }
}

/// A lock whose holder panicked still guards plain data that is whole.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Batch {
    /// One object: `Ok(None)` when the name names none; `Err` when the
    /// process stopped answering as it should.
    fn ask(&mut self, name: &str) -> Result<Option<(String, Vec<u8>)>, String> {
        use std::io::BufRead;
        let asked = writeln!(self.input, "{name}").and_then(|_| self.input.flush());
        let mut header = String::new();
        let read = asked.and_then(|_| self.output.read_line(&mut header));
        if read.is_err() || header.is_empty() {
            return Err(format!(
                "git cat-file --batch stopped answering (asked for {name})"
            ));
        }
        let header = header.trim_end();
        if header.ends_with(" missing") || header.ends_with(" ambiguous") {
            return Ok(None);
        }
        let mut parts = header.split(' ');
        let (_, kind, size) = (parts.next(), parts.next(), parts.next());
        let Some(size) = size.and_then(|s| s.parse::<usize>().ok()) else {
            return Err(format!("git cat-file --batch answered {header:?}"));
        };
        let mut bytes = vec![0; size + 1];
        if self.output.read_exact(&mut bytes).is_err() {
            return Err("git cat-file --batch output ends early".into());
        }
        bytes.pop();
        Ok(Some((kind.unwrap_or_default().to_owned(), bytes)))
    }
}
