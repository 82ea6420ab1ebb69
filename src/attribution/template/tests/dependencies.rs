//! What resources and conditions depend on (parameters, conditions, mappings, other
//! resources, imports), and the spans of `Conditions`, `Mappings`, `Globals` and `Transform`.

use super::json::JSON;
use super::yaml::YAML;
use super::*;

fn condition<'t>(t: &'t Template, name: &str) -> &'t Condition {
    t.conditions
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no condition {name}"))
}

fn named(list: &[(String, Lines)]) -> Vec<(&str, Lines)> {
    list.iter().map(|(n, l)| (n.as_str(), *l)).collect()
}

pub(super) const SHORT: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Env: {Type: String}
  MapName: {Type: String}
Mappings:
  Sizes:
    prod: {Class: db.r6g.large}
    dev:
      Class: db.t4g.micro

  # AMIs by region.
  Amis: {us-east-1: {Id: ami-1}}

Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsBig: !And
    - !Condition IsProd
    - !Equals [!FindInMap [Sizes, !Ref Env, Class], db.r6g.large]
    - !Not [!Condition Undeclared]
  # Not a condition's content.
  Picked: !Equals [!FindInMap [!Ref MapName, a, b], !Sub '${Env}-${Nope}']
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      MultiAZ: !If [IsProd, true, false]
      DBInstanceClass: !FindInMap [Sizes, !Ref Env, Class]
      Image: !FindInMap [Amis, !Ref 'AWS::Region', Id]
      Missing: !FindInMap [NoSuchMap, a, b]
  Api:
    Type: AWS::Lambda::Function
    Condition: IsBig
    Properties:
      Environment:
        Variables:
          HOST: !GetAtt Db.Endpoint.Address
          ROLE: !GetAtt [Role, Arn]
          ARN: !Sub \"${Db.Arn}\"
          SELF: !Ref Api
          NONE: !Ref Nowhere
          KEY: {Condition: IsProd}
          BOTH: !If [!Ref Env, !And [!Condition IsProd, {Condition: IsBig}], x]
          LIST: !Sub
            - '${Role}-${Queue.QueueName}-${Local}-${AWS::Region}'
            - Role: !ImportValue shared-role
  Role:
    Type: AWS::IAM::Role
    DependsOn: Queue
  Queue: {Type: AWS::SQS::Queue, Properties: {Name: !Sub '${Env}-${Db}', Size: !FindInMap [!Ref MapName, a, b]}}
";

#[test]
fn yaml_short_form_mappings_and_conditions_spans() {
    let t = parse_template(SHORT).expect("a template");
    assert_eq!(line_of(SHORT, "  Sizes:"), 6);
    assert_eq!(line_of(SHORT, "  Amis:"), 12);
    // A block entry ends before the blank and comment lines; a flow one on its own line.
    assert_eq!(
        named(&t.mappings),
        [("Sizes", lines(6, 9)), ("Amis", lines(12, 12))]
    );
    let spans: Vec<(&str, Lines)> = t
        .conditions
        .iter()
        .map(|c| (c.name.as_str(), c.lines))
        .collect();
    assert_eq!(line_of(SHORT, "  IsBig: !And"), 16);
    assert_eq!(
        spans,
        [
            ("IsProd", lines(15, 15)),
            ("IsBig", lines(16, 19)),
            ("Picked", lines(21, 21))
        ]
    );
    assert!(t.globals.is_empty());
}

#[test]
fn yaml_short_form_conditions_use_parameters_conditions_and_mappings() {
    let t = parse_template(SHORT).expect("a template");
    let c = condition(&t, "IsProd");
    assert_eq!(c.parameters, ["Env"]);
    assert!(c.conditions.is_empty() && c.mappings.is_empty());
    // `!Condition` inside `!And` and `!Not`; `Undeclared` is dropped.
    let c = condition(&t, "IsBig");
    assert_eq!(c.conditions, ["IsProd"]);
    assert_eq!(c.mappings, ["Sizes"]);
    assert_eq!(c.parameters, ["Env"]);
    // A map name that is computed could be any mapping; `${Nope}` is not declared.
    let c = condition(&t, "Picked");
    assert_eq!(c.mappings, ["Sizes", "Amis"]);
    assert_eq!(c.parameters, ["MapName", "Env"]);
    assert!(c.conditions.is_empty());
}

