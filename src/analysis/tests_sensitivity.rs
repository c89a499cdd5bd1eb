//! The sensitivity analysis against its parts computed one by one: the percentiles, the units and
//! their rollouts, each tornado bar as two tallies of the scenario held at its ends, the PRCC's
//! order, the files and the printed table of a hand-made analysis, and designs.

use super::*;
use crate::analysis::prcc::Prcc;
use crate::scenario::Overrides;

const N: u64 = 120;
const SEED: u64 = 9;

fn base() -> Base {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    Base::load(&path, &Overrides::default()).expect("the baseline loads")
}

fn estimate(value: f64, lo: f64, hi: f64) -> Estimate {
    Estimate { value, lo, hi }
}

#[test]
fn the_percentiles_and_the_rollouts_of_each_unit() {
    let b = base();
    let uncertain = b.scenario.uncertain();
    let k = uncertain.len() as u64;
    assert!(k >= 3, "the baseline draws several parameters: {k}");
    let bars = percentiles(&b, SEED);
    assert_eq!(bars.iter().map(|r| r.0).collect::<Vec<_>>(), uncertain, "every drawn parameter has its bar");
    for (i, path, p10, p90) in &bars {
        let p = &b.scenario.params[*i];
        assert_eq!(path, &p.path);
        let q = quantiles(&b.scenario, *i, &[0.1, 0.9], QUANTILE_DRAWS, SEED).unwrap();
        assert_eq!((*p10, *p90), (super::super::grid::tidy(q[0]), super::super::grid::tidy(q[1])), "{path}");
        assert!(p.min <= *p10 && p10 <= p90 && *p90 <= p.max, "{path}: {p10} {p90}");
    }
    assert_eq!(units(&bars), 1 + k);
    assert_eq!(total_rollouts(&b, N), N * (1 + 2 * k));
    assert_eq!(unit_rollouts(0, units(&bars), N), total_rollouts(&b, N));
    assert_eq!((unit_rollouts(0, 1, N), unit_rollouts(1, 1, N), unit_rollouts(2, 3, N), unit_rollouts(3, 0, N)), (N, 2 * N, 6 * N, 0));
    assert_eq!(unit_rollouts(0, 3, 7), 7 + 14 + 14);
    let bar = |p: &str| TornadoRow {
        path: p.into(),
        p10: 0.0,
        p90: 1.0,
        at_p10: estimate(0.0, 0.0, 0.0),
        at_p90: estimate(0.0, 0.0, 0.0),
        effect: estimate(0.0, 0.0, 0.0),
        names: None,
    };
    let unit0 = BaseUnit { base: estimate(0.5, 0.4, 0.6), prcc: vec![] };
    assert_eq!(SensitivityPart { base: Some(unit0), bars: vec![bar("a"), bar("b")] }.units(), 3);
    assert_eq!(SensitivityPart { base: None, bars: vec![bar("a"), bar("b")] }.units(), 2);
}

