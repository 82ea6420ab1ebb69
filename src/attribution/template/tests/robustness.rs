//! What is not a template, helper rules, arbitrary input (no panic) and a large template.

use super::dependencies::{JSON_DEPS, LONG, SHORT};
use super::json::JSON;
use super::yaml::YAML;
use super::*;
use crate::attribution::template::refs::{is_local_path, sub_names};

#[test]
fn format_version_alone_is_a_template() {
    let t = parse_template("AWSTemplateFormatVersion: '2010-09-09'\nDescription: empty\n")
        .expect("a template");
    assert!(t.resources.is_empty() && t.parameters.is_empty());
}

#[test]
fn not_templates() {
    let workflow = "\
name: CI
on:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: cargo test
";
    assert_eq!(parse_template(workflow), None);
    let k8s = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: app
data:
  Resources: plenty
---
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: app
          resources:
            limits: {cpu: 500m}
";
    assert_eq!(parse_template(k8s), None);
    // A `Resources` mapping whose entries have no `Type`.
    assert_eq!(
        parse_template("Resources:\n  cpu: 1\n  mem: {size: 2}\n"),
        None
    );
    assert_eq!(
        parse_template(r#"{"name": "pkg", "version": "1.0.0"}"#),
        None
    );
    assert_eq!(
        parse_template(r#"[{"Resources": {"A": {"Type": "X"}}}]"#),
        None
    );
    assert_eq!(parse_template(""), None);
    assert_eq!(parse_template("just a string\n"), None);
    assert_eq!(parse_template("# only a comment\n"), None);
}

#[test]
fn invalid_yaml_and_json_are_none() {
    assert_eq!(
        parse_template("Resources:\n  A:\n    Type: [unclosed\n  B: {Type: X}\n"),
        None
    );
    assert_eq!(
        parse_template("Resources:\n  A:\n    Type: X\n   bad: indent\n"),
        None
    );
    assert_eq!(parse_template("Resources:\n\tA:\n\t\tType: X\n"), None);
    assert_eq!(
        parse_template(r#"{"Resources": {"A": {"Type": "X"}}"#),
        None
    );
    // Only the first document is read, but the whole stream must parse.
    assert_eq!(
        parse_template("Resources:\n  A:\n    Type: X\n---\n: [\n"),
        None
    );
}

#[test]
fn sub_names_rules() {
    assert_eq!(
        sub_names("${A}-${!B}-${C.D}-${AWS::Region}-${}-${E"),
        ["A", "AWS::Region"]
    );
    assert!(sub_names("no variables").is_empty());
}

#[test]
fn local_paths() {
    assert!(is_local_path("./nested/a.yaml"));
    assert!(is_local_path("nested/a.json"));
    assert!(is_local_path("../a.yaml"));
    assert!(!is_local_path("https://bucket.s3.amazonaws.com/a.yaml"));
    assert!(!is_local_path("HTTP://example.com/a.yaml"));
    assert!(!is_local_path("s3://bucket/a.yaml"));
    assert!(!is_local_path(""));
}

/// A small deterministic generator (xorshift64*), so the fuzz loop needs no crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn never_panics() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let samples = [YAML, JSON, SHORT, LONG, JSON_DEPS];
    let alphabet: Vec<char> = "{}[]:,-!&*#|>'\"\\?%@`\n\t \r${}.Ref!Sub\u{feff}é"
        .chars()
        .collect();
    let mut inputs: Vec<String> = Vec::new();
    for sample in samples {
        let chars: Vec<char> = sample.chars().collect();
        // Truncations.
        for cut in (0..chars.len()).step_by(17) {
            inputs.push(chars[..cut].iter().collect());
        }
        // Mutations: replace, insert or delete a few characters.
        for _ in 0..300 {
            let mut c = chars.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(c.len());
                match rng.below(3) {
                    0 => c[at] = alphabet[rng.below(alphabet.len())],
                    1 => c.insert(at, alphabet[rng.below(alphabet.len())]),
                    _ => {
                        c.remove(at);
                    }
                }
            }
            inputs.push(c.into_iter().collect());
        }
    }
    // Random bytes, and random strings over the syntax alphabet.
    for _ in 0..300 {
        let n = rng.below(200);
        let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
        inputs.push(String::from_utf8_lossy(&bytes).into_owned());
        let s: String = (0..n)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        inputs.push(format!("Resources:\n  A:\n    Type: X\n    P: {s}"));
        inputs.push(s);
    }
    // Deep nesting.
    inputs.push(format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)));
    inputs.push(format!(
        "{{\"Resources\": {{\"A\": {{\"Type\": \"X\", \"P\": {}1{}}}}}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    ));
    inputs.push("a: ".repeat(10_000));
    for odd in [
        "%TAG ! tag:example.com,2000:\n--- !x\nResources: {}\n",
        "%YAML 1.2\n%YAML 1.2\n---\n",
        "&a [*a]",
        "Resources: &r\n  A: *r\n  B: {Type: X, <<: *r}\n",
        "? ? ? ?\n: : :",
        "- - - -\n  - -",
        "Resources:\r  A:\r    Type: X\r",
        "Resources:\n  A: !!binary |\n    AAAA\n",
        "Resources:\n  A:\n    Type: |+\n\n\n",
        "Resources:\n  A:\n    Type: >2-\n      x\n",
        "\u{85}Resources:\u{2028}",
        "Resources: {A: {Type: X}",
        "{\"Resources\": {\"A\": {\"Type\": \"X\"}}} trailing",
    ] {
        inputs.push(odd.to_string());
    }
    for input in &inputs {
        if let Some(t) = parse_template(input) {
            let spans = t
                .resources
                .iter()
                .map(|r| r.lines)
                .chain(t.conditions.iter().map(|c| c.lines))
                .chain(t.parameters.iter().map(|(_, l)| *l))
                .chain(t.mappings.iter().map(|(_, l)| *l))
                .chain(t.globals.iter().map(|(_, l)| *l));
            for l in spans {
                assert!(l.start >= 1 && l.start <= l.end, "{input:?}");
            }
        }
    }
}

/// Intrinsic functions nested deeper than any stack would allow recursion for.
#[test]
fn deeply_nested_functions_are_read() {
    let depth = 20_000;
    for (open, close) in [
        (r#"{"Fn::Not": ["#, "]}"),
        (r#"{"Fn::If": ["C", 1, "#, "]}"),
    ] {
        let text = format!(
            r#"{{"Conditions": {{"C": {{"Fn::Equals": [1, 1]}}, "D": {}{{"Condition": "C"}}{}}},
 "Resources": {{"A": {{"Type": "X", "Properties": {{"P": {}{{"Condition": "C", "Fn::GetAtt": ["B", "Arn"]}}{}}}}},
 "B": {{"Type": "X"}}}}}}"#,
            open.repeat(depth),
            close.repeat(depth),
            open.repeat(depth),
            close.repeat(depth)
        );
        let t = parse_template(&text).expect("a template");
        let d = t.conditions.iter().find(|c| c.name == "D").expect("D");
        assert_eq!(d.conditions, ["C"]);
        assert_eq!(d.lines, lines(1, 1));
        let a = &t.resources[0];
        assert_eq!(a.lines, lines(2, 2));
        assert_eq!(a.conditions, ["C"]);
        assert_eq!(a.resources, ["B"]);
    }
}

/// Spans stay exact at both ends of a large template (speed is not timed
/// here: targets are measured by benchmarks, not tests).
#[test]
fn five_thousand_resources_keep_exact_spans() {
    let mut yaml = String::from("Parameters:\n  Env: {Type: String}\nResources:\n");
    let mut json =
        String::from("{\"Parameters\": {\"Env\": {\"Type\": \"String\"}},\n \"Resources\": {\n");
    for i in 0..5_000 {
        yaml.push_str(&format!(
                "  # bucket {i}\n  Bucket{i}:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub \"b-${{Env}}-{i}\"\n      Tags:\n        - {{Key: n, Value: !Ref Env}}\n\n"
            ));
        let sep = if i == 0 { "" } else { ",\n" };
        json.push_str(&format!(
                "{sep}  \"Bucket{i}\": {{\n    \"Type\": \"AWS::S3::Bucket\",\n    \"Properties\": {{\"BucketName\": {{\"Fn::Sub\": \"b-${{Env}}-{i}\"}}}}\n  }}"
            ));
    }
    json.push_str("\n}}\n");
    for (text, first, last) in [
        (&yaml, lines(5, 10), lines(5 + 4999 * 8, 10 + 4999 * 8)),
        (&json, lines(3, 6), lines(3 + 4999 * 4, 6 + 4999 * 4)),
    ] {
        let t = parse_template(text).expect("a template");
        assert_eq!(t.resources.len(), 5_000);
        assert_eq!(t.resources[0].lines, first);
        assert_eq!(t.resources[4_999].lines, last);
        assert_eq!(t.resources[4_999].parameters, ["Env"]);
    }
}
