//! Line hunks between two versions of a file, computed here rather than parsed
//! from `git diff` output (whose paths git quotes and whose combined-diff format
//! differs for merges).

use similar::{DiffOp, TextDiff};

/// A changed region: 1-based first line and line count on each side. A count of
/// 0 means the region is a point between lines (pure insertion or deletion).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hunk {
    pub old_start: usize,
    pub old_len: usize,
    pub new_start: usize,
    pub new_len: usize,
}

impl Hunk {
    /// The old-side lines as a half-open range; a point counts as the line after it.
    pub fn old_lines(&self) -> std::ops::Range<usize> {
        self.old_start..self.old_start + self.old_len.max(1)
    }

    pub fn new_lines(&self) -> std::ops::Range<usize> {
        self.new_start..self.new_start + self.new_len.max(1)
    }
}

/// One file a commit changed: its text before (first parent) and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDiff {
    pub path: String,
    /// `None` when the commit added the file.
    pub old: Option<String>,
    /// `None` when the commit deleted the file.
    pub new: Option<String>,
    pub hunks: Vec<Hunk>,
}

/// The hunks turning `old` into `new`, with no context lines.
pub fn hunks(old: &str, new: &str) -> Vec<Hunk> {
    let diff = TextDiff::from_lines(old, new);
    diff.grouped_ops(0)
        .iter()
        .filter_map(|group| {
            let first = group.first()?;
            let last = group.last()?;
            if group.iter().all(|op| matches!(op, DiffOp::Equal { .. })) {
                return None;
            }
            let old_start = first.old_range().start;
            let new_start = first.new_range().start;
            Some(Hunk {
                old_start: old_start + 1,
                old_len: last.old_range().end - old_start,
                new_start: new_start + 1,
                new_len: last.new_range().end - new_start,
            })
        })
        .collect()
}

/// A merge's own hunks: those of the diff from the first parent that also differ
/// from every other parent (git's `--cc` rule). What a merge brings in from a
/// side branch is that branch's commits' work; what it changes beyond every
/// parent is its own, and a change hidden there must not go unattributed.
pub fn merge_hunks(parents: &[Option<&str>], merged: &str) -> Vec<Hunk> {
    let Some((first, others)) = parents.split_first() else {
        return Vec::new();
    };
    let from_first = hunks(first.unwrap_or(""), merged);
    let from_others: Vec<Vec<Hunk>> = others
        .iter()
        .map(|p| hunks(p.unwrap_or(""), merged))
        .collect();
    from_first
        .into_iter()
        .filter(|h| {
            from_others.iter().all(|other| {
                other
                    .iter()
                    .any(|o| overlaps(&h.new_lines(), &o.new_lines()))
            })
        })
        .collect()
}

pub fn overlaps(a: &std::ops::Range<usize>, b: &std::ops::Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_have_git_numbering() {
        let old = "a\nb\nc\nd\n";
        let new = "a\nB\nc\nd\ne\n";
        assert_eq!(
            hunks(old, new),
            [
                Hunk {
                    old_start: 2,
                    old_len: 1,
                    new_start: 2,
                    new_len: 1
                },
                Hunk {
                    old_start: 5,
                    old_len: 0,
                    new_start: 5,
                    new_len: 1
                },
            ]
        );
        assert_eq!(
            hunks("a\nb\nc\n", "a\nc\n"),
            [Hunk {
                old_start: 2,
                old_len: 1,
                new_start: 2,
                new_len: 0
            }]
        );
        assert!(hunks("same\n", "same\n").is_empty());
    }

    #[test]
    fn a_merge_owns_only_what_differs_from_every_parent() {
        let base = "1\n2\n3\n4\n5\n6\n7\n8\n";
        let ours = "1\nTWO\n3\n4\n5\n6\n7\n8\n"; // first parent changed line 2
        let theirs = "1\n2\n3\n4\n5\n6\n7\nEIGHT\n"; // second parent changed line 8
        let clean = "1\nTWO\n3\n4\n5\n6\n7\nEIGHT\n";
        assert!(merge_hunks(&[Some(ours), Some(theirs)], clean).is_empty());
        // An "evil" merge that also deletes line 5, which neither parent did.
        let evil = "1\nTWO\n3\n4\n6\n7\nEIGHT\n";
        let own = merge_hunks(&[Some(ours), Some(theirs)], evil);
        assert_eq!(own.len(), 1);
        assert_eq!((own[0].old_start, own[0].old_len), (5, 1));
        let _ = base;
    }
}
