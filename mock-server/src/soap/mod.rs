//! The SOAP sandbox: serves each WSDL's operations at its endpoint addresses, from the WSDL alone.
//!
//! A request goes: [`envelope`] (safe parse, version) -> [`dispatch`] (which operation) ->
//! the access gate -> [`validate`] (the input message's XSD) -> [`handler`] (the response envelope
//! or a [`fault`]). [`wsdl_serve`] answers `?wsdl` with the addresses rewritten to the sandbox,
//! and [`mounts`] says at which paths an API is served; [`serve`] connects it to the router.

pub mod dispatch;
pub mod envelope;
pub mod fault;
pub mod handler;
pub mod mounts;
pub mod response;
pub mod serve;
pub mod validate;
pub mod wsdl_serve;

pub use serve::{SoapSandbox, handle};

#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
pub(crate) mod fixtures;
