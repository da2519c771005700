//! Arbitrary structurally valid models and scenarios (sites, services with every kind of
//! requirement, cycles, fallbacks, distributions, restart failures, random failures, crews,
//! every event action and selector), simulated, with the invariants of whole runs checked:
//!
//! - 0 ≤ affected ≤ total population at every change point;
//! - people-hours equal the integral of the timeline;
//! - the same seed gives the same result;
//! - the incremental engine equals the full recompute, median run and seeded run;
//! - without fallbacks, crews and random parts, one more failure never lowers the people
//!   affected at any time.
//!
//! Shared by the `simulate` fuzz target and the test suite (`tests/integration/robustness.rs`
//! feeds it proptest's bytes through `arbitrary::Unstructured`).

use std::fmt::Write;

use arbitrary::Arbitrary;
use impactsim::engine::{Options, Propagation};
use impactsim::metrics::{self, RunResult};
use impactsim::scenario::{self, Action, Event, raw::RawScenarioFile};
use impactsim::source::Source;
use impactsim::{Error, Scenario, SimTime};

/// A model and scenario, small and structurally valid by construction.
#[derive(Arbitrary, Debug)]
pub struct Spec {
    sites: u8,
    services: Vec<Svc>,
    clients: Vec<Client>,
    events: Vec<Ev>,
    crews: Option<u8>,
    critical_first: bool,
    horizon_h: u8,
    step_m: u8,
    seed: u64,
    extra: Option<(u16, u8, bool)>,
}