#[test]
fn yaml_short_form_resource_dependencies() {
    let t = parse_template(SHORT).expect("a template");
    let r = resource(&t, "Db");
    assert_eq!(r.condition, None);
    assert_eq!(r.conditions, ["IsProd"]);
    // `NoSuchMap` is not declared.
    assert_eq!(r.mappings, ["Sizes", "Amis"]);
    assert_eq!(r.parameters, ["Env"]);
    assert!(r.resources.is_empty());
    assert!(!r.imports);

    let r = resource(&t, "Api");
    assert_eq!(r.condition.as_deref(), Some("IsBig"));
    // `!If [!Ref Env, …]` could test any condition; `{Condition: IsProd}` outside a
    // `Fn::And/Or/Not` is a property, and the resource's own `Condition` is not listed.
    assert_eq!(r.conditions, ["IsProd", "IsBig", "Picked"]);
    assert!(r.mappings.is_empty());
    // `${Role}` is the list form's local variable; `Api` is itself and `Nowhere` undeclared.
    assert_eq!(r.resources, ["Db", "Role", "Queue"]);
    assert_eq!(r.parameters, ["Env"]);
    assert!(r.imports);

    let r = resource(&t, "Role");
    assert_eq!(r.resources, ["Queue"]);
    assert!(r.conditions.is_empty() && !r.imports);
    let r = resource(&t, "Queue");
    assert_eq!(r.resources, ["Db"]);
    assert_eq!(r.mappings, ["Sizes", "Amis"]);
    assert_eq!(line_of(SHORT, "  Queue: {"), 49);
    assert_eq!(r.lines, lines(49, 49));
}

pub(super) const LONG: &str = "\
Transform: [AWS::Serverless-2016-10-31, AWS::LanguageExtensions]
Globals:
  Function:
    Runtime: python3.12
    Timeout: 30

# Shared settings.
Parameters:
  Env:
    Type: String
Mappings:
  Sizes:
    prod:
      Class: big
Conditions:
  IsProd:
    Fn::Equals: [{Ref: Env}, prod]
  UseBig:
    Fn::Or:
      - Condition: IsProd
      - Fn::Equals:
          - Fn::FindInMap: [Sizes, {Ref: Env}, Class]
          - big
  KeepTable: {Fn::Not: [{Condition: UseBig}]}
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Condition: KeepTable
    DeletionPolicy: Retain
    Properties:
      BillingMode:
        Fn::If:
          - UseBig
          - PROVISIONED
          - PAY_PER_REQUEST
      TableName:
        Fn::Sub:
          - '${Prefix}-${Env}-${Topic.TopicName}'
          - Prefix: {Fn::ImportValue: shared-prefix}
      StreamArn:
        Fn::GetAtt: [Topic, TopicArn]
      Size:
        Fn::FindInMap: [Sizes, prod, Class]
  Topic:
    Type: AWS::SNS::Topic
    DependsOn: [Table, Missing, Topic]
    Properties:
      TopicName: {Fn::Sub: '${Table}'}
";

