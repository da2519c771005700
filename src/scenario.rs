//! Scenarios: events on a timeline, targets resolved to dense node ids, the model patched.

#[allow(missing_docs)]
pub mod raw;
mod restoration;

use std::path::Path;
use std::time::Instant;

use crate::dist::Dist;
use crate::error::{Error, InputError, InputErrorKind, Remedy};
use crate::limits::{DEFAULT_MAX_EVENTS, LoadOptions};
use crate::model::{self, IdRef, Model, NodeKind};
use crate::source::{Seg, Source};
use crate::time::SimTime;

pub use raw::Action;
pub use restoration::{
    Policy, Restoration, critical_first, critical_scores, restart_targets, too_few_crews,
};

/// One resolved event. Events sort by `(at, order)`; the restart implied by `for` keeps its
/// event's place in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// When.
    pub at: SimTime,
    /// What.
    pub action: Action,
    /// Which nodes, in model order.
    pub targets: Vec<u32>,
    /// The index of the `[[event]]` in the file.
    pub order: usize,
    /// True for the restart implied by `for`.
    pub implied: bool,
}

/// An event whose `for` is a distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct RandomFor {
    /// The index of the `[[event]]` in the file.
    pub order: usize,
    /// When the shutdown or failure happens.
    pub at: SimTime,
    /// How long until the implied restart.
    pub dist: Dist,
    /// Its targets.
    pub targets: Vec<u32>,
}

/// A loaded scenario: the (patched) model and the events to play.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The scenario's name.
    pub name: String,
    /// The scenario file, with its text as it was loaded: what `plan --out` rewrites and a
    /// study's fingerprint hashes, so that nothing reads the file again (it may have changed).
    pub source: Source,
    /// The model file it names, with its text as it was loaded.
    pub model_source: Source,
    /// The model, with the scenario's patch applied.
    pub model: Model,
    /// End of the simulated time.
    pub horizon: SimTime,
    /// Sampling step of the time series output.
    pub step: SimTime,
    /// Wall-clock time of t = 0, as written.
    pub start: Option<String>,
    /// Wall-clock time of t = 0, parsed.
    pub start_time: Option<jiff::Timestamp>,
    /// Events in the order they are applied.
    pub events: Vec<Event>,
    /// Events whose `for` is a distribution: a seeded run draws their restart anew.
    pub random_for: Vec<RandomFor>,
    /// Ids the patch touched (replaced or added), for reports.
    pub patched_ids: Vec<String>,
    /// Problems worth telling but not fatal (events after the horizon).
    pub warnings: Vec<String>,
    /// Time spent reading, parsing and building, for `run --timings`.
    pub timings: LoadTimings,
    /// How many crews restart nodes, and in which order (unlimited by default).
    pub restoration: Restoration,
}

/// Where the time of loading a scenario went.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LoadTimings {
    /// Reading both files from disk.
    pub read: std::time::Duration,
    /// Parsing both files (TOML or JSON) into their raw structures.
    pub parse: std::time::Duration,
    /// Validating and building the model and the events.
    pub build: std::time::Duration,
}

impl Scenario {
    /// The scenario file.
    pub fn path(&self) -> &Path {
        &self.source.path
    }

    /// The model file it names.
    pub fn model_path(&self) -> &Path {
        &self.model_source.path
    }

    /// The events of a seeded run: the restarts implied by a random `for` drawn anew (and
    /// dropped when they fall after the horizon). `None` when nothing is random.
    pub fn draw_events<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> Option<Vec<Event>> {
        if self.random_for.is_empty() {
            return None;
        }
        let redrawn = |e: &Event| e.implied && self.random_for.iter().any(|r| r.order == e.order);
        let mut events: Vec<Event> = self
            .events
            .iter()
            .filter(|e| !redrawn(e))
            .cloned()
            .collect();
        for r in &self.random_for {
            let back = r.at.plus(r.dist.sample(rng));
            if back <= self.horizon {
                events.push(Event {
                    at: back,
                    action: Action::Restart,
                    targets: r.targets.clone(),
                    order: r.order,
                    implied: true,
                });
            }
        }
        events.sort_by_key(|e| (e.at, e.order, e.implied));
        Some(events)
    }

    /// True when a seeded run can differ from the deterministic one: some duration is a
    /// distribution, or some node may fail at random or fail a restart.
    pub fn is_random(&self) -> bool {
        !self.random_for.is_empty() || self.model.random.iter().any(Option::is_some)
    }
}