#[derive(Arbitrary, Debug)]
enum Req {
    One(u8),
    All(Vec<u8>),
    AnyOf(Vec<u8>),
    KOf(u8, Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum Dur {
    Fixed(u16),
    Lognormal(u8, u8),
    Uniform(u8, u8),
    Triangular(u8, u8, u8),
    Pert(u8, u8, u8),
    Exponential(u8),
}

#[derive(Arbitrary, Debug)]
struct Fallback {
    capacity: u8,
    activation: Dur,
    switchback: Dur,
    switchback_capacity: Option<u8>,
    requires: Vec<Req>,
}

#[derive(Arbitrary, Debug)]
struct Svc {
    hosted_on: Option<Req>,
    requires: Vec<Req>,
    restart: Option<Dur>,
    repair: Option<Dur>,
    rto: Option<u8>,
    fallback: Option<Fallback>,
    restart_failure: Option<(u8, Dur, u8)>,
    random: Option<(u8, Dur)>,
    effort: bool,
}

#[derive(Arbitrary, Debug)]
struct Client {
    population: u32,
    uses: Vec<(u8, Option<u8>)>,
}

#[derive(Arbitrary, Debug)]
enum Target {
    Node(u8),
    Nodes(Vec<u8>),
    Sites,
    Services,
    Tag(u8),
    Hosted(u8),
}

#[derive(Arbitrary, Debug)]
struct Ev {
    at_m: u16,
    action: u8,
    target: Target,
    for_: Option<Dur>,
}

/// Sizes are kept small: the fuzzer explores structure, not scale.
const MAX_SERVICES: usize = 12;
const MAX_CLIENTS: usize = 4;
const MAX_EVENTS: usize = 12;
const MAX_MEMBERS: usize = 4;

struct Writer {
    sites: usize,
    services: usize,
}

impl Writer {
    fn site(&self, i: u8) -> String {
        format!("\"s{}\"", i as usize % self.sites)
    }

    fn service(&self, i: u8) -> String {
        format!("\"v{}\"", i as usize % self.services)
    }

    /// Distinct ids of sites (or services) for `members`, without `not` (a node does not
    /// require itself).
    fn ids(&self, members: &[u8], site: bool, not: Option<usize>) -> Vec<String> {
        let (n, prefix) = if site {
            (self.sites, 's')
        } else {
            (self.services, 'v')
        };
        let mut seen = Vec::new();
        for &m in members.iter().take(MAX_MEMBERS) {
            let i = m as usize % n;
            if Some(i) != not && !seen.contains(&i) {
                seen.push(i);
            }
        }
        seen.iter().map(|i| format!("\"{prefix}{i}\"")).collect()
    }

    /// The requirement as items of a requirement list (a list of ids is its ids).
    fn req(&self, r: &Req, site: bool, not: Option<usize>) -> Vec<String> {
        let group = |m: &[u8], k: Option<u8>| {
            let ids = self.ids(m, site, not);
            if ids.is_empty() {
                return vec![];
            }
            let list = ids.join(", ");
            vec![match k {
                None => format!("{{ any_of = [{list}] }}"),
                Some(k) => format!("{{ k = {}, of = [{list}] }}", 1 + k as usize % ids.len()),
            }]
        };
        match r {
            Req::One(i) => self.ids(&[*i], site, not),
            Req::All(m) => self.ids(m, site, not),
            Req::AnyOf(m) => group(m, None),
            Req::KOf(k, m) => group(m, Some(*k)),
        }
    }

    /// The `requires` list of service `not`.
    fn requires(&self, reqs: &[Req], not: usize) -> String {
        let items: Vec<String> = reqs
            .iter()
            .take(3)
            .flat_map(|r| self.req(r, false, Some(not)))
            .collect();
        format!("[{}]", items.join(", "))
    }
}

fn minutes(m: u64) -> String {
    format!("\"{m}m\"")
}

/// A duration of at most about 4 days, fixed or a valid distribution.
fn dur(d: &Dur) -> String {
    let m = |x: u8| x as u64 * 23;
    match *d {
        Dur::Fixed(x) => minutes(x as u64 % 6000),
        Dur::Lognormal(a, b) => format!(
            "{{ dist = \"lognormal\", median = {}, p90 = {} }}",
            minutes(m(a) + 1),
            minutes(m(a) + 2 + m(b))
        ),
        Dur::Uniform(a, b) => format!(
            "{{ dist = \"uniform\", min = {}, max = {} }}",
            minutes(m(a)),
            minutes(m(a) + m(b))
        ),
        Dur::Triangular(a, b, c) | Dur::Pert(a, b, c) => {
            let kind = if matches!(d, Dur::Pert(..)) {
                "pert"
            } else {
                "triangular"
            };
            format!(
                "{{ dist = \"{kind}\", min = {}, mode = {}, max = {} }}",
                minutes(m(a)),
                minutes(m(a) + m(b)),
                minutes(m(a) + m(b) + m(c) + 1)
            )
        }
        Dur::Exponential(a) => {
            format!("{{ dist = \"exponential\", mean = {} }}", minutes(m(a) + 1))
        }
    }
}

/// The model and scenario texts, and whether the model has random parts, fallbacks or crews.
pub fn texts(spec: &Spec) -> (String, String, bool) {
    let w = Writer {
        sites: 1 + spec.sites as usize % 3,
        // A service with nothing but an id where the spec has none.
        services: spec.services.len().clamp(1, MAX_SERVICES),
    };
    let mut complex = spec.crews.is_some();
    let mut m = String::from("[model]\nname = \"fuzz\"\n");
    for s in 0..w.sites {
        let _ = write!(m, "\n[[site]]\nid = \"s{s}\"\ntags = [\"t{}\"]\n", s % 3);
    }
    let mut hosting = Vec::new();
    for i in 0..w.services {
        let _ = write!(m, "\n[[service]]\nid = \"v{i}\"\ntags = [\"t{}\"]\n", i % 3);
        let Some(v) = spec.services.get(i) else {
            continue;
        };
        let hosted = v
            .hosted_on
            .as_ref()
            .map_or(vec![], |h| w.req(h, true, None));
        match hosted.len() {
            0 => {}
            1 => {
                let _ = writeln!(m, "hosted_on = {}", hosted[0]);
            }
            _ => {
                let _ = writeln!(m, "hosted_on = [{}]", hosted.join(", "));
            }
        }
        for h in hosted {
            for site in h.split('"').filter(|p| p.starts_with('s')) {
                if !hosting.iter().any(|s: &String| s == site) {
                    hosting.push(site.to_string());
                }
            }
        }
        let _ = writeln!(m, "requires = {}", w.requires(&v.requires, i));
        if let Some(d) = &v.restart {
            let _ = writeln!(m, "restart = {}", dur(d));
        }
        if let Some(d) = &v.repair {
            let _ = writeln!(m, "repair = {}", dur(d));
        }
        if let Some(h) = v.rto {
            let _ = writeln!(m, "rto = \"{}h\"", h % 72);
        }
        if v.effort {
            let _ = writeln!(m, "effort = 1");
        }
        if let Some(f) = &v.fallback {
            complex = true;
            let _ = write!(
                m,
                "fallback = {{ capacity = {}, activation = {}, switchback = {}, requires = {}",
                f.capacity as f64 / 255.0,
                dur(&f.activation),
                dur(&f.switchback),
                w.requires(&f.requires, i)
            );
            if let Some(c) = f.switchback_capacity {
                let _ = write!(m, ", switchback_capacity = {}", c as f64 / 255.0);
            }
            m.push_str(" }\n");
        }
        if let Some((p, down, attempts)) = &v.restart_failure {
            complex = true;
            let _ = writeln!(
                m,
                "restart_failure = {{ probability = {}, down = {}, attempts = {} }}",
                *p as f64 / 255.0,
                dur(down),
                1 + attempts % 12
            );
        }
        if let Some((mtbf_h, mttr)) = &v.random {
            complex = true;
            let _ = writeln!(
                m,
                "mtbf = \"{}h\"\nmttr = {}",
                1 + *mtbf_h as u64,
                dur(mttr)
            );
        }
    }
    for (i, c) in spec.clients.iter().take(MAX_CLIENTS).enumerate() {
        let uses: Vec<String> = c
            .uses
            .iter()
            .take(MAX_MEMBERS)
            .map(|&(v, share)| match share {
                None => w.service(v),
                Some(s) => format!(
                    "{{ service = {}, share = {} }}",
                    w.service(v),
                    s as f64 / 255.0
                ),
            })
            .collect();
        let _ = write!(
            m,
            "\n[[client]]\nid = \"c{i}\"\npopulation = {}\nuses = [{}]\n",
            c.population,
            uses.join(", ")
        );
    }

    let horizon_m = 60 * (1 + spec.horizon_h as u64 % 96);
    let mut s = format!(
        "[scenario]\nname = \"fuzz\"\nmodel = \"model.toml\"\nhorizon = {}\nstep = {}\n",
        minutes(horizon_m),
        minutes(1 + spec.step_m as u64 % 60)
    );
    if let Some(c) = spec.crews {
        let policy = if spec.critical_first {
            "critical-first"
        } else {
            "file"
        };
        let _ = writeln!(s, "crews = {}\npolicy = \"{policy}\"", 1 + c % 3);
    }
    for e in spec.events.iter().take(MAX_EVENTS) {
        let action = ["shutdown", "fail", "restart"][e.action as usize % 3];
        let target = match &e.target {
            Target::Node(i) if i % 2 == 0 => w.site(*i / 2),
            Target::Node(i) => w.service(*i / 2),
            Target::Nodes(m) if m.is_empty() => "\"service:*\"".into(),
            Target::Nodes(m) => format!("[{}]", w.ids(m, false, None).join(", ")),
            Target::Sites => "\"site:*\"".into(),
            Target::Services => "\"service:*\"".into(),
            Target::Tag(t) => format!("\"tag:t{}\"", t % 3),
            Target::Hosted(_) if hosting.is_empty() => "\"site:*\"".into(),
            Target::Hosted(i) => format!("\"hosted:{}\"", hosting[*i as usize % hosting.len()]),
        };
        let _ = write!(
            s,
            "\n[[event]]\nat = {}\naction = \"{action}\"\ntarget = {target}\n",
            minutes(e.at_m as u64 % (horizon_m + 1))
        );
        if let (Some(d), false) = (&e.for_, action == "restart") {
            let _ = writeln!(s, "for = {}", dur(d));
        }
    }
    (m, s, complex)
}

fn load(model: &str, scenario: &str) -> Result<Scenario, Error> {
    let source = Source::from_text("scenario.toml", scenario);
    let raw: RawScenarioFile = source.deserialize()?;
    let model = Source::from_text("model.toml", model);
    scenario::from_sources(&source, raw, &model)
}

fn check_bounds_and_integral(r: &RunResult, horizon: SimTime) {
    let total = r.total_population as f64;
    let eps = 1e-9 * total.max(1.0);
    let mut sum = 0.0;
    for (i, &(t, a)) in r.points.iter().enumerate() {
        assert!(
            a >= 0.0 && a <= total + eps,
            "affected {a} at {t}, population {total}"
        );
        let next = r.points.get(i + 1).map_or(horizon, |p| p.0);
        assert!(next >= t, "change points out of order at {t}");
        sum += a * (next.0 - t.0) as f64 / 3600.0;
    }
    assert!(r.peak_affected <= total + eps);
    assert!(
        (sum - r.people_hours).abs() <= 1e-9 * sum.abs().max(1.0),
        "people-hours {} but the timeline integrates to {sum}",
        r.people_hours
    );
}

/// Affected people just after `t`.
fn at(points: &[(SimTime, f64)], t: SimTime) -> f64 {
    match points.partition_point(|p| p.0 <= t) {
        0 => 0.0,
        i => points[i - 1].1,
    }
}

fn run(s: &Scenario, propagation: Propagation, seed: Option<u64>) -> RunResult {
    metrics::run_opts(s, Options { propagation, seed })
}

/// Loads and runs the model and scenario `spec` describes and checks every invariant;
/// panics on a violation.
pub fn check(spec: &Spec) {
    let (model, scenario, complex) = texts(spec);
    let s = match load(&model, &scenario) {
        Ok(s) => s,
        // Some arbitrary structures are invalid (a cycle through a fallback, effort above
        // the crews): those must be located errors that render.
        Err(Error::Input(e)) => {
            assert!(e.location.is_some(), "unlocated: {e}");
            let _ = Error::Input(e).render(false);
            return;
        }
        Err(e) => panic!("not an input error: {e}\n{model}\n{scenario}"),
    };
    let median = run(&s, Propagation::Incremental, None);
    check_bounds_and_integral(&median, s.horizon);
    assert_eq!(
        median,
        run(&s, Propagation::Incremental, None),
        "median runs differ"
    );
    assert_eq!(
        median,
        run(&s, Propagation::FullRecompute, None),
        "incremental ≠ full\n{model}\n{scenario}"
    );

    let seeded = run(&s, Propagation::Incremental, Some(spec.seed));
    check_bounds_and_integral(&seeded, s.horizon);
    assert_eq!(
        seeded,
        run(&s, Propagation::Incremental, Some(spec.seed)),
        "same seed differs"
    );
    assert_eq!(
        seeded,
        run(&s, Propagation::FullRecompute, Some(spec.seed)),
        "seeded incremental ≠ full\n{model}\n{scenario}"
    );

    // One more failure (or shutdown) never lowers the people affected, where no fallback
    // timer, crew queue or random draw can turn an earlier loss into a later gain.
    if let (Some((at_m, node, fail)), false) = (spec.extra, complex) {
        let node = node as usize % s.model.node_count();
        let t = SimTime((at_m as u64 * 60) % (s.horizon.0 + 1));
        let mut more = s.clone();
        let order = more.events.iter().map(|e| e.order + 1).max().unwrap_or(0);
        let pos = more
            .events
            .partition_point(|e| (e.at, e.order) <= (t, order));
        more.events.insert(
            pos,
            Event {
                at: t,
                action: if fail { Action::Fail } else { Action::Shutdown },
                targets: vec![node as u32],
                order,
                implied: false,
            },
        );
        let with = run(&more, Propagation::Incremental, None);
        for &(t, _) in median.points.iter().chain(&with.points) {
            let (a, b) = (at(&median.points, t), at(&with.points, t));
            assert!(
                b >= a - 1e-6,
                "one more take-down of node {node} at {t}: {b} affected at {t}, {a} without\n{model}\n{scenario}"
            );
        }
    }
}
