//! The file edge: turn the PATH arguments into plans. Each argument is a file, a
//! directory (walked) or `-` (standard input); plan files are recognised by what
//! they hold, not by their names.
//!
//! A file named on the command line must be a plan. In a directory, valid JSON
//! that is no plan is skipped and reported; anything that looks like a plan but
//! cannot be read is an error, so a damaged plan is never skipped silently. Names
//! are used only to be stricter: an empty or unreadable `*.json` found in a walk
//! is refused rather than passed over.

use std::collections::HashSet;
use std::fs::File;
use std::io::Read;
use std::ops::Deref;
use std::path::{Path, PathBuf};

use crate::model::Plan;
use crate::parse::{self, Parsed, ReadError, ReadErrors, binary};

/// Below this size a file is read; above, memory-mapped (no copy, and pages the
/// parser has passed can be dropped by the kernel).
const MAP_THRESHOLD: u64 = 1 << 20;

/// Directories never walked: VCS metadata, Terraform's provider cache, and
/// trees of generated or vendored files that hold no plans.
const SKIP_DIRS: &[&str] = &[
    ".git",
    ".terraform",
    ".terragrunt-cache",
    "node_modules",
    "cdk.out",
];

/// Keys only plans have: a JSON file found in a walk that mentions one near its
/// start but cannot be read is a damaged plan, never a file to skip.
const PLAN_KEYS: &[&[u8]] = &[
    b"\"format_version\"",
    b"\"resource_changes\"",
    b"\"planned_values\"",
    b"\"ChangeSetId\"",
    b"\"ChangeSetName\"",
    b"\"Changes\"",
    b"\"resourceChange\"",
];

/// Does this unreadable file look like a plan (by its start, or its name)?
fn looks_like_a_plan(file_name: &str, bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let name = file_name.to_lowercase();
    PLAN_KEYS
        .iter()
        .any(|k| memchr::memmem::find(head, k).is_some())
        || ["plan", "changeset", "change-set", "change_set"]
            .iter()
            .any(|w| name.contains(w))
}

/// The plans read from the arguments, and what was passed over.
#[derive(Debug, Default)]
pub struct Reading {
    pub plans: Vec<Plan>,
    /// JSON files found in directories that are not plans.
    pub skipped: Vec<Skipped>,
    /// Plans found again in a walk (a binary plan beside its `show -json`, a
    /// copy): read once, under the first path.
    pub duplicates: Vec<Duplicate>,
    /// Files looked at in directories (plans, skipped JSON and other files).
    pub looked_at: usize,
}

/// A file a walk found that holds a plan already read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Duplicate {
    pub path: String,
    /// The path the plan was read under.
    pub same_as: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    pub path: String,
    pub why: String,
}

enum Bytes {
    Owned(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Owned(v) => v,
            Bytes::Mapped(m) => m,
        }
    }
}

/// How a file came to be read: named by the user, or found in a directory.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    Named,
    Walked,
}

