//! End-to-end tests of `portal serve`.
