//! Characters to tokens: words with their quoting resolved, operators and
//! redirections (here-document bodies attached). Substitutions are cut out as
//! text, to be parsed as commands by the caller.

/// How deeply `$( )`, `${ }` and friends may nest before the lexer gives up.
const MAX_NEST: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubKind {
    Dollar,
    Backtick,
    Process,
}

impl SubKind {
    pub fn label(self) -> &'static str {
        match self {
            SubKind::Dollar => "$( )",
            SubKind::Backtick => "` `",
            SubKind::Process => "<( )",
        }
    }
}

/// A command substitution's text, to be parsed as commands of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sub {
    pub kind: SubKind,
    pub text: String,
}

/// Marks a character of [`Word::shape`] that was quoted, escaped or expanded.
pub const OPAQUE: char = '\0';

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Word {
    /// After quote removal; expansions kept as written.
    pub text: String,
    /// `text` with every character that was not plain and unquoted replaced by
    /// [`OPAQUE`]: keywords, assignments and globs are recognised on it.
    pub shape: String,
    pub raw: String,
    /// Holds a parameter expansion or a substitution: its value is known only at run time.
    pub dynamic: bool,
    pub subs: Vec<Sub>,
}

impl Word {
    pub fn is_plain(&self, s: &str) -> bool {
        self.text == s && self.shape == s
    }

    fn push(&mut self, c: char, plain: bool) {
        self.text.push(c);
        self.shape.push(if plain { c } else { OPAQUE });
    }

