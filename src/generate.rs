//! Synthetic models and scenarios from a seed (`impactsim generate`).
//!
//! The shape: `sites` data centers; `services` split into `layers` equal layers, every service
//! hosted on one site (or, for a share, on any of two); each service above layer 0 requires a
//! number of services of the layer below (its fan-in, drawn per layer from a range), some of
//! them packed into `any_of` or k-of-n groups; a fraction of services gets one extra
//! requirement on a service of its own or a higher layer (a back edge, which makes cycles);
//! a share of the services that lie on no cycle gets a fallback. Clients use services of the
//! top layer; their populations follow a lognormal spread and sum exactly to the total.
//! Restart and repair times are drawn per node from lognormal distributions given by their
//! median and 90th percentile, rounded to whole minutes.
//!
//! The scenario has `events` events at random minutes over the horizon (or one every
//! `every`): each restarts a node an earlier event took down, or takes down (shuts down or
//! fails) a node that is up.
//!
//! Every part draws from its own ChaCha8 stream of the seed, so the same seed and options give
//! the same bytes on every machine, and changing the events leaves the model as it was.

use std::fmt;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::error::Error;
use crate::model::raw::MAX_POPULATION;
use crate::model::{Csr, tarjan};
use crate::time::{MAX_DURATION, SimTime};

/// Everything `generate` can be told.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The seed of every random choice.
    pub seed: u64,
    /// The model's name.
    pub name: String,
    /// Number of sites.
    pub sites: u32,
    /// Number of services, split into `layers` layers.
    pub services: u32,
    /// Number of service layers.
    pub layers: u32,
    /// Number of clients.
    pub clients: u32,
    /// Fan-in (min, max) of layers 1, 2, ...; the last range holds for the layers above.
    pub fan_in: Vec<(u32, u32)>,
    /// Share of services hosted on any of two sites instead of one.
    pub any_of_hosting: f64,
    /// Share of requirement groups that pack two or three members (`any_of` or k-of-n).
    pub k_of_n: f64,
    /// Share of services with one extra requirement on a service of their own or a higher
    /// layer (these make dependency cycles).
    pub back_edges: f64,
    /// Share of the services on no cycle that get a fallback.
    pub fallbacks: f64,
    /// Share of services with a recovery time objective.
    pub rto: f64,
    /// Total population of all clients.
    pub population: u64,
    /// Spread of client populations (the σ of a lognormal).
    pub population_sigma: f64,
    /// Services each client uses (min, max), from the top layer.
    pub uses: (u32, u32),
    /// Restart time: median and 90th percentile of a lognormal.
    pub restart: (SimTime, SimTime),
    /// Repair time: median and 90th percentile of a lognormal.
    pub repair: (SimTime, SimTime),
    /// Number of scenario events.
    pub events: u32,
    /// The scenario's horizon; by default 30 days, or `events × every` with `every`.
    pub horizon: Option<SimTime>,
    /// Events at 0, every, 2 × every, ... instead of at random minutes.
    pub every: Option<SimTime>,
    /// Share of take-down events that are failures (the rest are shutdowns).
    pub fail_share: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 1,
            name: "generated".into(),
            sites: 4,
            services: 40,
            layers: 4,
            clients: 20,
            fan_in: vec![(1, 4)],
            any_of_hosting: 0.3,
            k_of_n: 0.1,
            back_edges: 0.01,
            fallbacks: 0.05,
            rto: 0.02,
            population: 1_000_000,
            population_sigma: 1.0,
            uses: (1, 5),
            restart: (SimTime(2 * 3600), SimTime(RESTART_P90_FACTOR * 2 * 3600)),
            repair: (SimTime(86_400), SimTime(REPAIR_P90_FACTOR * 86_400)),
            events: 20,
            horizon: None,
            every: None,
            fail_share: 0.3,
        }
    }
}

/// A restart time's 90th percentile, when not given, is this many times its median.
pub const RESTART_P90_FACTOR: u64 = 6;
/// A repair time's 90th percentile, when not given, is this many times its median.
pub const REPAIR_P90_FACTOR: u64 = 3;

