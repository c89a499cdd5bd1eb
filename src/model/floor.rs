//! The random-number floor of `truce bench`: how fast the random numbers a scenario's rollouts
//! draw can be drawn with nothing else done, to set the model's speed against.
//!
//! A census first runs the rollouts as the model does and counts, month by month, the 64-bit
//! words each month takes from its world and talks streams (`Streams::words_drawn`). The floor
//! then draws exactly those words, as uniforms summed into one number, for the same rollouts and
//! months, two ways: entering each month's own keyed generators as the model does ("keyed"), and
//! from one world and one talks generator per rollout ("unkeyed", the floor without the seek).
//! A normal variate costs a little more than the uniform the floor turns its word into (a table
//! look-up), so the floor is, if anything, a little fast: a model "within k× of the floor" is
//! within k× of drawing its numbers and nothing else.

use std::hint::black_box;
use std::time::Instant;

use rand::RngExt;

use super::rollout::{Keys, Streams, run_rollout_watched};
use super::{Model, Quiet, Scratch};

/// What the floor measured, on one thread.
#[derive(Debug, Clone)]
pub struct Floor {
    pub rollouts: u64,
    /// Months 1 … end of each rollout (as the summary counts them); month 0's opening round is
    /// drawn too.
    pub months: u64,
    /// Words drawn in all, from the world and from the talks streams.
    pub world_words: u64,
    pub talks_words: u64,
    /// Seconds to draw them with the model's per-month keyed generators, and without.
    pub keyed_secs: f64,
    pub unkeyed_secs: f64,
}

impl Floor {
    pub fn words_per_month(&self) -> f64 {
        (self.world_words + self.talks_words) as f64 / self.months.max(1) as f64
    }
}

/// The census and the two timed floors for rollouts `0..n` of `model` under `seed`.
pub fn rng_floor(model: &Model, seed: u64, n: u64) -> Floor {
    // Words by month (world, talks), rollout after rollout, and each rollout's months.
    let mut words: Vec<(u32, u32)> = Vec::new();
    let mut ends: Vec<u32> = Vec::with_capacity(n as usize);
    let mut scratch = Scratch::new(model);
    for i in 0..n {
        let mut last = 0;
        run_rollout_watched(model, seed, i, &mut scratch, &mut Quiet, |m, streams| {
            words.push(streams.words_drawn(m, model.talks));
            last = m;
        });
        ends.push(last);
    }
    let months = ends.iter().map(|&e| u64::from(e)).sum();
    let world_words = words.iter().map(|w| u64::from(w.0)).sum();
    let talks_words = words.iter().map(|w| u64::from(w.1)).sum();

    let keyed_secs = draw(seed, &ends, &words, true, model.talks);
    let unkeyed_secs = draw(seed, &ends, &words, false, model.talks);
    Floor { rollouts: n, months, world_words, talks_words, keyed_secs, unkeyed_secs }
}

/// Seconds to draw `words` (by month, rollout after rollout; `ends`: each rollout's last month)
/// as uniforms, entering each month's keyed generators (`keyed`; the talks stream only if the
/// model can negotiate, `talks`, as the model does) or from one per rollout.
fn draw(seed: u64, ends: &[u32], words: &[(u32, u32)], keyed: bool, talks: bool) -> f64 {
    let t = Instant::now();
    let mut acc = 0.0f64;
    let mut at = 0;
    for (i, &end) in ends.iter().enumerate() {
        let mut streams = Streams::new(Keys::new(seed, i as u64));
        for m in 0..=end {
            if keyed && m > 0 {
                streams.enter_month(m, talks);
            }
            let (w, k) = words[at];
            at += 1;
            for _ in 0..w {
                acc += streams.world.random::<f64>();
            }
            for _ in 0..k {
                acc += streams.talks.random::<f64>();
            }
        }
    }
    black_box(acc);
    t.elapsed().as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::testing::shipped;

    /// The census counts what the code draws. In forts with beta beliefs, every month of war
    /// draws one world word (the battle: beta beliefs draw nothing). With talks that can happen
    /// (a talks rate above zero, however small), month 0 also draws one talks word (the opening
    /// round's chance) and every month of war two (whether a mediator that walked away comes
    /// back, drawn every month, and whether talks are held); the month that ends the war returns
    /// before the talks. So a rollout of e months draws e world words and 1 + 2(e − 1) talks
    /// words. With no talks possible (forts as shipped) the talks stream is never entered.
    #[test]
    fn the_census_counts_a_forts_months_words() {
        let m = shipped("validation/forts.toml", &["battlefield.beliefs=\"beta\"", "negotiation.talks_rate=1e-300"]);
        assert!(m.talks);
        let f = rng_floor(&m, 11, 300);
        assert_eq!(f.rollouts, 300);
        assert!(f.months > 300, "every rollout lasts at least a month");
        assert_eq!(f.world_words, f.months);
        assert_eq!(f.talks_words, 2 * f.months - f.rollouts);
        let quiet = shipped("validation/forts.toml", &["battlefield.beliefs=\"beta\""]);
        assert!(!quiet.talks, "forts has no talks");
        let q = rng_floor(&quiet, 11, 300);
        assert_eq!((q.months, q.world_words, q.talks_words), (f.months, f.months, 0));
        // With normal beliefs and talks that can happen, each of the two actors also reads the
        // battle with a normal draw (at least one word each) in every month the war goes on
        // after it. Without talks beliefs act on nothing, and a run (which reads none) does not
        // update them: the months draw the battle alone.
        let n = shipped("validation/forts.toml", &["negotiation.talks_rate=1e-300"]);
        let g = rng_floor(&n, 11, 300);
        assert_eq!(g.months, f.months, "the beliefs do not move the forts");
        assert!(g.world_words >= f.months + 2 * (f.months - 300), "{} words", g.world_words);
        let as_shipped = rng_floor(&shipped("validation/forts.toml", &[]), 11, 300);
        assert_eq!((as_shipped.months, as_shipped.world_words, as_shipped.talks_words), (f.months, f.months, 0));
    }

    /// A model can negotiate unless nothing could ever start talks: forts as shipped cannot; a
    /// talks rate drawn per rollout, an opening round, or an event that sets the talks rate can.
    #[test]
    fn talks_are_possible_unless_nothing_can_start_them() {
        assert!(!shipped("validation/forts.toml", &[]).talks);
        assert!(shipped("validation/forts.toml", &["negotiation.talks_rate={uniform=[0,0.1]}"]).talks);
        assert!(shipped("validation/forts.toml", &["negotiation.opening_round=0.5"]).talks);
        assert!(shipped("baseline.toml", &[]).talks);
        let text =
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/validation/forts.toml")).unwrap();
        let dir = std::env::temp_dir().join(format!("truce-talks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("forts_event.toml");
        let event = "\n[[events]]\nid = \"talks_open\"\nlabel = \"talks open\"\ndate = \"2026-01\"\nprobability = 1.0\neffects = [{ set = \"negotiation.talks_rate\", value = 0.5 }]\n";
        std::fs::write(&file, text + event).unwrap();
        let with_event = Model::new(crate::scenario::load(&file, &Default::default()).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(with_event.talks, "an event can open talks");
    }
}
