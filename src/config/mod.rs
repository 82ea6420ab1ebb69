//! plangate's configuration: the built-in catalog (`rules/*.hcl`, compiled in)
//! and a repository's `.plangate.hcl`, read strictly (see [`hcl`]).

/// The strict HCL reader, shared with the catalog and the policy (kept here too, where
/// callers of the library have always found it).
pub use crate::hcl;
pub use crate::hcl::repository_path;

use globset::Glob;

use crate::attribution::settings::build;
pub use crate::attribution::settings::{PlanSetting, Settings as Attribution, StackSetting};

use crate::classify::Catalog;
use crate::classify::catalog;
use crate::policy::{self, Policy};
use hcl::{ConfigErrors, Reader, SourceFile};

/// The default name of a repository's configuration, at its root.
pub const FILE_NAME: &str = crate::attribution::settings::CONFIG_FILE_NAME;

/// Files whose changes count as infrastructure changes when a destructive
/// change cannot be tied to the block that declares it.
pub const DEFAULT_INFRASTRUCTURE: &[&str] = &[
    "**/*.tf",
    "**/*.tf.json",
    "**/*.tfvars",
    "**/*.tfvars.json",
    "**/.terraform.lock.hcl",
    "**/*.tofu",
    "**/terragrunt.hcl",
    "**/*.template",
    "**/*.template.json",
    "**/*.template.yaml",
    "**/*.template.yml",
    "**/template.yaml",
    "**/template.yml",
    "**/cloudformation/**",
    "**/cfn/**",
    "**/cdk.json",
    // The workflows that make the plans: `-replace=`, `-destroy` or a `-var`
    // added there changes the plan without touching a declaration.
    ".github/workflows/*.yml",
    ".github/workflows/*.yaml",
];

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub catalog: Catalog,
    pub attribution: Attribution,
    pub policy: Policy,
    /// `approvals { … }`: what else an approval may have been given on.
    pub approvals: ApprovalSettings,
    /// `guard { … }`: what `plangate guard` does with what it holds.
    pub guard: GuardSettings,
    /// Where it was read from (`None`: built-in defaults only).
    pub source: Option<String>,
    /// SHA-256 (hex) of plangate's version and the configuration's text: equal
    /// digests, the same rules judged the same way (a record's findings may be
    /// re-judged only under the configuration they were found with).
    pub digest: String,
}

/// `approvals { carry_over = "same-destructive-set", record = true, record_app = "…" }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalSettings {
    /// An approval of an earlier commit of the pull request counts at the
    /// head when plangate's record of that commit holds the head's whole
    /// destructive set. Off by default: it is a loosening of "approved the head".
    pub carry_over: bool,
    /// Record the head's destructive set on a pull request (a check run), so
    /// that a review can be re-judged from it (`check --from-record`). Implied
    /// by `carry_over`, which reads the records of earlier commits.
    pub record: bool,
    /// The GitHub App whose check runs are plangate's records (its slug).
    pub record_app: String,
}

impl ApprovalSettings {
    /// Does `check` record the head's destructive set on a pull request?
    pub fn writes_records(&self) -> bool {
        self.record || self.carry_over
    }
}

impl Default for ApprovalSettings {
    fn default() -> Self {
        ApprovalSettings {
            carry_over: false,
            record: false,
            record_app: DEFAULT_RECORD_APP.to_owned(),
        }
    }
}

/// What the guard answers a command it holds or cannot see through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuardAnswer {
    Deny,
    /// Ask the person at the agent (where the agent can ask; else deny).
    Ask,
    Allow,
}

impl GuardAnswer {
    fn parse(text: &str) -> Option<GuardAnswer> {
        match text {
            "deny" => Some(GuardAnswer::Deny),
            "ask" => Some(GuardAnswer::Ask),
            "allow" => Some(GuardAnswer::Allow),
            _ => None,
        }
    }
}