/// Output format of the generated files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TOML, for models people read.
    Toml,
    /// JSON, for large models.
    Json,
}

impl Format {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Toml => "toml",
            Format::Json => "json",
        }
    }
}

/// Models with more nodes and clients than this are written as JSON by default.
pub const TOML_LIMIT: u64 = 10_000;

/// A scenario action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Shutdown,
    Fail,
    Restart,
}

/// A requirement group: K and a range of `members`.
#[derive(Debug, Clone, Copy)]
struct Group {
    k: u32,
    start: u32,
    len: u32,
}

#[derive(Debug, Clone, Copy)]
struct GenFallback {
    capacity: f64,
    activation: SimTime,
    switchback: SimTime,
    switchback_capacity: Option<f64>,
    /// A site the fallback needs (emergency hosting), if any.
    requires: Option<u32>,
}

/// A generated model and scenario, in compact form; [`Generated::model_text`] and
/// [`Generated::scenario_text`] write them out.
#[derive(Debug, Clone)]
pub struct Generated {
    cfg: Config,
    horizon: SimTime,
    /// First service of each layer (as a service index), and the total at the end.
    layer_start: Vec<u32>,
    /// Digits of the widest index, for ids of equal length.
    width: usize,
    /// Per service: its first group; the hosting group comes first.
    service_groups: Vec<u32>,
    groups: Vec<Group>,
    /// Members as node indices: sites `0..sites`, then services.
    members: Vec<u32>,
    /// Per node: restart and repair in seconds.
    restart: Vec<u32>,
    repair: Vec<u32>,
    rto: Vec<Option<SimTime>>,
    fallback: Vec<Option<GenFallback>>,
    populations: Vec<u64>,
    /// Per client: its first use.
    client_uses: Vec<u32>,
    /// Uses as (node, share in hundredths).
    uses: Vec<(u32, u8)>,
    events: Vec<(SimTime, Act, u32)>,
}

/// Streams of the seed, one per part.
const STREAM_GRAPH: u64 = 0;
const STREAM_DURATIONS: u64 = 1;
const STREAM_FALLBACKS: u64 = 2;
const STREAM_CLIENTS: u64 = 3;
const STREAM_EVENTS: u64 = 4;

fn rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(stream);
    r
}

fn usage(msg: impl Into<String>) -> Error {
    Error::Usage {
        message: msg.into(),
    }
}

fn check_share(name: &str, x: f64) -> Result<(), Error> {
    if (0.0..=1.0).contains(&x) {
        Ok(())
    } else {
        Err(usage(format!(
            "--{name} must be a share between 0 and 1, not {x}"
        )))
    }
}

impl Config {
    /// Checks the options against each other.
    pub fn check(&self) -> Result<(), Error> {
        if self.sites == 0 {
            return Err(usage("--sites must be at least 1"));
        }
        if self.layers == 0 || self.services < self.layers {
            return Err(usage(format!(
                "--services ({}) must be at least --layers ({}), and --layers at least 1",
                self.services, self.layers
            )));
        }
        let entries = self.sites as u64 + self.services as u64 + self.clients as u64;
        if entries >= 1 << 30 {
            return Err(usage(format!(
                "{entries} sites, services and clients are more than impactsim handles (at most {})",
                (1u64 << 30) - 1
            )));
        }
        if self.fan_in.is_empty() {
            return Err(usage("--fan-in needs at least one range"));
        }
        for &(lo, hi) in self.fan_in.iter().chain([&self.uses]) {
            if lo > hi {
                return Err(usage(format!(
                    "the range {lo}..{hi} is empty: write MIN..MAX"
                )));
            }
        }
        for (name, x) in [
            ("any-of-hosting", self.any_of_hosting),
            ("k-of-n", self.k_of_n),
            ("back-edges", self.back_edges),
            ("fallbacks", self.fallbacks),
            ("rto", self.rto),
            ("fail-share", self.fail_share),
        ] {
            check_share(name, x)?;
        }
        if !(0.0..=5.0).contains(&self.population_sigma) {
            return Err(usage(format!(
                "--population-sigma must be between 0 and 5, not {}",
                self.population_sigma
            )));
        }
        if self.population > MAX_POPULATION {
            return Err(usage(format!(
                "--population {} is larger than {MAX_POPULATION}",
                self.population
            )));
        }
        for (name, (median, p90)) in [("restart", self.restart), ("repair", self.repair)] {
            if p90 < median {
                return Err(usage(format!(
                    "--{name}-p90 ({p90}) must not be below --{name}-median ({median})"
                )));
            }
        }
        if self.every == Some(SimTime::ZERO) {
            return Err(usage("--every must be longer than 0"));
        }
        let horizon = self.horizon();
        if horizon > MAX_DURATION {
            return Err(usage(format!(
                "the horizon {horizon} is longer than 100 years"
            )));
        }
        Ok(())
    }

