//! Helpers shared by the end-to-end tests: where the binary, the repository and the corpus are.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The `portal` binary under test.
pub fn portal_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_portal"))
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `shared/corpus`, found by walking up from the repository (it sits beside the clone).
pub fn corpus() -> PathBuf {
    if let Ok(dir) = std::env::var("PORTAL_CORPUS") {
        return PathBuf::from(dir);
    }
    let mut dir: &Path = &repo_root();
    loop {
        let candidate = dir.join("shared").join("corpus");
        if candidate.is_dir() {
            return candidate;
        }
        match dir.parent() {
            Some(parent) => dir = parent,
            None => panic!("shared/corpus not found above {}", repo_root().display()),
        }
    }
}

/// Whether tests that need an outside tool must run (CI) rather than skip.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some()
}
