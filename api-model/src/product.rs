//! IBM API Connect product files: products, plans, rate and burst limits, resolved to operations.

use std::path::Path;

use crate::error::{Diagnostic, Error, Location, Result};
use crate::model::{Api, Product};

/// A product file as written, before its API references are resolved.
#[derive(Debug, Clone)]
pub struct ProductFile {
    /// Parsed document.
    pub doc: serde_json::Value,
}

/// Parse a product file. Pure.
pub fn parse(path: &Path, _text: &str) -> Result<ProductFile> {
    Err(Error::Unsupported {
        loc: Location::file(path),
        message: "the product loader is being written".into(),
    })
}

/// Resolve a product's APIs and plans against the loaded APIs.
pub fn resolve(_file: &ProductFile, _path: &Path, _apis: &[Api]) -> (Product, Vec<Diagnostic>) {
    unimplemented!()
}
