//! Invariants shared by the fuzz targets (fuzz_targets/*.rs): what must hold of
//! every plan plangate reads and every diagnostic it renders, whatever the input.

use std::fmt;
use std::sync::Once;

use plangate::model::{Action, Change, Format, Plan};
use plangate::parse::ReadError;
use plangate::parse::cloudformation::Page;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A diagnostic as the binary prints it (`{:?}` of a `miette::Report`), forced
/// to the graphical form so that its source excerpt is rendered too.
pub fn render<E: miette::Diagnostic + Send + Sync + 'static>(err: E) -> String {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let _ = miette::set_hook(Box::new(|_| {
            Box::new(
                miette::MietteHandlerOpts::new()
                    .color(false)
                    .unicode(true)
                    .terminal_links(false)
                    .width(100)
                    .force_graphical(true)
                    .build(),
            )
        }));
    });
    let code = err.code().map(|c| c.to_string());
    let plain = err.to_string();
    let text = format!("{:?}", miette::Report::new(err));
    if let Some(code) = code {
        assert!(
            text.contains(&code),
            "the rendering lacks its code {code}:\n{text}"
        );
    }
    assert!(!plain.is_empty(), "an error with no message:\n{text}");
    text
}

/// The input without the byte-order mark plangate skips.
pub fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

#[derive(Deserialize)]
struct TerraformCount {
    #[serde(default)]
    resource_changes: Option<Vec<IgnoredAny>>,
}

#[derive(Deserialize)]
struct ChangeSetCount {
    #[serde(rename = "Changes", default)]
    changes: Option<Vec<IgnoredAny>>,
}

/// Something plangate read must be JSON (`IgnoredAny` scans without a depth
/// limit, as plangate's reader skips values).
fn assert_json(bytes: &[u8]) {
    if let Err(e) = serde_json::from_slice::<IgnoredAny>(without_bom(bytes)) {
        panic!("plangate read a file that is not JSON ({e})");
    }
}

fn check_change(c: &Change, path: &str) {
    assert!(
        !c.address.is_empty(),
        "{path}: a change with an empty address: {c:?}"
    );
    assert!(
        !c.resource_type.is_empty(),
        "{path}: a change with no type: {c:?}"
    );
    assert_eq!(
        c.replace_order.is_some(),
        c.action == Action::Replace,
        "{path}: a replace order on a non-replace or none on a replace: {c:?}"
    );
}

/// A Terraform plan read from `bytes`: every resource change is kept, each
/// with an address, and the plan is what the file says.
pub fn check_terraform_plan(plan: &Plan, path: &str, bytes: &[u8]) {
    assert_json(bytes);
    assert_eq!(plan.format, Format::Terraform);
    assert_eq!(plan.path, path);
    assert!(plan.parts.is_empty());
    let count: TerraformCount = serde_json::from_slice(without_bom(bytes))
        .expect("a plan plangate read has a readable top level");
    assert_eq!(
        plan.changes.len(),
        count.resource_changes.map_or(0, |c| c.len()),
        "resource changes were dropped or invented"
    );
    for c in &plan.changes {
        check_change(c, path);
    }
}

/// One change-set page read from `bytes`: every change is kept, and the
/// nested change sets it names point at its changes.
pub fn check_page(page: &Page, path: &str, bytes: &[u8]) {
    assert_json(bytes);
    assert_eq!(page.path, path);
    let body = without_bom(bytes);
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    let listed = if first == Some(&b'[') {
        serde_json::from_slice::<Vec<IgnoredAny>>(body)
            .expect("a console export plangate read is an array")
            .len()
    } else {
        serde_json::from_slice::<ChangeSetCount>(body)
            .expect("a change set plangate read has a readable top level")
            .changes
            .map_or(0, |c| c.len())
    };
    assert_eq!(
        page.changes.len(),
        listed,
        "changes were dropped or invented"
    );
    assert_ne!(
        page.next_token.as_deref(),
        Some(""),
        "an empty NextToken kept"
    );
    for (at, id) in &page.children {
        assert!(*at < page.changes.len(), "a child points past the changes");
        assert!(!id.is_empty(), "a nested change set with an empty id");
    }
    for c in &page.changes {
        check_change(c, path);
    }
}

