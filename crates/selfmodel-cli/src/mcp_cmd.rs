//! `selfmodel mcp`: the Model Context Protocol server for AI assistants, on stdin/stdout. It is
//! a vendor of the running API (the app or `selfmodel serve`) and never opens the vault itself.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use selfmodel_mcp::{Config, DEFAULT_CATEGORIES, DEFAULT_PURPOSES, Operation};

/// `selfmodel mcp`
#[derive(Args)]
pub struct McpArgs {
    /// A purpose to ask for (repeatable; the first is the resource's) [default: communication,
    /// personalisation]
    #[arg(long = "purpose", value_name = "PURPOSE")]
    purposes: Vec<String>,
    /// A belief type to ask for (repeatable) [default: communication-style, expertise, goals,
    /// interests, preferences]
    #[arg(long = "category", value_name = "CATEGORY")]
    categories: Vec<String>,
    /// An operation to ask for: read, read_evidence or propose (repeatable) [default: all three]
    #[arg(long = "operation", value_name = "OP")]
    operations: Vec<String>,
    /// How many days the grant should last (1 to 365)
    #[arg(long, default_value_t = 30)]
    days: u32,
    /// Where to keep the token, the pinned server key and a pending request (mode 0600)
    /// [default: ~/.config/selfmodel/mcp/<client>.json]
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// The API's discovery file [default: $XDG_RUNTIME_DIR/selfmodel/api.json]
    #[arg(long, value_name = "FILE")]
    discovery: Option<PathBuf>,
}

/// Serves MCP on stdio until the client disconnects. Writes nothing to stdout itself: that is
/// the MCP channel.
pub fn run(a: McpArgs) -> Result<ExitCode> {
    let or_default = |given: Vec<String>, default: &[&str]| {
        if given.is_empty() {
            default.iter().map(|s| (*s).to_owned()).collect()
        } else {
            given
        }
    };
    let mut config = Config {
        purposes: or_default(a.purposes, DEFAULT_PURPOSES),
        categories: or_default(a.categories, DEFAULT_CATEGORIES),
        duration_days: a.days,
        state_file: a.state,
        discovery_file: a.discovery,
        ..Config::default()
    };
    if !a.operations.is_empty() {
        config.operations = a
            .operations
            .iter()
            .map(|o| match o.as_str() {
                "read" => Ok(Operation::Read),
                "read_evidence" => Ok(Operation::ReadEvidence),
                "propose" => Ok(Operation::Propose),
                other => bail!("unknown operation '{other}': read, read_evidence or propose"),
            })
            .collect::<Result<_>>()?;
    }
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(selfmodel_mcp::serve_stdio(config))?;
    Ok(ExitCode::SUCCESS)
}