    /// The scenario's horizon.
    pub fn horizon(&self) -> SimTime {
        match (self.horizon, self.every) {
            (Some(h), _) => h,
            (None, Some(e)) => SimTime(e.0.saturating_mul(self.events.max(1) as u64)),
            (None, None) => SimTime(30 * 86_400),
        }
    }

    /// The format `auto` picks: TOML up to [`TOML_LIMIT`] nodes and clients, JSON above.
    pub fn auto_format(&self) -> Format {
        if self.sites as u64 + self.services as u64 + self.clients as u64 <= TOML_LIMIT {
            Format::Toml
        } else {
            Format::Json
        }
    }
}

/// A lognormal draw with this median and 90th percentile, in whole minutes.
fn lognormal_minutes(rng: &mut ChaCha8Rng, (median, p90): (SimTime, SimTime)) -> u32 {
    if median.0 == 0 {
        return 0;
    }
    // The 90th percentile of the standard normal.
    const Z90: f64 = 1.281_551_565_544_600_4;
    let sigma = (p90.0 as f64 / median.0 as f64).ln() / Z90;
    let z: f64 = StandardNormal.sample(rng);
    let secs = median.0 as f64 * (sigma * z).exp();
    let minutes = (secs / 60.0).round().min(MAX_DURATION.0 as f64 / 60.0);
    (minutes as u32).saturating_mul(60)
}

/// Draws `count` distinct values from `lo..hi` into `out` (count ≤ hi − lo).
fn distinct(rng: &mut ChaCha8Rng, lo: u32, hi: u32, count: u32, out: &mut Vec<u32>) {
    let start = out.len();
    while out.len() - start < count as usize {
        let x = rng.random_range(lo..hi);
        if !out[start..].contains(&x) {
            out.push(x);
        }
    }
}

