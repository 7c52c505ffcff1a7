//! End-to-end tests of `portal soap`.
