use super::*;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use serde::Deserialize;

const H: f64 = 3600.0;

#[derive(Debug, Deserialize)]
struct W {
    d: Dist,
}

#[derive(Debug, Deserialize)]
struct WDuration {
    #[allow(dead_code)]
    d: Duration,
}

fn toml(text: &str) -> Result<Dist, String> {
    toml::from_str::<W>(text)
        .map(|w| w.d)
        .map_err(|e| e.to_string())
}

fn json(text: &str) -> Result<Dist, String> {
    serde_json::from_str::<W>(text)
        .map(|w| w.d)
        .map_err(|e| e.to_string())
}

/// The error of a TOML value `d = <value>`, which must contain `want`.
#[track_caller]
fn toml_err(value: &str, want: &str) {
    let e = toml(&format!("d = {value}")).expect_err(value);
    assert!(e.contains(want), "{value}: {e:?} should contain {want:?}");
}

/// The error of a JSON value `{"d": <value>}`, which must contain `want`.
#[track_caller]
fn json_err(value: &str, want: &str) {
    let e = json(&format!("{{\"d\": {value}}}")).expect_err(value);
    assert!(e.contains(want), "{value}: {e:?} should contain {want:?}");
}

// ---- parsing ----

#[test]
fn a_string_is_fixed() {
    // 1d 12h = 86 400 + 43 200 s.
    assert_eq!(toml("d = \"1d 12h\""), Ok(Dist::Fixed(SimTime(129_600))));
    assert_eq!(json("{\"d\": \"90m\"}"), Ok(Dist::Fixed(SimTime(5400))));
    assert_eq!(toml("d = \"0h\""), Ok(Dist::Fixed(SimTime::ZERO)));
}

#[test]
fn every_table_parses_from_toml_and_json() {
    let cases = [
        (
            r#"{ dist = "lognormal", median = "12h", p90 = "36h" }"#,
            r#"{ "dist": "lognormal", "median": "12h", "p90": "36h" }"#,
            Dist::Lognormal {
                median: 12.0 * H,
                p90: 36.0 * H,
            },
        ),
        (
            // Keys in any order.
            r#"{ max = "3h", dist = "uniform", min = "1h" }"#,
            r#"{ "max": "3h", "min": "1h", "dist": "uniform" }"#,
            Dist::Uniform {
                min: H,
                max: 3.0 * H,
            },
        ),
        (
            r#"{ dist = "triangular", min = "0h", mode = "2h", max = "10h" }"#,
            r#"{ "mode": "2h", "dist": "triangular", "min": "0h", "max": "10h" }"#,
            Dist::Triangular {
                min: 0.0,
                mode: 2.0 * H,
                max: 10.0 * H,
            },
        ),
        (
            r#"{ dist = "pert", min = "1h", mode = "90m", max = "1d" }"#,
            r#"{ "dist": "pert", "min": "1h", "mode": "90m", "max": "1d" }"#,
            Dist::Pert {
                min: H,
                mode: 5400.0,
                max: 86_400.0,
            },
        ),
        (
            r#"{ dist = "exponential", mean = "5d" }"#,
            r#"{ "mean": "5d", "dist": "exponential" }"#,
            Dist::Exponential {
                mean: 5.0 * 86_400.0,
            },
        ),
    ];
    for (t, j, want) in cases {
        assert_eq!(toml(&format!("d = {t}")), Ok(want), "{t}");
        assert_eq!(json(&format!("{{\"d\": {j}}}")), Ok(want), "{j}");
    }
    // A TOML sub-table works as well as an inline one.
    assert_eq!(
        toml("[d]\ndist = \"exponential\"\nmean = \"1h\"\n"),
        Ok(Dist::Exponential { mean: H })
    );
}

