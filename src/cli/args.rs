//! The command line as the user typed it: parsed and validated, nothing read or run yet.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// The seed used when none is given: the date of the Istanbul talks, 2025-05-16.
pub const DEFAULT_SEED: u64 = 20_250_516;

#[derive(Parser, Debug)]
#[command(
    name = "truce",
    version,
    about = "Simulate a war that is fought and negotiated at the same time",
    long_about = "truce runs thousands of stochastic monthly rollouts of a scenario file (actors, issues, \
influence, events) and reports how likely each end state is, by when, on what terms, and why.",
    after_help = "Examples:\n  truce run scenarios/endgame.toml\n  truce run scenarios/fight_and_talk.toml -n 50000 --set actors.us.patience=0.9\n  truce check scenarios/baseline.toml --set negotiation.protocol=stepwise\n  truce graph scenarios/baseline.toml > influence.dot\n\nInstalled with `cargo install --path .` (or run target/release/truce after `cargo build --release`)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario's rollouts and write a run folder (outcomes, curves, charts, manifest)
    #[command(
        after_help = "Examples:\n  truce run scenarios/endgame.toml\n  truce run scenarios/baseline.toml -n 100000 --seed 7 --out output/my_run\n  truce run scenarios/baseline.toml --set actors.us.aid=0 --set 'actors.russia.endurance={uniform=[1,2]}'\n  truce run scenarios/baseline.toml --with examples/my_overrides.toml"
    )]
    Run(RunArgs),
    /// Check a scenario and print its resolved parameters with where each came from
    #[command(
        after_help = "Examples:\n  truce check scenarios/endgame.toml\n  truce check scenarios/baseline.toml --set actors.us.patience=0.9"
    )]
    Check(ScenarioArgs),
    /// Print the influence graph as Graphviz DOT
    #[command(
        after_help = "Example:\n  truce graph scenarios/baseline.toml > influence.dot\n\nTo draw it, use Graphviz (not part of truce; Debian/Ubuntu: apt-get install graphviz):\n  dot -Tsvg influence.dot > influence.svg"
    )]
    Graph(ScenarioArgs),
    /// Put the shards of a run, sweep or sensitivity analysis (`--shard K/N`) together into the
    /// folder one machine writes
    #[command(
        after_help = "Examples:\n  truce run scenarios/endgame.toml -n 100000 --shard 0/2 --out shards/0\n  truce run scenarios/endgame.toml -n 100000 --shard 1/2 --out shards/1\n  truce merge shards/0 shards/1 --out output/endgame\n  truce sweep scenarios/endgame.toml --vary actors.us.pressure=0..0.1:6 --shard 0/2 --out sw/0\n  truce sensitivity scenarios/endgame.toml --shard 1/3 --out sens/1\n\nOn a cluster: deploy/slurm/submit.sh and docs/cluster.md."
    )]
    Merge(MergeArgs),
    /// Write report.html: one self-contained page of a run, comparison or sensitivity folder
    #[command(
        after_help = "Examples:\n  truce report output/endgame\n  truce report output/endgame --lang zh\n  truce report output/baseline --sensitivity output/baseline_sensitivity_settlement\n\nOpen the file in a browser; print it to PDF for an A4 report."
    )]
    Report(ReportArgs),
    /// Explore a scenario in the browser: every parameter a control, results redrawn on change
    #[command(
        after_help = "Examples:\n  truce serve scenarios/endgame.toml\n  truce serve scenarios/baseline.toml --port 8700 -n 20000\n\nOpen the printed URL in a browser; stop the server with Ctrl-C."
    )]
    Serve(ServeArgs),
    /// Redraw every chart of a run folder from its CSV and JSON, without re-running
    #[command(
        after_help = "Examples:\n  truce plot output/endgame --lang zh\n  truce plot output/endgame --size 800x500 --font /usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
    )]
    Plot(PlotArgs),
    /// Tell one rollout month by month: events, offers, decisions, pressure, the front, the end
    #[command(
        after_help = "Examples:\n  truce trace scenarios/endgame.toml --rollout 7\n  truce trace scenarios/fight_and_talk.toml --find ukraine_collapse\n  truce trace scenarios/baseline.toml --rollout 3 --json > rollout3.json"
    )]
    Trace(TraceArgs),
    /// Check the engine against special cases with exact answers (docs/model.md §11)
    #[command(after_help = "Example:\n  truce validate -n 20000")]
    Validate(ValidateArgs),
    /// Fit the battlefield to an observed area series, using only months before the start
    #[command(after_help = "Example:\n  truce calibrate scenarios/baseline.toml --data data/territory_monthly.csv --column econ_km2")]
    Calibrate(CalibrateArgs),
    /// Place an observed path in the scenario's simulated fan (coverage, percentiles, chart), or
    /// score the fan at many origins (--rolling)
    #[command(
        after_help = "Examples:\n  truce backtest scenarios/validation/backtest_2024-05.toml --observed data/territory_monthly.csv\n  truce backtest scenarios/validation/backtest_2024-05.toml --observed data/territory_monthly.csv --rolling -n 2000\n  truce backtest scenarios/validation/backtest_2024-05.toml --observed data/territory_monthly.csv --rolling --trend local-level"
    )]
    Backtest(BacktestArgs),
    /// Measure rollouts per second on one thread and on all (no files written)
    #[command(after_help = "Example:\n  truce bench scenarios/baseline.toml -n 100000")]
    Bench(BenchArgs),
    /// Compare scenarios (or variants of one) side by side on common random numbers
    #[command(
        after_help = "Examples:\n  truce compare scenarios/endgame.toml scenarios/fight_and_talk.toml\n  truce compare scenarios/baseline.toml --variant 'pressure=actors.us.pressure=0.1'\n  truce compare scenarios/baseline.toml --variant noaid=actors.us.aid=0 --variant noaid=actors.europe.aid=0 -n 20000"
    )]
    Compare(CompareArgs),
    /// Run a grid of one or more parameters' values, N rollouts per point, resumable
    #[command(
        after_help = "Examples:\n  truce sweep scenarios/endgame.toml --vary actors.us.pressure=0..0.1:6\n  truce sweep scenarios/baseline.toml --vary actors.us.pressure=0..0.1:6 --vary negotiation.talks_rate=0.2..0.8:4 --metric ceasefire\n  truce sweep scenarios/baseline.toml --vary actors.us.aid=0..2:21 --out output/aid --resume"
    )]
    Sweep(SweepArgs),
    /// Rank the uncertain parameters by their effect on an outcome (tornado, PRCC), or evaluate a design
    #[command(
        after_help = "Examples:\n  truce sensitivity scenarios/endgame.toml\n  truce sensitivity scenarios/fight_and_talk.toml --metric ukraine_collapse -n 10000\n  truce sensitivity scenarios/baseline.toml --design examples/saltelli.csv -n 1000 --out output/design"
    )]
    Sensitivity(SensitivityArgs),
}

