//! The analysis notebook runs headless against fresh runs of the two prospects.

use std::path::PathBuf;
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::common::{root, tempdir, truce};

/// The Python with the notebook's packages: `TRUCE_PYTHON` (set by scripts/test.sh), else a venv
/// under target/ made here from notebooks/requirements.txt.
pub(crate) fn python() -> PathBuf {
    if let Ok(p) = std::env::var("TRUCE_PYTHON") {
        return PathBuf::from(p);
    }
    let req = std::fs::read(root().join("notebooks/requirements.txt")).expect("notebooks/requirements.txt");
    let hash: String = Sha256::digest(&req).iter().take(6).map(|b| format!("{b:02x}")).collect();
    let venv = root().join("target").join(format!("nbvenv-{hash}"));
    let py = venv.join("bin/python");
    if !py.exists() {
        let ok = Command::new("python3").arg("-m").arg("venv").arg(&venv).status().map(|s| s.success()).unwrap_or(false);
        assert!(ok, "cannot create a Python venv: install python3 with venv, or run scripts/test.sh");
        let ok = Command::new(venv.join("bin/pip"))
            .args(["install", "-q", "--disable-pip-version-check", "-r"])
            .arg(root().join("notebooks/requirements.txt"))
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "pip could not install notebooks/requirements.txt");
    }
    py
}

#[test]
fn notebook_executes_against_fresh_runs() {
    let tmp = tempdir();
    let mut dirs = Vec::new();
    for s in ["endgame", "fight_and_talk"] {
        let out = tmp.path().join(s);
        truce().args(["run", &format!("scenarios/{s}.toml"), "-n", "2000", "--no-charts", "--out"]).arg(&out).assert().success();
        dirs.push(out);
    }
    let executed = tmp.path().join("report.ipynb");
    let out = Command::new(python())
        .arg(root().join("notebooks/execute.py"))
        .arg(root().join("notebooks/scenario_report.ipynb"))
        .args(&dirs)
        .arg("--out")
        .arg(&executed)
        .env("MPLCONFIGDIR", tmp.path().join("mpl"))
        .output()
        .expect("python runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "notebook failed:\n{stderr}\n{}", String::from_utf8_lossy(&out.stdout));
    // The notebook prints `warning:` when the run folder disagrees with itself (format drift).
    let ran: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&executed).unwrap()).unwrap();
    for cell in ran["cells"].as_array().unwrap() {
        for output in cell["outputs"].as_array().into_iter().flatten() {
            let text = output["text"].as_array().map(|t| t.iter().filter_map(|l| l.as_str()).collect::<String>()).unwrap_or_default();
            assert!(!text.contains("warning:"), "the notebook warned: {text}");
        }
    }
    // The committed notebook stays clean: no stored outputs.
    let nb: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("notebooks/scenario_report.ipynb")).unwrap()).unwrap();
    for cell in nb["cells"].as_array().unwrap().iter().filter(|c| c["cell_type"] == "code") {
        assert_eq!(cell["outputs"], serde_json::json!([]), "committed notebook has outputs");
    }
}
