//! Declarative rules: loading and compiling rule files, evaluating them over the model, and
//! rendering their documentation.

pub mod docs;
pub mod eval;
pub mod lazy;
pub mod load;
pub mod shared;

pub use load::{Rule, Subject};
