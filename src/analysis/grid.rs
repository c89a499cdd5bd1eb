//! `--vary PATH=LO..HI:STEPS`: reading the flag (syntax only, no scenario needed) and building
//! the grid of points a sweep runs, after checking each path against the scenario.

use serde::{Deserialize, Serialize};

use super::InputError;
use super::hold::Base;

/// Sweeps with more points than this get a warning about their size.
pub const LARGE_GRID: usize = 400;

/// One `--vary` as typed: `STEPS` evenly spaced values from `LO` to `HI`, both included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vary {
    pub path: String,
    pub lo: f64,
    pub hi: f64,
    pub steps: usize,
}

impl Vary {
    /// Parses `PATH=LO..HI:STEPS` (the value parser of `--vary`).
    pub fn parse(text: &str) -> Result<Vary, String> {
        let form = "write PATH=LO..HI:STEPS, e.g. --vary actors.us.pressure=0..0.1:6";
        let (path, range) = text.split_once('=').ok_or_else(|| format!("`{text}` has no `=`; {form}"))?;
        let path = path.trim();
        if path.is_empty() || path.split('.').any(str::is_empty) {
            return Err(format!("`{path}` is not a parameter path; {form}"));
        }
        let (bounds, steps) = range.rsplit_once(':').ok_or_else(|| format!("`{range}` gives no number of steps (`:STEPS`); {form}"))?;
        let (lo, hi) = bounds.split_once("..").ok_or_else(|| format!("`{bounds}` is not a range LO..HI; {form}"))?;
        let number = |s: &str, what: &str| -> Result<f64, String> {
            s.trim().parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| format!("{what} `{}` is not a number; {form}", s.trim()))
        };
        let (lo, hi) = (number(lo, "LO")?, number(hi, "HI")?);
        let steps: usize = steps.trim().parse().map_err(|_| format!("STEPS `{}` is not a whole number; {form}", steps.trim()))?;
        if lo == hi {
            return Err(format!("LO and HI are both {lo}; a sweep needs a range, e.g. {path}={lo}..{}:{steps}", lo + 1.0));
        }
        if lo > hi {
            return Err(format!("LO must be below HI, got {lo}..{hi}; write {path}={hi}..{lo}:{steps}"));
        }
        if steps < 2 {
            return Err(format!("STEPS must be at least 2 (the two ends), got {steps}"));
        }
        Ok(Vary { path: path.to_string(), lo, hi, steps })
    }

    /// The values, LO and HI included, rounded to 12 significant digits so that 0.1 + 0.2 reads
    /// as 0.3 in file names, tables and `--set`.
    pub fn values(&self) -> Vec<f64> {
        (0..self.steps)
            .map(|k| {
                let v = self.lo + (self.hi - self.lo) * k as f64 / (self.steps - 1) as f64;
                tidy(v)
            })
            .collect()
    }
}

/// `v` rounded to 12 significant digits.
pub fn tidy(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    format!("{v:.11e}").parse().unwrap_or(v)
}

/// The points of a sweep: every combination of the `--vary` values, the first `--vary`
/// changing slowest.
#[derive(Debug, Clone)]
pub struct Grid {
    pub varies: Vec<Vary>,
    pub points: Vec<Vec<f64>>,
}

impl Grid {
    /// The default folder of a sweep of this grid: `<scenario>_sweep_<path>=<lo>..<hi>x<steps>`,
    /// one part per `--vary` joined by `_`, so two grids never share a folder; a grid too long
    /// for a folder name is named by eight hex digits of its SHA-256 instead.
    pub fn folder_name(&self, scenario: &str) -> String {
        let parts: Vec<String> = self.varies.iter().map(|v| format!("{}={}..{}x{}", v.path, v.lo, v.hi, v.steps)).collect();
        let grid = parts.join("_");
        if grid.len() <= 120 {
            format!("{scenario}_sweep_{grid}")
        } else {
            format!("{scenario}_sweep_{}", crate::files::short_key(grid.as_bytes()))
        }
    }

    /// Checks every path and both ends against the scenario, then lists the points.
    pub fn new(base: &Base, varies: &[Vary]) -> Result<Grid, InputError> {
        if varies.is_empty() {
            return Err(InputError("give at least one --vary PATH=LO..HI:STEPS".into()));
        }
        for (i, v) in varies.iter().enumerate() {
            if varies[..i].iter().any(|w| w.path == v.path) {
                return Err(InputError(format!("--vary {}: this path is varied twice; give each parameter once", v.path)));
            }
            let index = base.numeric_param("--vary", &v.path)?;
            // Every grid value: a setting takes only the indices of its choices.
            for x in [v.lo, v.hi].into_iter().chain(v.values()) {
                base.check_value(&format!("--vary {}", v.path), index, x)?;
            }
        }
        let mut points: Vec<Vec<f64>> = vec![vec![]];
        for v in varies {
            let values = v.values();
            points = points.iter().flat_map(|p| values.iter().map(move |&x| [p.as_slice(), &[x]].concat())).collect();
        }
        Ok(Grid { varies: varies.to_vec(), points })
    }

    pub fn paths(&self) -> Vec<String> {
        self.varies.iter().map(|v| v.path.clone()).collect()
    }

