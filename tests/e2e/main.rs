//! End-to-end tests of the `portal` binary, one module per feature.

mod apps;
mod browser;
mod build;
mod check;
mod demo;
mod mock;
mod serve;
mod soap;
mod support;
