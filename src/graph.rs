//! The influence graph (who can press whom, and how hard) as a petgraph graph and as DOT.

use petgraph::dot::{Config, Dot};
use petgraph::graph::DiGraph;

use crate::model::Model;
use crate::scenario::Scenario;

/// Actors as nodes, links as weighted edges labelled by kind (weights at their central values).
pub fn influence_graph(sc: &Scenario) -> DiGraph<String, (String, f64)> {
    let mut g = DiGraph::new();
    let nodes: Vec<_> = sc.actors.iter().map(|a| g.add_node(a.id.clone())).collect();
    for l in &sc.links {
        g.add_edge(nodes[l.from], nodes[l.to], (l.kind.name().to_string(), sc.params[l.weight].central()));
    }
    g
}

/// The kind of the edges that show a patron's aid to its client (a role, not a link), in the
/// DOT and on the influence chart.
pub const PATRON_AID: &str = "patron aid";

/// Each patron's tie to its client: (patron, client, its aid at the central value). The one
/// source of `summary.json`'s `graph.patrons` and of the DOT's dashed edges.
pub fn patron_ties(model: &Model) -> Vec<(usize, usize, f64)> {
    let sc = &model.scenario;
    sc.actors.iter().enumerate().filter_map(|(i, a)| Some((i, a.patron_of?, model.aid(i)))).collect()
}

pub fn to_dot(model: &Model) -> String {
    let sc = &model.scenario;
    let mut g = influence_graph(sc);
    // As on the influence chart: each patron's aid to its client, dashed, labelled with its aid.
    for (patron, client, aid) in patron_ties(model) {
        g.add_edge(petgraph::graph::NodeIndex::new(patron), petgraph::graph::NodeIndex::new(client), (PATRON_AID.to_string(), aid));
    }
    // The influence chart's palette, so the two pictures of one graph agree.
    let edge = |_: &DiGraph<String, (String, f64)>, e: petgraph::graph::EdgeReference<'_, (String, f64)>| {
        let (kind, w) = e.weight();
        if kind == PATRON_AID {
            format!("label=\"{kind} {w}\" color=\"{}\" style=dashed penwidth=3", crate::charts::edge_colour_hex(kind))
        } else {
            format!("label=\"{kind} {w}\" color=\"{}\" penwidth={:.2}", crate::charts::edge_colour_hex(kind), 1.0 + 4.0 * w.min(2.0))
        }
    };
    let node = |_: &DiGraph<String, (String, f64)>, (_, id): (petgraph::graph::NodeIndex, &String)| {
        let name = sc.actors.iter().find(|a| &a.id == id).map(|a| a.name.as_str()).unwrap_or(id);
        format!("label=\"{}\" shape=box", name.replace('"', "'"))
    };
    let dot = Dot::with_attr_getters(&g, &[Config::EdgeNoLabel, Config::NodeNoLabel], &edge, &node);
    format!("// influence graph of scenario {}\n{dot:?}", sc.name)
}