/// The default sampling step when a scenario gives none.
pub const DEFAULT_STEP: SimTime = SimTime(3600);

/// The most time steps (horizon ÷ step + 1) a scenario may have: timeline.csv writes one
/// row per step, and a Monte Carlo study keeps one value per step and run.
pub const MAX_STEPS: u64 = 10_000_000;

/// Loads a scenario file and the model it names, with the default [`LoadOptions`].
pub fn load_scenario(path: &Path) -> Result<Scenario, Error> {
    load_scenario_with(path, &LoadOptions::default())
}

/// Loads a scenario file and the model it names, within the limits of `options`.
pub fn load_scenario_with(path: &Path, options: &LoadOptions) -> Result<Scenario, Error> {
    load(path, true, options)
}

/// Loads a scenario file as if it had no `[patch]`: the same events on the model as written,
/// the baseline of a what-if (`compare`).
pub fn load_scenario_unpatched(path: &Path) -> Result<Scenario, Error> {
    load_scenario_unpatched_with(path, &LoadOptions::default())
}

/// [`load_scenario_unpatched`] within the limits of `options`.
pub fn load_scenario_unpatched_with(path: &Path, options: &LoadOptions) -> Result<Scenario, Error> {
    load(path, false, options)
}

fn load(path: &Path, patched: bool, options: &LoadOptions) -> Result<Scenario, Error> {
    let t0 = Instant::now();
    let source = Source::read_with(path, options)?;
    load_read(source, t0.elapsed(), patched, options)
}

/// Loads a scenario from its file already read (`validate` reads it to tell a scenario from
/// a model), and the model it names.
pub fn load_scenario_from(source: Source, options: &LoadOptions) -> Result<Scenario, Error> {
    load_read(source, std::time::Duration::ZERO, true, options)
}

/// [`load`] once the scenario file is read (which took `read`).
fn load_read(
    source: Source,
    mut read: std::time::Duration,
    patched: bool,
    options: &LoadOptions,
) -> Result<Scenario, Error> {
    let path = source.path.as_path();
    let t1 = Instant::now();
    let raw: raw::RawScenarioFile = source.deserialize()?;
    let parse = t1.elapsed();
    let model_rel = Path::new(&raw.scenario.model);
    let model_path = path.parent().unwrap_or(Path::new("")).join(model_rel);
    let t2 = Instant::now();
    let model_source = Source::read_with(&model_path, options).map_err(|e| match e {
        Error::Io { source: io, .. } => Error::from(
            source.error_at(
                &[Seg::Key("scenario"), Seg::Key("model")],
                InputError::new(
                    InputErrorKind::Value,
                    format!("cannot read the model `{}`: {io}", model_path.display()),
                )
                .hint("`model` is a path relative to the scenario file"),
            ),
        ),
        other => other,
    })?;
    read += t2.elapsed();
    // Without its patch, the scenario's `order` may name nodes only the patch adds: those
    // are left out (with a warning) instead of being unknown ids. (An event on such a node
    // stays an error: the baseline cannot have that loss.)
    let (raw, dropped) = if patched {
        (raw, Vec::new())
    } else {
        without_patch(raw)
    };
    let mut scenario = build(&source, raw, &model_source, &dropped, options.max_events)?;
    scenario.timings.read = read;
    scenario.timings.parse += parse;
    Ok(scenario)
}

/// The ids a patch names, sites, services and clients.
fn patch_ids(patch: Option<&model::raw::RawPatch>) -> Vec<String> {
    patch
        .iter()
        .flat_map(|p| {
            p.site
                .iter()
                .map(|s| s.id.to_string())
                .chain(p.service.iter().map(|s| s.id.to_string()))
                .chain(p.client.iter().map(|c| c.id.to_string()))
        })
        .collect()
}

/// Builds a scenario from its parsed file and the model's source.
pub fn from_sources(
    source: &Source,
    raw: raw::RawScenarioFile,
    model_source: &Source,
) -> Result<Scenario, Error> {
    build(source, raw, model_source, &[], DEFAULT_MAX_EVENTS)
}

/// [`from_sources`] as if the scenario had no `[patch]` (the baseline of `compare`): its
/// `order` may name nodes only the patch adds, and those are left out with a warning.
pub fn from_sources_unpatched(
    source: &Source,
    raw: raw::RawScenarioFile,
    model_source: &Source,
) -> Result<Scenario, Error> {
    let (raw, dropped) = without_patch(raw);
    build(source, raw, model_source, &dropped, DEFAULT_MAX_EVENTS)
}

