//! placeholder
pub mod serve;
