//! Builds the Tauri context. The web UI must be built first (`scripts/build-ui`): tauri-build
//! embeds `ui/dist` into the binary.
//!
//! The IPC surface is declared once, by the `#[tauri::command]` functions of `src/commands/`.
//! From them this script generates, in `OUT_DIR`: the command names and the invoke handler
//! (`ipc.rs`, included by `command_names` and `lib.rs`), an `allow-<command>` permission for
//! each (through tauri-build), the main window's capability (`capabilities/main-window.json`),
//! which allows exactly those commands and listening for events, and the UI's typed wrappers of
//! the commands (`commands.ts`, which `tests/ipc_surface.rs` keeps in `ui/src/lib/bindings/`).

use std::path::{Path, PathBuf};

#[path = "build/typescript.rs"]
mod typescript;

fn main() {
    let dist = Path::new("../ui/dist/index.html");
    println!("cargo:rerun-if-changed=../ui/dist");
    if !dist.exists() {
        panic!(
            "the web UI is not built: {} is missing. Run scripts/build-ui (npm ci && npm run build in ui/) first.",
            dist.display()
        );
    }
    // The statically linked SQLCipher must not export its sqlite3_* symbols: WebKitGTK and
    // libsoup load the system libsqlite3 and would bind to ours instead (docs/desktop.md, "Files and build").
    println!("cargo:rustc-link-arg-bins=-Wl,--exclude-libs,ALL");

    println!("cargo:rerun-if-changed=src/commands");
    let declared = declared_commands(Path::new("src/commands"));
    let commands: Vec<String> = declared.iter().map(|c| c.name.clone()).collect();
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    write(&out.join("ipc.rs"), &ipc_rs(&declared));
    write(
        &out.join("commands.ts"),
        &typescript::commands_ts(&declared),
    );
    let capabilities = out.join("capabilities");
    std::fs::create_dir_all(&capabilities).expect("capabilities directory");
    write(
        &capabilities.join("main-window.json"),
        &capability(&commands),
    );

    let pattern = format!("{}/*.json", capabilities.display());
    let commands: Vec<&'static str> = commands
        .into_iter()
        .map(|c| &*Box::leak(c.into_boxed_str()))
        .collect();
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern(Box::leak(pattern.into_boxed_str()))
            .app_manifest(tauri_build::AppManifest::new().commands(commands.leak())),
    )
    .expect("tauri-build failed");
}

/// A `#[tauri::command]` function, as the page calls it.
struct Command {
    /// Its module in `src/commands` (`mod` for `commands/mod.rs`).
    module: String,
    /// Its name, which is the command's.
    name: String,
    /// Its doc comment, line by line.
    docs: Vec<String>,
    /// The arguments the page sends, as (name, Rust type): those Tauri injects (`State`,
    /// `AppHandle`) left out.
    args: Vec<(String, String)>,
    /// What it returns (`()` for nothing).
    returns: String,
}

/// Every command of the modules in `dir` (`src/commands`), the modules in file-name order and
/// each one's commands in the order it declares them.
fn declared_commands(dir: &Path) -> Vec<Command> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("src/commands")
        .map(|e| e.expect("src/commands entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    let mut all = Vec::new();
    for file in files {
        let module = file
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("module name");
        let source = std::fs::read_to_string(&file).expect("command module");
        all.extend(commands_in(&source, &file, module));
    }
    assert!(!all.is_empty(), "src/commands declares no command");
    all
}

/// The commands `source` declares, in order. Each `#[tauri::command]` must be followed (after
/// other attributes) by `pub fn NAME(` or `pub async fn NAME(`, its doc comment just above it.
fn commands_in(source: &str, file: &Path, module: &str) -> Vec<Command> {
    let lines: Vec<&str> = source.lines().map(str::trim).collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if *line != "#[tauri::command]" {
            continue;
        }
        let mut docs: Vec<String> = lines[..i]
            .iter()
            .rev()
            .map_while(|l| l.strip_prefix("///"))
            .map(|d| d.strip_prefix(' ').unwrap_or(d).to_owned())
            .collect();
        docs.reverse();
        let mut signature = String::new();
        for l in lines[i + 1..].iter().skip_while(|l| l.starts_with("#[")) {
            signature.push_str(l);
            signature.push(' ');
            if l.ends_with('{') {
                break;
            }
        }
        let command = parse_signature(&signature, module, docs).unwrap_or_else(|| {
            panic!(
                "{}: #[tauri::command] must precede `pub fn NAME(ARGS) -> T {{` or \
                 `pub async fn NAME(ARGS) -> T {{`, found {signature:?}",
                file.display()
            )
        });
        found.push(command);
    }
    found
}

