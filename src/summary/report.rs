//! `summary.json`: the report of a run, declared once here and shared by the writer, the charts
//! (`charts::data`) and, through the JSON Schema generated from it, the notebooks.

use schemars::JsonSchema;
use serde::Serialize;

/// What a month field holds, for the schema and the notebooks' messages.
const MONTH: &str = r"^[0-9]{4}-(0[1-9]|1[0-2])$";

/// `summary.json`: the one declaration of its format, written by the run and read back by the
/// charts (`charts::data`). Fields that runs of earlier versions lacked read as empty.
#[derive(Debug, Serialize, serde::Deserialize, Clone, JsonSchema)]
pub struct Report {
    /// The version of truce that wrote the run.
    pub truce_version: String,
    /// The scenario's name (with `+key` when overrides were given).
    #[schemars(length(min = 1))]
    pub scenario: String,
    /// The scenario's title, as its file gives it.
    #[serde(default)]
    pub title: String,
    /// Rollouts run.
    #[schemars(range(min = 1))]
    pub n: u64,
    /// The master seed.
    pub seed: u64,
    /// Month 0 of the run.
    #[schemars(pattern(MONTH), extend("x-expected" = "a month written YYYY-MM"))]
    pub start: String,
    /// Months simulated after the start.
    pub horizon_months: u32,
    /// The six outcomes in their documented order, each with its count and share of `n`.
    #[schemars(schema_with = "outcomes_schema")]
    pub outcomes: indexmap_like::OrderedMap<OutcomeStat>,
    /// Share of rollouts in ceasefire or settled by each month, one entry per month 0..=horizon.
    #[serde(default)]
    pub ceasefire_by_month: Vec<CurvePoint>,
    /// Share of rollouts settled by each month, one entry per month 0..=horizon.
    #[serde(default)]
    pub settlement_by_month: Vec<CurvePoint>,
    /// The month by which half the rollouts reached a ceasefire; null if fewer than half did.
    pub median_months_to_ceasefire: Option<u32>,
    /// The month by which half the rollouts settled; null if fewer than half did.
    pub median_months_to_settlement: Option<u32>,
    /// Area held by the attacker at the end of each rollout.
    pub final_area_km2: AreaStat,
    /// Ukraine's area (km²), the scale of the territory figures.
    #[schemars(range(min = 0))]
    pub ukraine_km2: f64,
    /// The area the attacker claims (km²).
    #[schemars(range(min = 0))]
    pub claimed_km2: f64,
    /// Width (km²) of the histogram bins behind the territory quantiles.
    #[schemars(range(min = 0))]
    pub quantile_resolution_km2: f64,
    /// Resolution of the cost quantiles of timeseries.csv (endurance units).
    #[serde(default)]
    #[schemars(range(min = 0))]
    pub cost_quantile_resolution: f64,
    /// The contested issues, in the scenario's order.
    #[serde(default)]
    pub issues: Vec<IssueInfo>,
    /// The actors, in the scenario's order, with their ideal points.
    #[serde(default)]
    pub actors: Vec<ActorInfo>,
    /// Who depends on whom.
    #[serde(default)]
    pub graph: Graph,
    /// The observed front line the scenario carries, for the territory chart.
    #[serde(default)]
    pub history: Vec<HistoryPoint>,
}

/// Where the schema is kept for the notebooks, from the repository's top.
pub const SCHEMA_FILE: &str = "notebooks/summary.schema.json";

/// The JSON Schema (2020-12) of `summary.json` as this version writes it: every field the
/// writer always writes is required, so a reader can rely on it. `SCHEMA_FILE` is this text;
/// a test keeps the two equal.
pub fn schema_text() -> String {
    let schema = schemars::generate::SchemaSettings::draft2020_12().for_serialize().into_generator().into_root_schema_for::<Report>();
    // A schema is a JSON value with string keys: writing it cannot fail.
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

/// `outcomes` holds exactly the six outcomes, by the names the model gives them.
fn outcomes_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let stat = generator.subschema_for::<OutcomeStat>().to_value();
    let properties: serde_json::Map<String, serde_json::Value> =
        crate::model::Outcome::NAMES.iter().map(|name| (name.to_string(), stat.clone())).collect();
    schemars::json_schema!({
        "type": "object",
        "properties": properties,
        "required": crate::model::Outcome::NAMES,
        "additionalProperties": false,
    })
}

