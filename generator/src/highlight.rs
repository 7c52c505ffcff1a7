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
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Highlight `code` written in `lang` into the inner HTML of a `<code>` element. Unknown
/// languages and very long code come back escaped but plain.
pub fn highlight(code: &str, lang: &str) -> String {
    let token = syntax_token(lang);
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

/// A `<pre><code>` block, highlighted, with the language as a data attribute.
pub fn code_block(code: &str, lang: &str) -> String {
    let lang_class = escape(lang);
    format!(
        "<pre class=\"code\" data-lang=\"{lang_class}\"><code>{}</code></pre>",
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
            ("json", "{\"a\": 1}\n"),
            ("bash", "curl -X GET 'x'\n"),
            ("python", "import requests\n"),
            ("js", "const a = 1;\n"),
            ("java", "class A {}\n"),
            ("csharp", "var a = 1;\n"),
            ("xml", "<a b=\"c\"/>\n"),
        ] {
            let html = highlight(code, lang);
            assert!(html.contains("class=\"hl-"), "{lang}: {html}");
        }
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
