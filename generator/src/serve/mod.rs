//! `portal serve`'s engine: classify changed files ([`classify`]), watch the root ([`watch`]),
//! rebuild the least a change needs into memory ([`session`]), and serve the last good build
//! with live reload and an error overlay ([`devserver`]). The sandbox is not known here: the
//! binary wires it in through the session's `post_build` hook.

pub mod classify;
pub mod devserver;
pub mod watch;
pub mod session;
