//! Every word a chart draws, in English and Chinese, in one table.
//!
//! Charts never spell out text themselves: they ask this module. Data from the run folder
//! (scenario title, actor names, issue end labels) is passed through as written, except that
//! the shipped issue and actor ids get a Chinese name under [`Lang::Zh`] when the scenario
//! wrote them in English.

use super::Lang;

/// The six outcomes in the order of `docs/outputs.md`.
pub const OUTCOME_IDS: [&str; 6] = crate::model::Outcome::NAMES;

/// The influence-graph edge kinds that have a name and a colour of their own.
pub const EDGE_KINDS: [&str; 5] = ["aid", "intelligence", "sanctions", "leverage", "alignment"];

pub struct Labels {
    pub outcomes: [&'static str; 6],
    pub edge_kinds: [&'static str; 5],

    pub subj_outcomes: &'static str,
    pub subj_ceasefire: &'static str,
    pub subj_territory: &'static str,
    pub subj_terms: &'static str,
    pub subj_costs: &'static str,
    pub subj_influence: &'static str,
    pub subj_cmp_outcomes: &'static str,
    pub subj_cmp_ceasefire: &'static str,
    pub subj_cmp_territory: &'static str,
    /// Stands in for the scenario title on comparison charts.
    pub comparison: &'static str,
    /// Between the scenario title and the chart subject.
    pub title_sep: &'static str,
    /// Between footer items.
    pub item_sep: &'static str,

    pub ax_probability: &'static str,
    pub ax_outcome: &'static str,
    pub ax_cum_probability: &'static str,
    pub ax_month: &'static str,
    pub ax_area_km2: &'static str,
    pub ax_area_pct: &'static str,
    pub ax_terms: &'static str,
    pub ax_issue: &'static str,
    pub ax_cost: &'static str,

    pub lg_first_ceasefire: &'static str,
    pub lg_settlement: &'static str,
    pub lg_ci95: &'static str,
    pub lg_median: &'static str,
    pub lg_band50: &'static str,
    /// The costs chart's legend heading: what its lines and bands are.
    pub lg_cost_key: &'static str,
    /// The influence chart's entry for a patron's aid to its client.
    pub lg_patron_aid: &'static str,
    pub lg_band90: &'static str,
    pub lg_observed: &'static str,
    pub lg_start: &'static str,
    pub lg_ideal: &'static str,
    pub lg_terms_hist: &'static str,
    pub lg_kind: &'static str,
    pub lg_weight: &'static str,
    pub lg_solid_dashed: &'static str,

    pub no_settlements: &'static str,
    pub no_data: &'static str,
}

pub static EN: Labels = Labels {
    outcomes: [
        "Settlement",
        "Ceasefire (frozen conflict)",
        "Fight and talk",
        "Ukraine collapses",
        "Russia exhausted",
        "NATO–Russia escalation",
    ],
    edge_kinds: ["aid", "intelligence", "sanctions", "leverage", "alignment"],

    subj_outcomes: "outcome probabilities at the horizon",
    subj_ceasefire: "first ceasefire and settlement by month",
    subj_territory: "Russian-held area by month",
    subj_terms: "terms of the settlements",
    subj_costs: "cumulative cost per actor",
    subj_influence: "influence graph",
    subj_cmp_outcomes: "outcome probabilities",
    subj_cmp_ceasefire: "first ceasefire and settlement by month",
    subj_cmp_territory: "Russian-held area by month",
    comparison: "Scenario comparison",
    title_sep: ": ",
    item_sep: "  ·  ",

    ax_probability: "Probability (%), bars with 95% interval",
    ax_outcome: "Outcome",
    ax_cum_probability: "Cumulative probability (%)",
    ax_month: "Month (YYYY-MM)",
    ax_area_km2: "Russian-held area (km²)",
    ax_area_pct: "Share of Ukraine (%)",
    ax_terms: "Agreed terms (0 to 1; 1 = Russia's maximal demand)",
    ax_issue: "Issue",
    ax_cost: "Cost (1 = all endurance)",

    lg_first_ceasefire: "First ceasefire (or settlement)",
    lg_settlement: "Comprehensive settlement",
    lg_ci95: "95% interval",
    lg_median: "Median",
    lg_band50: "50% band (p25–p75)",
    lg_cost_key: "Lines: medians; shaded: 50% bands (p25–p75):",
    lg_patron_aid: "patron's aid (role; width: aid level)",
    lg_band90: "90% band (p05–p95)",
    lg_observed: "Observed",
    lg_start: "start",
    lg_ideal: "Ideal points:",
    lg_terms_hist: "Agreed terms",
    lg_kind: "Kind:",
    lg_weight: "Weight:",
    lg_solid_dashed: "solid: first ceasefire, dashed: settlement",

    no_settlements: "No settlements in this run",
    no_data: "No data",
};

pub static ZH: Labels = Labels {
    outcomes: ["全面和解", "停火（冻结冲突）", "边打边谈", "乌克兰崩溃", "俄罗斯力竭", "北约—俄罗斯冲突升级"],
    edge_kinds: ["援助", "情报", "制裁", "施压筹码", "立场一致"],

    subj_outcomes: "期末各结局的概率",
    subj_ceasefire: "首次停火与全面和解的累计概率",
    subj_territory: "俄方控制面积（按月）",
    subj_terms: "和解条款的分布",
    subj_costs: "各方累计代价",
    subj_influence: "影响力网络",
    subj_cmp_outcomes: "结局概率",
    subj_cmp_ceasefire: "首次停火与全面和解的累计概率",
    subj_cmp_territory: "俄方控制面积（按月）",
    comparison: "情景比较",
    title_sep: "：",
    item_sep: "  ·  ",

    ax_probability: "概率（%），误差线为 95% 区间",
    ax_outcome: "结局",
    ax_cum_probability: "累计概率（%）",
    ax_month: "月份（年-月）",
    ax_area_km2: "俄方控制面积（平方公里）",
    ax_area_pct: "占乌克兰国土（%）",
    ax_terms: "协议条款（0 至 1；1 = 俄方最高要求）",
    ax_issue: "议题",
    ax_cost: "累计代价（1 = 全部耐力）",

    lg_first_ceasefire: "首次停火（或和解）",
    lg_settlement: "全面和解",
    lg_ci95: "95% 区间",
    lg_median: "中位数",
    lg_band50: "50% 区间（p25–p75）",
    lg_cost_key: "线为中位数，阴影为 50% 区间（p25–p75）：",
    lg_patron_aid: "庇护方援助（角色；宽度：援助水平）",
    lg_band90: "90% 区间（p05–p95）",
    lg_observed: "实际观测",
    lg_start: "起点",
    lg_ideal: "理想点：",
    lg_terms_hist: "协议条款分布",
    lg_kind: "类型：",
    lg_weight: "权重：",
    lg_solid_dashed: "实线：首次停火；虚线：全面和解",

    no_settlements: "本次运行中没有达成全面和解的推演",
    no_data: "无数据",
};

pub fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

impl Labels {
    fn lang(&self) -> Lang {
        if std::ptr::eq(self, &ZH) { Lang::Zh } else { Lang::En }
    }

    /// The display name of an outcome id; the id itself if unknown.
    pub fn outcome(&self, id: &str) -> String {
        match OUTCOME_IDS.iter().position(|o| *o == id) {
            Some(i) => self.outcomes[i].to_string(),
            None => id.to_string(),
        }
    }

    pub fn edge_kind(&self, kind: &str) -> String {
        match EDGE_KINDS.iter().position(|k| *k == kind) {
            Some(i) => self.edge_kinds[i].to_string(),
            None => kind.to_string(),
        }
    }

    pub fn title(&self, scenario_title: &str, subject: &str) -> String {
        format!("{scenario_title}{}{subject}", self.title_sep)
    }

    /// The footer of a single-run chart.
    pub fn footer(&self, scenario: &str, n: u64, seed: u64, start: &str, horizon: u32, version: &str) -> String {
        let n = thousands(n as f64);
        let sep = self.item_sep;
        match self.lang() {
            Lang::En => format!(
                "Scenario {scenario}{sep}N = {n} rollouts{sep}seed {seed}{sep}start {start}, horizon {horizon} months{sep}truce {version}"
            ),
            Lang::Zh => format!(
                "情景 {scenario}{sep}推演次数 N = {n}{sep}随机种子 {seed}{sep}起点 {start}，期限 {horizon} 个月{sep}truce {version}"
            ),
        }
    }

    /// One run's entry in the footer of a comparison chart.
    pub fn footer_run(&self, label: &str, scenario: &str, n: u64, seed: u64) -> String {
        let n = thousands(n as f64);
        // "endgame = endgame" says nothing: a label that is the scenario's name stands alone.
        let who = if label == scenario { scenario.to_string() } else { format!("{label} = {scenario}") };
        match self.lang() {
            Lang::En => format!("{who} (N = {n}, seed {seed})"),
            Lang::Zh => format!("{who}（N = {n}，种子 {seed}）"),
        }
    }

    pub fn footer_version(&self, version: &str) -> String {
        format!("truce {version}")
    }

    /// "(6,123 of 10,000 rollouts settled)".
    pub fn settled_count(&self, settled: u64, n: u64) -> String {
        match self.lang() {
            Lang::En => format!("({} of {} rollouts settled)", thousands(settled as f64), thousands(n as f64)),
            Lang::Zh => format!("（{} 次推演中 {} 次达成和解）", thousands(n as f64), thousands(settled as f64)),
        }
    }

    /// The display name of an issue: the scenario's name for it in the chart language (under
    /// Zh its `name_zh`, else its `name`), else its id made readable ("military_limits" →
    /// "Military limits").
    pub fn issue(&self, id: &str, name: Option<&str>, name_zh: Option<&str>) -> String {
        let given = if self.lang() == Lang::Zh { name_zh.or(name) } else { name };
        match given {
            Some(n) if !n.trim().is_empty() => n.to_string(),
            _ => readable(id),
        }
    }

    /// The two ends of an issue: under Zh the scenario's Chinese ends when it gives both.
    pub fn issue_ends(&self, label0: &str, label1: &str, zh: (Option<&str>, Option<&str>)) -> (String, String) {
        match (self.lang(), zh) {
            (Lang::Zh, (Some(a), Some(b))) => (a.to_string(), b.to_string()),
            _ => (label0.to_string(), label1.to_string()),
        }
    }

    /// The display name of an actor: under Zh its `name_zh`, else its name, else the id.
    pub fn actor(&self, id: &str, name: Option<&str>, name_zh: Option<&str>) -> String {
        let given = if self.lang() == Lang::Zh { name_zh.or(name) } else { name };
        match given {
            Some(n) if !n.trim().is_empty() => n.to_string(),
            _ => id.to_string(),
        }
    }

    /// "first ceasefire" style run label fallback when a caller's label cannot be drawn.
    pub fn run_fallback(&self, i: usize) -> String {
        match self.lang() {
            Lang::En => format!("run {}", i + 1),
            Lang::Zh => format!("运行 {}", i + 1),
        }
    }

    /// Every static string, so a font can be checked against all of them at once.
    pub fn all_static(&self) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = Vec::new();
        v.extend(self.outcomes);
        v.extend(self.edge_kinds);
        v.extend([
            self.subj_outcomes,
            self.subj_ceasefire,
            self.subj_territory,
            self.subj_terms,
            self.subj_costs,
            self.subj_influence,
            self.subj_cmp_outcomes,
            self.subj_cmp_ceasefire,
            self.subj_cmp_territory,
            self.comparison,
            self.title_sep,
            self.item_sep,
            self.ax_probability,
            self.ax_outcome,
            self.ax_cum_probability,
            self.ax_month,
            self.ax_area_km2,
            self.ax_area_pct,
            self.ax_terms,
            self.ax_issue,
            self.ax_cost,
            self.lg_first_ceasefire,
            self.lg_settlement,
            self.lg_ci95,
            self.lg_median,
            self.lg_band50,
            self.lg_cost_key,
            self.lg_patron_aid,
            self.lg_band90,
            self.lg_observed,
            self.lg_start,
            self.lg_ideal,
            self.lg_terms_hist,
            self.lg_kind,
            self.lg_weight,
            self.lg_solid_dashed,
            self.no_settlements,
            self.no_data,
        ]);
        v
    }

    /// The formatted strings (footer patterns) with sample values, for the same font check.
    /// Names of issues and actors come from the scenarios (`scripts/font-subset.sh` reads them).
    pub fn all_formatted(&self) -> Vec<String> {
        let mut v = vec![
            self.footer("x", 1000, 1, "2025-05", 48, "0.1.0"),
            self.footer_run("a", "x", 1000, 1),
            self.settled_count(1, 2),
            self.run_fallback(0),
        ];
        v.push("0123456789.,-−+%²:km".to_string());
        v
    }
}

/// An id made readable: "military_limits" → "Military limits".
fn readable(id: &str) -> String {
    let text = id.replace('_', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

/// 121000 -> "121,000" (rounded to an integer).
pub fn thousands(x: f64) -> String {
    let neg = x < 0.0;
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if neg && out != "0" {
        out.insert(0, '−');
    }
    out
}

/// A probability as a percentage with one decimal; "0%" for exactly zero.
pub use crate::stats::percent;

#[cfg(test)]
mod tests {
    use super::*;

    /// Names come from the scenario in the chart's language; without one, the id made readable.
    #[test]
    fn names_follow_the_scenario_then_the_id() {
        assert_eq!(EN.issue("military_limits", None, Some("军事限制")), "Military limits");
        assert_eq!(EN.issue("nato", Some("NATO"), Some("北约")), "NATO");
        assert_eq!(ZH.issue("nato", Some("NATO"), Some("北约")), "北约");
        assert_eq!(ZH.issue("nato", Some("NATO"), None), "NATO");
        assert_eq!(ZH.issue("x", None, None), "X");
        assert_eq!(EN.issue("", None, None), "");
        assert_eq!(ZH.actor("us", Some("United States"), Some("美国")), "美国");
        assert_eq!(EN.actor("us", Some("United States"), Some("美国")), "United States");
        assert_eq!(ZH.actor("us", Some(" "), None), "us");
        assert_eq!(ZH.issue_ends("a", "b", (Some("甲"), Some("乙"))), ("甲".to_string(), "乙".to_string()));
        assert_eq!(ZH.issue_ends("a", "b", (Some("甲"), None)), ("a".to_string(), "b".to_string()));
        assert_eq!(EN.issue_ends("a", "b", (Some("甲"), Some("乙"))), ("a".to_string(), "b".to_string()));
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1000.0), "1,000");
        assert_eq!(thousands(121000.4), "121,000");
        assert_eq!(thousands(1234567.0), "1,234,567");
        assert_eq!(thousands(-2500.0), "−2,500");
    }

    #[test]
    fn percent_formats() {
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(0.6123), "61.2%");
        assert_eq!(percent(0.0001), "<0.1%");
    }

    #[test]
    fn both_tables_name_every_outcome() {
        for l in [&EN, &ZH] {
            for (i, id) in OUTCOME_IDS.iter().enumerate() {
                assert_eq!(l.outcome(id), l.outcomes[i]);
            }
        }
        assert_eq!(ZH.outcome("escalation"), "北约—俄罗斯冲突升级");
    }
}
