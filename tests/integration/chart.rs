//! Charts (`--plot`, `impactsim::chart`): the SVG is well-formed XML and says what it
//! should (axis labels, dates, legend entries, rows, bars, series); the PNG has the size asked
//! for and shows a picture, not a flat colour.

use std::path::Path;

use impactsim::chart::{self, Chart};
use impactsim::montecarlo::{self as mc, Frame, Shard, Study};
use impactsim::scenario::Scenario;

use crate::common::{dir_with, root, run_in};

const ATTACK: &str = "models/bitmarck-2023/attack-2023.toml";

fn bitmarck() -> Scenario {
    impactsim::load_scenario(&root().join(ATTACK)).unwrap()
}

/// Parses `svg` (it must be well-formed XML with an `<svg>` root) and returns every text
/// element's content, trimmed.
fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not XML: {e}"));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

/// Elements named `tag` in `svg`.
fn count(svg: &str, tag: &str) -> usize {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants().filter(|n| n.has_tag_name(tag)).count()
}

/// Data lines: polylines of more than two points in a colour (axes and ticks are black,
/// legend marks have two points).
fn series(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .filter(|n| n.attribute("stroke").is_some_and(|s| s != "#000000"))
        .filter(|n| {
            n.attribute("points")
                .unwrap_or("")
                .split_whitespace()
                .count()
                > 2
        })
        .map(|n| n.attribute("stroke").unwrap().to_string())
        .collect()
}

fn has(texts: &[String], s: &str) -> bool {
    texts.iter().any(|t| t == s)
}

/// The bars of `rank` are filled in this colour (the first of the palette).
const BAR_FILL: &str = "#4E79A7";

fn bars(svg: &str) -> usize {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some(BAR_FILL))
        .count()
}

/// Width and height from a PNG's IHDR chunk, after checking the signature.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes(png[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

/// Distinct colours of a decoded PNG, and how many pixels are dark (text, axes).
fn png_pixels(bytes: &[u8]) -> (usize, usize) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples();
    let data = &buf[..info.buffer_size()];
    let mut colours = std::collections::HashSet::new();
    let mut dark = 0;
    for p in data.chunks(px) {
        colours.insert(p[..3].to_vec());
        if p[..3].iter().all(|&c| c < 80) {
            dark += 1;
        }
    }
    (colours.len(), dark)
}

#[test]
fn bitmarck_timeline_has_dates_groups_and_the_population_label() {
    let s = bitmarck();
    let result = impactsim::metrics::run(&s);
    let svg = chart::timeline_svg(&result, &s).unwrap();
    let t = texts(&svg);
    assert!(has(&t, "insured affected"), "{t:?}");
    assert!(has(&t, "date (UTC+02:00)"), "{t:?}");
    assert!(has(&t, "2023-04-25"), "{t:?}");
    assert!(t.iter().any(|x| x.starts_with("2023-05")), "{t:?}");
    for group in ["bkk", "ersatzkasse", "ikk"] {
        assert!(has(&t, group), "legend entry {group}: {t:?}");
    }
    assert!(!has(&t, "other"), "every Bitmarck client has a tag");
    // One filled area per group.
    assert_eq!(count(&svg, "polygon"), 3);
    assert!(
        has(&t, "25M"),
        "the peak of 25 million is on the y axis: {t:?}"
    );
}

/// Nine tags and an untagged client: seven groups of their own, the rest "other".
const MANY_GROUPS: &str = r#"
[model]
name = "groups"
population_label = "members"
[[site]]
id = "s"
[[service]]
id = "svc"
hosted_on = "s"
restart = "2h"
"#;

fn many_groups_model() -> String {
    let mut m = MANY_GROUPS.to_string();
    for i in 0..10 {
        let tags = if i < 9 {
            format!("tags = [\"g{i}\"]")
        } else {
            String::new()
        };
        m.push_str(&format!(
            "[[client]]\nid = \"c{i}\"\npopulation = {}\nuses = [\"svc\"]\n{tags}\n",
            100 * (i + 1)
        ));
    }
    m
}

const SHORT_SCENARIO: &str = r#"
[scenario]
name = "short"
model = "model.toml"
horizon = "2d"
[[event]]
at = "1h"
action = "shutdown"
target = "s"
for = "1d"
"#;