/// Generates a model and scenario.
pub fn generate(cfg: &Config) -> Result<Generated, Error> {
    cfg.check()?;
    let sites = cfg.sites;
    let services = cfg.services;
    let layers = cfg.layers;
    let nodes = (sites + services) as usize;
    let layer_start: Vec<u32> = (0..=layers)
        .map(|l| (services as u64 * l as u64 / layers as u64) as u32)
        .collect();
    let widest = sites.max(services).max(cfg.clients).max(1);
    let width = widest.to_string().len();

    // The graph.
    let mut r = rng(cfg.seed, STREAM_GRAPH);
    let mut service_groups = Vec::with_capacity(services as usize + 1);
    let mut groups = Vec::new();
    let mut members: Vec<u32> = Vec::new();
    let mut picked = Vec::new();
    for l in 0..layers {
        let (lo, hi) = (layer_start[l as usize], layer_start[l as usize + 1]);
        let range = cfg.fan_in[(l as usize).saturating_sub(1).min(cfg.fan_in.len() - 1)];
        for s in lo..hi {
            service_groups.push(groups.len() as u32);
            // Hosting.
            let start = members.len() as u32;
            let two = sites >= 2 && r.random_bool(cfg.any_of_hosting);
            distinct(&mut r, 0, sites, if two { 2 } else { 1 }, &mut members);
            groups.push(Group {
                k: 1,
                start,
                len: members.len() as u32 - start,
            });
            // Requirements on the layer below.
            if l > 0 {
                let (below_lo, below_hi) = (layer_start[l as usize - 1], lo);
                let fan_in = r.random_range(range.0..=range.1).min(below_hi - below_lo);
                picked.clear();
                distinct(&mut r, below_lo, below_hi, fan_in, &mut picked);
                let mut i = 0;
                while i < picked.len() {
                    let left = picked.len() - i;
                    let size = if left >= 2 && r.random_bool(cfg.k_of_n) {
                        r.random_range(2..=3usize.min(left))
                    } else {
                        1
                    };
                    let k = if size == 1 {
                        1
                    } else {
                        r.random_range(1..size as u32)
                    };
                    let start = members.len() as u32;
                    members.extend(picked[i..i + size].iter().map(|&x| sites + x));
                    groups.push(Group {
                        k,
                        start,
                        len: size as u32,
                    });
                    i += size;
                }
            }
            // A back edge to the same or a higher layer.
            if services > 1 && r.random_bool(cfg.back_edges) {
                let mut x = r.random_range(lo..services);
                while x == s {
                    x = r.random_range(lo.min(services - 2)..services);
                }
                let start = members.len() as u32;
                members.push(sites + x);
                groups.push(Group {
                    k: 1,
                    start,
                    len: 1,
                });
            }
        }
    }
    service_groups.push(groups.len() as u32);

    // Durations.
    let mut r = rng(cfg.seed, STREAM_DURATIONS);
    let mut restart = Vec::with_capacity(nodes);
    let mut repair = Vec::with_capacity(nodes);
    let mut rto = Vec::with_capacity(nodes);
    const RTOS: [u64; 4] = [4, 8, 24, 72];
    for n in 0..nodes {
        restart.push(lognormal_minutes(&mut r, cfg.restart));
        repair.push(lognormal_minutes(&mut r, cfg.repair));
        let has_rto = n >= sites as usize && r.random_bool(cfg.rto);
        rto.push(has_rto.then(|| SimTime(RTOS[r.random_range(0..RTOS.len())] * 3600)));
    }

    // Fallbacks, on services that lie on no cycle.
    let cyclic = if cfg.back_edges > 0.0 && cfg.fallbacks > 0.0 {
        cyclic_services(sites, &service_groups, &groups, &members)
    } else {
        vec![false; services as usize]
    };
    let mut r = rng(cfg.seed, STREAM_FALLBACKS);
    let mut fallback = Vec::with_capacity(services as usize);
    const DELAYS: [u64; 4] = [0, 1, 4, 24];
    for &on_cycle in &cyclic {
        let has = r.random_bool(cfg.fallbacks);
        fallback.push((has && !on_cycle).then(|| {
            GenFallback {
                capacity: r.random_range(1..=9u32) as f64 / 10.0,
                activation: SimTime(DELAYS[r.random_range(0..4usize)] * 3600),
                switchback: SimTime(DELAYS[r.random_range(0..3usize)] * 3600),
                switchback_capacity: r
                    .random_bool(0.3)
                    .then(|| r.random_range(0..=5u32) as f64 / 10.0),
                requires: r.random_bool(0.5).then(|| r.random_range(0..sites)),
            }
        }));
    }

    // Clients.
    let mut r = rng(cfg.seed, STREAM_CLIENTS);
    let populations = split_population(&mut r, cfg.population, cfg.clients, cfg.population_sigma);
    let (top_lo, top_hi) = (layer_start[layers as usize - 1], services);
    let mut client_uses = Vec::with_capacity(cfg.clients as usize + 1);
    let mut uses = Vec::new();
    for _ in 0..cfg.clients {
        client_uses.push(uses.len() as u32);
        let count = r.random_range(cfg.uses.0..=cfg.uses.1).min(top_hi - top_lo);
        picked.clear();
        distinct(&mut r, top_lo, top_hi, count, &mut picked);
        for &s in &picked {
            let share = if r.random_bool(0.8) {
                100
            } else {
                5 * r.random_range(1..=19u8)
            };
            uses.push((sites + s, share));
        }
    }
    client_uses.push(uses.len() as u32);

    // Events.
    let horizon = cfg.horizon();
    let mut r = rng(cfg.seed, STREAM_EVENTS);
    let mut times: Vec<SimTime> = (0..cfg.events as u64)
        .map(|i| match cfg.every {
            Some(e) => SimTime(e.0.saturating_mul(i)),
            None => SimTime(60 * r.random_range(0..(horizon.0 / 60).max(1))),
        })
        .collect();
    times.sort_unstable();
    let mut down: Vec<u32> = Vec::new();
    let mut is_down = std::collections::HashSet::new();
    let mut events = Vec::with_capacity(times.len());
    for t in times {
        if !down.is_empty() && (is_down.len() == nodes || r.random_bool(0.5)) {
            let n = down.swap_remove(r.random_range(0..down.len()));
            is_down.remove(&n);
            events.push((t, Act::Restart, n));
        } else {
            let mut n = r.random_range(0..nodes as u32);
            while is_down.contains(&n) {
                n = r.random_range(0..nodes as u32);
            }
            down.push(n);
            is_down.insert(n);
            let act = if r.random_bool(cfg.fail_share) {
                Act::Fail
            } else {
                Act::Shutdown
            };
            events.push((t, act, n));
        }
    }

    Ok(Generated {
        cfg: cfg.clone(),
        horizon,
        layer_start,
        width,
        service_groups,
        groups,
        members,
        restart,
        repair,
        rto,
        fallback,
        populations,
        client_uses,
        uses,
        events,
    })
}

