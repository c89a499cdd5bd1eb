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

/// Peak memory does not grow with N: `truce bench` (the streaming summary, no files) at 30 times
/// the rollouts peaks within 25% of the smaller run. Kept per-rollout data would not: 60,000
/// records of even 100 bytes add 6 MB to a peak of about 20 MB.
#[test]
fn peak_memory_does_not_grow_with_the_number_of_rollouts() {
    let peak = |n: &str| -> f64 {
        let out = crate::common::truce().args(["bench", "scenarios/baseline.toml", "-n", n]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let line = text.lines().find(|l| l.starts_with("peak memory")).unwrap_or_else(|| panic!("bench printed no peak memory:\n{text}"));
        line.split(':').nth(1).and_then(|v| v.trim().trim_end_matches("MB").trim().parse().ok()).unwrap_or_else(|| panic!("{line}"))
    };
    let (small, large) = (peak("2000"), peak("60000"));
    eprintln!("peak resident memory: {small} MB at N = 2,000, {large} MB at N = 60,000");
    assert!(large <= small * 1.25, "peak memory grew with N: {small} MB → {large} MB");
}
