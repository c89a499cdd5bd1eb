//! "A month allocates nothing" (ARCHITECTURE.md invariants), measured: a counting allocator
//! counts this thread's allocations during rollouts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use truce::model::{Model, Quiet, Scratch, run_rollout};

use crate::common::load;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(|c| c.get())
}

/// Notes this thread's allocation count as months are reported: after month 1 and after each
/// later month. Reading a thread-local counter allocates nothing.
#[derive(Default)]
struct MonthCounter {
    after_first: Option<u64>,
    last: u64,
}

impl truce::model::Observer for MonthCounter {
    fn month(&mut self, view: &truce::model::MonthView<'_>) {
        let now = allocations();
        if view.month == 1 {
            self.after_first = Some(now);
        }
        self.last = now;
    }
}

/// Allocations made while simulating months 2 … horizon of rollouts 0..n (a warm scratch), and
/// the allocations of whole rollouts.
fn month_allocations(model: &Model, n: u64) -> (u64, u64) {
    let mut s = Scratch::new(model);
    let _ = run_rollout(model, 1, 0, &mut s, &mut Quiet);
    let (mut in_months, before) = (0, allocations());
    for i in 0..n {
        let mut obs = MonthCounter::default();
        let _ = run_rollout(model, 1, i, &mut s, &mut obs);
        in_months += obs.last - obs.after_first.expect("month 1 was reported");
    }
    (in_months, allocations() - before)
}

#[test]
fn a_simulated_month_allocates_nothing() {
    for path in ["scenarios/baseline.toml", "scenarios/endgame.toml", "scenarios/fight_and_talk.toml", "scenarios/plan28_2025-12.toml"] {
        // No outcome that ends a rollout early, so every month of the horizon is simulated:
        // fighting, talks, deals, breakdowns and events.
        let sets = ["hazards.escalation=0", "actors.ukraine.endurance=1000", "actors.russia.endurance=1000", "scenario.horizon_months=96"];
        let model = Model::new(load(path, &sets));
        let n = 300;
        let (in_months, total) = month_allocations(&model, n);
        assert_eq!(in_months, 0, "{path}: {in_months} allocations in {} simulated months", n * 95);
        // A rollout allocates only its record: a handful of vectors.
        assert!(total / n <= 8, "{path}: {} allocations per rollout", total / n);
    }
}

/// Memory does not grow with N. The summary's only parts that could are its histograms, and
/// they never hold more bins than their limits allow, a bound set by the model's shape: at
/// N = 5,000 and at 50,000 every shipped scenario's summary stays within it, and the kept bins
/// at 50,000 are not ten times those at 5,000 (a per-rollout store would be). `truce bench`'s
/// resident peak is printed for reference (19.5 and 21.1 MB at 2,000 and 60,000 on the
/// baseline); it is not asserted, being the allocator's and the threads' as much as truce's.
#[test]
fn summaries_hold_a_bounded_number_of_bins_whatever_n() {
    use truce::runner::{self, RunConfig};
    use truce::summary::Summary;
    for path in ["scenarios/baseline.toml", "scenarios/endgame.toml", "scenarios/fight_and_talk.toml"] {
        let model = Model::new(load(path, &[]));
        let held = |n: u64| {
            let mut summary = Summary::new(&model);
            runner::run(
                &model,
                &RunConfig { n, seed: 3, threads: 2, first: 0 },
                |c| -> Result<(), ()> {
                    summary.add(c);
                    Ok(())
                },
                |_| {},
            )
            .unwrap();
            summary.bins_held()
        };
        let ((small, bound), (large, bound2)) = (held(5_000), held(50_000));
        eprintln!("{path}: {small} bins at N = 5,000, {large} at 50,000, at most {bound} ({} kB)", bound * 8 / 1000);
        assert_eq!(bound, bound2);
        assert!(small <= bound && large <= bound, "{path}: more bins than the limits allow");
        assert!(small > model.horizon() as usize, "{path}: every month's area histogram holds a bin ({small} in all)");
        assert!(large < 3 * small, "{path}: the bins grew with N like a store of rollouts: {small} → {large}");
    }
}

/// `truce bench` counts the rollout-months it simulates, not N × horizon: on forts (a war that
/// lasts about 25 of its 1,200 months) its figure is the sum, over the same rollouts run through
/// the library, of each rollout's end month (or the horizon for one that runs to it).
#[test]
fn bench_counts_the_months_it_simulates() {
    use truce::runner::{self, RunConfig};
    let path = "scenarios/validation/forts.toml";
    let out = crate::common::truce().args(["bench", path, "-n", "300", "--seed", "4"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line = text.lines().find(|l| l.starts_with("simulated: ")).unwrap_or_else(|| panic!("no `simulated:` line:\n{text}"));
    let months: u64 = line["simulated: ".len()..].split(' ').next().unwrap().parse().unwrap();
    let model = Model::new(load(path, &[]));
    let mut expected = 0u64;
    runner::run(
        &model,
        &RunConfig { n: 300, seed: 4, threads: 1, first: 0 },
        |c| -> Result<(), ()> {
            expected += c.records.iter().map(|r| r.end_month.unwrap_or(model.horizon()) as u64).sum::<u64>();
            Ok(())
        },
        |_| {},
    )
    .unwrap();
    assert_eq!(months, expected, "{line}");
    assert!(expected < 300 * 1200 / 10, "forts' wars end early: {expected}");
    assert!(
        line.ends_with(&format!("{:.1} per rollout of 1200 (the months after an end are not simulated)", expected as f64 / 300.0)),
        "{line}"
    );
    for part in ["1 thread(s):", "simulated rollout-months/s", "random-number floor (300 rollouts", "the model on 1 thread takes"] {
        assert!(text.contains(part), "`{part}` missing:\n{text}");
    }
}
