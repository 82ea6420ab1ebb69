//! Tests of template parsing; fixtures and cases by format in the submodules.

use super::*;

mod dependencies;
mod json;
mod robustness;
mod yaml;

fn lines(start: usize, end: usize) -> Lines {
    Lines { start, end }
}

fn resource<'t>(t: &'t Template, id: &str) -> &'t TemplateResource {
    t.resources
        .iter()
        .find(|r| r.logical_id == id)
        .unwrap_or_else(|| panic!("no resource {id}"))
}

/// The 1-based line of the only line of `text` that contains `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    let hits: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(hits.len(), 1, "{needle:?} is on lines {hits:?}");
    hits[0]
}
