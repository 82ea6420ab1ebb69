//! Terraform plan JSON (`terraform show -json`) through plangate's reader.
//!
//! Invariants: a plan keeps every resource change, each with an address and a
//! replace order exactly when it replaces; a file that reads as a change-set
//! page keeps every change; every error names the file, renders with its code,
//! puts its label on the line it names, and never shows a user's value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plangate::parse::{Parsed, parse_json};
use plangate_fuzz::{check_page, check_read_error, check_terraform_plan};

const PATH: &str = "plan.json";

fuzz_target!(|data: &[u8]| {
    match parse_json(PATH, data) {
        Ok(Parsed::Plan(plan)) => check_terraform_plan(&plan, PATH, data),
        Ok(Parsed::Page(page)) => check_page(&page, PATH, data),
        Ok(Parsed::NotAPlan(what)) => assert!(!what.is_empty()),
        Err(e) => check_read_error(e, &[(PATH.to_owned(), data)]),
    }
});
