//! Every example a user is shown runs as printed: each command in a block of README.md,
//! docs/*.md or examples/README.md marked `<!-- runnable -->`, and each example of `truce --help`
//! and `truce <command> --help`. They run in document order, in a fresh folder holding copies of
//! `scenarios/`, `data/` and `examples/`, with the test's `truce` first on the PATH, as after the
//! README's `cargo install`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::root;
use crate::folders::copy_dir;

/// The commands of the runnable blocks of a markdown file: (line number, command line).
fn runnable(path: &Path) -> Vec<(usize, String)> {
    let text = fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == "<!-- runnable -->" {
            assert!(
                lines.get(i + 1).is_some_and(|l| l.starts_with("```sh")),
                "{}:{}: a runnable marker must sit right above a ```sh block",
                path.display(),
                i + 1
            );
            let mut j = i + 2;
            while j < lines.len() && !lines[j].starts_with("```") {
                let l = lines[j].trim();
                if !l.is_empty() && !l.starts_with('#') {
                    out.push((j + 1, l.to_string()));
                }
                j += 1;
            }
            i = j;
        }
        i += 1;
    }
    out
}

/// A command line without its trailing `# comment` (a `#` outside quotes after a blank).
fn strip_comment(line: &str) -> &str {
    let (mut single, mut double) = (false, false);
    let mut prev = ' ';
    for (k, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && prev.is_whitespace() => return line[..k].trim_end(),
            _ => {}
        }
        prev = c;
    }
    line.trim_end()
}

/// The parts of a line this test runs: `truce …` commands. `cargo install`/`cargo build` are what
/// made the binary under test, `scripts/test.sh` is this suite; anything else is an error.
fn truce_parts(place: &str, line: &str) -> Vec<String> {
    let mut parts = Vec::new();
    for part in strip_comment(line).split("&&").map(str::trim) {
        if part.starts_with("cargo install") || part.starts_with("cargo build") || part == "scripts/test.sh" {
            continue;
        }
        assert!(part.starts_with("truce "), "{place}: the doc test does not know how to run `{part}`; mark only truce commands runnable");
        parts.push(part.to_string());
    }
    parts
}

/// The examples under `Example:`/`Examples:` of a help text: lines `  truce …`.
fn help_examples(help: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for l in help.lines() {
        if l.starts_with("Example") {
            inside = true;
        } else if inside && l.starts_with("  truce ") {
            out.push(l.trim().to_string());
        } else if !l.starts_with("  ") {
            inside = false;
        }
    }
    out
}

struct Shell {
    dir: PathBuf,
    path: String,
}

impl Shell {
    fn new(dir: &Path) -> Shell {
        let bin = PathBuf::from(env!("CARGO_BIN_EXE_truce"));
        let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
        Shell { dir: dir.to_path_buf(), path }
    }

    fn run(&self, place: &str, command: &str) -> String {
        let out = Command::new("sh").arg("-c").arg(command).current_dir(&self.dir).env("PATH", &self.path).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{place}: `{command}` failed ({}):\n{stderr}", out.status);
        assert!(!stderr.contains("warning: no font"), "{place}: `{command}` drew with the machine's fonts:\n{stderr}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

#[test]
fn every_runnable_command_of_the_docs_and_every_help_example_works_as_printed() {
    let tmp = crate::common::tempdir();
    for d in ["scenarios", "data", "examples"] {
        copy_dir(&root().join(d), &tmp.path().join(d));
    }
    let sh = Shell::new(tmp.path());
    // `truce` on the PATH is the binary under test.
    let which = sh.run("PATH", "command -v truce");
    assert_eq!(Path::new(which.trim()), Path::new(env!("CARGO_BIN_EXE_truce")));

    let mut docs = vec![root().join("README.md")];
    let mut others: Vec<PathBuf> = fs::read_dir(root().join("docs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    others.sort();
    docs.extend(others);
    docs.push(root().join("examples/README.md"));
    let mut ran = 0;
    for doc in &docs {
        let name = doc.strip_prefix(root()).unwrap().display().to_string();
        for (line, text) in runnable(doc) {
            let place = format!("{name}:{line}");
            for part in truce_parts(&place, &text) {
                eprintln!("{place}: {part}");
                sh.run(&place, &part);
                ran += 1;
            }
        }
    }
    assert!(runnable(&root().join("README.md")).len() >= 15, "the README's runnable blocks were not found");

    let top = sh.run("truce --help", "truce --help");
    let mut helps = vec![("truce --help".to_string(), top.clone())];
    for cmd in ["run", "check", "graph", "plot", "trace", "validate", "calibrate", "backtest", "bench", "compare", "sweep", "sensitivity"] {
        let place = format!("truce {cmd} --help");
        let text = sh.run(&place, &place);
        assert!(!help_examples(&text).is_empty(), "{place} shows no example");
        helps.push((place, text));
    }
    for (place, text) in &helps {
        for ex in help_examples(text) {
            eprintln!("{place}: {ex}");
            sh.run(place, &ex);
            ran += 1;
        }
    }
    eprintln!("ran {ran} documented commands");
}

#[test]
fn the_parser_finds_blocks_strips_comments_and_refuses_what_it_cannot_run() {
    assert_eq!(strip_comment("truce run a.toml   # the main job"), "truce run a.toml");
    assert_eq!(strip_comment("truce run a.toml --set 'x=\"#1\"' # c"), "truce run a.toml --set 'x=\"#1\"'");
    assert_eq!(truce_parts("t", "cargo install --locked --path . && truce run x.toml  # both"), ["truce run x.toml"]);
    assert!(truce_parts("t", "scripts/test.sh").is_empty());
    let refused = std::panic::catch_unwind(|| truce_parts("t", "rm -rf output"));
    assert!(refused.is_err(), "a line that is not a truce command must fail the test");
    assert_eq!(
        help_examples("About\n\nExamples:\n  truce run a\n  truce check b\n\nTo draw it:\n  dot -Tsvg x\n"),
        ["truce run a", "truce check b"]
    );
}

/// The printout the README quotes under "What a run tells you" is what the main job prints.
#[test]
fn the_readme_quotes_the_main_jobs_printout() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("```\n终极博弈 — endgame — 10000 rollouts").expect("the README quotes the run's printout") + 4;
    let quoted = &readme[start..start + readme[start..].find("```").unwrap()];
    let tmp = crate::common::tempdir();
    let out =
        crate::common::truce().args(["run", "scenarios/endgame.toml", "--no-charts", "--out"]).arg(tmp.path().join("o")).output().unwrap();
    assert!(out.status.success());
    let printed = String::from_utf8_lossy(&out.stdout);
    // Without the last line, whose timing varies.
    let printed = printed.split("\n\n10000 rollouts (").next().unwrap();
    assert_eq!(quoted.trim_end(), printed.trim_end(), "README.md quotes an old printout of `truce run scenarios/endgame.toml`");
}
