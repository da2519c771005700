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
    let sigma = crate::dist::lognormal_sigma(median.0 as f64, p90.0 as f64);
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

/// Generates a model and scenario. Each part draws from its own stream of the seed, so
/// that changing one part's settings leaves the others as they were.
pub fn generate(cfg: &Config) -> Result<Generated, Error> {
    cfg.check()?;
    let (sites, services, layers) = (cfg.sites, cfg.services, cfg.layers);
    let nodes = (sites + services) as usize;
    let layer_start: Vec<u32> = (0..=layers)
        .map(|l| (services as u64 * l as u64 / layers as u64) as u32)
        .collect();
    let widest = sites.max(services).max(cfg.clients).max(1);
    let width = widest.to_string().len();
    let (service_groups, groups, members) = graph(cfg, &layer_start);
    let (restart, repair, rto) = durations(cfg, nodes);
    let cyclic = if cfg.back_edges > 0.0 && cfg.fallbacks > 0.0 {
        cyclic_services(sites, &service_groups, &groups, &members)
    } else {
        vec![false; services as usize]
    };
    let fallback = fallbacks(cfg, &cyclic);
    let (populations, client_uses, uses) = clients(cfg, &layer_start);
    let horizon = cfg.horizon();
    let events = events(cfg, nodes, horizon);
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

/// The services' groups in layers: hosting, requirements on the layer below, back edges.
/// Returns the first group of every service (and the end), the groups and their members.
fn graph(cfg: &Config, layer_start: &[u32]) -> (Vec<u32>, Vec<Group>, Vec<u32>) {
    let (sites, services, layers) = (cfg.sites, cfg.services, cfg.layers);
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

    (service_groups, groups, members)
}

/// Restart and repair times and RTOs, per node.
#[allow(clippy::type_complexity)]
fn durations(cfg: &Config, nodes: usize) -> (Vec<u32>, Vec<u32>, Vec<Option<SimTime>>) {
    let sites = cfg.sites;
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

    (restart, repair, rto)
}

/// Fallbacks, on services that lie on no cycle.
fn fallbacks(cfg: &Config, cyclic: &[bool]) -> Vec<Option<GenFallback>> {
    let sites = cfg.sites;
    let mut r = rng(cfg.seed, STREAM_FALLBACKS);
    let mut fallback = Vec::with_capacity(cyclic.len());
    const DELAYS: [u64; 4] = [0, 1, 4, 24];
    for &on_cycle in cyclic {
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

    fallback
}

/// Client populations and uses of top-layer services. Returns the populations, the first
/// use of every client (and the end), and the uses as (node, share in percent).
#[allow(clippy::type_complexity)]
fn clients(cfg: &Config, layer_start: &[u32]) -> (Vec<u64>, Vec<u32>, Vec<(u32, u8)>) {
    let (sites, services, layers) = (cfg.sites, cfg.services, cfg.layers);
    let mut picked = Vec::new();
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

    (populations, client_uses, uses)
}

/// The scenario's events: shutdowns and failures of random nodes, and restarts of nodes
/// that are down.
fn events(cfg: &Config, nodes: usize, horizon: SimTime) -> Vec<(SimTime, Act, u32)> {
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

    events
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

mod text;