/// What reading is doing, for a progress display.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// Starting to read a file of `bytes` bytes.
    Reading { path: &'a str, bytes: u64 },
    /// Done with it.
    Read { path: &'a str },
}

/// Read every plan under `args`. All unreadable files are reported together.
pub fn read_plans(args: &[String]) -> Result<Reading, ReadErrors> {
    read_plans_with(args, &mut |_| {})
}

/// [`read_plans`], telling `progress` about each file.
pub fn read_plans_with(
    args: &[String],
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Reading, ReadErrors> {
    let mut reading = Reading::default();
    let mut errors = Vec::new();
    // Every file first, each once (a path named twice, or walked twice, is one
    // file), with the argument it came from.
    let mut seen = HashSet::new();
    let mut jobs: Vec<(usize, PathBuf, Origin)> = Vec::new();
    let mut walked_args = Vec::new();
    for (ai, arg) in args.iter().enumerate() {
        let Some(files) = collect(arg, &mut reading, &mut errors) else {
            continue;
        };
        walked_args.push(ai);
        for (path, origin) in files {
            if seen.insert(std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone())) {
                jobs.push((ai, path, origin));
            }
        }
    }
    let results = read_all(&jobs, progress);
    let mut pages = Vec::new();
    // (index of the file, plan) so plans come out in argument order.
    let mut ordered: Vec<(usize, Plan)> = Vec::new();
    let mut page_order = Vec::new();
    // Each walked Terraform plan's JSON, to read a plan found twice once.
    let mut documents = Documents::default();
    let mut results = jobs.iter().zip(results).enumerate().peekable();
    for ai in walked_args {
        let before = (ordered.len(), pages.len());
        while let Some((n, ((_, path, _), (result, digest)))) =
            results.next_if(|(_, ((a, _, _), _))| *a == ai)
        {
            let n = n + 1;
            match result {
                // The same JSON document twice in a walk is one plan; two
                // files named on the command line are what was asked for.
                Ok(Some(Parsed::Plan(plan))) => {
                    let first = digest.and_then(|d| documents.same_as(d, &plan.path, path));
                    match first {
                        Some(same_as) => reading.duplicates.push(Duplicate {
                            path: plan.path,
                            same_as,
                        }),
                        None => ordered.push((n, plan)),
                    }
                }
                Ok(Some(Parsed::Page(page))) => {
                    page_order.push(n);
                    pages.push(page);
                }
                Ok(Some(Parsed::NotAPlan(why))) => reading.skipped.push(Skipped {
                    path: display(path),
                    why,
                }),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        let arg = &args[ai];
        let found = ordered.len() + pages.len() - before.0 - before.1;
        if found == 0 && arg != "-" && Path::new(arg).is_dir() && errors.is_empty() {
            errors.push(ReadError::NoPlans {
                path: arg.clone(),
                looked_at: reading.looked_at,
                not_plans: reading.skipped.len(),
            });
        }
    }
    let n = jobs.len();
    if errors.is_empty() {
        match parse::assemble(pages) {
            Ok(plans) => {
                // A CloudFormation plan is placed where its first page was given.
                let mut firsts = page_order.into_iter();
                ordered.extend(plans.into_iter().map(|p| (firsts.next().unwrap_or(n), p)));
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return Err(ReadErrors { errors });
    }
    ordered.sort_by_key(|(i, _)| *i);
    reading.plans = ordered.into_iter().map(|(_, p)| p).collect();
    Ok(reading)
}

/// A file's result and, for a walked Terraform plan, its JSON's digest.
type Outcome = (Result<Option<Parsed>, ReadError>, Option<Vec<u8>>);

/// Read `jobs` on every core, each file by one worker, the results in the
/// jobs' order. Memory holds the files being read (one per worker) and what
/// was parsed; `progress` is told on this thread.
fn read_all(
    jobs: &[(usize, PathBuf, Origin)],
    progress: &mut dyn FnMut(Progress<'_>),
) -> Vec<Outcome> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len());
    if workers <= 1 {
        return jobs
            .iter()
            .map(|(_, path, origin)| {
                let mut digest = None;
                (read_one(path, *origin, progress, &mut digest), digest)
            })
            .collect();
    }
    enum Event {
        Reading(usize, u64),
        Read(usize),
        Done(usize, Box<Outcome>),
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel::<Event>();
    let mut out: Vec<Option<Outcome>> = (0..jobs.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((_, path, origin)) = jobs.get(i) else {
                        break;
                    };
                    let mut notify = |p: Progress<'_>| {
                        let _ = tx.send(match p {
                            Progress::Reading { bytes, .. } => Event::Reading(i, bytes),
                            Progress::Read { .. } => Event::Read(i),
                        });
                    };
                    let mut digest = None;
                    let result = read_one(path, *origin, &mut notify, &mut digest);
                    if tx.send(Event::Done(i, Box::new((result, digest)))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for event in rx {
            match event {
                Event::Reading(i, bytes) => progress(Progress::Reading {
                    path: &name_of(&jobs[i].1),
                    bytes,
                }),
                Event::Read(i) => progress(Progress::Read {
                    path: &name_of(&jobs[i].1),
                }),
                Event::Done(i, outcome) => out[i] = Some(*outcome),
            }
        }
    });
    out.into_iter()
        .zip(jobs)
        .map(|(o, (_, path, _))| {
            // A worker that stopped (it cannot: it sends before it ends) would leave
            // a file unread; that is an error, never a file passed over.
            o.unwrap_or_else(|| {
                (
                    Err(ReadError::Io {
                        path: name_of(path),
                        source: std::io::Error::other("the file was not read"),
                    }),
                    None,
                )
            })
        })
        .collect()
}

/// How a file is named in messages and reports.
fn name_of(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".to_owned()
    } else {
        display(path)
    }
}

/// The files an argument stands for.
fn collect(
    arg: &str,
    reading: &mut Reading,
    errors: &mut Vec<ReadError>,
) -> Option<Vec<(PathBuf, Origin)>> {
    let path = PathBuf::from(arg);
    if arg == "-" || !path.is_dir() {
        return Some(vec![(path, Origin::Named)]);
    }
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(&path)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            !(e.file_type().is_dir() && SKIP_DIRS.iter().any(|d| e.file_name() == *d))
        });
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() || (e.path_is_symlink() && e.path().is_file()) => {
                reading.looked_at += 1;
                files.push((e.into_path(), Origin::Walked));
            }
            Ok(_) => {}
            Err(source) => errors.push(ReadError::Walk {
                path: source.path().map_or_else(|| arg.to_owned(), display),
                source,
            }),
        }
    }
    Some(files)
}

