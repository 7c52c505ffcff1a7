//! WSDL 1.1 and 2.0 documents with their XML Schemas, imports and includes.

use std::path::Path;

use crate::error::{Diagnostic, Error, Location, Result};
use crate::files::Files;
pub use crate::openapi::Loaded;

/// Load a WSDL document and everything it imports.
pub fn load(path: &Path, _files: &dyn Files) -> Result<Loaded> {
    Err(Error::Unsupported {
        loc: Location::file(path),
        message: "the WSDL loader is being written".into(),
    })
}

/// Check a standalone XSD that no WSDL imports.
pub fn check_xsd(_path: &Path, _text: &str) -> Vec<Diagnostic> {
    Vec::new()
}