impl Report {
    /// The first number of the report that is not finite, by its JSON path. summary.json must
    /// never hold one (serde_json would write it as `null`).
    pub fn non_finite(&self) -> Option<String> {
        let mut v: Vec<(String, f64)> = Vec::new();
        // Each number is checked on its own (a sum could hide one behind another's infinity).
        for (name, o) in &self.outcomes.0 {
            v.extend([
                (format!("outcomes.{name}.p"), o.p),
                (format!("outcomes.{name}.ci95[0]"), o.ci95[0]),
                (format!("outcomes.{name}.ci95[1]"), o.ci95[1]),
            ]);
        }
        for (which, c) in [("ceasefire_by_month", &self.ceasefire_by_month), ("settlement_by_month", &self.settlement_by_month)] {
            for p in c {
                let at = format!("{which}[{}]", p.month);
                v.extend([(format!("{at}.p"), p.p), (format!("{at}.ci95[0]"), p.ci95[0]), (format!("{at}.ci95[1]"), p.ci95[1])]);
            }
        }
        let a = &self.final_area_km2;
        v.extend([
            ("final_area_km2.median".to_string(), a.median),
            ("final_area_km2.p05".to_string(), a.p05),
            ("final_area_km2.p95".to_string(), a.p95),
            ("final_area_km2.median_pct".to_string(), a.median_pct),
        ]);
        v.extend([
            ("ukraine_km2".to_string(), self.ukraine_km2),
            ("claimed_km2".to_string(), self.claimed_km2),
            ("quantile_resolution_km2".to_string(), self.quantile_resolution_km2),
            ("cost_quantile_resolution".to_string(), self.cost_quantile_resolution),
        ]);
        for actor in &self.actors {
            for (issue, x) in &actor.ideal.0 {
                v.push((format!("actors.{}.ideal.{issue}", actor.id), *x));
            }
        }
        for e in &self.graph.edges {
            v.push((format!("graph.edges.{}->{}", e.from, e.to), e.weight));
        }
        for p in &self.graph.patrons {
            v.push((format!("graph.patrons.{}->{}", p.from, p.to), p.aid));
        }
        for h in &self.history {
            v.push((format!("history.{}", h.date), h.km2));
        }
        v.into_iter().find(|(_, x)| !x.is_finite()).map(|(k, _)| k)
    }
}

#[derive(Debug, Serialize, serde::Deserialize, Clone, JsonSchema)]
pub struct OutcomeStat {
    /// Rollouts that ended in the outcome.
    pub count: u64,
    /// `count / n`.
    #[schemars(range(min = 0, max = 1))]
    pub p: f64,
    /// Wilson 95% interval of `p`.
    #[schemars(inner(range(min = 0, max = 1)))]
    pub ci95: [f64; 2],
}

#[derive(Debug, Serialize, serde::Deserialize, Clone, JsonSchema)]
pub struct CurvePoint {
    /// Months after the start; entry `m` of a curve has month `m`.
    pub month: u32,
    #[schemars(pattern(MONTH), extend("x-expected" = "a month written YYYY-MM"))]
    pub date: String,
    /// Share of rollouts by this month (cumulative: never falls).
    #[schemars(range(min = 0, max = 1))]
    pub p: f64,
    /// Wilson 95% interval of `p`.
    #[schemars(inner(range(min = 0, max = 1)))]
    pub ci95: [f64; 2],
}

#[derive(Debug, Serialize, serde::Deserialize, Clone, JsonSchema)]
pub struct AreaStat {
    /// km², as are `p05` and `p95`.
    #[schemars(range(min = 0))]
    pub median: f64,
    #[schemars(range(min = 0))]
    pub p05: f64,
    #[schemars(range(min = 0))]
    pub p95: f64,
    /// The median as a percentage of `ukraine_km2`.
    #[schemars(range(min = 0, max = 100))]
    pub median_pct: f64,
}

#[derive(Debug, Serialize, serde::Deserialize, Clone, JsonSchema)]
pub struct IssueInfo {
    pub id: String,
    pub label0: String,
    pub label1: String,
    /// Display names and Chinese ends, when the scenario gives them (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label0_zh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label1_zh: Option<String>,
}

#[derive(Debug, Serialize, serde::Deserialize, Clone, JsonSchema)]
pub struct ActorInfo {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    pub ideal: indexmap_like::OrderedMap<f64>,
}

#[derive(Debug, Serialize, serde::Deserialize, Clone, Default, JsonSchema)]
pub struct Graph {
    #[serde(default)]
    pub nodes: Vec<String>,
    #[serde(default)]
    pub edges: Vec<Edge>,
    /// Each patron's aid to its client (a role, not a link): the aid level at its central
    /// value; absent in runs of truce before it was recorded.
    #[serde(default)]
    pub patrons: Vec<Patron>,
}

#[derive(Debug, Serialize, serde::Deserialize, Clone, JsonSchema)]
pub struct Patron {
    pub from: String,
    pub to: String,
    pub aid: f64,
}

