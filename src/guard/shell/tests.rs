use super::*;

fn argvs(command: &str) -> Vec<Vec<String>> {
    parse(command)
        .invocations
        .into_iter()
        .map(|i| i.argv)
        .collect()
}

fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The command line runs exactly these simple commands and nothing is unresolved.
fn runs(command: &str, expected: &[&[&str]]) {
    let parsed = parse(command);
    let got: Vec<Vec<String>> = parsed.invocations.iter().map(|i| i.argv.clone()).collect();
    let want: Vec<Vec<String>> = expected.iter().map(|w| words(w)).collect();
    assert_eq!(got, want, "for {command:?}");
    assert!(
        parsed.unresolved.is_empty(),
        "for {command:?}: {:?}",
        parsed.unresolved
    );
}

fn finds(command: &str, expected: &[&str]) -> Invocation {
    let parsed = parse(command);
    let want = words(expected);
    parsed
        .invocations
        .into_iter()
        .find(|i| i.argv == want)
        .unwrap_or_else(|| panic!("{command:?} does not run {want:?}: {:?}", argvs(command)))
}

fn unresolved_why(command: &str) -> Vec<String> {
    let parsed = parse(command);
    assert!(
        !parsed.unresolved.is_empty(),
        "{command:?} should be unresolved: {parsed:?}"
    );
    parsed.unresolved.into_iter().map(|u| u.why).collect()
}

