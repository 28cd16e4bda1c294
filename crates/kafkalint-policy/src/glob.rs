//! Exemption and namespace globs, with the syntax and error messages of globset's
//! `literal_separator` mode (the `.gitignore` semantics the README promises):
//!
//! - `?` is one character and `*` any run of characters, neither crossing a `/`;
//! - `**` is any path: `**/x` (x at any depth), `x/**` (everything under x), `x/**/y` (zero or
//!   more directories between) and `**` alone (everything); elsewhere it is two `*`;
//! - `[abc]`, `[a-z]`, `[!a]` / `[^a]` are one character (a class can match `/`);
//! - `{a,b}` is either branch (branches may nest; empty branches are dropped);
//! - `\` escapes the next character.
//!
//! A glob compiles to an anchored regex-lite pattern: regex-lite is already in the build for
//! custom rules, and its matching time is linear where a backtracking matcher's is not.

use regex_lite::Regex;

#[derive(Clone, Debug)]
pub(crate) struct Glob(Regex);

impl Glob {
    pub(crate) fn new(glob: &str) -> Result<Glob, String> {
        let tokens = parse(glob)?;
        let mut re = String::from("^");
        if let [Token::RecursivePrefix] = tokens.as_slice() {
            re.push_str(".*");
        } else {
            to_regex(&tokens, &mut re);
        }
        re.push('$');
        // The translation only emits valid syntax; an error here would be a bug, kept as a
        // policy error rather than a panic.
        Regex::new(&re).map(Glob).map_err(|e| e.to_string())
    }

    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.0.is_match(text)
    }
}

#[derive(Debug, PartialEq)]
enum Token {
    Literal(char),
    /// `?`
    Any,
    /// `*`
    Star,
    /// `**/` at the start of a branch, or `**` alone.
    RecursivePrefix,
    /// `/**` at the end.
    RecursiveSuffix,
    /// `/**/`
    RecursiveZeroOrMore,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    Alternates(Vec<Vec<Token>>),
}

const UNOPENED: &str = "unopened alternate group; missing '{' (maybe escape '}' with '[}]'?)";
const UNCLOSED: &str = "unclosed alternate group; missing '}' (maybe escape '{' with '[{]'?)";

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    prev: Option<char>,
    cur: Option<char>,
    /// Open branches, innermost last; `groups` holds where each open `{` group's branches start.
    branches: Vec<Vec<Token>>,
    groups: Vec<usize>,
}

fn parse(glob: &str) -> Result<Vec<Token>, String> {
    let mut p = Parser {
        chars: glob.chars().peekable(),
        prev: None,
        cur: None,
        branches: vec![Vec::new()],
        groups: Vec::new(),
    };
    while let Some(c) = p.bump() {
        match c {
            '?' => p.push(Token::Any)?,
            '*' => p.star()?,
            '[' => p.class()?,
            '{' => {
                p.groups.push(p.branches.len());
                p.branches.push(Vec::new());
            }
            '}' => {
                let start = p.groups.pop().ok_or(UNOPENED)?;
                let alts = p.branches.split_off(start);
                p.push(Token::Alternates(alts))?;
            }
            ',' if !p.groups.is_empty() => p.branches.push(Vec::new()),
            '\\' => {
                let c = p.bump().ok_or("dangling '\\'")?;
                p.push(Token::Literal(c))?;
            }
            c => p.push(Token::Literal(c))?,
        }
    }
    if p.branches.len() != 1 {
        return Err(UNCLOSED.into());
    }
    Ok(p.branches.pop().unwrap_or_default())
}

impl Parser<'_> {
    fn bump(&mut self) -> Option<char> {
        self.prev = self.cur;
        self.cur = self.chars.next();
        self.cur
    }

    fn branch(&mut self) -> Result<&mut Vec<Token>, String> {
        self.branches.last_mut().ok_or_else(|| UNOPENED.into())
    }

    fn push(&mut self, t: Token) -> Result<(), String> {
        self.branch()?.push(t);
        Ok(())
    }

    fn star(&mut self) -> Result<(), String> {
        let prev = self.prev;
        if self.chars.peek() != Some(&'*') {
            return self.push(Token::Star);
        }
        self.bump();
        let two_stars = |p: &mut Self| {
            p.push(Token::Star)?;
            p.push(Token::Star)
        };
        if self.branch()?.is_empty() {
            // At the start of the glob or of a branch: `**/...` or `**` alone.
            return match self.chars.peek() {
                None => self.push(Token::RecursivePrefix),
                Some('/') => {
                    self.bump();
                    self.push(Token::RecursivePrefix)
                }
                Some(_) => two_stars(self),
            };
        }
        if prev != Some('/') {
            return two_stars(self);
        }
        let in_group = !self.groups.is_empty();
        let suffix = match self.chars.peek() {
            None => true,
            Some(',' | '}') if in_group => true,
            Some('/') => {
                self.bump();
                false
            }
            Some(_) => return two_stars(self),
        };
        // The `/` before `**` becomes part of the recursive token; `**/**` stays one prefix.
        let last = self.branch()?.pop();
        let t = match last {
            Some(Token::RecursivePrefix) => Token::RecursivePrefix,
            Some(Token::RecursiveSuffix) => Token::RecursiveSuffix,
            _ if suffix => Token::RecursiveSuffix,
            _ => Token::RecursiveZeroOrMore,
        };
        self.push(t)
    }

    fn class(&mut self) -> Result<(), String> {
        let negated = matches!(self.chars.peek(), Some('!' | '^'));
        if negated {
            self.bump();
        }
        let mut ranges: Vec<(char, char)> = Vec::new();
        let mut first = true;
        let mut in_range = false;
        loop {
            let c = self.bump().ok_or("unclosed character class; missing ']'")?;
            // A `]` or `-` first is literal; a `-` last is literal.
            if c == ']' && !first {
                break;
            }
            if c == '-' && !first && !in_range {
                in_range = true;
            } else if in_range {
                in_range = false;
                if let Some(r) = ranges.last_mut() {
                    if c < r.0 {
                        return Err(format!("invalid range; '{}' > '{c}'", r.0));
                    }
                    r.1 = c;
                }
            } else {
                ranges.push((c, c));
            }
            first = false;
        }
        if in_range {
            ranges.push(('-', '-'));
        }
        self.push(Token::Class { negated, ranges })
    }
}

