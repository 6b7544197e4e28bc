//! Front-end libraries come from npm (web/package.json and its lockfile) and
//! are built into the binary: install them when they are missing.

use std::path::Path;
use std::process::Command;

fn main() {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web");
    println!("cargo:rerun-if-changed={}", web.join("package-lock.json").display());
    println!("cargo:rerun-if-changed={}", web.join("node_modules/leaflet/dist/leaflet.js").display());
    if web.join("node_modules/leaflet/dist/leaflet.js").exists() {
        return;
    }
    let status = Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"]).current_dir(&web).status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("npm ci in {} failed ({s}); the front-end libraries are needed to build", web.display()),
        Err(e) => panic!("npm is needed to install the front-end libraries in {} ({e})", web.display()),
    }
}