/// A read error names a file that was given, renders, says where when it
/// points into the file, and never shows a user's value.
pub fn check_read_error(err: ReadError, documents: &[(String, &[u8])]) {
    let Some((path, bytes)) = documents.iter().find(|(p, _)| p == err.path()) else {
        panic!("an error about a file that was not given: {err:?}");
    };
    if let ReadError::Syntax { line, span, .. } | ReadError::Shape { line, span, .. } = &err {
        // Offsets count from after the byte-order mark, as plangate reads.
        let bytes = without_bom(bytes);
        assert!(span.offset() <= bytes.len(), "a span past the end: {err:?}");
        if span.offset() < bytes.len() {
            let newlines = bytes[..span.offset()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            assert_eq!(
                1 + newlines,
                *line,
                "the label is not on the line the message names"
            );
        }
    }
    let names: Vec<&str> = documents.iter().map(|(p, _)| p.as_str()).collect();
    let secrets = secrets(bytes, &names);
    let text = render(err);
    assert!(
        text.contains(path.as_str()),
        "the diagnostic does not name {path}:\n{text}"
    );
    for s in secrets {
        assert!(
            !text.contains(&s),
            "the diagnostic shows the user's value {s:?}:\n{text}"
        );
    }
}

/// Where a value sits in a plan document, as far as showing it goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pos {
    Top,
    /// `resource_changes` / `resource_drift`: a list of resource changes.
    ResourceChanges,
    ResourceChange,
    /// A resource change's `change`.
    TfChange,
    DeferredChanges,
    Deferred,
    /// `Changes`: a list of change-set changes.
    CfnChanges,
    CfnChange,
    CfnResourceChange,
    CfnDetails,
    CfnDetail,
    CfnTarget,
    /// A user's value: attributes, variables, parameters, property values.
    User,
    /// Anything else: not checked either way.
    Other,
}

fn child(pos: Pos, key: &str) -> Pos {
    match (pos, key) {
        (Pos::User, _) => Pos::User,
        (Pos::Top, "resource_changes" | "resource_drift") => Pos::ResourceChanges,
        (Pos::Top, "deferred_changes") => Pos::DeferredChanges,
        (Pos::Top, "Changes") => Pos::CfnChanges,
        (
            Pos::Top,
            "variables" | "planned_values" | "prior_state" | "configuration" | "output_changes"
            | "checks" | "Parameters" | "Tags" | "Description",
        ) => Pos::User,
        (Pos::ResourceChange, "change") => Pos::TfChange,
        (
            Pos::TfChange,
            "before" | "after" | "after_unknown" | "before_sensitive" | "after_sensitive"
            | "importing" | "generated_config",
        ) => Pos::User,
        (Pos::Deferred, "resource_change") => Pos::ResourceChange,
        (Pos::CfnChange, "ResourceChange" | "resourceChange") => Pos::CfnResourceChange,
        (Pos::CfnResourceChange, "Details" | "details") => Pos::CfnDetails,
        (Pos::CfnResourceChange, "BeforeContext" | "AfterContext") => Pos::User,
        (Pos::CfnDetail, "Target" | "target") => Pos::CfnTarget,
        (Pos::CfnTarget, "BeforeValue" | "AfterValue" | "beforeValue" | "afterValue") => Pos::User,
        _ => Pos::Other,
    }
}

fn element(pos: Pos) -> Pos {
    match pos {
        Pos::ResourceChanges => Pos::ResourceChange,
        Pos::DeferredChanges => Pos::Deferred,
        // A bare array at the top is the console's export.
        Pos::CfnChanges | Pos::Top => Pos::CfnChange,
        Pos::CfnDetails => Pos::CfnDetail,
        Pos::User => Pos::User,
        _ => Pos::Other,
    }
}

/// Collects every string of a document by position, duplicate keys included
/// (a `serde_json::Value` would keep only the last, while the file, and so an
/// excerpt of it, shows both).
struct Walk<'a> {
    pos: Pos,
    user: &'a mut Vec<String>,
    other: &'a mut Vec<String>,
}

impl Walk<'_> {
    fn at(&mut self, pos: Pos) -> Walk<'_> {
        Walk {
            pos,
            user: &mut *self.user,
            other: &mut *self.other,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        if self.pos == Pos::User {
            self.user.push(s.to_owned());
        } else {
            self.other.push(s.to_owned());
        }
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let pos = element(self.pos);
        while seq.next_element_seed(self.at(pos))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            let pos = child(self.pos, &key);
            self.other.push(key);
            map.next_value_seed(self.at(pos))?;
        }
        Ok(())
    }
}

/// Users' values in a plan document (resource attributes, variables,
/// parameters) that a diagnostic must never show. Only values that could not
/// appear in it for another reason count: long enough, with a digit and a
/// letter, no space, and not part of any key, structural value or file name.
pub fn secrets(bytes: &[u8], names: &[&str]) -> Vec<String> {
    let (mut user, mut other) = (Vec::new(), Vec::new());
    let walk = Walk {
        pos: Pos::Top,
        user: &mut user,
        other: &mut other,
    };
    let mut de = serde_json::Deserializer::from_slice(without_bom(bytes));
    if walk.deserialize(&mut de).and_then(|()| de.end()).is_err() {
        return Vec::new();
    }
    other.extend(names.iter().map(|n| n.to_string()));
    user.retain(|s| {
        s.chars().count() >= 8
            && s.chars().any(|c| c.is_ascii_digit())
            && s.chars().any(|c| c.is_ascii_alphabetic())
            && !s.chars().any(char::is_whitespace)
            && !other.iter().any(|o| o.contains(s.as_str()))
    });
    user.sort();
    user.dedup();
    user
}
