//! docs/rules.md is generated from rules/*.hcl; this fails when it drifts.
//! Regenerate with `PLANGATE_UPDATE_DOCS=1 cargo test --test docs`.

#[test]
fn docs_rules_md_is_generated_from_the_rules() {
    let policy = plangate::config::builtin()
        .expect("the built-in rules read")
        .policy;
    let generated = plangate::report::rules::docs(&policy);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
    if std::env::var_os("PLANGATE_UPDATE_DOCS").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/rules.md is out of date with rules/*.hcl: run `PLANGATE_UPDATE_DOCS=1 cargo test --test docs`"
    );
}

/// README shows the workflow `plangate init` writes, as it writes it.
#[test]
fn readme_shows_the_workflow_init_writes() {
    let readme = include_str!("../README.md");
    let workflow = include_str!("../src/config/templates/workflow.yml");
    assert!(
        readme.contains(&format!("```yaml\n{workflow}```\n")),
        "README.md's workflow under \"In GitHub Actions\" differs from src/config/templates/workflow.yml"
    );
}
