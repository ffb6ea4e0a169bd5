//! valkey-lint: checks Valkey and Redis deployments on Kubernetes against what experienced
//! operators know goes wrong.
//!
//! Pipeline: [`source`] (files, stdin) → [`yaml`] (documents with spans) → [`k8s`] (objects and
//! selectors) → [`valkey`] (server containers and their effective configuration) → [`rules`]
//! (declarative CEL rules) → [`finding`] → [`report`].

pub mod check;
pub mod config;
pub mod finding;
pub mod k8s;
pub mod netpol;
pub mod par;
pub mod redact;
pub mod render;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;
pub mod units;
pub mod valkey;
pub mod yaml;
mod yaml_fast;
