use proptest::prelude::*;

use super::*;
use crate::scenario::Event;
use crate::source::Source;

/// Checks at every instant that the incremental availabilities equal a full recompute
/// from the same own states and fallback modes.
struct Shadow {
    instants: usize,
}

impl Recorder for Shadow {
    fn start(&mut self, _: &View<'_>) {}
    fn instant(&mut self, t: SimTime, _: &[u32], _: &[u32], v: &View<'_>) {
        let full = reference::full_recompute(v.model, (v.own, v.warm, v.mode, v.capacity));
        assert_eq!(
            v.a,
            &full[..],
            "incremental differs from full recompute at {t}"
        );
        self.instants += 1;
    }
    fn finish(&mut self, _: SimTime, _: &View<'_>) {}
}

/// A generated service: host, requirement groups (k, members), restart h, repair h,
/// fallback (capacity index, activation h, switchback h).
type ServiceSpec = (usize, Vec<(u8, Vec<usize>)>, u8, u8, Option<(u8, u8, u8)>);

#[derive(Debug, Clone)]
struct Spec {
    sites: usize,
    services: Vec<ServiceSpec>,
    events: Vec<(u8, u8, usize)>,
    /// Crews (None: unlimited), per-service efforts (capped at the crews) and a priority
    /// order (node indices, taken modulo the node count, first listing wins).
    crews: Option<u8>,
    efforts: Vec<u8>,
    priority: Vec<usize>,
}

fn spec() -> impl Strategy<Value = Spec> {
    let service = (
        0usize..3,
        prop::collection::vec((1u8..3, prop::collection::vec(0usize..12, 1..4)), 0..3),
        0u8..3,
        0u8..2,
        prop::option::of((0u8..4, 0u8..3, 0u8..3)),
    );
    let crews = (
        prop::option::of(1u8..4),
        prop::collection::vec(1u8..4, 12),
        prop::collection::vec(0usize..16, 0..16),
    );
    (
        1usize..4,
        prop::collection::vec(service, 1..12),
        prop::collection::vec((0u8..20, 0u8..3, 0usize..16), 1..25),
        crews,
    )
        .prop_map(
            |(sites, services, events, (crews, efforts, priority))| Spec {
                sites,
                services,
                events,
                crews,
                efforts,
                priority,
            },
        )
}

fn model_text(s: &Spec, with_fallbacks: bool) -> String {
    let mut t = String::from("[model]\nname = \"random\"\n");
    for i in 0..s.sites {
        t += &format!("[[site]]\nid = \"s{i}\"\nrestart = \"1h\"\n");
    }
    let n = s.services.len();
    for (i, (host, groups, restart, repair, fb)) in s.services.iter().enumerate() {
        t += &format!(
            "[[service]]\nid = \"v{i}\"\nrestart = \"{restart}h\"\nrepair = \"{repair}h\"\n"
        );
        if let Some(crews) = s.crews {
            t += &format!("effort = {}\n", s.efforts[i].min(crews));
        }
        // Derived from what is drawn already: a warmup for the services with an odd
        // restart time, and a repair that waits for the next service for those with a
        // repair time.
        if restart % 2 == 1 {
            t += "warmup = { level = 0.5, for = \"1h\" }\n";
        }
        if *repair > 0 && n > 1 {
            t += &format!("repair_requires = \"v{}\"\n", (i + 1) % n);
        }
        if *host < s.sites {
            let other = (host + 1) % s.sites;
            if other == *host {
                t += &format!("hosted_on = \"s{host}\"\n");
            } else {
                t += &format!("hosted_on = {{ any_of = [\"s{host}\", \"s{other}\"] }}\n");
            }
        }
        let mut reqs = Vec::new();
        for (k, members) in groups {
            let mut m: Vec<usize> = members.iter().map(|x| x % n).filter(|&x| x != i).collect();
            m.sort_unstable();
            m.dedup();
            if m.is_empty() {
                continue;
            }
            let k = (*k as usize).min(m.len());
            let ids: Vec<String> = m.iter().map(|x| format!("\"v{x}\"")).collect();
            reqs.push(format!("{{ k = {k}, of = [{}] }}", ids.join(", ")));
        }
        if !reqs.is_empty() {
            t += &format!("requires = [{}]\n", reqs.join(", "));
        }
        if let (true, Some((cap, act, sb))) = (with_fallbacks, fb) {
            let cap = [0.0, 0.3, 0.5, 1.0][*cap as usize];
            // A fallback switching back slowly also grows.
            let grows = match sb {
                0 => String::new(),
                _ => format!(
                    ", grows = [{{ after = \"{sb}h\", capacity = {} }}]",
                    (cap + 0.3f64).min(1.0)
                ),
            };
            t += &format!(
                "fallback = {{ capacity = {cap}, activation = \"{act}h\", switchback = \"{sb}h\"{grows} }}\n"
            );
        }
    }
    t
}

/// The scenario of a spec: its model, and its events over a day.
fn scenario_of(s: &Spec) -> Scenario {
    let text = model_text(s, true);
    let model = crate::model::load_model(&Source::from_text("m.toml", text.as_str()))
        .or_else(|_| {
            crate::model::load_model(&Source::from_text("m.toml", model_text(s, false).as_str()))
        })
        .expect("generated models are valid");
    let n = model.nodes.len();
    let actions = [Action::Shutdown, Action::Fail, Action::Restart];
    let mut events: Vec<Event> = s
        .events
        .iter()
        .enumerate()
        .map(|(i, &(at, act, target))| Event {
            at: SimTime(at as u64 * 1800),
            action: actions[act as usize],
            targets: vec![(target % n) as u32],
            order: i,
            implied: false,
        })
        .collect();
    events.sort_by_key(|e| (e.at, e.order));
    let restoration = crate::scenario::Restoration {
        crews: s.crews.map(u32::from),
        policy: crate::scenario::Policy::Order,
        priority: s.priority.iter().map(|&p| (p % n) as u32).collect(),
    };
    Scenario {
        name: "random".into(),
        source: Source::from_text("s.toml", ""),
        model_source: Source::from_text("m.toml", ""),
        model,
        horizon: SimTime(24 * 3600),
        step: SimTime(3600),
        start: None,
        start_time: None,
        events,
        random_for: vec![],
        patched_ids: vec![],
        warnings: vec![],
        timings: Default::default(),
        restoration,
    }
}

fn check(s: &Spec) -> usize {
    let scenario = scenario_of(s);
    let mut shadow = Shadow { instants: 0 };
    Engine::run(&scenario, &mut shadow);
    check_reset(&scenario);
    check_restore(&scenario);
    // The reference, where every node takes its decisions in every pass, takes the same
    // decisions: the same own states and fallback modes at every instant.
    let (mut fast, mut full) = (Trace::default(), Trace::default());
    Engine::run_with(&scenario, &mut fast, Propagation::Incremental);
    Engine::run_with(&scenario, &mut full, Propagation::FullRecompute);
    assert_eq!(
        fast, full,
        "incremental and full recompute decide differently"
    );
    shadow.instants
}

/// One instant: availabilities, own states, fallback modes.
type State = (SimTime, Vec<Avail>, Vec<Own>, Vec<Mode>);

/// Every instant's state.
#[derive(Default, PartialEq, Debug)]
struct Trace(Vec<State>);

impl Recorder for Trace {
    fn start(&mut self, _: &View<'_>) {}
    fn instant(&mut self, t: SimTime, _: &[u32], _: &[u32], v: &View<'_>) {
        self.0
            .push((t, v.a.to_vec(), v.own.to_vec(), v.mode.to_vec()));
    }
    fn finish(&mut self, _: SimTime, _: &View<'_>) {}
}

/// An engine that played other events and was reset plays like a fresh one.
fn check_reset(scenario: &Scenario) {
    let mut fresh = Trace::default();
    Engine::for_scenario(scenario).play(&scenario.events, scenario.horizon, &mut fresh);
    let mut engine = Engine::for_scenario(scenario);
    // First the events backwards in time order (another history), then a reset.
    let mut other: Vec<Event> = scenario.events.iter().rev().cloned().collect();
    let last = other.first().map_or(SimTime::ZERO, |e| e.at);
    for (e, o) in other.iter_mut().zip(&scenario.events) {
        e.at = SimTime(last.0 - o.at.0);
    }
    engine.play(&other, scenario.horizon, &mut Trace::default());
    engine.reset();
    let mut reused = Trace::default();
    engine.play(&scenario.events, scenario.horizon, &mut reused);
    assert_eq!(fresh, reused, "a reset engine plays differently");
}

/// An engine told to put everything back at once at every instant ([`Engine::restore_at`])
/// plays like one that is not: where every node is up, the shortcut reaches the same
/// states, and elsewhere it does nothing; reset, it then plays like a fresh one. Returns
/// how many instants it shortened.
fn check_restore(scenario: &Scenario) -> usize {
    let mut plain = Trace::default();
    Engine::for_scenario(scenario).play(&scenario.events, scenario.horizon, &mut plain);
    let mut engine = Engine::for_scenario(scenario);
    let mut restored = Trace::default();
    let events = &scenario.events;
    let (mut next, mut t, mut applied) = (0, SimTime::ZERO, 0);
    // `play`'s instants: 0, then every event and timer up to the horizon.
    loop {
        let mut end = next;
        while end < events.len() && events[end].at == t {
            end += 1;
        }
        engine.restore_at(t);
        engine.instant(t, &events[next..end]);
        applied += usize::from(engine.restore_at.is_none());
        restored.instant(t, &engine.touched, &engine.restarted, &engine.view());
        next = end;
        let next_timer = engine.queue.peek().map(|Reverse(x)| x.0);
        match [events.get(next).map(|e| e.at), next_timer]
            .into_iter()
            .flatten()
            .min()
        {
            Some(at) if at <= scenario.horizon => t = at,
            _ => break,
        }
    }
    assert_eq!(
        plain, restored,
        "putting everything back at once plays differently"
    );
    // A node put back at once leaves the nodes a reset puts back: the reset still brings
    // back everything else (a debug build also checks every cached group value it reads).
    engine.reset();
    let mut again = Trace::default();
    engine.play(events, scenario.horizon, &mut again);
    assert_eq!(
        plain, again,
        "a reset after putting back at once plays differently"
    );
    applied
}

/// A site down and restarted: when the service on it is back, everything is up and the
/// fallback of the service that needs it switches back. Nodes: s0, v0 on s0, v1 needing v0
/// (fallback at 0.5 after 1 h, switching back in 2 h).
#[test]
fn everything_is_put_back_at_once_when_all_is_up() {
    let spec = Spec {
        sites: 1,
        services: vec![
            (0, vec![], 1, 0, None),
            (1, vec![(1, vec![0])], 2, 0, Some((2, 1, 2))),
        ],
        events: vec![(0, 0, 0), (10, 2, 0)],
        crews: None,
        efforts: vec![1; 12],
        priority: vec![],
    };
    let scenario = scenario_of(&spec);
    // Everything is up at 7 h (the site's restart order at 5 h, 1 h each for it and v0),
    // and again at 9 h, when v1 has switched back: two instants put back at once.
    assert_eq!(check_restore(&scenario), 2);
    assert!(check(&spec) >= 4);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn incremental_equals_full_recompute(s in spec()) {
        prop_assert!(check(&s) >= 1);
    }
}