#[test]
fn timeline_merges_groups_beyond_eight_and_counts_in_hours_without_a_start() {
    let model = many_groups_model();
    let dir = dir_with(&[
        ("model.toml", model.as_str()),
        ("scenario.toml", SHORT_SCENARIO),
    ]);
    let s = impactsim::load_scenario(&dir.path().join("scenario.toml")).unwrap();
    let result = impactsim::metrics::run(&s);
    let svg = chart::timeline_svg(&result, &s).unwrap();
    let t = texts(&svg);
    assert!(has(&t, "members affected"), "{t:?}");
    assert!(has(&t, "time since start"), "{t:?}");
    assert!(has(&t, "1d"), "{t:?}");
    // The seven largest tags (c8 .. c2 by people-hours) keep their own group.
    for g in ["g8", "g7", "g6", "g5", "g4", "g3", "g2"] {
        assert!(has(&t, g), "{g}: {t:?}");
    }
    assert!(!has(&t, "g1") && !has(&t, "g0"), "{t:?}");
    assert!(has(&t, "other"), "{t:?}");
    assert_eq!(count(&svg, "polygon"), 8);
}

#[test]
fn bitmarck_gantt_has_rows_and_every_state_in_the_legend() {
    let s = bitmarck();
    let svg = chart::gantt_svg(&s).unwrap();
    let t = texts(&svg);
    for entry in [
        "up",
        "off",
        "failed",
        "repairing",
        "waiting",
        "restarting",
        "up, requirements missing",
        "on fallback (lower strip)",
        "switching back (lower strip)",
    ] {
        assert!(has(&t, entry), "legend entry {entry}: {t:?}");
    }
    for row in [
        "sbk-customer-channels",
        "core-wave-3",
        "identity",
        "dc-essen",
    ] {
        assert!(has(&t, row), "row {row}: {t:?}");
    }
    // Unused nodes that never change have no row.
    assert!(has(&t, "2023-04-25"));
    let y = |id: &str| -> f64 {
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let n = doc
            .descendants()
            .find(|n| n.has_tag_name("text") && n.text().map(str::trim) == Some(id))
            .unwrap();
        n.attribute("y").unwrap().parse().unwrap()
    };
    assert!(
        y("sbk-customer-channels") < y("network-firewall"),
        "the most unavailable row is on top"
    );
}

#[test]
fn gantt_keeps_sixty_rows_and_says_how_many_more() {
    let mut model =
        String::from("[model]\nname = \"wide\"\n[[site]]\nid = \"s\"\nrestart = \"1h\"\n");
    for i in 0..80 {
        // Service i restarts in i minutes: the later ones are unavailable longer.
        model.push_str(&format!(
            "[[service]]\nid = \"svc-{i:02}\"\nhosted_on = \"s\"\nrestart = \"{}m\"\n",
            i + 1
        ));
    }
    model.push_str("[[client]]\nid = \"c\"\npopulation = 10\nuses = [\"svc-00\"]\n");
    let scenario = "[scenario]\nname = \"all down\"\nmodel = \"model.toml\"\nhorizon = \"1d\"\n\
                    [[event]]\nat = \"0h\"\naction = \"shutdown\"\ntarget = \"service:*\"\nfor = \"2h\"\n";
    let dir = dir_with(&[("model.toml", model.as_str()), ("scenario.toml", scenario)]);
    let s = impactsim::load_scenario(&dir.path().join("scenario.toml")).unwrap();
    let c = Chart::gantt(&s);
    let svg = c.svg().unwrap();
    let t = texts(&svg);
    assert!(has(&t, "… and 20 more that change"), "{t:?}");
    assert!(
        has(&t, "svc-79") && has(&t, "svc-20"),
        "the slowest to return: {t:?}"
    );
    assert!(!has(&t, "svc-19"), "{t:?}");
    // The chart grows with its rows.
    assert!(c.size().1 >= 60 * 18, "{:?}", c.size());
}

fn bitmarck_study(percentiles: &[f64]) -> mc::McResult {
    let s = bitmarck();
    let study = Study { runs: 40, seed: 7 };
    let records = mc::simulate(&s, study, Shard::ALL, &|| ());
    mc::aggregate(&Frame::of(&s), study, &records, percentiles)
}