#[derive(Args, Debug, Clone)]
pub struct ScenarioArgs {
    /// The scenario file (TOML)
    pub scenario: PathBuf,
    /// Override a parameter: PATH=VALUE (VALUE in TOML: 0.5, "text", true, {uniform=[0.2,0.4]}); repeatable
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Lay a small TOML file of overrides over the scenario; repeatable, applied before --set
    #[arg(long = "with", value_name = "FILE")]
    pub with: Vec<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Number of rollouts
    #[arg(short = 'n', long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub n: u64,
    /// Do not write runs.csv (one row per rollout): for very large N; the summaries, time
    /// series and every chart but the terms chart are written as usual
    #[arg(long)]
    pub no_runs_csv: bool,
    /// Also write report.html, one self-contained page of the run (in the charts' language)
    #[arg(long)]
    pub report: bool,
    /// Run only the K-th of N slices of the rollouts (K from 0) into a partial run folder, for
    /// `truce merge` to put together with the others
    #[arg(long, value_name = "K/N", value_parser = crate::shard::parse_spec)]
    pub shard: Option<(u64, u64)>,
    #[command(flatten)]
    pub run: RunOptions,
}

#[derive(Args, Debug, Clone)]
pub struct MergeArgs {
    /// The shard folders (`--shard K/N` of run, sweep or sensitivity), in any order
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Output folder (default: the one a single run, sweep or analysis would write)
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Do not draw charts
    #[arg(long)]
    pub no_charts: bool,
    /// Also write report.html
    #[arg(long)]
    pub report: bool,
    #[command(flatten)]
    pub charts: ChartArgs,
}