/// `guard { held = "deny", unresolved = "deny", commands = […], directories = […] }`.
#[derive(Debug, Clone)]
pub struct GuardSettings {
    /// A held command (the catalog's, an unplanned apply, a plan that needs
    /// approval): `deny` (default) or `ask`.
    pub held: GuardAnswer,
    /// A command the guard cannot see through (a script, `eval`, a variable
    /// as the program): `deny` (default), `ask` or `allow`.
    pub unresolved: GuardAnswer,
    /// Only these catalog ids (globs) are held; empty: all.
    pub commands: Vec<String>,
    /// Only commands run under these directories (globs over the directory,
    /// relative to the repository's root) are judged; empty: everywhere.
    pub directories: Vec<String>,
    /// Where an `apply PLANFILE` that needs approval may find it.
    pub approvals: GuardApprovals,
}

/// `guard { approvals = … }`: whether an `apply PLANFILE` that needs approval
/// is judged as `check --apply` judges it (the pull request that merged the
/// checked-out commit, its recorded destructive set and its reviews).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuardApprovals {
    /// No approval is looked for: the apply is held (the default).
    None,
    /// `"github"`: the apply gate's judgement, through the GitHub API.
    GitHub,
}

impl Default for GuardSettings {
    fn default() -> Self {
        GuardSettings {
            held: GuardAnswer::Deny,
            unresolved: GuardAnswer::Deny,
            commands: Vec::new(),
            directories: Vec::new(),
            approvals: GuardApprovals::None,
        }
    }
}

/// The app a workflow's `GITHUB_TOKEN` writes check runs as.
pub const DEFAULT_RECORD_APP: &str = "github-actions";

/// The one carry-over rule there is (named so that others can be added).
const CARRY_OVER: &str = "same-destructive-set";

/// Errors of the built-in configuration are bugs in plangate, caught by tests;
/// they are still returned, never panicked on.
///
/// Read once per process: compiling the built-in rules' globs and the
/// catalog's patterns is most of the cost of reading a configuration (tens of
/// milliseconds), which the fuzzer and the tests would otherwise pay per input.
pub fn builtin() -> Result<Config, ConfigErrors> {
    static BUILTIN: std::sync::OnceLock<Config> = std::sync::OnceLock::new();
    if let Some(config) = BUILTIN.get() {
        return Ok(config.clone());
    }
    let config = read_builtin()?;
    Ok(BUILTIN.get_or_init(|| config).clone())
}

fn read_builtin() -> Result<Config, ConfigErrors> {
    let globs: Vec<String> = DEFAULT_INFRASTRUCTURE
        .iter()
        .map(|s| s.to_string())
        .collect();
    Ok(Config {
        catalog: Catalog::builtin()?,
        attribution: Attribution::with(&globs).expect("the default globs are valid"),
        policy: policy::read_policy(None)?,
        approvals: ApprovalSettings::default(),
        guard: GuardSettings::default(),
        source: None,
        digest: digest_of(None),
    })
}

/// [`Config::digest`] of a configuration's text (`None`: built-in only).
fn digest_of(text: Option<&str>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(concat!("plangate ", env!("CARGO_PKG_VERSION"), "\n"));
    match text {
        Some(text) => {
            h.update("configuration\n");
            h.update(text);
        }
        None => h.update("built-in\n"),
    }
    format!("{:x}", h.finalize())
}

/// The largest configuration [`parse`] reads, in bytes. Reading takes about
/// 80 bytes of memory per byte of configuration (each glob is compiled), so
/// this keeps it under 1 GB; 10,000 rules take about 3 MB.
pub const MAX_CONFIG_BYTES: usize = 8 << 20;

/// The built-in configuration extended by a `.plangate.hcl`'s text, its
/// exceptions' dates compared with today's (UTC).
pub fn parse(file: SourceFile) -> Result<Config, ConfigErrors> {
    parse_on(file, MAX_CONFIG_BYTES, policy::exception::today())
}

/// [`parse`], refusing a file of more than `max_bytes`.
pub fn parse_at_most(file: SourceFile, max_bytes: usize) -> Result<Config, ConfigErrors> {
    parse_on(file, max_bytes, policy::exception::today())
}

