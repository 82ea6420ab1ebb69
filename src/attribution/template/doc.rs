//! The document index: each collection's end, the entries of a mapping, and the line span of
//! an entry's declaration (trimmed of trailing blank and comment lines in block style).

use super::Lines;
use super::events::{Ev, Kind, Style};

/// One document's events, with the index of each collection's end.
pub(super) struct Doc<'a> {
    pub(super) evs: Vec<Ev>,
    /// For a collection start, the index of its end event; otherwise the index itself.
    pub(super) ends: Vec<usize>,
    /// The source's lines (split on `\n`), for trimming and for telling flow collections.
    lines: Vec<&'a str>,
    json: bool,
}

/// One entry of a mapping: indices of its key, its value, and the event after the value.
#[derive(Debug, Clone, Copy)]
pub(super) struct Entry {
    pub(super) key: usize,
    pub(super) value: usize,
    pub(super) next: usize,
}

impl<'a> Doc<'a> {
    pub(super) fn new(text: &'a str, evs: Vec<Ev>, json: bool) -> Doc<'a> {
        let mut ends: Vec<usize> = (0..evs.len()).collect();
        let mut stack = Vec::new();
        for (i, e) in evs.iter().enumerate() {
            match e.kind {
                Kind::MapStart | Kind::SeqStart => stack.push(i),
                Kind::MapEnd | Kind::SeqEnd => {
                    if let Some(s) = stack.pop() {
                        ends[s] = i;
                    }
                }
                Kind::Scalar | Kind::Alias => {}
            }
        }
        // Unbalanced starts (impossible after a successful parse) end with the stream.
        let last = evs.len().saturating_sub(1);
        for s in stack {
            ends[s] = last;
        }
        Doc {
            evs,
            ends,
            lines: text.split('\n').collect(),
            json,
        }
    }

    pub(super) fn kind(&self, i: usize) -> Option<Kind> {
        self.evs.get(i).map(|e| e.kind)
    }

    /// The index just after the node that starts at `i`.
    pub(super) fn skip(&self, i: usize) -> usize {
        match self.kind(i) {
            Some(Kind::MapStart | Kind::SeqStart) => self.ends.get(i).map_or(i, |&e| e.max(i)) + 1,
            _ => i + 1,
        }
    }

    /// The entries of the mapping that starts at `map`.
    pub(super) fn entries(&self, map: usize) -> Vec<Entry> {
        let mut out = Vec::new();
        if self.kind(map) != Some(Kind::MapStart) {
            return out;
        }
        let end = self.ends.get(map).copied().unwrap_or(map);
        let mut j = map + 1;
        while j < end {
            let value = self.skip(j);
            if value >= end {
                break;
            }
            let next = self.skip(value);
            out.push(Entry {
                key: j,
                value,
                next,
            });
            j = next;
        }
        out
    }

    /// The key of an entry, when it is a scalar.
    pub(super) fn key(&self, e: &Entry) -> Option<&str> {
        let ev = self.evs.get(e.key)?;
        (ev.kind == Kind::Scalar).then_some(ev.value.as_str())
    }

    /// The value of the first entry of the mapping at `map` whose key is `name`.
    pub(super) fn get(&self, map: usize, name: &str) -> Option<usize> {
        self.entries(map)
            .into_iter()
            .find(|e| self.key(e) == Some(name))
            .map(|e| e.value)
    }

    /// Whether the mapping that starts at `map` is flow style (`{…}`).
    pub(super) fn is_flow(&self, map: usize) -> bool {
        if self.json {
            return true;
        }
        let Some(ev) = self.evs.get(map) else {
            return false;
        };
        ev.line
            .checked_sub(1)
            .and_then(|l| self.lines.get(l))
            .and_then(|l| l.chars().nth(ev.col))
            == Some('{')
    }

    /// The lines of an entry's declaration. `flow`: whether its mapping is flow style.
    pub(super) fn span(&self, e: &Entry, flow: bool) -> Lines {
        let line_of = |i: usize| self.evs.get(i).map_or(0, |ev| ev.line);
        let start = line_of(e.key);
        if flow {
            let end = line_of(e.next.saturating_sub(1)).max(start);
            return Lines { start, end };
        }
        // The value's own nodes start no later than `floor`; block collection ends are
        // reported at the next token, so they do not count.
        let mut floor = start;
        let mut last_scalar = None;
        for ev in self.evs.get(e.value..e.next).unwrap_or_default() {
            match ev.kind {
                Kind::Scalar => {
                    floor = floor.max(ev.line);
                    last_scalar = Some(ev);
                }
                Kind::Alias | Kind::MapStart | Kind::SeqStart => floor = floor.max(ev.line),
                Kind::MapEnd | Kind::SeqEnd => {}
            }
        }
        // A block scalar's event is marked at its first content line, at its indentation.
        let block_indent = last_scalar
            .filter(|ev| ev.style == Style::Block)
            .map(|ev| ev.col);
        let boundary = self
            .evs
            .get(e.next)
            .map_or(self.lines.len() + 1, |ev| ev.line);
        let mut end = boundary.saturating_sub(1);
        while end > floor && self.trimmable(end, block_indent) {
            end -= 1;
        }
        Lines {
            start,
            end: end.max(floor),
        }
    }

    /// Whether 1-based line `n` is blank or comment-only (and not block scalar content).
    fn trimmable(&self, n: usize, block_indent: Option<usize>) -> bool {
        let Some(line) = n.checked_sub(1).and_then(|i| self.lines.get(i)) else {
            return true;
        };
        let t = line.trim();
        if t.is_empty() {
            return true;
        }
        if !t.starts_with('#') {
            return false;
        }
        let indent = line.chars().take_while(|&c| c == ' ').count();
        block_indent.is_none_or(|b| indent < b)
    }
}
