//! `ruleplay`: evaluate Elastic detection rules, KQL and EQL against JSON events from the shell.
//! `ruleplay --help` lists the commands; `args` declares them (clap), `commands` runs them.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[cfg(not(target_arch = "wasm32"))]
#[path = "ruleplay/args.rs"]
mod args;
#[cfg(not(target_arch = "wasm32"))]
#[path = "ruleplay/chunks.rs"]
mod chunks;
#[cfg(not(target_arch = "wasm32"))]
#[path = "ruleplay/commands.rs"]
mod commands;
#[cfg(not(target_arch = "wasm32"))]
#[path = "ruleplay/es.rs"]
mod es;
#[cfg(not(target_arch = "wasm32"))]
#[path = "ruleplay/input.rs"]
mod input;
#[cfg(not(target_arch = "wasm32"))]
#[path = "ruleplay/kibana.rs"]
mod kibana;
#[cfg(not(target_arch = "wasm32"))]
#[path = "ruleplay/matching.rs"]
mod matching;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use clap::Parser;
    match commands::run(args::Cli::parse()) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("ruleplay: {msg}");
            std::process::ExitCode::from(2)
        }
    }
}

/// The CLI is native only (clap is not a wasm dependency); `cargo test --target
/// wasm32-unknown-unknown` still builds every binary of the package, hence this stub.
#[cfg(target_arch = "wasm32")]
fn main() {}