/// Per service: true when it lies on a dependency cycle.
fn cyclic_services(
    sites: u32,
    service_groups: &[u32],
    groups: &[Group],
    members: &[u32],
) -> Vec<bool> {
    let services = service_groups.len() - 1;
    let requires = Csr::from_rows((0..services).map(|s| {
        groups[service_groups[s] as usize..service_groups[s + 1] as usize]
            .iter()
            .flat_map(|g| &members[g.start as usize..(g.start + g.len) as usize])
            .filter(|&&m| m >= sites)
            .map(move |&m| m - sites)
    }));
    let (comp, count) = tarjan(&requires);
    let mut size = vec![0u32; count as usize];
    for &c in &comp {
        size[c as usize] += 1;
    }
    comp.iter().map(|&c| size[c as usize] > 1).collect()
}

/// Splits `total` over `clients` with lognormal weights, exactly (largest remainders).
fn split_population(r: &mut ChaCha8Rng, total: u64, clients: u32, sigma: f64) -> Vec<u64> {
    if clients == 0 {
        return Vec::new();
    }
    let weights: Vec<f64> = (0..clients)
        .map(|_| {
            let z: f64 = StandardNormal.sample(r);
            (sigma * z).exp()
        })
        .collect();
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut pops: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let assigned: u64 = pops.iter().sum();
    let mut order: Vec<usize> = (0..pops.len()).collect();
    order.sort_by(|&a, &b| {
        let fa = exact[a] - exact[a].floor();
        let fb = exact[b] - exact[b].floor();
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    let mut left = total.saturating_sub(assigned);
    for &i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        pops[i] += 1;
        left -= 1;
    }
    pops
}

impl Generated {
    /// Sites plus services.
    pub fn node_count(&self) -> usize {
        self.restart.len()
    }

    /// Dependency edges (group memberships, hosting and fallback requirements included).
    pub fn edge_count(&self) -> usize {
        let fallback_edges = self
            .fallback
            .iter()
            .flatten()
            .filter(|f| f.requires.is_some());
        self.members.len() + fallback_edges.count()
    }

    /// Number of clients.
    pub fn client_count(&self) -> usize {
        self.populations.len()
    }

    /// Number of scenario events.
    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    fn id(&self, node: u32) -> Id<'_> {
        Id { g: self, node }
    }

    fn group_members(&self, g: &Group) -> &[u32] {
        &self.members[g.start as usize..(g.start + g.len) as usize]
    }

    /// The model file's text.
    pub fn model_text(&self, format: Format) -> String {
        let cfg = &self.cfg;
        let header = Header {
            name: &cfg.name,
            description: format!(
                "generated by impactsim {} with seed {}: {} sites, {} services in {} layers, {} clients",
                env!("CARGO_PKG_VERSION"),
                cfg.seed,
                cfg.sites,
                cfg.services,
                cfg.layers,
                cfg.clients
            ),
        };
        let g = self;
        let sites = (0..cfg.sites).map(|n| SiteOut { g, n });
        let services = (0..cfg.services).map(|s| ServiceOut { g, s });
        let clients = (0..cfg.clients).map(|c| ClientOut { g, c });
        match format {
            Format::Json => json(&JsonFile {
                header: ("model", header),
                arrays: (("site", sites), ("service", services), ("client", clients)),
            }),
            Format::Toml => {
                let mut out = String::new();
                toml_table(&mut out, "[model]", &header);
                sites.for_each(|x| toml_table(&mut out, "[[site]]", &x));
                services.for_each(|x| toml_table(&mut out, "[[service]]", &x));
                clients.for_each(|x| toml_table(&mut out, "[[client]]", &x));
                out
            }
        }
    }

    /// The scenario file's text; `model_file` is the model's file name beside it.
    pub fn scenario_text(&self, format: Format, model_file: &str) -> String {
        let g = self;
        let step = match g.cfg.every {
            Some(e) if e.0 < 3600 => e,
            _ => SimTime(3600),
        };
        let header = ScenarioHeader {
            name: format!("{} random events (seed {})", g.events.len(), g.cfg.seed),
            model: model_file,
            horizon: g.horizon,
            step,
        };
        let events = g
            .events
            .iter()
            .map(|&(at, act, node)| EventOut { g, at, act, node });
        match format {
            Format::Json => json(&JsonFile {
                header: ("scenario", header),
                arrays: (("event", events),),
            }),
            Format::Toml => {
                let mut out = String::new();
                toml_table(&mut out, "[scenario]", &header);
                events.for_each(|x| toml_table(&mut out, "[[event]]", &x));
                out
            }
        }
    }
}