/// Each bar is two tallies of the scenario held at the parameter's 10th and 90th percentiles,
/// paired rollout by rollout; unit 0 is the scenario as it is with its PRCC; the units run in
/// parts and assembled are the analysis run in one go; the progress counts each part's rollouts.
#[test]
fn a_tornado_is_its_bars_run_one_by_one() {
    let b = base();
    let metric = Outcome::Settlement;
    let bars = percentiles(&b, SEED);
    let mut ticks = vec![0];
    let whole = analyse(&b, metric, N, SEED, 1, &mut |d| ticks.push(d)).unwrap();
    assert!(ticks.windows(2).all(|w| w[0] <= w[1]), "the progress never goes back: {ticks:?}");
    assert_eq!(*ticks.last().unwrap(), total_rollouts(&b, N));
    let all = tally(&Model::new(b.scenario.clone()), N, SEED, 1, true, |_| {});
    assert_eq!(whole.base, all.p(metric));
    assert_eq!(whole.tornado.len(), bars.len());
    for (_, path, p10, p90) in &bars {
        let at = |v: f64| tally(&Model::new(b.at("test", &[(path.clone(), v)]).unwrap()), N, SEED, 1, false, |_| {});
        let (lo, hi) = (at(*p10), at(*p90));
        let row = whole.tornado.iter().find(|r| &r.path == path).unwrap();
        assert_eq!((row.p10, row.p90), (*p10, *p90));
        assert_eq!((row.at_p10, row.at_p90), (lo.p(metric), hi.p(metric)), "{path}");
        assert_eq!(row.effect, paired_difference(&lo.indicator(metric), &hi.indicator(metric)), "{path}");
        assert_eq!(row.names, b.scenario.param(path).unwrap().names, "{path}");
    }
    assert!(whole.tornado.windows(2).all(|w| w[0].effect.value.abs() >= w[1].effect.value.abs()), "largest effect first");
    assert!(whole.tornado.iter().any(|r| r.effect.value != 0.0));
    // The PRCC: every drawn parameter against every outcome, outcome by outcome, largest first.
    assert_eq!(whole.prcc.len(), Outcome::ALL.len() * bars.len());
    for (o, rows) in Outcome::ALL.iter().zip(whole.prcc.chunks(bars.len())) {
        assert!(rows.iter().all(|r| r.outcome == *o));
        let y: Vec<f64> = all.indicator(*o).iter().map(|&x| x as u8 as f64).collect();
        let expected = prcc(&all.drawn, all.width, &y);
        for r in rows {
            let at = bars.iter().position(|x| x.1 == r.path).unwrap();
            assert_eq!(r.prcc, expected[at], "{o:?} {}", r.path);
        }
        let key = |r: &PrccRow| r.prcc.map(|p| p.value.abs()).unwrap_or(-1.0);
        assert!(rows.windows(2).all(|w| key(&w[0]) >= key(&w[1])), "{o:?}");
    }

    // In parts: (0, 0) runs nothing; unit 0 alone; a bar alone; the rest.
    let units = units(&bars);
    let mut parts = Vec::new();
    for (first, len) in [(0, 0), (0, 1), (1, 1), (2, units - 2), (units, 3)] {
        let mut ticks = vec![0];
        let part = analyse_units(&b, &bars, metric, N, SEED, 1, (first, len), &mut |d| ticks.push(d)).unwrap();
        assert_eq!(part.base.is_some(), first == 0 && len > 0, "({first}, {len})");
        assert_eq!(part.units(), len.min(units.saturating_sub(first)), "({first}, {len})");
        assert!(ticks.windows(2).all(|w| w[0] <= w[1]), "({first}, {len}): {ticks:?}");
        let expected = unit_rollouts(first, len.min(units.saturating_sub(first)), N);
        assert_eq!(*ticks.last().unwrap(), expected, "({first}, {len}): the progress ends at the part's rollouts");
        parts.push(part);
    }
    assert_eq!(parts[2].bars[0].path, bars[0].1);
    let assembled = assemble(&b, metric, N, SEED, parts).unwrap();
    assert_eq!(assembled.tornado_csv().unwrap(), whole.tornado_csv().unwrap());
    assert_eq!(assembled.prcc_csv().unwrap(), whole.prcc_csv().unwrap());
    assert_eq!(assembled.table(), whole.table());
    let bars_only = analyse_units(&b, &bars, metric, N, SEED, 1, (1, 2), &mut |_| {}).unwrap();
    let e = assemble(&b, metric, N, SEED, vec![bars_only]).err().unwrap().to_string();
    assert!(e.contains("unit 0 (the scenario as it is, and the PRCC) is missing"), "{e}");
}