    /// The settings of point `i` as (path, value) pairs.
    pub fn held(&self, i: usize) -> Vec<(String, f64)> {
        self.varies.iter().map(|v| v.path.clone()).zip(self.points[i].iter().copied()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_form() {
        let v = Vary::parse("actors.us.pressure=0..0.1:6").unwrap();
        assert_eq!(v, Vary { path: "actors.us.pressure".into(), lo: 0.0, hi: 0.1, steps: 6 });
        assert_eq!(v.values(), vec![0.0, 0.02, 0.04, 0.06, 0.08, 0.1]);
        assert_eq!(Vary::parse("a.b=-1..1:3").unwrap().values(), vec![-1.0, 0.0, 1.0]);
    }

    #[test]
    fn says_what_is_wrong() {
        let err = |s: &str| Vary::parse(s).unwrap_err();
        assert!(err("actors.us.pressure").contains("no `=`"));
        assert!(err("actors.us.pressure=0..1").contains("STEPS"));
        assert!(err("actors.us.pressure=0-1:3").contains("not a range"));
        assert!(err("actors.us.pressure=a..1:3").contains("LO `a` is not a number"));
        assert!(err("actors.us.pressure=1..0:3").contains("actors.us.pressure=0..1:3"));
        assert!(err("actors.us.pressure=0..1:1").contains("at least 2"));
        assert!(err("actors.us.pressure=0..1:x").contains("whole number"));
        assert!(err("actors..x=0..1:3").contains("not a parameter path"));
        assert!(err("actors.us.pressure=0.5..0.5:3").contains("both 0.5"));
        assert!(err("=0..1:3").contains("not a parameter path"));
    }

    #[test]
    fn tidy_rounds_to_twelve_significant_digits() {
        assert_eq!(tidy(0.1 + 0.2), 0.3);
        assert_eq!(tidy(-(0.1 + 0.2)), -0.3);
        assert_eq!(tidy(123_456.789_012_345_6), 123_456.789_012);
        assert_eq!(tidy(0.0), 0.0);
        assert!(tidy(f64::NAN).is_nan());
        assert_eq!(tidy(f64::INFINITY), f64::INFINITY);
    }

    fn base() -> Base {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
        Base::load(&file, &crate::scenario::Overrides::default()).expect("the shipped baseline loads")
    }

    /// Every combination of the values, the first `--vary` slowest; `held` pairs each point
    /// with its paths.
    #[test]
    fn the_grid_lists_every_combination_first_vary_slowest() {
        let us = Vary::parse("actors.us.pressure=0..0.1:3").unwrap();
        let eu = Vary::parse("actors.europe.pressure=0.01..0.02:2").unwrap();
        let grid = Grid::new(&base(), &[us, eu]).unwrap();
        let want = [[0.0, 0.01], [0.0, 0.02], [0.05, 0.01], [0.05, 0.02], [0.1, 0.01], [0.1, 0.02]];
        assert_eq!(grid.points, want.iter().map(|p| p.to_vec()).collect::<Vec<_>>());
        assert_eq!(grid.paths(), ["actors.us.pressure", "actors.europe.pressure"]);
        assert_eq!(grid.held(3), [("actors.us.pressure".to_string(), 0.05), ("actors.europe.pressure".to_string(), 0.02)]);
    }

    #[test]
    fn a_grid_refuses_what_the_scenario_cannot_take() {
        let b = base();
        let msg = |v: &[&str]| {
            let varies: Vec<Vary> = v.iter().map(|t| Vary::parse(t).unwrap()).collect();
            Grid::new(&b, &varies).unwrap_err().0
        };
        assert!(msg(&[]).contains("at least one --vary"));
        let twice = msg(&["actors.us.pressure=0..0.1:3", "actors.us.pressure=0..0.2:3"]);
        assert!(twice.contains("varied twice"), "{twice}");
        // An end outside the parameter's range (a pressure is not negative).
        let out = msg(&["actors.us.pressure=-1..0:3"]);
        assert!(out.contains("actors.us.pressure = -1 is out of range"), "{out}");
        // A value between a setting's choices.
        let between = msg(&["battlefield.model=0..1:3"]);
        assert!(between.contains("battlefield.model = 0.5 is not a choice"), "{between}");
    }

    /// `<scenario>_sweep_<path>=<lo>..<hi>x<steps>`, joined by `_`; past 120 characters of grid
    /// the first eight hex digits of the grid text's SHA-256.
    #[test]
    fn a_folder_is_named_after_its_grid() {
        let v = |t: &str| Vary::parse(t).unwrap();
        let short = Grid { varies: vec![v("actors.us.pressure=0..0.1:6"), v("a.b=1..2:3")], points: vec![] };
        assert_eq!(short.folder_name("baseline"), "baseline_sweep_actors.us.pressure=0..0.1x6_a.b=1..2x3");
        let long_path = format!("actors.{}.pressure", "x".repeat(110));
        let long = Grid { varies: vec![v(&format!("{long_path}=0..1:2"))], points: vec![] };
        let text = format!("{long_path}=0..1x2");
        assert!(text.len() > 120);
        assert_eq!(long.folder_name("baseline"), format!("baseline_sweep_{}", crate::files::short_key(text.as_bytes())));
        // Exactly 120 characters still spell the grid.
        let edge_path = format!("a.{}", "y".repeat(120 - 2 - "=0..1x2".len()));
        let edge = Grid { varies: vec![v(&format!("{edge_path}=0..1:2"))], points: vec![] };
        assert_eq!(edge.folder_name("s"), format!("s_sweep_{edge_path}=0..1x2"));
    }
}