#[test]
fn bare_numbers_and_bad_strings_fail_as_plain_durations_do() {
    // Same input, same position: the messages must be identical to `Duration`'s.
    for value in ["12", "1.5", "-3", "\"12\"", "\"-1h\"", "\"1x\""] {
        let text = format!("d = {value}");
        let dist = toml(&text).expect_err(&text);
        let plain = toml::from_str::<WDuration>(&text)
            .expect_err(&text)
            .to_string();
        assert_eq!(dist, plain, "{text}");
        let text = format!("{{\"d\": {value}}}");
        let dist = json(&text).expect_err(&text);
        let plain = serde_json::from_str::<WDuration>(&text)
            .expect_err(&text)
            .to_string();
        assert_eq!(dist, plain, "{text}");
    }
    toml_err("12", "a duration needs a unit: write \"12h\" for hours");
    // A bare number as a parameter gets the same message.
    toml_err(
        r#"{ dist = "exponential", mean = 5 }"#,
        "a duration needs a unit: write \"5h\" for hours",
    );
    json_err(
        r#"{ "dist": "uniform", "min": "1h", "max": 3 }"#,
        "a duration needs a unit: write \"3h\" for hours",
    );
}

#[test]
fn unknown_distribution_lists_the_five_and_suggests() {
    toml_err(
        r#"{ dist = "lognorml", median = "1h", p90 = "2h" }"#,
        "unknown distribution `lognorml` (did you mean `lognormal`?); the distributions are \
         `lognormal`, `uniform`, `triangular`, `pert` and `exponential`",
    );
    json_err(
        r#"{ "dist": "gaussian", "mean": "1h" }"#,
        "unknown distribution `gaussian`; the distributions are",
    );
    toml_err(
        r#"{ median = "1h", p90 = "2h" }"#,
        "missing field `dist`: a distribution names its kind, one of `lognormal`",
    );
}

#[test]
fn missing_parameter() {
    toml_err(
        r#"{ dist = "lognormal", median = "12h" }"#,
        "missing field `p90`: lognormal needs `median` and `p90`",
    );
    json_err(
        r#"{ "dist": "triangular", "min": "1h", "max": "2h" }"#,
        "missing field `mode`: triangular needs `min`, `mode` and `max`",
    );
    toml_err(
        r#"{ dist = "exponential" }"#,
        "missing field `mean`: exponential needs `mean`",
    );
}

#[test]
fn unknown_key_for_that_distribution() {
    // A key of another distribution...
    toml_err(
        r#"{ dist = "lognormal", median = "12h", p90 = "36h", max = "3d" }"#,
        "unknown field `max` in a lognormal distribution, expected `dist`, `median`, `p90`",
    );
    // ... or of none, whatever its value and wherever it is.
    json_err(
        r#"{ "medain": [1], "dist": "lognormal", "median": "12h", "p90": "36h" }"#,
        "unknown field `medain` in a lognormal distribution",
    );
}

