//! The `luoshi` binary as an operator uses it: real processes, real files, a fresh database per
//! test (PostgreSQL when LUOSHI_TEST_DATABASE_URL is set).

#![expect(clippy::unwrap_used, reason = "a test fails by panicking")]

use luoshi_storage::testing::fresh_url;
use luoshi_storage::{Backend, ConnectOptions, Db};
use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

fn luoshi(url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_luoshi"));
    // Warnings, but not the driver's slow-statement notes (placing tables on a cluster while
    // migrating takes seconds): what is checked is that an error is one clear line.
    c.env("LUOSHI_DATABASE_URL", url).env("LUOSHI_LOG", "warn,sqlx::query=error").env_remove("LUOSHI_PASSWORD");
    c
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output { status, stdout, stderr } = cmd.stdin(Stdio::null()).output().unwrap();
    (status.code().unwrap_or(-1), String::from_utf8_lossy(&stdout).into_owned(), String::from_utf8_lossy(&stderr).into_owned())
}

/// Errors are one clear line on standard error.
fn one_line_error(stderr: &str) -> &str {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line, got: {stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    lines[0]
}

async fn db(url: &str) -> Db {
    Db::connect(url, &ConnectOptions::default()).await.unwrap()
}

mod citus;
mod cli;
mod durability;
mod failover;
mod notify;
mod records;
