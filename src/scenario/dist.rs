//! Distributions for uncertain parameters: drawn once per rollout from that rollout's stream.

use std::fmt;

use rand::{Rng, RngExt};
use rand_distr::{Beta, Distribution, LogNormal, Normal, Triangular, Uniform};

/// An uncertain parameter's distribution, as written in a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Dist {
    pub shape: Shape,
    /// Optional explicit bounds; draws are also always kept inside the parameter's own range.
    pub clamp: Option<(f64, f64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Uniform {
        lo: f64,
        hi: f64,
    },
    Triangular {
        lo: f64,
        mode: f64,
        hi: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
    },
    Beta {
        a: f64,
        b: f64,
    },
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    /// A named setting drawn per rollout: `weights[k]` is the chance of choice k (the index of
    /// its name in the setting's list); the weights sum to 1.
    Choice {
        weights: Vec<f64>,
    },
}

/// The names accepted as the key of a distribution table.
pub const SHAPES: &[&str] = &["uniform", "triangular", "normal", "beta", "lognormal"];

impl Shape {
    /// Builds a shape from its key and numbers, or says what is wrong with them.
    pub fn new(key: &str, args: &[f64]) -> Result<Shape, String> {
        let want = |n: usize, form: &str| {
            if args.len() == n { Ok(()) } else { Err(format!("`{key}` takes {n} numbers: {key} = {form}")) }
        };
        let shape = match key {
            "uniform" => {
                want(2, "[lo, hi]")?;
                if !(args[0] < args[1]) {
                    return Err(format!("uniform needs lo < hi, got [{}, {}]", args[0], args[1]));
                }
                Shape::Uniform { lo: args[0], hi: args[1] }
            }
            "triangular" => {
                want(3, "[lo, mode, hi]")?;
                let (lo, mode, hi) = (args[0], args[1], args[2]);
                if !(lo < hi && lo <= mode && mode <= hi) {
                    return Err(format!("triangular needs lo ≤ mode ≤ hi and lo < hi, got [{lo}, {mode}, {hi}]"));
                }
                Shape::Triangular { lo, mode, hi }
            }
            "normal" => {
                want(2, "[mean, sd]")?;
                if !(args[1] > 0.0) {
                    return Err(format!("normal needs sd > 0, got {}", args[1]));
                }
                Shape::Normal { mean: args[0], sd: args[1] }
            }
            "beta" => {
                want(2, "[a, b]")?;
                if !(args[0] > 0.0 && args[1] > 0.0) {
                    return Err(format!("beta needs a > 0 and b > 0, got [{}, {}]", args[0], args[1]));
                }
                Shape::Beta { a: args[0], b: args[1] }
            }
            "lognormal" => {
                want(2, "[mu, sigma]")?;
                if !(args[1] > 0.0) {
                    return Err(format!("lognormal needs sigma > 0, got {}", args[1]));
                }
                Shape::LogNormal { mu: args[0], sigma: args[1] }
            }
            _ => return Err(format!("unknown distribution `{key}`")),
        };
        Ok(shape)
    }

    /// The smallest interval that holds every draw.
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Shape::Uniform { lo, hi } | Shape::Triangular { lo, hi, .. } => (lo, hi),
            Shape::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Shape::Beta { .. } => (0.0, 1.0),
            Shape::LogNormal { .. } => (0.0, f64::INFINITY),
            Shape::Choice { ref weights } => (0.0, weights.len().saturating_sub(1) as f64),
        }
    }

    pub fn mean(&self) -> f64 {
        match *self {
            Shape::Uniform { lo, hi } => (lo + hi) / 2.0,
            Shape::Triangular { lo, mode, hi } => (lo + mode + hi) / 3.0,
            Shape::Normal { mean, .. } => mean,
            Shape::Beta { a, b } => a / (a + b),
            Shape::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            // A setting's central value is its most likely choice (the first of equals).
            Shape::Choice { ref weights } => {
                weights.iter().enumerate().fold((0, f64::MIN), |best, (k, &w)| if w > best.1 { (k, w) } else { best }).0 as f64
            }
        }
    }
}

