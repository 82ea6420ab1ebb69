//! YAML templates: spans, block and flow styles, short-form tags.

use super::*;
use yaml_rust2::parser::{Event, Parser};

pub(super) const YAML: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: Orders service (test fixture)

Parameters:
  Env:
    Type: String
    AllowedValues: [dev, prod]
  DbPassword:
    Type: String
    NoEcho: true

  # The bucket suffix is optional.
  BucketSuffix:
    Type: String
    Default: ""

Conditions:
  IsProd: !Equals [!Ref Env, prod]

Resources:
  # The primary database.
  Database:
    Type: AWS::RDS::DBInstance
    DeletionPolicy: Snapshot
    Properties:
      Engine: postgres
      MasterUserPassword: !Ref DbPassword
      MultiAZ: !If [IsProd, true, false]
      DBInstanceClass: !If
        - IsProd
        - db.r6g.large
        - db.t4g.micro
      Tags:
        - Key: env
          Value: !Ref Env

  # Where the orders land.
  # (Two comment lines.)
  OrdersBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "orders-${Env}-${AWS::Region}${BucketSuffix}"
      Tags:
        - Key: db
          Value: !GetAtt Database.Endpoint.Address

  Queue: {Type: "AWS::SQS::Queue", Properties: {QueueName: !Sub "${Env}-orders"}}
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt WorkerRole.Arn
      Environment:
        Variables:
          BUCKET: !Ref OrdersBucket
          DB_URL: !Sub
            - "postgres://${Host}:5432/${Env}?x=${!NotAVar}&b=${OrdersBucket.Arn}"
            - Host: !GetAtt Database.Endpoint.Address
      Code:
        ZipFile: |
          import os
          def handler(event, context):
              return os.environ["BUCKET"]
          # end of handler
    # trailing comment of Worker

  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: bucket
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource:
                  Fn::Sub:
                    - "arn:${AWS::Partition}:s3:::${BucketSuffix}/*"
                    - BucketSuffix: !Ref OrdersBucket

  NetworkStack:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./nested/network.yaml
      Parameters:
        Env: { Ref: Env }
        Suffix:
          Fn::Sub: "${BucketSuffix}-net"
  Payments:
    Type: AWS::Serverless::Application
    Properties:
      Location: nested/payments.json
  RemoteStack:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://s3.amazonaws.com/bucket/remote.yaml
  PublishedApp:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: arn:aws:serverlessrepo:us-east-1:123456789012:applications/app
        SemanticVersion: 1.0.0
  SubStack:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: !Sub "./nested/${Env}.yaml"

# Outputs of the stack.
Outputs:
  DbEndpoint:
    Value: !GetAtt Database.Endpoint.Address
"#;

#[test]
fn yaml_marker_lines_are_one_based() {
    let mut parser = Parser::new_from_str("a: 1\nb: 2\n");
    let mut scalars = Vec::new();
    while let Ok((ev, mark)) = parser.next_token() {
        match ev {
            Event::StreamEnd => break,
            Event::Scalar(v, ..) => scalars.push((v, mark.line(), mark.col())),
            _ => {}
        }
    }
    let expected = [("a", 1, 0), ("1", 1, 3), ("b", 2, 0), ("2", 2, 3)];
    let expected: Vec<_> = expected
        .iter()
        .map(|&(v, l, c)| (v.to_string(), l, c))
        .collect();
    assert_eq!(scalars, expected);
}