/// [`parse_at_most`] on the day `today` (an exception whose `expires` is
/// before it is an error).
pub fn parse_on(
    file: SourceFile,
    max_bytes: usize,
    today: jiff::civil::Date,
) -> Result<Config, ConfigErrors> {
    let mut config = builtin()?;
    config.source = Some(file.name.clone());
    config.digest = digest_of(Some(&file.text));
    let mut reader = Reader::new(file);
    let size = reader.file.text.len();
    if size > max_bytes {
        reader.error(
            None,
            format!("the configuration is {size} bytes, more than the {max_bytes} plangate reads"),
            "this file",
            Some(
                "a configuration of that size is generated, not written: check that --config \
                 names the file you meant; keep rules general (globs over resource types and \
                 addresses) rather than one per resource"
                    .into(),
            ),
        );
        return Err(reader.finish().expect_err("an error was just recorded"));
    }
    let body = reader.parse()?;
    let mut f = reader.fields(&body, "at the top level");
    catalog::extend_from(&mut config.catalog, &mut reader, &mut f);
    for block in reader.blocks(&mut f, "attribution") {
        read_attribution(&mut reader, block, &mut config.attribution);
    }
    for block in reader.blocks(&mut f, "plan") {
        read_plan(&mut reader, block, &mut config.attribution);
    }
    for block in reader.blocks(&mut f, "stack") {
        read_stack(&mut reader, block, &mut config.attribution);
    }
    for block in reader.blocks(&mut f, "approvals") {
        read_approvals(&mut reader, block, &mut config.approvals);
    }
    for block in reader.blocks(&mut f, "guard") {
        read_guard(&mut reader, block, &mut config.guard);
    }
    config.policy = policy::read_policy(Some((&mut reader, &mut f)))?;
    config.policy.exceptions = policy::exception::read(&mut reader, &mut f, &config.policy, today);
    reader.unknown(
        f,
        "`rule`, `team`, `person`, `resource_group`, `exception`, `agents`, `agent`, `bot`, `attribution`, `plan`, `stack`, `approvals` or `guard` blocks",
    );
    reader.finish()?;
    Ok(config)
}

fn read_attribution(reader: &mut Reader, block: &hcl_edit::structure::Block, a: &mut Attribution) {
    let mut f = reader.fields(&block.body, "in `attribution`");
    if let Some(e) = reader.attribute(&mut f, "infrastructure") {
        let globs = reader.strings(e, "infrastructure");
        let mut ok = Vec::new();
        for g in &globs {
            if !repository_path(reader, g, "infrastructure") {
                continue;
            }
            match Glob::new(&g.value) {
                Ok(_) => ok.push(g.value.clone()),
                Err(err) => reader.error(
                    Some(g.span.clone()),
                    format!("invalid glob: {err}"),
                    "this glob",
                    None,
                ),
            }
        }
        if let Ok(new) = Attribution::with(&ok) {
            a.infrastructure = new.infrastructure;
            a.infrastructure_globs = new.infrastructure_globs;
        }
    }
    if let Some(e) = reader.attribute(&mut f, "terraform_roots")
        && let Some(pairs) = reader.object(e, "terraform_roots")
    {
        for (glob, dir) in pairs {
            let Some(dir) = reader.string(dir, "terraform_roots") else {
                continue;
            };
            // Both are checked, so that one run reports both.
            let glob_ok = repository_path(reader, &glob, "terraform_roots");
            let dir_ok = repository_path(reader, &dir, "terraform_roots");
            if !(glob_ok && dir_ok) {
                continue;
            }
            match build(std::slice::from_ref(&glob.value)) {
                Ok(set) => a.terraform_roots.push((
                    set,
                    glob.value,
                    dir.value.trim_end_matches('/').to_owned(),
                )),
                Err(err) => reader.error(
                    Some(glob.span),
                    format!("invalid glob: {err}"),
                    "this glob",
                    None,
                ),
            }
        }
    }
    reader.unknown(f, "`infrastructure` or `terraform_roots`");
}

