//! The words of the analysis charts (sweep, heatmap, tornado), in English and Chinese. Kept
//! beside `labels` rather than in it so the single-run table stays as it is; the same rule
//! holds: charts ask for their text, they never spell it out.

use super::Lang;
use super::labels::thousands;

pub struct AnalysisLabels {
    pub subj_sweep: &'static str,
    pub subj_heatmap: &'static str,
    pub subj_tornado: &'static str,
    pub ax_probability: &'static str,
    pub lg_all_drawn: &'static str,
    pub lg_p10: &'static str,
    pub lg_p90: &'static str,
    pub lg_colour: &'static str,
    pub ax_tornado: &'static str,
    pub lang: Lang,
}

pub static EN: AnalysisLabels = AnalysisLabels {
    subj_sweep: "outcome probabilities across a sweep",
    subj_heatmap: "probability over a two-parameter grid",
    subj_tornado: "probability, one uncertain parameter at a time held at p10 and p90",
    ax_probability: "Probability (%), with 95% interval",
    lg_all_drawn: "every parameter drawn",
    lg_p10: "held at its 10th percentile",
    lg_p90: "held at its 90th percentile",
    lg_colour: "Probability (%)",
    ax_tornado: "Probability (%)",
    lang: Lang::En,
};

pub static ZH: AnalysisLabels = AnalysisLabels {
    subj_sweep: "参数扫描下各结局的概率",
    subj_heatmap: "概率（双参数网格）",
    subj_tornado: "概率：逐一将不确定参数固定于第 10、第 90 百分位",
    ax_probability: "概率（%），阴影为 95% 区间",
    lg_all_drawn: "所有参数随机抽取",
    lg_p10: "固定于第 10 百分位",
    lg_p90: "固定于第 90 百分位",
    lg_colour: "概率（%）",
    ax_tornado: "概率（%）",
    lang: Lang::Zh,
};

pub fn analysis_labels(lang: Lang) -> &'static AnalysisLabels {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

impl AnalysisLabels {
    /// The footer: scenario, rollouts per point of a sweep (`per_point`) or per run of a
    /// tornado, seed, version.
    pub fn footer(&self, scenario: &str, n: u64, per_point: bool, seed: u64, version: &str, sep: &str) -> String {
        let n = thousands(n as f64);
        match (self.lang, per_point) {
            (Lang::En, true) => {
                format!("Scenario {scenario}{sep}N = {n} rollouts per point, common random numbers{sep}seed {seed}{sep}truce {version}")
            }
            (Lang::En, false) => {
                format!("Scenario {scenario}{sep}N = {n} rollouts per run, common random numbers{sep}seed {seed}{sep}truce {version}")
            }
            (Lang::Zh, true) => format!("情景 {scenario}{sep}每点推演 N = {n} 次，共同随机数{sep}随机种子 {seed}{sep}truce {version}"),
            (Lang::Zh, false) => format!("情景 {scenario}{sep}每次运行推演 N = {n} 次，共同随机数{sep}随机种子 {seed}{sep}truce {version}"),
        }
    }

    /// The subject of a chart about one outcome: "Settlement probability over …".
    pub fn about(&self, outcome: &str, subject: &str) -> String {
        match self.lang {
            Lang::En => format!("{outcome} {subject}"),
            Lang::Zh => format!("{outcome}{subject}"),
        }
    }

    /// Every string, for the font check.
    pub fn all(&self) -> Vec<String> {
        let mut v: Vec<String> = [
            self.subj_sweep,
            self.subj_heatmap,
            self.subj_tornado,
            self.ax_probability,
            self.lg_all_drawn,
            self.lg_p10,
            self.lg_p90,
            self.lg_colour,
            self.ax_tornado,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.push(self.footer("x", 1000, true, 1, "0.1.0", " · "));
        v.push(self.footer("x", 1000, false, 1, "0.1.0", " · "));
        v
    }
}
