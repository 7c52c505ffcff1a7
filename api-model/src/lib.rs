//! One normalized model of REST and SOAP APIs, read from OpenAPI 2.0/3.0/3.1, WSDL 1.1/2.0 and
//! IBM API Connect product files, plus deterministic example payloads.
//!
//! Data flows one way: files -> [`load`] (detect, parse, resolve, normalize) -> [`model`], which
//! the generator and the mock server consume. Nothing outside this crate sees raw spec types.
#![warn(missing_docs)]

pub mod config;
pub mod detect;
pub mod error;
pub mod example;
pub mod export;
pub mod files;
pub mod load;
pub mod model;
pub mod openapi;
pub mod product;
pub mod wsdl;
pub mod xml_example;

pub use config::{ConfigFile, PortalConfig};
pub use error::{Diagnostic, Error, Location, Result, Severity};
pub use load::{FileReport, LoadOutcome, load_dir, load_paths};
pub use model::*;
