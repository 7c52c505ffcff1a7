//! End-to-end tests of `portal mock`.
