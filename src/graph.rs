//! `graph`: the dependency graph as DOT (Graphviz), Mermaid or JSON, optionally coloured by the
//! state of a scenario at one instant.
//!
//! Edges point from a node to what it needs (dependent -> dependency): `hosted_on`, `requires`
//! and fallback `requires` each have their own style. A requirement group of more than one
//! member (`any_of`, `k of n`) is drawn as a small junction node labelled `any of 2` or
//! `2 of 3`; single-member groups are plain edges. Clients point at the services they use,
//! labelled with the share when it is not 1.
//!
//! With a [`State`] (from [`State::at`]) nodes are green when fully available, orange when
//! partly, red when down, and carry their own state and fallback mode; clients are coloured by
//! the share of their population affected.

mod dot;
mod json;
mod mermaid;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::engine::{Engine, Mode, Own, Recorder, View};
use crate::error::Error;
use crate::limits::LoadOptions;
use crate::metrics::{affected_units, people};
use crate::model::{Avail, FULL, Model, NodeKind};
use crate::scenario::{self, Scenario};
use crate::time::SimTime;

/// The output formats of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Graphviz DOT, for `dot -Tsvg`.
    Dot,
    /// A Mermaid `flowchart LR`, for Markdown pages.
    Mermaid,
    /// The graph as plain data.
    Json,
}

