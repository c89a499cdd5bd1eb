//! `truce serve`: the explorer's API answers as the command line would (same numbers, same
//! diagnostics), refuses what it should, never mixes concurrent requests, and its `--with`
//! download and saved folder reproduce the run. The page itself is tested in a browser
//! (`browser.rs`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;

use serde_json::{Value, json};
use truce::serve::{Explorer, MAX_N};

use crate::common::{root, tempdir};

const N: u64 = 3000;
const SEED: u64 = 11;

fn explorer() -> Explorer {
    Explorer::new(&root().join("scenarios/endgame.toml"), &[], &[], N, SEED, 2).expect("endgame loads")
}

fn post(ex: &Explorer, path: &str, body: &Value) -> (u16, Value) {
    let r = ex.handle("POST", path, body.to_string().as_bytes());
    (r.status, serde_json::from_slice(&r.body).unwrap_or(Value::Null))
}

/// The outcome shares `truce run` would write for these `--set`s (the library's own run).
fn cli_shares(sets: &[&str]) -> Vec<(String, f64)> {
    let sc = crate::common::load("scenarios/endgame.toml", sets);
    let model = truce::model::Model::new(sc);
    let spec = truce::pipeline::RunSpec { n: N, seed: SEED, threads: 1 };
    let r = truce::pipeline::execute(&model, &spec, |_| Ok(()), |_| {}).unwrap();
    r.report.outcomes.0.iter().map(|(k, o)| (k.clone(), o.p)).collect()
}

fn shares(v: &Value) -> Vec<(String, f64)> {
    truce::model::Outcome::NAMES.iter().map(|k| (k.to_string(), v["report"]["outcomes"][k]["p"].as_f64().unwrap())).collect()
}

#[test]
fn the_api_describes_every_parameter_and_runs_as_the_command_line_does() {
    let ex = explorer();
    let page = ex.handle("GET", "/", b"");
    assert_eq!(page.status, 200);
    assert!(String::from_utf8_lossy(&page.body).contains("<script src=\"/app.js\">"));
    let d: Value = serde_json::from_slice(&ex.handle("GET", "/api/scenario", b"").body).unwrap();
    let params = d["params"].as_array().unwrap();
    assert_eq!(params.len(), ex.scenario().params.len());
    let p = params.iter().find(|p| p["path"] == "actors.us.pressure").unwrap();
    assert_eq!((p["kind"].as_str(), p["min"].as_f64(), p["max"].as_f64()), (Some("number"), Some(0.0), Some(10.0)));
    assert!(p["source"].as_str().unwrap().contains("scenarios/endgame.toml:") && p["comment"].as_str().unwrap().contains("[002"), "{p}");
    let drawn = params.iter().find(|p| p["kind"] == "distribution").expect("endgame has uncertain parameters");
    assert!(drawn["shape"]["name"].is_string() && drawn["shape"]["args"].is_array(), "{drawn}");
    let setting = params.iter().find(|p| p["path"] == "negotiation.protocol").unwrap();
    assert_eq!(setting["choices"], json!(["package", "stepwise"]));

    for sets in [vec![], vec!["actors.us.pressure=0.1"], vec!["negotiation.protocol=\"stepwise\"", "actors.russia.patience=0.99"]] {
        let (status, v) = post(&ex, "/api/run", &json!({ "sets": sets }));
        assert_eq!(status, 200, "{v}");
        assert_eq!(shares(&v), cli_shares(&sets), "{sets:?}");
        let cmd = v["command"].as_str().unwrap();
        assert!(cmd.starts_with(&format!("truce run {} -n {N} --seed {SEED}", root().join("scenarios/endgame.toml").display())), "{cmd}");
        for s in &sets {
            assert!(cmd.contains(&format!("--set {s}")) || cmd.contains(&format!("--set '{s}'")), "{cmd}");
        }
    }
}

