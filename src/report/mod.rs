//! Rendering: turn decided data into text. Renderers return strings; the binary
//! writes them.

pub mod changes;
pub mod commits;
