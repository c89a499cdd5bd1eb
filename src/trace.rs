//! `truce trace`: one rollout told month by month in plain language.

use std::fmt::Write;

use serde::Serialize;

use crate::model::{Model, MonthView, Observer, Outcome, Record, Scratch, Story, run_rollout};

/// Collects a rollout's story and its monthly front.
#[derive(Default)]
pub struct Tracer {
    pub entries: Vec<(u32, Story)>,
    pub months: Vec<(u32, f64, &'static str)>,
}

impl Observer for Tracer {
    fn month(&mut self, v: &MonthView<'_>) {
        let phase = if v.ended {
            "ended"
        } else if v.at_war {
            "war"
        } else if v.ceasefire {
            "ceasefire"
        } else {
            "settled"
        };
        self.months.push((v.month, v.area_km2, phase));
    }
    fn wants_story(&self) -> bool {
        true
    }
    fn story(&mut self, month: u32, entry: Story) {
        self.entries.push((month, entry));
    }
}

pub fn trace(model: &Model, seed: u64, index: u64) -> (Record, Tracer) {
    let mut scratch = Scratch::new(model);
    let mut tracer = Tracer::default();
    let record = run_rollout(model, seed, index, &mut scratch, &mut tracer);
    (record, tracer)
}

/// The first rollout (from 0, at most `limit`) that ends in `outcome`.
pub fn find(model: &Model, seed: u64, outcome: Outcome, limit: u64) -> Option<u64> {
    let mut scratch = Scratch::new(model);
    (0..limit).find(|&i| run_rollout(model, seed, i, &mut scratch, &mut crate::model::Quiet).outcome == outcome)
}

#[derive(Serialize)]
struct JsonTrace<'a> {
    scenario: &'a str,
    seed: u64,
    rollout: u64,
    outcome: &'a str,
    ceasefire_month: Option<u32>,
    settlement_month: Option<u32>,
    final_area_km2: f64,
    story: Vec<JsonEntry<'a>>,
}

#[derive(Serialize)]
struct JsonEntry<'a> {
    month: u32,
    date: String,
    #[serde(flatten)]
    entry: &'a Story,
}

pub fn to_json(model: &Model, seed: u64, record: &Record, tracer: &Tracer) -> String {
    let sc = &model.scenario;
    let t = JsonTrace {
        scenario: &sc.name,
        seed,
        rollout: record.index,
        outcome: record.outcome.name(),
        ceasefire_month: record.ceasefire_month,
        settlement_month: record.settlement_month,
        final_area_km2: record.final_area_km2,
        story: tracer.entries.iter().map(|(m, e)| JsonEntry { month: *m, date: sc.date(*m as i32).to_string(), entry: e }).collect(),
    };
    serde_json::to_string_pretty(&t).unwrap_or_default()
}

/// The story as text: one line per happening, front changes folded into monthly lines.
pub fn to_text(model: &Model, seed: u64, record: &Record, tracer: &Tracer) -> String {
    let sc = &model.scenario;
    let mut out = String::new();
    let _ = writeln!(out, "{} — rollout {} (seed {})", sc.title, record.index, seed);
    let name = |id: &str| sc.actors.iter().find(|a| a.id == id).map(|a| a.name.clone()).unwrap_or_else(|| id.to_string());
    let terms = |t: &[f64]| sc.issues.iter().zip(t).map(|(i, v)| format!("{} {:.2}", i.id, v)).collect::<Vec<_>>().join(", ");
    let mut last = u32::MAX;
    for (m, e) in &tracer.entries {
        let date = sc.date(*m as i32).to_string();
        let head = if *m != last { format!("{date}  ") } else { " ".repeat(date.len() + 2) };
        last = *m;
        let line = match e {
            Story::Event { label, .. } => format!("event: {label}"),
            Story::TechnicalDeal { label } => format!("technical deal: {label} (doubts fall, the mediator stays)"),
            Story::ShortTruce { label, months } => {
                format!(
                    "short truce: {label} ({months} month{}; the front is quiet, the war is not over)",
                    if *months == 1 { "" } else { "s" }
                )
            }
            Story::Front { change_km2, area_km2, breakthrough, counteroffensive } => {
                let mut s = format!("front: {:+.0} km² → {:.0} km² held", change_km2, area_km2);
                if *breakthrough {
                    s.push_str(" — Russian breakthrough");
                }
                if *counteroffensive {
                    s.push_str(" — Ukrainian counter-offensive");
                }
                s
            }
            Story::Offer { by, deal, terms: t, tabled } => {
                let source = if tabled == "talks" { String::new() } else { format!(" (tabled proposal `{tabled}`)") };
                format!("{} offers a {deal}{source}: {}", name(by), terms(t))
            }
            Story::Decision { actor, accepts, deal_value, war_value, pressure } => format!(
                "  {} {}: deal worth {:.3} vs {:.3} going on{}",
                name(actor),
                if *accepts { "accepts" } else { "refuses" },
                deal_value,
                war_value,
                if *pressure != 0.0 { format!(", pressure {pressure:+.3}") } else { String::new() }
            ),
            Story::Pressure { from, to, kind, amount } => format!("  {} presses {} ({kind}, {amount:.3})", name(from), name(to)),
            Story::ThreatCarriedOut { from, to, what } => format!("  {} carries out its threat against {}: {what}", name(from), name(to)),
            Story::Deal { deal } => format!("*** {deal} agreed ***"),
            Story::WalkAway { mediator, abandons } => {
                format!(
                    "{} walks away from the talks{}",
                    name(mediator),
                    if *abandons { " and abandons its client: aid and intelligence stop" } else { "" }
                )
            }
            Story::Breakdown { deal } => format!("*** the {deal} breaks down: war resumes ***"),
            Story::End { outcome } => format!("end: {outcome}"),
        };
        let _ = writeln!(out, "{head}{line}");
    }
    let _ = writeln!(
        out,
        "\noutcome {}; first ceasefire {}; settlement {}; final area {:.0} km²; breakdowns {}",
        record.outcome.name(),
        record.ceasefire_month.map(|m| sc.date(m as i32).to_string()).unwrap_or_else(|| "none".into()),
        record.settlement_month.map(|m| sc.date(m as i32).to_string()).unwrap_or_else(|| "none".into()),
        record.final_area_km2,
        record.breakdowns
    );
    out
}