fn read_approvals(
    reader: &mut Reader,
    block: &hcl_edit::structure::Block,
    a: &mut ApprovalSettings,
) {
    let mut f = reader.fields(&block.body, "in `approvals`");
    if let Some(e) = reader.attribute(&mut f, "carry_over")
        && let Some(v) = reader.string(e, "carry_over")
    {
        match v.value.as_str() {
            CARRY_OVER => a.carry_over = true,
            "none" => a.carry_over = false,
            other => reader.error(
                Some(v.span),
                format!("unknown carry_over `{other}`"),
                "this value",
                Some(format!(
                    "`carry_over` is \"{CARRY_OVER}\" (an approval of an earlier commit counts while \
                     the destructive set it was recorded with holds the head's) or \"none\""
                )),
            ),
        }
    }
    if let Some(e) = reader.attribute(&mut f, "record")
        && let Some(v) = reader.bool(e, "record")
    {
        a.record = v;
    }
    if let Some(e) = reader.attribute(&mut f, "record_app")
        && let Some(v) = reader.string(e, "record_app")
    {
        let slug = &v.value;
        let valid = !slug.is_empty()
            && slug
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if valid {
            a.record_app = slug.clone();
        } else {
            reader.error(
                Some(v.span),
                format!("`{slug}` is not a GitHub App slug"),
                "this value",
                Some(
                    "the app's slug, as in https://github.com/apps/SLUG (default: github-actions)"
                        .into(),
                ),
            );
        }
    }
    reader.unknown(f, "`carry_over`, `record` or `record_app`");
}

fn read_guard(reader: &mut Reader, block: &hcl_edit::structure::Block, g: &mut GuardSettings) {
    let mut f = reader.fields(&block.body, "in `guard`");
    for (key, allowed, slot) in [
        ("held", "\"deny\" or \"ask\"", &mut g.held),
        (
            "unresolved",
            "\"deny\", \"ask\" or \"allow\"",
            &mut g.unresolved,
        ),
    ] {
        if let Some(e) = reader.attribute(&mut f, key)
            && let Some(v) = reader.string(e, key)
        {
            match GuardAnswer::parse(&v.value) {
                Some(GuardAnswer::Allow) if key == "held" => reader.error(
                    Some(v.span),
                    "`held` cannot be \"allow\"",
                    "this value",
                    Some(
                        "a held command is denied or asked about; to hold fewer, list the ones to \
                         hold in `commands`"
                            .into(),
                    ),
                ),
                Some(answer) => *slot = answer,
                None => reader.error(
                    Some(v.span),
                    format!("unknown {key} `{}`", v.value),
                    "this value",
                    Some(format!("`{key}` is {allowed}")),
                ),
            }
        }
    }
    for (key, slot) in [
        ("commands", &mut g.commands),
        ("directories", &mut g.directories),
    ] {
        if let Some(e) = reader.attribute(&mut f, key) {
            for v in reader.strings(e, key) {
                if let Err(why) = globset::Glob::new(&v.value) {
                    reader.error(
                        Some(v.span),
                        format!("`{}` is not a glob: {why}", v.value),
                        "this value",
                        None,
                    );
                } else {
                    slot.push(v.value);
                }
            }
        }
    }
    if let Some(e) = reader.attribute(&mut f, "approvals")
        && let Some(v) = reader.string(e, "approvals")
    {
        match v.value.as_str() {
            "none" => g.approvals = GuardApprovals::None,
            "github" => g.approvals = GuardApprovals::GitHub,
            other => reader.error(
                Some(v.span),
                format!("unknown approvals `{other}`"),
                "this value",
                Some(
                    "`approvals` is \"none\" (an apply that needs approval is held) or \"github\" \
                     (judged as `check --apply` judges it)"
                        .into(),
                ),
            ),
        }
    }
    reader.unknown(
        f,
        "`held`, `unresolved`, `commands`, `directories` or `approvals`",
    );
}

