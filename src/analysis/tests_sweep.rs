//! A sweep's folder through its life: started, run with its progress, interrupted and resumed
//! from what sweep.csv holds (cut, damaged and foreign rows dropped), refused when it is not the
//! same sweep, and completed from rows made elsewhere (a merge).

use super::*;
use crate::scenario::Overrides;

const N: u64 = 60;
const SEED: u64 = 3;

fn base() -> Base {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    Base::load(&path, &Overrides::default()).expect("the baseline loads")
}

fn grid(base: &Base) -> Grid {
    Grid::new(base, &[Vary::parse("actors.us.pressure=0..0.1:3").unwrap()]).unwrap()
}

fn prepare(dir: &Path, resume: bool) -> Result<Sweep> {
    let b = base();
    let g = grid(&b);
    Sweep::prepare(b, g, N, SEED, 1, dir, resume)
}

fn json(dir: &Path) -> SweepJson {
    serde_json::from_str(&fs::read_to_string(dir.join("sweep.json")).unwrap()).unwrap()
}

fn csv(dir: &Path) -> String {
    fs::read_to_string(dir.join("sweep.csv")).unwrap()
}

fn mark_unfinished(dir: &Path) {
    let mut j = json(dir);
    j.progress.complete = false;
    fs::write(dir.join("sweep.json"), serde_json::to_string_pretty(&j).unwrap()).unwrap();
}

fn error(r: Result<Sweep>) -> String {
    match r {
        Ok(_) => panic!("expected the sweep to be refused"),
        Err(e) => e.to_string(),
    }
}

/// The rows of the three points, run one by one outside any sweep.
fn rows_alone() -> Vec<String> {
    let b = base();
    let g = grid(&b);
    (0..3).map(|p| format_row(&point_row(&b, &g, p, N, SEED, 1, &mut |_| {}).unwrap())).collect()
}

#[test]
fn a_sweep_runs_its_points_and_resumes_from_its_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    let header = csv_header(&grid(&base())).join(",") + "\n";
    let rows = rows_alone();
    let full = header.clone() + &rows.join("\n") + "\n";

    // Started: sweep.json says nothing is done, sweep.csv holds the header alone.
    let mut s = prepare(&dir, false).unwrap();
    assert_eq!((s.todo(), s.skipped(), s.note.clone()), (vec![0, 1, 2], 0, None));
    let j = json(&dir);
    assert_eq!(j.identity, s.identity);
    assert_eq!(j.progress, Progress { complete: false, points_done: 0, skipped: 0, ran: 0 });
    assert_eq!(csv(&dir), header);
    let mut ticks = Vec::new();
    let out = s.run(&mut |d| ticks.push(d)).unwrap();
    assert_eq!(out.iter().map(format_row).collect::<Vec<_>>(), rows);
    ticks.dedup();
    assert_eq!(ticks, [N, 2 * N, 3 * N], "each point's rollouts count on from the last's");
    assert_eq!(json(&dir).progress, Progress { complete: true, points_done: 3, skipped: 0, ran: 3 });
    assert_eq!(csv(&dir), full);
    drop(s);

    // Interrupted after point 2 (rows are appended in the order they finish), in the middle
    // of point 1's row: without --resume it is not overwritten; with it, only 0 and 1 run.
    fs::write(dir.join("sweep.csv"), format!("{header}{}\n{}", rows[2], &rows[1][..rows[1].len() / 2])).unwrap();
    mark_unfinished(&dir);
    let e = error(prepare(&dir, false));
    assert!(e.contains("holds an unfinished sweep (1 of 3 points done); continue it with --resume"), "{e}");
    let mut s = prepare(&dir, true).unwrap();
    assert_eq!((s.todo(), s.skipped(), s.note.clone()), (vec![0, 1], 1, None));
    assert_eq!(csv(&dir), format!("{header}{}\n", rows[2]), "the cut row is dropped when the rows are rewritten");
    let (mut ticks, mut midway) = (Vec::new(), None);
    let out = s
        .run(&mut |d| {
            ticks.push(d);
            // Point 1 running: sweep.json counts point 0 as run in this invocation.
            if d == 2 * N {
                midway = Some(json(&dir).progress);
            }
        })
        .unwrap();
    assert_eq!(midway, Some(Progress { complete: false, points_done: 2, skipped: 1, ran: 1 }));
    assert_eq!(out.iter().map(format_row).collect::<Vec<_>>(), rows, "every row, in point order");
    ticks.dedup();
    assert_eq!(ticks, [N, 2 * N], "the rollouts of this invocation");
    assert_eq!(json(&dir).progress, Progress { complete: true, points_done: 3, skipped: 1, ran: 2 });
    assert_eq!(csv(&dir), full, "resumed, the sweep ends as one run in one go");
    drop(s);

    // Rows that do not belong are not done: a short row, a point outside the grid, a point
    // with another value, a point that is not a number, a cell that is not a number.
    let other = rows[1].replacen("0.05", "0.06", 1);
    let bad_cell = rows[2].replacen(",0.", ",x.", 1);
    let lines = ["1,0.05".to_string(), rows[0].replacen('0', "7", 1), other, rows[1].replacen('1', "one", 1), bad_cell, rows[0].clone()];
    fs::write(dir.join("sweep.csv"), header.clone() + &lines.join("\n") + "\n").unwrap();
    mark_unfinished(&dir);
    let s = prepare(&dir, true).unwrap();
    assert_eq!((s.todo(), s.skipped()), (vec![1, 2], 1));
    drop(s);

    // Another sweep's columns, or a sweep.json this truce cannot read, are refused with --resume.
    fs::write(dir.join("sweep.csv"), header.replace("point,", "row,")).unwrap();
    mark_unfinished(&dir);
    let e = error(prepare(&dir, true));
    assert!(e.contains("does not have the columns of this sweep"), "{e}");
    fs::write(dir.join("sweep.json"), r#"{"identity": {"truce_version": "0.1.0"}}"#).unwrap();
    let e = error(prepare(&dir, true));
    assert!(e.contains("is not a sweep.json this truce can read"), "{e}");
    // Without --resume, the unreadable sweep is replaced by a new one.
    let s = prepare(&dir, false).unwrap();
    assert_eq!((s.todo(), s.skipped()), (vec![0, 1, 2], 0));
    assert_eq!(csv(&dir), header);
    drop(s);

    // Nothing to resume: a new sweep, and the user is told.
    let fresh = tmp.path().join("fresh");
    let s = prepare(&fresh, true).unwrap();
    assert!(s.note.as_deref().is_some_and(|n| n.contains("no sweep to resume")), "{:?}", s.note);
    assert_eq!(s.todo(), vec![0, 1, 2]);
    assert_eq!(json(&fresh).progress.points_done, 0);
}

