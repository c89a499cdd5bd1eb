//! Display names of one run's scenario, actors and issues, in the chart language and limited
//! to what the chosen font can draw (a Chinese title becomes the scenario name, a Chinese
//! actor name its id, and so on, when no CJK font was found).

use std::collections::HashMap;

use super::canvas::Ctx;
use super::data::RunData;

pub struct RunNames {
    pub title: String,
    pub scenario: String,
    actors: HashMap<String, String>,
    issues: HashMap<String, (String, String, String)>,
}

impl RunNames {
    pub fn new(run: &RunData, ctx: &Ctx) -> RunNames {
        let s = &run.summary;
        let scenario = ctx.fit(&s.scenario, "scenario");
        let title = if s.title.trim().is_empty() { scenario.clone() } else { ctx.fit(&s.title, &scenario) };
        let mut actors = HashMap::new();
        for a in &s.actors {
            actors.insert(a.id.clone(), ctx.fit(&ctx.l.actor(&a.id, Some(a.name.as_str()), a.name_zh.as_deref()), &a.id));
        }
        let graph_ids = s.graph.nodes.iter().chain(s.graph.edges.iter().flat_map(|e| [&e.from, &e.to]));
        for id in graph_ids {
            if !actors.contains_key(id) {
                actors.insert(id.clone(), ctx.fit(&ctx.l.actor(id, None, None), id));
            }
        }
        let mut issues = HashMap::new();
        for i in &s.issues {
            let name = ctx.fit(&ctx.l.issue(&i.id, i.name.as_deref(), i.name_zh.as_deref()), &i.id);
            let (a, b) = ctx.l.issue_ends(&i.label0, &i.label1, (i.label0_zh.as_deref(), i.label1_zh.as_deref()));
            issues.insert(i.id.clone(), (name, ctx.fit(&a, "0"), ctx.fit(&b, "1")));
        }
        RunNames { title, scenario, actors, issues }
    }

    /// An actor's name (from `actors`, in the chart language, else the id).
    pub fn actor(&self, id: &str) -> String {
        self.actors.get(id).cloned().unwrap_or_else(|| id.to_string())
    }

    /// An issue's name and its two end labels.
    pub fn issue(&self, id: &str) -> (String, String, String) {
        self.issues.get(id).cloned().unwrap_or_else(|| (id.to_string(), "0".into(), "1".into()))
    }
}
