//! Chart tests: a small fake run folder (written exactly as `docs/outputs.md` describes) is
//! drawn, and the files are decoded and inspected. Written as one module with its own helpers
//! so it can be included in the project's single integration-test binary.
//!
//! Set `TRUCE_CHARTS_KEEP=DIR` to keep the drawn charts under DIR for a look.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use truce::charts::{self, ChartOptions, ChartReport, FontSearch, Lang};

const CHARTS: [&str; 6] = ["outcomes", "ceasefire", "territory", "terms", "costs", "influence"];
const TITLE: &str = "终极博弈 — endgame";

// ---------------------------------------------------------------- fixture

/// Options for the fake run.
#[derive(Clone)]
struct Fake {
    scenario: &'static str,
    title: &'static str,
    n: usize,
    /// Outcome counts in the order of docs/outputs.md; must add up to n.
    counts: [usize; 6],
    /// Monthly drift of the median area, km².
    drift: f64,
    history: bool,
}

impl Default for Fake {
    fn default() -> Self {
        Fake { scenario: "endgame", title: TITLE, n: 2000, counts: [1160, 320, 340, 100, 50, 30], drift: 240.0, history: true }
    }
}

const OUTCOMES: [&str; 6] = ["settlement", "ceasefire", "fight_and_talk", "ukraine_collapse", "russia_exhaustion", "escalation"];
const ISSUES: [(&str, &str, &str, f64, f64); 6] = [
    ("territory", "1991 borders restored", "Crimea and the four oblasts Russian and recognised", 0.74, 0.08),
    ("nato", "NATO path open", "permanent neutrality, no NATO ever", 0.86, 0.06),
    ("guarantees", "Western guarantees and a reassurance force", "no foreign troops, no guarantees", 0.42, 0.12),
    ("military_limits", "no limits on Ukraine's forces", "strict caps, no mobilisation", 0.55, 0.1),
    ("sanctions", "sanctions kept or tightened", "all lifted, Russia back in the G8", 0.6, 0.15),
    ("political", "no conditions on Ukraine's politics", "imposed elections, language and church status", 0.22, 0.1),
];
const ACTORS: [(&str, &str, [f64; 6]); 4] = [
    ("us", "United States", [0.8, 0.9, 0.7, 0.5, 0.6, 0.3]),
    ("russia", "Russia", [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
    ("ukraine", "Ukraine", [0.0, 0.2, 0.0, 0.0, 0.0, 0.0]),
    ("europe", "Europe", [0.1, 0.3, 0.0, 0.1, 0.2, 0.0]),
];
/// The issues' and actors' names, in English and Chinese, as the shipped baseline gives them.
const ISSUE_NAMES: [(&str, &str); 6] = [
    ("Territory", "领土"),
    ("NATO", "北约"),
    ("Guarantees", "安全保障"),
    ("Military limits", "军事限制"),
    ("Sanctions", "制裁"),
    ("Political", "政治条件"),
];
const ACTOR_ZH: [&str; 4] = ["美国", "俄罗斯", "乌克兰", "欧洲"];
const UKRAINE_KM2: f64 = 603_628.0;
const HORIZON: usize = 48;

/// A deterministic stand-in for random numbers (an LCG is plenty for fake data).
struct Lcg(u64);
impl Lcg {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
    }
    /// Roughly normal: the sum of four uniforms, centred and scaled.
    fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let s: f64 = (0..4).map(|_| self.uniform()).sum::<f64>() - 2.0;
        mean + sd * s * (3.0f64).sqrt()
    }
}

