//! What the unit tests of the walk's parts share: a small valid scenario and a walk of a text.

use std::path::PathBuf;

use super::*;

/// The smallest scenario the walk accepts: a header, the territory issue, an attacker and a
/// defender. Tests add what they check.
pub(super) const MINIMAL: &str = r#"
[scenario]
name = "t"
start = "2025-01"
horizon_months = 24

[issues.territory]

[actors.russia]
role = "attacker"

[actors.ukraine]
role = "defender"
"#;

/// The walk of `text` as the file `t.toml`.
pub(super) fn walk(text: &str) -> Result<Scenario, ScenarioError> {
    let mut sources = SourceMap::default();
    let id = sources.add(PathBuf::from("t.toml"), text.to_string());
    let tree = match tree::parse(&sources.file(id).text, id) {
        Ok(t) => t,
        Err(d) => return Err(ScenarioError::new(vec![d], &sources)),
    };
    build(&tree, sources, vec![id])
}

/// The walk of MINIMAL with `extra` appended.
pub(super) fn with(extra: &str) -> Result<Scenario, ScenarioError> {
    walk(&format!("{MINIMAL}\n{extra}"))
}

/// The messages of a walk that must fail, each with its `file:line:col`.
pub(super) fn errors(text: &str) -> String {
    match walk(text) {
        Ok(_) => panic!("the walk accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// The value of parameter `path` (its central value).
pub(super) fn value(sc: &Scenario, path: &str) -> f64 {
    sc.params[sc.param_index(path).unwrap_or_else(|| panic!("no parameter {path}"))].central()
}

#[test]
fn the_minimal_scenario_walks_with_every_default() {
    let sc = walk(MINIMAL).unwrap();
    assert_eq!((sc.name.as_str(), sc.title.as_str(), sc.horizon), ("t", "t", 24));
    assert_eq!((sc.attacker, sc.defender), (0, 1));
    assert!(sc.warnings.is_empty(), "{:?}", sc.warnings);
    // Every parameter is at its schema default, in the walk's fixed order.
    assert_eq!(sc.params[0].path, "territory.ukraine_km2");
    assert_eq!(value(&sc, "actors.russia.patience"), 0.95);
    assert_eq!(value(&sc, "battlefield.gain_mean"), 312.0);
    assert!(sc.params.iter().all(|p| p.origin == Origin::Default));
    let first_actor = sc.param_index("actors.russia.capability").unwrap();
    let first_link_or_section = sc.param_index("battlefield.gain_mean").unwrap();
    assert!(sc.param_index("issues.territory.status_quo").unwrap() < first_actor && first_actor < first_link_or_section);
}

#[test]
fn a_section_of_the_wrong_type_is_reported_alone() {
    // Also wrong later (no such section key), but only the two shapes are reported.
    let text = format!("links = 3\nevents = {{ a = 1 }}\n{}", MINIMAL.replace("horizon_months = 24", "horizon_months = 24\nbogus = 1"));
    let e = errors(&text);
    assert!(e.contains("`links` must be an array of tables, found"), "{e}");
    assert!(e.contains("`events` must be an array of tables"), "{e}");
    assert_eq!(e.matches("error:").count(), 2, "{e}");
}

/// Roles, link kinds and deal kinds are read by their index in the schema's lists of names.
#[test]
fn the_enums_follow_the_schemas_names() {
    assert!(Role::ALL.iter().enumerate().all(|(i, r)| *r as usize == i && r.name() == schema::ROLES[i]));
    assert_eq!(Role::ALL.len(), schema::ROLES.len());
    assert!(LinkKind::ALL.iter().enumerate().all(|(i, k)| *k as usize == i && k.name() == schema::LINK_KINDS[i]));
    assert_eq!(LinkKind::ALL.len(), schema::LINK_KINDS.len());
    assert!(DealKind::ALL.iter().enumerate().all(|(i, k)| *k as usize == i && k.name() == schema::DEAL_KINDS[i]));
    assert_eq!(DealKind::ALL.len(), schema::DEAL_KINDS.len());
    let sc = with("[actors.us]\nrole = \"patron\"\npatron_of = \"ukraine\"\n[actors.cn]\nrole = \"observer\"").unwrap();
    assert_eq!(sc.actors.iter().map(|a| a.role).collect::<Vec<_>>(), Role::ALL);
}