#[test]
fn duplicate_key() {
    // TOML rejects duplicate keys itself; JSON passes them on.
    json_err(
        r#"{ "dist": "uniform", "min": "1h", "min": "2h", "max": "3h" }"#,
        "duplicate field `min`",
    );
    json_err(
        r#"{ "dist": "uniform", "dist": "pert", "min": "1h", "max": "3h" }"#,
        "duplicate field `dist`",
    );
    assert!(toml(r#"d = { dist = "uniform", min = "1h", min = "2h", max = "3h" }"#).is_err());
}

#[test]
fn invalid_parameters() {
    toml_err(
        r#"{ dist = "lognormal", median = "12h", p90 = "10h" }"#,
        "p90 (10h) must be above the median (12h)",
    );
    json_err(
        r#"{ "dist": "lognormal", "median": "12h", "p90": "12h" }"#,
        "p90 (12h) must be above the median (12h)",
    );
    toml_err(
        r#"{ dist = "lognormal", median = "0h", p90 = "1h" }"#,
        "the median of a lognormal must be above 0",
    );
    toml_err(
        r#"{ dist = "uniform", min = "3h", max = "1h" }"#,
        "min (3h) is above max (1h); swap them",
    );
    json_err(
        r#"{ "dist": "pert", "min": "3h", "mode": "2h", "max": "1h" }"#,
        "min (3h) is above max (1h)",
    );
    toml_err(
        r#"{ dist = "triangular", min = "1h", mode = "5h", max = "3h" }"#,
        "mode (5h) must be between min (1h) and max (3h)",
    );
    toml_err(
        r#"{ dist = "pert", min = "1h", mode = "30m", max = "3h" }"#,
        "mode (30m) must be between min (1h) and max (3h)",
    );
    toml_err(
        r#"{ dist = "exponential", mean = "0h" }"#,
        "the mean of an exponential must be above 0",
    );
}

#[test]
fn min_equal_max_is_allowed_and_fixed() {
    let u = toml(r#"d = { dist = "uniform", min = "2h", max = "2h" }"#).unwrap();
    let p = toml(r#"d = { dist = "pert", min = "2h", mode = "2h", max = "2h" }"#).unwrap();
    let t = toml(r#"d = { dist = "triangular", min = "2h", mode = "2h", max = "2h" }"#).unwrap();
    for d in [u, p, t] {
        assert_eq!(d.median(), SimTime(7200), "{d}");
        assert_eq!(d.mean(), 7200.0, "{d}");
        // Nothing is drawn: the generator is where it was.
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(d.sample(&mut rng), SimTime(7200), "{d}");
        assert!(untouched(&mut rng, 1), "{d}");
    }
}

// ---- medians and means by hand ----

#[test]
fn medians_by_hand() {
    assert_eq!(Dist::Fixed(SimTime(7)).median(), SimTime(7));
    assert_eq!(Dist::Fixed(SimTime(7)).fixed(), Some(SimTime(7)));
    // Lognormal: the median is a parameter; 12h = 43 200 s.
    let logn = Dist::Lognormal {
        median: 12.0 * H,
        p90: 36.0 * H,
    };
    assert_eq!(logn.median(), SimTime(43_200));
    assert_eq!(logn.fixed(), None);
    // Uniform 1h..3h: (3600 + 10 800) / 2 = 7200.
    let uni = Dist::Uniform {
        min: H,
        max: 3.0 * H,
    };
    assert_eq!(uni.median(), SimTime(7200));
    // Triangular (0, 0, 10h): mode below the middle, so median = max - √(max² / 2)
    // = 10h · (1 - 1/√2) = 36 000 · 0.292 893 2 = 10 544.16 → 10 544.
    let tri_low = Dist::Triangular {
        min: 0.0,
        mode: 0.0,
        max: 10.0 * H,
    };
    assert_eq!(tri_low.median(), SimTime(10_544));
    // Triangular (0, 10h, 10h): the mirror image, 10h / √2 = 25 455.84 → 25 456.
    let tri_high = Dist::Triangular {
        min: 0.0,
        mode: 10.0 * H,
        max: 10.0 * H,
    };
    assert_eq!(tri_high.median(), SimTime(25_456));
    // Exponential mean 10h: 36 000 · ln 2 = 24 953.30 → 24 953.
    let exp = Dist::Exponential { mean: 10.0 * H };
    assert_eq!(exp.median(), SimTime(24_953));
    // PERT symmetric (0, 5h, 10h): α = β = 3, median exactly the middle, 18 000.
    let pert_sym = Dist::Pert {
        min: 0.0,
        mode: 5.0 * H,
        max: 10.0 * H,
    };
    assert_eq!(pert_sym.median(), SimTime(18_000));
    // Half-second rounds up: uniform 0..3 s has median 1.5 s → 2.
    assert_eq!(Dist::Uniform { min: 0.0, max: 3.0 }.median(), SimTime(2));
}

#[test]
fn pert_skewed_median() {
    // PERT (0, 2h, 10h): α = 1 + 4 · 2/10 = 1.8, β = 1 + 4 · 8/10 = 4.2.
    let (a, b) = pert_shape(0.0, 2.0 * H, 10.0 * H);
    assert!(
        (a - 1.8).abs() < 1e-12 && (b - 4.2).abs() < 1e-12,
        "{a} {b}"
    );
    let d = Dist::Pert {
        min: 0.0,
        mode: 2.0 * H,
        max: 10.0 * H,
    };
    let x = d.median_secs() / (10.0 * H);
    // The incomplete beta at the computed median is 1/2.
    assert!(
        (incomplete_beta(a, b, x) - 0.5).abs() < 1e-9,
        "I = {}",
        incomplete_beta(a, b, x)
    );
    // Reference, computed independently with mpmath at 40 digits, both as
    // findroot(betainc(1.8, 4.2, 0, x, regularized=True) - 1/2) and by integrating the
    // density t^0.8 (1-t)^3.2 / B(1.8, 4.2) with quad: x = 0.276 672 259 392 518 84,
    // so the median is 36 000 · x = 9960.2013 s → 9960.
    assert!((x - 0.276_672_259_392_518_8).abs() < 1e-12, "{x}");
    assert_eq!(d.median(), SimTime(9960));
}

#[test]
fn means_by_hand() {
    // Lognormal (12h, 36h): σ = ln 3 / 1.281 551 6 = 0.857 251 7; mean = median · e^(σ²/2)
    // = 43 200 · e^0.367 440 = 62 382.25.
    let logn = Dist::Lognormal {
        median: 12.0 * H,
        p90: 36.0 * H,
    };
    assert!((logn.mean() - 62_382.248).abs() < 0.01, "{}", logn.mean());
    assert_eq!(
        Dist::Uniform {
            min: H,
            max: 3.0 * H
        }
        .mean(),
        7200.0
    );
    // (0 + 0 + 36 000) / 3.
    let tri = Dist::Triangular {
        min: 0.0,
        mode: 0.0,
        max: 10.0 * H,
    };
    assert_eq!(tri.mean(), 12_000.0);
    // (0 + 4 · 7200 + 36 000) / 6 = 64 800 / 6.
    let pert = Dist::Pert {
        min: 0.0,
        mode: 2.0 * H,
        max: 10.0 * H,
    };
    assert_eq!(pert.mean(), 10_800.0);
    assert_eq!(Dist::Exponential { mean: 5.0 }.mean(), 5.0);
    assert_eq!(Dist::Fixed(SimTime(9)).mean(), 9.0);
}

#[test]
fn special_functions_against_closed_forms() {
    // Γ(1) = 1, Γ(5) = 24, Γ(1/2) = √π, Γ(0.1) = 9.513 507 698 668 732.
    assert!(ln_gamma(1.0).abs() < 1e-14);
    assert!((ln_gamma(5.0) - 24.0_f64.ln()).abs() < 1e-13);
    assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-14);
    assert!((ln_gamma(0.1) - 9.513_507_698_668_732_f64.ln()).abs() < 1e-13);
    for x in [0.01, 0.2, 0.5, 0.77, 0.99] {
        // I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 - (1 - x)^b; I_x(2, 2) = 3x² - 2x³.
        assert!((incomplete_beta(1.0, 1.0, x) - x).abs() < 1e-14);
        assert!((incomplete_beta(3.5, 1.0, x) - x.powf(3.5)).abs() < 1e-13);
        assert!((incomplete_beta(1.0, 4.2, x) - (1.0 - (1.0 - x).powf(4.2))).abs() < 1e-13);
        let cubic = 3.0 * x * x - 2.0 * x * x * x;
        assert!((incomplete_beta(2.0, 2.0, x) - cubic).abs() < 1e-13);
    }
    // Symmetric shapes: I_{1/2}(a, a) = 1/2.
    assert!((incomplete_beta(3.0, 3.0, 0.5) - 0.5).abs() < 1e-14);
    assert!((beta_median(1.8, 4.2) + beta_median(4.2, 1.8) - 1.0).abs() < 1e-14);
}

// ---- sampling ----

const N: usize = 20_000;

/// Whether `rng` is still where a fresh generator of `seed` starts (ChaCha8Rng is not
/// `Clone`: compare the next output instead).
fn untouched(rng: &mut ChaCha8Rng, seed: u64) -> bool {
    use rand::Rng;
    rng.next_u64() == ChaCha8Rng::seed_from_u64(seed).next_u64()
}

fn draws(d: &Dist, seed: u64) -> Vec<u64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(7);
    (0..N).map(|_| d.sample(&mut rng).0).collect()
}

/// The share of draws at or below `x`.
fn share_below(xs: &[u64], x: u64) -> f64 {
    xs.iter().filter(|&&v| v <= x).count() as f64 / xs.len() as f64
}

/// The empirical p-quantile of sorted draws.
fn quantile(sorted: &[u64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize] as f64
}

// How close must the draws come? Two checks, both from the binomial standard error (SE).
//
// 1. The number of draws at or below the true p-quantile is Binomial(N, p): their share
//    has SE √(p(1-p)/N), 0.003 54 for the median and 0.002 12 for p90 with N = 20 000. We
//    allow 4.5 SE: ±0.0159 and ±0.0095. This holds for any distribution.
// 2. The empirical quantile itself: its SE is that share's SE divided by the density at
//    the quantile. Relative to the median (SE = 0.003 54 / (f(median) · median)):
//      lognormal (12h, 36h), σ = ln 3 / 1.2816 = 0.857: 0.003 54 · σ · √(2π)   = 0.76%
//      uniform 1h..3h: f = 1/7200, SE = 25.5 s                                 = 0.35%
//      triangular (0, 0, 10h): f(10 544) = 2 (36 000 - 10 544) / 36 000², 90 s = 0.85%
//      triangular (1h, 2h, 6h): f(10 216) = 2 (21 600 - 10 216) / (18 000 · 14 400),
//        SE = 40 s                                                              = 0.39%
//      PERT (0, 2h, 10h): Beta(1.8, 4.2) density at 0.2767 is 2.108 per unit,
//        f = 2.108 / 36 000, SE = 60 s                                          = 0.61%
//      exponential mean 10h: f(median) = 1 / (2 · mean), SE = 0.003 54 · 2 / ln 2 = 1.02%
//    We allow max(2%, 4.5 SE): 2% where that is already 4.5 SE or more, else 4.5 SE
//    (lognormal 3.4%, triangular (0, 0, 10h) 3.8%, PERT 2.7%, exponential 4.6%). A bare 2%
//    would be only ~2 SE for the exponential: over 200 other seeds the worst exponential
//    median was 2.95% off.
const MEDIAN_SHARE_TOL: f64 = 4.5 * 0.003_535_5;
const P90_SHARE_TOL: f64 = 4.5 * 0.002_121_3;

/// Checks both ways that the draws of `d` have median `d.median()`; `se` is the relative
/// SE of the empirical median worked out above. Returns the draws, sorted.
#[track_caller]
fn check_median(d: Dist, seed: u64, se: f64) -> Vec<u64> {
    let mut xs = draws(&d, seed);
    let m = d.median();
    let share = share_below(&xs, m.0);
    assert!(
        (share - 0.5).abs() < MEDIAN_SHARE_TOL,
        "{d}: {share} of the draws are at or below the median {m}"
    );
    xs.sort_unstable();
    let emp = quantile(&xs, 0.5);
    let rel = (emp - m.0 as f64).abs() / m.0 as f64;
    let tol = (4.5 * se).max(0.02);
    assert!(
        rel < tol,
        "{d}: empirical median {emp} vs {m} ({rel} > {tol})"
    );
    xs
}

#[test]
fn lognormal_draws_match_median_and_p90() {
    let d = Dist::Lognormal {
        median: 12.0 * H,
        p90: 36.0 * H,
    };
    let xs = check_median(d, 11, 0.0076);
    let p90 = 36.0 * H;
    let share = share_below(&xs, p90 as u64);
    assert!(
        (share - 0.9).abs() < P90_SHARE_TOL,
        "{share} at or below p90"
    );
    // Relative SE of the empirical p90: 0.002 12 · σ / φ(1.2816) = 0.002 12 · 0.857 / 0.1755
    // = 1.04%; we allow max(3%, 4.5 SE) = 4.7%. (With this seed it is 0.7% off: 128 661
    // against 129 600.)
    let emp = quantile(&xs, 0.9);
    assert!((emp - p90).abs() / p90 < 0.047, "empirical p90 {emp}");
}

#[test]
fn uniform_draws_stay_in_range() {
    let d = Dist::Uniform {
        min: H,
        max: 3.0 * H,
    };
    let xs = check_median(d, 12, 0.0035);
    assert!(xs.iter().all(|&x| (3600..=10_800).contains(&x)));
    // Both ends are reached to within a few seconds (each 1-s bin has 1/7200 of the mass,
    // so the extremes of 20 000 draws lie within ~1 s of the ends).
    assert!(
        xs[0] < 3600 + 10 && xs[N - 1] > 10_800 - 10,
        "{} {}",
        xs[0],
        xs[N - 1]
    );
}

#[test]
fn triangular_and_pert_draws_match_their_medians() {
    let tri = Dist::Triangular {
        min: 0.0,
        mode: 0.0,
        max: 10.0 * H,
    };
    let xs = check_median(tri, 13, 0.0085);
    assert!(xs.iter().all(|&x| x <= 36_000));
    let tri = Dist::Triangular {
        min: H,
        mode: 2.0 * H,
        max: 6.0 * H,
    };
    let xs = check_median(tri, 14, 0.0039);
    assert!(xs.iter().all(|&x| (3600..=21_600).contains(&x)));
    let pert = Dist::Pert {
        min: 0.0,
        mode: 2.0 * H,
        max: 10.0 * H,
    };
    let xs = check_median(pert, 15, 0.0061);
    assert!(xs.iter().all(|&x| x <= 36_000));
    // Mean (0 + 4 · 2h + 10h) / 6 = 3h; SE = sd / √N, sd = √(αβ / ((α+β)²(α+β+1))) · 10h
    // = √(7.56 / 252) · 36 000 = 6235 s, SE = 44 s: 3% (324 s) is > 7 SE.
    let mean = xs.iter().sum::<u64>() as f64 / N as f64;
    assert!((mean - 10_800.0).abs() / 10_800.0 < 0.03, "{mean}");
}

#[test]
fn exponential_draws_match_median_and_mean() {
    let d = Dist::Exponential { mean: 10.0 * H };
    let xs = check_median(d, 16, 0.0102);
    // The mean of N draws has SE mean / √N = 0.71%: 3% is ~4.2 SE.
    let mean = xs.iter().sum::<u64>() as f64 / N as f64;
    assert!((mean - 36_000.0).abs() / 36_000.0 < 0.03, "{mean}");
}

#[test]
fn same_seed_same_draws() {
    let kinds = [
        Dist::Lognormal {
            median: 12.0 * H,
            p90: 36.0 * H,
        },
        Dist::Uniform {
            min: H,
            max: 3.0 * H,
        },
        Dist::Triangular {
            min: 0.0,
            mode: H,
            max: 10.0 * H,
        },
        Dist::Pert {
            min: 0.0,
            mode: H,
            max: 10.0 * H,
        },
        Dist::Exponential { mean: H },
    ];
    for d in kinds {
        assert_eq!(draws(&d, 42)[..100], draws(&d, 42)[..100], "{d}");
        assert_ne!(draws(&d, 42)[..100], draws(&d, 43)[..100], "{d}");
    }
}

#[test]
fn fixed_draws_nothing_and_samples_clamp() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    assert_eq!(Dist::Fixed(SimTime(60)).sample(&mut rng), SimTime(60));
    assert!(untouched(&mut rng, 3));
    // A huge lognormal is clamped to 100 years, never above.
    let wild = Dist::Lognormal {
        median: 50.0 * 365.0 * 86_400.0,
        p90: 1e12,
    };
    let xs = draws(&wild, 5);
    assert!(xs.iter().all(|&x| x <= MAX_DURATION.0));
    assert!(xs.contains(&MAX_DURATION.0));
}

#[test]
#[should_panic(expected = "must be above the median")]
fn sampling_an_invalid_dist_panics() {
    let bad = Dist::Lognormal {
        median: 2.0,
        p90: 1.0,
    };
    bad.sample(&mut ChaCha8Rng::seed_from_u64(0));
}

#[test]
fn exponential_mean_convenience() {
    assert_eq!(
        Dist::exponential_mean(SimTime(3600)),
        Dist::Exponential { mean: 3600.0 }
    );
    assert_eq!(
        Dist::exponential_mean(SimTime::ZERO),
        Dist::Fixed(SimTime::ZERO)
    );
}

#[test]
fn displays_with_simtime() {
    assert_eq!(Dist::Fixed(SimTime(43_200)).to_string(), "12h");
    let cases = [
        (
            Dist::Lognormal {
                median: 12.0 * H,
                p90: 36.0 * H,
            },
            "lognormal(median 12h, p90 1d 12h)",
        ),
        (
            Dist::Uniform {
                min: H,
                max: 3.0 * H,
            },
            "uniform(min 1h, max 3h)",
        ),
        (
            Dist::Triangular {
                min: 0.0,
                mode: 5400.0,
                max: 10.0 * H,
            },
            "triangular(min 0h, mode 1h 30m, max 10h)",
        ),
        (
            Dist::Pert {
                min: 60.0,
                mode: H,
                max: 86_400.0,
            },
            "pert(min 1m, mode 1h, max 1d)",
        ),
        (
            Dist::Exponential {
                mean: 5.0 * 86_400.0,
            },
            "exponential(mean 5d)",
        ),
    ];
    for (d, want) in cases {
        assert_eq!(d.to_string(), want);
    }
}