/// The scenario without its `[patch]`, and the ids the patch named.
fn without_patch(mut raw: raw::RawScenarioFile) -> (raw::RawScenarioFile, Vec<String>) {
    let dropped = patch_ids(raw.patch.take().as_ref());
    (raw, dropped)
}

/// [`from_sources`]; `order` entries naming an id of `dropped` (a patch left out) that the
/// model lacks are left out with a warning; at most `max_events` node events.
fn build(
    source: &Source,
    raw: raw::RawScenarioFile,
    model_source: &Source,
    dropped: &[String],
    max_events: u64,
) -> Result<Scenario, Error> {
    let patch = raw.patch;
    let patched_ids = patch_ids(patch.as_ref());
    let t0 = Instant::now();
    let raw_model = model::raw::parse_model(model_source)?;
    model_source.release();
    let parse = t0.elapsed();
    let t1 = Instant::now();
    let model = model::build_parsed(model_source, raw_model, patch.map(|p| (source, p)))?;

    let header = &raw.scenario;
    let (horizon, step, start_time) = timing(source, header)?;
    let (events, random_for, node_events, mut warnings) = resolve_events(
        source,
        &raw.event,
        &model,
        (horizon, start_time),
        max_events,
    )?;
    check_random_failures(source, &model, horizon, node_events, max_events)?;
    let restoration = restoration::resolve(
        source,
        header,
        &model,
        &events,
        &random_for,
        dropped,
        &mut warnings,
    )?;

    Ok(Scenario {
        name: header.name.clone(),
        source: source.clone(),
        model_source: model_source.clone(),
        model,
        horizon,
        step,
        start: header.start.as_ref().map(|s| s.0.clone()),
        start_time,
        events,
        random_for,
        patched_ids,
        warnings,
        restoration,
        timings: LoadTimings {
            read: std::time::Duration::ZERO,
            parse,
            build: t1.elapsed(),
        },
    })
}

/// The header's horizon, step and start, checked: (horizon, step, start).
fn timing(
    source: &Source,
    header: &raw::RawScenarioHeader,
) -> Result<(SimTime, SimTime, Option<jiff::Timestamp>), Error> {
    let at_header = |key: &'static str, e: InputError| {
        source.error_at(&[Seg::Key("scenario"), Seg::Key(key)], e)
    };
    let horizon = header.horizon.0;
    if horizon == SimTime::ZERO {
        return Err(at_header(
            "horizon",
            InputError::new(InputErrorKind::Value, "the horizon must be longer than 0")
                .hint("write e.g. horizon = \"21d\""),
        )
        .into());
    }
    let step = header.step.map_or(DEFAULT_STEP, |d| d.0);
    if step == SimTime::ZERO {
        return Err(at_header(
            "step",
            InputError::new(InputErrorKind::Value, "the step must be longer than 0")
                .hint("write e.g. step = \"1h\""),
        )
        .into());
    }
    let rows = horizon.0 / step.0 + 1;
    if rows > MAX_STEPS {
        // Where the default step is too fine, point at the horizon.
        let key = if header.step.is_some() {
            "step"
        } else {
            "horizon"
        };
        return Err(at_header(
            key,
            InputError::new(
                InputErrorKind::Value,
                format!(
                    "a horizon of {horizon} sampled every {step} makes {rows} time steps; at most {MAX_STEPS} are allowed"
                ),
            )
            .hint(format!(
                "raise step to at least {} (the timeline.csv rows and the Monte Carlo bands follow it; events keep their exact times)",
                SimTime(horizon.0.div_ceil(MAX_STEPS - 1))
            )),
        )
        .into());
    }
    let start_time = match &header.start {
        None => None,
        Some(s) => Some(s.0.parse::<jiff::Timestamp>().map_err(|e| {
            at_header(
                "start",
                InputError::new(
                    InputErrorKind::Value,
                    format!("`start` is not a date and time with offset: {e}"),
                )
                .hint("write e.g. start = \"2023-04-24T18:00:00+02:00\""),
            )
        })?),
    };
    Ok((horizon, step, start_time))
}

