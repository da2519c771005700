//! `impactsim generate`: a synthetic model and scenario from a seed.

use std::path::PathBuf;
use std::time::Instant;

use super::{Console, usage};
use crate::error::Error;
use crate::generate::{self, Config, Format};
use crate::output;

/// What `generate` is asked.
#[derive(Debug, Clone)]
pub struct Args {
    /// Directory for model.EXT and scenario.EXT.
    pub out: PathBuf,
    /// Replace model and scenario files that already exist there.
    pub force: bool,
    /// The format; `None` chooses by size.
    pub format: Option<Format>,
    /// What to generate.
    pub config: Config,
}

/// Runs the command.
pub fn run(a: &Args, console: &mut Console) -> Result<u8, Error> {
    let t0 = Instant::now();
    let cfg = &a.config;
    cfg.check()?;
    let format = a.format.unwrap_or_else(|| cfg.auto_format());
    let model_name = format!("model.{}", format.extension());
    let scenario_name = format!("scenario.{}", format.extension());
    if !a.force {
        for name in [&model_name, &scenario_name] {
            let path = a.out.join(name);
            if path.exists() {
                return Err(usage(format!(
                    "{} already exists; pass --force to replace it",
                    path.display()
                )));
            }
        }
    }
    let generated = generate::generate(cfg)?;
    let model = generated.model_text(format).into_bytes();
    let scenario = generated.scenario_text(format, &model_name).into_bytes();
    // Forced: generate refuses only to replace its own two files (above), and records them
    // in the manifest so that the directory counts as impactsim's.
    output::write_out_files(
        &a.out,
        &[
            (model_name.as_str(), model),
            (scenario_name.as_str(), scenario),
        ],
        true,
    )?;
    let events = generated.event_count();
    console.print(&format!(
        "wrote {} ({} nodes, {} edges, {} clients) and {} ({events} event{}) in {:.2} s\n",
        a.out.join(&model_name).display(),
        generated.node_count(),
        generated.edge_count(),
        generated.client_count(),
        a.out.join(&scenario_name).display(),
        if events == 1 { "" } else { "s" },
        t0.elapsed().as_secs_f64()
    ))?;
    Ok(0)
}
