//! Builds the Tauri context. The web UI must be built first (`scripts/build-ui`): tauri-build
//! embeds `ui/dist` into the binary.

include!("src/command_names.rs");

fn main() {
    let dist = std::path::Path::new("../ui/dist/index.html");
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
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