fn display(path: &Path) -> String {
    // `plangate check .` names `plan.json`, not `./plan.json` (annotations and
    // reports use these names).
    path.strip_prefix(".").unwrap_or(path).display().to_string()
}

/// Read one file. `Ok(None)`: found in a directory and plainly not a plan.
/// One file; for a file a walk found, `digest` is set to the SHA-256 of the
/// plan's JSON (a binary plan's `show -json`), its outer whitespace trimmed.
fn read_one(
    path: &Path,
    origin: Origin,
    progress: &mut dyn FnMut(Progress<'_>),
    digest: &mut Option<Vec<u8>>,
) -> Result<Option<Parsed>, ReadError> {
    let name = name_of(path);
    let bytes = load(path, &name)?;
    progress(Progress::Reading {
        path: &name,
        bytes: bytes.len() as u64,
    });
    let walked = origin == Origin::Walked;
    let parsed = parse_bytes(path, &name, &bytes, origin, walked.then_some(&mut *digest));
    if walked
        && digest.is_none()
        && let Ok(Some(Parsed::Plan(p))) = &parsed
        && p.format == crate::model::Format::Terraform
    {
        *digest = Some(document_probe(&bytes));
    }
    progress(Progress::Read { path: &name });
    parsed
}

/// How much of each end of a walked plan's JSON its probe hashes.
const PROBE_END: usize = 64 << 10;

/// A walked plan's JSON (outer whitespace trimmed), told apart cheaply: its
/// length and the SHA-256 of its ends, or of all of it when it is small (the
/// first byte says which). Hashing every byte of every walked plan was a third
/// of reading a walk of big plans; two plans whose probes match are compared
/// in full ([`full_digest`]) before one is called the other's duplicate.
fn document_probe(json: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let json = json.trim_ascii();
    let mut h = Sha256::new();
    h.update((json.len() as u64).to_le_bytes());
    let complete = json.len() <= 2 * PROBE_END;
    if complete {
        h.update(json);
    } else {
        h.update(&json[..PROBE_END]);
        h.update(&json[json.len() - PROBE_END..]);
    }
    let mut out = vec![u8::from(complete)];
    out.extend_from_slice(&h.finalize());
    out
}

/// The SHA-256 of a plan file's JSON (a binary plan's `show -json`), read
/// again: only for a file whose probe matched another's.
fn full_digest(path: &Path) -> Option<Vec<u8>> {
    use sha2::{Digest, Sha256};
    let name = name_of(path);
    let bytes = load(path, &name).ok()?;
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let digest = if bytes[start..].starts_with(b"PK\x03\x04") {
        Sha256::digest(binary::show_json(path, &name).ok()?.trim_ascii())
    } else {
        Sha256::digest(bytes.trim_ascii())
    };
    Some(digest.to_vec())
}

/// A walked plan read: its path as reported, its file, its full digest once known.
type Known = (String, PathBuf, Option<Vec<u8>>);

/// The walked plans read so far, by probe, to find a plan read twice.
#[derive(Default)]
struct Documents {
    by_probe: std::collections::HashMap<Vec<u8>, Vec<Known>>,
}

impl Documents {
    /// The plan `file` is the same JSON document as, if one was read before;
    /// else it is recorded. A digest that cannot be computed makes the plans
    /// different: both are read (one plan too many, never one too few).
    fn same_as(&mut self, probe: Vec<u8>, plan: &str, file: &Path) -> Option<String> {
        let complete = probe.first() == Some(&1);
        let entry = self.by_probe.entry(probe).or_default();
        if entry.is_empty() {
            entry.push((plan.to_owned(), file.to_owned(), None));
            return None;
        }
        if complete {
            return Some(entry[0].0.clone());
        }
        let mine = full_digest(file);
        if mine.is_some() {
            for (path, their_file, theirs) in entry.iter_mut() {
                if theirs.is_none() {
                    *theirs = full_digest(their_file);
                }
                if *theirs == mine {
                    return Some(path.clone());
                }
            }
        }
        entry.push((plan.to_owned(), file.to_owned(), mine));
        None
    }
}

fn parse_bytes(
    path: &Path,
    name: &str,
    bytes: &[u8],
    origin: Origin,
    digest: Option<&mut Option<Vec<u8>>>,
) -> Result<Option<Parsed>, ReadError> {
    let name = name.to_owned();
    let named = origin == Origin::Named;
    // Names only ever make plangate stricter (see the module docs).
    let looks_like_plan_file = {
        let file = path.file_name().map(|f| f.to_string_lossy().to_lowercase());
        file.is_some_and(|f| f.ends_with(".json") || f.ends_with(".tfplan") || f == "tfplan")
    };
    let strict = named || looks_like_plan_file;
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let body = &bytes[start..];
    let sniff = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let file_name = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    match sniff.first() {
        None if strict => Err(ReadError::Empty { path: name }),
        None => Ok(None),
        // In a walk, JSON that cannot be read is skipped unless it looks like a
        // plan (a tsconfig.json with comments is not a damaged plan).
        Some(b'{' | b'[') if !named => match parse::parse_json(&name, bytes) {
            Err(e) if !looks_like_a_plan(&file_name, bytes) => Ok(Some(Parsed::NotAPlan(format!(
                "JSON that cannot be read, and not a plan by its start or name ({e})"
            )))),
            other => other.map(Some),
        },
        Some(b'{' | b'[') => parse::parse_json(&name, bytes).map(Some),
        _ if sniff.starts_with(b"PK\x03\x04") => read_zip(path, &name, bytes, strict, digest),
        _ if sniff.starts_with(b"\xFF\xFE") || sniff.starts_with(b"\xFE\xFF") => {
            if strict {
                Err(ReadError::Utf16 { path: name })
            } else {
                Ok(None)
            }
        }
        _ if sniff.starts_with(b"tfplan") => Err(ReadError::LegacyPlan { path: name }),
        _ if strict && is_binary(sniff) => Err(ReadError::NotAPlan {
            path: name,
            what: "binary data, not JSON".into(),
        }),
        // JSON with comments (tsconfig, editor settings) in a walk is no plan.
        _ if !named
            && (sniff.starts_with(b"//") || sniff.starts_with(b"/*"))
            && !looks_like_a_plan(&file_name, bytes) =>
        {
            Ok(None)
        }
        _ if strict => {
            // Parse anyway: serde_json then says exactly where it stops being JSON.
            match parse::parse_json(&name, bytes)? {
                Parsed::NotAPlan(what) => Err(ReadError::NotAPlan { path: name, what }),
                parsed => Ok(Some(parsed)),
            }
        }
        _ => Ok(None),
    }
    .and_then(|parsed| match parsed {
        Some(Parsed::NotAPlan(what)) if named => Err(ReadError::NotAPlan {
            path: display(path),
            what,
        }),
        other => Ok(other),
    })
}

/// NUL bytes or invalid UTF-8 near the start: not text at all.
fn is_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    match std::str::from_utf8(head) {
        Ok(text) => text.contains('\0'),
        // A multi-byte character cut by the 1 KiB window is still text.
        Err(e) => e.error_len().is_some() || head.contains(&0),
    }
}