/// How charts are drawn.
#[derive(Args, Debug, Clone)]
pub struct ChartArgs {
    /// Language of chart labels: en or zh
    #[arg(long, default_value = "en", value_parser = ["en", "zh"])]
    pub lang: String,
    /// Chart size in pixels, WIDTHxHEIGHT
    #[arg(long, default_value = "1600x1000", value_parser = parse_size)]
    pub size: (u32, u32),
    /// A font file (.ttf/.otf/.ttc) that covers Chinese, if none is installed
    #[arg(long, value_name = "PATH")]
    pub font: Option<PathBuf>,
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let err = || format!("`{s}` is not a size; write WIDTHxHEIGHT, e.g. 1600x1000");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(err)?;
    Ok((w.trim().parse().map_err(|_| err())?, h.trim().parse().map_err(|_| err())?))
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Rollouts per run (the page can change it)
    #[arg(short = 'n', long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub n: u64,
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Worker threads (default: all cores)
    #[arg(long)]
    pub threads: Option<usize>,
    /// Port to listen on (0: any free one, printed)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Address to listen on; the default takes connections from this machine only
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Where "save as a run folder" writes
    #[arg(long, default_value = "output")]
    pub output: PathBuf,
}

#[derive(Args, Debug, Clone)]
pub struct ReportArgs {
    /// A folder written by `truce run`, `truce compare` or `truce sensitivity`
    pub dir: PathBuf,
    /// Language of the page and its charts: en or zh
    #[arg(long, default_value = "en", value_parser = ["en", "zh"])]
    pub lang: String,
    /// A folder written by `truce sensitivity` whose results the run's report shows too
    #[arg(long, value_name = "DIR")]
    pub sensitivity: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct PlotArgs {
    /// A run folder written by `truce run`
    pub dir: PathBuf,
    #[command(flatten)]
    pub charts: ChartArgs,
}

#[derive(Args, Debug, Clone)]
pub struct BenchArgs {
    /// The scenario file (default: scenarios/baseline.toml)
    #[arg(default_value = "scenarios/baseline.toml")]
    pub scenario: PathBuf,
    /// Number of rollouts per measurement
    #[arg(short = 'n', long, default_value_t = 100_000)]
    pub n: u64,
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
}

#[derive(Args, Debug, Clone)]
pub struct CalibrateArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// CSV with a `month` column (YYYY-MM) and the area column
    #[arg(long)]
    pub data: PathBuf,
    /// The column of Russian-held area (km²)
    #[arg(long, default_value = "econ_km2")]
    pub column: String,
    /// First month of the fit window (default: for `local-level`, 2022-12, the start of the war of
    /// attrition; for `constant`, January of the last full year before the start)
    #[arg(long)]
    pub from: Option<String>,
    /// Last month of the fit window (default: for `local-level`, the month before the start;
    /// for `constant`, December of that year)
    #[arg(long)]
    pub to: Option<String>,
    /// The trend model: `local-level` (a random-walk mean, Kalman maximum likelihood; the
    /// shipped one, chosen by the rolling backtest) or `constant` (a fixed mean with AR(1)
    /// noise, the method of moments)
    #[arg(long, default_value = "local-level", value_parser = ["constant", "local-level"])]
    pub trend: String,
    /// Rollouts for the simulated moments
    #[arg(short = 'n', long, default_value_t = 2_000)]
    pub n: u64,
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
}

#[derive(Args, Debug, Clone)]
pub struct BacktestArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// CSV of the observed path: a `month` column (YYYY-MM) and a column of km² (--column)
    #[arg(long)]
    pub observed: PathBuf,
    /// The column of observed area (the shipped data/territory_monthly.csv calls it econ_km2)
    #[arg(long, default_value = "econ_km2")]
    pub column: String,
    /// Rollouts (per origin with --rolling)
    #[arg(short = 'n', long)]
    pub n: Option<u64>,
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Output folder (default: output/<scenario name>-backtest, or output/<scenario name>-rolling-<trend>)
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// A rolling-origin backtest: at every origin, fit the battlefield on the data before it,
    /// start there from the observed area, and score the observed path (CRPS, PIT, coverage)
    /// against two naive random walks
    #[arg(long)]
    pub rolling: bool,
    /// With --rolling: the first and last origin, FROM:TO
    #[arg(long, default_value = "2023-06:2024-10", requires = "rolling")]
    pub origins: String,
    /// With --rolling: the first month of data any fit or benchmark may use (the war of
    /// attrition the model describes; before it, the invasion and the 2022 counter-offensives)
    #[arg(long, default_value = "2022-12", requires = "rolling")]
    pub fit_from: String,
    /// With --rolling: months between origins
    #[arg(long, default_value_t = 1, requires = "rolling")]
    pub every: u32,
    /// With --rolling: the horizons scored, 1 … H months
    #[arg(long, default_value_t = 12, requires = "rolling")]
    pub horizon: u32,
    /// With --rolling: the trend model fitted at each origin, `constant` or `local-level`
    #[arg(long, default_value = "constant", value_parser = ["constant", "local-level"], requires = "rolling")]
    pub trend: String,
    /// With --rolling: worker threads (default: all cores); results do not depend on it
    #[arg(long, requires = "rolling")]
    pub threads: Option<usize>,
    /// Do not draw charts
    #[arg(long)]
    pub no_charts: bool,
    #[command(flatten)]
    pub charts: ChartArgs,
}

