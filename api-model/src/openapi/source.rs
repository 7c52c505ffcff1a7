//! Reading one JSON or YAML document into a generic `serde_json::Value`, and finding the
//! `line:col` of a JSON pointer in its text when a diagnostic needs one.
//!
//! The pointer -> position map is built lazily (only when something is reported), by scanning the
//! JSON text or replaying the YAML parser's events, so the common path pays nothing for it.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use serde_saphyr::granit_parser::{Event, Parser};

use crate::error::{Error, Location, Result, line_col};

/// Deepest nesting accepted in a document (JSON or YAML).
pub(crate) const MAX_NESTING: usize = 200;

/// The syntax a document was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// JSON.
    Json,
    /// YAML (JSON parsed by the YAML parser also lands here).
    Yaml,
}

/// One parsed file.
#[derive(Debug)]
pub(crate) struct Source {
    /// Absolute path.
    pub path: PathBuf,
    /// The text, kept for line numbers.
    pub text: String,
    /// Syntax.
    pub format: Format,
    /// The document.
    pub value: std::rc::Rc<Value>,
    lines: OnceCell<HashMap<String, (u32, u32)>>,
}

impl Source {
    /// Parse `text` read from `path`.
    pub fn parse(path: &Path, text: String) -> Result<Source> {
        let (value, format) = parse_text(path, &text)?;
        Ok(Source {
            path: path.to_path_buf(),
            text,
            format,
            value: std::rc::Rc::new(value),
            lines: OnceCell::new(),
        })
    }

    /// The location of the node at `pointer` (or of its nearest ancestor that has one).
    pub fn locate(&self, pointer: &str) -> Location {
        let map = self.lines.get_or_init(|| match self.format {
            Format::Json => json_positions(&self.text),
            Format::Yaml => yaml_positions(&self.text),
        });
        let mut p = pointer;
        loop {
            if let Some(&(line, col)) = map.get(p) {
                return Location::at(&self.path, line, col);
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return Location::file(&self.path),
            }
        }
    }
}

/// Parse JSON or YAML text into a value. JSON is tried first when the text looks like JSON.
pub(crate) fn parse_text(path: &Path, text: &str) -> Result<(Value, Format)> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let is_json_ext = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if trimmed.starts_with('{') || trimmed.starts_with('[') || is_json_ext {
        match serde_json::from_str::<Value>(trimmed) {
            Ok(v) => return Ok((v, Format::Json)),
            Err(e) => {
                if is_json_ext || trimmed.is_empty() {
                    let offset = text.len() - trimmed.len();
                    let (line, column) = if e.line() == 0 {
                        line_col(text, text.len())
                    } else {
                        // serde_json counts from the trimmed start; shift by the skipped lines.
                        let (l0, _) = line_col(text, offset);
                        let line = u32::try_from(e.line()).unwrap_or(u32::MAX);
                        let col = u32::try_from(e.column()).unwrap_or(u32::MAX);
                        (line.saturating_add(l0 - 1), col)
                    };
                    return Err(Error::Syntax {
                        loc: Location::at(path, line, column),
                        message: format!("invalid JSON: {}", strip_position(&e.to_string())),
                    });
                }
            }
        }
    }
    parse_yaml(path, text).map(|v| (v, Format::Yaml))
}

fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// A YAML document (a request body, say) as JSON, with the same limits a spec is read with
/// (nesting, and alias expansion: no "billion laughs"). The error is the parser's message.
pub fn yaml_value(text: &str) -> std::result::Result<Value, String> {
    serde_saphyr::from_str_with_options::<Value>(text, yaml_options())
        .map_err(|e| clean_yaml_message(&e.without_snippet().to_string()))
}

fn yaml_options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    // YAML 1.2, as OpenAPI and the JavaScript tools read it: only `true` and `false` are
    // booleans. YAML 1.1 also read `y`, `n`, `yes`, `no`, `on` and `off` as booleans, so a
    // parameter `name: n` had no name and `enum: [on, off]` held no strings.
    options.strict_booleans = true;
    let mut budget = options.budget.clone().unwrap_or_default();
    budget.max_depth = MAX_NESTING;
    // Real specs are large (millions of events for a 60 MB file) but alias expansion in them
    // is rare: allow big documents, refuse "billion laughs" early.
    budget.max_events = 20_000_000;
    budget.max_nodes = 10_000_000;
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = 50_000;
    options
}