#[test]
fn a_sweep_resumes_only_the_same_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    drop(prepare(&dir, false).unwrap());
    let b = base();
    let g = grid(&b);
    let e = error(Sweep::prepare(b, g, N, SEED + 1, 1, &dir, true));
    assert!(e.contains("the sweep in") && e.contains("differs in its seed;"), "{e}");

    // Each field of the identity is compared on its own; the file's path is not.
    let b = base();
    let id = identity(&b, &grid(&b), N, SEED);
    let changed = |f: &dyn Fn(&mut Identity)| {
        let mut other = id.clone();
        f(&mut other);
        differences(&id, &other)
    };
    assert!(changed(&|_| {}).is_empty());
    assert!(changed(&|i| i.file = "elsewhere/baseline.toml".into()).is_empty());
    assert_eq!(changed(&|i| i.truce_version = "0.0.1".into()), ["truce version"]);
    assert_eq!(changed(&|i| i.scenario = "other".into()), ["scenario"]);
    assert_eq!(changed(&|i| i.files[0].sha256 = "00".into()), ["scenario file contents"]);
    assert_eq!(changed(&|i| i.overrides.push("actors.us.aid=1".into())), ["--set/--with overrides"]);
    assert_eq!(changed(&|i| i.n += 1), ["N"]);
    assert_eq!(changed(&|i| i.points += 1), ["grid (--vary)"]);
    assert_eq!(changed(&|i| i.vary[0].hi = 0.2), ["grid (--vary)"]);
    assert_eq!(changed(&|i| (i.seed, i.n) = (1, 2)), ["seed", "N"]);
}

#[test]
fn a_sweep_completes_from_every_points_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    let b = base();
    let g = grid(&b);
    let made: Vec<PointRow> = (0..3).map(|p| point_row(&b, &g, p, N, SEED, 1, &mut |_| {}).unwrap()).collect();
    // A row travels between machines as its cells and comes back the same.
    for row in &made {
        let cells = row.cells();
        assert_eq!(cells.join(","), format_row(row));
        assert_eq!(format_row(&PointRow::from_cells(row.point, &g, &cells).unwrap()), format_row(row));
    }
    let cells = made[1].cells();
    let e = PointRow::from_cells(2, &g, &cells).unwrap_err().to_string();
    assert!(e.contains("the row of point 2 does not hold that point's values"), "{e}");
    let mut moved = cells.clone();
    moved[1] = "0.1".into();
    assert!(PointRow::from_cells(1, &g, &moved).is_err(), "point 1 with point 2's value");

    let mut s = prepare(&dir, false).unwrap();
    let e = s.complete(made[..2].to_vec()).unwrap_err().to_string();
    assert!(e.contains("1 of the sweep's 3 points are missing"), "{e}");
    drop(s);
    // The failed merge leaves an unfinished sweep, which is not overwritten; another folder is.
    assert!(error(prepare(&dir, false)).contains("holds an unfinished sweep (0 of 3 points done)"));
    let dir = tmp.path().join("merged");
    let mut s = prepare(&dir, false).unwrap();
    let out = s.complete(vec![made[2].clone(), made[0].clone(), made[1].clone()]).unwrap();
    assert_eq!(out.iter().map(|r| r.point).collect::<Vec<_>>(), [0, 1, 2]);
    let header = csv_header(&g).join(",") + "\n";
    assert_eq!(csv(&dir), header + &rows_alone().join("\n") + "\n");
    assert_eq!(json(&dir).progress, Progress { complete: true, points_done: 3, skipped: 0, ran: 3 });
}
