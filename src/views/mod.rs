//! What the customer sees: the panel shell and one view per step. Views read the flow through
//! `crate::widget::Widget` and call its actions; nothing below imports them.

pub mod broken;
pub mod form;
pub mod loading;
pub mod outcome;
pub mod panel;
pub mod questions;
pub mod result;