fn read_plan(reader: &mut Reader, block: &hcl_edit::structure::Block, a: &mut Attribution) {
    let Some(label) = reader
        .labels(block, 1, "the plan file's path (a glob)")
        .map(|mut l| l.remove(0))
    else {
        return;
    };
    let mut f = reader.fields(&block.body, "in `plan`");
    let root = reader
        .attribute(&mut f, "root")
        .and_then(|e| reader.string(e, "root"))
        .filter(|r| repository_path(reader, r, "root"))
        .map(|r| r.value.trim_end_matches('/').to_owned());
    let var_files: Vec<String> = match reader.attribute(&mut f, "var_files") {
        Some(e) => reader
            .strings(e, "var_files")
            .into_iter()
            .filter(|v| repository_path(reader, v, "var_files"))
            .map(|v| v.value)
            .collect(),
        None => Vec::new(),
    };
    reader.unknown(f, "`root` or `var_files`");
    if !repository_path(reader, &label, "plan") {
        return;
    }
    match build(std::slice::from_ref(&label.value)) {
        Ok(glob) => a.plans.push(PlanSetting {
            glob,
            pattern: label.value,
            root,
            var_files,
        }),
        Err(err) => reader.error(
            Some(label.span),
            format!("invalid glob: {err}"),
            "this glob",
            None,
        ),
    }
}

fn read_stack(reader: &mut Reader, block: &hcl_edit::structure::Block, a: &mut Attribution) {
    let Some(label) = reader
        .labels(block, 1, "the stack's name (the change set's StackName)")
        .map(|mut l| l.remove(0))
    else {
        return;
    };
    let mut f = reader.fields(&block.body, "in `stack`");
    let path = |reader: &mut Reader, f: &mut hcl::Fields<'_>, key: &str| {
        reader
            .attribute(f, key)
            .and_then(|e| reader.string(e, key))
            .filter(|p| repository_path(reader, p, key))
            .map(|p| p.value)
    };
    let template = path(reader, &mut f, "template");
    let parameters = path(reader, &mut f, "parameters");
    reader.unknown(f, "`template` or `parameters`");
    match template {
        Some(template) => a.stacks.push(StackSetting {
            name: label.value,
            template,
            parameters,
        }),
        None => reader.error(
            Some(label.span),
            "a `stack` block needs `template`, the path of the template the stack is deployed from",
            "this stack",
            None,
        ),
    }
}

/// Where to read the configuration from.
#[derive(Debug, Clone, Default)]
pub struct Location {
    /// `--config FILE`; default `.plangate.hcl` at the repository's root.
    pub path: Option<String>,
    /// `--config-ref REV`: read it from this revision, not the working tree, so
    /// that a change cannot weaken the policy that judges it.
    pub rev: Option<String>,
}

