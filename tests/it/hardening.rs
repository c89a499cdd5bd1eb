//! Bad input and a bad environment (issue "nothing lost, nothing silently wrong"): a corpus of
//! cases, each run in a folder of its own with files a user might have there, asserting the exit
//! code, that the message names the place and says what to do, that its text matches the
//! snapshot in `tests/hard/<case>.stderr`, and that nothing outside truce's own output changed.
//! Signals, a concurrent pair, a full disk and a read-only disk have tests of their own below.
//! `TRUCE_BLESS=1` rewrites the snapshots.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::common::{root, tempdir};

/// What a file-system entry is, to compare a folder before and after a command.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    File(String),
    Dir,
    Link(PathBuf),
    Other,
}

/// Every entry under `dir` (not following links), by relative path.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Entry> {
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Entry>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let path = e.path();
        let rel = path.strip_prefix(base).unwrap().to_path_buf();
        let ft = e.file_type().unwrap();
        if ft.is_symlink() {
            out.insert(rel, Entry::Link(fs::read_link(&path).unwrap()));
        } else if ft.is_dir() {
            out.insert(rel, Entry::Dir);
            walk(base, &path, out);
        } else if ft.is_file() {
            let hash: String = Sha256::digest(fs::read(&path).unwrap()).iter().take(8).map(|b| format!("{b:02x}")).collect();
            out.insert(rel, Entry::File(hash));
        } else {
            out.insert(rel, Entry::Other);
        }
    }
}

/// The entries that differ between two trees, except those under `allowed`.
fn changes(before: &BTreeMap<PathBuf, Entry>, after: &BTreeMap<PathBuf, Entry>, allowed: &[&str]) -> Vec<String> {
    let ok = |p: &Path| allowed.iter().any(|a| p.starts_with(a));
    let mut out = Vec::new();
    for (p, e) in before {
        match after.get(p) {
            Some(a) if a == e => {}
            _ if ok(p) => {}
            Some(_) => out.push(format!("changed: {}", p.display())),
            None => out.push(format!("removed: {}", p.display())),
        }
    }
    for p in after.keys() {
        if !before.contains_key(p) && !ok(p) {
            out.push(format!("added: {}", p.display()));
        }
    }
    out
}

fn truce_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_truce"))
}

/// The small valid scenario of the corpus.
fn valid_text() -> String {
    fs::read_to_string(root().join("tests/bad/base/valid.toml")).unwrap()
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

fn mkfifo(path: &Path) {
    let ok = Process::new("mkfifo").arg(path).status().map(|s| s.success()).unwrap_or(false);
    assert!(ok, "mkfifo (coreutils) is needed for the pipe cases");
}

/// Runs truce in `dir` with a time limit; a case that hangs (a pipe read) fails.
fn run_in(dir: &Path, args: &[String]) -> (Option<i32>, String) {
    let mut child = Process::new(truce_bin())
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("truce starts");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            use std::io::Read;
            child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            return (status.code(), err);
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("truce {} did not finish within 60 s (a blocking read?)", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs truce in `dir` and asserts success (for setting a case up).
fn ok_in(dir: &Path, args: &[&str]) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let (code, err) = run_in(dir, &args);
    assert_eq!(code, Some(0), "setup `truce {}` failed:\n{err}", args.join(" "));
}

struct Case {
    name: &'static str,
    setup: fn(&Path),
    args: &'static [&'static str],
    code: i32,
    /// Text the message must hold: the file, path or `--set` key at fault.
    place: &'static str,
    /// Paths (relative to the case folder) the command may create or change.
    writes: &'static [&'static str],
}

fn none(_: &Path) {}
fn scenario(d: &Path) {
    write(d, "s.toml", &valid_text());
}
fn user_folder(d: &Path) {
    scenario(d);
    write(d, "docs/letter.txt", "my own words\n");
    write(d, "docs/notes/plan.md", "# plan\n");
}
fn prior_run(d: &Path) {
    scenario(d);
    ok_in(d, &["run", "s.toml", "-n", "50", "--size", "320x200", "--out", "r"]);
}
fn prior_run_no_charts(d: &Path) {
    scenario(d);
    ok_in(d, &["run", "s.toml", "-n", "50", "--no-charts", "--out", "r"]);
}
fn child_with(d: &Path, body: &str) {
    scenario(d);
    write(d, "child.toml", &format!("[scenario]\nextends = \"s.toml\"\nname = \"child\"\n{body}"));
}

