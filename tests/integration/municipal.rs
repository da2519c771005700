//! A municipal IT provider, the case the ways of combining uses and the business functions
//! were made for: three towns use the same four applications over one core network, each
//! application for a part of the people. By `max` the headline hides the breadth of an
//! outage; summed (or as independent uses) the core network is the single point of failure
//! it is, and functions with weights put ID cards before the library.

use impactsim::measure::Measure;
use impactsim::model::Combine;
use impactsim::rank::{Options, rank};

/// Each town: registration 0.3, ID cards 0.4, library 0.5, parking 0.2 of its people.
const MODEL: &str = r#"
[model]
name = "municipal"
population_label = "residents"

[[function]]
id = "id-cards"
name = "ID cards and passports"
needs = "id-cards"
weight = 5
rto = "4h"
mtpd = "1d"

[[function]]
id = "registration"
name = "Vehicle registration"
needs = "registration"
weight = 4
rto = "8h"
mtpd = "2d"

[[function]]
id = "library"
name = "Library booking"
needs = "library"
weight = 1
mtpd = "1w"

[[site]]
id = "dc"
[[service]]
id = "net"
hosted_on = "dc"
[[service]]
id = "registration"
requires = "net"
restart = "4h"
[[service]]
id = "id-cards"
requires = "net"
restart = "4h"
[[service]]
id = "library"
requires = "net"
restart = "4h"
[[service]]
id = "parking"
requires = "net"
restart = "4h"

[[client]]
id = "north"
population = 10000
uses = [{ service = "registration", share = 0.3 }, { service = "id-cards", share = 0.4 },
        { service = "library", share = 0.5 }, { service = "parking", share = 0.2 }]
[[client]]
id = "south"
population = 20000
uses = [{ service = "registration", share = 0.3 }, { service = "id-cards", share = 0.4 },
        { service = "library", share = 0.5 }, { service = "parking", share = 0.2 }]
[[client]]
id = "east"
population = 5000
uses = [{ service = "registration", share = 0.3 }, { service = "id-cards", share = 0.4 },
        { service = "library", share = 0.5 }, { service = "parking", share = 0.2 }]
"#;

fn model(combine: Combine) -> impactsim::model::Model {
    let mut m =
        impactsim::model::load_model(&impactsim::source::Source::from_text("model.toml", MODEL))
            .unwrap();
    for c in &mut m.clients {
        c.combine = combine;
    }
    m
}

/// By `max`, the network's loss reaches half of every town (the library), so nothing cuts a
/// town off. Summed, it takes 0.3 + 0.4 + 0.5 + 0.2 = 1.4, capped at the whole town: the
/// network and its data center cut off all 35,000 residents. As independent uses it takes
/// 1 − 0.7 × 0.6 × 0.5 × 0.8 = 0.832 of each town, a cut-off at 0.8.
#[test]
fn the_core_network_is_a_single_point_of_failure_once_uses_add_up() {
    let by = |combine, cut_off| {
        let r = rank(
            &model(combine),
            Options {
                cut_off,
                ..Options::default()
            },
        );
        let mut cutting: Vec<(String, u64)> = r
            .singles
            .iter()
            .filter(|s| s.people_cut_off > 0)
            .map(|s| (s.id.clone(), s.people_cut_off))
            .collect();
        cutting.sort();
        cutting
    };
    assert_eq!(by(Combine::Max, 1.0), []);
    let all = vec![("dc".to_string(), 35_000), ("net".to_string(), 35_000)];
    assert_eq!(by(Combine::Sum, 1.0), all);
    assert_eq!(by(Combine::Union, 0.8), all);
    assert_eq!(by(Combine::Union, 1.0), []);
}

/// Everything down until 1h, one crew, each application 4h to restart (the network has no
/// restart time). By people-hours (`max`), the library goes first: it is the largest share.
/// Weighted by the functions, ID cards (weight 5) go first, then vehicle registration (4).
#[test]
fn weighted_functions_put_id_cards_before_the_library() {
    let scenario = r#"
[scenario]
name = "network outage"
model = "model.toml"
horizon = "2d"
[[event]]
at = "0h"
action = "shutdown"
target = "service:*"
for = "1h"
"#;
    let dir = crate::common::dir_with(&[("model.toml", MODEL), ("s.toml", scenario)]);
    let s = impactsim::load_scenario(&dir.path().join("s.toml")).unwrap();
    let plan = |measure| {
        let config = impactsim::plan::Config {
            measure,
            ..impactsim::plan::Config::new(1)
        };
        impactsim::plan::plan(&s, &config).unwrap().order
    };
    assert_eq!(
        plan(Measure::PeopleHours),
        ["net", "library", "id-cards", "registration", "parking"]
    );
    assert_eq!(
        plan(Measure::WeightedPeopleHours),
        ["net", "id-cards", "registration", "library", "parking"]
    );
}
