//! A scenario with some parameters held at given values: a sweep point, one end of a tornado
//! bar, one row of a design.
//!
//! The variant is made in memory from the resolved scenario, not by loading the files again: each
//! value is checked against its parameter's range as a `--set PATH=VALUE` would be, and the values
//! together against the checks of values that must hold together. A parameter that the scenario
//! draws (a distribution) keeps its distribution, clamped to the value, so it stays among the
//! uncertain parameters a run records, at the held value in every rollout. Every other uncertain
//! parameter of rollout i draws from its own stream (keyed by its path), so it gets the same
//! value as in the unchanged scenario: common random numbers.

use std::path::{Path, PathBuf};

use crate::scenario::dist::Dist;
use crate::scenario::{self, Origin, Overrides, ParamValue, Scenario, ScenarioError, diag};

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

    /// The scenario with each `(path, value)` of `held` in force (see the module comment),
    /// made in memory from the resolved scenario: each value is checked against its range as
    /// `--set` would be (`flag` names the option in the message), and the values together
    /// against the checks of values that must hold together.
    pub fn at(&self, flag: &str, held: &[(String, f64)]) -> crate::error::Result<Scenario> {
        let mut sc = self.scenario.clone();
        for (path, v) in held {
            let i = self.numeric_param(flag, path)?;
            self.check_value(flag, i, *v)?;
            let p = &mut sc.params[i];
            let written = match p.names {
                Some(names) => format!("{path}=\"{}\"", names[*v as usize]),
                None => format!("{path}={v:?}"),
            };
            p.value = match &self.scenario.params[i].value {
                ParamValue::Dist(d) => ParamValue::Dist(Dist { shape: d.shape.clone(), clamp: Some((*v, *v)) }),
                ParamValue::Fixed(_) => ParamValue::Fixed(*v),
            };
            p.origin = Origin::Set(written);
        }
        let problems = sc.joint_problems();
        if !problems.is_empty() {
            return Err(ScenarioError::new(problems, &sc.sources).into());
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
    Some(qs.iter().map(|&q| crate::stats::sample_quantile(&v, q)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;

    fn baseline() -> Base {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
        Base::load(&path, &Overrides::default()).expect("the baseline loads")
    }

    /// Held in memory, a fixed parameter is what `--set` makes of it, and a drawn one keeps its
    /// distribution clamped to the value; every other parameter is untouched.
    #[test]
    fn a_held_value_is_the_value_set_in_the_files() {
        let base = baseline();
        let (fixed, drawn) = ("actors.us.pressure", "actors.russia.endurance");
        assert!(!base.scenario.param(fixed).unwrap().is_uncertain() && base.scenario.param(drawn).unwrap().is_uncertain());
        // The baseline draws its protocol too: index 0 of its names is "package".
        let setting = "negotiation.protocol";
        let held = base.at("--vary", &[(fixed.into(), 0.07), (drawn.into(), 1.4), (setting.into(), 0.0)]).unwrap();
        let sets = vec![format!("{fixed}=0.07"), format!("{drawn}=1.4"), format!("{setting}=\"package\"")];
        let loaded = scenario::load(&base.file, &Overrides { sets, withs: vec![] }).unwrap();
        for (h, l) in held.params.iter().zip(&loaded.params) {
            assert_eq!(h.path, l.path);
            if h.path == drawn || h.path == setting {
                let ParamValue::Dist(d) = &h.value else { panic!("{} lost its distribution", h.path) };
                let v = l.central();
                assert_eq!(d.clamp, Some((v, v)), "{}", h.path);
                assert!(!l.is_uncertain());
            } else {
                assert_eq!(h.central(), l.central(), "{}", h.path);
                assert_eq!(h.is_uncertain(), l.is_uncertain(), "{}", h.path);
            }
        }
        assert_eq!(loaded.param(setting).unwrap().central(), 0.0);
        assert_eq!(loaded.param(drawn).unwrap().central(), 1.4);
        // The clamped draws stay among the uncertain parameters, so the others keep their streams.
        let (mh, ml) = (Model::new(held), Model::new(loaded));
        assert_eq!(mh.uncertain.len(), ml.uncertain.len() + 2);
    }

    #[test]
    fn held_values_are_checked_alone_and_together() {
        let base = baseline();
        let e = base.at("--vary", &[("actors.us.patience".into(), 1.5)]).unwrap_err().to_string();
        assert!(e.starts_with("--vary: actors.us.patience = 1.5 is out of range"), "{e}");
        let e = base.at("--vary", &[("actors.us.patiense".into(), 0.5)]).unwrap_err().to_string();
        assert!(e.contains("has no parameter `actors.us.patiense`; did you mean `actors.us.patience`?"), "{e}");
        let e = base.at("--design row 3", &[("territory.start_km2".into(), 200_000.0)]).unwrap_err().to_string();
        assert!(e.contains("`territory.start_km2` = 200000 can exceed `territory.claimed_km2`"), "{e}");
        assert!(e.contains("--set territory.start_km2=200000.0"), "the place is the held value: {e}");
    }

    /// A setting is held by the index of its choice: a fraction, a negative index and one past the
    /// last choice are each refused as "not a choice", naming the choices, before the range check.
    #[test]
    fn a_setting_is_held_only_at_the_index_of_a_choice() {
        let base = baseline();
        let setting = "negotiation.protocol";
        let index = base.scenario.params.iter().position(|p| p.path == setting).unwrap();
        let count = base.scenario.params[index].names.expect("the protocol is a setting").len();
        let past = count as f64;
        for bad in [0.5, -1.0, past, past + 3.0] {
            let e = base.at("--vary", &[(setting.into(), bad)]).unwrap_err().to_string();
            let shown = scenario::format_number(bad);
            assert!(e.starts_with(&format!("--vary: {setting} = {shown} is not a choice")), "{bad}: {e}");
            assert!(e.contains("0 = package"), "{bad}: the choices are listed: {e}");
        }
        for good in 0..count {
            base.at("--vary", &[(setting.into(), good as f64)]).unwrap();
        }
    }

    #[test]
    fn quantile_interpolates() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(crate::stats::sample_quantile(&v, 0.0), 1.0);
        assert_eq!(crate::stats::sample_quantile(&v, 0.5), 3.0);
        assert!((crate::stats::sample_quantile(&v, 0.1) - 1.4).abs() < 1e-12);
        assert_eq!(crate::stats::sample_quantile(&v, 1.0), 5.0);
    }
}
