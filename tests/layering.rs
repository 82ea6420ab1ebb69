//! The house's stairs run one way (ARCHITECTURE.md): a module of the library
//! imports only modules of earlier stages. This reads every `crate::…` path in
//! src/ (unit tests aside: a test may build its inputs with a later stage) and
//! fails on an import that climbs, unless it is one of the few known ones
//! below, each waiting to be moved; a known one that is gone must be struck
//! from the list, so the list only shrinks.

use std::collections::BTreeSet;
use std::path::Path;

/// The library's modules in the order data flows through them.
const STAGES: &[&str] = &[
    "git",         // the edge to git: revisions, trees, logs
    "hcl",         // the strict HCL reader, shared by the catalog, the rules, the configuration
    "model",       // the normalized change model: plain data
    "provenance",  // what a plan says of the configuration it was made from
    "parse",       // plan JSON and change sets into the model
    "input",       // the edge to files: walks, maps, `terraform show -json`
    "classify",    // who made a commit: agent, human or bot, with evidence
    "history",     // the range's commits, classified
    "attribution", // which commits wrote each change
    "policy",      // the rules, compiled
    "config",      // `.plangate.hcl`: each stage's settings, read from one file
    "approvals",   // reviews judged: who may approve, what counts
    "gate",        // rules applied, approvals decided, one verdict
    "guard",       // the agent hook: the gate at the moment a command runs
    "report",      // the verdict written for people and machines
    "error",       // the library's one error type, over every stage's
];

/// Imports that climb today, each a type that lives a stage too high.
const KNOWN: &[(&str, &str, &str)] = &[
    (
        "model",
        "provenance",
        "model::Plan carries provenance::Origin (the plan's configuration snapshot); it belongs in model",
    ),
    (
        "provenance",
        "attribution",
        "provenance compares with attribution's Snapshot and its path helpers; they belong in git",
    ),
];

fn rank(module: &str) -> Option<usize> {
    STAGES.iter().position(|s| *s == module)
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module of src/ a file belongs to (`src/gate/run.rs` → `gate`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

/// `crate::X` paths in code, with unit-test modules cut off and comments skipped.
fn imports(text: &str) -> BTreeSet<String> {
    // A unit-test module ends at the first `}` in column 0 after it.
    let code = match text.find("#[cfg(test)]\nmod tests {") {
        Some(at) => {
            let end = text[at..].find("\n}\n").map_or(text.len(), |e| at + e + 3);
            format!("{}{}", &text[..at], &text[end..])
        }
        None => text.to_owned(),
    };
    let mut out = BTreeSet::new();
    for line in code.lines() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let tail = &rest[at + "crate::".len()..];
            let name: String = tail
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
            rest = tail;
        }
    }
    out
}

#[test]
fn modules_import_only_from_earlier_stages() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut climbing = Vec::new();
    let mut seen_known = BTreeSet::new();
    let mut modules = BTreeSet::new();
    for file in &files {
        let module = module_of(&src, file);
        if module == "lib" || module == "bin" || file.ends_with("tests.rs") {
            continue;
        }
        modules.insert(module.clone());
        let Some(own) = rank(&module) else {
            panic!("src/{module} is in no stage: add it to STAGES (and ARCHITECTURE.md)");
        };
        let text = std::fs::read_to_string(file).unwrap();
        for imported in imports(&text) {
            let Some(theirs) = rank(&imported) else {
                continue; // not a module (a macro, a re-export's name)
            };
            if theirs <= own {
                continue;
            }
            if KNOWN.iter().any(|(a, b, _)| *a == module && *b == imported) {
                seen_known.insert((module.clone(), imported));
                continue;
            }
            climbing.push(format!(
                "{} imports crate::{imported} (stage {theirs}) from stage {own} ({module})",
                file.strip_prefix(&src).unwrap().display()
            ));
        }
    }
    assert!(
        climbing.is_empty(),
        "imports that climb (move the type down, or pass it in as data):\n{}",
        climbing.join("\n")
    );
    for (a, b, why) in KNOWN {
        assert!(
            seen_known.contains(&(a.to_string(), b.to_string())),
            "{a} no longer imports {b} ({why}): strike it from KNOWN"
        );
    }
    for stage in STAGES {
        assert!(
            modules.contains(*stage),
            "STAGES names src/{stage}, which is gone"
        );
    }
}

#[test]
fn the_checker_sees_an_import_and_not_a_comment() {
    let found = imports(
        "use crate::gate::Finding;\n// crate::report\nfn f() { crate::policy::x(); }\n#[cfg(test)]\nmod tests {\n    use crate::guard;\n}\nuse crate::input;\n",
    );
    let want: BTreeSet<String> = ["gate", "input", "policy"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(found, want);
}
