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
    pub subj_rolling_crps: &'static str,
    pub subj_rolling_pit: &'static str,
    pub ax_months_ahead: &'static str,
    pub ax_crps: &'static str,
    pub ax_pit: &'static str,
    pub ax_share: &'static str,
    pub lg_naive_12m: &'static str,
    pub lg_naive_all: &'static str,
    pub lg_uniform: &'static str,
    pub lang: Lang,
}

pub static EN: AnalysisLabels = AnalysisLabels {
    subj_sweep: "outcome probabilities across a sweep",
    subj_heatmap: "probability over a two-parameter grid",
    subj_tornado: "probability, each uncertain parameter held at p10 and p90",
    ax_probability: "Probability (%), with 95% interval",
    lg_all_drawn: "every parameter drawn",
    lg_p10: "held at its 10th percentile",
    lg_p90: "held at its 90th percentile",
    lg_colour: "Probability (%)",
    ax_tornado: "Probability (%)",
    subj_rolling_crps: "forecast error of the front by months ahead (rolling origins)",
    subj_rolling_pit: "where the observed area fell in the forecast (PIT, rolling origins)",
    ax_months_ahead: "Months ahead of the origin",
    ax_crps: "Mean CRPS (km²), lower is better",
    ax_pit: "PIT: share of the forecast below the observation",
    ax_share: "Share of observations (%)",
    lg_naive_12m: "random walk, drift and sd of the last 12 months",
    lg_naive_all: "random walk, drift and sd of all months since the fit floor (--fit-from)",
    lg_uniform: "a calibrated forecast (flat)",
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
    subj_rolling_crps: "战线预测误差随预测月数的变化（滚动起点）",
    subj_rolling_pit: "观测面积在预测分布中的位置（PIT，滚动起点）",
    ax_months_ahead: "距起点的月数",
    ax_crps: "平均 CRPS（平方千米），越低越好",
    ax_pit: "PIT：预测分布中低于观测值的比例",
    ax_share: "观测所占比例（%）",
    lg_naive_12m: "随机游走：过去 12 个月的漂移与标准差",
    lg_naive_all: "随机游走：拟合起始月（--fit-from）以来全部月份的漂移与标准差",
    lg_uniform: "校准良好的预测（均匀）",
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

    /// The footer of the rolling-backtest charts.
    #[allow(clippy::too_many_arguments)]
    pub fn rolling_footer(&self, scenario: &str, trend: &str, origins: usize, n: u64, seed: u64, version: &str, sep: &str) -> String {
        let n = thousands(n as f64);
        match self.lang {
            Lang::En => format!(
                "Scenario {scenario}{sep}trend {trend}{sep}{origins} origins, N = {n} rollouts each{sep}seed {seed}{sep}truce {version}"
            ),
            Lang::Zh => format!(
                "情景 {scenario}{sep}趋势 {trend}{sep}{origins} 个起点，每个推演 N = {n} 次{sep}随机种子 {seed}{sep}truce {version}"
            ),
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
            self.subj_rolling_crps,
            self.subj_rolling_pit,
            self.ax_months_ahead,
            self.ax_crps,
            self.ax_pit,
            self.ax_share,
            self.lg_naive_12m,
            self.lg_naive_all,
            self.lg_uniform,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.push(self.footer("x", 1000, true, 1, "0.1.0", " · "));
        v.push(self.footer("x", 1000, false, 1, "0.1.0", " · "));
        v.push(self.rolling_footer("x", "constant", 10, 1000, 1, "0.1.0", " · "));
        v
    }
}
