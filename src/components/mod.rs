//! The panel's steps as small components; the state and actions they use live in `crate::app`.

pub mod broken;
pub mod form;
pub mod outcome;
pub mod questions;
pub mod result;
pub mod validation;
