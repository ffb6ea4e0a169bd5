//! What general linters do not know: which containers run valkey-server, and the configuration
//! each one really starts with.

pub mod conf;
pub mod directives;
pub mod model;
pub mod operator;
pub mod script;