impl Format {
    /// The format an output file's extension implies: `.dot`/`.gv`, `.mmd`/`.mermaid`, `.json`.
    pub fn from_extension(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "dot" | "gv" => Some(Format::Dot),
            "mmd" | "mermaid" => Some(Format::Mermaid),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// `--highlight SCENARIO@TIME`: which scenario to run, and up to when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlight {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The instant whose state is drawn.
    pub at: SimTime,
}

impl Highlight {
    /// Parses `SCENARIO@TIME`, split at the last `@` (a path may hold one).
    pub fn parse(text: &str) -> Result<Highlight, String> {
        let Some((file, time)) = text.rsplit_once('@') else {
            return Err(format!(
                "`{text}` has no `@`: write SCENARIO@TIME, e.g. models/bitmarck-2023/attack-2023.toml@3d"
            ));
        };
        if file.is_empty() {
            return Err(format!(
                "`{text}` names no scenario before the `@`: write SCENARIO@TIME"
            ));
        }
        let at = crate::time::parse_duration(time).map_err(|e| format!("after the `@`: {e}"))?;
        Ok(Highlight {
            scenario: PathBuf::from(file),
            at,
        })
    }
}

/// The state of every node at one instant of a scenario, for colouring.
#[derive(Debug, Clone)]
pub struct State {
    /// The scenario's name.
    pub scenario: String,
    /// The instant.
    pub at: SimTime,
    /// Availability per node.
    pub a: Vec<Avail>,
    /// Own state per node.
    pub own: Vec<Own>,
    /// Fallback mode per node.
    pub mode: Vec<Mode>,
}

/// Keeps the last state at or before its instant: the engine stops after the last instant
/// not later than the horizon it is given, so that is the state left here.
struct LastState {
    a: Vec<Avail>,
    own: Vec<Own>,
    mode: Vec<Mode>,
}

impl LastState {
    fn copy(&mut self, n: usize, v: &View<'_>) {
        self.a[n] = v.a[n];
        self.own[n] = v.own[n];
        self.mode[n] = v.mode[n];
    }
}

impl Recorder for LastState {
    fn start(&mut self, v: &View<'_>) {
        self.a = v.a.to_vec();
        self.own = v.own.to_vec();
        self.mode = v.mode.to_vec();
    }
    fn instant(&mut self, _: SimTime, touched: &[u32], _: &[u32], v: &View<'_>) {
        for &n in touched {
            self.copy(n as usize, v);
        }
    }
    fn finish(&mut self, _: SimTime, _: &View<'_>) {}
}

impl State {
    /// Runs `scenario` (the deterministic run: every duration at its median) up to `at` and
    /// keeps the state after everything at the last instant not later than `at`.
    pub fn at(scenario: &Scenario, at: SimTime) -> State {
        let mut last = LastState {
            a: Vec::new(),
            own: Vec::new(),
            mode: Vec::new(),
        };
        // With the scenario's crews and priorities, as `run` makes it.
        let mut engine = Engine::for_scenario(scenario);
        engine.play(&scenario.events, at, &mut last);
        State {
            scenario: scenario.name.clone(),
            at,
            a: last.a,
            own: last.own,
            mode: last.mode,
        }
    }
}

/// Loads what `graph MODEL [--highlight SCENARIO@TIME]` draws: the model file (or a scenario
/// file's patched model); with a highlight, the scenario's patched model and its state at the
/// instant asked. MODEL must then be the scenario file or the model file it names, and the
/// instant must lie within the scenario's horizon.
pub fn load(path: &Path, highlight: Option<&Highlight>) -> Result<(Model, Option<State>), Error> {
    load_with(path, highlight, &LoadOptions::default())
}

/// [`load`] within the limits of `options`.
pub fn load_with(
    path: &Path,
    highlight: Option<&Highlight>,
    options: &LoadOptions,
) -> Result<(Model, Option<State>), Error> {
    let Some(h) = highlight else {
        return Ok((crate::validate::model_of_with(path, options)?, None));
    };
    let given = std::fs::canonicalize(path).map_err(|e| Error::io("reading", path, e))?;
    let s = scenario::load_scenario_with(&h.scenario, options)?;
    let same = |p: &Path| std::fs::canonicalize(p).is_ok_and(|c| c == given);
    if !same(&h.scenario) && !same(s.model_path()) {
        return Err(Error::Usage {
            message: format!(
                "--highlight runs `{}` on its model `{}`, not on `{}`: pass that model or the scenario itself as MODEL",
                h.scenario.display(),
                s.model_path().display(),
                path.display()
            ),
        });
    }
    if h.at > s.horizon {
        return Err(Error::Usage {
            message: format!(
                "--highlight time {} is after the horizon of `{}` ({}): pick a time from 0h to {}",
                h.at,
                h.scenario.display(),
                s.horizon,
                s.horizon
            ),
        });
    }
    let state = State::at(&s, h.at);
    Ok((s.model, Some(state)))
}

/// The graph of `model` in `format`, coloured by `state` when given.
pub fn render(model: &Model, state: Option<&State>, format: Format) -> String {
    let g = Drawing::new(model, state);
    match format {
        Format::Dot => dot::render(&g),
        Format::Mermaid => mermaid::render(&g),
        Format::Json => json::render(&g),
    }
}

/// Mermaid's default `maxEdges`: a renderer that keeps it refuses a flowchart with more edges.
pub const MERMAID_MAX_EDGES: usize = 500;

/// How many edges the graph of `model` has: group members, the owner's edge to each
/// junction, and client uses.
pub fn edge_count(model: &Model) -> usize {
    let g = Drawing::new(model, None);
    let groups: usize = g
        .groups
        .iter()
        .map(|grp| grp.members.len() + usize::from(grp.junction.is_some()))
        .sum();
    groups
        + (0..model.clients.len())
            .map(|c| model.client_uses(c).len())
            .sum::<usize>()
}

/// What a requirement group belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GroupKind {
    HostedOn,
    Requires,
    Fallback,
}

impl GroupKind {
    fn name(self) -> &'static str {
        match self {
            GroupKind::HostedOn => "hosted_on",
            GroupKind::Requires => "requires",
            GroupKind::Fallback => "fallback",
        }
    }
}

/// One requirement group, in model order.
struct Group<'m> {
    owner: u32,
    kind: GroupKind,
    k: u32,
    members: &'m [u32],
    /// Its place among the owner's groups of its kind (0 for the first).
    pos: usize,
    /// Its index among the groups drawn as junctions, if it is one.
    junction: Option<usize>,
    /// Its value in the highlighted state: the K-th largest member availability.
    value: Option<Avail>,
}

/// How a node, junction or client is coloured in a highlighted state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tone {
    Up,
    Partial,
    Down,
}

impl Tone {
    fn of(a: Avail) -> Tone {
        match a {
            FULL.. => Tone::Up,
            0 => Tone::Down,
            _ => Tone::Partial,
        }
    }

    fn class(self) -> &'static str {
        match self {
            Tone::Up => "up",
            Tone::Partial => "partial",
            Tone::Down => "down",
        }
    }
}