#[test]
fn quoting() {
    runs("'terraform' destroy", &[&["terraform", "destroy"]]);
    runs("ter\"ra\"form destroy", &[&["terraform", "destroy"]]);
    runs("\"terraform\" \"destroy\"", &[&["terraform", "destroy"]]);
    runs(
        r#"echo "a \" b \\ c \$d \` e""#,
        &[&["echo", "a \" b \\ c $d ` e"]],
    );
    runs(r#"echo "a\nb""#, &[&["echo", "a\\nb"]]);
    runs(r"t\erraform destroy", &[&["terraform", "destroy"]]);
    runs(r"echo a\ b", &[&["echo", "a b"]]);
    runs("echo 'a \"b\" $c'", &[&["echo", "a \"b\" $c"]]);
    runs("$'\\x74erraform' destroy", &[&["terraform", "destroy"]]);
    runs("terraform \\\n destroy", &[&["terraform", "destroy"]]);
}

#[test]
fn separators_and_operators() {
    runs(
        "a; b && c || d | e & f\ng |& h",
        &[
            &["a"],
            &["b"],
            &["c"],
            &["d"],
            &["e"],
            &["f"],
            &["g"],
            &["h"],
        ],
    );
    runs("(a; b) && { c; d; }", &[&["a"], &["b"], &["c"], &["d"]]);
    runs("a # b; terraform destroy\nc", &[&["a"], &["c"]]);
    runs("echo a#b", &[&["echo", "a#b"]]);
    runs(
        "true && { terraform apply; }",
        &[&["true"], &["terraform", "apply"]],
    );
}

#[test]
fn control_words() {
    runs(
        "if a; then b; elif c; then d; else e; fi",
        &[&["a"], &["b"], &["c"], &["d"], &["e"]],
    );
    runs("for x in a b c; do d $x; done", &[&["d", "$x"]]);
    runs("for x in $(ls); do d; done", &[&["ls"], &["d"]]);
    runs("for ((i=0; i<3; i++)); do d; done", &[&["d"]]);
    runs(
        "while a; do b; done; until c; do d; done",
        &[&["a"], &["b"], &["c"], &["d"]],
    );
    runs(
        "case $x in a|b) c;; (d) e; f;; *) g;; esac",
        &[&["c"], &["e"], &["f"], &["g"]],
    );
    runs("case x in\n a) b\n ;;\nesac", &[&["b"]]);
    runs("! a | b", &[&["a"], &["b"]]);
    runs("[[ -f $(a) && x ]] && b", &[&["a"], &["b"]]);
    runs(
        "echo if then fi done",
        &[&["echo", "if", "then", "fi", "done"]],
    );
}

#[test]
fn redirections() {
    runs("a >f >>g <h 2>&1 &>i >|j <<<word 3<k", &[&["a"]]);
    runs("a > $(b)", &[&["b"], &["a"]]);
}

#[test]
fn heredoc_body_is_data_for_other_commands() {
    runs(
        "cat <<EOF\nterraform destroy\nEOF\necho done",
        &[&["cat"], &["echo", "done"]],
    );
    runs(
        "cat <<-'EOF'\n\tterraform destroy\n\tEOF\nb",
        &[&["cat"], &["b"]],
    );
}

#[test]
fn heredoc_body_runs_in_a_shell() {
    let parsed = parse("bash <<'EOF'\nterraform destroy\nEOF");
    assert_eq!(parsed.invocations.len(), 1);
    assert_eq!(parsed.invocations[0].argv, words(&["terraform", "destroy"]));
    assert_eq!(parsed.invocations[0].via, words(&["bash <<"]));
    finds(
        "sh <<-EOF\n\tcd x && tofu destroy\n\tEOF",
        &["tofu", "destroy"],
    );
    finds(
        "source /dev/stdin <<EOF\nterraform destroy\nEOF",
        &["terraform", "destroy"],
    );
    finds("bash <<< 'terraform destroy'", &["terraform", "destroy"]);
}

#[test]
fn unquoted_heredoc_substitutions_run() {
    finds(
        "cat <<EOF\n$(terraform destroy)\nEOF",
        &["terraform", "destroy"],
    );
    runs("cat <<'EOF'\n$(terraform destroy)\nEOF", &[&["cat"]]);
}

#[test]
fn assignments() {
    let parsed = parse("A=1 B=\"two words\" terraform apply");
    let inv = &parsed.invocations[0];
    assert_eq!(inv.argv, words(&["terraform", "apply"]));
    assert_eq!(
        inv.env,
        vec![("A".into(), "1".into()), ("B".into(), "two words".into())]
    );
    runs("A=1", &[]);
    runs("x=$(terragrunt destroy)", &[&["terragrunt", "destroy"]]);
    runs("a=(1 $(b) 3)", &[&["b"]]);
    runs("\"A=1\" cmd", &[&["A=1", "cmd"]]);
}

#[test]
fn export_reaches_later_commands() {
    let inv = finds(
        "export TF_CLI_ARGS_apply=-destroy && terraform apply",
        &["terraform", "apply"],
    );
    assert_eq!(
        inv.env,
        vec![("TF_CLI_ARGS_apply".into(), "-destroy".into())]
    );
}

#[test]
fn wrappers() {
    let inv = finds(
        "sudo -u ops env TF_LOG=1 terraform destroy",
        &["terraform", "destroy"],
    );
    assert_eq!(inv.env, vec![("TF_LOG".into(), "1".into())]);
    runs(
        "env -i -u HOME A=1 terraform destroy",
        &[&["terraform", "destroy"]],
    );
    runs(
        "sudo -E -n -- terraform destroy",
        &[&["terraform", "destroy"]],
    );
    runs(
        "doas -u root terraform destroy",
        &[&["terraform", "destroy"]],
    );
    runs("nohup terraform destroy &", &[&["terraform", "destroy"]]);
    runs("time -p terraform destroy", &[&["terraform", "destroy"]]);
    runs("exec terraform destroy", &[&["terraform", "destroy"]]);
    runs("exec >log 2>&1", &[]);
    runs("command -p terraform destroy", &[&["terraform", "destroy"]]);
    runs("command -v terraform", &[&["command", "-v", "terraform"]]);
    runs("nice -n 10 terraform destroy", &[&["terraform", "destroy"]]);
    runs(
        "timeout -s KILL 5m terraform destroy",
        &[&["terraform", "destroy"]],
    );
    runs("stdbuf -oL terraform destroy", &[&["terraform", "destroy"]]);
    runs(
        "/usr/bin/sudo /usr/bin/terraform destroy",
        &[&["/usr/bin/terraform", "destroy"]],
    );
    runs("env", &[&["env"]]);
}

#[test]
fn xargs_and_find_exec() {
    let inv = finds(
        "echo a | xargs -I{} terraform destroy -target={}",
        &["terraform", "destroy", "-target={}"],
    );
    assert_eq!(inv.via, words(&["xargs"]));
    let inv = finds(
        r"find . -exec terraform destroy \;",
        &["terraform", "destroy"],
    );
    assert_eq!(inv.via, words(&["find -exec"]));
    finds("find . -name x -execdir rm {} + -print", &["rm", "{}"]);
}

#[test]
fn watch() {
    runs("watch terraform destroy", &[&["terraform", "destroy"]]);
    runs(
        "watch -n 5 'terraform plan; terraform destroy'",
        &[&["terraform", "plan"], &["terraform", "destroy"]],
    );
    runs("watch -x terraform destroy", &[&["terraform", "destroy"]]);
}

#[test]
fn shell_dash_c() {
    let inv = finds(
        "bash -c \"terraform destroy -auto-approve\"",
        &["terraform", "destroy", "-auto-approve"],
    );
    assert_eq!(inv.via, words(&["bash -c"]));
    let inv = finds("sh -c 'cd infra && tofu destroy'", &["tofu", "destroy"]);
    assert_eq!(inv.cwd.as_deref(), Some("infra"));
    for cmd in [
        "bash -lc 'tofu destroy'",
        "bash -e -c 'tofu destroy'",
        "zsh -o pipefail -c 'tofu destroy'",
        "dash -c 'tofu destroy' name arg",
    ] {
        runs(cmd, &[&["tofu", "destroy"]]);
    }
    let inv = finds("A=1 bash -c 'terraform apply'", &["terraform", "apply"]);
    assert_eq!(inv.env, vec![("A".into(), "1".into())]);
}

#[test]
fn nesting_is_limited() {
    let mut command = "terraform destroy".to_string();
    for _ in 0..MAX_DEPTH {
        command = format!("bash -c {}", shell_quote(&command));
    }
    let inv = finds(&command, &["terraform", "destroy"]);
    assert_eq!(inv.via.len(), MAX_DEPTH);
    let deeper = format!("bash -c {}", shell_quote(&command));
    let parsed = parse(&deeper);
    assert!(parsed.invocations.is_empty());
    assert!(parsed.unresolved[0].why.contains("nested"), "{parsed:?}");
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[test]
fn command_substitution() {
    let inv = finds("echo $(terraform destroy)", &["terraform", "destroy"]);
    assert_eq!(inv.via, words(&["$( )"]));
    finds(
        "echo \"x $(terraform destroy) y\"",
        &["terraform", "destroy"],
    );
    let inv = finds("echo `terraform destroy`", &["terraform", "destroy"]);
    assert_eq!(inv.via, words(&["` `"]));
    finds("echo \"`terraform destroy`\"", &["terraform", "destroy"]);
    finds(
        "echo $(echo $(terraform destroy))",
        &["terraform", "destroy"],
    );
    finds("echo ${x:-$(terraform destroy)}", &["terraform", "destroy"]);
    finds("diff <(terraform destroy) f", &["terraform", "destroy"]);
    finds(
        "diff <(terraform destroy) f",
        &["diff", "<(terraform destroy)", "f"],
    );
    finds(
        "echo $(( $(terraform destroy) + 1 ))",
        &["terraform", "destroy"],
    );
    finds(
        "echo $(case x in (a) terraform destroy;; esac)",
        &["terraform", "destroy"],
    );
    runs(
        "echo $(( 1 + (2 * 3) ))",
        &[&["echo", "$(( 1 + (2 * 3) ))"]],
    );
    let inv = finds("echo $(a)", &["echo", "$(a)"]);
    assert_eq!(inv.dynamic, vec![1]);
}

#[test]
fn cd_sets_cwd() {
    let parsed = parse("cd infra && terraform apply; cd prod; terraform destroy");
    let cwds: Vec<Option<&str>> = parsed
        .invocations
        .iter()
        .map(|i| i.cwd.as_deref())
        .collect();
    assert_eq!(
        cwds,
        vec![None, Some("infra"), Some("infra"), Some("infra/prod")]
    );
    let inv = finds("(cd infra; terraform destroy)", &["terraform", "destroy"]);
    assert_eq!(inv.cwd.as_deref(), Some("infra"));
    let inv = finds("(cd infra); terraform destroy", &["terraform", "destroy"]);
    assert_eq!(inv.cwd, None);
    let inv = finds(
        "pushd /srv/infra && terraform destroy",
        &["terraform", "destroy"],
    );
    assert_eq!(inv.cwd.as_deref(), Some("/srv/infra"));
    let inv = finds("cd x | true; terraform destroy", &["terraform", "destroy"]);
    assert!(inv.cwd.is_none() && inv.cwd_known);
}

#[test]
fn cd_to_an_unknown_place() {
    for cmd in [
        "cd \"$DIR\" && terraform destroy",
        "cd - && terraform destroy",
        "cd $(mktemp -d); terraform destroy",
    ] {
        let inv = finds(cmd, &["terraform", "destroy"]);
        assert_eq!((inv.cwd, inv.cwd_known), (None, false), "{cmd}");
    }
    let inv = finds("terraform destroy", &["terraform", "destroy"]);
    assert!(inv.cwd_known);
}

#[test]
fn computed_command_names_are_unresolved() {
    for cmd in [
        "$TF destroy",
        "\"$(which terraform)\" destroy",
        "terraform$IFS destroy",
        "${TF} destroy",
        "`echo terraform` destroy",
    ] {
        let why = unresolved_why(cmd);
        assert!(
            why.iter().any(|w| w.contains("computed at run time")),
            "{cmd}: {why:?}"
        );
    }
    unresolved_why("terr* destroy");
    unresolved_why("terraf[o]rm destroy");
    runs(
        "[ -d x ] && terraform destroy",
        &[&["[", "-d", "x", "]"], &["terraform", "destroy"]],
    );
    unresolved_why("{terraform,destroy}");
    unresolved_why("terraform de{stroy,}");
}

#[test]
fn eval_and_source() {
    let inv = finds("eval 'terraform destroy'", &["terraform", "destroy"]);
    assert_eq!(inv.via, words(&["eval"]));
    unresolved_why("eval \"$CMD\"");
    unresolved_why("source ./env.sh");
    unresolved_why(". ~/.profile && terraform destroy");
}

#[test]
fn script_files_are_unresolved() {
    for cmd in [
        "./deploy.sh",
        "bash deploy.sh",
        "sh scripts/x",
        "bash < script",
        "curl x | bash",
        "bash",
    ] {
        unresolved_why(cmd);
    }
    runs("python x.py", &[&["python", "x.py"]]);
    let parsed = parse("sh -c \"$CMD\"");
    assert_eq!(parsed.unresolved[0].text, "sh -c \"$CMD\"");
}

#[test]
fn broken_text_is_unresolved_whole() {
    for cmd in [
        "echo 'a",
        "echo \"a",
        "(a",
        "a)",
        "{ a;",
        "echo $(a",
        "if a; then b",
        "for x in a; do b",
        "case x in a) b;;",
        "echo `a",
        "a (b)",
        "echo $((a) b)",
    ] {
        let parsed = parse(cmd);
        assert!(
            parsed
                .unresolved
                .iter()
                .any(|u| u.text == cmd && u.why.starts_with("cannot be parsed")),
            "{cmd}: {parsed:?}"
        );
    }
}

#[test]
fn functions_and_aliases() {
    let parsed = parse("f() { terraform destroy; }; f");
    assert_eq!(
        argvs("f() { terraform destroy; }; f"),
        vec![words(&["terraform", "destroy"]), words(&["f"])]
    );
    assert_eq!(parsed.functions, words(&["f"]));
    assert!(parsed.unresolved.is_empty());
    assert_eq!(parse("function g { a; }").functions, words(&["g"]));
    let why = unresolved_why("alias x='terraform destroy'; x");
    assert_eq!(
        why,
        vec!["an alias is defined: later words may run anything".to_string()]
    );
}

/// A small xorshift generator: deterministic, so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let i = (self.next() % items.len() as u64) as usize;
        items.get(i).copied().unwrap_or("")
    }
}

