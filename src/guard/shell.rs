//! What a shell command line would run, as simple commands.
//!
//! An AI coding agent hands its pre-tool hook one string; a later stage asks
//! whether anything in it is, say, `terraform destroy` or `aws s3 rb`. This
//! module finds every simple command the string would run: through quoting,
//! operators, control words, wrappers (`sudo`, `env`, `xargs`, …), `bash -c`,
//! command substitutions and here-documents fed to a shell.
//!
//! It is a security component, so it fails closed: whatever it cannot see
//! through (a command name held in a variable, a script file, `source`, text
//! it cannot parse, nesting too deep) becomes an [`Unresolved`] entry saying
//! why, never a silently dropped command. It is pure and never panics.
//!
//! Known limits, all on the side of reporting too much or "unresolved":
//! `((…))` is read as nested subshells (its words may show up as commands); a
//! `case` pattern inside `$( )` needs its leading `(`; `$((a) b)` is unresolved;
//! extglobs are unparsable; `env -C DIR` does not set `cwd`; a `cd` inside an
//! `if` or loop body is taken to have run; arguments that are globs are kept as
//! written (only a command name that is a pattern is unresolved).

mod command;
mod lex;
#[cfg(test)]
mod tests;

use lex::{Op, Redir, Sub, Token, Word};

/// How many levels of `bash -c`, `$( )`, `eval` and the like are followed.
pub const MAX_DEPTH: usize = 8;

/// One simple command as it would run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// The words after quote removal; argv[0] is the program (wrappers such as `sudo`, `env`,
    /// `nohup`, `time`, `exec`, `command`, `nice`, `timeout 5`, `xargs` already removed).
    /// A parameter expansion or substitution is kept as written (`$ACTION`); see `dynamic`.
    pub argv: Vec<String>,
    /// `NAME=value` assignments before the command, those given to `env`, and
    /// those `export`ed earlier in the same command line.
    pub env: Vec<(String, String)>,
    /// The directory of a preceding `cd DIR` in the same command line
    /// (`cd infra && terraform apply`), when known; `None` = the hook's cwd,
    /// unless `cwd_known` is false.
    pub cwd: Option<String>,
    /// False after a `cd` whose target is not known (`cd "$DIR"`, `cd -`, `popd`):
    /// then `cwd` is `None` and means "somewhere unknown", not the hook's cwd.
    pub cwd_known: bool,
    /// Indexes into `argv` of words whose value is known only at run time.
    pub dynamic: Vec<usize>,
    /// How it was reached, for messages: e.g. ["bash -c", "$( )"]; empty at top level.
    pub via: Vec<String>,
}

/// Text whose commands cannot be known from the command line alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    pub text: String,
    pub why: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub invocations: Vec<Invocation>,
    pub unresolved: Vec<Unresolved>,
    /// Names of functions defined on the line: their bodies' commands are in
    /// `invocations`, and a later call of one runs them.
    pub functions: Vec<String>,
}

