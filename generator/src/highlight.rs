//! Build-time syntax highlighting with syntect, as class-based HTML so one stylesheet serves
//! light and dark mode.

use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// Class prefix of every highlighting span.
const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Code longer than this is shown plain: highlighting huge generated examples costs seconds and
/// helps nobody read them.
const MAX_HIGHLIGHT_BYTES: usize = 24 * 1024;

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Languages the theme knows, from Markdown fence names and our own sample names.
fn syntax_token(lang: &str) -> &str {
    match lang.trim().to_ascii_lowercase().as_str() {
        "sh" | "shell" | "bash" | "curl" | "console" | "zsh" => "bash",
        "js" | "javascript" | "node" | "fetch" | "mjs" => "js",
        "ts" | "typescript" => "js",
        "py" | "python" | "python3" | "requests" => "py",
        "java" => "java",
        "cs" | "csharp" | "c#" => "cs",
        "json" | "jsonc" | "json5" => "json",
        "xml" | "soap" | "wsdl" | "xsd" | "html" => "xml",
        "yaml" | "yml" => "yaml",
        "toml" => "toml",
        "rust" | "rs" => "rs",
        "go" | "golang" => "go",
        "ruby" | "rb" => "rb",
        "php" => "php",
        "sql" => "sql",
        _ => "",
    }
}

/// Escape text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut plain = 0;
    // The five characters are ASCII, so byte positions are char boundaries.
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[plain..i]);
        out.push_str(entity);
        plain = i + 1;
    }
    out.push_str(&text[plain..]);
    out
}

/// Highlight `code` written in `lang` into the inner HTML of a `<code>` element. Unknown
/// languages and very long code come back escaped but plain.
///
/// JSON and XML (every example body and envelope) use a small tokenizer of our own: it is two
/// orders of magnitude faster than syntect and its one-letter classes keep pages small.
pub fn highlight(code: &str, lang: &str) -> String {
    let token = syntax_token(lang);
    match token {
        "json" => return json(code),
        "xml" => return xml(code),
        _ => {}
    }
    if token.is_empty() || code.len() > MAX_HIGHLIGHT_BYTES {
        return escape(code);
    }
    let set = syntaxes();
    let Some(syntax) = set.find_syntax_by_extension(token) else {
        return escape(code);
    };
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, STYLE);
    for line in LinesWithEndings::from(code) {
        if generator
            .parse_html_for_line_which_includes_newline(line)
            .is_err()
        {
            return escape(code);
        }
    }
    generator.finalize()
}

fn span(out: &mut String, class: &str, text: &str) {
    out.push_str("<span class=\"");
    out.push_str(class);
    out.push_str("\">");
    out.push_str(&escape(text));
    out.push_str("</span>");
}

/// JSON: keys `tk`, strings `ts`, numbers `tn`, `true`/`false`/`null` `tb`.
fn json(code: &str) -> String {
    let mut out = String::with_capacity(code.len() * 2);
    let bytes = code.as_bytes();
    let mut i = 0;
    let mut plain = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        let class = if b == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                if bytes[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(bytes.len());
            while !code.is_char_boundary(i) {
                i += 1;
            }
            // A string followed by `:` is a key.
            let mut j = i;
            while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b':' {
                "tk"
            } else {
                "ts"
            }
        } else if b == b'-' || b.is_ascii_digit() {
            i += 1;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'.' | b'+' | b'-'))
            {
                i += 1;
            }
            "tn"
        } else if bytes[i..].starts_with(b"true") || bytes[i..].starts_with(b"null") {
            i += 4;
            "tb"
        } else if bytes[i..].starts_with(b"false") {
            i += 5;
            "tb"
        } else {
            i += 1;
            continue;
        };
        if !code.is_char_boundary(start) {
            continue;
        }
        out.push_str(&escape(&code[plain..start]));
        span(&mut out, class, &code[start..i]);
        plain = i;
    }
    out.push_str(&escape(&code[plain..]));
    out
}