/// The model with its groups listed and, when highlighted, the derived values: what every
/// format draws.
struct Drawing<'m> {
    model: &'m Model,
    state: Option<&'m State>,
    groups: Vec<Group<'m>>,
    junctions: usize,
    /// Per client: people affected in the highlighted state.
    affected: Option<Vec<f64>>,
}

impl<'m> Drawing<'m> {
    fn new(model: &'m Model, state: Option<&'m State>) -> Drawing<'m> {
        let mut groups = Vec::new();
        let mut junctions = 0;
        for n in 0..model.nodes.len() {
            let primary = model.primary_groups.row(n);
            let hosted = model.hosted_groups[n] as usize;
            let rows = [
                (GroupKind::HostedOn, &primary[..hosted]),
                (GroupKind::Requires, &primary[hosted..]),
                (GroupKind::Fallback, model.fallback_groups.row(n)),
            ];
            for (kind, row) in rows {
                for (pos, &g) in row.iter().enumerate() {
                    let members = model.group_members.row(g as usize);
                    let k = model.group_info[g as usize].k;
                    let junction = (members.len() > 1).then(|| {
                        junctions += 1;
                        junctions - 1
                    });
                    let value = state
                        .map(|s| crate::engine::group_value(k, members, &s.a, &mut Vec::new()));
                    groups.push(Group {
                        owner: n as u32,
                        kind,
                        k,
                        members,
                        pos,
                        junction,
                        value,
                    });
                }
            }
        }
        let affected = state.map(|s| {
            (0..model.clients.len())
                .map(|c| {
                    let client = &model.clients[c];
                    let units = affected_units(
                        client.population,
                        client.combine,
                        model.client_uses(c),
                        &s.a,
                    );
                    people(units)
                })
                .collect()
        });
        Drawing {
            model,
            state,
            groups,
            junctions,
            affected,
        }
    }

    fn sites(&self) -> usize {
        self.model
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Site)
            .count()
    }

    /// One line saying what is drawn, for a comment or title.
    fn title(&self) -> String {
        let m = self.model;
        let sites = self.sites();
        let mut t = format!(
            "{}: {} sites, {} services, {} clients",
            m.name,
            sites,
            m.nodes.len() - sites,
            m.clients.len()
        );
        if let Some(s) = self.state {
            t.push_str(&format!(
                "; {} at {} (green: available, orange: partly, red: down)",
                s.scenario, s.at
            ));
        }
        t
    }

    /// The label lines of node `n`: name, id when it differs, fallback capacity, state.
    fn node_lines(&self, n: usize) -> Vec<String> {
        let node = &self.model.nodes[n];
        let mut lines = vec![node.name().to_string()];
        if node.name() != node.id {
            lines.push(node.id.to_string());
        }
        if let Some(f) = &self.model.fallbacks[n] {
            lines.push(format!("fallback {}", pct(f.capacity)));
        }
        if let Some(s) = self.state {
            let mut l = format!("{} · {}", pct(s.a[n]), s.own[n].name());
            if s.mode[n] != Mode::Normal {
                l.push_str(&format!(" · fallback {}", mode_name(s.mode[n])));
            }
            lines.push(l);
        }
        lines
    }

    /// The tooltip of node `n`: durations, tags and, highlighted, the state in words.
    fn node_tooltip(&self, n: usize) -> String {
        let node = &self.model.nodes[n];
        let mut parts = vec![format!("restart {}, repair {}", node.restart, node.repair)];
        if let Some(rto) = node.rto {
            parts.push(format!("rto {rto}"));
        }
        if let Some(f) = &self.model.fallbacks[n] {
            parts.push(format!(
                "fallback {} after {}, switchback {}",
                pct(f.capacity),
                f.activation,
                f.switchback
            ));
        }
        if !node.tags.is_empty() {
            parts.push(format!("tags: {}", node.tags.join(", ")));
        }
        if let Some(s) = self.state {
            let mut p = format!(
                "availability {}, own state {}",
                pct(s.a[n]),
                s.own[n].name()
            );
            if self.model.fallbacks[n].is_some() {
                p.push_str(&format!(", fallback {}", mode_name(s.mode[n])));
            }
            parts.push(p);
        }
        parts.join("; ")
    }

    /// The label lines of client `c`: name, population and, highlighted, people affected.
    fn client_lines(&self, c: usize) -> Vec<String> {
        let client = &self.model.clients[c];
        let mut lines = vec![
            client.name.to_string(),
            format!(
                "{} {}",
                crate::format::thousands(client.population as f64),
                self.model.population_label
            ),
        ];
        if let Some(aff) = &self.affected {
            lines.push(format!(
                "affected {}",
                crate::format::thousands(aff[c].round())
            ));
        }
        lines
    }

    fn node_tone(&self, n: usize) -> Option<Tone> {
        self.state.map(|s| Tone::of(s.a[n]))
    }

    /// A client's tone: by the share of its population affected.
    fn client_tone(&self, c: usize) -> Option<Tone> {
        let aff = self.affected.as_ref()?[c];
        let pop = self.model.clients[c].population as f64;
        Some(if aff <= 0.0 {
            Tone::Up
        } else if aff >= pop {
            Tone::Down
        } else {
            Tone::Partial
        })
    }
}