fn cases() -> Vec<Case> {
    let run = |out: &'static str| -> &'static [&'static str] {
        Box::leak(vec!["run", "s.toml", "-n", "50", "--no-charts", "--out", out].into_boxed_slice())
    };
    vec![
        // ── --out targets that are not truce's: refused, untouched ───────────────────────────
        Case { name: "out_user_folder", setup: user_folder, args: run("docs"), code: 2, place: "`docs`", writes: &[] },
        Case {
            name: "out_folder_holding_the_scenario",
            setup: |d| write(d, "work/s.toml", &valid_text()),
            args: &["run", "work/s.toml", "-n", "50", "--no-charts", "--out", "work"],
            code: 2,
            place: "`work`",
            writes: &[],
        },
        Case {
            name: "out_regular_file",
            setup: |d| {
                scenario(d);
                write(d, "notes.txt", "keep me\n")
            },
            args: run("notes.txt"),
            code: 2,
            place: "`notes.txt`",
            writes: &[],
        },
        Case { name: "out_device", setup: scenario, args: run("/dev/null"), code: 2, place: "`/dev/null`", writes: &[] },
        Case {
            name: "out_fifo",
            setup: |d| {
                scenario(d);
                mkfifo(&d.join("pipe"))
            },
            args: run("pipe"),
            code: 2,
            place: "`pipe`",
            writes: &[],
        },
        Case {
            name: "out_symlink_to_a_run",
            setup: |d| {
                prior_run_no_charts(d);
                std::os::unix::fs::symlink("r", d.join("link")).unwrap()
            },
            args: run("link"),
            code: 2,
            place: "`link`",
            writes: &[],
        },
        Case {
            name: "out_symlink_to_user_folder",
            setup: |d| {
                user_folder(d);
                std::os::unix::fs::symlink("docs", d.join("link")).unwrap()
            },
            args: run("link"),
            code: 2,
            place: "`link`",
            writes: &[],
        },
        Case { name: "out_dot", setup: user_folder, args: run("."), code: 2, place: "`.`", writes: &[] },
        Case { name: "out_dotdot", setup: user_folder, args: run(".."), code: 2, place: "`..`", writes: &[] },
        Case { name: "out_ends_in_dotdot", setup: user_folder, args: run("docs/.."), code: 2, place: "`docs/..`", writes: &[] },
        Case {
            name: "out_run_with_a_foreign_file",
            setup: |d| {
                prior_run_no_charts(d);
                write(d, "r/notes.md", "my notes on the run\n")
            },
            args: run("r"),
            code: 2,
            place: "`notes.md`",
            writes: &[],
        },
        Case {
            name: "out_run_with_a_foreign_chart",
            setup: |d| {
                prior_run(d);
                write(d, "r/charts/slides.pdf", "%PDF")
            },
            args: run("r"),
            code: 2,
            place: "charts/slides.pdf",
            writes: &[],
        },
        Case {
            name: "out_run_with_a_foreign_folder",
            setup: |d| {
                prior_run_no_charts(d);
                write(d, "r/drafts/a.txt", "a\n")
            },
            args: run("r"),
            code: 2,
            place: "`drafts`",
            writes: &[],
        },
        Case {
            name: "out_folder_with_a_fake_manifest",
            setup: |d| {
                user_folder(d);
                write(d, "docs/manifest.json", "{\"project\": \"mine\"}\n")
            },
            args: run("docs"),
            code: 2,
            place: "`docs`",
            writes: &[],
        },
        // ── targets truce may write: only the target changes ─────────────────────────────────
        Case { name: "out_previous_run_is_replaced", setup: prior_run, args: run("r"), code: 0, place: "", writes: &["r"] },
        Case {
            name: "out_empty_folder",
            setup: |d| {
                scenario(d);
                fs::create_dir(d.join("empty")).unwrap()
            },
            args: run("empty"),
            code: 0,
            place: "",
            writes: &["empty"],
        },
        Case { name: "out_new_nested_folder", setup: scenario, args: run("a/b/c"), code: 0, place: "", writes: &["a"] },
        // ── scenario names are folder names ──────────────────────────────────────────────────
        Case {
            name: "name_empty",
            setup: user_folder,
            args: &["run", "s.toml", "-n", "50", "--set", "scenario.name=\"\""],
            code: 2,
            place: "--set scenario.name",
            writes: &[],
        },
        Case {
            name: "name_dot",
            setup: user_folder,
            args: &["run", "s.toml", "-n", "50", "--set", "scenario.name=\".\""],
            code: 2,
            place: "--set scenario.name",
            writes: &[],
        },
        Case {
            name: "name_dotdot",
            setup: user_folder,
            args: &["run", "s.toml", "-n", "50", "--set", "scenario.name=\"..\""],
            code: 2,
            place: "--set scenario.name",
            writes: &[],
        },
        Case {
            name: "name_hidden",
            setup: user_folder,
            args: &["run", "s.toml", "-n", "50", "--set", "scenario.name=\".docs\""],
            code: 2,
            place: "--set scenario.name",
            writes: &[],
        },
        Case {
            name: "name_with_a_slash",
            setup: user_folder,
            args: &["run", "s.toml", "-n", "50", "--set", "scenario.name=\"../docs\""],
            code: 2,
            place: "--set scenario.name",
            writes: &[],
        },
        Case {
            name: "name_with_a_backslash",
            setup: user_folder,
            args: &["run", "s.toml", "-n", "50", "--set", "scenario.name=\"a\\\\b\""],
            code: 2,
            place: "--set scenario.name",
            writes: &[],
        },
        Case {
            name: "name_in_the_file",
            setup: |d| write(d, "s.toml", &valid_text().replace("name = \"valid\"", "name = \"\"")),
            args: &["run", "s.toml", "-n", "50"],
            code: 2,
            place: "s.toml:3:8",
            writes: &[],
        },
        // ── inputs that are not regular files of a sane size ──────────────────────────────────
        Case { name: "scenario_device", setup: none, args: &["run", "/dev/zero"], code: 2, place: "`/dev/zero`", writes: &[] },
        Case {
            name: "scenario_fifo",
            setup: |d| mkfifo(&d.join("pipe.toml")),
            args: &["run", "pipe.toml"],
            code: 2,
            place: "`pipe.toml`",
            writes: &[],
        },
        Case { name: "scenario_folder", setup: user_folder, args: &["check", "docs"], code: 2, place: "`docs`", writes: &[] },
        Case {
            name: "scenario_too_large",
            setup: |d| write(d, "big.toml", &format!("# {}\n", "x".repeat(5 << 20))),
            args: &["check", "big.toml"],
            code: 2,
            place: "`big.toml`",
            writes: &[],
        },
        Case {
            name: "extends_device",
            setup: |d| write(d, "child.toml", "[scenario]\nextends = \"/dev/zero\"\n"),
            args: &["check", "child.toml"],
            code: 2,
            place: "child.toml:2:11",
            writes: &[],
        },
        Case {
            name: "extends_fifo",
            setup: |d| {
                write(d, "child.toml", "[scenario]\nextends = \"pipe.toml\"\n");
                mkfifo(&d.join("pipe.toml"))
            },
            args: &["check", "child.toml"],
            code: 2,
            place: "child.toml:2:11",
            writes: &[],
        },
        Case {
            name: "with_fifo",
            setup: |d| {
                scenario(d);
                mkfifo(&d.join("over.toml"))
            },
            args: &["run", "s.toml", "--with", "over.toml"],
            code: 2,
            place: "`over.toml`",
            writes: &[],
        },
        Case {
            name: "with_folder",
            setup: user_folder,
            args: &["check", "s.toml", "--with", "docs"],
            code: 2,
            place: "`docs`",
            writes: &[],
        },
        // ── numbers that are not finite or cannot be computed with ────────────────────────────
        Case {
            name: "effect_by_nan",
            setup: |d| write(d, "s.toml", &valid_text().replace("by = 0.5", "by = nan")),
            args: &["run", "s.toml", "-n", "50"],
            code: 2,
            place: "s.toml:44:44",
            writes: &[],
        },
        Case {
            name: "value_inf",
            setup: |d| write(d, "s.toml", &valid_text().replace("gain_mean = 312", "gain_mean = inf")),
            args: &["run", "s.toml", "-n", "50"],
            code: 2,
            place: "s.toml:38:13",
            writes: &[],
        },
        Case {
            name: "value_beyond_f64",
            setup: |d| write(d, "s.toml", &valid_text().replace("gain_mean = 312", "gain_mean = 1e400")),
            args: &["run", "s.toml", "-n", "50"],
            code: 2,
            place: "s.toml:38:13",
            writes: &[],
        },
        Case {
            name: "set_nan",
            setup: scenario,
            args: &["run", "s.toml", "--set", "battlefield.gain_mean=nan"],
            code: 2,
            place: "--set battlefield.gain_mean",
            writes: &[],
        },
        Case {
            name: "lognormal_overflows",
            setup: scenario,
            args: &["run", "s.toml", "--set", "battlefield.gain_sd={lognormal=[0,1000]}"],
            code: 2,
            place: "--set battlefield.gain_sd",
            writes: &[],
        },
        Case {
            name: "normal_overflows",
            setup: scenario,
            args: &["run", "s.toml", "--set", "battlefield.gain_mean={normal=[1,1e308]}"],
            code: 2,
            place: "--set battlefield.gain_mean",
            writes: &[],
        },
        Case {
            name: "value_too_large",
            setup: scenario,
            args: &["run", "s.toml", "--set", "actors.ru.drain=1e300"],
            code: 2,
            place: "--set actors.ru.drain",
            writes: &[],
        },
        Case {
            name: "effect_too_large",
            setup: |d| {
                write(
                    d,
                    "s.toml",
                    &valid_text().replace("{ scale = \"actors.us.aid\", by = 0.5 }", "{ add = \"actors.ru.drain\", value = 1e12 }"),
                )
            },
            args: &["run", "s.toml", "-n", "50"],
            code: 2,
            place: "s.toml:44:20",
            writes: &[],
        },
        // ── values that cannot be true together ───────────────────────────────────────────────
        Case {
            name: "start_above_claimed",
            setup: scenario,
            args: &["check", "s.toml", "--set", "territory.start_km2=200000"],
            code: 2,
            place: "--set territory.start_km2",
            writes: &[],
        },
        Case {
            name: "start_above_the_country",
            setup: scenario,
            args: &["check", "s.toml", "--set", "territory.start_km2=700000", "--set", "territory.claimed_km2=800000"],
            code: 2,
            place: "--set territory.start_km2",
            writes: &[],
        },
        Case {
            name: "claimed_above_the_country",
            setup: scenario,
            args: &["check", "s.toml", "--set", "territory.claimed_km2=700000"],
            code: 2,
            place: "--set territory.claimed_km2",
            writes: &[],
        },
        Case {
            name: "start_distribution_reaches_above_claimed",
            setup: scenario,
            args: &["check", "s.toml", "--set", "territory.start_km2={uniform=[100000,140000]}"],
            code: 2,
            place: "--set territory.start_km2",
            writes: &[],
        },
        Case {
            name: "forts_held_above_forts",
            setup: scenario,
            args: &["check", "s.toml", "--set", "battlefield.forts_positions=5", "--set", "battlefield.forts_start=7"],
            code: 2,
            place: "--set battlefield.forts_start",
            writes: &[],
        },
        Case {
            name: "own_patron",
            setup: |d| write(d, "s.toml", &valid_text().replace("patron_of = \"ua\"", "patron_of = \"us\"")),
            args: &["check", "s.toml"],
            code: 2,
            place: "s.toml:24:13",
            writes: &[],
        },
        Case {
            name: "patrons_of_each_other",
            setup: |d| {
                let text = valid_text().replace("patron_of = \"ua\"", "patron_of = \"eu\"")
                    + "\n[actors.eu]\nrole = \"patron\"\npatron_of = \"us\"\n";
                write(d, "s.toml", &text)
            },
            args: &["check", "s.toml"],
            code: 2,
            place: "s.toml:24:13",
            writes: &[],
        },
        Case {
            name: "event_twice_in_a_child",
            setup: |d| {
                let ev = "\n[[events]]\nid = \"aid_cut\"\ndate = \"2026-02\"\neffects = [{ scale = \"actors.us.aid\", by = 0.1 }]\n";
                child_with(d, &format!("{ev}{ev}"))
            },
            args: &["check", "child.toml"],
            code: 2,
            place: "child.toml",
            writes: &[],
        },
        Case {
            name: "event_twice_in_a_with_file",
            setup: |d| {
                scenario(d);
                let ev = "[[events]]\nid = \"aid_cut\"\ndate = \"2026-02\"\neffects = [{ scale = \"actors.us.aid\", by = 0.1 }]\n\n";
                write(d, "over.toml", &format!("{ev}{ev}"))
            },
            args: &["check", "s.toml", "--with", "over.toml"],
            code: 2,
            place: "over.toml",
            writes: &[],
        },
        Case {
            name: "link_twice_in_a_child",
            setup: |d| {
                let l = "\n[[links]]\nfrom = \"us\"\nto = \"ua\"\nkind = \"aid\"\nweight = 0.5\n";
                child_with(d, &format!("{l}{l}"))
            },
            args: &["check", "child.toml"],
            code: 2,
            place: "child.toml",
            writes: &[],
        },
        // ── options that can only fail are refused before any rollout ─────────────────────────
        Case { name: "size_too_small", setup: scenario, args: &["run", "s.toml", "--size", "1x1"], code: 2, place: "1x1", writes: &[] },
        Case {
            name: "size_too_large",
            setup: scenario,
            args: &["run", "s.toml", "--size", "20000x200"],
            code: 2,
            place: "20000x200",
            writes: &[],
        },
        Case {
            name: "font_missing",
            setup: scenario,
            args: &["run", "s.toml", "--font", "nofont.ttf"],
            code: 2,
            place: "nofont.ttf",
            writes: &[],
        },
        Case {
            name: "font_not_a_font",
            setup: scenario,
            args: &["run", "s.toml", "--font", "s.toml"],
            code: 2,
            place: "s.toml",
            writes: &[],
        },
        Case {
            name: "font_device",
            setup: scenario,
            args: &["run", "s.toml", "--font", "/dev/zero"],
            code: 2,
            place: "/dev/zero",
            writes: &[],
        },
        Case {
            name: "runs_csv_cannot_fit",
            setup: scenario,
            args: &["run", "s.toml", "-n", "100000000000000"],
            code: 2,
            place: "runs.csv",
            writes: &[],
        },
        Case {
            name: "sweep_size_too_small",
            setup: scenario,
            args: &["sweep", "s.toml", "--vary", "actors.us.aid=0..1:2", "-n", "20", "--size", "10x10"],
            code: 2,
            place: "10x10",
            writes: &[],
        },
        // ── plot ──────────────────────────────────────────────────────────────────────────────
        Case { name: "plot_a_user_folder", setup: user_folder, args: &["plot", "docs"], code: 2, place: "`docs`", writes: &[] },
        Case {
            name: "plot_a_foreign_chart",
            setup: |d| {
                prior_run(d);
                write(d, "r/charts/slides.pdf", "%PDF")
            },
            args: &["plot", "r", "--size", "320x200"],
            code: 2,
            place: "slides.pdf",
            writes: &[],
        },
        Case { name: "plot_size_too_small", setup: prior_run, args: &["plot", "r", "--size", "1x1"], code: 2, place: "1x1", writes: &[] },
        Case {
            name: "plot_replaces_only_charts",
            setup: prior_run,
            args: &["plot", "r", "--size", "400x250"],
            code: 0,
            place: "",
            writes: &["r/charts"],
        },
        // ── the analyses and data commands follow the same rules ─────────────────────────────
        Case {
            name: "sweep_into_a_user_folder",
            setup: user_folder,
            args: &["sweep", "s.toml", "--vary", "actors.us.aid=0..1:2", "-n", "20", "--no-charts", "--out", "docs"],
            code: 2,
            place: "`docs`",
            writes: &[],
        },
        Case {
            name: "compare_into_a_user_folder",
            setup: user_folder,
            args: &["compare", "s.toml", "s.toml", "-n", "20", "--no-charts", "--out", "docs"],
            code: 2,
            place: "`docs`",
            writes: &[],
        },
        Case {
            name: "sensitivity_into_a_user_folder",
            setup: user_folder,
            args: &["sensitivity", "s.toml", "-n", "20", "--no-charts", "--out", "docs"],
            code: 2,
            place: "`docs`",
            writes: &[],
        },
        Case {
            name: "design_device",
            setup: scenario,
            args: &["sensitivity", "s.toml", "--design", "/dev/zero", "-n", "20"],
            code: 2,
            place: "/dev/zero",
            writes: &[],
        },
        Case {
            name: "calibrate_data_fifo",
            setup: |d| {
                scenario(d);
                mkfifo(&d.join("data.csv"))
            },
            args: &["calibrate", "s.toml", "--data", "data.csv"],
            code: 2,
            place: "`data.csv`",
            writes: &[],
        },
        Case {
            name: "backtest_observed_folder",
            setup: user_folder,
            args: &["backtest", "s.toml", "--observed", "docs"],
            code: 2,
            place: "`docs`",
            writes: &[],
        },
    ]
}