/// A hand-made analysis: the files' cells and the table's lines, worked out here.
#[test]
fn the_files_and_the_table_of_an_analysis() {
    let row = |path: &str, p10: f64, p90: f64, lo: f64, hi: f64, names| TornadoRow {
        path: path.into(),
        p10,
        p90,
        at_p10: estimate(lo, lo - 0.01, lo + 0.01),
        at_p90: estimate(hi, hi - 0.01, hi + 0.01),
        effect: estimate(hi - lo, hi - lo - 0.02, hi - lo + 0.02),
        names,
    };
    let protocol: &'static [&'static str] = &["package", "stepwise"];
    let s = Sensitivity {
        metric: Outcome::Ceasefire,
        base: estimate(0.25, 0.2, 0.3),
        tornado: vec![
            row("actors.us.pressure", 0.01, 0.09, 0.2, 0.3, None),
            row("negotiation.protocol", 0.0, 1.0, 0.3, 0.25, Some(protocol)),
        ],
        prcc: vec![
            PrccRow {
                outcome: Outcome::Ceasefire,
                path: "actors.us.pressure".into(),
                prcc: Some(Prcc { value: -0.5, lo: -0.6, hi: -0.4 }),
            },
            PrccRow { outcome: Outcome::Ceasefire, path: "negotiation.protocol".into(), prcc: None },
            PrccRow {
                outcome: Outcome::Settlement,
                path: "actors.us.pressure".into(),
                prcc: Some(Prcc { value: 0.125, lo: 0.1, hi: 0.15 }),
            },
        ],
        n: 400,
        seed: 1,
    };
    let tornado = s.tornado_csv().unwrap();
    let lines: Vec<&str> = tornado.lines().collect();
    assert_eq!(lines[0], "param,p10,p90,metric,at_p10,at_p10_lo,at_p10_hi,at_p90,at_p90_lo,at_p90_hi,effect,effect_lo,effect_hi");
    assert_eq!(lines[1], "actors.us.pressure,0.01,0.09,ceasefire,0.20000,0.19000,0.21000,0.30000,0.29000,0.31000,0.10000,0.08000,0.12000");
    assert_eq!(lines[2], "negotiation.protocol,0,1,ceasefire,0.30000,0.29000,0.31000,0.25000,0.24000,0.26000,-0.05000,-0.07000,-0.03000");
    assert_eq!(lines.len(), 3);
    let prcc = s.prcc_csv().unwrap();
    assert_eq!(
        prcc.lines().collect::<Vec<_>>(),
        [
            "outcome,param,prcc,lo,hi,n",
            "ceasefire,actors.us.pressure,-0.50000,-0.60000,-0.40000,400",
            "ceasefire,negotiation.protocol,,,,400",
            "settlement,actors.us.pressure,0.12500,0.10000,0.15000,400"
        ]
    );
    let table = s.table();
    let t: Vec<&str> = table.lines().collect();
    assert_eq!(t[0], "ceasefire: 25.0% [20.0, 30.0] with every uncertain parameter drawn");
    assert_eq!(t[1], "");
    // The first column is as wide as the longest path (20 characters); the numbers show the
    // spread, 0.08, to three digits.
    let w = "negotiation.protocol".len();
    assert_eq!(
        t[2],
        format!("{:<w$}  {:>10}  {:>10}  {:>8}  {:>8}  {:>26}", "held at", "p10", "p90", "at p10", "at p90", "effect (p90 − p10), 95%")
    );
    assert_eq!(
        t[3],
        format!(
            "{:<w$}  {:>10}  {:>10}  {:>8}  {:>8}  {:>26}",
            "actors.us.pressure", "0.0100", "0.0900", "20.0%", "30.0%", "+10.0 pp [+8.0, +12.0]"
        )
    );
    assert_eq!(
        t[4],
        format!(
            "{:<w$}  {:>10}  {:>10}  {:>8}  {:>8}  {:>26}",
            "negotiation.protocol", "package", "stepwise", "30.0%", "25.0%", "−5.0 pp [−7.0, −3.0]"
        )
    );
    assert_eq!(t[5], "");
    assert_eq!(t[6], "partial rank correlation with ceasefire (all drawn together)");
    assert_eq!(t[7], format!("{:<w$}  −0.500  [−0.600, −0.400]", "actors.us.pressure"));
    assert_eq!(t[8], format!("{:<w$}  (undefined: the parameter or the outcome does not vary)", "negotiation.protocol"));
    assert_eq!(t.len(), 9, "only the metric's PRCC is printed");
    // Short paths still get a column five wide.
    let narrow = Sensitivity { tornado: vec![row("a", 1.0, 2.0, 0.1, 0.1, None)], prcc: vec![], ..s };
    assert!(narrow.table().lines().nth(2).unwrap().starts_with("held at  "), "{}", narrow.table());
    assert!(narrow.table().lines().nth(3).unwrap().starts_with("a        "), "{}", narrow.table());
}

