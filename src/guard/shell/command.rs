//! One simple command: assignments, wrappers, shells and the builtins that
//! change what later commands run or where.

use super::lex::{RedirKind, Word, is_name};
use super::{Command, Cwd, Invocation, MAX_DEPTH, Parsed, Walker, unresolved};

const SHELLS: [&str; 17] = [
    "bash", "sh", "zsh", "dash", "ksh", "ksh93", "mksh", "ash", "rbash", "bash5", "fish", "yash",
    "posh", "tcsh", "csh", "lksh", "oksh",
];

/// What a wrapper leaves to run.
enum Unwrapped<'c, 't> {
    Inner(&'c [&'t Word]),
    /// The wrapper runs nothing else (`exec >log`, `env` alone).
    Nothing,
    NotAWrapper,
}

/// The words of a command as one line, for messages.
fn line(words: &[&Word]) -> String {
    words
        .iter()
        .map(|w| w.raw.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn assignment(word: &Word) -> Option<(String, String)> {
    let eq = word.shape.find('=')?;
    let name = word.shape.get(..eq)?;
    let name = name.strip_suffix('+').unwrap_or(name);
    if !is_name(name) {
        return None;
    }
    let value = word.text.get(eq + 1..)?;
    Some((name.to_string(), value.to_string()))
}

/// `[` alone is the test command, not a pattern; `[a]` is a bracket pattern.
fn is_glob(word: &Word) -> bool {
    let bracket = word
        .shape
        .find('[')
        .is_some_and(|open| word.shape.get(open..).is_some_and(|r| r.contains(']')));
    word.shape.contains(['*', '?']) || bracket
}

/// `{a,b}` or `{1..3}` unquoted: bash turns one word into several.
fn is_brace_expansion(word: &Word) -> bool {
    let Some(open) = word.shape.find('{') else {
        return false;
    };
    let Some(rest) = word.shape.get(open + 1..) else {
        return false;
    };
    let Some(close) = rest.find('}') else {
        return false;
    };
    rest.get(..close)
        .is_some_and(|inner| inner.contains(',') || inner.contains(".."))
}

/// The index of the first word after the options; `with_value` options take the next word.
fn skip_options(args: &[&Word], with_value: &[&str]) -> usize {
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        let t = arg.text.as_str();
        if t == "--" {
            return i + 1;
        }
        if !t.starts_with('-') || t == "-" {
            return i;
        }
        i += if with_value.contains(&t) || cluster_ends_with_value(t, with_value) {
            2
        } else {
            1
        };
    }
    i
}

/// Is `t` a cluster of short options (`-iu`, `-Eu`) whose last one takes a
/// value, as getopt reads it? (A value-taking option inside the cluster
/// takes the rest of the word as its value: no further word.)
fn cluster_ends_with_value(t: &str, with_value: &[&str]) -> bool {
    if t.starts_with("--") || t.len() < 3 || t.contains('=') {
        return false;
    }
    for (n, c) in t.char_indices().skip(1) {
        let short = format!("-{c}");
        if with_value.contains(&short.as_str()) {
            return n + c.len_utf8() == t.len();
        }
    }
    false
}

fn rest<'c, 't>(args: &'c [&'t Word], from: usize) -> Unwrapped<'c, 't> {
    match args.get(from..) {
        Some(inner) if !inner.is_empty() => Unwrapped::Inner(inner),
        _ => Unwrapped::Nothing,
    }
}

impl Walker {
    pub(super) fn command(&mut self, command: Command, out: &mut Parsed) {
        let mut words = command.words.as_slice();
        let mut env = self.env.clone();
        while let Some((first, others)) = words.split_first() {
            let Some(pair) = assignment(first) else { break };
            env.push(pair);
            words = others;
        }
        if !words.is_empty() {
            self.resolve(words, env, Vec::new(), &command, 0, out);
        }
    }