/// The message with the case folder written as `$D`, for snapshots.
fn normalise(stderr: &str, dir: &Path) -> String {
    let canonical = fs::canonicalize(dir).unwrap_or(dir.to_path_buf());
    let mut s = stderr.replace(&canonical.display().to_string(), "$D").replace(&dir.display().to_string(), "$D");
    // The free space of this machine's disk is not part of the message's shape.
    if let (Some(a), Some(b)) = (s.find("more than the "), s.find(" free at")) {
        s.replace_range(a + "more than the ".len()..b, "<space>");
    }
    // Nor is the estimated size, which follows the model's outputs.
    if let (Some(a), Some(b)) = (s.find("would take about "), s.find(", more than")) {
        s.replace_range(a + "would take about ".len()..b, "<size>");
    }
    s
}

#[test]
fn environment_corpus() {
    let bless = std::env::var("TRUCE_BLESS").is_ok_and(|v| v == "1");
    let cases = cases();
    assert!(cases.len() >= 60, "the corpus has {} cases; it must keep at least 60", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let tmp = tempdir();
        let d = tmp.path().join("case");
        fs::create_dir(&d).unwrap();
        (case.setup)(&d);
        let before = tree(tmp.path());
        let args: Vec<String> = case.args.iter().map(|s| s.to_string()).collect();
        let (code, stderr) = run_in(&d, &args);
        let after = tree(tmp.path());
        let allowed: Vec<String> = case.writes.iter().map(|w| format!("case/{w}")).collect();
        let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
        let mut problems = Vec::new();
        if code != Some(case.code) {
            problems.push(format!("exit code {code:?}, expected {}", case.code));
        }
        if case.code != 0 {
            if !stderr.contains(case.place) {
                problems.push(format!("the message does not name `{}`", case.place));
            }
            if !stderr.contains("help:") {
                problems.push("the message has no `help:`".into());
            }
            if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
                problems.push("truce panicked".into());
            }
            let shown = normalise(&stderr, &d);
            let snapshot = root().join("tests/hard").join(format!("{}.stderr", case.name));
            if bless {
                fs::create_dir_all(snapshot.parent().unwrap()).unwrap();
                fs::write(&snapshot, &shown).unwrap();
            } else {
                match fs::read_to_string(&snapshot) {
                    Ok(expected) if expected == shown => {}
                    Ok(expected) => problems.push(format!("stderr differs from tests/hard/{}.stderr:\nexpected:\n{expected}", case.name)),
                    Err(_) => problems.push(format!("no snapshot tests/hard/{}.stderr; run with TRUCE_BLESS=1", case.name)),
                }
            }
        }
        let changed = changes(&before, &after, &allowed);
        if !changed.is_empty() {
            problems.push(format!("files outside truce's own output changed: {}", changed.join(", ")));
        }
        if case.code == 0 {
            for w in case.writes {
                if !d.join(w).exists() {
                    problems.push(format!("expected output `{w}` was not written"));
                }
            }
        }
        if !problems.is_empty() {
            failures.push(format!("── {} (truce {})\n{}\nactual stderr:\n{stderr}", case.name, case.args.join(" "), problems.join("\n")));
        }
    }
    // A snapshot without its case is a leftover.
    if let Ok(entries) = fs::read_dir(root().join("tests/hard")) {
        for e in entries.flatten() {
            let stem = e.path().file_stem().unwrap_or_default().to_string_lossy().into_owned();
            if !cases.iter().any(|c| c.name == stem) {
                failures.push(format!("── tests/hard/{stem}.stderr has no case"));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

// ── Stale leftovers, a concurrent pair, signals ──────────────────────────────────────────────

#[test]
fn a_killed_runs_leftovers_are_tidied_by_the_next_run() {
    let tmp = tempdir();
    let d = tmp.path();
    prior_run_no_charts(d);
    // A killed process left its temporary folder, and one had moved the previous run aside
    // before it died: the next run removes the first and puts the second back before replacing.
    write(d, ".r.tmp-999999/runs.csv", "half a file");
    fs::rename(d.join("r"), d.join(".r.old-999998")).unwrap();
    write(d, ".r.lock", "");
    // Names that only look alike are not truce's: they stay.
    write(d, ".r.tmp-notes/keep.txt", "mine");
    ok_in(d, &["run", "s.toml", "-n", "50", "--no-charts", "--out", "r"]);
    let names: Vec<String> = fs::read_dir(d).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert!(!names.iter().any(|n| n.starts_with(".r.tmp-9") || n.starts_with(".r.old-")), "{names:?}");
    assert!(!names.contains(&".r.lock".to_string()), "the lock file is removed at the end: {names:?}");
    assert!(names.contains(&".r.tmp-notes".to_string()), "{names:?}");
    assert!(d.join("r/manifest.json").is_file());
}

#[test]
fn a_second_run_into_a_folder_being_written_is_refused() {
    let tmp = tempdir();
    let d = tmp.path();
    prior_run_no_charts(d);
    let before = tree(&d.join("r"));
    // Hold the lock as a running truce would.
    let lock = fs::File::create(d.join(".r.lock")).unwrap();
    lock.try_lock().unwrap();
    let (code, err) = run_in(d, &["run".into(), "s.toml".into(), "-n".into(), "50".into(), "--out".into(), "r".into()]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("`r` is being written by another truce process") && err.contains("help:"), "{err}");
    assert_eq!(tree(&d.join("r")), before, "the folder being written is not touched");
    drop(lock);
    // And a real pair: two processes at once; one wins, the other is refused or waits its turn,
    // and the folder is whole afterwards.
    let spawn = || {
        Process::new(truce_bin())
            .args(["run", "s.toml", "-n", "20000", "--no-charts", "--out", "r"])
            .current_dir(d)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (oa, ob) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let codes = [oa.status.code(), ob.status.code()];
    assert!(codes.contains(&Some(0)), "one of two concurrent runs succeeds: {codes:?}");
    for (o, c) in [(&oa, codes[0]), (&ob, codes[1])] {
        assert!(c == Some(0) || c == Some(3), "exit {c:?}: {}", String::from_utf8_lossy(&o.stderr));
    }
    let rows = fs::read_to_string(d.join("r/runs.csv")).unwrap().lines().count();
    assert_eq!(rows, 20_001, "the folder holds one whole run");
    let leftovers: Vec<String> =
        fs::read_dir(d).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n.starts_with(".r.")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn signal_case(signal: &str) {
    let tmp = tempdir();
    let d = tmp.path();
    prior_run_no_charts(d);
    let before = tree(&d.join("r"));
    // A run long enough to be caught in the middle.
    let mut child = Process::new(truce_bin())
        .args(["run", "s.toml", "-n", "50000000", "--threads", "1", "--no-runs-csv", "--no-charts", "--out", "r"])
        .current_dir(d)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let tmp_dir = d.join(format!(".r.tmp-{}", child.id()));
    let started = Instant::now();
    while !tmp_dir.exists() {
        assert!(started.elapsed() < Duration::from_secs(30), "the run never created {}", tmp_dir.display());
        assert!(child.try_wait().unwrap().is_none(), "the run ended before the signal");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(200));
    let ok = Process::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().unwrap().success();
    assert!(ok, "kill -{signal} works");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "SIG{signal}: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"));
    assert!(!tmp_dir.exists(), "SIG{signal} leaves no temporary folder");
    assert!(!d.join(".r.lock").exists(), "SIG{signal} leaves no lock file");
    assert_eq!(tree(&d.join("r")), before, "SIG{signal}: the previous run is as it was");
}

#[test]
fn sigint_removes_the_temporary_folder() {
    signal_case("INT");
}

#[test]
fn sigterm_removes_the_temporary_folder() {
    signal_case("TERM");
}

#[test]
fn sighup_removes_the_temporary_folder() {
    signal_case("HUP");
}

// ── A full disk and a read-only disk, on a small tmpfs (root only) ───────────────────────────

/// Mounts a tmpfs of `size` at `dir`; `Err` says why it cannot be made here.
fn mount_tmpfs(dir: &Path, size: &str) -> Result<Mounted, String> {
    fs::create_dir_all(dir).unwrap();
    let out = Process::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir)
        .output()
        .map_err(|e| format!("mount cannot run: {e}"))?;
    if !out.status.success() {
        return Err(format!("mount -t tmpfs failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(Mounted(dir.to_path_buf()))
}

struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Process::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_keeps_the_previous_output_and_names_the_file() {
    let tmp = tempdir();
    let d = tmp.path();
    scenario(d);
    let disk = d.join("disk");
    let _m = match mount_tmpfs(&disk, "400k") {
        Ok(m) => m,
        Err(why) => {
            // Only where a tmpfs cannot be made (not root, no mount): said, not hidden.
            eprintln!("a_full_disk_keeps_the_previous_output_and_names_the_file: not run here: {why}");
            assert!(std::env::var("CI").is_err(), "CI runs as root and must run the full-disk test: {why}");
            return;
        }
    };
    ok_in(d, &["run", "s.toml", "-n", "200", "--no-charts", "--out", "disk/r"]);
    let before = tree(&disk);
    // The charts do not fit on a 400 kB disk: the run fails, the previous run stays.
    let (code, err) = run_in(d, &["run".into(), "s.toml".into(), "-n".into(), "200".into(), "--out".into(), "disk/r".into()]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("the disk is full") && err.contains("disk/") && err.contains("help:"), "{err}");
    assert!(!err.contains("os error"), "{err}");
    assert_eq!(tree(&disk), before, "the previous run is whole and nothing is left behind");
    // runs.csv that cannot fit is refused before the run.
    let (code, err) = run_in(d, &["run".into(), "s.toml".into(), "-n".into(), "100000".into(), "--out".into(), "disk/big".into()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("runs.csv") && err.contains("--no-runs-csv"), "{err}");
    assert_eq!(tree(&disk), before);
    // plot on a full disk: the charts are replaced whole or not at all.
    fs::remove_dir_all(disk.join("r")).unwrap();
    ok_in(d, &["run", "s.toml", "-n", "50", "--size", "320x200", "--out", "disk/r"]);
    let before = tree(&disk);
    let (code, err) = run_in(d, &["plot".into(), "disk/r".into(), "--size".into(), "1600x1000".into()]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("the disk is full"), "{err}");
    assert_eq!(tree(&disk), before, "the previous charts are whole");
}

#[test]
fn a_read_only_disk_is_an_environment_error() {
    let tmp = tempdir();
    let d = tmp.path();
    scenario(d);
    let disk = d.join("ro");
    let _m = match mount_tmpfs(&disk, "1m") {
        Ok(m) => m,
        Err(why) => {
            eprintln!("a_read_only_disk_is_an_environment_error: not run here: {why}");
            assert!(std::env::var("CI").is_err(), "CI runs as root and must run the read-only test: {why}");
            return;
        }
    };
    let ok = Process::new("mount").args(["-o", "remount,ro"]).arg(&disk).status().map(|s| s.success()).unwrap_or(false);
    assert!(ok, "the tmpfs can be made read-only");
    let (code, err) = run_in(d, &["run".into(), "s.toml".into(), "-n".into(), "50".into(), "--out".into(), "ro/r".into()]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("read-only") && err.contains("ro") && err.contains("help:"), "{err}");
}

// ── Numbers over the whole range, charts for any number of actors ────────────────────────────

/// The exact empirical q-quantile (the rule the histograms interpolate: the value below which a
/// share q of the sorted sample lies).
fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
    let k = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[k - 1]
}

#[test]
fn reported_quantiles_match_runs_csv_far_from_the_start() {
    // Areas that leave any window around the start: the old histograms clamped these.
    let tmp = tempdir();
    let d = tmp.path();
    let out = d.join("far");
    let o = crate::common::truce()
        .args(["run", "scenarios/baseline.toml", "-n", "4000", "--no-charts", "--set", "territory.claimed_km2=400000"])
        .args(["--set", "battlefield.gain_mean=3000", "--set", "negotiation.talks_rate=0", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut rdr = csv::Reader::from_path(out.join("runs.csv")).unwrap();
    let col = rdr.headers().unwrap().iter().position(|h| h == "final_area_km2").unwrap();
    let mut areas: Vec<f64> = rdr.records().map(|r| r.unwrap()[col].parse().unwrap()).collect();
    areas.sort_by(f64::total_cmp);
    let s: serde_json::Value = serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let res = s["quantile_resolution_km2"].as_f64().unwrap();
    assert_eq!(res, 25.0);
    let fa = &s["final_area_km2"];
    // runs.csv rounds to 0.1 km²; the histogram is within one bin of the exact quantile.
    for (field, q) in [("median", 0.5), ("p05", 0.05), ("p95", 0.95)] {
        let got = fa[field].as_f64().unwrap();
        let want = exact_quantile(&areas, q);
        assert!((got - want).abs() <= res + 0.1, "{field}: summary {got}, runs.csv {want}");
    }
    assert!(exact_quantile(&areas, 0.5) > 116_505.0 + 140_000.0, "the case must leave the old window: {}", exact_quantile(&areas, 0.5));
    // timeseries.csv's last month is the same distribution.
    let ts = fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let last = ts.lines().filter(|l| l.contains(",area_km2,")).last().unwrap();
    let cells: Vec<&str> = last.split(',').collect();
    for (i, q) in [(4, 0.05), (5, 0.25), (6, 0.5), (7, 0.75), (8, 0.95)] {
        let got: f64 = cells[i].parse().unwrap();
        let want = exact_quantile(&areas, q);
        assert!((got - want).abs() <= res + 0.1, "timeseries q{q}: {got} vs {want}");
    }
}

#[test]
fn no_chart_panics_for_hundreds_of_actors_at_any_size() {
    let tmp = tempdir();
    let d = tmp.path();
    let base = valid_text();
    for n in [0usize, 50, 130, 200, 320] {
        let actors: String = (0..n).map(|i| format!("[actors.o{i}]\nrole = \"observer\"\n\n")).collect();
        let links: String =
            (0..n).step_by(5).map(|i| format!("\n[[links]]\nfrom = \"o{i}\"\nto = \"ua\"\nkind = \"aid\"\nweight = 0.4\n")).collect();
        let text = base.replacen("[[links]]", &format!("{actors}[[links]]"), 1) + &links;
        write(d, &format!("many{n}.toml"), &text);
        let dir = format!("m{n}");
        ok_in(d, &["run", &format!("many{n}.toml"), "-n", "60", "--no-charts", "--out", &dir]);
        for size in ["320x200", "800x500", "1600x1000"] {
            for lang in ["en", "zh"] {
                let args: Vec<String> = ["plot", &dir, "--size", size, "--lang", lang].iter().map(|s| s.to_string()).collect();
                let (code, err) = run_in(d, &args);
                assert_eq!(code, Some(0), "{n} actors at {size} ({lang}): {err}");
                assert!(!err.contains("panicked"), "{err}");
            }
        }
    }
}

/// Exit code 1 is a bug in truce (docs/outputs.md): an internal error or a panic, injected once
/// the rollouts have run and the files are half written, exits 1 (not Rust's 101) with the
/// request to report it, and leaves the earlier run in the folder exactly as it was, with no
/// temporary folder or lock behind.
#[test]
fn a_bug_exits_1_and_leaves_the_earlier_run_untouched() {
    for fault in ["error", "panic"] {
        let tmp = tempdir();
        let d = tmp.path();
        prior_run_no_charts(d);
        let before = tree(d);
        let out = Process::new(truce_bin())
            .args(["run", "s.toml", "-n", "50", "--no-charts", "--out", "r"])
            .current_dir(d)
            .env("TRUCE_INJECT_FAULT", fault)
            .env_remove("RUST_BACKTRACE")
            .output()
            .expect("truce starts");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{fault}: exit {:?}\n{err}", out.status.code());
        assert!(err.contains("this is a bug in truce: please report it"), "{fault}: {err}");
        let after = tree(d);
        let changed = changes(&before, &after, &[]);
        assert!(changed.is_empty(), "{fault}: the failed run changed {changed:?}");
    }
}
