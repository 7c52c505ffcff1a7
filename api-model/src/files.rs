//! Reading spec files: the only place `api-model` touches the file system.
//!
//! Loaders take a [`Files`] so that they stay pure and can be fed from memory (tests, fuzzing).
//! [`DiskFiles`] confines every read to one folder tree, so a `$ref` or an import can never leave
//! the spec's folder, and refuses files over a size limit.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Location, Result};

/// The largest spec file read (256 MiB).
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// A source of spec files.
pub trait Files {
    /// Read a file as UTF-8 text (a UTF-8 BOM is dropped).
    fn read(&self, path: &Path) -> Result<String>;
    /// Whether `path` is inside the allowed tree.
    fn allowed(&self, path: &Path) -> bool;
}

/// Files on disk, confined to a root folder.
#[derive(Debug, Clone)]
pub struct DiskFiles {
    root: PathBuf,
}

impl DiskFiles {
    /// Reads are allowed under `root` only.
    pub fn new(root: impl Into<PathBuf>) -> DiskFiles {
        DiskFiles {
            root: normalize(&root.into()),
        }
    }

    /// The root.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Files for DiskFiles {
    fn read(&self, path: &Path) -> Result<String> {
        if !self.allowed(path) {
            return Err(Error::Reference {
                loc: Location::file(path),
                reference: path.display().to_string(),
                message: format!("outside the spec folder {}", self.root.display()),
            });
        }
        let meta = std::fs::metadata(path).map_err(|source| Error::Io {
            loc: Location::file(path),
            source,
        })?;
        if meta.len() > MAX_FILE_BYTES {
            return Err(Error::Limit {
                loc: Location::file(path),
                message: format!(
                    "file is {} bytes, over the limit of {MAX_FILE_BYTES}",
                    meta.len()
                ),
            });
        }
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            loc: Location::file(path),
            source,
        })?;
        decode(path, bytes)
    }

    fn allowed(&self, path: &Path) -> bool {
        normalize(path).starts_with(&self.root)
    }
}

/// Files held in memory (tests, fuzzing). Every path is allowed that is in the map.
#[derive(Debug, Clone, Default)]
pub struct MemoryFiles {
    files: BTreeMap<PathBuf, String>,
}

impl MemoryFiles {
    /// An empty set.
    pub fn new() -> MemoryFiles {
        MemoryFiles::default()
    }

    /// Add a file.
    pub fn insert(&mut self, path: impl Into<PathBuf>, text: impl Into<String>) {
        self.files.insert(normalize(&path.into()), text.into());
    }
}

impl Files for MemoryFiles {
    fn read(&self, path: &Path) -> Result<String> {
        self.files
            .get(&normalize(path))
            .cloned()
            .ok_or_else(|| Error::Io {
                loc: Location::file(path),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            })
    }

    fn allowed(&self, path: &Path) -> bool {
        self.files.contains_key(&normalize(path))
    }
}

/// Bytes to text: UTF-8 (BOM dropped), or UTF-16 with a BOM.
pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<String> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(path, rest.to_vec());
    }
    if bytes.len() >= 2 && (bytes[..2] == [0xFF, 0xFE] || bytes[..2] == [0xFE, 0xFF]) {
        let le = bytes[0] == 0xFF;
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        return String::from_utf16(&units).map_err(|_| Error::Syntax {
            loc: Location::file(path),
            message: "invalid UTF-16 text".into(),
        });
    }
    utf8(path, bytes)
}

fn utf8(path: &Path, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.as_bytes()[..offset]).into_owned();
        let (line, column) = crate::error::line_col(&text, offset);
        Error::Syntax {
            loc: Location::at(path, line, column),
            message: "file is not valid UTF-8".into(),
        }
    })
}

/// Lexically normalize a path: drop `.`, fold `..` (never touching the disk).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for comp in path.components() {
        match comp {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Resolve `reference` (a relative file path, possibly percent-encoded) against the file `base`.
pub fn join_relative(base: &Path, reference: &str) -> PathBuf {
    let decoded = percent_encoding::percent_decode_str(reference).decode_utf8_lossy();
    let dir = base.parent().unwrap_or_else(|| Path::new(""));
    normalize(&dir.join(decoded.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GitHub's dereferenced description (`api.github.com.deref.json`) is about 73 MB: a real
    /// spec of that size is read, and only files past the limit are refused.
    #[test]
    fn big_real_specs_are_read_and_only_files_past_the_limit_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = DiskFiles::new(dir.path());
        let sized = |name: &str, len: u64| {
            let path = dir.path().join(name);
            let file = std::fs::File::create(&path).expect("create");
            file.set_len(len).expect("set_len");
            path
        };
        let big = sized("deref.json", 73_000_000);
        assert_eq!(files.read(&big).expect("read").len(), 73_000_000);
        let over = sized("over.json", MAX_FILE_BYTES + 1);
        let err = files.read(&over).expect_err("over the limit");
        assert!(matches!(err, Error::Limit { .. }), "{err}");
        assert!(err.to_string().contains("over the limit"), "{err}");
    }

    #[test]
    fn normalize_folds_parents() {
        assert_eq!(normalize(Path::new("a/b/../c/./d")), PathBuf::from("a/c/d"));
        assert_eq!(
            join_relative(Path::new("spec/swagger.yaml"), "../common/Error.yaml"),
            PathBuf::from("common/Error.yaml")
        );
    }

    #[test]
    fn disk_files_refuse_escape() {
        let files = DiskFiles::new("/tmp/specs");
        assert!(!files.allowed(Path::new("/tmp/specs/../etc/passwd")));
        assert!(files.allowed(Path::new("/tmp/specs/a/b.yaml")));
    }
}
