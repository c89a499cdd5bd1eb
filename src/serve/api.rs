//! The explorer's JSON API: the scenario's controls, a run, a comparison with the file's values
//! on common random numbers, the `--with` file of a tweak, and saving a tweak as a run folder.

use serde_json::{Value, json};

use super::{Explorer, MAX_N, Response};
use crate::analysis::compare::Comparison;
use crate::analysis::outcome_index;
use crate::analysis::tally::Tally;
use crate::error::Result;
use crate::model::Model;
use crate::pipeline::RunSpec;
use crate::scenario::dist::Shape;
use crate::scenario::{Param, ParamValue};

/// A tweak as the page sends it: the `--set`s it amounts to, and how to run it.
#[derive(Debug, Clone)]
pub struct Request {
    pub sets: Vec<String>,
    pub n: u64,
    pub seed: u64,
}

impl Request {
    /// Reads `{"sets": ["PATH=VALUE", …], "n": N, "seed": S}`; `n` and `seed` default to the
    /// server's. What is wrong is said in words the page shows.
    pub fn parse(body: &[u8], ex: &Explorer) -> std::result::Result<Request, String> {
        let v: Value = serde_json::from_slice(body).map_err(|e| format!("the request is not JSON: {e}"))?;
        let sets = match &v["sets"] {
            Value::Null => Vec::new(),
            Value::Array(a) => a
                .iter()
                .map(|s| s.as_str().map(str::to_string).ok_or_else(|| format!("`sets` must hold texts PATH=VALUE, found {s}")))
                .collect::<std::result::Result<Vec<_>, _>>()?,
            other => return Err(format!("`sets` must be a list of PATH=VALUE, found {other}")),
        };
        let whole = |key: &str, default: u64| match &v[key] {
            Value::Null => Ok(default),
            x => x.as_u64().ok_or_else(|| format!("`{key}` must be a whole number ≥ 0, found {x}")),
        };
        let n = whole("n", ex.n)?;
        if n == 0 || n > MAX_N {
            return Err(format!("-n {n}: give 1 to {MAX_N} rollouts"));
        }
        Ok(Request { sets, n, seed: whole("seed", ex.seed)? })
    }
}

/// Where a parameter is shown: its actor, or its section.
fn group(path: &str) -> String {
    let mut parts = path.split('.');
    match (parts.next(), parts.next()) {
        (Some("actors"), Some(id)) => format!("actors.{id}"),
        (Some(first), _) => first.to_string(),
        _ => String::new(),
    }
}

/// A distribution as the page's editor shows it: its shape's name and numbers.
fn shape_of(p: &Param) -> Value {
    let ParamValue::Dist(d) = &p.value else { return Value::Null };
    let (name, args): (&str, Vec<f64>) = match &d.shape {
        Shape::Uniform { lo, hi } => ("uniform", vec![*lo, *hi]),
        Shape::Triangular { lo, mode, hi } => ("triangular", vec![*lo, *mode, *hi]),
        Shape::Normal { mean, sd } => ("normal", vec![*mean, *sd]),
        Shape::Beta { a, b } => ("beta", vec![*a, *b]),
        Shape::LogNormal { mu, sigma } => ("lognormal", vec![*mu, *sigma]),
        Shape::Choice { .. } => return json!({ "name": "choice" }),
    };
    json!({ "name": name, "args": args, "clamp": d.clamp.map(|(lo, hi)| vec![lo, hi]) })
}

/// The scenario's controls: every parameter with its value, range, unit, meaning and source.
pub fn describe(ex: &Explorer) -> Value {
    let sc = &ex.base;
    let finite = |x: f64| if x.is_finite() { json!(x) } else { Value::Null };
    let params: Vec<Value> = sc
        .params
        .iter()
        .map(|p| {
            let kind = match (&p.value, p.names) {
                (ParamValue::Dist(_), _) => "distribution",
                (ParamValue::Fixed(_), Some(_)) => "setting",
                (ParamValue::Fixed(_), None) => "number",
            };
            json!({
                "path": p.path,
                "group": group(&p.path),
                "kind": kind,
                "value": p.display_value(),
                "number": match p.value { ParamValue::Fixed(v) => json!(v), ParamValue::Dist(_) => Value::Null },
                "shape": shape_of(p),
                "choices": p.names,
                "min": finite(p.min),
                "max": finite(p.max),
                "unit": p.unit,
                "doc": p.doc,
                "source": sc.place(&p.origin),
                "comment": sc.comment(&p.origin),
            })
        })
        .collect();
    let actors: Vec<Value> = sc.actors.iter().map(|a| json!({ "id": a.id, "name": a.name })).collect();
    json!({
        "name": sc.name,
        "title": sc.title,
        "description": sc.description,
        "file": ex.file.display().to_string(),
        "base_sets": ex.base_sets,
        "n": ex.n,
        "seed": ex.seed,
        "max_n": MAX_N,
        "actors": actors,
        "shapes": crate::scenario::dist::SHAPES,
        "outcomes": crate::model::Outcome::NAMES.iter().map(|n| json!([n, crate::charts::labels(crate::charts::Lang::En).outcome(n)])).collect::<Vec<_>>(),
        "params": params,
    })
}

