//! End-to-end tests of `portal build`.