#[test]
fn never_panics_on_noise() {
    const PIECES: &[&str] = &[
        " ",
        "\n",
        "\t",
        ";",
        ";;",
        "&",
        "&&",
        "|",
        "||",
        "|&",
        "(",
        ")",
        "{",
        "}",
        "'",
        "\"",
        "\\",
        "`",
        "$",
        "$(",
        "$((",
        "${",
        "}",
        "<",
        ">",
        ">>",
        "<<",
        "<<-",
        "<<<",
        "2>&1",
        "&>",
        "#",
        "=",
        "A=1",
        "EOF",
        "if",
        "then",
        "fi",
        "for",
        "in",
        "do",
        "done",
        "while",
        "case",
        "esac",
        "!",
        "[[",
        "]]",
        "bash -c ",
        "sudo ",
        "env ",
        "xargs ",
        "find . -exec ",
        "eval ",
        "cd ",
        "x",
        "terraform",
        "destroy",
        "$'\\x7",
        "*",
        "{a,b}",
        "f()",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..4000 {
        let len = rng.next() % 24;
        let text: String = (0..len).map(|_| rng.pick(PIECES)).collect();
        let _ = parse(&text);
    }
}

#[test]
fn deep_nesting_does_not_overflow() {
    let deep = "$(".repeat(10_000);
    assert!(!parse(&deep).unresolved.is_empty());
    let backticks = "echo $(( ".repeat(5_000);
    let _ = parse(&backticks);
    let parens = "(".repeat(100_000);
    assert!(!parse(&parens).unresolved.is_empty());
}