/// Read the configuration. A missing default file means the built-in
/// configuration; a missing file that was asked for by name is an error.
///
/// A configuration in the repository is read only from a regular file: a
/// symbolic link there (in the work tree or at `--config-ref`) is refused, since
/// whoever may commit could point it at a file whose edits nothing watches, or
/// outside the repository (`/proc/self/environ`, whose text a syntax error would
/// print). A `--config` outside the repository is the operator's own choice.
pub fn load(location: &Location, repo: Option<&crate::git::Git>) -> Result<Config, crate::Error> {
    let explicit = location.path.is_some();
    let path = location
        .path
        .clone()
        .unwrap_or_else(|| FILE_NAME.to_owned());
    let refuse = |why: String, help: &str| crate::Error::ConfigPath {
        path: path.clone(),
        why,
        help: help.to_owned(),
    };
    let text = match (&location.rev, repo) {
        (Some(rev), Some(git)) => {
            let p = std::path::Path::new(&path);
            if p.is_absolute() || p.components().any(|c| c == std::path::Component::ParentDir) {
                return Err(refuse(
                    format!(
                        "is not a path in the repository, and --config-ref {rev} reads it from a revision"
                    ),
                    "with --config-ref, --config names a file by its path from the repository's root",
                ));
            }
            if git.is_symlink_at(rev, &path)? {
                return Err(refuse(
                    format!("is a symbolic link in revision {rev}"),
                    SYMLINK_HELP,
                ));
            }
            match git.file_at(rev, &path)? {
                Some(text) => text,
                None if explicit => {
                    return Err(crate::Error::ConfigNotAtRevision {
                        path,
                        rev: rev.clone(),
                    });
                }
                None => return Ok(builtin()?),
            }
        }
        _ => {
            let on_disk = match repo {
                Some(git) if !explicit => git.root().join(&path),
                _ => std::path::PathBuf::from(&path),
            };
            if let Some(git) = repo
                && let Some(link) = symlink_in_repository(&on_disk, git.root())
            {
                let target = std::fs::read_link(&link)
                    .map(|t| format!(" (to {})", t.display()))
                    .unwrap_or_default();
                let what = if link == on_disk.as_path() {
                    "is a symbolic link".to_owned()
                } else {
                    format!("is reached through the symbolic link {}", link.display())
                };
                return Err(refuse(format!("{what}{target}"), SYMLINK_HELP));
            }
            match std::fs::metadata(&on_disk) {
                // A device or a FIFO would block or never end; a directory is a mistake.
                Ok(m) if !m.is_file() => {
                    return Err(refuse(
                        "is not a regular file".into(),
                        "--config names a policy file (HCL)",
                    ));
                }
                _ => {}
            }
            match std::fs::read_to_string(&on_disk) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                    return Ok(builtin()?);
                }
                Err(source) => return Err(crate::Error::ConfigIo { path, source }),
            }
        }
    };
    let name = match &location.rev {
        Some(rev) => format!("{path}@{rev}"),
        None => path,
    };
    Ok(parse(SourceFile::new(name, text))?)
}

const SYMLINK_HELP: &str = "plangate reads a policy in the repository only from a regular file, \
    so that the file it reads is the one whose edits it watches (agent-edits-policy): commit \
    the policy itself, not a link to it";

/// The first symbolic link on the way from the repository's root to `path`
/// (the file included), when `path` is inside the repository.
fn symlink_in_repository(
    path: &std::path::Path,
    root: &std::path::Path,
) -> Option<std::path::PathBuf> {
    let absolute = absolute(path)?;
    let root = std::fs::canonicalize(root).ok()?;
    let inside = absolute.strip_prefix(&root).ok()?;
    let mut at = root.clone();
    for part in inside.components() {
        at.push(part);
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return Some(at);
        }
    }
    None
}

/// `path` made absolute from the current directory and with `.` and `..`
/// resolved as written (without following links: a link is what is looked for).
fn absolute(path: &std::path::Path) -> Option<std::path::PathBuf> {
    use std::path::Component;
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::fs::canonicalize(std::env::current_dir().ok()?)
            .ok()?
            .join(path)
    };
    let mut out = std::path::PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

/// The configuration's path as the repository's history names it (from its
/// root), for the rules that watch edits of it; `None` when the file in use is
/// not in the repository. `dir` is the directory plangate runs in.
pub fn repository_name(
    location: &Location,
    root: &std::path::Path,
    dir: &std::path::Path,
) -> Option<String> {
    let Some(path) = &location.path else {
        return Some(FILE_NAME.to_owned());
    };
    // Git reads `REV:PATH` from the root; a file on disk is found from `dir`.
    let from = if location.rev.is_some() { root } else { dir };
    let from = std::fs::canonicalize(from).ok()?;
    let absolute = absolute(&from.join(path))?;
    let root = std::fs::canonicalize(root).ok()?;
    let name = absolute
        .strip_prefix(&root)
        .ok()?
        .to_string_lossy()
        .replace('\\', "/");
    (!name.is_empty()).then_some(name)
}

/// The commented `.plangate.hcl` that `plangate init` writes.
pub const INIT_CONFIG: &str = include_str!("templates/plangate.hcl");
/// The example workflow that `plangate init` writes.
pub const INIT_WORKFLOW: &str = include_str!("templates/workflow.yml");

/// The GitLab CI job `plangate init --gitlab` writes (`.gitlab/ci/plangate.yml`).
pub const INIT_GITLAB: &str = include_str!("templates/gitlab-ci.yml");