/// `any of 2`, `2 of 3`.
fn group_label(k: u32, members: usize) -> String {
    if k == 1 {
        format!("any of {members}")
    } else {
        format!("{k} of {members}")
    }
}

/// A share or availability in availability units as a fraction: `0.05`.
fn fraction(units: Avail) -> f64 {
    units as f64 / FULL as f64
}

/// An availability as a percentage to one decimal: `70%`, `33.3%`; never `100%` or `0%`
/// for a partial value.
fn pct(units: Avail) -> String {
    let mut p = units as f64 * 100.0 / FULL as f64;
    if units > 0 && units < FULL {
        p = p.clamp(0.1, 99.9);
    }
    let s = format!("{p:.1}");
    format!("{}%", s.strip_suffix(".0").unwrap_or(&s))
}

/// A fallback mode's name in outputs.
fn mode_name(m: Mode) -> &'static str {
    match m {
        Mode::Normal => "normal",
        Mode::Activating => "activating",
        Mode::Engaged => "engaged",
        Mode::Switchback => "switchback",
    }
}

/// Makes ids unique: `base`, or `base` with `'` appended until no id in `taken` has it.
fn fresh(taken: &mut HashSet<String>, base: String) -> String {
    let mut id = base;
    while taken.contains(&id) {
        id.push('\'');
    }
    taken.insert(id.clone());
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_splits_at_the_last_at() {
        let h = Highlight::parse("runs/a@b/scenario.toml@1d 12h").unwrap();
        assert_eq!(h.scenario, PathBuf::from("runs/a@b/scenario.toml"));
        assert_eq!(h.at, SimTime(36 * 3600));
        assert!(
            Highlight::parse("scenario.toml")
                .unwrap_err()
                .contains("no `@`")
        );
        assert!(
            Highlight::parse("@3d")
                .unwrap_err()
                .contains("names no scenario")
        );
        assert!(
            Highlight::parse("s.toml@3")
                .unwrap_err()
                .contains("invalid duration")
        );
    }

    #[test]
    fn percentages_never_round_a_partial_to_full_or_none() {
        assert_eq!(pct(FULL), "100%");
        assert_eq!(pct(0), "0%");
        assert_eq!(pct(700_000), "70%");
        assert_eq!(pct(333_333), "33.3%");
        assert_eq!(pct(999_999), "99.9%");
        assert_eq!(pct(1), "0.1%");
    }

    #[test]
    fn fresh_ids_avoid_taken_ones() {
        let mut taken: HashSet<String> = ["a/requires".to_string()].into_iter().collect();
        assert_eq!(fresh(&mut taken, "a/requires".into()), "a/requires'");
        assert_eq!(fresh(&mut taken, "a/requires".into()), "a/requires''");
        assert_eq!(fresh(&mut taken, "b".into()), "b");
    }

    #[test]
    fn format_follows_the_extension() {
        assert_eq!(Format::from_extension(Path::new("g.gv")), Some(Format::Dot));
        assert_eq!(
            Format::from_extension(Path::new("g.MMD")),
            Some(Format::Mermaid)
        );
        assert_eq!(
            Format::from_extension(Path::new("g.json")),
            Some(Format::Json)
        );
        assert_eq!(Format::from_extension(Path::new("g.svg")), None);
    }
}
