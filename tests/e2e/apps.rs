//! End-to-end tests of `portal apps`.
