//! The commands as `src/commands/` declares them: each `#[tauri::command]` function's name, doc
//! comment, arguments and result, read from the source text.

use std::path::{Path, PathBuf};

/// A `#[tauri::command]` function, as the page calls it.
pub struct Command {
    /// Its module in `src/commands` (`mod` for `commands/mod.rs`).
    pub module: String,
    /// Its name, which is the command's.
    pub name: String,
    /// Its doc comment, line by line.
    pub docs: Vec<String>,
    /// The arguments the page sends, as (name, Rust type): those Tauri injects (`State`,
    /// `AppHandle`) left out.
    pub args: Vec<(String, String)>,
    /// What it returns (`()` for nothing).
    pub returns: String,
}

/// Every command of the modules in `dir` (`src/commands`), the modules in file-name order and
/// each one's commands in the order it declares them.
pub fn declared_commands(dir: &Path) -> Vec<Command> {
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