/// Something written as a table: a JSON object or a TOML table whose values are inline.
trait Entries {
    fn entries<S: Sink>(&self, sink: &mut S) -> Result<(), S::Error>;
}

/// Where [`Entries`] go: a serde map (JSON) or TOML `key = value` lines.
trait Sink {
    type Error;
    fn entry<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Self::Error>;
}

struct MapSink<M>(M);

impl<M: SerializeMap> Sink for MapSink<M> {
    type Error = M::Error;
    fn entry<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), M::Error> {
        self.0.serialize_entry(key, value)
    }
}

/// TOML lines; every value inline, rendered by the toml crate.
struct TomlSink<'a>(&'a mut String);

impl Sink for TomlSink<'_> {
    type Error = toml::ser::Error;
    fn entry<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Self::Error> {
        self.0.push_str(key);
        self.0.push_str(" = ");
        value.serialize(toml::ser::ValueSerializer::new(self.0))?;
        self.0.push('\n');
        Ok(())
    }
}

/// Serializes [`Entries`] as a map.
struct AsMap<T>(T);

impl<T: Entries> Entries for &T {
    fn entries<S: Sink>(&self, sink: &mut S) -> Result<(), S::Error> {
        (**self).entries(sink)
    }
}

impl<T: Entries> Serialize for AsMap<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut sink = MapSink(s.serialize_map(None)?);
        self.0.entries(&mut sink)?;
        sink.0.end()
    }
}

fn toml_table<T: Entries>(out: &mut String, header: &str, table: &T) {
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(header);
    out.push('\n');
    table
        .entries(&mut TomlSink(out))
        .expect("generated values are plain TOML");
}

fn json<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string(value).expect("generated data serializes");
    s.push('\n');
    s
}

