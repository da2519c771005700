//! `impactsim graph`: the dependency graph as DOT, Mermaid or JSON.

use std::path::PathBuf;

use super::Console;
use crate::error::Error;
use crate::graph::{self, Format, Highlight};
use crate::limits::LoadOptions;
use crate::output;

/// What `graph` is asked.
#[derive(Debug, Clone)]
pub struct Args {
    /// A model file, or a scenario file (its patched model).
    pub model: PathBuf,
    /// The format; by default from the extension of `out`, else DOT.
    pub format: Option<Format>,
    /// Colour by the state of a scenario at one instant.
    pub highlight: Option<Highlight>,
    /// Write to this file instead of stdout.
    pub out: Option<PathBuf>,
}

/// Runs the command.
pub fn run(a: &Args, load: &LoadOptions, console: &mut Console) -> Result<u8, Error> {
    let format = a.format.unwrap_or_else(|| {
        a.out
            .as_deref()
            .and_then(Format::from_extension)
            .unwrap_or(Format::Dot)
    });
    let (model, state) = graph::load_with(&a.model, a.highlight.as_ref(), load)?;
    let text = graph::render(&model, state.as_ref(), format);
    let edges = graph::edge_count(&model);
    if format == Format::Mermaid && edges > graph::MERMAID_MAX_EDGES {
        console.note(&format!(
            "warning: {edges} edges: Mermaid renders at most {} unless its maxEdges setting is raised",
            graph::MERMAID_MAX_EDGES
        ));
    }
    match &a.out {
        Some(file) => {
            output::write_file(file, text.into_bytes(), "--out")?;
            console.print(&format!("wrote {}\n", file.display()))?;
        }
        None => console.print(&text)?,
    }
    Ok(0)
}
