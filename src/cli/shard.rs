//! `truce run … --shard K/N` and `truce merge`: a run split across machines and put back
//! together into the folder one machine writes (`crate::shard`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::args::{MergeArgs, RunArgs};
use super::{InputError, chart_options, finish_run, load, print_report, progress, threads};
use crate::error::Result;
use crate::model::Model;
use crate::output::{self, RunFolder, ShardInfo};
use crate::pipeline::{Pending, RunSpec};
use crate::shard::{self, Identity, Part, ShardFile};
use crate::summary::Summary;

/// Runs shard `k` of `of` of the run `a` describes into its partial run folder.
pub(super) fn run_shard(a: &RunArgs, k: u64, of: u64) -> Result<()> {
    if a.report {
        return Err(InputError("--report makes the page of a whole run: give it to `truce merge` instead of each shard".into()).into());
    }
    let scenario = load(&a.scenario)?;
    for w in &scenario.warnings {
        eprintln!("warning: {w}");
    }
    let model = Model::new(scenario);
    let threads = threads(a.run.threads)?;
    let (first, len) = shard::slice(a.n, k, of);
    let out = a.run.out.clone().unwrap_or_else(|| PathBuf::from("output").join(format!("{}.shard-{k}-of-{of}", model.scenario.name)));
    let mut folder = RunFolder::create(&out, &model, !a.no_runs_csv)?;
    let spec = RunSpec { n: len, seed: a.run.seed, threads };
    let bar = progress(len, "shard");
    let done = crate::pipeline::summarise_slice(&model, &spec, first, |chunk| folder.add(&model, chunk), |d| bar.set_position(d));
    bar.finish_and_clear();
    let (summary, seconds) = done?;
    let info = ShardInfo { k, of, first, n: len, threads, wall_seconds: seconds, host: shard::host() };
    let mut manifest = output::manifest(&model, a.run.seed, a.n, threads, seconds);
    manifest.shard = Some(info.clone());
    let identity = Identity {
        truce_version: env!("CARGO_PKG_VERSION").to_string(),
        name: model.scenario.name.clone(),
        scenario: manifest.scenario.clone(),
        files: manifest.files.clone(),
        overrides: manifest.overrides.clone(),
        seed: a.run.seed,
        n: a.n,
        shards: of,
        runs_csv: !a.no_runs_csv,
    };
    folder.write_json(shard::FILE, &ShardFile { identity, shard: info, summary: summary.state() })?;
    folder.write_json("manifest.json", &manifest)?;
    let path = folder.finish()?;
    println!("shard {k}/{of}: rollouts {first}..{} of {} in {seconds:.1} s; written to {}", first + len, a.n, path.display());
    Ok(())
}

/// `truce merge DIR… --out DIR`.
pub(super) fn merge(a: &MergeArgs) -> Result<()> {
    let started = Instant::now();
    let parts = shard::check(a.dirs.iter().map(|d| Part::read(d)).collect::<Result<Vec<_>>>()?)?;
    let id = parts[0].file.identity.clone();
    if id.truce_version != env!("CARGO_PKG_VERSION") {
        return Err(InputError(format!(
            "the shards were made by truce {}, this is truce {}\n  help: merge with the version that ran them, or run them again",
            id.truce_version,
            env!("CARGO_PKG_VERSION")
        ))
        .into());
    }
    let scenario = crate::scenario::load(Path::new(&id.scenario), &shard::overrides_of(&id.overrides))?;
    let model = Model::new(scenario);
    let here = output::manifest(&model, id.seed, id.n, 1, 0.0).files;
    if here != id.files {
        let changed = here.iter().find(|f| !id.files.contains(f)).map_or_else(|| id.scenario.clone(), |f| f.path.clone());
        return Err(InputError(format!(
            "`{changed}` is not the file the shards ran (its SHA-256 differs, or the files are not the same)\n  help: merge in the folder the shards ran in, with the scenario files as they were"
        ))
        .into());
    }
    let mut summary = Summary::new(&model);
    for p in &parts {
        summary
            .absorb(&p.file.summary)
            .map_err(|e| InputError(format!("{}: {e}\n  help: run that shard again", p.dir.join(shard::FILE).display())))?;
    }
    let chart_opts = chart_options(&a.charts);
    let charts = (!a.no_charts).then_some(&chart_opts);
    if let Some(o) = charts {
        crate::charts::check_options(o)?;
    }
    let out = a.out.clone().unwrap_or_else(|| PathBuf::from("output").join(&model.scenario.name));
    let mut pending = Pending::create(&model, id.n, id.seed, &out, id.runs_csv)?;
    if id.runs_csv {
        for p in &parts {
            let rows = pending.append_runs(&model, &p.dir.join("runs.csv"))?;
            if rows != p.file.shard.n {
                return Err(InputError(format!(
                    "{}: {rows} rows, but shard {}/{} ran {} rollouts\n  help: run that shard again",
                    p.dir.join("runs.csv").display(),
                    p.file.shard.k,
                    p.file.shard.of,
                    p.file.shard.n
                ))
                .into());
            }
        }
    }
    let spec = RunSpec { n: id.n, seed: id.seed, threads: parts[0].file.shard.threads };
    let result = crate::pipeline::result_of(&model, &spec, summary, started.elapsed().as_secs_f64())?;
    pending.with_shards(parts.iter().map(|p| p.file.shard.clone()).collect());
    if a.report {
        pending.with_report(chart_opts.lang);
    }
    let path = finish_run(pending, &model, &result, charts)?;
    let mut stdout = std::io::stdout().lock();
    print_report(&mut stdout, &model, &result.report)?;
    writeln!(stdout, "\n{} shards, {} rollouts, merged; written to {}", parts.len(), id.n, path.display())?;
    Ok(())
}