#[test]
fn yaml_template_spans() {
    let t = parse_template(YAML).expect("a template");
    let ids: Vec<&str> = t.resources.iter().map(|r| r.logical_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "Database",
            "OrdersBucket",
            "Queue",
            "Worker",
            "WorkerRole",
            "NetworkStack",
            "Payments",
            "RemoteStack",
            "PublishedApp",
            "SubStack"
        ]
    );
    // Line numbers counted by hand; `line_of` double-checks the anchors.
    assert_eq!(line_of(YAML, "  Database:"), 23);
    assert_eq!(resource(&t, "Database").lines, lines(23, 36));
    // The two comment lines above the key belong to neither neighbour.
    assert_eq!(line_of(YAML, "  OrdersBucket:"), 40);
    assert_eq!(resource(&t, "OrdersBucket").lines, lines(40, 46));
    // A flow mapping on one line.
    assert_eq!(line_of(YAML, "  Queue:"), 48);
    assert_eq!(resource(&t, "Queue").lines, lines(48, 48));
    // Ends at the literal block's last line, a `#` line that is content, not a comment;
    // the less-indented comment after it is trimmed.
    assert_eq!(line_of(YAML, "# end of handler"), 66);
    assert_eq!(resource(&t, "Worker").lines, lines(49, 66));
    assert_eq!(resource(&t, "WorkerRole").lines, lines(69, 86));
    assert_eq!(resource(&t, "NetworkStack").lines, lines(88, 95));
    assert_eq!(resource(&t, "Payments").lines, lines(96, 99));
    assert_eq!(resource(&t, "RemoteStack").lines, lines(100, 103));
    assert_eq!(resource(&t, "PublishedApp").lines, lines(104, 109));
    // The last resource: the blank line and the comment before `Outputs` are trimmed.
    assert_eq!(line_of(YAML, "./nested/${Env}.yaml"), 113);
    assert_eq!(resource(&t, "SubStack").lines, lines(110, 113));

    assert_eq!(
        t.parameters,
        vec![
            ("Env".to_string(), lines(6, 8)),
            ("DbPassword".to_string(), lines(9, 11)),
            ("BucketSuffix".to_string(), lines(14, 16)),
        ]
    );
}

#[test]
fn yaml_template_types_nested_and_parameters() {
    let t = parse_template(YAML).expect("a template");
    let r = resource(&t, "Database");
    assert_eq!(r.resource_type.as_deref(), Some("AWS::RDS::DBInstance"));
    assert_eq!(r.parameters, ["DbPassword", "Env"]);
    assert_eq!(r.nested_template, None);
    // `${AWS::Region}` is a pseudo parameter; `Database.Endpoint.Address` an attribute.
    assert_eq!(
        resource(&t, "OrdersBucket").parameters,
        ["Env", "BucketSuffix"]
    );
    assert_eq!(resource(&t, "Queue").parameters, ["Env"]);
    assert_eq!(
        resource(&t, "Queue").resource_type.as_deref(),
        Some("AWS::SQS::Queue")
    );
    // `!Ref OrdersBucket` is a resource, `${Host}` a local variable, `${!NotAVar}` a
    // literal and `${OrdersBucket.Arn}` an attribute.
    assert_eq!(resource(&t, "Worker").parameters, ["Env"]);
    // `${BucketSuffix}` is the Fn::Sub's own variable here, not the parameter.
    assert!(resource(&t, "WorkerRole").parameters.is_empty());

    let r = resource(&t, "NetworkStack");
    assert_eq!(
        r.resource_type.as_deref(),
        Some("AWS::CloudFormation::Stack")
    );
    assert_eq!(r.nested_template.as_deref(), Some("./nested/network.yaml"));
    assert_eq!(r.parameters, ["Env", "BucketSuffix"]);

    let r = resource(&t, "Payments");
    assert_eq!(
        r.resource_type.as_deref(),
        Some("AWS::Serverless::Application")
    );
    assert_eq!(r.nested_template.as_deref(), Some("nested/payments.json"));

    assert_eq!(resource(&t, "RemoteStack").nested_template, None);
    assert_eq!(resource(&t, "PublishedApp").nested_template, None);
    let r = resource(&t, "SubStack");
    assert_eq!(
        r.nested_template, None,
        "an intrinsic function is not a path"
    );
    assert_eq!(r.parameters, ["Env"]);
}

#[test]
fn yaml_template_with_crlf_and_bom() {
    let text = format!("\u{feff}{}", YAML.replace('\n', "\r\n"));
    let t = parse_template(&text).expect("a template");
    assert_eq!(t, parse_template(YAML).expect("a template"));
}