#[test]
fn yaml_long_form_dependencies_and_spans() {
    let t = parse_template(LONG).expect("a template");
    // A SAM template without `AWSTemplateFormatVersion`: the blank line and comment after
    // `Globals` are trimmed.
    assert_eq!(
        named(&t.globals),
        [("Transform", lines(1, 1)), ("Globals", lines(2, 5))]
    );
    assert_eq!(named(&t.mappings), [("Sizes", lines(12, 14))]);
    let c = condition(&t, "IsProd");
    assert_eq!(
        (c.lines, c.parameters.as_slice()),
        (lines(16, 17), &["Env".to_string()][..])
    );
    let c = condition(&t, "UseBig");
    assert_eq!(c.lines, lines(18, 23));
    assert_eq!(c.conditions, ["IsProd"]);
    assert_eq!(c.mappings, ["Sizes"]);
    assert_eq!(c.parameters, ["Env"]);
    let c = condition(&t, "KeepTable");
    assert_eq!(c.lines, lines(24, 24));
    assert_eq!(c.conditions, ["UseBig"]);

    let r = resource(&t, "Table");
    assert_eq!(r.lines, lines(26, 43));
    assert_eq!(r.condition.as_deref(), Some("KeepTable"));
    assert_eq!(r.conditions, ["UseBig"]);
    assert_eq!(r.mappings, ["Sizes"]);
    assert_eq!(r.resources, ["Topic"]);
    assert_eq!(r.parameters, ["Env"]);
    assert!(r.imports);

    // `Missing` is not declared and a resource never depends on itself.
    let r = resource(&t, "Topic");
    assert_eq!(r.resources, ["Table"]);
    assert_eq!(r.condition, None);
    assert!(r.conditions.is_empty() && r.mappings.is_empty() && !r.imports);
}

pub(super) const JSON_DEPS: &str = r#"{
  "Parameters": {"Env": {"Type": "String"}},
  "Mappings": {
    "Sizes": {
      "prod": {"Class": "big"}
    },
    "Other": {"a": {"b": "c"}}
  },
  "Conditions": {
    "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
    "IsBig": {
      "Fn::And": [
        {"Condition": "IsProd"},
        {"Fn::Equals": [{"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Class"]}, "big"]}
      ]
    }
  },
  "Resources": {
    "A": {"Type": "AWS::SNS::Topic"},
    "B": {"Type": "AWS::SQS::Queue", "DependsOn": "A"},
    "Db": {
      "Type": "AWS::RDS::DBInstance",
      "Condition": "IsProd",
      "DependsOn": ["A", "B"],
      "Properties": {
        "MultiAZ": {"Fn::If": ["IsBig", true, false]},
        "Class": {"Fn::FindInMap": ["Sizes", "prod", "Class"]},
        "Topic": {"Fn::GetAtt": ["A", "TopicArn"]},
        "Url": {"Fn::Sub": ["${B}/${Db}/${Env}/${V}", {"V": {"Fn::ImportValue": "x"}}]},
        "Key": {"Fn::If": [{"Ref": "Env"}, 1, 2]}
      }
    }
  }
}
"#;

#[test]
fn json_dependencies_and_spans() {
    let t = parse_template(JSON_DEPS).expect("a template");
    assert_eq!(
        named(&t.mappings),
        [("Sizes", lines(4, 6)), ("Other", lines(7, 7))]
    );
    let c = condition(&t, "IsProd");
    assert_eq!(c.lines, lines(10, 10));
    assert_eq!(c.parameters, ["Env"]);
    let c = condition(&t, "IsBig");
    assert_eq!(c.lines, lines(11, 16));
    assert_eq!(c.conditions, ["IsProd"]);
    assert_eq!(c.mappings, ["Sizes"]);
    assert!(t.globals.is_empty());

    assert_eq!(resource(&t, "B").resources, ["A"]);
    let r = resource(&t, "Db");
    assert_eq!(r.lines, lines(21, 32));
    assert_eq!(r.condition.as_deref(), Some("IsProd"));
    // A computed `Fn::If` condition name could be any condition.
    assert_eq!(r.conditions, ["IsBig", "IsProd"]);
    assert_eq!(r.mappings, ["Sizes"]);
    assert_eq!(r.resources, ["A", "B"]);
    assert_eq!(r.parameters, ["Env"]);
    assert!(r.imports);

    let text = r#"{"Transform": ["A", "B"],
 "Globals": {"Function": {
   "Timeout": 3}},
 "Resources": {"R": {"Type": "X"}}}"#;
    let g = parse_template(text).expect("a template");
    assert_eq!(
        named(&g.globals),
        [("Transform", lines(1, 1)), ("Globals", lines(2, 3))]
    );

    // Minified, every span is line 1 and nothing else changes.
    let minified: String = JSON_DEPS.lines().map(str::trim).collect();
    let m = parse_template(&minified).expect("a template");
    assert!(m.mappings.iter().all(|(_, l)| *l == lines(1, 1)));
    assert!(m.conditions.iter().all(|c| c.lines == lines(1, 1)));
    assert_eq!(resource(&m, "Db").resources, ["A", "B"]);
    assert_eq!(condition(&m, "IsBig").conditions, ["IsProd"]);
}

