//! The one error type of the generator: every variant says which file (and where in it) to fix.

use std::path::PathBuf;

/// Everything that can stop a build.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read or written.
    #[error("{}: {action}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What we were doing (`cannot read`, `cannot write`...).
        action: &'static str,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
    /// `portal.toml` is invalid.
    #[error(transparent)]
    Config(api_model::Error),
    /// One or more specs have errors (each line is `path:line:col: message`).
    #[error("{} spec error(s):\n{}", .0.len(), .0.iter().map(|d| format!("  {d}")).collect::<Vec<_>>().join("\n"))]
    Specs(Vec<api_model::Diagnostic>),
    /// The YAML front matter of a Markdown page is invalid.
    #[error("{}:{line}:{column}: invalid front matter: {message}", path.display())]
    FrontMatter {
        /// The Markdown file.
        path: PathBuf,
        /// 1-based line in the file.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the YAML parser said.
        message: String,
    },
    /// A Markdown page is not UTF-8 or otherwise unusable.
    #[error("{}: {message}", path.display())]
    Content {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A template does not parse or failed to render.
    #[error("template {name}: {message}")]
    Template {
        /// Template name (`operation.html`) or the page being rendered.
        name: String,
        /// Tera's message, with its causes.
        message: String,
    },
    /// A template of the portal's theme does not parse.
    #[error("{}:{line}:{column}: {message}", path.display())]
    TemplateSyntax {
        /// `site/templates/<name>`.
        path: PathBuf,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// What the template parser expected.
        message: String,
    },
    /// Two inputs want the same output path.
    #[error("{path}: produced twice (by {first} and {second})")]
    Conflict {
        /// Output path.
        path: String,
        /// What produced it first.
        first: String,
        /// What produced it again.
        second: String,
    },
    /// `portal serve` stopped rendering because newer changes arrived: the pages are rendered
    /// with those (never shown to the user as an error).
    #[error("rendering superseded by newer changes")]
    Superseded,
    /// The search index could not be built.
    #[error("search index: {0}")]
    Search(String),
    /// A page id that the site does not have.
    #[error("no page {0}")]
    NoPage(String),
}

impl Error {
    /// Wrap a tera error with its whole cause chain (tera hides the useful part in sources).
    /// A parse error (tera: `Failed to parse 'page.html'`, then ` --> 2:7 ... = expected ...`)
    /// becomes [`Error::TemplateSyntax`] at `site/templates/<name>:line:col`.
    pub(crate) fn template(name: &str, err: &tera::Error) -> Error {
        let mut message = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        if let Some(located) = syntax_error(&message) {
            return located;
        }
        Error::Template {
            name: name.to_string(),
            message,
        }
    }
}

/// The template, line, column and expectation of a tera parse error's text. Pure.
fn syntax_error(message: &str) -> Option<Error> {
    let rest = message.strip_prefix("Failed to parse '")?;
    let (name, rest) = rest.split_once('\'')?;
    let (_, at) = rest.split_once("--> ")?;
    let (line, rest) = at.split_once(':')?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let expected = rest
        .lines()
        .rev()
        .find_map(|l| l.trim_start().strip_prefix("= "))
        .unwrap_or("syntax error");
    Some(Error::TemplateSyntax {
        path: PathBuf::from("site/templates").join(name),
        line: line.trim().parse().ok()?,
        column: column.parse().ok()?,
        message: expected.trim().to_string(),
    })
}

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;