#[test]
fn bad_requests_get_the_command_lines_diagnostics_and_the_server_lives_on() {
    let ex = explorer();
    let bad = |path: &str, body: &[u8]| {
        let r = ex.handle("POST", path, body);
        (
            r.status,
            serde_json::from_slice::<Value>(&r.body).map(|v| v["error"].as_str().unwrap_or_default().to_string()).unwrap_or_default(),
        )
    };
    let (s, e) = bad("/api/run", b"{not json");
    assert!(s == 400 && e.contains("not JSON"), "{s} {e}");
    let (s, e) = bad("/api/run", br#"{"sets": [3]}"#);
    assert!(s == 400 && e.contains("PATH=VALUE"), "{s} {e}");
    let (s, e) = bad("/api/run", br#"{"n": 0}"#);
    assert!(s == 400 && e.contains(&MAX_N.to_string()), "{s} {e}");
    let (s, e) = bad("/api/run", format!(r#"{{"n": {}}}"#, MAX_N + 1).as_bytes());
    assert!(s == 400, "{s} {e}");
    let (s, e) = bad("/api/run", br#"{"sets": ["actors.us.pressure=99"]}"#);
    assert!(s == 422 && e.contains("is out of range") && e.contains("--> --set actors.us.pressure=99") && e.contains("help:"), "{s} {e}");
    let (s, e) = bad("/api/run", br#"{"sets": ["actors.us.presure=0.1"]}"#);
    assert!(s == 422 && e.contains("actors.us.pressure"), "{s} {e}");
    let (s, e) = bad("/api/overrides", br#"{"sets": ["actors.us.pressure=nan"]}"#);
    assert!(s == 422 && e.contains("--set actors.us.pressure=nan"), "{s} {e}");
    // A tweak cannot make the server read another file.
    for set in [
        r#"territory.history.file=\"/etc/passwd\""#,
        r#"territory.history={file=\"/etc/passwd\"}"#,
        r#"territory={history={file=\"x.csv\"}}"#,
    ] {
        let (s, e) = bad("/api/run", format!(r#"{{"sets": ["{set}"]}}"#).as_bytes());
        assert!(s == 422 && e.contains("reads only the files of the scenario it serves"), "{set}: {s} {e}");
    }
    let (s, _) = bad("/api/run", br#"{"sets": ["scenario.start=\"2025-06\""]}"#);
    assert_eq!(s, 200, "a header value that names no file is a tweak like any other");
    assert_eq!(ex.handle("GET", "/nope", b"").status, 404);
    assert_eq!(ex.handle("DELETE", "/", b"").status, 405);
    // Still answering, with the file's values.
    let (s, v) = post(&ex, "/api/run", &json!({}));
    assert_eq!((s, shares(&v)), (200, cli_shares(&[])));
}

#[test]
fn concurrent_requests_never_mix_results() {
    let ex = explorer();
    let tweaks: Vec<Vec<&str>> =
        vec![vec![], vec!["actors.us.pressure=0"], vec!["negotiation.protocol=\"stepwise\""], vec!["actors.russia.patience=0.99"]];
    let alone: Vec<Vec<(String, f64)>> = tweaks.iter().map(|t| shares(&post(&ex, "/api/run", &json!({ "sets": t })).1)).collect();
    assert!(alone.windows(2).any(|w| w[0] != w[1]), "the tweaks do not differ: the test could not see a mix");
    let together: Vec<Vec<(String, f64)>> = std::thread::scope(|s| {
        let ex = &ex;
        let handles: Vec<_> = tweaks.iter().map(|t| s.spawn(move || shares(&post(ex, "/api/run", &json!({ "sets": t })).1))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(together, alone);
}

#[test]
fn the_overrides_file_and_the_saved_folder_reproduce_the_tweak() {
    let dir = tempdir();
    let mut ex = explorer();
    ex.output = dir.path().join("output");
    let sets = ["actors.us.pressure=0.1", "negotiation.protocol=\"stepwise\"", "actors.us.pressure=0.07"];
    let (_, run) = post(&ex, "/api/run", &json!({ "sets": sets }));
    let r = ex.handle("POST", "/api/overrides", json!({ "sets": sets }).to_string().as_bytes());
    assert_eq!(r.status, 200);
    assert_eq!(r.download.as_deref(), Some("endgame-overrides.toml"));
    let text = String::from_utf8(r.body).unwrap();
    assert!(text.contains("actors.us.pressure = 0.07\n") && !text.contains("= 0.1\n"), "the last value of a path is kept:\n{text}");
    let file = dir.path().join("o.toml");
    std::fs::write(&file, &text).unwrap();
    let ov = truce::scenario::Overrides { sets: vec![], withs: vec![file] };
    let sc = truce::scenario::load(&root().join("scenarios/endgame.toml"), &ov).unwrap();
    let model = truce::model::Model::new(sc);
    let again = truce::pipeline::execute(&model, &truce::pipeline::RunSpec { n: N, seed: SEED, threads: 2 }, |_| Ok(()), |_| {}).unwrap();
    let again: Vec<(String, f64)> = again.report.outcomes.0.iter().map(|(k, o)| (k.clone(), o.p)).collect();
    assert_eq!(again, shares(&run));

    let (s, v) = post(&ex, "/api/save", &json!({ "sets": sets }));
    assert_eq!(s, 200, "{v}");
    let path = std::path::PathBuf::from(v["path"].as_str().unwrap());
    assert!(path.starts_with(dir.path()) && path.file_name().unwrap().to_string_lossy().starts_with("endgame+"), "{path:?}");
    for f in ["summary.json", "runs.csv", "manifest.json", "report.html", "charts/outcomes.svg"] {
        assert!(path.join(f).is_file(), "the saved folder has no {f}");
    }
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(path.join("summary.json")).unwrap()).unwrap();
    assert_eq!(saved["outcomes"], run["report"]["outcomes"]);
    // A folder of the user's own in the way is refused, as `truce run` refuses it.
    std::fs::write(path.join("notes.md"), "mine").unwrap();
    let (s, v) = post(&ex, "/api/save", &json!({ "sets": sets }));
    assert!(s == 422 && v["error"].as_str().unwrap().contains("notes.md"), "{s} {v}");
    assert!(path.join("notes.md").is_file());
}

/// One raw HTTP/1.1 exchange; returns the status line.
fn exchange(addr: &str, request: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(request).unwrap();
    let mut reply = String::new();
    let _ = BufReader::new(&mut s).read_line(&mut reply);
    reply
}

#[test]
fn the_server_listens_on_loopback_and_refuses_large_bodies() {
    let mut child = crate::common::truce_std()
        .args(["serve", "scenarios/endgame.toml", "--port", "0", "-n", "500"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    let url = line.split_whitespace().find(|w| w.starts_with("http://")).unwrap_or_else(|| panic!("no URL in {line:?}")).to_string();
    let addr = url.trim_start_matches("http://").trim_end_matches('/').to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    let ok = exchange(&addr, b"GET /api/scenario HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    let big = format!("POST /api/run HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", 10 * truce::serve::MAX_BODY);
    let refused = exchange(&addr, big.as_bytes());
    assert!(refused.starts_with("HTTP/1.1 413"), "{refused}");
    let body = r#"{"sets": ["actors.us.pressure=0.1"]}"#;
    let run = exchange(
        &addr,
        format!("POST /api/run HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).as_bytes(),
    );
    assert!(run.starts_with("HTTP/1.1 200"), "{run}");
    assert!(child.try_wait().unwrap().is_none(), "the server stopped");
    child.kill().unwrap();
    let mut err = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut err);
}