#[test]
fn bands_shade_between_the_outer_percentiles_with_median_and_mean() {
    let result = bitmarck_study(&[5.0, 50.0, 95.0]);
    let svg = chart::bands_svg(&result).unwrap();
    let t = texts(&svg);
    for entry in ["P5–P95", "median (P50)", "mean", "insured affected"] {
        assert!(has(&t, entry), "{entry}: {t:?}");
    }
    assert!(t.iter().any(|x| x.contains("40 runs (seed 7)")), "{t:?}");
    assert_eq!(count(&svg, "polygon"), 1, "one band");
    // The median is one line in the band's colour; the mean is dashed (many short pieces).
    let lines = series(&svg);
    assert_eq!(
        lines.iter().filter(|c| *c == "#4E79A7").count(),
        1,
        "{lines:?}"
    );
    let dashes = roxmltree::Document::parse(&svg)
        .unwrap()
        .descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke") == Some("#C83C28"))
        .count();
    assert!(dashes > 20, "{dashes} dashes of the mean");

    // The attack starts 2023-04-24 18:00 at +02:00: the axis shows dates, the first
    // tick at the next midnight.
    assert!(has(&t, "date (UTC+02:00)"), "{t:?}");
    assert!(has(&t, "2023-04-25"), "{t:?}");

    let five = bitmarck_study(&[95.0, 25.0, 5.0, 75.0, 50.0]);
    let t = texts(&chart::bands_svg(&five).unwrap());
    assert!(has(&t, "P5–P95") && has(&t, "P25–P75"), "{t:?}");
}

#[test]
fn compare_draws_one_series_per_scenario() {
    let curves = vec![
        (
            "A: base".to_string(),
            vec![(0.0, 100.0), (5.0, 40.0), (12.0, 0.0)],
        ),
        ("B: better".to_string(), vec![(0.0, 100.0), (3.0, 0.0)]),
        ("C: worse".to_string(), vec![(0.0, 100.0), (24.0, 100.0)]),
    ];
    let svg = chart::compare_svg(&curves, "patients", None).unwrap();
    let t = texts(&svg);
    for entry in ["A: base", "B: better", "C: worse", "patients affected"] {
        assert!(has(&t, entry), "{entry}: {t:?}");
    }
    let lines = series(&svg);
    assert_eq!(lines.len(), 3, "{lines:?}");
    let distinct: std::collections::HashSet<_> = lines.iter().collect();
    assert_eq!(distinct.len(), 3, "one colour each");
}

/// Scenarios that share a start are compared on a date axis; one without a start (or with
/// another) puts the chart back on hours.
#[test]
fn compare_shows_dates_when_the_scenarios_share_a_start() {
    use impactsim::compare::{Input, PatchUse, common_start};
    let input = |file: &str| Input {
        scenario: impactsim::load_scenario(&root().join("models/bitmarck-2023").join(file))
            .unwrap(),
        patch: PatchUse::None,
        patched_ids: vec![],
    };
    let mut inputs = vec![
        input("attack-2023.toml"),
        input("what-if-faster-repair.toml"),
    ];
    let start = common_start(&inputs);
    assert_eq!(start, Some("2023-04-24T18:00:00+02:00"));
    let curves = vec![
        ("A: attack".to_string(), vec![(0.0, 100.0), (30.0, 0.0)]),
        ("B: faster".to_string(), vec![(0.0, 100.0), (20.0, 0.0)]),
    ];
    let t = texts(&chart::compare_svg(&curves, "insured", start).unwrap());
    assert!(has(&t, "date (UTC+02:00)"), "{t:?}");
    // 30 hours: ticks every 6 h, a date at t = 0 and at midnight.
    assert!(has(&t, "2023-04-24 18:00"), "{t:?}");
    assert!(has(&t, "2023-04-25 00:00"), "{t:?}");

    inputs[1].scenario.start = None;
    inputs[1].scenario.start_time = None;
    assert_eq!(common_start(&inputs), None);
    let t = texts(&chart::compare_svg(&curves, "insured", None).unwrap());
    assert!(!has(&t, "date (UTC+02:00)"), "{t:?}");
}

#[test]
fn rank_draws_one_bar_per_top_loss() {
    let model = impactsim::validate::model_of(&root().join(ATTACK)).unwrap();
    let ranking = impactsim::rank::rank(&model, Default::default());
    let svg = chart::rank_svg(&ranking, 5).unwrap();
    assert_eq!(bars(&svg), 5);
    let t = texts(&svg);
    for single in &ranking.singles[..5] {
        let label = if single.kind == "site" {
            format!("{} (site)", single.id)
        } else {
            single.id.clone()
        };
        assert!(has(&t, &label), "{label}: {t:?}");
    }
    assert!(!has(&t, &ranking.singles[5].id), "only the top 5");
    assert!(has(&t, "people-hours (insured)"), "{t:?}");
}

