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
    /// Every measure.
    pub const ALL: [Measure; 3] = [
        Measure::PeopleHours,
        Measure::WeightedPeopleHours,
        Measure::ToleranceBreaches,
    ];

    /// The measure `--measure NAME` asks for.
    pub fn parse(name: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Its name as a figure of the outputs (`weighted_people_hours`).
    pub fn figure(self) -> &'static str {
        match self {
            Measure::PeopleHours => "people_hours",
            Measure::WeightedPeopleHours => "weighted_people_hours",
            Measure::ToleranceBreaches => "tolerance_breaches",
        }
    }

    /// As `--measure` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Measure::PeopleHours => "people-hours",
            Measure::WeightedPeopleHours => "weighted-people-hours",
            Measure::ToleranceBreaches => "tolerance-breaches",
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

    /// The head of its column in a table.
    pub fn column(self) -> &'static str {
        match self {
            Measure::PeopleHours => "people-hours",
            Measure::WeightedPeopleHours => "weighted p-h",
            Measure::ToleranceBreaches => "breaches",
        }
    }

    /// Refuses a measure of business functions on a model that declares none: every run
    /// would measure 0.
    pub fn check(self, model: &Model) -> Result<(), Error> {
        if self != Measure::PeopleHours && model.functions.is_empty() {
            return Err(Error::Usage {
                message: format!(
                    "--measure {} needs business functions, and model \"{}\" declares none; declare [[function]] tables (docs/reference.md, \"Business functions\") or measure people-hours",
                    self.name(),
                    model.name
                ),
            });
        }
        Ok(())
    }

    /// The run's score: the measure, then what breaks its ties (lower is better).
    pub fn score(self, people_hours: f64, functions: &[FunctionResult]) -> Score {
        let (weighted, breaches) = totals(functions);
        self.score_of(people_hours, weighted, breaches)
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
        let (weighted, breaches) = (r.weighted_people_hours, r.tolerance_breaches);
        let score = self.score_of(
            r.people_hours,
            weighted.unwrap_or(0.0),
            breaches.unwrap_or(0),
        );
        score.0
    }
}

/// Serialised as its figure's name (`weighted_people_hours`).
impl serde::Serialize for Measure {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.figure())
    }
}

/// What the rows of a run's business functions add up to: their weighted people-hours, and
/// how many tolerances they breach.
pub fn totals(functions: &[FunctionResult]) -> (f64, u64) {
    let weighted = functions.iter().map(|f| f.weighted_people_hours).sum();
    let breaches = functions.iter().map(|f| f.breaches.len() as u64).sum();
    (weighted, breaches)
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
