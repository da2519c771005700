//! What a run is judged by (`--measure`): people-hours, the people-hours of business
//! functions weighted by their severity, or the tolerances breached.

use crate::error::Error;
use crate::metrics::{FunctionResult, RunResult};
use crate::model::Model;

/// What `rank`, `plan`, `compare`, `batch` and `montecarlo` judge a run by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Measure {
    /// ∫ people affected dt (the default).
    #[default]
    PeopleHours,
    /// Σ over clients and business functions of weight × people × ∫ (1 − availability) dt.
    WeightedPeopleHours,
    /// How many tolerances (MTPD, RTO, MTN of each client's functions) the run breaches;
    /// ties go to the weighted people-hours.
    ToleranceBreaches,
}

impl Measure {
    /// Every measure, as `--measure` spells it.
    pub const NAMES: [&'static str; 3] = [
        "people-hours",
        "weighted-people-hours",
        "tolerance-breaches",
    ];

    /// The measure `--measure NAME` asks for.
    pub fn parse(name: &str) -> Option<Measure> {
        match name {
            "people-hours" => Some(Measure::PeopleHours),
            "weighted-people-hours" => Some(Measure::WeightedPeopleHours),
            "tolerance-breaches" => Some(Measure::ToleranceBreaches),
            _ => None,
        }
    }

    /// Its name as a figure of the outputs (`weighted_people_hours`).
    pub fn figure(self) -> &'static str {
        match self {
            Measure::PeopleHours => "people_hours",
            Measure::WeightedPeopleHours => "weighted_people_hours",
            Measure::ToleranceBreaches => "tolerance_breaches",
        }
    }

    /// In words, for tables.
    pub fn label(self) -> &'static str {
        match self {
            Measure::PeopleHours => "people-hours",
            Measure::WeightedPeopleHours => "weighted people-hours",
            Measure::ToleranceBreaches => "tolerances breached",
        }
    }

    /// Refuses a measure of business functions on a model that declares none: every run
    /// would measure 0.
    pub fn check(self, model: &Model) -> Result<(), Error> {
        if self != Measure::PeopleHours && model.functions.is_empty() {
            return Err(Error::Usage {
                message: format!(
                    "--measure {} needs business functions, and model \"{}\" declares none; declare [[function]] tables (docs/reference.md, \"Business functions\") or measure people-hours",
                    Measure::NAMES[self as usize],
                    model.name
                ),
            });
        }
        Ok(())
    }

    /// The run's score: the measure, then what breaks its ties (lower is better).
    pub fn score(self, people_hours: f64, functions: &[FunctionResult]) -> Score {
        let weighted = functions
            .iter()
            .map(|f| f.weighted_people_hours)
            .sum::<f64>();
        self.score_of(people_hours, weighted, breaches(functions))
    }

    /// The score of a run with these figures.
    pub fn score_of(self, people_hours: f64, weighted: f64, breaches: u64) -> Score {
        match self {
            Measure::PeopleHours => Score(people_hours, people_hours),
            Measure::WeightedPeopleHours => Score(weighted, people_hours),
            Measure::ToleranceBreaches => Score(breaches as f64, weighted),
        }
    }

    /// The run's value of the measure.
    pub fn of(self, r: &RunResult) -> f64 {
        self.score(r.people_hours, &r.functions).0
    }
}

/// How many tolerances the rows breach.
pub fn breaches(functions: &[FunctionResult]) -> u64 {
    functions.iter().map(|f| f.breaches.len() as u64).sum()
}

/// A run's measure and the figure that breaks its ties; lower is better.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score(pub f64, pub f64);

impl Score {
    /// Strictly better than `other`.
    pub fn beats(self, other: Score) -> bool {
        self.0 < other.0 || (self.0 == other.0 && self.1 < other.1)
    }
}
