//! `impactsim validate`: checks a model or scenario file.

use std::path::Path;

use super::Console;
use crate::error::Error;
use crate::limits::LoadOptions;

/// Checks `file` and prints `ok:` with a summary, then the warnings.
pub fn run(file: &Path, load: &LoadOptions, console: &mut Console) -> Result<u8, Error> {
    let v = crate::validate::validate_with(file, load)?;
    let mut text = format!("ok: {}\n", v.summary);
    for w in &v.warnings {
        text.push_str(&format!("warning: {w}\n"));
    }
    console.print(&text)?;
    Ok(0)
}
