//! A scenario with some parameters held at given values: a sweep point, one end of a tornado
//! bar, one row of a design.
//!
//! The values go through the loader as extra `--set PATH=VALUE`, so they are checked like any
//! override. A parameter that the scenario draws (a distribution) is then given back its
//! distribution, clamped to the value: its draw still uses the same random numbers, so every other
//! uncertain parameter of rollout i gets the same draw as in the unchanged scenario. A plain
//! `--set` would make the parameter fixed, and the uncertain parameters after it would take
//! their draws from shifted positions of the stream, weakening common random numbers.

use std::path::{Path, PathBuf};

use crate::scenario::dist::Dist;
use crate::scenario::{self, Overrides, ParamValue, Scenario, ScenarioError, diag};

use super::InputError;

/// The scenario as the user gave it (file, `--with`, `--set`), to derive held variants from.
#[derive(Debug, Clone)]
pub struct Base {
    pub file: PathBuf,
    pub overrides: Overrides,
    pub scenario: Scenario,
}

impl Base {
    pub fn load(file: &Path, overrides: &Overrides) -> Result<Base, ScenarioError> {
        let scenario = scenario::load(file, overrides)?;
        Ok(Base { file: file.to_path_buf(), overrides: overrides.clone(), scenario })
    }

    /// The index of the numeric parameter `path`, or a message for `flag` (e.g. `--vary`) that
    /// says why it cannot be varied and what is close.
    pub fn numeric_param(&self, flag: &str, path: &str) -> Result<usize, InputError> {
        let sc = &self.scenario;
        if let Some(i) = sc.param_index(path) {
            // A setting (a choice between names) is held by the index of its choice.
            return Ok(i);
        }
        if sc.settings.iter().any(|s| s.path == path) {
            return Err(InputError(format!(
                "{flag} {path}: `{path}` is a text setting, not a number; compare settings with `truce compare --variant`"
            )));
        }
        let paths = sc.params.iter().filter(|p| p.names.is_none()).map(|p| p.path.as_str());
        let hint = match diag::nearest(path, paths) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("`truce check {}` lists every parameter path", self.file.display()),
        };
        Err(InputError(format!("{flag} {path}: `{}` has no parameter `{path}`; {hint}", sc.name)))
    }

    /// Checks that `value` lies in the range of parameter `index`.
    pub fn check_value(&self, flag: &str, index: usize, value: f64) -> Result<(), InputError> {
        let p = &self.scenario.params[index];
        if let Some(names) = p.names
            && (value.fract() != 0.0 || value < 0.0 || value as usize >= names.len())
        {
            let listed: Vec<String> = names.iter().enumerate().map(|(k, n)| format!("{k} = {n}")).collect();
            return Err(InputError(format!(
                "{flag}: {} = {} is not a choice; `{}` is a setting, given by the index of its choice ({})",
                p.path,
                scenario::format_number(value),
                p.path,
                listed.join(", ")
            )));
        }
        if !value.is_finite() || value < p.min || value > p.max {
            return Err(InputError(format!(
                "{flag}: {} = {} is out of range; `{}` must be in [{}, {}]",
                p.path,
                scenario::format_number(value),
                p.path,
                scenario::format_number(p.min),
                scenario::format_number(p.max)
            )));
        }
        Ok(())
    }

    /// The scenario with each `(path, value)` of `held` in force (see the module comment).
    pub fn at(&self, held: &[(String, f64)]) -> Result<Scenario, ScenarioError> {
        let mut overrides = self.overrides.clone();
        overrides.sets.extend(held.iter().map(
            |(path, v)| match self.scenario.param_index(path).and_then(|i| self.scenario.params[i].names) {
                Some(names) => format!("{path}=\"{}\"", names.get(*v as usize).copied().unwrap_or("?")),
                None => format!("{path}={v:?}"),
            },
        ));
        let mut sc = scenario::load(&self.file, &overrides)?;
        for (path, _) in held {
            let (Some(i), Some(j)) = (self.scenario.param_index(path), sc.param_index(path)) else { continue };
            if let ParamValue::Dist(d) = &self.scenario.params[i].value {
                let v = sc.params[j].central();
                sc.params[j].value = ParamValue::Dist(Dist { shape: d.shape.clone(), clamp: Some((v, v)) });
            }
        }
        Ok(sc)
    }
}

/// The `p`-quantile (0–1) of the parameter's distribution, estimated from `draws` draws with a
/// generator keyed by `seed` and the parameter's index; draws are clamped to the parameter's
/// range as in a rollout. Linear interpolation between order statistics.
pub fn quantiles(sc: &Scenario, index: usize, qs: &[f64], draws: usize, seed: u64) -> Option<Vec<f64>> {
    use rand::SeedableRng;
    use rand::rngs::ChaCha8Rng;
    let p = &sc.params[index];
    let ParamValue::Dist(d) = &p.value else { return None };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index as u64);
    let mut v: Vec<f64> = (0..draws.max(1)).map(|_| d.sample(&mut rng, p.min, p.max)).collect();
    v.sort_by(f64::total_cmp);
    Some(qs.iter().map(|&q| empirical_quantile(&v, q)).collect())
}

/// The `q`-quantile of sorted values (type 7 of Hyndman & Fan: linear between order statistics).
pub fn empirical_quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, frac) = (h.floor() as usize, h - h.floor());
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + frac * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_interpolates() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(empirical_quantile(&v, 0.0), 1.0);
        assert_eq!(empirical_quantile(&v, 0.5), 3.0);
        assert!((empirical_quantile(&v, 0.1) - 1.4).abs() < 1e-12);
        assert_eq!(empirical_quantile(&v, 1.0), 5.0);
    }
}
