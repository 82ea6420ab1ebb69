//! Rendering: turn decided data into text. Renderers return strings; the binary
//! writes them.

pub mod changes;
pub mod check;
pub mod commits;
pub mod human;
pub mod rules;
pub mod sarif;