/// A JSON file: a header object and arrays of objects.
struct JsonFile<H, A> {
    header: (&'static str, H),
    arrays: A,
}

/// The arrays of a [`JsonFile`], as `(key, items)` tuples.
trait JsonArrays {
    fn write<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error>;
}

impl<I: Iterator<Item = T> + Clone, T: Entries> JsonArrays for ((&'static str, I),) {
    fn write<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        map.serialize_entry(self.0.0, &Seq(self.0.1.clone()))
    }
}

impl<I, J, K, T, U, V> JsonArrays for ((&'static str, I), (&'static str, J), (&'static str, K))
where
    I: Iterator<Item = T> + Clone,
    J: Iterator<Item = U> + Clone,
    K: Iterator<Item = V> + Clone,
    T: Entries,
    U: Entries,
    V: Entries,
{
    fn write<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        map.serialize_entry(self.0.0, &Seq(self.0.1.clone()))?;
        map.serialize_entry(self.1.0, &Seq(self.1.1.clone()))?;
        map.serialize_entry(self.2.0, &Seq(self.2.1.clone()))
    }
}

impl<H: Entries, A: JsonArrays> Serialize for JsonFile<H, A> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry(self.header.0, &AsMap(&self.header.1))?;
        self.arrays.write(&mut map)?;
        map.end()
    }
}

/// An iterator of tables serialized as a sequence of maps.
struct Seq<I>(I);

impl<I: Iterator<Item = T> + Clone, T: Entries> Serialize for Seq<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.clone().map(AsMap))
    }
}

/// A node's id, written on demand: `dc-07`, `svc2-0451`.
#[derive(Clone, Copy)]
struct Id<'a> {
    g: &'a Generated,
    node: u32,
}

impl fmt::Display for Id<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (g, w) = (self.g, self.g.width);
        let sites = g.cfg.sites;
        if self.node < sites {
            return write!(f, "dc-{:0w$}", self.node);
        }
        let s = self.node - sites;
        let layer = g.layer_start.partition_point(|&x| x <= s) - 1;
        write!(f, "svc{layer}-{:0w$}", s - g.layer_start[layer])
    }
}

impl Serialize for Id<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A list of node ids.
struct Ids<'a>(&'a Generated, &'a [u32]);

impl Serialize for Ids<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.1.iter().map(|&m| self.0.id(m)))
    }
}

struct ClientId(u32, usize);

impl Serialize for ClientId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("client-{:0w$}", self.0, w = self.1))
    }
}

struct Dur(SimTime);

impl Serialize for Dur {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// One requirement group as written: an id, `{ any_of = [...] }` or `{ k = K, of = [...] }`.
struct GroupOut<'a> {
    g: &'a Generated,
    group: Group,
}

impl Serialize for GroupOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let members = self.g.group_members(&self.group);
        if let [only] = members {
            return self.g.id(*only).serialize(s);
        }
        let ids = Ids(self.g, members);
        let mut map = s.serialize_map(None)?;
        if self.group.k == 1 {
            map.serialize_entry("any_of", &ids)?;
        } else {
            map.serialize_entry("k", &self.group.k)?;
            map.serialize_entry("of", &ids)?;
        }
        map.end()
    }
}

/// Requirement groups as a list.
struct GroupsOut<'a>(&'a Generated, &'a [Group]);

impl Serialize for GroupsOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.1.iter().map(|&group| GroupOut { g: self.0, group }))
    }
}

struct Header<'a> {
    name: &'a str,
    description: String,
}

impl Entries for Header<'_> {
    fn entries<S: Sink>(&self, s: &mut S) -> Result<(), S::Error> {
        s.entry("name", self.name)?;
        s.entry("description", &self.description)
    }
}

#[derive(Clone, Copy)]
struct SiteOut<'a> {
    g: &'a Generated,
    n: u32,
}

impl Entries for SiteOut<'_> {
    fn entries<S: Sink>(&self, s: &mut S) -> Result<(), S::Error> {
        let i = self.n as usize;
        s.entry("id", &self.g.id(self.n))?;
        s.entry("restart", &Dur(SimTime(self.g.restart[i] as u64)))?;
        s.entry("repair", &Dur(SimTime(self.g.repair[i] as u64)))
    }
}