    /// Removes wrappers and records what finally runs.
    fn resolve(
        &mut self,
        mut words: &[&Word],
        mut env: Vec<(String, String)>,
        mut labels: Vec<String>,
        command: &Command,
        hops: usize,
        out: &mut Parsed,
    ) {
        while let Some((name_word, args)) = words.split_first() {
            if name_word.dynamic {
                let why = format!(
                    "the command name `{}` is computed at run time (a variable or substitution), so what runs is not known",
                    name_word.raw
                );
                out.unresolved.push(unresolved(&line(words), why));
                return;
            }
            if is_glob(name_word) || is_brace_expansion(name_word) {
                let why = format!(
                    "the command name `{}` is a pattern the shell expands",
                    name_word.raw
                );
                out.unresolved.push(unresolved(&line(words), why));
                return;
            }
            let name = basename(&name_word.text);
            match self.unwrap(name, args, &mut env, &mut labels, command, out) {
                Some(Unwrapped::Inner(inner)) => words = inner,
                Some(Unwrapped::Nothing) => {
                    if name != "exec" {
                        self.record(words, env, labels, out);
                    }
                    return;
                }
                Some(Unwrapped::NotAWrapper) => {
                    self.builtin_or_program(words, env, labels, command, hops, out);
                    return;
                }
                None => return,
            }
        }
    }