fn wilson(k: usize, n: usize) -> (f64, f64) {
    let (k, n, z) = (k as f64, n as f64, 1.96f64);
    let p = k / n;
    let d = 1.0 + z * z / n;
    let c = (p + z * z / (2.0 * n)) / d;
    let h = z * ((p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt()) / d;
    ((c - h).max(0.0), (c + h).min(1.0))
}

fn month_label(start_index: i64, m: i64) -> String {
    let i = start_index + m;
    format!("{:04}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1)
}

/// Writes runs.csv, timeseries.csv and summary.json into `dir`.
fn write_run(dir: &Path, f: &Fake) {
    std::fs::create_dir_all(dir).unwrap();
    assert_eq!(f.counts.iter().sum::<usize>(), f.n, "fixture counts must add up to n");
    let start = 2025 * 12 + 4; // 2025-05
    let mut rng = Lcg(20250516);

    // runs.csv: outcome by counts; first ceasefire/settlement months; terms for deals.
    let mut runs = String::from("rollout,outcome,ceasefire_month,settlement_month");
    for (id, ..) in ISSUES {
        write!(runs, ",terms.{id}").unwrap();
    }
    runs.push_str(",final_area_km2,final_area_pct,final_line");
    for (id, ..) in ACTORS {
        write!(runs, ",cost.{id}").unwrap();
    }
    for (id, ..) in ACTORS {
        write!(runs, ",utility.{id}").unwrap();
    }
    runs.push_str(",walked_away,abandoned,breakdowns,p.actors.russia.endurance\n");
    let mut outcome_of = Vec::new();
    for (i, &c) in f.counts.iter().enumerate() {
        outcome_of.extend(std::iter::repeat_n(i, c));
    }
    let mut cf_months = Vec::new();
    let mut st_months = Vec::new();
    for (r, &o) in outcome_of.iter().enumerate() {
        let cf = match o {
            0 | 1 => Some((rng.uniform() * 18.0) as i64),
            _ if rng.uniform() < 0.2 => Some((rng.uniform() * 40.0) as i64),
            _ => None,
        };
        let st = if o == 0 { cf.map(|c| c + 1 + (rng.uniform() * 14.0) as i64) } else { None };
        cf_months.push(cf);
        st_months.push(st);
        let cell = |v: Option<i64>| v.map(|m| m.to_string()).unwrap_or_default();
        write!(runs, "{r},{},{},{}", OUTCOMES[o], cell(cf), cell(st)).unwrap();
        for (k, (_, _, _, mean, sd)) in ISSUES.iter().enumerate() {
            let v = match o {
                0 => format!("{:.4}", rng.normal(*mean, *sd).clamp(0.0, 1.0)),
                1 if k == 0 => format!("{:.4}", rng.normal(0.83, 0.02).clamp(0.0, 1.0)),
                _ => String::new(),
            };
            write!(runs, ",{v}").unwrap();
        }
        let area = rng.normal(112_000.0 + f.drift * HORIZON as f64, 3000.0);
        write!(runs, ",{area:.0},{:.3},{:.4}", area / UKRAINE_KM2 * 100.0, (area - 8000.0) / 135_800.0).unwrap();
        for (i, _) in ACTORS.iter().enumerate() {
            write!(runs, ",{:.4}", rng.normal([0.1, 0.5, 0.7, 0.25][i], 0.05).max(0.0)).unwrap();
        }
        for _ in ACTORS {
            write!(runs, ",{:.4}", -rng.uniform() * 0.6).unwrap();
        }
        writeln!(
            runs,
            ",{},{},{},{:.4}",
            u8::from(rng.uniform() < 0.1),
            u8::from(rng.uniform() < 0.05),
            (rng.uniform() * 2.0) as u8,
            rng.normal(1.0, 0.2)
        )
        .unwrap();
    }
    std::fs::write(dir.join("runs.csv"), runs).unwrap();

    // timeseries.csv: tidy rows per (month, metric).
    let mut ts = String::from("month,date,metric,mean,p05,p25,p50,p75,p95\n");
    for m in 0..=HORIZON {
        let date = month_label(start, m as i64);
        let t = m as f64;
        let med = 112_200.0 + f.drift * t;
        let sd = 400.0 + 160.0 * t;
        // Quantiles of a normal: 1.645 and 0.674 standard deviations; a little right skew.
        writeln!(
            ts,
            "{m},{date},area_km2,{med:.1},{:.1},{:.1},{med:.1},{:.1},{:.1}",
            med - 1.645 * sd,
            med - 0.674 * sd,
            med + 0.75 * sd,
            med + 1.9 * sd
        )
        .unwrap();
        let settled = f.counts[0] as f64 / f.n as f64 * (1.0 - (-t / 10.0).exp());
        let cease = 0.15 * (1.0 - (-t / 6.0).exp());
        writeln!(ts, "{m},{date},p_at_war,{:.4},,,,,", 1.0 - settled - cease).unwrap();
        writeln!(ts, "{m},{date},p_ceasefire,{cease:.4},,,,,").unwrap();
        writeln!(ts, "{m},{date},p_settled,{settled:.4},,,,,").unwrap();
        for (i, (id, ..)) in ACTORS.iter().enumerate() {
            let rate = [0.002, 0.011, 0.015, 0.005][i];
            let med = rate * t;
            let sd = 0.15 * med + 0.002 * t.sqrt();
            writeln!(
                ts,
                "{m},{date},cost.{id},{med:.4},{:.4},{:.4},{med:.4},{:.4},{:.4}",
                (med - 1.645 * sd).max(0.0),
                (med - 0.674 * sd).max(0.0),
                med + 0.674 * sd,
                med + 1.645 * sd
            )
            .unwrap();
        }
    }
    std::fs::write(dir.join("timeseries.csv"), ts).unwrap();

    // summary.json.
    let n = f.n;
    let outcomes: Vec<String> = OUTCOMES
        .iter()
        .zip(f.counts)
        .map(|(id, c)| {
            let (lo, hi) = wilson(c, n);
            format!("\"{id}\": {{\"count\": {c}, \"p\": {:.6}, \"ci95\": [{lo:.6}, {hi:.6}]}}", c as f64 / n as f64)
        })
        .collect();
    let by_month = |months: &[Option<i64>]| -> String {
        (0..=HORIZON as i64)
            .map(|m| {
                let k = months.iter().filter(|v| v.is_some_and(|x| x <= m)).count();
                let (lo, hi) = wilson(k, n);
                format!(
                    "{{\"month\": {m}, \"date\": \"{}\", \"p\": {:.6}, \"ci95\": [{lo:.6}, {hi:.6}]}}",
                    month_label(start, m),
                    k as f64 / n as f64
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let issues: Vec<String> = ISSUES
        .iter()
        .zip(ISSUE_NAMES)
        .map(|((id, a, b, ..), (name, zh))| {
            format!("{{\"id\": \"{id}\", \"label0\": \"{a}\", \"label1\": \"{b}\", \"name\": \"{name}\", \"name_zh\": \"{zh}\"}}")
        })
        .collect();
    let actors: Vec<String> = ACTORS
        .iter()
        .zip(ACTOR_ZH)
        .map(|((id, name, ideal), zh)| {
            let ideal: Vec<String> = ISSUES.iter().zip(ideal).map(|((i, ..), v)| format!("\"{i}\": {v}")).collect();
            format!("{{\"id\": \"{id}\", \"name\": \"{name}\", \"name_zh\": \"{zh}\", \"ideal\": {{{}}}}}", ideal.join(", "))
        })
        .collect();
    let edges = [
        ("us", "ukraine", "aid", 0.6),
        ("us", "ukraine", "intelligence", 0.8),
        ("us", "ukraine", "leverage", 0.9),
        ("europe", "ukraine", "aid", 0.7),
        ("us", "russia", "sanctions", 0.5),
        ("europe", "russia", "sanctions", 0.6),
        ("us", "russia", "leverage", 0.4),
        ("ukraine", "europe", "alignment", 0.5),
        ("europe", "us", "alignment", 0.3),
    ];
    let edges: Vec<String> =
        edges.iter().map(|(a, b, k, w)| format!("{{\"from\": \"{a}\", \"to\": \"{b}\", \"kind\": \"{k}\", \"weight\": {w}}}")).collect();
    let history: Vec<String> = if f.history {
        (0..12)
            .map(|i| {
                let km2 = 108_600.0 + 312.0 * i as f64 + [0.0, 150.0, -80.0, 220.0, 40.0, -30.0, 190.0, 60.0, -120.0, 90.0, 10.0, 30.0][i];
                format!("{{\"date\": \"{}\", \"km2\": {km2:.0}}}", month_label(start - 12, i as i64))
            })
            .collect()
    } else {
        Vec::new()
    };
    let median = |v: &[Option<i64>]| {
        let mut m: Vec<i64> = v.iter().flatten().copied().collect();
        m.sort();
        m.get(m.len() / 2).map(|x| x.to_string()).unwrap_or_else(|| "null".into())
    };
    let final_med = 112_200.0 + f.drift * HORIZON as f64;
    let summary = format!(
        r#"{{
  "truce_version": "0.1.0",
  "scenario": "{scenario}",
  "title": "{title}",
  "n": {n},
  "seed": 20250516,
  "start": "2025-05",
  "horizon_months": {HORIZON},
  "outcomes": {{{outcomes}}},
  "ceasefire_by_month": [{cf}],
  "settlement_by_month": [{st}],
  "median_months_to_ceasefire": {mcf},
  "median_months_to_settlement": {mst},
  "final_area_km2": {{"median": {final_med:.0}, "p05": {p05:.0}, "p95": {p95:.0}, "median_pct": {pct:.2}}},
  "ukraine_km2": {UKRAINE_KM2},
  "claimed_km2": 135800,
  "quantile_resolution_km2": 25.0,
  "issues": [{issues}],
  "actors": [{actors}],
  "graph": {{"nodes": ["us", "russia", "ukraine", "europe"], "edges": [{edges}]}},
  "history": [{history}]
}}"#,
        scenario = f.scenario,
        title = f.title,
        outcomes = outcomes.join(", "),
        cf = by_month(&cf_months),
        st = by_month(&st_months),
        mcf = median(&cf_months),
        mst = median(&st_months),
        p05 = final_med - 12_000.0,
        p95 = final_med + 14_000.0,
        pct = final_med / UKRAINE_KM2 * 100.0,
        issues = issues.join(", "),
        actors = actors.join(", "),
        edges = edges.join(", "),
        history = history.join(", "),
    );
    std::fs::write(dir.join("summary.json"), summary).unwrap();
}

// ---------------------------------------------------------------- helpers

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Draws the default fake run into `<tmp>/run/charts` and returns (tempdir, charts dir, report).
fn draw(opts: &ChartOptions, search: FontSearch) -> (tempfile::TempDir, PathBuf, ChartReport) {
    draw_fake(&Fake::default(), opts, search)
}

fn draw_fake(fake: &Fake, opts: &ChartOptions, search: FontSearch) -> (tempfile::TempDir, PathBuf, ChartReport) {
    let tmp = temp();
    let run = tmp.path().join("run");
    write_run(&run, fake);
    let out = run.join("charts");
    let report = charts::draw_run_with(&run, &out, opts, search).unwrap_or_else(|e| panic!("draw_run failed: {e:#?}"));
    keep(&out, &format!("{}-{:?}-{}x{}-{:?}", fake.scenario, opts.lang, opts.width, opts.height, search));
    (tmp, out, report)
}

/// Copies the charts to `$TRUCE_CHARTS_KEEP/<tag>/` when that variable is set.
fn keep(out: &Path, tag: &str) {
    let Some(dir) = std::env::var_os("TRUCE_CHARTS_KEEP") else {
        return;
    };
    let dest = PathBuf::from(dir).join(tag);
    std::fs::create_dir_all(&dest).unwrap();
    for e in std::fs::read_dir(out).unwrap().flatten() {
        std::fs::copy(e.path(), dest.join(e.file_name())).unwrap();
    }
}

struct Png {
    width: u32,
    height: u32,
    /// RGB triples.
    rgb: Vec<[u8; 3]>,
}

fn read_png(path: &Path) -> Png {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = png::Decoder::new(file).read_info().unwrap_or_else(|e| panic!("{} does not decode: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("{}: unexpected colour type {other:?}", path.display()),
    };
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let rgb = buf[..info.buffer_size()].chunks(channels).map(|p| [p[0], p[1], p[2]]).collect();
    Png { width: info.width, height: info.height, rgb }
}

fn luma(p: [u8; 3]) -> f64 {
    0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64
}

/// Variance of the luminance over all pixels.
fn luma_variance(img: &Png) -> f64 {
    let n = img.rgb.len() as f64;
    let mean = img.rgb.iter().map(|&p| luma(p)).sum::<f64>() / n;
    img.rgb.iter().map(|&p| (luma(p) - mean).powi(2)).sum::<f64>() / n
}

/// Share of pixels that are not (near) white background.
fn ink_share(img: &Png, rows: std::ops::Range<u32>) -> f64 {
    let w = img.width as usize;
    let px: Vec<&[u8; 3]> = rows.flat_map(|y| img.rgb[y as usize * w..(y as usize + 1) * w].iter()).collect();
    px.iter().filter(|p| luma(***p) < 200.0).count() as f64 / px.len().max(1) as f64
}

/// Share of pixels that differ between two images of the same size.
fn diff_share(a: &Png, b: &Png) -> f64 {
    assert_eq!((a.width, a.height), (b.width, b.height));
    a.rgb.iter().zip(&b.rgb).filter(|(x, y)| x != y).count() as f64 / a.rgb.len() as f64
}

/// All text content of an SVG, one string per <text> element, trimmed.
fn svg_texts(path: &Path) -> Vec<String> {
    let xml = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{} is not XML: {e}", path.display()));
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.descendants().filter_map(|d| d.text()).collect::<String>().trim().to_string())
        .collect()
}

fn assert_svg_has(path: &Path, texts: &[String], want: &str) {
    assert!(texts.iter().any(|t| t.contains(want)), "{} has no text {want:?}; texts: {texts:?}", path.display());
}

fn opts(lang: Lang, width: u32, height: u32) -> ChartOptions {
    ChartOptions { lang, width, height, font: None }
}

/// The CJK font the tests need; fails with what to install instead of passing silently.
fn require_cjk_font() -> PathBuf {
    charts::find_cjk_font()
        .expect("no CJK font found: install one for the Chinese chart tests (Debian/Ubuntu: apt-get install -y fonts-wqy-microhei)")
}

// ---------------------------------------------------------------- tests

#[test]
fn every_chart_is_written_in_both_formats_at_the_requested_size() {
    for (w, h) in [(1600, 1000), (800, 500)] {
        let (_tmp, out, report) = draw(&opts(Lang::En, w, h), FontSearch::System);
        for name in CHARTS {
            for ext in ["png", "svg"] {
                let p = out.join(format!("{name}.{ext}"));
                assert!(p.is_file(), "{} missing", p.display());
                assert!(report.files.contains(&p), "{} not reported", p.display());
            }
            let img = read_png(&out.join(format!("{name}.png")));
            assert_eq!((img.width, img.height), (w, h), "{name}.png");
            // Far above a blank canvas (0) even at the small size; see pngs_are_not_blank.
            assert!(luma_variance(&img) > 300.0, "{name}.png at {w}x{h} looks blank");
        }
        assert_eq!(report.files.len(), 12);
    }
}

/// A blank canvas has luminance variance 0. The reference for "nearly blank" is a chart that
/// holds only its frame — title, footer and one line of text — which is what the terms chart
/// of a run without settlements is: about 650 at 1600×1000 with the text of docs/charts.md's
/// size rule (330 with the smaller text before it). Every chart with axes and data marks
/// measured 1,226–2,293 (1.9–3.5 times that; the sparse influence graph lowest), so requiring
/// more than 1.5 times the frame-only variance fails a chart whose plot came out empty while
/// leaving room for sparse charts. The ink share in the plot band (between title and footer)
/// must also exceed 2%.
#[test]
fn pngs_are_not_blank() {
    let o = opts(Lang::En, 1600, 1000);
    let stalemate = Fake { scenario: "stalemate", title: "Stalemate", counts: [0, 400, 1400, 100, 60, 40], ..Fake::default() };
    let (_t0, frame_only, _) = draw_fake(&stalemate, &o, FontSearch::EmbeddedOnly);
    let baseline = luma_variance(&read_png(&frame_only.join("terms.png")));
    assert!(baseline > 50.0, "the frame-only reference itself looks blank: {baseline:.1}");
    let (_tmp, out, _) = draw(&o, FontSearch::System);
    for name in CHARTS {
        let img = read_png(&out.join(format!("{name}.png")));
        let var = luma_variance(&img);
        let ink = ink_share(&img, 120..880);
        eprintln!("{name}: luma variance {var:.0} (frame only: {baseline:.0}), ink share in plot band {ink:.3}");
        assert!(var > 1.5 * baseline, "{name}.png looks blank: luminance variance {var:.1} vs {baseline:.1} for a frame only");
        assert!(ink > 0.02, "{name}.png has almost nothing in its plot band: {ink:.4}");
    }
}

#[test]
fn svgs_parse_and_hold_title_and_axis_labels() {
    let (_tmp, out, report) = draw(&opts(Lang::En, 1600, 1000), FontSearch::System);
    // This machine has a CJK font (see chinese_labels_are_drawn_as_glyphs), so the Chinese
    // title is kept under English labels.
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let expect: [(&str, &str, &[&str]); 6] = [
        (
            "outcomes",
            "outcome probabilities at the horizon",
            &["Probability (%), bars with 95% interval", "Settlement", "NATO–Russia escalation", "58.0%"],
        ),
        ("ceasefire", "first ceasefire and settlement by month", &["Cumulative probability (%)", "Month (YYYY-MM)", "2026-01"]),
        ("territory", "Russian-held area by month", &["Russian-held area (km²)", "Share of Ukraine (%)", "Month (YYYY-MM)", "Observed"]),
        ("terms", "terms of the settlements", &["Agreed terms (0 to 1; 1 = Russia's maximal demand)", "Territory", "United States"]),
        ("costs", "cumulative cost per actor", &["Cost (1 = all endurance)", "Month (YYYY-MM)", "Russia"]),
        ("influence", "influence graph", &["Kind:", "aid", "Weight:", "United States"]),
    ];
    for (name, subject, labels) in expect {
        let path = out.join(format!("{name}.svg"));
        let texts = svg_texts(&path);
        assert_svg_has(&path, &texts, &format!("{TITLE}: {subject}"));
        assert_svg_has(&path, &texts, "Scenario endgame");
        assert_svg_has(&path, &texts, "seed 20250516");
        assert_svg_has(&path, &texts, "truce 0.1.0");
        for l in labels {
            assert_svg_has(&path, &texts, l);
        }
    }
}

/// Chinese charts of a shipped scenario are drawn with the embedded font: byte for byte the same
/// with the machine's fonts searched and with none, so they are the same on every machine.
#[test]
fn chinese_labels_are_drawn_as_glyphs_the_same_on_every_machine() {
    let zh = opts(Lang::Zh, 1600, 1000);
    let (_t1, with_system, report) = draw(&zh, FontSearch::System);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let (_t2, without_fonts, report) = draw(&zh, FontSearch::EmbeddedOnly);
    assert!(report.warnings.is_empty(), "the embedded font should cover every label: {:?}", report.warnings);
    let (_t3, english, _) = draw(&opts(Lang::En, 1600, 1000), FontSearch::EmbeddedOnly);

    for name in CHARTS {
        let file = format!("{name}_zh.png");
        let a = read_png(&with_system.join(&file));
        assert_eq!(
            std::fs::read(with_system.join(&file)).unwrap(),
            std::fs::read(without_fonts.join(&file)).unwrap(),
            "{file} depends on the machine's fonts"
        );
        assert!(!english.join(&file).exists() && english.join(format!("{name}.png")).is_file(), "file names by language");
        let c = read_png(&english.join(format!("{name}.png")));
        // The title band (Chinese scenario title) holds ink: glyphs, not nothing.
        let title_ink = ink_share(&a, 20..70);
        assert!(title_ink > 0.01, "{name}: title band nearly empty ({title_ink:.4})");
        // The Chinese render differs from the English one (same data: only the labels' language).
        let d_english = diff_share(&a, &c);
        eprintln!("{name}: differs from English in {d_english:.4} of pixels");
        assert!(d_english > 0.002, "{name}: Chinese render looks like the English one ({d_english:.5})");
    }
    let texts = svg_texts(&with_system.join("outcomes_zh.svg"));
    for want in ["全面和解", "北约—俄罗斯冲突升级", "终极博弈 — endgame：期末各结局的概率", "随机种子 20250516"]
    {
        assert_svg_has(&with_system.join("outcomes_zh.svg"), &texts, want);
    }
    let texts = svg_texts(&with_system.join("territory_zh.svg"));
    assert_svg_has(&with_system.join("territory_zh.svg"), &texts, "俄方控制面积（平方公里）");
}

#[test]
fn chinese_draws_with_the_font_given_in_options() {
    let font = require_cjk_font();
    let o = ChartOptions { font: Some(font), ..opts(Lang::Zh, 1000, 640) };
    let (_tmp, out, report) = draw(&o, FontSearch::EmbeddedOnly);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let texts = svg_texts(&out.join("terms_zh.svg"));
    assert_svg_has(&out.join("terms_zh.svg"), &texts, "领土");
    // Drawn with that font, not the embedded one: the SVG asks for it by its own family name.
    let svg = std::fs::read_to_string(out.join("terms_zh.svg")).unwrap();
    assert!(svg.contains("wqy-microhei-") && !svg.contains("truce CJK"), "the SVG does not name the --font family");
}

/// A title of one's own with characters no font has: the labels stay Chinese, the title gives way
/// to the scenario name, and the warning lists the missing characters in their order.
#[test]
fn a_title_no_font_covers_is_replaced_and_its_characters_named_in_order() {
    let odd = Fake { title: "龘鑫龘 scenario", ..Fake::default() };
    let (_tmp, out, report) = draw_fake(&odd, &opts(Lang::Zh, 1200, 750), FontSearch::EmbeddedOnly);
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    let w = &report.warnings[0];
    assert!(w.contains("\"龘鑫\"") && w.contains("fonts-wqy-microhei") && w.contains("--font"), "warning: {w}");
    for name in CHARTS {
        let path = out.join(format!("{name}_zh.svg"));
        let texts = svg_texts(&path);
        let all = texts.join("\n");
        assert!(!all.contains('龘'), "{name}_zh.svg still has the title: {texts:?}");
        // The title gives way to the scenario name; the labels stay Chinese.
        assert!(texts.iter().any(|t| t.starts_with("endgame：")), "{name}_zh.svg title: {texts:?}");
    }
    let texts = svg_texts(&out.join("outcomes_zh.svg"));
    assert_svg_has(&out.join("outcomes_zh.svg"), &texts, "全面和解");
}

#[test]
fn english_with_a_chinese_title_needs_no_font_of_the_machine() {
    let (_tmp, out, report) = draw(&opts(Lang::En, 1600, 1000), FontSearch::EmbeddedOnly);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let texts = svg_texts(&out.join("ceasefire.svg"));
    assert_svg_has(&out.join("ceasefire.svg"), &texts, &format!("{TITLE}: first ceasefire and settlement by month"));
}

#[test]
fn a_run_without_settlements_says_so_on_the_terms_chart() {
    let fake = Fake { scenario: "stalemate", title: "Stalemate", counts: [0, 400, 1400, 100, 60, 40], history: false, ..Fake::default() };
    let (_tmp, out, report) = draw_fake(&fake, &opts(Lang::En, 1600, 1000), FontSearch::EmbeddedOnly);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let texts = svg_texts(&out.join("terms.svg"));
    assert_svg_has(&out.join("terms.svg"), &texts, "No settlements in this run");
    for name in CHARTS {
        assert!(out.join(format!("{name}.png")).is_file());
    }
    // No history: the territory chart has no "Observed" entry.
    let texts = svg_texts(&out.join("territory.svg"));
    assert!(!texts.iter().any(|t| t == "Observed"), "{texts:?}");
}

#[test]
fn comparison_draws_grouped_and_overlaid_charts() {
    let tmp = temp();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    write_run(&a, &Fake::default());
    write_run(
        &b,
        &Fake {
            scenario: "fight-and-talk",
            title: "边打边谈 — fight-and-talk",
            counts: [220, 300, 1200, 180, 60, 40],
            drift: 330.0,
            ..Fake::default()
        },
    );
    let out = tmp.path().join("cmp");
    let labels = vec!["endgame".to_string(), "fight-and-talk".to_string()];
    let report = charts::draw_compare(&[&a, &b], &labels, &out, &opts(Lang::En, 1600, 1000)).unwrap();
    keep(&out, "compare");
    assert_eq!(report.files.len(), 6);
    for (name, subject) in [
        ("compare_outcomes", "outcome probabilities"),
        ("compare_ceasefire", "first ceasefire and settlement by month"),
        ("compare_territory", "Russian-held area by month"),
    ] {
        let img = read_png(&out.join(format!("{name}.png")));
        assert!(luma_variance(&img) > 1000.0, "{name} blank");
        let path = out.join(format!("{name}.svg"));
        let texts = svg_texts(&path);
        assert_svg_has(&path, &texts, &format!("Scenario comparison: {subject}"));
        assert_svg_has(&path, &texts, "fight-and-talk");
    }
    let zh = charts::draw_compare(&[&a, &b], &labels, &tmp.path().join("cmp-zh"), &opts(Lang::Zh, 1600, 1000)).unwrap();
    keep(&tmp.path().join("cmp-zh"), "compare-zh");
    assert_eq!(zh.files.len(), 6);

    let err = charts::draw_compare(&[&a, &b], &labels[..1], &out, &opts(Lang::En, 1600, 1000)).unwrap_err();
    assert!(err.to_string().contains("2 run folders but 1 labels"), "{err}");
}

#[test]
fn errors_name_the_file_that_failed() {
    let tmp = temp();
    let run = tmp.path().join("run");
    write_run(&run, &Fake::default());
    let out = run.join("charts");
    let o = ChartOptions::default();

    std::fs::remove_file(run.join("timeseries.csv")).unwrap();
    let err = charts::draw_run(&run, &out, &o).unwrap_err();
    assert!(err.to_string().contains("timeseries.csv"), "{err}");

    std::fs::write(run.join("summary.json"), "{ not json").unwrap();
    let err = charts::draw_run(&run, &out, &o).unwrap_err();
    assert!(err.to_string().contains("summary.json"), "{err}");

    let err = charts::draw_run(&tmp.path().join("nowhere"), &out, &o).unwrap_err();
    assert!(err.to_string().contains("nowhere"), "{err}");

    write_run(&run, &Fake::default());
    let bad_font = ChartOptions { font: Some(tmp.path().join("missing.ttf")), ..o.clone() };
    let err = charts::draw_run(&run, &out, &bad_font).unwrap_err();
    assert!(err.to_string().contains("missing.ttf"), "{err}");

    let tiny = ChartOptions { width: 10, height: 10, ..o };
    let err = charts::draw_run(&run, &out, &tiny).unwrap_err();
    assert!(err.to_string().contains("10x10"), "{err}");
}

/// A share of 0.1% keeps a visible bar: its colour shows beside and around the interval's caps
/// (the bar would be about one pixel wide at its true length). Labels follow the terminal's
/// rule (`truce::stats::percent`): `0.1%`, and `0%` for none.
#[test]
fn a_bar_of_a_tenth_of_a_percent_stays_visible() {
    let tiny = Fake { counts: [1160, 320, 468, 50, 0, 2], ..Fake::default() };
    let (_tmp, out, _) = draw_fake(&tiny, &opts(Lang::En, 1600, 1000), FontSearch::EmbeddedOnly);
    let img = read_png(&out.join("outcomes.png"));
    // The escalation bar's colour (Okabe–Ito reddish purple), drawn nowhere else on this chart.
    let purple = img.rgb.iter().filter(|p| **p == [204, 121, 167]).count();
    eprintln!("escalation bar: {purple} pixels");
    assert!(purple >= 150, "the 0.1% bar is hardly visible: {purple} pixels of its colour");
    let texts = svg_texts(&out.join("outcomes.svg"));
    assert_svg_has(&out.join("outcomes.svg"), &texts, "0.1%");
    assert_svg_has(&out.join("outcomes.svg"), &texts, "0%");
    assert_eq!(truce::stats::percent(0.001), "0.1%");
    assert_eq!(truce::stats::percent(0.0), "0%");
    assert_eq!(truce::stats::percent(0.0004), "<0.1%");
}

/// docs/charts.md's text rule, seen in the SVGs: printed 8 cm wide, no text of any chart is
/// smaller than 4.5 pt, in English and Chinese, at the default size and at 800×500. (A 1600-px
/// chart printed 8 cm wide has 7.06 px per point; the SVG's `font-size` is the em in pixels.)
#[test]
fn no_text_is_smaller_than_the_rule_at_half_page_width() {
    for (lang, w, h) in [(Lang::En, 1600, 1000), (Lang::Zh, 1600, 1000), (Lang::En, 800, 500), (Lang::Zh, 800, 500)] {
        let (_tmp, out, _) = draw(&opts(lang, w, h), FontSearch::EmbeddedOnly);
        let px_per_pt = w as f64 / 80.0 * 0.352_778;
        for entry in std::fs::read_dir(&out).unwrap().flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|x| x != "svg") {
                continue;
            }
            let xml = std::fs::read_to_string(&path).unwrap();
            let doc = roxmltree::Document::parse(&xml).unwrap();
            for t in doc.descendants().filter(|n| n.has_tag_name("text")) {
                let size: f64 = t
                    .attribute("font-size")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| panic!("{}: a text without font-size", path.display()));
                let pt = size / px_per_pt;
                let text: String = t.descendants().filter_map(|d| d.text()).collect();
                assert!(pt >= 4.5 - 1e-9, "{} ({w}×{h}): {text:?} is {pt:.3} pt at 8 cm", path.display());
            }
        }
    }
}