/// XML: tag names `tt`, attribute names `ta`, attribute values `ts`, comments and
/// declarations `tc`; text content plain.
fn xml(code: &str) -> String {
    let mut out = String::with_capacity(code.len() * 2);
    let mut rest = code;
    while let Some(lt) = rest.find('<') {
        out.push_str(&escape(&rest[..lt]));
        rest = &rest[lt..];
        if rest.starts_with("<!--") || rest.starts_with("<?") || rest.starts_with("<!") {
            let end = if rest.starts_with("<!--") {
                rest.find("-->").map(|e| e + 3)
            } else {
                rest.find('>').map(|e| e + 1)
            }
            .unwrap_or(rest.len());
            span(&mut out, "tc", &rest[..end]);
            rest = &rest[end..];
            continue;
        }
        let end = tag_end(rest);
        let tag = &rest[..end];
        rest = &rest[end..];
        // `<`, `</`: punctuation, then the name, then attributes.
        let open = if tag.starts_with("</") { 2 } else { 1 };
        out.push_str(&escape(&tag[..open]));
        let body = &tag[open..];
        let name_end = body
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(body.len());
        span(&mut out, "tt", &body[..name_end]);
        let mut attrs = &body[name_end..];
        while !attrs.is_empty() {
            if let Some(q) = attrs.find(['"', '\'']) {
                let quote = attrs.as_bytes()[q] as char;
                let close = attrs[q + 1..]
                    .find(quote)
                    .map_or(attrs.len(), |c| q + 1 + c + 1);
                // `name=` before the value.
                let before = &attrs[..q];
                match before.rfind(|c: char| c.is_whitespace()) {
                    Some(ws) => {
                        out.push_str(&escape(&before[..=ws]));
                        let name = before[ws + 1..].trim_end_matches('=');
                        span(&mut out, "ta", name);
                        out.push_str(&escape(&before[ws + 1 + name.len()..]));
                    }
                    None => out.push_str(&escape(before)),
                }
                span(&mut out, "ts", &attrs[q..close]);
                attrs = &attrs[close..];
            } else {
                out.push_str(&escape(attrs));
                attrs = "";
            }
        }
    }
    out.push_str(&escape(rest));
    out
}

/// The languages of the generated code samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SampleLang {
    Shell,
    Python,
    JavaScript,
    Java,
    CSharp,
}

impl SampleLang {
    fn of(lang: &str) -> Option<SampleLang> {
        match syntax_token(lang) {
            "bash" => Some(SampleLang::Shell),
            "py" => Some(SampleLang::Python),
            "js" => Some(SampleLang::JavaScript),
            "java" => Some(SampleLang::Java),
            "cs" => Some(SampleLang::CSharp),
            _ => None,
        }
    }

    fn keywords(self) -> &'static [&'static str] {
        match self {
            SampleLang::Shell => &["curl"],
            SampleLang::Python => &[
                "import", "from", "as", "def", "return", "print", "None", "True", "False", "if",
                "else", "for", "in", "with", "await", "async",
            ],
            SampleLang::JavaScript => &[
                "const",
                "let",
                "var",
                "await",
                "async",
                "function",
                "return",
                "new",
                "true",
                "false",
                "null",
                "undefined",
                "if",
                "else",
            ],
            SampleLang::Java => &[
                "import", "new", "return", "public", "static", "void", "class", "throws", "var",
                "true", "false", "null", "String", "int",
            ],
            SampleLang::CSharp => &[
                "using", "var", "new", "await", "async", "return", "true", "false", "null",
                "string", "int", "class",
            ],
        }
    }

    fn hash_comments(self) -> bool {
        matches!(self, SampleLang::Shell | SampleLang::Python)
    }
}

