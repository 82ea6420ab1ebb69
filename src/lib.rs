//! plangate: a CI gate for infrastructure plans.
//!
//! The data flows one way: plan files → [`parse`] → [`model::Plan`]s → … → report.
//! Each stage is a plain function over plain data; only the edges ([`input`], and
//! [`parse::binary`] which runs `terraform show -json`) do I/O. The library never
//! prints and never exits: the `plangate` binary does both.

#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod approvals;
pub mod attribution;
pub mod classify;
pub mod config;
pub mod gate;
pub mod git;
pub mod guard;
pub mod hcl;
pub mod history;
pub mod input;
pub mod model;
pub mod parse;
pub mod policy;
pub mod provenance;
pub mod report;

mod error;
pub use error::Error;
