//! The benchmark's baseline: the least a reader can do. One serde_json pass over
//! a memory-mapped plan that keeps only each change's address, type and actions
//! and skips everything else. plangate is measured against it (bench/run.py):
//! it must stay within 1.5x of this while doing the real work.
//!
//! Usage: skip_pass PLAN.json   (prints how many changes have "delete" in actions)

use std::borrow::Cow;

use serde::Deserialize;

#[derive(Deserialize)]
struct Plan<'a> {
    #[serde(borrow, default)]
    resource_changes: Vec<ResourceChange<'a>>,
}

#[derive(Deserialize)]
struct ResourceChange<'a> {
    #[serde(borrow)]
    address: Cow<'a, str>,
    #[serde(rename = "type", borrow)]
    resource_type: Cow<'a, str>,
    #[serde(borrow)]
    change: Change<'a>,
}

#[derive(Deserialize)]
struct Change<'a> {
    #[serde(borrow)]
    actions: Vec<Cow<'a, str>>,
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: skip_pass PLAN.json");
    let file = std::fs::File::open(&path).expect("open the plan");
    #[allow(unsafe_code)]
    // SAFETY: read-only private map of a file nobody writes during the benchmark.
    let map = unsafe { memmap2::Mmap::map(&file) }.expect("map the plan");
    let plan: Plan = serde_json::from_slice(&map).expect("valid plan JSON");
    let deletes = plan
        .resource_changes
        .iter()
        .filter(|rc| rc.change.actions.iter().any(|a| a == "delete"))
        .filter(|rc| !rc.address.is_empty() && !rc.resource_type.is_empty())
        .count();
    println!("{deletes}");
}
