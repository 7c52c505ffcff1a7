//! The one error type of `api-model`, and the located diagnostics that `portal check` prints.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// A place in a source file: `path:line:col`, with line and column when the source has them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file, as reached from the path the user gave.
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// 1-based column, when known.
    pub column: Option<u32>,
}

impl Location {
    /// A location with no line information.
    pub fn file(path: impl Into<PathBuf>) -> Location {
        Location {
            path: path.into(),
            line: None,
            column: None,
        }
    }

    /// A location at `line:column`.
    pub fn at(path: impl Into<PathBuf>, line: u32, column: u32) -> Location {
        Location {
            path: path.into(),
            line: Some(line),
            column: Some(column),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        Ok(())
    }
}

/// Everything that can go wrong reading specs. Each variant says where.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read.
    #[error("{loc}: cannot read file: {source}")]
    Io {
        /// Where.
        loc: Location,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not well-formed JSON, YAML or XML.
    #[error("{loc}: {message}")]
    Syntax {
        /// Where.
        loc: Location,
        /// What the parser said.
        message: String,
    },
    /// A `$ref`, `wsdl:import`, `xsd:import`/`include` or `$ref` from a product could not be
    /// followed.
    #[error("{loc}: cannot resolve reference `{reference}`: {message}")]
    Reference {
        /// Where the reference is written.
        loc: Location,
        /// The reference as written.
        reference: String,
        /// Why it failed.
        message: String,
    },
    /// The document parses but is not a valid spec of its kind.
    #[error("{loc}: {message}")]
    Invalid {
        /// Where.
        loc: Location,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A version or feature this tool does not read.
    #[error("{loc}: unsupported: {message}")]
    Unsupported {
        /// Where.
        loc: Location,
        /// What is not supported.
        message: String,
    },
    /// A limit meant to stop hostile input was hit (size, depth, entity expansion...).
    #[error("{loc}: refused: {message}")]
    Limit {
        /// Where.
        loc: Location,
        /// Which limit.
        message: String,
    },
}

impl Error {
    /// Where the error is.
    pub fn location(&self) -> &Location {
        match self {
            Error::Io { loc, .. }
            | Error::Syntax { loc, .. }
            | Error::Reference { loc, .. }
            | Error::Invalid { loc, .. }
            | Error::Unsupported { loc, .. }
            | Error::Limit { loc, .. } => loc,
        }
    }

    /// The message without the location prefix.
    pub fn message(&self) -> String {
        match self {
            Error::Io { source, .. } => format!("cannot read file: {source}"),
            Error::Syntax { message, .. } | Error::Invalid { message, .. } => message.clone(),
            Error::Reference {
                reference, message, ..
            } => format!("cannot resolve reference `{reference}`: {message}"),
            Error::Unsupported { message, .. } => format!("unsupported: {message}"),
            Error::Limit { message, .. } => format!("refused: {message}"),
        }
    }

    /// As a diagnostic of error severity.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let loc = self.location();
        Diagnostic {
            path: loc.path.clone(),
            line: loc.line,
            column: loc.column,
            message: self.message(),
            severity: Severity::Error,
        }
    }
}

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file (or part of it) cannot be used.
    Error,
    /// Usable, but something is off.
    Warning,
}

/// A located message about a spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file.
    pub path: PathBuf,
    /// 1-based line.
    pub line: Option<u32>,
    /// 1-based column.
    pub column: Option<u32>,
    /// What is wrong.
    pub message: String,
    /// Error or warning.
    pub severity: Severity,
}

impl Diagnostic {
    /// A warning at a location.
    pub fn warning(loc: Location, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            path: loc.path,
            line: loc.line,
            column: loc.column,
            message: message.into(),
            severity: Severity::Warning,
        }
    }

    /// An error at a location.
    pub fn error(loc: Location, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            path: loc.path,
            line: loc.line,
            column: loc.column,
            message: message.into(),
            severity: Severity::Error,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let loc = Location {
            path: self.path.clone(),
            line: self.line,
            column: self.column,
        };
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{loc}: {label}: {}", self.message)
    }
}

/// 1-based line and column of a byte offset in a text.
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }

    #[test]
    fn location_display() {
        assert_eq!(Location::at("a.yaml", 3, 4).to_string(), "a.yaml:3:4");
        assert_eq!(Location::file("a.yaml").to_string(), "a.yaml");
    }
}