#[test]
fn yaml_flow_style_sections() {
    let text = "\
Parameters: {Env: {Type: String}}
Mappings: {M: {a: {b: c}},
  N: {a: {b: d}}}
Conditions: {
  C: !Equals [!Ref Env, x],
  D: {Fn::Or: [{Condition: C}, !Equals [!FindInMap [N, a, b], d]]}}
Globals: {Function: {Timeout: 3}}
Resources: {A: {Type: AWS::SNS::Topic, Condition: D, Properties: {P: !If [C, 1, 2]}}}
";
    let t = parse_template(text).expect("a template");
    assert_eq!(named(&t.mappings), [("M", lines(2, 2)), ("N", lines(3, 3))]);
    let c = condition(&t, "C");
    assert_eq!(c.lines, lines(5, 5));
    assert_eq!(c.parameters, ["Env"]);
    let c = condition(&t, "D");
    assert_eq!(c.lines, lines(6, 6));
    assert_eq!(c.conditions, ["C"]);
    assert_eq!(c.mappings, ["N"]);
    assert_eq!(named(&t.globals), [("Globals", lines(7, 7))]);
    let r = resource(&t, "A");
    assert_eq!(r.condition.as_deref(), Some("D"));
    assert_eq!(r.conditions, ["C"]);
}

#[test]
fn undeclared_names_are_dropped() {
    // No `Conditions`, `Mappings` or `Parameters` sections: nothing to list, even for names
    // that a value computes.
    let text = "\
Resources:
  A:
    Type: AWS::SNS::Topic
    Condition: Ghost
    DependsOn: [Nobody, A]
    Properties:
      P: !If [Ghost, !Ref NoParam, !GetAtt Nobody.Arn]
      Q: !If [!Ref X, !FindInMap [!Ref Y, a, b], !Sub '${NoParam}-${Nobody.Arn}']
      R: !And [!Condition Ghost]
";
    let t = parse_template(text).expect("a template");
    let r = resource(&t, "A");
    // The attribute is reported as written.
    assert_eq!(r.condition.as_deref(), Some("Ghost"));
    assert!(r.conditions.is_empty());
    assert!(r.mappings.is_empty());
    assert!(r.resources.is_empty());
    assert!(r.parameters.is_empty());
    assert!(t.conditions.is_empty() && t.mappings.is_empty() && t.globals.is_empty());
}

#[test]
fn the_shared_fixtures_dependencies() {
    let t = parse_template(YAML).expect("a template");
    assert_eq!(named(&t.globals), [("Transform", lines(2, 2))]);
    assert_eq!(t.conditions.len(), 1);
    let c = condition(&t, "IsProd");
    assert_eq!(c.lines, lines(19, 19));
    assert_eq!(c.parameters, ["Env"]);
    let r = resource(&t, "Database");
    assert_eq!(r.conditions, ["IsProd"]);
    assert!(r.resources.is_empty() && r.condition.is_none());
    assert_eq!(resource(&t, "OrdersBucket").resources, ["Database"]);
    // `${Host}` is a local variable; `${OrdersBucket.Arn}` repeats `!Ref OrdersBucket`.
    assert_eq!(
        resource(&t, "Worker").resources,
        ["WorkerRole", "OrdersBucket", "Database"]
    );
    assert_eq!(resource(&t, "WorkerRole").resources, ["OrdersBucket"]);
    assert!(
        t.resources
            .iter()
            .all(|r| !r.imports && r.mappings.is_empty())
    );

    let t = parse_template(JSON).expect("a template");
    assert!(t.conditions.is_empty() && t.mappings.is_empty() && t.globals.is_empty());
    assert!(t.resources.iter().all(|r| r.resources.is_empty()));
}