#[test]
fn a_design_is_read_checked_and_evaluated_row_by_row() {
    let b = base();
    let tmp = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = tmp.path().join(name);
        fs_write(&p, text);
        p
    };
    let text = "actors.us.pressure, negotiation.talks_rate\n0.01,0.3\n0.09, 0.5\n0.05,0.4\n";
    let good = write("good.csv", text);
    let d = read_design(&good, &b).unwrap();
    assert_eq!(d.paths, ["actors.us.pressure", "negotiation.talks_rate"]);
    assert_eq!(d.values, [[0.01, 0.3], [0.09, 0.5], [0.05, 0.4]]);
    assert_eq!(d.cells[1], ["0.09", "0.5"]);
    assert_eq!(d.sha256, crate::files::sha256_hex(text.as_bytes()));
    let refused = |name: &str, text: &str| match read_design(&write(name, text), &b) {
        Ok(_) => panic!("{name}: expected a refusal"),
        Err(e) => e.to_string(),
    };
    assert!(refused("empty.csv", "\n").contains("the first line must name the parameters"));
    assert!(refused("twice.csv", "actors.us.pressure,actors.us.pressure\n0.1,0.1\n").contains("column `actors.us.pressure` appears twice"));
    assert!(refused("unknown.csv", "actors.us.presure\n0.1\n").contains("did you mean `actors.us.pressure`?"));
    let e = refused("word.csv", "actors.us.pressure\n0.1\nmuch\n");
    assert!(e.contains("line 3, column `actors.us.pressure`: `much` is not a number"), "{e}");
    let e = refused("range.csv", "actors.us.patience\n1.5\n");
    assert!(e.contains("line 2") && e.contains("out of range"), "{e}");
    assert!(refused("commas.csv", ",\n1,2\n").contains("the first line must name the parameters"));
    assert!(refused("header.csv", "actors.us.pressure\n").contains("no rows to evaluate below the header"));

    // Each row: its cells as written, then each outcome's share in a tally held at its values.
    let mut ticks = vec![0];
    let rows = design_rows(&b, &d, N, SEED, 1, (1, 2), &mut |t| ticks.push(t)).unwrap();
    assert_eq!(*ticks.last().unwrap(), 2 * N, "{ticks:?}");
    assert!(ticks.windows(2).all(|w| w[0] <= w[1]), "{ticks:?}");
    for (k, row) in [1usize, 2].iter().enumerate() {
        let held: Vec<(String, f64)> = d.paths.iter().cloned().zip(d.values[*row].iter().copied()).collect();
        let t = tally(&Model::new(b.at("test", &held).unwrap()), N, SEED, 1, false, |_| {});
        let mut expected = d.cells[*row].clone();
        expected.extend(Outcome::ALL.iter().map(|&o| format!("{:.5}", t.p(o).value)));
        assert_eq!(rows[k], expected, "row {row}");
    }
    let whole = evaluate_design(&b, &d, N, SEED, 1, &mut |_| {}).unwrap();
    let lines: Vec<&str> = whole.lines().collect();
    let names: Vec<&str> = Outcome::ALL.iter().map(|o| o.name()).collect();
    assert_eq!(lines[0], format!("actors.us.pressure,negotiation.talks_rate,{}", names.join(",")));
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[2..], [rows[0].join(","), rows[1].join(",")]);
}

fn fs_write(p: &Path, text: &str) {
    std::fs::write(p, text).unwrap();
}

#[test]
fn prcc_rows_run_strongest_first_and_undefined_last() {
    let row = |path: &str, v: Option<f64>| PrccRow {
        outcome: Outcome::Settlement,
        path: path.into(),
        prcc: v.map(|value| Prcc { value, lo: value - 0.1, hi: value + 0.1 }),
    };
    let mut rows = vec![row("a", None), row("b", Some(0.2)), row("c", Some(-0.7)), row("d", None), row("e", Some(0.0))];
    strongest_first(&mut rows);
    let order: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(order, ["c", "b", "e", "a", "d"], "by |PRCC| descending, a PRCC of 0 before an undefined one");
}