#[derive(Args, Debug, Clone)]
pub struct ValidateArgs {
    /// Rollouts per check
    #[arg(short = 'n', long, default_value_t = 10_000)]
    pub n: u64,
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Folder of the validation scenarios
    #[arg(long, default_value = "scenarios/validation")]
    pub dir: PathBuf,
}

#[derive(Args, Debug, Clone)]
pub struct TraceArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// The rollout index (row `rollout` of runs.csv)
    #[arg(long, conflicts_with = "find")]
    pub rollout: Option<u64>,
    /// Trace the first rollout that ends in this outcome
    #[arg(long, value_name = "OUTCOME")]
    pub find: Option<String>,
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Print the story as JSON
    #[arg(long)]
    pub json: bool,
}

/// What every command that runs rollouts shares: seed, threads, output folder, charts.
#[derive(Args, Debug, Clone)]
pub struct RunOptions {
    /// Master seed; rollout i of every run uses streams derived from (seed, i)
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Worker threads (default: all cores); results do not depend on it
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output folder (default: a folder under output/ named for the scenario or analysis)
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Do not draw charts
    #[arg(long)]
    pub no_charts: bool,
    #[command(flatten)]
    pub charts: ChartArgs,
}

#[derive(Args, Debug, Clone)]
pub struct CompareArgs {
    /// Scenario files; every other one is compared with the first
    #[arg(required = true, value_name = "SCENARIO")]
    pub scenarios: Vec<PathBuf>,
    /// A variant of the first scenario, LABEL=PATH=VALUE; repeat a LABEL to set several values in one variant
    #[arg(long, value_name = "LABEL=PATH=VALUE", value_parser = crate::analysis::compare::parse_variant)]
    pub variant: Vec<(String, String)>,
    /// Override a parameter in every scenario: PATH=VALUE; repeatable
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Lay a TOML file of overrides over every scenario; repeatable, applied before --set
    #[arg(long = "with", value_name = "FILE")]
    pub with: Vec<PathBuf>,
    /// Rollouts per scenario
    #[arg(short = 'n', long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub n: u64,
    #[command(flatten)]
    pub run: RunOptions,
}

#[derive(Args, Debug, Clone)]
pub struct SweepArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// A parameter and its values: PATH=LO..HI:STEPS (STEPS evenly spaced values, both ends included); repeatable
    #[arg(long, required = true, value_name = "PATH=LO..HI:STEPS", value_parser = crate::analysis::grid::Vary::parse)]
    pub vary: Vec<crate::analysis::grid::Vary>,
    /// Rollouts per point
    #[arg(short = 'n', long, default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub n: u64,
    /// The outcome a two-parameter heatmap shows
    #[arg(long, default_value = "settlement", value_parser = parse_metric)]
    pub metric: crate::model::Outcome,
    /// Continue an interrupted sweep in the output folder: keep its finished points, run the rest
    #[arg(long, conflicts_with = "shard")]
    pub resume: bool,
    /// Run only the K-th of N slices of the grid's points (K from 0) into a partial folder, for
    /// `truce merge` to put together with the others
    #[arg(long, value_name = "K/N", value_parser = crate::shard::parse_spec)]
    pub shard: Option<(u64, u64)>,
    #[command(flatten)]
    pub run: RunOptions,
}

#[derive(Args, Debug, Clone)]
pub struct SensitivityArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// The outcome whose probability is analysed
    #[arg(long, default_value = "settlement", value_parser = parse_metric)]
    pub metric: crate::model::Outcome,
    /// Rollouts per run (the tornado makes two runs per uncertain parameter) or per design row
    #[arg(short = 'n', long, default_value_t = 5_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub n: u64,
    /// Evaluate the rows of a CSV design instead (columns: parameter paths), N rollouts each
    #[arg(long, value_name = "FILE.csv")]
    pub design: Option<PathBuf>,
    /// Run only the K-th of N slices (K from 0) of the design's rows, or of the tornado's units
    /// (the scenario as it is, then each uncertain parameter), for `truce merge`
    #[arg(long, value_name = "K/N", value_parser = crate::shard::parse_spec)]
    pub shard: Option<(u64, u64)>,
    #[command(flatten)]
    pub run: RunOptions,
}

fn parse_metric(s: &str) -> Result<crate::model::Outcome, String> {
    crate::analysis::parse_metric(s).map_err(|e| e.0)
}