fn parse_yaml(path: &Path, text: &str) -> Result<Value> {
    match serde_saphyr::from_str_with_options::<Value>(text, yaml_options()) {
        Ok(v) => Ok(v),
        Err(e) => {
            let loc = match e.location() {
                Some(l) if l.line() > 0 => Location::at(
                    path,
                    u32::try_from(l.line()).unwrap_or(u32::MAX),
                    u32::try_from(l.column()).unwrap_or(u32::MAX).max(1),
                ),
                _ => Location::file(path),
            };
            let msg = e.without_snippet().to_string();
            Err(Error::Syntax {
                loc,
                message: format!("invalid YAML: {}", clean_yaml_message(&msg)),
            })
        }
    }
}

/// serde-saphyr appends ` at line L column C`; we print the location in front instead.
fn clean_yaml_message(msg: &str) -> String {
    let first = msg.lines().next().unwrap_or(msg).trim();
    let cut = first
        .find(" at line ")
        .or_else(|| first.find(" at ["))
        .unwrap_or(first.len());
    first[..cut].trim_end_matches(',').to_string()
}

/// Escape one JSON pointer segment.
pub(crate) fn escape(seg: &str) -> std::borrow::Cow<'_, str> {
    if seg.contains(['~', '/']) {
        std::borrow::Cow::Owned(seg.replace('~', "~0").replace('/', "~1"))
    } else {
        std::borrow::Cow::Borrowed(seg)
    }
}

/// A JSON pointer built on the stack: allocation-free until it is printed.
#[derive(Clone, Copy)]
pub(crate) struct Ptr<'a> {
    parent: Option<&'a Ptr<'a>>,
    seg: Seg<'a>,
}

#[derive(Clone, Copy)]
enum Seg<'a> {
    /// A whole pointer prefix, already escaped (`""` for the document root).
    Base(&'a str),
    Key(&'a str),
    Index(usize),
}

impl<'a> Ptr<'a> {
    /// A pointer from its string form (escaped).
    pub fn base(pointer: &'a str) -> Ptr<'a> {
        Ptr {
            parent: None,
            seg: Seg::Base(pointer),
        }
    }

    /// The document root.
    pub fn root() -> Ptr<'static> {
        Ptr::base("")
    }

    /// A child by key.
    pub fn key(&'a self, key: &'a str) -> Ptr<'a> {
        Ptr {
            parent: Some(self),
            seg: Seg::Key(key),
        }
    }

    /// A child by index.
    pub fn index(&'a self, i: usize) -> Ptr<'a> {
        Ptr {
            parent: Some(self),
            seg: Seg::Index(i),
        }
    }

    /// The escaped pointer text.
    pub fn render(&self) -> String {
        let mut segs = Vec::new();
        let mut cur = Some(self);
        while let Some(p) = cur {
            segs.push(p.seg);
            cur = p.parent;
        }
        let mut out = String::new();
        for seg in segs.iter().rev() {
            match seg {
                Seg::Base(b) => out.push_str(b),
                Seg::Key(k) => {
                    out.push('/');
                    out.push_str(&escape(k));
                }
                Seg::Index(i) => {
                    out.push('/');
                    out.push_str(&i.to_string());
                }
            }
        }
        out
    }
}

/// Positions of the nodes of a YAML document, by JSON pointer. Mapping values are placed at
/// their key (where a reader looks), sequence items at the item.
fn yaml_positions(text: &str) -> HashMap<String, (u32, u32)> {
    enum Frame {
        Map { key: Option<String> },
        Seq { index: usize },
    }
    let mut map = HashMap::new();
    let mut stack: Vec<(Frame, String)> = Vec::new();
    let mut parser = Parser::new_from_str(text);
    map.insert(String::new(), (1, 1));
    let mut key_pos: (u32, u32) = (1, 1);
    while let Some(Ok((event, span))) = parser.next_event() {
        let pos = (
            u32::try_from(span.start.line()).unwrap_or(u32::MAX),
            u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
        );
        let is_node = matches!(
            event,
            Event::Scalar(..)
                | Event::MappingStart(..)
                | Event::SequenceStart(..)
                | Event::Alias(_)
        );
        if !is_node {
            if matches!(event, Event::MappingEnd | Event::SequenceEnd) {
                stack.pop();
                if let Some((Frame::Map { key }, _)) = stack.last_mut() {
                    *key = None;
                }
            }
            continue;
        }
        // Where does this node go?
        let this_pointer: Option<String>;
        match stack.last_mut() {
            None => this_pointer = Some(String::new()),
            Some((Frame::Map { key }, base)) => match key.take() {
                None => {
                    // This node is a key.
                    if let Event::Scalar(s, ..) = &event {
                        *key = Some(s.to_string());
                        let p = format!("{base}/{}", escape(s));
                        map.entry(p).or_insert(pos);
                        key_pos = pos;
                    } else {
                        *key = Some(String::new());
                    }
                    if let Event::MappingStart(..) | Event::SequenceStart(..) = event {
                        // A complex key: push a frame we will ignore.
                        stack.push((Frame::Seq { index: 0 }, String::from("\u{0}")));
                    }
                    continue;
                }
                Some(k) => {
                    let p = format!("{base}/{}", escape(&k));
                    map.entry(p.clone()).or_insert(key_pos);
                    this_pointer = Some(p);
                }
            },
            Some((Frame::Seq { index }, base)) => {
                let p = format!("{base}/{index}");
                *index += 1;
                map.entry(p.clone()).or_insert(pos);
                this_pointer = Some(p);
            }
        }
        let pointer = this_pointer.unwrap_or_default();
        match event {
            Event::MappingStart(..) => {
                if stack.len() < MAX_NESTING {
                    stack.push((Frame::Map { key: None }, pointer));
                } else {
                    break;
                }
            }
            Event::SequenceStart(..) => {
                if stack.len() < MAX_NESTING {
                    stack.push((Frame::Seq { index: 0 }, pointer));
                } else {
                    break;
                }
            }
            _ => {}
        }
    }
    map
}

/// Positions of the nodes of a JSON document, by JSON pointer (object members at their key).
fn json_positions(text: &str) -> HashMap<String, (u32, u32)> {
    let mut scanner = JsonScanner {
        bytes: text.as_bytes(),
        pos: 0,
        line: 1,
        line_start: 0,
        counted_to: 0,
        counted_chars: 0,
        text,
        map: HashMap::new(),
    };
    scanner.skip_ws();
    let p = scanner.position();
    scanner.map.insert(String::new(), p);
    scanner.value(String::new(), 0);
    scanner.map
}

struct JsonScanner<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    line: u32,
    line_start: usize,
    /// How far into the current line characters have been counted, and how many: columns are
    /// counted on from the last position asked for, so a minified document (one line of
    /// megabytes) is not counted again from its start for each of its nodes.
    counted_to: usize,
    counted_chars: usize,
    map: HashMap<String, (u32, u32)>,
}

