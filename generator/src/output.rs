//! Writing the output folder: every file, plus a manifest so the next build removes the files
//! it no longer produces (and never anything it did not write itself).

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::render::OutputFile;

/// The manifest of files the last build wrote, one path per line.
pub const MANIFEST: &str = ".portal-build";

/// Write `files` under `out`, then remove files a previous build wrote that are gone now.
pub fn write(out: &Path, files: &[OutputFile]) -> Result<()> {
    let mut writer = Writer::open(out)?;
    for file in files {
        writer.put(file)?;
    }
    writer.finish()
}

/// The output folder, written one file at a time; [`Writer::finish`] removes what a previous
/// build wrote and this one did not, and records the manifest.
#[derive(Debug)]
pub struct Writer {
    out: PathBuf,
    previous: BTreeSet<String>,
    written: BTreeSet<String>,
    folders: HashSet<PathBuf>,
}

impl Writer {
    /// Create `out` if needed and read the last build's manifest.
    pub fn open(out: &Path) -> Result<Writer> {
        let previous = read_manifest(out);
        std::fs::create_dir_all(out).map_err(|source| Error::Io {
            path: out.to_path_buf(),
            action: "cannot create folder",
            source,
        })?;
        Ok(Writer {
            out: out.to_path_buf(),
            previous,
            written: BTreeSet::new(),
            folders: HashSet::new(),
        })
    }

    /// Write one file (left alone when its bytes are unchanged, so servers and watchers see
    /// only real changes). Paths with `..` or empty segments are skipped.
    pub fn put(&mut self, file: &OutputFile) -> Result<()> {
        if file
            .path
            .split('/')
            .any(|seg| seg == ".." || seg.is_empty())
        {
            return Ok(());
        }
        let path = self.out.join(&file.path);
        if let Some(parent) = path.parent() {
            if !self.folders.contains(parent) {
                std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                    path: parent.to_path_buf(),
                    action: "cannot create folder",
                    source,
                })?;
                self.folders.insert(parent.to_path_buf());
            }
        }
        let unchanged = std::fs::metadata(&path).is_ok_and(|m| m.len() == file.bytes.len() as u64)
            && std::fs::read(&path).is_ok_and(|old| old == file.bytes);
        if !unchanged {
            std::fs::write(&path, &file.bytes).map_err(|source| Error::Io {
                path: path.clone(),
                action: "cannot write",
                source,
            })?;
        }
        self.written.insert(file.path.clone());
        Ok(())
    }

    /// Remove the previous build's files that were not written again, then write the manifest.
    pub fn finish(self) -> Result<()> {
        let out = &self.out;
        for stale in self.previous.difference(&self.written) {
            if stale.split('/').any(|seg| seg == "..") {
                continue;
            }
            let path = out.join(stale);
            let _ = std::fs::remove_file(&path);
            // Remove folders left empty, up to the output root.
            let mut dir = path.parent();
            while let Some(d) = dir {
                if d == out || std::fs::remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
        }
        let manifest: String = self.written.iter().map(|p| format!("{p}\n")).collect();
        let mpath = out.join(MANIFEST);
        std::fs::write(&mpath, manifest).map_err(|source| Error::Io {
            path: mpath,
            action: "cannot write",
            source,
        })
    }
}

fn read_manifest(out: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(out.join(MANIFEST))
        .map(|text| text.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn writes_and_removes_only_its_own_stale_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("public");
        std::fs::create_dir_all(&out).expect("mkdir");
        std::fs::write(out.join("CNAME"), "mine").expect("write");
        write(
            &out,
            &[file("index.html", "a"), file("apis/x/index.html", "b")],
        )
        .expect("write");
        assert_eq!(
            std::fs::read_to_string(out.join("apis/x/index.html")).expect("read"),
            "b"
        );
        write(&out, &[file("index.html", "c")]).expect("write");
        assert!(
            !out.join("apis").exists(),
            "stale page and its folders removed"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).expect("read"),
            "c"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("CNAME")).expect("read"),
            "mine"
        );
    }
}
