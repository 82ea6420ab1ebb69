//! Inputs the fuzzers (fuzz/, `fuzz/run.sh`) found to break plangate, each
//! minimised by `cargo fuzz tmin`. Every one must be refused with a diagnostic
//! that renders, never panic.

mod common;

use common::render;
use plangate::parse::{ReadError, parse_json};

#[test]
fn a_line_starting_with_a_stray_utf8_continuation_byte_is_refused_not_a_panic() {
    // Found by terraform_plan: the excerpt backed up to a char boundary past
    // the start of the line (`start - line_start` overflowed).
    for input in [&b"\n\xa5"[..], b"{\n\xa5", b"{\"a\":\n\x80\x80\x80\x80 1}"] {
        let err = parse_json("plan.json", input).expect_err("not UTF-8");
        let ReadError::Syntax { line, column, .. } = &err else {
            panic!("{input:?}: not a syntax error: {err:?}");
        };
        assert_eq!((*line, *column), (2, 1), "{input:?}");
        let text = render(&err);
        assert!(
            text.contains("not UTF-8") && text.contains("plan.json"),
            "{text}"
        );
    }
}

#[test]
fn a_change_with_an_empty_address_or_type_is_refused_not_read() {
    // The fuzz targets' invariant that every change read has an address and a
    // type: such a change could be neither attributed nor approved.
    let cases: [(&[u8], &str); 4] = [
        (
            br#"{"format_version":"1.2","resource_changes":[{"address":"","type":"t","change":{"actions":["delete"]}}]}"#,
            "the address of change 1",
        ),
        (
            br#"{"format_version":"1.2","resource_changes":[{"address":"t.a","type":"","change":{"actions":["delete"]}}]}"#,
            "the type of t.a",
        ),
        (
            br#"{"Changes":[{"Type":"Resource","ResourceChange":{"Action":"Remove","LogicalResourceId":"","ResourceType":"AWS::S3::Bucket"}}]}"#,
            "the LogicalResourceId of change 1",
        ),
        (
            br#"[{"resourceChange":{"action":"Remove","logicalResourceId":"Db","resourceType":""}}]"#,
            "the ResourceType of Db",
        ),
    ];
    for (input, what) in cases {
        let err = parse_json("plan.json", input).expect_err(what);
        assert!(
            matches!(&err, ReadError::MissingField { what: w, .. } if w.starts_with(what)),
            "{what}: {err:?}"
        );
        assert!(render(&err).contains(what));
    }
}
