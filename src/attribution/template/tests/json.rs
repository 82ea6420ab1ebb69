//! JSON templates: the same declarations pretty, tab-indented, minified and with CRLF.

use super::*;

pub(super) const JSON: &str = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Description": "Orders \"service\" {v2} \\ \ud83d\ude80 }",
  "Parameters": {
    "Env": {
      "Type": "String",
      "AllowedValues": ["dev", "prod"]
    },
    "DbPassword": { "Type": "String", "NoEcho": true }
  },
  "Resources": {
    "Database": {
      "Type": "AWS::RDS::DBInstance",
      "Properties": {
        "MasterUserPassword": { "Ref": "DbPassword" },
        "DBName": { "Fn::Sub": "orders_${Env}" },
        "Port": 5432
      }
    },
    "OrdersBucket": {
      "Type": "AWS::S3::Bucket",
      "Properties": {
        "BucketName": {
          "Fn::Sub": [
            "orders-${Env}-${Account}-\"${DbPassword}\"-${!Literal}",
            { "Account": { "Ref": "AWS::AccountId" } }
          ]
        }
      }
    },
    "NetworkStack": {
      "Type": "AWS::CloudFormation::Stack",
      "Properties": {
        "TemplateURL": "nested/network.json",
        "Parameters": { "Env": { "Ref": "Env" } }
      }
    },
    "RemoteStack": {
      "Type": "AWS::CloudFormation::Stack",
      "Properties": { "TemplateURL": "https://example.com/t.json" }
    },
    "Payments": {"Type": "AWS::Serverless::Application", "Properties": {"Location": "./apps/payments.yaml"}}
  },
  "Outputs": {
    "Bucket": { "Value": { "Ref": "OrdersBucket" } }
  }
}
"#;

/// What every form of `JSON` must give, except for line spans.
fn check_json_content(t: &Template) {
    let ids: Vec<&str> = t.resources.iter().map(|r| r.logical_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "Database",
            "OrdersBucket",
            "NetworkStack",
            "RemoteStack",
            "Payments"
        ]
    );
    let r = resource(t, "Database");
    assert_eq!(r.resource_type.as_deref(), Some("AWS::RDS::DBInstance"));
    assert_eq!(r.parameters, ["DbPassword", "Env"]);
    assert_eq!(
        resource(t, "OrdersBucket").parameters,
        ["Env", "DbPassword"]
    );
    let r = resource(t, "NetworkStack");
    assert_eq!(r.nested_template.as_deref(), Some("nested/network.json"));
    assert_eq!(r.parameters, ["Env"]);
    assert_eq!(resource(t, "RemoteStack").nested_template, None);
    let r = resource(t, "Payments");
    assert_eq!(
        r.resource_type.as_deref(),
        Some("AWS::Serverless::Application")
    );
    assert_eq!(r.nested_template.as_deref(), Some("./apps/payments.yaml"));
    let names: Vec<&str> = t.parameters.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Env", "DbPassword"]);
}

fn check_json_spans(text: &str, t: &Template) {
    assert_eq!(line_of(text, "\"Database\": {"), 12);
    assert_eq!(resource(t, "Database").lines, lines(12, 19));
    assert_eq!(resource(t, "OrdersBucket").lines, lines(20, 30));
    assert_eq!(resource(t, "NetworkStack").lines, lines(31, 37));
    assert_eq!(resource(t, "RemoteStack").lines, lines(38, 41));
    assert_eq!(line_of(text, "\"Payments\""), 42);
    assert_eq!(resource(t, "Payments").lines, lines(42, 42));
    assert_eq!(
        t.parameters,
        vec![
            ("Env".to_string(), lines(5, 8)),
            ("DbPassword".to_string(), lines(9, 9)),
        ]
    );
}

#[test]
fn json_template() {
    let t = parse_template(JSON).expect("a template");
    check_json_content(&t);
    check_json_spans(JSON, &t);
}

#[test]
fn json_template_indented_with_tabs() {
    let tabbed: String = JSON
        .lines()
        .map(|l| {
            let body = l.trim_start_matches(' ');
            let depth = (l.len() - body.len()) / 2;
            format!("{}{body}\n", "\t".repeat(depth))
        })
        .collect();
    assert!(tabbed.contains("\n\t\t\"Database\""));
    let t = parse_template(&tabbed).expect("a template");
    check_json_content(&t);
    check_json_spans(&tabbed, &t);
}

#[test]
fn json_template_minified_and_crlf() {
    // No JSON string here holds a newline, so joining the trimmed lines keeps the order
    // of keys (which `serde_json::Value` would sort).
    let minified: String = JSON.lines().map(str::trim).collect();
    assert!(!minified.contains('\n'));
    serde_json::from_str::<serde_json::Value>(&minified).expect("valid JSON");
    let t = parse_template(&minified).expect("a template");
    check_json_content(&t);
    assert!(t.resources.iter().all(|r| r.lines == lines(1, 1)));
    assert!(t.parameters.iter().all(|(_, l)| *l == lines(1, 1)));

    let crlf = JSON.replace('\n', "\r\n");
    let t = parse_template(&crlf).expect("a template");
    check_json_spans(JSON, &t);
}