impl Dist {
    /// One draw, kept inside the explicit clamp and the parameter's range `[min, max]`.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R, min: f64, max: f64) -> f64 {
        // Parameters were validated when the scenario was read, so constructors cannot fail.
        let x = match self.shape {
            Shape::Uniform { lo, hi } => Uniform::new(lo, hi).map(|d| d.sample(rng)).unwrap_or(lo),
            Shape::Triangular { lo, mode, hi } => Triangular::new(lo, hi, mode).map(|d| d.sample(rng)).unwrap_or(mode),
            Shape::Normal { mean, sd } => Normal::new(mean, sd).map(|d| d.sample(rng)).unwrap_or(mean),
            Shape::Beta { a, b } => Beta::new(a, b).map(|d| d.sample(rng)).unwrap_or(0.5),
            Shape::LogNormal { mu, sigma } => LogNormal::new(mu, sigma).map(|d| d.sample(rng)).unwrap_or(mu.exp()),
            Shape::Choice { ref weights } => {
                // One uniform draw, read against the cumulative weights.
                let u: f64 = rng.random();
                let mut cum = 0.0;
                let last = weights.iter().rposition(|&w| w > 0.0).unwrap_or(0);
                let mut pick = last;
                for (k, &w) in weights.iter().enumerate() {
                    cum += w;
                    if w > 0.0 && u < cum {
                        pick = k;
                        break;
                    }
                }
                pick as f64
            }
        };
        let (lo, hi) = self.clamp.unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
        let m = super::schema::MAGNITUDE;
        x.clamp(lo.max(min).max(-m), hi.min(max).min(m))
    }
}

impl fmt::Display for Dist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.shape {
            Shape::Uniform { lo, hi } => write!(f, "{{ uniform = [{lo}, {hi}]")?,
            Shape::Triangular { lo, mode, hi } => write!(f, "{{ triangular = [{lo}, {mode}, {hi}]")?,
            Shape::Normal { mean, sd } => write!(f, "{{ normal = [{mean}, {sd}]")?,
            Shape::Beta { a, b } => write!(f, "{{ beta = [{a}, {b}]")?,
            Shape::LogNormal { mu, sigma } => write!(f, "{{ lognormal = [{mu}, {sigma}]")?,
            // Names are the setting's; `Param::display_value` writes them.
            Shape::Choice { ref weights } => {
                let w: Vec<String> = weights.iter().map(|w| format!("{w}")).collect();
                write!(
                    f,
                    "{{ choice = [{}], p = [{}]",
                    (0..weights.len()).map(|k| k.to_string()).collect::<Vec<_>>().join(", "),
                    w.join(", ")
                )?
            }
        }
        if let Some((lo, hi)) = self.clamp {
            write!(f, ", clamp = [{lo}, {hi}]")?;
        }
        write!(f, " }}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::ChaCha8Rng;

    #[test]
    fn validation_messages() {
        assert!(Shape::new("uniform", &[1.0, 0.0]).unwrap_err().contains("lo < hi"));
        assert!(Shape::new("normal", &[0.0, -1.0]).unwrap_err().contains("sd > 0"));
        assert!(Shape::new("triangular", &[0.0, 2.0, 1.0]).unwrap_err().contains("mode"));
        assert!(Shape::new("beta", &[1.0]).unwrap_err().contains("takes 2 numbers"));
    }

    #[test]
    fn choices_are_drawn_in_their_proportions() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let d = Dist { shape: Shape::Choice { weights: vec![0.6, 0.0, 0.4] }, clamp: None };
        let n = 20_000;
        let mut counts = [0usize; 3];
        for _ in 0..n {
            counts[d.sample(&mut rng, 0.0, 2.0) as usize] += 1;
        }
        assert_eq!(counts[1], 0, "a choice of weight 0 is never drawn");
        let p = counts[0] as f64 / n as f64;
        assert!((p - 0.6).abs() < 4.0 * (0.6f64 * 0.4 / n as f64).sqrt(), "{p}");
        assert_eq!(d.shape.mean(), 0.0, "the central value is the most likely choice");
        // Held at one choice, as a tornado end holds it.
        let held = Dist { clamp: Some((2.0, 2.0)), ..d };
        assert!((0..100).all(|_| held.sample(&mut rng, 0.0, 2.0) == 2.0));
    }

    #[test]
    fn draws_respect_ranges_and_means() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let n = 20_000;
        for (shape, sd) in [
            (Shape::Uniform { lo: 0.2, hi: 0.6 }, 0.4 / 12f64.sqrt()),
            (Shape::Triangular { lo: 0.0, mode: 0.2, hi: 1.0 }, ((0.0f64 + 0.04 + 1.0 - 0.0 - 0.0 - 0.2) / 18.0).sqrt()),
            (Shape::Beta { a: 2.0, b: 5.0 }, (10.0f64 / (49.0 * 8.0)).sqrt()),
            (Shape::Normal { mean: 0.5, sd: 0.1 }, 0.1),
        ] {
            let d = Dist { shape: shape.clone(), clamp: None };
            let mean: f64 = (0..n).map(|_| d.sample(&mut rng, 0.0, 1.0)).sum::<f64>() / n as f64;
            assert!((mean - shape.mean()).abs() < 4.0 * sd / (n as f64).sqrt(), "{shape:?}: {mean}");
        }
        let d = Dist { shape: Shape::Normal { mean: 0.0, sd: 5.0 }, clamp: Some((-1.0, 1.0)) };
        assert!((0..1000).all(|_| (-1.0..=1.0).contains(&d.sample(&mut rng, f64::MIN, f64::MAX))));
    }
}