#[test]
fn yaml_flow_style_resources() {
    let text = "Resources: {A: {Type: 'AWS::SNS::Topic'}, B: {Type: AWS::SQS::Queue}}\n";
    let t = parse_template(text).expect("a template");
    assert_eq!(t.resources.len(), 2);
    assert!(t.resources.iter().all(|r| r.lines == lines(1, 1)));
    assert_eq!(
        t.resources[0].resource_type.as_deref(),
        Some("AWS::SNS::Topic")
    );

    let text = "\
Parameters: {P: {Type: String}}
Resources: {
  A: {
    Type: 'AWS::SNS::Topic',
    Properties: {TopicName: !Ref P}
  }, B: {Type: AWS::SQS::Queue},
  # a comment
  C: {Type: AWS::SQS::Queue}}
";
    let t = parse_template(text).expect("a template");
    assert_eq!(t.resources[0].lines, lines(3, 6));
    assert_eq!(t.resources[0].parameters, ["P"]);
    assert_eq!(t.resources[1].lines, lines(6, 6));
    assert_eq!(t.resources[2].lines, lines(8, 8));
    assert_eq!(t.parameters, vec![("P".to_string(), lines(1, 1))]);
}

#[test]
fn yaml_without_trailing_newline_and_with_document_markers() {
    let text = "Resources:\n  A:\n    Type: AWS::SNS::Topic\n  B:\n    Type: AWS::SQS::Queue";
    let t = parse_template(text).expect("a template");
    assert_eq!(t.resources[0].lines, lines(2, 3));
    assert_eq!(t.resources[1].lines, lines(4, 5));

    let text = "---\nResources:\n  A:\n    Type: AWS::SNS::Topic\n\n# c\n...\n";
    let t = parse_template(text).expect("a template");
    assert_eq!(t.resources[0].lines, lines(3, 4));
}

#[test]
fn block_scalar_and_multiline_plain_scalar_at_the_end() {
    let text = "\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Description: a long
        description over
        three lines
  Script:
    Type: AWS::SSM::Document
    Properties:
      Content: >-
        echo hi

        # still content

  # not content
  Last:
    Type: AWS::SNS::Topic
";
    let t = parse_template(text).expect("a template");
    assert_eq!(t.resources[0].lines, lines(2, 7));
    assert_eq!(t.resources[1].lines, lines(8, 14));
    assert_eq!(t.resources[2].lines, lines(17, 18));
}

#[test]
fn duplicate_logical_ids_are_both_kept() {
    let text = "\
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Topic:
    Type: AWS::SQS::Queue
";
    let t = parse_template(text).expect("a template");
    assert_eq!(t.resources.len(), 2);
    assert_eq!(t.resources[0].lines, lines(2, 3));
    assert_eq!(t.resources[1].lines, lines(4, 5));
    assert_eq!(
        t.resources[1].resource_type.as_deref(),
        Some("AWS::SQS::Queue")
    );

    let json = r#"{"Resources": {"T": {"Type": "A::B::C"},
 "T": {"Type": "A::B::D"}}}"#;
    let t = parse_template(json).expect("a template");
    let spans: Vec<Lines> = t.resources.iter().map(|r| r.lines).collect();
    assert_eq!(spans, [lines(1, 1), lines(2, 2)]);
}

#[test]
fn short_form_tags_on_every_node_kind_parse() {
    let text = "\
Parameters:
  Vpc: {Type: String}
  Zone: {Type: String}
Conditions:
  Both: !And [!Equals [!Ref Zone, a], !Not [!Condition Other]]
  Other: !Or [!Equals [a, b], !Equals [c, d]]
Resources:
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !ImportValue {Fn::Sub: '${Vpc}-id'}
      AvailabilityZone: !Select [0, !GetAZs {Ref: 'AWS::Region'}]
      CidrBlock: !Select [0, !Cidr [!Ref Vpc, 6, 5]]
      Tags: !Split [',', !Join [',', [a, b]]]
      UserData: !Base64
        Fn::FindInMap: [Map, !Ref Zone, key]
      Other: !Transform {Name: AWS::Include, Parameters: {Location: x}}
";
    let t = parse_template(text).expect("a template");
    assert_eq!(t.resources[0].lines, lines(8, 17));
    assert_eq!(t.resources[0].parameters, ["Vpc", "Zone"]);
}