fn to_regex(tokens: &[Token], re: &mut String) {
    for t in tokens {
        match t {
            Token::Literal(c) => push_literal(*c, re),
            Token::Any => re.push_str("[^/]"),
            Token::Star => re.push_str("[^/]*"),
            Token::RecursivePrefix => re.push_str("(?:/?|.*/)"),
            Token::RecursiveSuffix => re.push_str("/.*"),
            Token::RecursiveZeroOrMore => re.push_str("(?:/|/.*/)"),
            Token::Class { negated, ranges } => {
                re.push('[');
                if *negated {
                    re.push('^');
                }
                for &(lo, hi) in ranges {
                    push_literal(lo, re);
                    if hi != lo {
                        re.push('-');
                        push_literal(hi, re);
                    }
                }
                re.push(']');
            }
            Token::Alternates(branches) => {
                let parts: Vec<String> = branches
                    .iter()
                    .map(|b| {
                        let mut s = String::new();
                        to_regex(b, &mut s);
                        s
                    })
                    .filter(|s| !s.is_empty())
                    .collect();
                // All branches empty: the group matches the empty string.
                if !parts.is_empty() {
                    re.push_str("(?:");
                    re.push_str(&parts.join("|"));
                    re.push(')');
                }
            }
        }
    }
}

fn push_literal(c: char, re: &mut String) {
    re.push_str(&regex_lite::escape(c.encode_utf8(&mut [0; 4])));
}

#[cfg(test)]
mod tests {
    use super::Glob;

    fn m(glob: &str, text: &str) -> bool {
        Glob::new(glob).unwrap().is_match(text)
    }

    #[test]
    fn stars_stop_at_slashes() {
        assert!(m("kafka-*", "kafka-0"));
        assert!(m("kafka-*", "kafka-"));
        assert!(!m("kafka-*", "kafka-0/x"));
        assert!(!m("kafka-*", "xkafka-0"));
        assert!(m("k?fka", "kafka"));
        assert!(!m("a?b", "a/b"));
        assert!(m("a**b", "axyb"));
        assert!(!m("a**b", "ax/yb"));
        assert!(m("*.yaml", "a.yaml"));
        assert!(!m("*.yaml", "dir/a.yaml"));
    }

    #[test]
    fn double_stars_cross_directories() {
        assert!(m("**", ""));
        assert!(m("**", "a/b/c"));
        assert!(m("**/x.yaml", "x.yaml"));
        assert!(m("**/x.yaml", "a/b/x.yaml"));
        assert!(!m("**/x.yaml", "a/bx.yaml"));
        assert!(m("overlays/dev/**", "overlays/dev/x/kafka.yaml"));
        assert!(m("overlays/dev/**", "overlays/dev/kafka.yaml"));
        assert!(!m("overlays/dev/**", "overlays/dev"));
        assert!(!m("overlays/dev/**", "overlays/devx/a"));
        assert!(m("a/**/b", "a/b"));
        assert!(m("a/**/b", "a/x/y/b"));
        assert!(!m("a/**/b", "ab"));
        assert!(m("a/**/**", "a/x"));
        assert!(m("**/**/b", "x/b"));
        assert!(m("{**/a,b/**}", "x/y/a"));
        assert!(m("{**/a,b/**}", "b/c"));
    }

    #[test]
    fn classes_alternates_and_escapes() {
        assert!(m("kafka-[0-2]", "kafka-1"));
        assert!(!m("kafka-[0-2]", "kafka-3"));
        assert!(m("x[!a]", "xb"));
        assert!(m("x[^a]", "x/"));
        assert!(!m("x[!a]", "xa"));
        assert!(m("[]]", "]"));
        assert!(m("[-a]", "-"));
        assert!(m("[a-]", "-"));
        assert!(m("[.*]", "*"));
        assert!(!m("[.*]", "x"));
        assert!(m("{dev,test}-*", "test-1"));
        assert!(!m("{dev,test}-*", "prod-1"));
        assert!(m("{a,{b,c}}x", "cx"));
        assert!(m("a,b", "a,b"));
        assert!(m("x{a,}", "xa"));
        assert!(!m("x{a,}", "x"));
        assert!(m("x{}", "x"));
        assert!(m(r"a\*", "a*"));
        assert!(!m(r"a\*", "ab"));
        assert!(m("a.b(c)|d+$", "a.b(c)|d+$"));
        assert!(!m("a.b", "axb"));
        assert!(m("ü?", "üö"));
    }

    #[test]
    fn bad_globs_say_why() {
        let err = |g: &str| Glob::new(g).unwrap_err();
        assert_eq!(err("[a"), "unclosed character class; missing ']'");
        assert_eq!(err("[!"), "unclosed character class; missing ']'");
        assert_eq!(err("[z-a]"), "invalid range; 'z' > 'a'");
        assert!(err("a}").starts_with("unopened alternate group"));
        assert!(err("{a,b").starts_with("unclosed alternate group"));
        assert_eq!(err("a\\"), "dangling '\\'");
    }
}