    /// `None`: the command was dealt with (a shell, `eval`, …).
    fn unwrap<'c, 't>(
        &mut self,
        name: &str,
        args: &'c [&'t Word],
        env: &mut Vec<(String, String)>,
        labels: &mut Vec<String>,
        command: &Command,
        out: &mut Parsed,
    ) -> Option<Unwrapped<'c, 't>> {
        let unwrapped = match name {
            "sudo" | "doas" => {
                let with_value = [
                    "-u",
                    "-g",
                    "-C",
                    "-D",
                    "-h",
                    "-p",
                    "-r",
                    "-t",
                    "-U",
                    "-T",
                    "-R",
                    "--user",
                    "--group",
                    "--chdir",
                    "--host",
                    "--prompt",
                    "--role",
                    "--type",
                    "--other-user",
                ];
                let mut i = skip_options(args, &with_value);
                while let Some(pair) = args.get(i).and_then(|w| assignment(w)) {
                    env.push(pair);
                    i += 1;
                }
                // `sudo -s` / `-i` with no command is a shell reading its input.
                let options = args.get(..i).unwrap_or_default();
                let shell = options.iter().any(|o| {
                    !o.text.starts_with("--") && o.text.contains(['s', 'i'])
                        || o.text == "--shell"
                        || o.text == "--login"
                });
                if shell && args.get(i).is_none() {
                    self.shell("sh", &[], env, command, out);
                    return None;
                }
                rest(args, i)
            }
            // `su [-] [user] [-c CMD]`: the command, or a shell reading its input.
            "su" | "runuser" => {
                let c = args
                    .iter()
                    .position(|a| a.text == "-c" || a.text == "--command");
                match c.and_then(|c| args.get(c + 1)) {
                    Some(cmd) => {
                        let dash_c = Word {
                            text: "-c".into(),
                            ..(*cmd).clone()
                        };
                        self.shell("sh", &[&dash_c, cmd], env, command, out);
                    }
                    None => self.shell("sh", &[], env, command, out),
                }
                return None;
            }
            "env" => return self.unwrap_env(args, env, out),
            "nohup" | "setsid" | "builtin" => rest(args, skip_options(args, &[])),
            "exec" => rest(args, skip_options(args, &["-a"])),
            "command" => {
                if args
                    .iter()
                    .take_while(|a| a.text.starts_with('-'))
                    .any(|a| a.text.contains(['v', 'V']))
                {
                    Unwrapped::NotAWrapper
                } else {
                    rest(args, skip_options(args, &[]))
                }
            }
            "time" => rest(
                args,
                skip_options(args, &["-f", "-o", "--format", "--output"]),
            ),
            "nice" => rest(args, skip_options(args, &["-n", "--adjustment"])),
            "timeout" => rest(
                args,
                skip_options(args, &["-s", "-k", "--signal", "--kill-after"]) + 1,
            ),
            "stdbuf" => rest(
                args,
                skip_options(args, &["-i", "-o", "-e", "--input", "--output", "--error"]),
            ),
            "xargs" => {
                labels.push("xargs".into());
                let with_value = [
                    "-I",
                    "-L",
                    "-n",
                    "-P",
                    "-s",
                    "-d",
                    "-E",
                    "-a",
                    "--arg-file",
                    "--delimiter",
                    "--max-args",
                    "--max-procs",
                    "--max-chars",
                    "--max-lines",
                    "--eof",
                ];
                rest(args, skip_options(args, &with_value))
            }
            "watch" => return self.unwrap_watch(args, env, labels, out),
            "eval" => {
                self.eval(args, env, command, out);
                return None;
            }
            _ if SHELLS.contains(&name) => {
                self.shell(name, args, env, command, out);
                return None;
            }
            _ => Unwrapped::NotAWrapper,
        };
        Some(unwrapped)
    }

    fn unwrap_env<'c, 't>(
        &mut self,
        args: &'c [&'t Word],
        env: &mut Vec<(String, String)>,
        out: &mut Parsed,
    ) -> Option<Unwrapped<'c, 't>> {
        let with_value = [
            "-u",
            "-C",
            "-S",
            "-P",
            "--unset",
            "--chdir",
            "--split-string",
        ];
        let options = args
            .get(..skip_options(args, &with_value))
            .unwrap_or_default();
        if options.iter().any(|o| {
            o.text.starts_with("--split-string")
                || (!o.text.starts_with("--") && o.text.contains('S'))
        }) {
            let why = "`env -S` splits a string into a command, which is not followed";
            out.unresolved.push(unresolved(&line(args), why));
            return None;
        }
        if options
            .iter()
            .any(|o| o.text == "-i" || o.text == "--ignore-environment")
        {
            env.clear();
        }
        let mut i = options.len();
        while let Some(pair) = args.get(i).and_then(|w| assignment(w)) {
            env.push(pair);
            i += 1;
        }
        Some(rest(args, i))
    }

    /// `watch` hands its words to `sh -c` unless given `-x`.
    fn unwrap_watch<'c, 't>(
        &mut self,
        args: &'c [&'t Word],
        env: &[(String, String)],
        labels: &mut Vec<String>,
        out: &mut Parsed,
    ) -> Option<Unwrapped<'c, 't>> {
        let i = skip_options(args, &["-n", "--interval", "-q"]);
        let options = args.get(..i).unwrap_or_default();
        let inner = args.get(i..).unwrap_or_default();
        if options.iter().any(|o| o.text == "-x" || o.text == "--exec") {
            labels.push("watch".into());
            return Some(rest(args, i));
        }
        if inner.is_empty() {
            return Some(Unwrapped::Nothing);
        }
        if inner.iter().any(|w| w.dynamic) {
            let why = "`watch` runs a command built from variables or substitutions";
            out.unresolved.push(unresolved(&line(inner), why));
            return None;
        }
        let text = inner
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        self.nested(&text, "watch", env, out);
        None
    }

    fn eval(
        &mut self,
        args: &[&Word],
        env: &[(String, String)],
        command: &Command,
        out: &mut Parsed,
    ) {
        self.stdin_commands("eval", env, command, out);
        if args.is_empty() {
            return;
        }
        if args.iter().any(|w| w.dynamic) {
            let why =
                "`eval` runs text built from variables or substitutions, so what runs is not known";
            out.unresolved.push(unresolved(&line(args), why));
            return;
        }
        let text = args
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        self.nested(&text, "eval", env, out);
    }

    fn shell(
        &mut self,
        name: &str,
        args: &[&Word],
        env: &[(String, String)],
        command: &Command,
        out: &mut Parsed,
    ) {
        let mut i = 0;
        let mut dash_c = false;
        while let Some(arg) = args.get(i) {
            let t = arg.text.as_str();
            i += 1;
            if t == "--" || t == "-" {
                break;
            }
            if let Some(long) = t.strip_prefix("--") {
                if long == "rcfile" || long == "init-file" {
                    i += 1;
                }
                continue;
            }
            let Some(letters) = t.strip_prefix('-').or_else(|| t.strip_prefix('+')) else {
                i -= 1;
                break;
            };
            dash_c |= t.starts_with('-') && letters.contains('c');
            if letters.contains(['o', 'O']) {
                i += 1;
            }
        }
        let operand = args.get(i);
        let label = format!("{name} -c");
        let whole = format!("{name} {}", line(args));
        match (dash_c, operand) {
            (true, Some(script)) if script.dynamic => {
                let why = format!("`{label}` runs a string built from variables or substitutions");
                out.unresolved.push(unresolved(&whole, why));
            }
            (true, Some(script)) => self.nested(&script.text, &label, env, out),
            (true, None) => out.unresolved.push(unresolved(
                &whole,
                format!("`{label}` without a command string"),
            )),
            (false, Some(file)) => out.unresolved.push(unresolved(
                &whole,
                format!(
                    "runs the script file `{}`, whose commands are not seen",
                    file.raw
                ),
            )),
            (false, None) => {
                if !self.stdin_commands(&format!("{name} <<"), env, command, out) {
                    let from = if command.piped_in {
                        "a pipe"
                    } else {
                        "its standard input"
                    };
                    let why = format!("`{name}` reads its commands from {from}, which is not seen");
                    out.unresolved.push(unresolved(&whole, why));
                }
            }
        }
    }

    /// Commands given on standard input by a here-document or here-string; false when none are.
    fn stdin_commands(
        &mut self,
        label: &str,
        env: &[(String, String)],
        command: &Command,
        out: &mut Parsed,
    ) -> bool {
        let Some(redir) = command.redirs.iter().rev().find(|r| r.feeds_stdin()) else {
            return false;
        };
        match (&redir.kind, &redir.body) {
            (RedirKind::HereDoc, Some(body)) => self.nested(body, label, env, out),
            (RedirKind::HereString, _) if redir.target.dynamic => {
                let why = "a here-string built from variables or substitutions is run as commands";
                out.unresolved.push(unresolved(&redir.target.raw, why));
            }
            (RedirKind::HereString, _) => self.nested(&redir.target.text, label, env, out),
            _ => {
                let why = format!(
                    "commands are read from `{}`, which is not seen",
                    redir.target.raw
                );
                out.unresolved.push(unresolved(&redir.target.raw, why));
            }
        }
        true
    }

    fn builtin_or_program(
        &mut self,
        words: &[&Word],
        env: Vec<(String, String)>,
        labels: Vec<String>,
        command: &Command,
        hops: usize,
        out: &mut Parsed,
    ) {
        let Some((name_word, args)) = words.split_first() else {
            return;
        };
        let name = basename(&name_word.text);
        match name {
            "source" | "." => {
                self.stdin_commands("source <<", &env, command, out);
                let stdin = ["/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"];
                if !args
                    .first()
                    .is_some_and(|f| stdin.contains(&f.text.as_str()))
                {
                    let why = "`source` runs the commands of a file, which are not seen";
                    out.unresolved.push(unresolved(&line(words), why));
                }
                return;
            }
            "alias" if args.iter().any(|a| a.text.contains('=')) => {
                let why = "an alias is defined: later words may run anything";
                out.unresolved.push(unresolved(&line(words), why));
                return;
            }
            _ => {}
        }
        let before = self.cwd.clone();
        match name {
            "cd" | "pushd" if !command.in_pipeline => {
                let i = skip_options(args, &[]);
                // `cd -P` resolves links first, CDPATH searches elsewhere for a
                // plain name, and `~`, `+N`, `-N` or no argument name a directory
                // only the shell knows: where it went is not known.
                let options = args.get(..i).unwrap_or_default();
                let cdpath = env.iter().chain(&self.env).any(|(k, _)| k == "CDPATH");
                self.cwd = match args.get(i) {
                    _ if options.iter().any(|o| o.text != "--" && o.text != "-L") => Cwd::Unknown,
                    Some(dir)
                        if dir.text.starts_with(['~', '+'])
                            || (dir.text.starts_with('-') && dir.text.len() > 1)
                            || (cdpath && !dir.text.starts_with(['/', '.'])) =>
                    {
                        Cwd::Unknown
                    }
                    Some(dir) => self.cwd.enter(dir),
                    None => Cwd::Unknown,
                };
            }
            "popd" if !command.in_pipeline => self.cwd = Cwd::Unknown,
            "export" => self.env.extend(args.iter().filter_map(|w| assignment(w))),
            _ => {}
        }
        if is_script_file(&name_word.text) {
            let why = format!(
                "runs the script file `{}`, whose commands are not seen",
                name_word.raw
            );
            out.unresolved.push(unresolved(&line(words), why));
        }
        for word in words.iter().filter(|w| is_brace_expansion(w)) {
            let why = "brace expansion turns this word into several, which are not worked out";
            out.unresolved.push(unresolved(&word.raw, why));
        }
        let cwd = std::mem::replace(&mut self.cwd, before);
        self.record(words, env.clone(), labels.clone(), out);
        self.cwd = cwd;
        if name == "find" {
            self.find_exec(args, &env, &labels, command, hops, out);
        }
    }

    /// `find … -exec CMD … ;`: CMD runs once per file found.
    fn find_exec(
        &mut self,
        args: &[&Word],
        env: &[(String, String)],
        labels: &[String],
        command: &Command,
        hops: usize,
        out: &mut Parsed,
    ) {
        let mut i = 0;
        while let Some(arg) = args.get(i) {
            i += 1;
            if !["-exec", "-execdir", "-ok", "-okdir"].contains(&arg.text.as_str()) {
                continue;
            }
            let start = i;
            while args.get(i).is_some_and(|w| w.text != ";" && w.text != "+") {
                i += 1;
            }
            let inner = args.get(start..i).unwrap_or_default();
            if hops >= MAX_DEPTH {
                out.unresolved.push(unresolved(
                    &line(inner),
                    "`find -exec` nested too deeply to follow",
                ));
            } else if !inner.is_empty() {
                let mut labels = labels.to_vec();
                labels.push(format!("find {}", arg.text));
                self.resolve(inner, env.to_vec(), labels, command, hops + 1, out);
            }
        }
    }

    fn record(
        &self,
        words: &[&Word],
        env: Vec<(String, String)>,
        labels: Vec<String>,
        out: &mut Parsed,
    ) {
        let mut via = self.via.clone();
        via.extend(labels);
        let (cwd, cwd_known) = match &self.cwd {
            Cwd::Hook => (None, true),
            Cwd::Known(dir) => (Some(dir.clone()), true),
            Cwd::Unknown => (None, false),
        };
        out.invocations.push(Invocation {
            argv: words.iter().map(|w| w.text.clone()).collect(),
            env,
            cwd,
            cwd_known,
            dynamic: words
                .iter()
                .enumerate()
                .filter(|(_, w)| w.dynamic)
                .map(|(i, _)| i)
                .collect(),
            via,
        });
    }
}

/// A shell script run by path: its commands are in a file we do not read.
fn is_script_file(program: &str) -> bool {
    let relative_path = program.contains('/') && !program.starts_with('/');
    let script_suffix = [".sh", ".bash", ".zsh", ".ksh"]
        .iter()
        .any(|s| program.ends_with(s));
    relative_path || script_suffix
}