    fn push_opaque(&mut self, s: &str) {
        for c in s.chars() {
            self.push(c, false);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Semi,
    Amp,
    AndIf,
    OrIf,
    Pipe,
    PipeAmp,
    Open,
    Close,
    CaseEnd,
    Newline,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirKind {
    /// `<`, `<>`, `<&`: may feed a shell its commands from a file.
    Input,
    Output,
    HereDoc,
    HereString,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redir {
    pub fd: Option<String>,
    pub kind: RedirKind,
    pub target: Word,
    /// A here-document's body, once its line has ended.
    pub body: Option<String>,
    /// Substitutions in an unquoted here-document's body: they run.
    pub body_subs: Vec<Sub>,
}

impl Redir {
    pub fn feeds_stdin(&self) -> bool {
        self.kind != RedirKind::Output && self.fd.as_deref().is_none_or(|fd| fd == "0")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Word(Word),
    Op(Op),
    Redir(Redir),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError(pub String);

type Lexed<T> = Result<T, LexError>;

fn err<T>(why: &str) -> Lexed<T> {
    Err(LexError(why.to_string()))
}

struct PendingHereDoc {
    token: usize,
    delimiter: String,
    strip_tabs: bool,
    expands: bool,
}

pub fn tokenize(text: &str) -> Lexed<Vec<Token>> {
    let chars: Vec<char> = text.chars().collect();
    let mut lexer = Lexer {
        chars: &chars,
        pos: 0,
        nest: 0,
    };
    lexer.tokens(false)
}

struct Lexer<'a> {
    chars: &'a [char],
    pos: usize,
    nest: usize,
}

fn is_meta(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | ';' | '&' | '|' | '(' | ')' | '<' | '>'
    )
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

impl Lexer<'_> {
    fn at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn starts(&self, s: &str) -> bool {
        s.chars().enumerate().all(|(i, c)| self.at(i) == Some(c))
    }

    fn slice(&self, from: usize, to: usize) -> String {
        self.chars
            .get(from..to)
            .map(|s| s.iter().collect())
            .unwrap_or_default()
    }

    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Lexed<T>) -> Lexed<T> {
        if self.nest >= MAX_NEST {
            return err("substitutions are nested too deeply to follow");
        }
        self.nest += 1;
        let out = f(self);
        self.nest -= 1;
        out
    }

    /// Tokens up to the end, or (`in_sub`) up to the `)` that closes a `$(`.
    fn tokens(&mut self, in_sub: bool) -> Lexed<Vec<Token>> {
        let mut out = Vec::new();
        let mut pending: Vec<PendingHereDoc> = Vec::new();
        let mut parens = 0usize;
        loop {
            self.skip_blanks();
            let Some(c) = self.at(0) else {
                if in_sub {
                    return err("a `$(` is never closed");
                }
                if !pending.is_empty() {
                    self.read_heredoc_bodies(&mut out, &mut pending)?;
                }
                return Ok(out);
            };
            match c {
                '\n' => {
                    self.pos += 1;
                    out.push(Token::Op(Op::Newline));
                    self.read_heredoc_bodies(&mut out, &mut pending)?;
                }
                '#' => {
                    while self.at(0).is_some_and(|c| c != '\n') {
                        self.pos += 1;
                    }
                }
                ')' if in_sub && parens == 0 => {
                    self.pos += 1;
                    return Ok(out);
                }
                '<' | '>' if self.at(1) == Some('(') => {
                    let word = self.word()?;
                    out.push(Token::Word(word));
                }
                '<' | '>' => self.redirection(None, &mut out, &mut pending)?,
                '&' if self.at(1) == Some('>') => self.redirection(None, &mut out, &mut pending)?,
                ';' | '&' | '|' | '(' | ')' => {
                    let op = self.operator();
                    match op {
                        Op::Open => parens += 1,
                        Op::Close => parens = parens.saturating_sub(1),
                        _ => {}
                    }
                    out.push(Token::Op(op));
                }
                _ => {
                    let word = self.word()?;
                    let io_number = !word.text.is_empty()
                        && word.shape.chars().all(|c| c.is_ascii_digit())
                        && matches!(self.at(0), Some('<' | '>'));
                    if io_number {
                        self.redirection(Some(word.text), &mut out, &mut pending)?;
                    } else {
                        out.push(Token::Word(word));
                    }
                }
            }
        }
    }

    fn skip_blanks(&mut self) {
        loop {
            match self.at(0) {
                Some(' ' | '\t' | '\r') => self.pos += 1,
                Some('\\') if self.at(1) == Some('\n') => self.pos += 2,
                _ => return,
            }
        }
    }

    fn operator(&mut self) -> Op {
        let table = [
            (";;&", Op::CaseEnd),
            (";;", Op::CaseEnd),
            (";&", Op::CaseEnd),
            (";", Op::Semi),
            ("&&", Op::AndIf),
            ("&", Op::Amp),
            ("||", Op::OrIf),
            ("|&", Op::PipeAmp),
            ("|", Op::Pipe),
            ("(", Op::Open),
            (")", Op::Close),
        ];
        for (s, op) in table {
            if self.starts(s) {
                self.pos += s.chars().count();
                return op;
            }
        }
        self.pos += 1;
        Op::Semi
    }

    fn redirection(
        &mut self,
        fd: Option<String>,
        out: &mut Vec<Token>,
        pending: &mut Vec<PendingHereDoc>,
    ) -> Lexed<()> {
        let table = [
            ("<<<", RedirKind::HereString),
            ("<<-", RedirKind::HereDoc),
            ("<<", RedirKind::HereDoc),
            ("<>", RedirKind::Input),
            ("<&", RedirKind::Input),
            ("<", RedirKind::Input),
            ("&>>", RedirKind::Output),
            ("&>", RedirKind::Output),
            (">>", RedirKind::Output),
            (">&", RedirKind::Output),
            (">|", RedirKind::Output),
            (">", RedirKind::Output),
        ];
        let Some((op, kind)) = table.into_iter().find(|(s, _)| self.starts(s)) else {
            return err("a redirection could not be read");
        };
        self.pos += op.chars().count();
        self.skip_blanks();
        if self.at(0).is_none_or(is_meta) {
            return err("a redirection has no target");
        }
        let target = self.word()?;
        if kind == RedirKind::HereDoc {
            pending.push(PendingHereDoc {
                token: out.len(),
                delimiter: target.text.clone(),
                strip_tabs: op == "<<-",
                expands: target.text == target.shape,
            });
        }
        out.push(Token::Redir(Redir {
            fd,
            kind,
            target,
            body: None,
            body_subs: Vec::new(),
        }));
        Ok(())
    }

    fn read_heredoc_bodies(
        &mut self,
        out: &mut [Token],
        pending: &mut Vec<PendingHereDoc>,
    ) -> Lexed<()> {
        for doc in std::mem::take(pending) {
            let mut body = String::new();
            while self.at(0).is_some() {
                let start = self.pos;
                while self.at(0).is_some_and(|c| c != '\n') {
                    self.pos += 1;
                }
                let line = self.slice(start, self.pos);
                if self.at(0).is_some() {
                    self.pos += 1;
                }
                let line = if doc.strip_tabs {
                    line.trim_start_matches('\t').to_string()
                } else {
                    line
                };
                if line == doc.delimiter {
                    break;
                }
                body.push_str(&line);
                body.push('\n');
            }
            let subs = if doc.expands {
                self.subs_in_text(&body)?
            } else {
                Vec::new()
            };
            if let Some(Token::Redir(redir)) = out.get_mut(doc.token) {
                redir.body = Some(body);
                redir.body_subs = subs;
            }
        }
        Ok(())
    }

    /// The substitutions of an unquoted here-document's body, which expands like double quotes.
    fn subs_in_text(&mut self, body: &str) -> Lexed<Vec<Sub>> {
        let chars: Vec<char> = body.chars().collect();
        let mut inner = Lexer {
            chars: &chars,
            pos: 0,
            nest: self.nest,
        };
        let mut word = Word::default();
        while let Some(c) = inner.at(0) {
            match c {
                '\\' => inner.pos += 2,
                '$' => inner.nested(|l| l.dollar(&mut word, true))?,
                '`' => inner.nested(|l| l.backtick(&mut word, true))?,
                _ => inner.pos += 1,
            }
        }
        Ok(word.subs)
    }

    fn word(&mut self) -> Lexed<Word> {
        let start = self.pos;
        let mut word = Word::default();
        if matches!(self.at(0), Some('<' | '>')) && self.at(1) == Some('(') {
            self.pos += 2;
            let text = self.nested(|l| l.sub_text())?;
            word.subs.push(Sub {
                kind: SubKind::Process,
                text,
            });
            word.dynamic = true;
            let written = self.slice(start, self.pos);
            word.push_opaque(&written);
        }
        while let Some(c) = self.at(0) {
            match c {
                '\\' => match self.at(1) {
                    Some('\n') => self.pos += 2,
                    Some(next) => {
                        word.push(next, false);
                        self.pos += 2;
                    }
                    None => {
                        word.push('\\', true);
                        self.pos += 1;
                    }
                },
                '\'' => self.single_quoted(&mut word)?,
                '"' => self.double_quoted(&mut word)?,
                '$' => self.nested(|l| l.dollar(&mut word, false))?,
                '`' => self.nested(|l| l.backtick(&mut word, false))?,
                '(' if is_array_assignment(&word) => self.nested(|l| l.array(&mut word))?,
                c if is_meta(c) => break,
                c => {
                    word.push(c, true);
                    self.pos += 1;
                }
            }
        }
        word.raw = self.slice(start, self.pos);
        Ok(word)
    }

    fn single_quoted(&mut self, word: &mut Word) -> Lexed<()> {
        self.pos += 1;
        loop {
            match self.at(0) {
                None => return err("a single quote is never closed"),
                Some('\'') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(c) => {
                    word.push(c, false);
                    self.pos += 1;
                }
            }
        }
    }

    fn double_quoted(&mut self, word: &mut Word) -> Lexed<()> {
        self.pos += 1;
        loop {
            match self.at(0) {
                None => return err("a double quote is never closed"),
                Some('"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some('\\') => match self.at(1) {
                    Some('\n') => self.pos += 2,
                    Some(c @ ('"' | '\\' | '$' | '`')) => {
                        word.push(c, false);
                        self.pos += 2;
                    }
                    _ => {
                        word.push('\\', false);
                        self.pos += 1;
                    }
                },
                Some('$') => self.nested(|l| l.dollar(word, true))?,
                Some('`') => self.nested(|l| l.backtick(word, true))?,
                Some(c) => {
                    word.push(c, false);
                    self.pos += 1;
                }
            }
        }
    }

    /// At a `$`: a variable, a substitution, arithmetic, or a literal dollar.
    fn dollar(&mut self, word: &mut Word, in_quotes: bool) -> Lexed<()> {
        let start = self.pos;
        match self.at(1) {
            Some('\'') if !in_quotes => {
                self.pos += 1;
                return self.ansi_c_quoted(word);
            }
            Some('"') if !in_quotes => {
                self.pos += 1;
                return self.double_quoted(word);
            }
            Some('(') if self.at(2) == Some('(') => {
                self.pos += 3;
                // Re-reading it as `$( (…) … )` could make nested attempts exponential.
                if !self.arithmetic(word)? {
                    return err("a `$((` is neither arithmetic nor plainly a command substitution");
                }
            }
            Some('(') => {
                self.pos += 2;
                let text = self.sub_text()?;
                word.subs.push(Sub {
                    kind: SubKind::Dollar,
                    text,
                });
            }
            Some('{') => {
                self.pos += 2;
                self.braced_parameter(word)?;
            }
            Some(c) if is_name_char(c) && !c.is_ascii_digit() => {
                self.pos += 1;
                while self.at(0).is_some_and(is_name_char) {
                    self.pos += 1;
                }
            }
            Some(c) if c.is_ascii_digit() || "@*#?$!-".contains(c) => self.pos += 2,
            _ => {
                word.push('$', !in_quotes);
                self.pos += 1;
                return Ok(());
            }
        }
        word.dynamic = true;
        let written = self.slice(start, self.pos);
        word.push_opaque(&written);
        Ok(())
    }

    /// The text of a `$( … )` whose `$(` has been consumed; consumes the `)`.
    fn sub_text(&mut self) -> Lexed<String> {
        let start = self.pos;
        self.tokens(true)?;
        Ok(self.slice(start, self.pos.saturating_sub(1)))
    }

    /// After `$((`: true when it closed as arithmetic; false when it is a `$(` whose
    /// first command is a subshell (`$((a) b)`).
    fn arithmetic(&mut self, word: &mut Word) -> Lexed<bool> {
        let mut depth = 0usize;
        loop {
            match self.at(0) {
                None => return err("a `$((` is never closed"),
                Some('(') => {
                    depth += 1;
                    self.pos += 1;
                }
                Some(')') if depth == 0 => {
                    let closes = self.at(1) == Some(')');
                    self.pos += 2;
                    return Ok(closes);
                }
                Some(')') => {
                    depth -= 1;
                    self.pos += 1;
                }
                Some('$') => self.nested(|l| l.dollar(word, true))?,
                Some('`') => self.nested(|l| l.backtick(word, true))?,
                Some(_) => self.pos += 1,
            }
        }
    }

    fn braced_parameter(&mut self, word: &mut Word) -> Lexed<()> {
        let mut depth = 0usize;
        let mut scratch = Word::default();
        loop {
            match self.at(0) {
                None => return err("a `${` is never closed"),
                Some('}') if depth == 0 => {
                    self.pos += 1;
                    word.subs.append(&mut scratch.subs);
                    return Ok(());
                }
                Some('}') => {
                    depth -= 1;
                    self.pos += 1;
                }
                Some('{') => {
                    depth += 1;
                    self.pos += 1;
                }
                Some('\\') => self.pos += 2,
                Some('\'') => self.single_quoted(&mut scratch)?,
                Some('"') => self.double_quoted(&mut scratch)?,
                Some('$') => self.nested(|l| l.dollar(&mut scratch, true))?,
                Some('`') => self.nested(|l| l.backtick(&mut scratch, true))?,
                Some(_) => self.pos += 1,
            }
        }
    }

    fn backtick(&mut self, word: &mut Word, in_quotes: bool) -> Lexed<()> {
        let start = self.pos;
        self.pos += 1;
        let mut text = String::new();
        loop {
            match self.at(0) {
                None => return err("a backtick is never closed"),
                Some('`') => {
                    self.pos += 1;
                    break;
                }
                Some('\\') => match self.at(1) {
                    Some(c @ ('`' | '\\' | '$')) => {
                        text.push(c);
                        self.pos += 2;
                    }
                    Some('"') if in_quotes => {
                        text.push('"');
                        self.pos += 2;
                    }
                    _ => {
                        text.push('\\');
                        self.pos += 1;
                    }
                },
                Some(c) => {
                    text.push(c);
                    self.pos += 1;
                }
            }
        }
        word.subs.push(Sub {
            kind: SubKind::Backtick,
            text,
        });
        word.dynamic = true;
        let written = self.slice(start, self.pos);
        word.push_opaque(&written);
        Ok(())
    }

    /// `$'…'`: decoded, since `$'\x74erraform'` is a way to spell `terraform`.
    fn ansi_c_quoted(&mut self, word: &mut Word) -> Lexed<()> {
        self.pos += 1;
        loop {
            match self.at(0) {
                None => return err("a `$'` quote is never closed"),
                Some('\'') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some('\\') => {
                    self.pos += 1;
                    let c = self.ansi_c_escape();
                    word.push(c, false);
                }
                Some(c) => {
                    word.push(c, false);
                    self.pos += 1;
                }
            }
        }
    }

    fn ansi_c_escape(&mut self) -> char {
        let Some(c) = self.at(0) else { return '\\' };
        self.pos += 1;
        let simple = match c {
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            'a' => Some('\x07'),
            'b' => Some('\x08'),
            'e' | 'E' => Some('\x1b'),
            'f' => Some('\x0c'),
            'v' => Some('\x0b'),
            _ => None,
        };
        if let Some(s) = simple {
            return s;
        }
        let (radix, max) = match c {
            'x' => (16, 2),
            'u' => (16, 4),
            'U' => (16, 8),
            '0'..='7' => {
                self.pos -= 1;
                (8, 3)
            }
            other => return other,
        };
        let mut value = 0u32;
        let mut read = 0;
        while read < max {
            let Some(d) = self.at(0).and_then(|c| c.to_digit(radix)) else {
                break;
            };
            value = value.saturating_mul(radix).saturating_add(d);
            self.pos += 1;
            read += 1;
        }
        char::from_u32(value).unwrap_or('\u{fffd}')
    }

    /// `NAME=( … )`: the elements are data, but substitutions among them run.
    fn array(&mut self, word: &mut Word) -> Lexed<()> {
        let start = self.pos;
        self.pos += 1;
        for token in self.tokens(true)? {
            if let Token::Word(mut w) = token {
                word.subs.append(&mut w.subs);
            }
        }
        let written = self.slice(start, self.pos);
        word.push_opaque(&written);
        Ok(())
    }
}

fn is_array_assignment(word: &Word) -> bool {
    let Some(name) = word.shape.strip_suffix('=') else {
        return false;
    };
    let name = name.strip_suffix('+').unwrap_or(name);
    is_name(name)
}

pub fn is_name(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(is_name_char)
}
