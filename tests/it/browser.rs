//! The report page and the explorer in a real browser: `tests/browser/check_pages.py` drives
//! headless Chromium (Debian's `chromium` and `chromium-driver`, installed by scripts/test.sh
//! with the script's Python packages) and reports every check it made. A machine without them
//! fails this test with what to install; it never passes without having opened the pages.

use std::process::Command;

use serde_json::Value;

use crate::common::{root, tempdir};

#[test]
fn the_report_and_the_explorer_work_in_a_browser() {
    let python = std::env::var("TRUCE_BROWSER_PYTHON").unwrap_or_default();
    assert!(
        !python.is_empty() && std::path::Path::new(&python).is_file(),
        "TRUCE_BROWSER_PYTHON is not set to a Python with tests/browser/requirements.txt: run the suite with scripts/test.sh, which installs chromium, chromium-driver and the packages"
    );
    for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
        assert!(std::path::Path::new(tool).is_file(), "{tool} is missing: apt-get install chromium chromium-driver (scripts/test.sh does)");
    }
    let work = tempdir();
    let out = Command::new(&python)
        .arg(root().join("tests/browser/check_pages.py"))
        .args(["--truce", env!("CARGO_BIN_EXE_truce"), "--work"])
        .arg(work.path())
        .current_dir(root())
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "check_pages.py failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default()).expect("check_pages.py prints JSON");
    let problems = v["problems"].as_array().expect("a list of problems");
    assert!(
        problems.is_empty(),
        "in the browser:\n{}",
        problems.iter().map(|p| p.as_str().unwrap_or_default()).collect::<Vec<_>>().join("\n")
    );
    // What it measured, for the log (the time is a benchmark's figure, not asserted).
    let f = &v["found"];
    assert_eq!(f["report_charts"], 6);
    eprintln!("browser {}: first results {} s, a change redrawn in {} ms", f["browser"], f["first_results_s"], f["change_to_redraw_ms"]);
}