#[derive(Clone, Copy)]
struct ServiceOut<'a> {
    g: &'a Generated,
    s: u32,
}

impl Entries for ServiceOut<'_> {
    fn entries<S: Sink>(&self, out: &mut S) -> Result<(), S::Error> {
        let g = self.g;
        let n = g.cfg.sites + self.s;
        let i = n as usize;
        let j = self.s as usize;
        let gs = &g.groups[g.service_groups[j] as usize..g.service_groups[j + 1] as usize];
        out.entry("id", &g.id(n))?;
        out.entry("hosted_on", &GroupOut { g, group: gs[0] })?;
        if gs.len() > 1 {
            out.entry("requires", &GroupsOut(g, &gs[1..]))?;
        }
        out.entry("restart", &Dur(SimTime(g.restart[i] as u64)))?;
        out.entry("repair", &Dur(SimTime(g.repair[i] as u64)))?;
        if let Some(rto) = g.rto[i] {
            out.entry("rto", &Dur(rto))?;
        }
        if let Some(fb) = &g.fallback[j] {
            out.entry("fallback", &AsMap(&FallbackOut { g, fb }))?;
        }
        Ok(())
    }
}

struct FallbackOut<'a> {
    g: &'a Generated,
    fb: &'a GenFallback,
}

impl Entries for FallbackOut<'_> {
    fn entries<S: Sink>(&self, s: &mut S) -> Result<(), S::Error> {
        let fb = self.fb;
        s.entry("capacity", &fb.capacity)?;
        s.entry("activation", &Dur(fb.activation))?;
        s.entry("switchback", &Dur(fb.switchback))?;
        if let Some(c) = fb.switchback_capacity {
            s.entry("switchback_capacity", &c)?;
        }
        if let Some(site) = fb.requires {
            s.entry("requires", &self.g.id(site))?;
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
struct ClientOut<'a> {
    g: &'a Generated,
    c: u32,
}

/// One use: an id, or `{ service = ID, share = S }`.
struct UseOut<'a> {
    g: &'a Generated,
    node: u32,
    share: u8,
}

impl Serialize for UseOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.share == 100 {
            return self.g.id(self.node).serialize(s);
        }
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("service", &self.g.id(self.node))?;
        map.serialize_entry("share", &(self.share as f64 / 100.0))?;
        map.end()
    }
}

struct UsesOut<'a>(&'a Generated, &'a [(u32, u8)]);

impl Serialize for UsesOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let g = self.0;
        s.collect_seq(
            self.1
                .iter()
                .map(|&(node, share)| UseOut { g, node, share }),
        )
    }
}

impl Entries for ClientOut<'_> {
    fn entries<S: Sink>(&self, s: &mut S) -> Result<(), S::Error> {
        let g = self.g;
        let c = self.c as usize;
        let uses = &g.uses[g.client_uses[c] as usize..g.client_uses[c + 1] as usize];
        s.entry("id", &ClientId(self.c, g.width))?;
        s.entry("population", &g.populations[c])?;
        s.entry("uses", &UsesOut(g, uses))
    }
}

struct ScenarioHeader<'a> {
    name: String,
    model: &'a str,
    horizon: SimTime,
    step: SimTime,
}

impl Entries for ScenarioHeader<'_> {
    fn entries<S: Sink>(&self, s: &mut S) -> Result<(), S::Error> {
        s.entry("name", &self.name)?;
        s.entry("model", self.model)?;
        s.entry("horizon", &Dur(self.horizon))?;
        s.entry("step", &Dur(self.step))
    }
}

struct EventOut<'a> {
    g: &'a Generated,
    at: SimTime,
    act: Act,
    node: u32,
}

impl Entries for EventOut<'_> {
    fn entries<S: Sink>(&self, s: &mut S) -> Result<(), S::Error> {
        s.entry("at", &Dur(self.at))?;
        s.entry(
            "action",
            match self.act {
                Act::Shutdown => "shutdown",
                Act::Fail => "fail",
                Act::Restart => "restart",
            },
        )?;
        s.entry("target", &self.g.id(self.node))
    }
}