pub fn parse(command: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let walker = Walker {
        depth: 0,
        via: Vec::new(),
        cwd: Cwd::Hook,
        env: Vec::new(),
    };
    walker.run(command, &mut parsed);
    parsed
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Cwd {
    Hook,
    Known(String),
    Unknown,
}

impl Cwd {
    fn enter(&self, dir: &Word) -> Cwd {
        if dir.dynamic || dir.text == "-" {
            return Cwd::Unknown;
        }
        let dir = dir.text.clone();
        if dir.starts_with('/') || dir.starts_with('~') {
            return Cwd::Known(dir);
        }
        match self {
            Cwd::Hook => Cwd::Known(dir),
            Cwd::Known(prev) => Cwd::Known(format!("{}/{}", prev.trim_end_matches('/'), dir)),
            Cwd::Unknown => Cwd::Unknown,
        }
    }
}

fn unresolved(text: &str, why: impl Into<String>) -> Unresolved {
    Unresolved {
        text: text.to_string(),
        why: why.into(),
    }
}

/// The open constructs, so a stray `fi` or a missing `done` is caught.
#[derive(Debug)]
enum Frame {
    Paren(Cwd),
    Brace,
    If,
    Loop { seen_do: bool },
    Case { in_patterns: bool },
}

/// One level of parsing: the context its commands run in.
#[derive(Clone)]
struct Walker {
    depth: usize,
    via: Vec<String>,
    cwd: Cwd,
    /// Inherited from the enclosing command (`A=1 bash -c …`) or `export`ed.
    env: Vec<(String, String)>,
}

type Walked<T> = Result<T, String>;

impl Walker {
    fn run(mut self, text: &str, out: &mut Parsed) {
        let tokens = match lex::tokenize(text) {
            Ok(tokens) => tokens,
            Err(lex::LexError(why)) => {
                out.unresolved
                    .push(unresolved(text, format!("cannot be parsed: {why}")));
                return;
            }
        };
        if let Err(why) = self.walk(&tokens, out) {
            out.unresolved
                .push(unresolved(text, format!("cannot be parsed: {why}")));
        }
    }

    /// Parses `text` one level deeper, reached through `label`.
    fn nested(&self, text: &str, label: &str, env: &[(String, String)], out: &mut Parsed) {
        if self.depth + 1 > MAX_DEPTH {
            let why = format!("nested more than {MAX_DEPTH} levels deep (through {label})");
            out.unresolved.push(unresolved(text, why));
            return;
        }
        let mut via = self.via.clone();
        via.push(label.to_string());
        let walker = Walker {
            depth: self.depth + 1,
            via,
            cwd: self.cwd.clone(),
            env: env.to_vec(),
        };
        walker.run(text, out);
    }

    fn subs(&self, subs: &[Sub], out: &mut Parsed) {
        for sub in subs {
            self.nested(&sub.text, sub.kind.label(), &self.env, out);
        }
    }

    fn walk(&mut self, tokens: &[Token], out: &mut Parsed) -> Walked<()> {
        let mut frames: Vec<Frame> = Vec::new();
        let mut piped = false;
        let mut i = 0;
        while let Some(token) = tokens.get(i) {
            if let Some(Frame::Case { in_patterns: true }) = frames.last() {
                i = self.case_pattern(tokens, i, &mut frames, out)?;
                continue;
            }
            match token {
                Token::Op(op) => {
                    i += 1;
                    piped = matches!(op, Op::Pipe | Op::PipeAmp);
                    match op {
                        Op::Open => frames.push(Frame::Paren(self.cwd.clone())),
                        Op::Close => match frames.pop() {
                            Some(Frame::Paren(cwd)) => self.cwd = cwd,
                            _ => return Err("a `)` closes nothing".into()),
                        },
                        Op::CaseEnd => match frames.last_mut() {
                            Some(Frame::Case { in_patterns }) => *in_patterns = true,
                            _ => return Err("a `;;` outside `case`".into()),
                        },
                        _ => {}
                    }
                }
                Token::Word(word) if self.is_keyword(word) => {
                    i = self.keyword(tokens, i, &mut frames, out)?;
                }
                _ => {
                    i = self.simple_command(tokens, i, piped, out)?;
                    piped = false;
                }
            }
        }
        match frames.last() {
            None => Ok(()),
            Some(frame) => Err(format!("{} is never closed", frame_name(frame))),
        }
    }

    fn is_keyword(&self, word: &Word) -> bool {
        const KEYWORDS: [&str; 18] = [
            "if", "then", "elif", "else", "fi", "for", "select", "while", "until", "do", "done",
            "case", "esac", "{", "}", "!", "function", "[[",
        ];
        KEYWORDS.iter().any(|k| word.is_plain(k)) || word.is_plain("coproc")
    }

    /// A control word at a command's start; returns the index after what it consumed.
    fn keyword(
        &mut self,
        tokens: &[Token],
        i: usize,
        frames: &mut Vec<Frame>,
        out: &mut Parsed,
    ) -> Walked<usize> {
        let Some(Token::Word(word)) = tokens.get(i) else {
            return Ok(i + 1);
        };
        let fits = match word.text.as_str() {
            "if" => {
                frames.push(Frame::If);
                true
            }
            "then" | "elif" | "else" => matches!(frames.last(), Some(Frame::If)),
            "fi" => matches!(frames.pop(), Some(Frame::If)),
            "while" | "until" => {
                frames.push(Frame::Loop { seen_do: false });
                true
            }
            "do" => match frames.last_mut() {
                Some(Frame::Loop { seen_do }) => {
                    *seen_do = true;
                    true
                }
                _ => false,
            },
            "done" => matches!(frames.pop(), Some(Frame::Loop { seen_do: true })),
            "{" => {
                frames.push(Frame::Brace);
                true
            }
            "}" => matches!(frames.pop(), Some(Frame::Brace)),
            "esac" => matches!(frames.pop(), Some(Frame::Case { .. })),
            "for" | "select" => {
                frames.push(Frame::Loop { seen_do: false });
                return self.for_head(tokens, i + 1, out);
            }
            "case" => {
                frames.push(Frame::Case { in_patterns: true });
                return self.case_head(tokens, i + 1, out);
            }
            "function" => return Ok(function_keyword(tokens, i, out)),
            "[[" => return self.test_expression(tokens, i + 1, out),
            _ => true,
        };
        if !fits {
            return Err(format!("`{}` where it does not belong", word.text));
        }
        Ok(i + 1)
    }

    /// After `for`: the name and the `in` list are data; their substitutions run.
    fn for_head(&mut self, tokens: &[Token], mut i: usize, out: &mut Parsed) -> Walked<usize> {
        if let Some(Token::Op(Op::Open)) = tokens.get(i) {
            return self.skip_balanced(tokens, i, out);
        }
        while let Some(token) = tokens.get(i) {
            match token {
                Token::Op(Op::Semi | Op::Newline) => return Ok(i + 1),
                Token::Word(word) if word.is_plain("do") => return Ok(i),
                Token::Word(word) => self.subs(&word.subs, out),
                Token::Redir(redir) => self.subs(&redir.target.subs, out),
                Token::Op(_) => return Err("a `for` list ends unexpectedly".into()),
            }
            i += 1;
        }
        Ok(i)
    }

    /// `for ((…))`: arithmetic, not commands, though substitutions in it run.
    fn skip_balanced(&mut self, tokens: &[Token], mut i: usize, out: &mut Parsed) -> Walked<usize> {
        let mut depth = 0usize;
        while let Some(token) = tokens.get(i) {
            i += 1;
            match token {
                Token::Op(Op::Open) => depth += 1,
                Token::Op(Op::Close) => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(i);
                    }
                }
                Token::Word(word) => self.subs(&word.subs, out),
                Token::Redir(redir) => self.subs(&redir.target.subs, out),
                Token::Op(_) => {}
            }
        }
        Err("a `((` is never closed".into())
    }

    /// After `case`: the subject and `in`.
    fn case_head(&mut self, tokens: &[Token], i: usize, out: &mut Parsed) -> Walked<usize> {
        let Some(Token::Word(subject)) = tokens.get(i) else {
            return Err("`case` without a word".into());
        };
        self.subs(&subject.subs, out);
        let mut next = i + 1;
        while let Some(Token::Op(Op::Newline)) = tokens.get(next) {
            next += 1;
        }
        match tokens.get(next) {
            Some(Token::Word(word)) if word.is_plain("in") => Ok(next + 1),
            _ => Err("`case` without `in`".into()),
        }
    }

    /// A `pat | pat )` of a `case`, or its `esac`.
    fn case_pattern(
        &mut self,
        tokens: &[Token],
        mut i: usize,
        frames: &mut Vec<Frame>,
        out: &mut Parsed,
    ) -> Walked<usize> {
        while let Some(Token::Op(Op::Newline | Op::Semi)) = tokens.get(i) {
            i += 1;
        }
        if let Some(Token::Word(word)) = tokens.get(i)
            && word.is_plain("esac")
        {
            frames.pop();
            return Ok(i + 1);
        }
        if let Some(Token::Op(Op::Open)) = tokens.get(i) {
            i += 1;
        }
        while let Some(token) = tokens.get(i) {
            i += 1;
            match token {
                Token::Op(Op::Close) => {
                    if let Some(Frame::Case { in_patterns }) = frames.last_mut() {
                        *in_patterns = false;
                    }
                    return Ok(i);
                }
                Token::Op(Op::Pipe) => {}
                Token::Word(word) => self.subs(&word.subs, out),
                _ => return Err("a `case` pattern ends unexpectedly".into()),
            }
        }
        if tokens.get(i).is_none() && i > 0 {
            return Err("`case` is never closed".into());
        }
        Ok(i)
    }

    /// `[[ … ]]`: a test, not a command; substitutions in it run.
    fn test_expression(
        &mut self,
        tokens: &[Token],
        mut i: usize,
        out: &mut Parsed,
    ) -> Walked<usize> {
        while let Some(token) = tokens.get(i) {
            i += 1;
            match token {
                Token::Word(word) if word.is_plain("]]") => return Ok(i),
                Token::Word(word) => self.subs(&word.subs, out),
                Token::Redir(redir) => self.subs(&redir.target.subs, out),
                Token::Op(_) => {}
            }
        }
        Err("a `[[` is never closed".into())
    }

    fn simple_command(
        &mut self,
        tokens: &[Token],
        start: usize,
        piped_in: bool,
        out: &mut Parsed,
    ) -> Walked<usize> {
        let mut words: Vec<&Word> = Vec::new();
        let mut redirs: Vec<&Redir> = Vec::new();
        let mut i = start;
        while let Some(token) = tokens.get(i) {
            match token {
                Token::Word(word) => words.push(word),
                Token::Redir(redir) => redirs.push(redir),
                Token::Op(_) => break,
            }
            i += 1;
        }
        if let Some(Token::Op(Op::Open)) = tokens.get(i) {
            return match (words.as_slice(), tokens.get(i + 1)) {
                ([name], Some(Token::Op(Op::Close))) => {
                    out.functions.push(name.text.clone());
                    Ok(i + 2)
                }
                _ => Err("a `(` in the middle of a command".into()),
            };
        }
        let piped_out = matches!(tokens.get(i), Some(Token::Op(Op::Pipe | Op::PipeAmp)));
        for word in &words {
            self.subs(&word.subs, out);
        }
        for redir in &redirs {
            self.subs(&redir.target.subs, out);
            self.subs(&redir.body_subs, out);
        }
        let command = Command {
            words,
            redirs,
            piped_in,
            in_pipeline: piped_in || piped_out,
        };
        self.command(command, out);
        Ok(i)
    }
}

/// `function NAME [()]`: the body that follows is walked as ordinary commands.
fn function_keyword(tokens: &[Token], i: usize, out: &mut Parsed) -> usize {
    if let Some(Token::Word(name)) = tokens.get(i + 1) {
        out.functions.push(name.text.clone());
    }
    let next = i + 2;
    match (tokens.get(next), tokens.get(next + 1)) {
        (Some(Token::Op(Op::Open)), Some(Token::Op(Op::Close))) => next + 2,
        _ => next,
    }
}

fn frame_name(frame: &Frame) -> &'static str {
    match frame {
        Frame::Paren(_) => "a `(`",
        Frame::Brace => "a `{`",
        Frame::If => "an `if`",
        Frame::Loop { .. } => "a loop",
        Frame::Case { .. } => "a `case`",
    }
}

/// A simple command's words and redirections, before wrappers are removed.
struct Command<'t> {
    words: Vec<&'t Word>,
    redirs: Vec<&'t Redir>,
    /// Its standard input is a pipe: a shell here reads commands we cannot see.
    piped_in: bool,
    /// A `cd` in a pipeline runs in a subshell and changes nothing after it.
    in_pipeline: bool,
}
