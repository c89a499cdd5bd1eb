//! The README's images are what a fresh machine draws: `scripts/readme-images.sh`, run with the
//! binary under test into a temporary folder, gives every file of `docs/img/` byte for byte.
//! (The fonts are compiled in and outputs do not depend on the thread count, so nothing of the
//! machine enters the PNGs.) The screenshots of the report page and the explorer are left out.

use std::fs;
use std::process::Command;

use crate::common::root;

#[test]
fn the_readme_images_are_what_the_script_draws_now() {
    let tmp = crate::common::tempdir();
    let out = Command::new("bash")
        .arg(root().join("scripts/readme-images.sh"))
        .env("TRUCE", env!("CARGO_BIN_EXE_truce"))
        .env("IMG", tmp.path())
        .env("SCREENS", "0")
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "scripts/readme-images.sh failed:\n{}", String::from_utf8_lossy(&out.stderr));
    // The screenshots (screen_*.png) hold a measured time and the browser's text rendering:
    // the script remakes them, the browser test checks the pages, and no byte is compared.
    let mut shipped: Vec<String> = fs::read_dir(root().join("docs/img"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|f| !f.starts_with("screen_"))
        .collect();
    shipped.sort();
    let mut drawn: Vec<String> =
        fs::read_dir(tmp.path()).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    drawn.sort();
    assert_eq!(shipped, drawn, "docs/img/ and what the script draws hold different files");
    let stale: Vec<&String> =
        shipped.iter().filter(|f| fs::read(root().join("docs/img").join(f)).unwrap() != fs::read(tmp.path().join(f)).unwrap()).collect();
    assert!(stale.is_empty(), "docs/img/ is stale for {stale:?}: run scripts/readme-images.sh and commit the images");
}