#[derive(Debug, Serialize, serde::Deserialize, Clone, JsonSchema)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: String,
    pub weight: f64,
}

#[derive(Debug, Serialize, serde::Deserialize, Clone, JsonSchema)]
pub struct HistoryPoint {
    #[schemars(pattern(MONTH), extend("x-expected" = "a month written YYYY-MM"))]
    pub date: String,
    /// Area held by the attacker (km²) that month.
    #[schemars(range(min = 0))]
    pub km2: f64,
}

/// A JSON object that keeps its keys in insertion order (outcomes in their documented order).
pub mod indexmap_like {
    use serde::de::{MapAccess, Visitor};
    use serde::ser::SerializeMap;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Debug, Clone, Default)]
    pub struct OrderedMap<V>(pub Vec<(String, V)>);

    impl<V> OrderedMap<V> {
        pub fn get(&self, key: &str) -> Option<&V> {
            self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
        }

        pub fn contains_key(&self, key: &str) -> bool {
            self.get(key).is_some()
        }
    }

    /// Schema: an object whose values all have `V`'s schema (its keys' order is not a schema
    /// matter; `charts::data` and the notebooks check the outcomes by name).
    impl<V: schemars::JsonSchema> schemars::JsonSchema for OrderedMap<V> {
        fn inline_schema() -> bool {
            true
        }

        fn schema_name() -> std::borrow::Cow<'static, str> {
            format!("Map_of_{}", V::schema_name()).into()
        }

        fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
            schemars::json_schema!({ "type": "object", "additionalProperties": generator.subschema_for::<V>() })
        }
    }

    impl<V> FromIterator<(String, V)> for OrderedMap<V> {
        fn from_iter<I: IntoIterator<Item = (String, V)>>(iter: I) -> Self {
            OrderedMap(iter.into_iter().collect())
        }
    }

    impl<V: Serialize> Serialize for OrderedMap<V> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(self.0.len()))?;
            for (k, v) in &self.0 {
                m.serialize_entry(k, v)?;
            }
            m.end()
        }
    }

    impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V2<V>(std::marker::PhantomData<V>);
            impl<'de, V: Deserialize<'de>> Visitor<'de> for V2<V> {
                type Value = OrderedMap<V>;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a JSON object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                    let mut out = Vec::new();
                    while let Some((k, v)) = map.next_entry()? {
                        out.push((k, v));
                    }
                    Ok(OrderedMap(out))
                }
            }
            d.deserialize_map(V2(std::marker::PhantomData))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The notebooks' copy of the schema is the one the declaration above generates. Set
    /// `TRUCE_BLESS=1` to rewrite it after changing the declaration.
    #[test]
    fn the_notebooks_schema_is_the_declarations() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SCHEMA_FILE);
        let want = schema_text();
        if std::env::var("TRUCE_BLESS").is_ok_and(|v| v == "1") {
            std::fs::write(&path, &want).expect("the schema file can be written");
        }
        let got = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(got == want, "{SCHEMA_FILE} is not the schema of summary::Report; run the tests with TRUCE_BLESS=1 to rewrite it");
    }

    /// The schema says what the writer guarantees: fields always written are required, those
    /// written only when present are not, and the ranges the notebooks check are there.
    #[test]
    fn the_schema_requires_what_the_writer_always_writes() {
        let v: serde_json::Value = serde_json::from_str(&schema_text()).unwrap();
        let required = |def: &serde_json::Value| -> Vec<String> {
            def["required"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
        };
        let top = required(&v);
        for f in ["n", "outcomes", "ceasefire_by_month", "history", "title", "median_months_to_ceasefire"] {
            assert!(top.contains(&f.to_string()), "{f} is not required: {top:?}");
        }
        let issue = required(&v["$defs"]["IssueInfo"]);
        assert!(issue.contains(&"label0".to_string()) && !issue.contains(&"name_zh".to_string()), "{issue:?}");
        assert_eq!(v["properties"]["n"]["minimum"], 1);
        assert_eq!(v["$defs"]["OutcomeStat"]["properties"]["p"]["maximum"], 1);
        assert_eq!(v["$defs"]["OutcomeStat"]["properties"]["ci95"]["items"]["maximum"], 1);
        let outcomes = &v["properties"]["outcomes"];
        assert_eq!(outcomes["required"], serde_json::json!(crate::model::Outcome::NAMES));
        assert_eq!(outcomes["properties"]["escalation"]["$ref"], "#/$defs/OutcomeStat");
        assert_eq!(outcomes["additionalProperties"], false);
        assert_eq!(v["properties"]["start"]["pattern"], MONTH);
    }
}
