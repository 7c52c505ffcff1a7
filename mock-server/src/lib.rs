//! The sandbox: serves every operation of every API in a catalog (REST and SOAP) with
//! deterministic data, and enforces credentials, plans and rate limits through a [`gate::Gate`].

pub mod gate;
pub mod soap;