#[test]
fn png_has_the_size_asked_for_and_shows_a_picture() {
    let model = impactsim::validate::model_of(&root().join(ATTACK)).unwrap();
    let ranking = impactsim::rank::rank(&model, Default::default());
    let png = Chart::rank(&ranking, 5).with_size(640, 360).png().unwrap();
    assert_eq!(png_size(&png), (640, 360));
    let (colours, dark) = png_pixels(&png);
    // White, the bar colour, the grid and anti-aliased text: far more than one colour.
    assert!(colours > 10, "{colours} colours");
    // Text and axes are drawn (the embedded font works without installed fonts).
    assert!(dark > 500, "{dark} dark pixels");

    let s = bitmarck();
    let result = impactsim::metrics::run(&s);
    let png = Chart::timeline(&result, &s).png().unwrap();
    assert_eq!(png_size(&png), chart::DEFAULT_SIZE);
    assert!(png_pixels(&png).0 > 10);
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn run_plot_writes_timeline_and_gantt_and_names_them_after_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let plots = dir.path().join("plots");
    let out = run_in(
        &root(),
        &[
            "run",
            ATTACK,
            "--top",
            "3",
            "--plot",
            plots.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        files(&plots),
        [
            ".impactsim-outputs",
            ".impactsim-outputs.lock",
            "gantt.png",
            "gantt.svg",
            "timeline.png",
            "timeline.svg"
        ]
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let last = stdout.lines().last().unwrap();
    assert!(
        last.starts_with("wrote timeline.svg, timeline.png, gantt.svg, gantt.png to "),
        "{last}"
    );
    let svg = std::fs::read_to_string(plots.join("timeline.svg")).unwrap();
    assert!(has(&texts(&svg), "insured affected"));
    let png = std::fs::read(plots.join("gantt.png")).unwrap();
    assert_eq!(png_size(&png).0, chart::DEFAULT_SIZE.0);
}

#[test]
fn plot_with_json_keeps_stdout_json() {
    let dir = tempfile::tempdir().unwrap();
    let plots = dir.path().join("p");
    let out = run_in(
        &root(),
        &["run", ATTACK, "--json", "--plot", plots.to_str().unwrap()],
    );
    assert!(out.status.success());
    let _: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("wrote timeline.svg"), "{stderr}");
}

#[test]
fn montecarlo_compare_and_rank_plot() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().to_str().unwrap();
    let out = run_in(
        &root(),
        &["montecarlo", ATTACK, "--runs", "20", "--plot", p],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run_in(
        &root(),
        &[
            "compare",
            ATTACK,
            "models/bitmarck-2023/what-if-faster-repair.toml",
            "models/bitmarck-2023/what-if-georedundant-channels.toml",
            "--plot",
            p,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run_in(
        &root(),
        &[
            "rank",
            "models/bitmarck-2023/model.toml",
            "--top",
            "5",
            "--csv",
            "--plot",
            p,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrote rank.svg, rank.png"));
    assert_eq!(
        files(dir.path()),
        [
            ".impactsim-outputs",
            ".impactsim-outputs.lock",
            "bands.png",
            "bands.svg",
            "compare.png",
            "compare.svg",
            "rank.png",
            "rank.svg"
        ]
    );
    let compare = std::fs::read_to_string(dir.path().join("compare.svg")).unwrap();
    assert_eq!(series(&compare).len(), 3);
    let t = texts(&compare);
    assert!(t.iter().any(|x| x.starts_with("A: BITMARCK")), "{t:?}");
    let rank = std::fs::read_to_string(dir.path().join("rank.svg")).unwrap();
    assert_eq!(bars(&rank), 5);
}

#[test]
fn montecarlo_plot_is_refused_with_shards() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().to_str().unwrap();
    let out = run_in(
        &root(),
        &[
            "montecarlo",
            ATTACK,
            "--runs",
            "4",
            "--shard",
            "0/2",
            "--out",
            p,
            "--plot",
            p,
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(files(dir.path()).is_empty());
}