impl JsonScanner<'_> {
    /// The 1-based line and column (in characters) of `pos`. Positions are asked for in
    /// document order, so each byte is counted once.
    fn position(&mut self) -> (u32, u32) {
        if self.counted_to < self.line_start || self.counted_to > self.pos {
            self.counted_to = self.line_start;
            self.counted_chars = 0;
        }
        let end = self.pos.min(self.bytes.len());
        // Characters are the bytes that do not continue a UTF-8 sequence.
        self.counted_chars += self.bytes[self.counted_to.min(end)..end]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count();
        self.counted_to = end;
        let col = self.counted_chars + 1;
        (self.line, u32::try_from(col).unwrap_or(u32::MAX))
    }

    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                    self.line_start = self.pos;
                }
                b' ' | b'\t' | b'\r' => self.pos += 1,
                _ => break,
            }
        }
    }

    /// Scan a string starting at `"`, returning its decoded text.
    fn string(&mut self) -> String {
        let start = self.pos + 1;
        self.pos += 1;
        let mut escaped = false;
        while let Some(&b) = self.bytes.get(self.pos) {
            self.pos += 1;
            if b == b'\\' {
                escaped = true;
                self.pos += 1;
            } else if b == b'"' {
                break;
            }
        }
        let end = self.pos.saturating_sub(1).max(start);
        let raw = self.text.get(start..end).unwrap_or("");
        if escaped {
            serde_json::from_str::<String>(&format!("\"{raw}\""))
                .unwrap_or_else(|_| raw.to_string())
        } else {
            raw.to_string()
        }
    }

    fn value(&mut self, pointer: String, depth: usize) {
        if depth > MAX_NESTING {
            return;
        }
        self.skip_ws();
        match self.bytes.get(self.pos) {
            Some(b'{') => {
                self.pos += 1;
                loop {
                    self.skip_ws();
                    match self.bytes.get(self.pos) {
                        Some(b'"') => {
                            let at = self.position();
                            let key = self.string();
                            let child = format!("{pointer}/{}", escape(&key));
                            self.map.entry(child.clone()).or_insert(at);
                            self.skip_ws();
                            if self.bytes.get(self.pos) == Some(&b':') {
                                self.pos += 1;
                            }
                            self.value(child, depth + 1);
                            self.skip_ws();
                            if self.bytes.get(self.pos) == Some(&b',') {
                                self.pos += 1;
                            }
                        }
                        Some(b'}') => {
                            self.pos += 1;
                            return;
                        }
                        _ => return,
                    }
                }
            }
            Some(b'[') => {
                self.pos += 1;
                let mut index = 0usize;
                loop {
                    self.skip_ws();
                    match self.bytes.get(self.pos) {
                        Some(b']') => {
                            self.pos += 1;
                            return;
                        }
                        None => return,
                        Some(_) => {
                            let child = format!("{pointer}/{index}");
                            let at = self.position();
                            self.map.entry(child.clone()).or_insert(at);
                            let before = self.pos;
                            self.value(child, depth + 1);
                            index += 1;
                            self.skip_ws();
                            if self.bytes.get(self.pos) == Some(&b',') {
                                self.pos += 1;
                            } else if self.pos == before {
                                return;
                            }
                        }
                    }
                }
            }
            Some(b'"') => {
                self.string();
            }
            Some(_) => {
                while let Some(&b) = self.bytes.get(self.pos) {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                        break;
                    }
                    self.pos += 1;
                }
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// YAML 1.2: only `true`/`false` (any case) are booleans; YAML 1.1's `y`, `n`, `yes`, `no`,
    /// `on` and `off` are strings (httpbin's parameter `name: n` lost its name).
    #[test]
    fn only_yaml_12_booleans_are_booleans() {
        let v = yaml_value("name: n\nenum: [on, off, y, n, yes, no]\nflags: [true, False, TRUE]\n")
            .expect("parses");
        assert_eq!(v["name"], "n");
        assert_eq!(
            v["enum"],
            serde_json::json!(["on", "off", "y", "n", "yes", "no"])
        );
        assert_eq!(v["flags"], serde_json::json!([true, false, true]));
    }

    #[test]
    fn json_pointer_positions() {
        let text = "{\n  \"a\": {\n    \"b/c\": [1, {\"d\": 2}]\n  }\n}";
        let map = json_positions(text);
        assert_eq!(map.get("/a"), Some(&(2, 3)));
        assert_eq!(map.get("/a/b~1c"), Some(&(3, 5)));
        assert_eq!(map.get("/a/b~1c/1/d"), Some(&(3, 17)));
    }

    /// Columns count characters, not bytes, and each line from its own start, however the
    /// positions are spread over one long line (a minified document) and several short ones.
    #[test]
    fn json_positions_count_characters_on_long_and_short_lines() {
        let text = "{\"é\": \"ü€\", \"b\": [\"𝄞\", {\"c\": 1}], \"d\": 2,\n \"é2\": {\"x\": 3}}";
        let map = json_positions(text);
        assert_eq!(map.get("/é"), Some(&(1, 2)));
        assert_eq!(map.get("/b"), Some(&(1, 13)));
        assert_eq!(map.get("/b/0"), Some(&(1, 19)));
        assert_eq!(map.get("/b/1/c"), Some(&(1, 25)));
        assert_eq!(map.get("/d"), Some(&(1, 35)));
        assert_eq!(map.get("/é2"), Some(&(2, 2)));
        assert_eq!(map.get("/é2/x"), Some(&(2, 9)));
    }

    #[test]
    fn yaml_pointer_positions() {
        let text = "a:\n  b:\n    - x\n    - c: 1\n      d: [1, 2]\n";
        let map = yaml_positions(text);
        assert_eq!(map.get("/a"), Some(&(1, 1)));
        assert_eq!(map.get("/a/b"), Some(&(2, 3)));
        assert_eq!(map.get("/a/b/1"), Some(&(4, 7)));
        assert_eq!(map.get("/a/b/1/d"), Some(&(5, 7)));
        assert_eq!(map.get("/a/b/1/d/1"), Some(&(5, 14)));
    }

    #[test]
    fn syntax_errors_are_located() {
        let e = parse_text(Path::new("x.yaml"), "a: [1,\nb: 2\n").expect_err("bad YAML");
        assert!(e.location().line.is_some(), "{e}");
        let e = parse_text(Path::new("x.json"), "{\n  \"a\": 1,\n}").expect_err("bad JSON");
        assert_eq!(e.location().line, Some(3), "{e}");
    }

    #[test]
    fn ptr_renders_escaped() {
        let root = Ptr::base("/paths");
        let p = root.key("/pets/{id}");
        let q = p.key("get");
        let r = q.index(2);
        assert_eq!(r.render(), "/paths/~1pets~1{id}/get/2");
    }
}