/// The command declared by `signature` (`pub [async] fn NAME(ARGS) [-> T] {`).
fn parse_signature(signature: &str, module: &str, docs: Vec<String>) -> Option<Command> {
    let rest = signature
        .strip_prefix("pub fn ")
        .or_else(|| signature.strip_prefix("pub async fn "))?;
    let open = rest.find('(')?;
    let name = &rest[..open];
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let args_and_rest = &rest[open + 1..];
    let close = top_level(args_and_rest, ')').into_iter().next()?;
    let after = args_and_rest[close + 1..].trim().strip_suffix('{')?.trim();
    let returns = match after.strip_prefix("->") {
        Some(t) => t.trim().to_owned(),
        None if after.is_empty() => "()".to_owned(),
        None => return None,
    };
    let params = &args_and_rest[..close];
    let mut args = Vec::new();
    let mut start = 0;
    for end in top_level(params, ',')
        .into_iter()
        .chain(std::iter::once(params.len()))
    {
        let param = params[start..end].trim();
        start = end + 1;
        if param.is_empty() {
            continue;
        }
        let (arg, ty) = param.split_once(':')?;
        let ty = ty.trim();
        if !(ty.starts_with("State<") || ty.starts_with("AppHandle")) {
            args.push((arg.trim().to_owned(), ty.to_owned()));
        }
    }
    Some(Command {
        module: module.to_owned(),
        name: name.to_owned(),
        docs,
        args,
        returns,
    })
}

/// The positions of `ch` in `text` outside `<…>` and `(…)`, up to the first unmatched `)`.
fn top_level(text: &str, ch: char) -> Vec<usize> {
    let mut depth = 0i32;
    let mut found = Vec::new();
    for (i, c) in text.char_indices() {
        if depth == 0 && c == ch {
            found.push(i);
        }
        match c {
            '<' | '(' => depth += 1,
            '>' | ')' if depth > 0 => depth -= 1,
            ')' => break,
            _ => {}
        }
    }
    found
}

/// `COMMANDS` and the `invoke_handler!` macro, for `command_names.rs` and `lib.rs`.
fn ipc_rs(commands: &[Command]) -> String {
    let quoted: Vec<String> = commands
        .iter()
        .map(|c| format!("    {:?},\n", c.name))
        .collect();
    let paths: Vec<String> = commands
        .iter()
        .map(|c| {
            if c.module == "mod" {
                format!("            crate::commands::{},\n", c.name)
            } else {
                format!("            crate::commands::{}::{},\n", c.module, c.name)
            }
        })
        .collect();
    format!(
        "// Generated by build.rs from the #[tauri::command] functions of src/commands/.\n\
         /// Every command the main window may invoke, module by module as `src/commands/` declares them.\n\
         pub const COMMANDS: &[&str] = &[\n{}];\n\n\
         /// The invoke handler of exactly [`COMMANDS`].\n\
         macro_rules! invoke_handler {{\n    () => {{\n        tauri::generate_handler![\n{}        ]\n    }};\n}}\n",
        quoted.concat(),
        paths.concat()
    )
}

/// The main window's capability: local only, `allow-<command>` for exactly the commands, and
/// listening for the core's events. No plugin permissions: dialogs are opened from Rust.
fn capability(commands: &[String]) -> String {
    let mut permissions = vec![
        "core:event:allow-listen".to_owned(),
        "core:event:allow-unlisten".to_owned(),
    ];
    permissions.extend(
        commands
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-"))),
    );
    let list: Vec<String> = permissions.iter().map(|p| format!("    {p:?}")).collect();
    format!(
        "{{\n  \"identifier\": \"main-window\",\n  \"description\": \"The main window: exactly the \
         commands of src/commands/, and listening for events. No plugin permissions: native \
         dialogs are opened from Rust, never from the webview.\",\n  \"windows\": [\"main\"],\n  \
         \"local\": true,\n  \"permissions\": [\n{}\n  ]\n}}\n",
        list.join(",\n")
    )
}

/// Writes `text` to `path` unless it is already there, so an unchanged surface rebuilds nothing.
fn write(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}
