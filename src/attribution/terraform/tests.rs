use super::*;

const MAIN: &str = r#"terraform {
  required_version = ">= 1.5"
}

variable "size" {
  default = 3
}

locals {
  prefix = "app-${var.env}"
  tags   = { team = "sre" }
}

# The database.
resource "aws_db_instance" "main" {
  count          = var.size
  identifier     = "${local.prefix}-db"
  instance_class = "db.t3.micro"

  lifecycle {
    prevent_destroy = true
  }
}

module "network" {
  source = "./modules/network"
  cidr   = var.cidr
  name   = local.prefix
}

moved {
  from = aws_s3_bucket.old["a"]
  to   = module.storage.aws_s3_bucket.new
}

data "aws_ami" "ubuntu" {
  most_recent = true
}
"#;

fn find(decls: &[Declaration], d: &Decl) -> Declaration {
    decls
        .iter()
        .find(|x| x.decl == *d)
        .unwrap_or_else(|| panic!("no {d:?}"))
        .clone()
}

fn res(kind: &str, name: &str) -> Decl {
    Decl::Resource {
        data: false,
        kind: kind.into(),
        name: name.into(),
    }
}

#[test]
fn declarations_with_lines_and_references() {
    let decls = declarations(MAIN).unwrap();
    let db = find(&decls, &res("aws_db_instance", "main"));
    assert_eq!(db.lines, Lines { start: 15, end: 23 });
    assert_eq!(
        db.refs,
        [Ref::Var("size".into()), Ref::Local("prefix".into())]
    );
    let names: Vec<&str> = db.parts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["count", "identifier", "instance_class", "lifecycle"]
    );
    assert_eq!(db.part("count").unwrap().refs, [Ref::Var("size".into())]);
    let prefix = find(
        &decls,
        &Decl::Local {
            name: "prefix".into(),
        },
    );
    assert_eq!(prefix.lines, Lines { start: 10, end: 10 });
    assert_eq!(prefix.refs, [Ref::Var("env".into())]);
    let network = find(
        &decls,
        &Decl::Module {
            name: "network".into(),
        },
    );
    assert_eq!(network.source.as_deref(), Some("./modules/network"));
    assert_eq!(
        network.part("name").unwrap().refs,
        [Ref::Local("prefix".into())]
    );
    assert!(decls.iter().any(|d| d.decl
        == Decl::Moved {
            from: "aws_s3_bucket.old".into(),
            to: "module.storage.aws_s3_bucket.new".into()
        }));
    assert!(decls.iter().any(|d| d.decl == Decl::Terraform));
    assert!(decls.iter().any(|d| d.decl
        == Decl::Resource {
            data: true,
            kind: "aws_ami".into(),
            name: "ubuntu".into()
        }));
    assert_eq!(
        find(
            &decls,
            &Decl::Variable {
                name: "size".into()
            }
        )
        .lines,
        Lines { start: 5, end: 7 }
    );
}

#[test]
fn references_to_resources_modules_files_and_the_workspace() {
    let text = r#"
resource "terraform_data" "app" {
  input            = "${terraform.workspace}-${data.aws_ami.x.id}"
  triggers_replace = [module.settings.version, module.m[0].out, terraform_data.source.output]
  lifecycle {
    replace_triggered_by = [terraform_data.config, terraform_data.other.output]
  }
  dynamic "setting_rule" {
    for_each = var.rules
    content {
      name = setting_rule.value.name
    }
  }
  tags = [for my_item in var.items : my_item.name]
}

output "version" {
  value = local.version
}
"#;
    let decls = declarations(text).unwrap();
    let app = find(&decls, &res("terraform_data", "app"));
    let r = |kind: &str, name: &str| Ref::Resource {
        data: false,
        kind: kind.into(),
        name: name.into(),
    };
    assert_eq!(
        app.part("lifecycle").unwrap().refs,
        [r("terraform_data", "config"), r("terraform_data", "other")]
    );
    assert_eq!(
        app.part("triggers_replace").unwrap().refs,
        [
            r("terraform_data", "source"),
            Ref::Module {
                name: "m".into(),
                output: Some("out".into())
            },
            Ref::Module {
                name: "settings".into(),
                output: Some("version".into())
            },
        ]
    );
    assert_eq!(
        app.part("input").unwrap().refs,
        [
            Ref::Resource {
                data: true,
                kind: "aws_ami".into(),
                name: "x".into()
            },
            Ref::Workspace
        ]
    );
    // Iterators bound by `dynamic` and `for` are not resources.
    assert_eq!(
        app.part("setting_rule").unwrap().refs,
        [Ref::Var("rules".into())]
    );
    assert_eq!(app.part("tags").unwrap().refs, [Ref::Var("items".into())]);
    assert!(decls.iter().any(|d| d.decl
        == Decl::Output {
            name: "version".into()
        }));
}

#[test]
fn file_functions_and_module_paths() {
    let text = r#"
resource "terraform_data" "a" {
  input = [
    file("config.json"),
    jsondecode(file("${path.module}/db.json")).version,
    templatefile("${path.root}/init.tftpl", { name = var.name }),
    filesha256("${path.module}/envs/${var.env}.json"),
    [for f in fileset(path.module, "scripts/*.sh") : filesha256("${path.module}/${f}")],
    file(var.policy_path),
    "${path.module}/lambda.zip",
  ]
}
"#;
    let decls = declarations(text).unwrap();
    let a = find(&decls, &res("terraform_data", "a"));
    let files: Vec<&FilePath> = a
        .refs
        .iter()
        .filter_map(|r| match r {
            Ref::File(f) => Some(f),
            _ => None,
        })
        .collect();
    let module = |p: &str| FilePath::Module(p.into());
    let under = |f: FilePath| FilePath::Under(Box::new(f));
    for expected in [
        FilePath::Cwd("config.json".into()),
        module("db.json"),
        FilePath::Cwd("init.tftpl".into()),
        under(module("envs")),
        FilePath::Glob {
            base: Box::new(module("")),
            pattern: "scripts/*.sh".into(),
        },
        under(module("")),
        FilePath::Value(Box::new(Ref::Var("policy_path".into()))),
        module("lambda.zip"),
    ] {
        assert!(files.contains(&&expected), "{expected:?} in {files:?}");
    }
    assert!(a.refs.contains(&Ref::Var("policy_path".into())));
    assert_eq!(
        path_of_attribute("p = \"${path.module}/x.json\""),
        module("x.json")
    );
    assert_eq!(
        path_of_attribute("p = join(\"/\", [\"a\"])"),
        FilePath::Unknown
    );
}

#[test]
fn reformatting_does_not_change_a_declarations_text() {
    let a = declarations("resource \"x\" \"y\" {\n  a = 1\n}\n").unwrap();
    let b = declarations("resource \"x\"   \"y\" {\n\n    a   =   1\n}\n").unwrap();
    assert_eq!(a[0].text, b[0].text);
    let c = declarations("resource \"x\" \"y\" {\n  a = 2\n}\n").unwrap();
    assert_ne!(a[0].text, c[0].text);
}

#[test]
fn unparsable_files_and_tfvars() {
    assert!(declarations("resource \"x\" {").is_none());
    let vars = tfvars("prod.tfvars", "region = \"eu\"\nsize = 3\n").unwrap();
    assert_eq!(vars[1].0, "size");
    assert_eq!(vars[1].1, Lines { start: 2, end: 2 });
    let vars = tfvars("prod.tfvars.json", r#"{"size": 3}"#).unwrap();
    assert_eq!((vars[0].0.as_str(), vars[0].2.as_str()), ("size", "3"));
}
