//! Rendering: turn decided data into text. Renderers return strings; the binary
//! writes them.

pub mod changes;
pub mod check;
pub mod codequality;
pub mod commits;
pub mod errors;
pub mod human;
pub mod junit;
pub mod rules;
pub mod sarif;