fn read_zip(
    path: &Path,
    name: &str,
    bytes: &[u8],
    strict: bool,
    digest: Option<&mut Option<Vec<u8>>>,
) -> Result<Option<Parsed>, ReadError> {
    match binary::is_plan_zip(bytes) {
        Ok(true) if path.as_os_str() == "-" => Err(ReadError::NotAPlan {
            path: name.to_owned(),
            what: "a binary plan on standard input; give its file path instead, so that \
                   `terraform show -json` can read it"
                .into(),
        }),
        Ok(true) => {
            let json = binary::show_json(path, name)?;
            if let Some(digest) = digest {
                *digest = Some(document_probe(&json));
            }
            let mut parsed = parse::parse_json(name, &json)?;
            // The configuration it was made from, for `check`'s provenance;
            // `changes` needs none of it, so a snapshot that cannot be read
            // is an error only there.
            if let Parsed::Plan(plan) = &mut parsed {
                plan.origin.snapshot = Some(crate::provenance::snapshot::read(bytes));
            }
            Ok(Some(parsed))
        }
        Ok(false) if strict => Err(ReadError::NotAPlan {
            path: name.to_owned(),
            what: "a zip archive without a `tfplan` entry".into(),
        }),
        Err(e) if strict => Err(ReadError::NotAPlan {
            path: name.to_owned(),
            what: format!("a damaged zip archive ({e})"),
        }),
        _ => Ok(None),
    }
}

