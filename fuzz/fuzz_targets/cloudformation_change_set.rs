//! CloudFormation change sets (`describe-change-set` output, the console's
//! export), one file or several joined: pages of one change set and nested
//! change sets. The input holds up to eight documents separated by NUL bytes
//! (never valid inside JSON), read as files `changeset-N.json`, then joined by
//! `plangate::parse::assemble` as `plangate::input::read_plans` joins files.
//!
//! Invariants: each page keeps every change; joining loses no change and makes
//! plans only from the files given, each change with an address; every error
//! names a given file, renders, and never shows a user's value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plangate::model::Format;
use plangate::parse::{Parsed, assemble, parse_json};
use plangate_fuzz::{check_page, check_read_error, check_terraform_plan, render};

fuzz_target!(|data: &[u8]| {
    let documents: Vec<(String, &[u8])> = data
        .split(|&b| b == 0)
        .take(8)
        .enumerate()
        .map(|(i, d)| (format!("changeset-{i}.json"), d))
        .collect();
    let mut pages = Vec::new();
    let mut failed = false;
    for (path, bytes) in &documents {
        match parse_json(path, bytes) {
            Ok(Parsed::Page(page)) => {
                check_page(&page, path, bytes);
                pages.push(page);
            }
            Ok(Parsed::Plan(plan)) => check_terraform_plan(&plan, path, bytes),
            Ok(Parsed::NotAPlan(what)) => assert!(!what.is_empty()),
            Err(e) => {
                failed = true;
                check_read_error(e, &documents);
            }
        }
    }
    // read_plans joins pages only when every file was read.
    if failed || pages.is_empty() {
        return;
    }
    let given: usize = pages.iter().map(|p| p.changes.len()).sum();
    let names: Vec<&str> = documents.iter().map(|(p, _)| p.as_str()).collect();
    match assemble(pages) {
        Ok(plans) => {
            assert!(!plans.is_empty(), "pages were given and no plan came out");
            let joined: usize = plans.iter().map(|p| p.changes.len()).sum();
            assert!(
                joined >= given,
                "joining lost changes: {given} given, {joined} kept"
            );
            for plan in &plans {
                assert_eq!(plan.format, Format::CloudFormation);
                assert!(names.contains(&plan.path.as_str()), "a plan from nowhere");
                for part in &plan.parts {
                    assert!(
                        names.contains(&part.as_str()),
                        "a part from nowhere: {part}"
                    );
                }
                for c in &plan.changes {
                    assert!(
                        !c.address.is_empty(),
                        "a change with an empty address: {c:?}"
                    );
                    assert!(
                        !c.address.ends_with('/'),
                        "an address naming no resource: {c:?}"
                    );
                }
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "joining failed without saying why");
            for e in errors {
                assert!(
                    names.contains(&e.path()),
                    "an error about a file not given: {e:?}"
                );
                render(e);
            }
        }
    }
});