/// The time from `start` to the date and time `date` (an event's `at`), a fractional second
/// rounded half up as in durations.
fn date_at(date: &str, start: Option<jiff::Timestamp>) -> Result<SimTime, InputError> {
    let value = |msg: String| InputError::new(InputErrorKind::Value, msg);
    let Some(start) = start else {
        return Err(value(format!("`at = \"{date}\"` is a date, but the scenario has no `start`"))
            .hint("give [scenario] a start = \"2023-04-24T18:00:00+02:00\" (t = 0), or write `at` as a duration from t = 0 such as \"36h\""));
    };
    let when = date.parse::<jiff::Timestamp>().map_err(|e| {
        value(format!("`{date}` is not a date and time with offset: {e}"))
            .hint("write it as `start` is written, e.g. \"2023-04-26T08:00:00+02:00\"")
    })?;
    let since = when.duration_since(start);
    if since.is_negative() {
        return Err(value(format!("`{date}` is before the scenario's `start`"))
            .hint("events happen from t = 0 on: move the event, or an earlier start"));
    }
    let (secs, nanos) = (since.as_secs() as u64, since.subsec_nanos());
    Ok(SimTime(secs + u64::from(nanos >= 500_000_000)))
}

/// The events resolved to dense ids, each `for` adding its restart, sorted by time then file
/// order; also the random `for` durations, the node events counted against `max_events`,
/// and warnings (events after the horizon).
#[allow(clippy::type_complexity)]
fn resolve_events(
    source: &Source,
    raw_events: &[raw::RawEvent],
    model: &Model,
    (horizon, start): (SimTime, Option<jiff::Timestamp>),
    max_events: u64,
) -> Result<(Vec<Event>, Vec<RandomFor>, u64, Vec<String>), Error> {
    let mut events = Vec::new();
    let mut random_for = Vec::new();
    let mut warnings = Vec::new();
    let mut node_events: u64 = 0;
    for (i, ev) in raw_events.iter().enumerate() {
        let at_event = |path: &[Seg], e: InputError| {
            let mut full = vec![Seg::Key("event"), Seg::Index(i)];
            full.extend_from_slice(path);
            source.error_at(&full, e)
        };
        let mut targets = Vec::new();
        for (ti, t) in ev.target.items.iter().enumerate() {
            let path: Vec<Seg> = if ev.target.list {
                vec![Seg::Key("target"), Seg::Index(ti)]
            } else {
                vec![Seg::Key("target")]
            };
            let matched = select(model, t).map_err(|e| at_event(&path, e))?;
            if matched.is_empty() {
                return Err(at_event(
                    &path,
                    InputError::new(
                        InputErrorKind::Value,
                        format!("target `{t}` matches nothing"),
                    )
                    .hint("check the tag or site name; an empty selection is almost always a typo"),
                )
                .into());
            }
            targets.extend(matched);
        }
        targets.sort_unstable();
        targets.dedup();
        let times = if ev.for_.is_some() { 2 } else { 1 };
        node_events = node_events.saturating_add(times * targets.len() as u64);
        if node_events > max_events {
            return Err(at_event(
                &[Seg::Key("target")],
                InputError::new(
                    InputErrorKind::Limit,
                    format!(
                        "the events up to this one make {node_events} node events (each target once, twice with `for`); at most {max_events} are allowed"
                    ),
                )
                .hint_remedy("select fewer nodes per event", Remedy::MaxEvents),
            )
            .into());
        }
        if ev.for_.is_some() && ev.action == Action::Restart {
            return Err(at_event(
                &[Seg::Key("for")],
                InputError::new(
                    InputErrorKind::Value,
                    "`for` works with shutdown and fail, not with restart",
                )
                .hint("remove `for`, or make the event a shutdown"),
            )
            .into());
        }
        let at = match &ev.at {
            raw::RawAt::After(d) => d.0,
            raw::RawAt::Date(date) => {
                date_at(date, start).map_err(|e| at_event(&[Seg::Key("at")], e))?
            }
        };
        if at > horizon {
            warnings.push(format!(
                "event {} at {} is after the horizon ({}) and is ignored",
                i + 1,
                at,
                horizon
            ));
            continue;
        }
        events.push(Event {
            at,
            action: ev.action,
            targets: targets.clone(),
            order: i,
            implied: false,
        });
        if let Some(d) = &ev.for_ {
            let back = at.plus(d.median());
            if let Some(dist) = d.random() {
                random_for.push(RandomFor {
                    order: i,
                    at,
                    dist,
                    targets: targets.clone(),
                });
            }
            if back <= horizon {
                events.push(Event {
                    at: back,
                    action: Action::Restart,
                    targets,
                    order: i,
                    implied: true,
                });
            }
        }
    }
    events.sort_by_key(|e| (e.at, e.order, e.implied));
    Ok((events, random_for, node_events, warnings))
}