fn load(path: &Path, name: &str) -> Result<Bytes, ReadError> {
    let io = |source| ReadError::Io {
        path: name.to_owned(),
        source,
    };
    if path.as_os_str() == "-" {
        // `plangate changes - < plan.json`: standard input is the file itself,
        // read as a path is (mapped when big), from where it stands.
        #[cfg(unix)]
        if let Some(file) = stdin_file() {
            return from_file(file, name);
        }
        // A pipe: read it in big steps (its size is not known beforehand).
        let mut buf = Vec::with_capacity(PIPE_CHUNK);
        std::io::stdin().lock().read_to_end(&mut buf).map_err(io)?;
        return Ok(Bytes::Owned(buf));
    }
    from_file(File::open(path).map_err(io)?, name)
}

/// What a pipe's buffer starts at: most plans are bigger than the default's few KB.
const PIPE_CHUNK: usize = 1 << 20;

/// Standard input as a [`File`], when it is a regular file read from its start.
#[cfg(unix)]
fn stdin_file() -> Option<File> {
    use std::io::Seek;
    use std::os::fd::AsFd;
    let fd = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
    let mut file = File::from(fd);
    let regular = file.metadata().ok()?.is_file();
    // A file already partly read (`{ read line; plangate …; } < f`) is read
    // from where it stands, which a map of the whole file would not be.
    (regular && file.stream_position().ok()? == 0).then_some(file)
}

fn from_file(mut file: File, name: &str) -> Result<Bytes, ReadError> {
    let io = |source| ReadError::Io {
        path: name.to_owned(),
        source,
    };
    let len = file.metadata().map_err(io)?.len();
    if len < MAP_THRESHOLD {
        let mut buf = Vec::with_capacity(len as usize);
        file.read_to_end(&mut buf).map_err(io)?;
        return Ok(Bytes::Owned(buf));
    }
    // SAFETY: the map is read-only and private to this process. If another
    // process truncates the file while it is mapped, reads past the new end
    // fault; plans are written before plangate runs, as with any reader.
    #[allow(unsafe_code)]
    let map = unsafe { memmap2::MmapOptions::new().map(&file) }.map_err(io)?;
    #[cfg(unix)]
    let _ = map.advise(memmap2::Advice::Sequential);
    Ok(Bytes::Mapped(map))
}