/// Highlight a generated code sample (curl, Python, JavaScript, Java, C#) into the inner HTML
/// of a `<code>` element: strings `ts`, numbers `tn`, keywords `tb`, comments `tc`, shell
/// options `ta`. The samples are ours, so a small lexer of strings, comments, numbers and words
/// reads them exactly, at a small fraction of syntect's cost (a page per operation has five);
/// other languages go to [`highlight`].
pub fn sample(code: &str, lang: &str) -> String {
    let Some(lang) = SampleLang::of(lang) else {
        return highlight(code, lang);
    };
    let keywords = lang.keywords();
    let bytes = code.as_bytes();
    let mut out = String::with_capacity(code.len() * 2);
    let mut plain = 0;
    let mut i = 0;
    let emit = |out: &mut String, plain: &mut usize, start: usize, end: usize, class: &str| {
        out.push_str(&escape(&code[*plain..start]));
        span(out, class, &code[start..end]);
        *plain = end;
    };
    while i < bytes.len() {
        let b = bytes[i];
        let prev = if i == 0 { b'\n' } else { bytes[i - 1] };
        let word_before = prev.is_ascii_alphanumeric() || prev == b'_';
        let start = i;
        // Comments.
        if (lang.hash_comments() && b == b'#' && (prev.is_ascii_whitespace()))
            || (!lang.hash_comments() && bytes[i..].starts_with(b"//"))
        {
            i = code[i..].find('\n').map_or(bytes.len(), |n| i + n);
            emit(&mut out, &mut plain, start, i, "tc");
            continue;
        }
        if !lang.hash_comments() && bytes[i..].starts_with(b"/*") {
            i = code[i + 2..]
                .find("*/")
                .map_or(bytes.len(), |n| i + 2 + n + 2);
            emit(&mut out, &mut plain, start, i, "tc");
            continue;
        }
        // Strings: triple-quoted (Python, Java text blocks), verbatim (C# `@"..."`), shell
        // single quotes (no escapes), and the usual quoted strings with backslash escapes.
        let triple = matches!(lang, SampleLang::Python | SampleLang::Java)
            && bytes[i..].starts_with(b"\"\"\"");
        if triple {
            i = code[i + 3..]
                .find("\"\"\"")
                .map_or(bytes.len(), |n| i + 3 + n + 3);
            emit(&mut out, &mut plain, start, i, "ts");
            continue;
        }
        if lang == SampleLang::CSharp && bytes[i..].starts_with(b"@\"") {
            i += 2;
            while i < bytes.len() {
                if bytes[i] == b'"' {
                    if bytes.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            emit(&mut out, &mut plain, start, i, "ts");
            continue;
        }
        if b == b'"' || b == b'\'' || (b == b'`' && lang == SampleLang::JavaScript) {
            i += 1;
            let escapes = !(lang == SampleLang::Shell && b == b'\'');
            while i < bytes.len() && bytes[i] != b {
                if escapes && bytes[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(bytes.len());
            while !code.is_char_boundary(i) {
                i += 1;
            }
            emit(&mut out, &mut plain, start, i, "ts");
            continue;
        }
        // Shell options: `-X`, `--data-raw`.
        if lang == SampleLang::Shell && b == b'-' && prev.is_ascii_whitespace() {
            i += 1;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-') {
                i += 1;
            }
            emit(&mut out, &mut plain, start, i, "ta");
            continue;
        }
        if b.is_ascii_digit() && !word_before {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                i += 1;
            }
            emit(&mut out, &mut plain, start, i, "tn");
            continue;
        }
        if (b.is_ascii_alphabetic() || b == b'_') && !word_before {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            if keywords.contains(&&code[start..i]) {
                emit(&mut out, &mut plain, start, i, "tb");
            }
            continue;
        }
        i += 1;
        while !code.is_char_boundary(i) {
            i += 1;
        }
    }
    out.push_str(&escape(&code[plain..]));
    out
}

/// A `<pre><code>` block of a generated code sample (see [`sample`]).
pub fn sample_block(code: &str, lang: &str) -> String {
    let lang_class = escape(lang);
    format!(
        "<pre class=\"code\" data-lang=\"{lang_class}\" tabindex=\"0\"><code>{}</code></pre>",
        sample(code, lang)
    )
}

/// The end of a tag starting at 0 (just past `>`), quotes respected.
fn tag_end(s: &str) -> usize {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    s.len()
}

/// A `<pre><code>` block, highlighted, with the language as a data attribute.
pub fn code_block(code: &str, lang: &str) -> String {
    let lang_class = escape(lang);
    format!(
        "<pre class=\"code\" data-lang=\"{lang_class}\" tabindex=\"0\"><code>{}</code></pre>",
        highlight(code, lang)
    )
}

/// The stylesheet for highlighted code: a light theme, and a dark one under
/// `prefers-color-scheme: dark`.
pub fn stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let light = themes
        .themes
        .get("InspiredGitHub")
        .and_then(|t| css_for_theme_with_class_style(t, STYLE).ok())
        .unwrap_or_default();
    let dark = themes
        .themes
        .get("base16-ocean.dark")
        .and_then(|t| css_for_theme_with_class_style(t, STYLE).ok())
        .unwrap_or_default();
    // The themes set a background on `.hl-code`; the site's own `pre` colours win instead.
    format!(
        "/* Code highlighting (syntect, generated at build time). */\n{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classes() {
        for (lang, code) in [
            ("bash", "curl -X GET 'x'\n"),
            ("python", "import requests\n"),
            ("js", "const a = 1;\n"),
            ("java", "class A {}\n"),
            ("csharp", "var a = 1;\n"),
        ] {
            let html = highlight(code, lang);
            assert!(html.contains("class=\"hl-"), "{lang}: {html}");
        }
    }

    #[test]
    fn json_tokens() {
        assert_eq!(
            highlight(
                "{\"a\": \"<b>\", \"n\": -1.5e3, \"t\": true, \"z\": null}",
                "json"
            ),
            "{<span class=\"tk\">&quot;a&quot;</span>: <span class=\"ts\">&quot;&lt;b&gt;&quot;</span>, <span class=\"tk\">&quot;n&quot;</span>: <span class=\"tn\">-1.5e3</span>, <span class=\"tk\">&quot;t&quot;</span>: <span class=\"tb\">true</span>, <span class=\"tk\">&quot;z&quot;</span>: <span class=\"tb\">null</span>}"
        );
    }

    #[test]
    fn json_with_unicode_never_splits_a_char() {
        let html = highlight("{\"é\\\"ü\": \"ø\", \"x\": tru€}", "json");
        assert!(html.contains("ø"), "{html}");
    }

    #[test]
    fn xml_tokens() {
        assert_eq!(
            highlight(
                "<?xml version=\"1.0\"?><a:b x=\"1 > 2\">t&amp;</a:b>",
                "xml"
            ),
            "<span class=\"tc\">&lt;?xml version=&quot;1.0&quot;?&gt;</span>&lt;<span class=\"tt\">a:b</span> <span class=\"ta\">x</span>=<span class=\"ts\">&quot;1 &gt; 2&quot;</span>&gt;t&amp;amp;&lt;/<span class=\"tt\">a:b</span>&gt;"
        );
    }

    #[test]
    fn sample_tokens() {
        assert_eq!(
            sample("curl -X GET 'a\\'\n", "bash"),
            "<span class=\"tb\">curl</span> <span class=\"ta\">-X</span> GET <span class=\"ts\">&#39;a\\&#39;</span>\n"
        );
        assert_eq!(
            sample("x = {\"k\": 12, \"v\": None}  # c <b>\n", "python"),
            "x = {<span class=\"ts\">&quot;k&quot;</span>: <span class=\"tn\">12</span>, <span class=\"ts\">&quot;v&quot;</span>: <span class=\"tb\">None</span>}  <span class=\"tc\"># c &lt;b&gt;</span>\n"
        );
        assert_eq!(
            sample("new StringContent(@\"{\"\"a\"\"}\");", "csharp"),
            "<span class=\"tb\">new</span> StringContent(<span class=\"ts\">@&quot;{&quot;&quot;a&quot;&quot;}&quot;</span>);"
        );
        assert_eq!(
            sample("ofString(\"\"\"\n  \"x\"\n  \"\"\") // end", "java"),
            "ofString(<span class=\"ts\">&quot;&quot;&quot;\n  &quot;x&quot;\n  &quot;&quot;&quot;</span>) <span class=\"tc\">// end</span>"
        );
        assert_eq!(
            sample("const a = `<${b}>`; v2", "js"),
            "<span class=\"tb\">const</span> a = <span class=\"ts\">`&lt;${b}&gt;`</span>; v2"
        );
    }

    #[test]
    fn samples_in_any_text_never_split_a_char_or_lose_text() {
        for code in [
            "\"é",
            "'ü",
            "ø 1é \"x\\",
            "@\"",
            "/* ø",
            "\"\"\"ø",
            "-ø",
            "#",
        ] {
            for lang in ["bash", "python", "js", "java", "csharp"] {
                let html = sample(code, lang);
                let text = html
                    .split('<')
                    .map(|p| p.split_once('>').map_or(p, |(_, t)| t))
                    .collect::<String>();
                assert_eq!(
                    text.replace("&quot;", "\"")
                        .replace("&#39;", "'")
                        .replace("&amp;", "&"),
                    code,
                    "{lang}: {html}"
                );
            }
        }
    }

    #[test]
    fn escape_replaces_the_five_characters_and_keeps_the_rest() {
        assert_eq!(
            escape("é<a href=\"x\">'&'</a>ü"),
            "é&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;ü"
        );
        assert_eq!(escape(""), "");
        assert_eq!(escape("plain"), "plain");
    }

    #[test]
    fn unknown_language_is_escaped() {
        assert_eq!(highlight("<b>&", "klingon"), "&lt;b&gt;&amp;");
    }

    #[test]
    fn highlighted_code_is_escaped() {
        let html = highlight("<script>alert(1)</script>\n", "xml");
        assert!(!html.contains("<script>"), "{html}");
    }

    #[test]
    fn stylesheet_has_both_modes() {
        let css = stylesheet();
        assert!(css.contains(".hl-"));
        assert!(css.contains("prefers-color-scheme: dark"));
    }
}
