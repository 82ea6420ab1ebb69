//! The agent guard (`plangate guard`): a shell command an AI agent is about
//! to run, judged before it runs, inside the agent's own pre-tool hook.
//!
//! Data flows one way: the hook's payload ([`hook`]) → the simple commands the
//! line would run ([`shell`]) → what each is by the catalog ([`commands`]) →
//! the decision ([`decide`]) → the agent's answer ([`hook::reply`]). [`run`] is
//! the edge that reads the configuration and any plan an apply would use;
//! [`change_set`] the edge that describes a change set an execute would run.

pub mod change_set;
pub mod commands;
pub mod decide;
pub mod hook;
pub mod install;
pub mod run;
pub mod shell;