/// Refuses a scenario whose random failures, with the `node_events` scheduled, would pass
/// `max_events`.
fn check_random_failures(
    source: &Source,
    model: &Model,
    horizon: SimTime,
    node_events: u64,
    max_events: u64,
) -> Result<(), Error> {
    let at_header = |key: &'static str, e: InputError| {
        source.error_at(&[Seg::Key("scenario"), Seg::Key(key)], e)
    };
    // A random failure is a loss and a return: two node events, like an event with `for`.
    if let Some((drawn, node)) = random_failures(model, horizon)
        && node_events as f64 + 2.0 * drawn > max_events as f64
    {
        return Err(at_header(
            "horizon",
            InputError::new(
                InputErrorKind::Limit,
                format!(
                    "over a horizon of {horizon} a run makes about {:.0} node events: {node_events} scheduled, and {:.0} from about {drawn:.0} random failures (a loss and a return each; `{}` alone fails about {:.0} times); at most {max_events} are allowed",
                    node_events as f64 + 2.0 * drawn,
                    2.0 * drawn,
                    model.nodes[node.0].id,
                    node.1
                ),
            )
            .hint_remedy("raise the smallest mtbf, shorten the horizon", Remedy::MaxEvents),
        )
        .into());
    }
    Ok(())
}

/// The random failures a seeded run draws on average over `horizon` (Σ horizon ÷ (mean
/// mtbf + mean mttr)), and the node that draws the most with its count; `None` without mtbf.
fn random_failures(model: &Model, horizon: SimTime) -> Option<(f64, (usize, f64))> {
    let mut total = 0.0;
    let mut most: Option<(usize, f64)> = None;
    for (n, r) in model.random.iter().enumerate() {
        let Some((mtbf, mttr)) = r.as_ref().and_then(|r| Some((r.mtbf?, r.mttr?))) else {
            continue;
        };
        let cycle = mtbf.mean() + mttr.mean();
        let count = if cycle > 0.0 {
            horizon.0 as f64 / cycle
        } else {
            f64::INFINITY
        };
        total += count;
        if most.is_none_or(|m| count > m.1) {
            most = Some((n, count));
        }
    }
    most.map(|m| (total, m))
}

/// The nodes a target string selects, in model order.
pub fn select(model: &Model, target: &str) -> Result<Vec<u32>, InputError> {
    let all = 0..model.nodes.len() as u32;
    let kind_is = |k: NodeKind| move |&n: &u32| model.nodes[n as usize].kind == k;
    Ok(match target.split_once(':') {
        Some(("site", "*")) => all.filter(kind_is(NodeKind::Site)).collect(),
        Some(("service", "*")) => all.filter(kind_is(NodeKind::Service)).collect(),
        Some(("tag", tag)) => all
            .filter(|&n| model.nodes[n as usize].tags.iter().any(|t| t == tag))
            .collect(),
        Some(("hosted", site)) => {
            let Some(IdRef::Node(s)) = model.lookup(site).filter(
                |r| matches!(r, IdRef::Node(n) if model.nodes[*n as usize].kind == NodeKind::Site),
            ) else {
                let mut e = InputError::new(
                    InputErrorKind::UnknownId,
                    format!("`hosted:{site}`: `{site}` is not a site"),
                );
                if let Some(s) = crate::suggest::closest(
                    site,
                    model
                        .nodes
                        .iter()
                        .filter(|n| n.kind == NodeKind::Site)
                        .map(|n| n.id.as_str()),
                ) {
                    e = e.hint(format!("did you mean `hosted:{s}`?"));
                }
                return Err(e);
            };
            all.filter(|&n| model.hosted_on_names(n, s)).collect()
        }
        _ => match model.lookup(target) {
            Some(IdRef::Node(n)) => vec![n],
            Some(IdRef::Client(_)) => {
                return Err(InputError::new(
                    InputErrorKind::Value,
                    format!("`{target}` is a client; events act on sites and services"),
                )
                .hint("shut down the services the client uses instead"));
            }
            None => {
                let mut e = InputError::new(
                    InputErrorKind::UnknownId,
                    format!("unknown target `{target}`"),
                );
                e = match crate::suggest::closest(target, model.id_names().chain(["site:*", "service:*"])) {
                    Some(s) => e.hint(format!("did you mean `{s}`?")),
                    None => e.hint("a target is an id, a list of ids, \"site:*\", \"service:*\", \"tag:NAME\" or \"hosted:SITE\""),
                };
                return Err(e);
            }
        },
    })
}