/// A word of a command line, quoted for a POSIX shell when it needs it.
fn shell_word(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "_-./=:+,@%".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The `truce run` command that gives the same answer as the page.
pub fn command(ex: &Explorer, r: &Request) -> String {
    let mut words = vec!["truce".to_string(), "run".to_string(), shell_word(&ex.file.display().to_string())];
    words.extend(["-n".to_string(), r.n.to_string(), "--seed".to_string(), r.seed.to_string()]);
    for w in &ex.withs {
        words.extend(["--with".to_string(), shell_word(&w.display().to_string())]);
    }
    for s in ex.base_sets.iter().chain(&r.sets) {
        words.extend(["--set".to_string(), shell_word(s)]);
    }
    words.join(" ")
}

fn spec(ex: &Explorer, r: &Request) -> RunSpec {
    RunSpec { n: r.n, seed: r.seed, threads: ex.threads }
}

/// One run of the tweak: the report the command line would write as summary.json.
pub fn run(ex: &Explorer, r: &Request) -> Result<Response> {
    let scenario = ex.resolve(&r.sets)?;
    let warnings = scenario.warnings.clone();
    let model = Model::new(scenario);
    let result = crate::pipeline::execute(&model, &spec(ex, r), |_| Ok(()), |_| {})?;
    Ok(Response::json(
        200,
        &json!({ "ok": true, "report": result.report, "command": command(ex, r), "seconds": result.seconds, "warnings": warnings }),
    ))
}

/// Each rollout's outcome (as an index into `Outcome::ALL`) for `sets`.
fn outcomes(ex: &Explorer, sets: &[String], r: &Request) -> Result<Tally> {
    let model = Model::new(ex.resolve(sets)?);
    let mut outcomes = Vec::with_capacity(r.n as usize);
    crate::pipeline::execute(
        &model,
        &spec(ex, r),
        |chunk| {
            outcomes.extend(chunk.records.iter().map(|rec| outcome_index(rec.outcome) as u8));
            Ok(())
        },
        |_| {},
    )?;
    Ok(Tally { outcomes, ceasefire_at: vec![], drawn: vec![], width: 0 })
}

/// The tweak against the file's values, rollout by rollout on the same streams: each
/// outcome's share in both and the paired difference, as `truce compare` gives it.
pub fn compare(ex: &Explorer, r: &Request) -> Result<Response> {
    let tallies = [outcomes(ex, &[], r)?, outcomes(ex, &r.sets, r)?];
    let cmp = Comparison::new(vec!["file".to_string(), "tweak".to_string()], &tallies, r.seed);
    Ok(Response::json(200, &json!({ "ok": true, "rows": cmp.rows(), "command": command(ex, r) })))
}

/// The tweak as a `--with` file (dotted keys, one line per parameter, the last value of a path
/// kept), checked first so that the file loads.
pub fn overrides(ex: &Explorer, r: &Request) -> Response {
    if let Err(e) = ex.resolve(&r.sets) {
        return Response::problem(422, &e.to_string());
    }
    let mut lines: Vec<(String, String)> = Vec::new();
    for s in ex.base_sets.iter().chain(&r.sets) {
        let Some((path, value)) = s.split_once('=') else { continue };
        let (path, value) = (path.trim().to_string(), value.trim().to_string());
        match lines.iter_mut().find(|(p, _)| *p == path) {
            Some(line) => line.1 = value,
            None => lines.push((path, value)),
        }
    }
    let mut text = format!(
        "# Overrides made in `truce serve` for {}.\n# Use with: truce run {} --with THIS_FILE -n {} --seed {}\n",
        ex.base.name,
        ex.file.display(),
        r.n,
        r.seed
    );
    for (path, value) in lines {
        text.push_str(&format!("{path} = {value}\n"));
    }
    Response {
        status: 200,
        content_type: "application/toml; charset=utf-8",
        body: text.into_bytes(),
        download: Some(format!("{}-overrides.toml", ex.base.name)),
    }
}

/// Saves the tweak as a run folder, as `truce run` with the same `--set`s would write it.
pub fn save(ex: &Explorer, r: &Request) -> Result<Response> {
    let model = Model::new(ex.resolve(&r.sets)?);
    let out = ex.output.join(&model.scenario.name);
    let charts = crate::charts::ChartOptions::default();
    let mut pending = crate::pipeline::Pending::create(&model, r.n, r.seed, &out, true)?;
    let result = pending.execute(&model, &spec(ex, r), |_| {}, |_| {})?;
    pending.with_report(charts.lang);
    let written = pending.finish(&model, &result, Some(&charts))?;
    Ok(Response::json(200, &json!({ "ok": true, "path": written.path.display().to_string(), "command": command(ex, r) })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_for_the_shell_only_when_needed() {
        assert_eq!(shell_word("actors.us.aid=0.5"), "actors.us.aid=0.5");
        assert_eq!(shell_word("negotiation.protocol=\"stepwise\""), "'negotiation.protocol=\"stepwise\"'");
        assert_eq!(shell_word("a={ uniform = [1, 2] }"), "'a={ uniform = [1, 2] }'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
    }

    #[test]
    fn parameters_are_grouped_by_actor_or_section() {
        assert_eq!(group("actors.us.patience"), "actors.us");
        assert_eq!(group("actors.us.ideal.nato"), "actors.us");
        assert_eq!(group("battlefield.gain_mean"), "battlefield");
        assert_eq!(group("issues.nato.status_quo"), "issues");
    }
}
