//! Input files: reading, deserializing with located errors, and finding a key path in the text.
//!
//! Files are deserialized straight into plain serde structs (fast for million-node JSON
//! models). Errors the deserializer finds carry their own position. Errors found later, when
//! ids are resolved, carry a [`Path`] (`service[3].requires[1]`) that is looked up in the text
//! only when an error is reported, so the happy path pays nothing for locations.

use std::ops::Range;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::error::{Error, InputError, InputErrorKind, Remedy};
use crate::limits::{LoadOptions, bytes, too_large};

/// The two file formats of SPEC section 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TOML, the default.
    Toml,
    /// JSON, chosen by the `.json` extension.
    Json,
}

impl Format {
    /// The format of a file: JSON for the `.json` extension, TOML otherwise.
    pub fn of(path: &FsPath) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => Format::Json,
            _ => Format::Toml,
        }
    }
}

/// One step of a key path inside a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg {
    /// A table key.
    Key(&'static str),
    /// An array index.
    Index(usize),
}

/// A key path inside a file, e.g. `service[3].requires[1]`.
pub type Path = Vec<Seg>;

/// A loaded input file.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as the user gave it.
    pub path: PathBuf,
    /// The whole text.
    pub text: Arc<str>,
    /// TOML or JSON.
    pub format: Format,
}

/// Refuses a file of `len` bytes that would take more than `allowed` bytes to load.
fn check_memory(path: &FsPath, len: u64, allowed: u64) -> Result<(), Error> {
    let format = Format::of(path);
    let Some(needed) = too_large(len, format == Format::Json, allowed) else {
        return Ok(());
    };
    let json = match format {
        Format::Toml => ", write it as JSON (it takes a quarter of the memory)",
        Format::Json => "",
    };
    Err(InputError::new(
        InputErrorKind::Limit,
        format!(
            "the file is {}: loading it takes about {}, and {} of memory may be used",
            bytes(len),
            bytes(needed),
            bytes(allowed)
        ),
    )
    .hint_remedy(
        &format!("run it where more memory is free{json}"),
        Remedy::NoMemoryCheck,
    )
    .in_file(path)
    .into())
}

impl Source {
    /// Reads a file with the default [`LoadOptions`]; the format follows the extension.
    pub fn read(path: &FsPath) -> Result<Source, Error> {
        Source::read_with(path, &LoadOptions::default())
    }

    /// Reads a file; refused, before it is read, when it would take more memory to load
    /// than `options` allow.
    pub fn read_with(path: &FsPath, options: &LoadOptions) -> Result<Source, Error> {
        if options.memory_check
            && let Ok(meta) = std::fs::metadata(path)
            && let Some(allowed) = options.memory_allowed()
        {
            check_memory(path, meta.len(), allowed)?;
        }
        let bytes = std::fs::read(path).map_err(|e| Error::io("reading", path, e))?;
        Ok(Source::from_bytes(path, bytes)?)
    }

    /// A source from the bytes of a file named `path`: an error unless they are UTF-8.
    pub fn from_bytes(path: &FsPath, bytes: Vec<u8>) -> Result<Source, InputError> {
        let text = String::from_utf8(bytes).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let text: Arc<str> = Arc::from(lossy);
            InputError::new(InputErrorKind::Syntax, "the file is not valid UTF-8 text")
                .hint("save the file as UTF-8")
                .at(path, &text, offset..offset + 1)
        })?;
        Ok(Source::from_text(path, text))
    }

    /// A source from text already in memory (tests, generated models).
    pub fn from_text(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Source {
        let path = path.into();
        Source {
            format: Format::of(&path),
            path,
            text: text.into(),
        }
    }

    /// Deserializes the whole file, turning syntax and type errors into located errors.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, InputError> {
        match self.format {
            Format::Toml => toml::from_str(&self.text).map_err(|e| {
                let span = e.span().unwrap_or(0..0);
                self.serde_error(e.message(), span)
            }),
            Format::Json => serde_json::from_str(&self.text).map_err(|e| {
                let full = e.to_string();
                let message = match full.rfind(" at line ") {
                    Some(i) => &full[..i],
                    None => &full,
                };
                let offset = offset_of(&self.text, e.line(), e.column());
                self.serde_error(message, offset..offset + 1)
            }),
        }
    }

    fn serde_error(&self, message: &str, span: Range<usize>) -> InputError {
        let (kind, mut hint) = classify(message);
        let mut text = message.trim().to_string();
        // TOML names no key in its duplicate-key message; the span points at it.
        if text == "duplicate key"
            && let Some(key) = self.text.get(span.clone()).map(str::trim)
            && !key.is_empty()
            && key.len() <= 100
        {
            text = format!("duplicate key `{key}`");
            hint = Some(format!(
                "`{key}` may appear only once here; keep one of them"
            ));
        }
        let mut err = InputError::new(kind, text);
        if let Some(h) = hint {
            err = err.hint(h);
        }
        err.at(&self.path, &self.text, span)
    }

    /// An error pointing at a key path of this file (or at the file when the path is not found).
    pub fn error_at(&self, path: &[Seg], err: InputError) -> InputError {
        match self.locate(path) {
            Some(span) => err.at(&self.path, &self.text, span),
            None => err.in_file(&self.path),
        }
    }

    /// The byte span of the value at `path`, if the text has it.
    pub fn locate(&self, path: &[Seg]) -> Option<Range<usize>> {
        match self.format {
            Format::Toml => locate_toml(&self.text, path),
            Format::Json => locate_json(&self.text, path),
        }
    }
}

/// Turns a serde message into a kind and a hint.
fn classify(message: &str) -> (InputErrorKind, Option<String>) {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let unknown = rest.split('`').next().unwrap_or("");
        let expected: Vec<&str> = rest
            .split("expected ")
            .nth(1)
            .unwrap_or("")
            .split('`')
            .skip(1)
            .step_by(2)
            .collect();
        let hint = match crate::suggest::closest(unknown, expected.iter().copied()) {
            Some(best) => format!("did you mean `{best}`?"),
            None if expected.is_empty() => "remove this key".to_string(),
            None => format!("the keys allowed here are {}", expected.join(", ")),
        };
        return (InputErrorKind::UnknownKey, Some(hint));
    }
    if message.starts_with("missing field") {
        return (InputErrorKind::Missing, Some("add the key".into()));
    }
    if message.contains("duration") {
        return (InputErrorKind::Duration, None);
    }
    if message.starts_with("invalid type") || message.starts_with("invalid value") {
        return (InputErrorKind::Value, None);
    }
    (InputErrorKind::Syntax, None)
}

/// Byte offset of a 1-based line and column (serde_json counts columns in bytes).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

fn locate_toml(text: &str, path: &[Seg]) -> Option<Range<usize>> {
    use toml::de::{DeTable, DeValue};
    let root = DeTable::parse(text).ok()?;
    let mut span = root.span();
    let mut table = Some(root.get_ref());
    let mut value: Option<&DeValue<'_>> = None;
    for seg in path {
        let next = match (seg, table, value) {
            (Seg::Key(k), Some(t), _) => t
                .iter()
                .find(|(key, _)| key.get_ref().as_ref() == *k)
                .map(|(_, v)| v),
            (Seg::Index(i), _, Some(DeValue::Array(a))) => a.get(*i),
            _ => None,
        }?;
        span = next.span();
        value = Some(next.get_ref());
        table = match next.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        };
    }
    Some(span)
}

fn locate_json(text: &str, path: &[Seg]) -> Option<Range<usize>> {
    use jsonc_parser::ast::Value;
    use jsonc_parser::common::Ranged;
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default()).ok()?;
    let mut value = parsed.value.as_ref()?;
    for seg in path {
        value = match (seg, value) {
            (Seg::Key(k), Value::Object(o)) => {
                &o.properties.iter().find(|p| p.name.as_str() == *k)?.value
            }
            (Seg::Index(i), Value::Array(a)) => a.elements.get(*i)?,
            _ => return None,
        };
    }
    let r = value.range();
    Some(r.start..r.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `service[1].requires[1]` is found in TOML and in JSON.
    #[test]
    fn locates_a_path_in_toml_and_json() {
        let toml = "[model]\nname = \"x\"\n\n[[service]]\nid = \"a\"\n\n[[service]]\nid = \"b\"\nrequires = [\"a\", \"zz\"]\n";
        let json =
            "{\"service\": [{\"id\": \"a\"}, {\"id\": \"b\", \"requires\": [\"a\", \"zz\"]}]}";
        let path = [
            Seg::Key("service"),
            Seg::Index(1),
            Seg::Key("requires"),
            Seg::Index(1),
        ];
        let located = [
            (toml, locate_toml(toml, &path)),
            (json, locate_json(json, &path)),
        ];
        for (text, span) in located {
            assert_eq!(&text[span.unwrap()], "\"zz\"", "in {text}");
        }
    }

    #[test]
    fn unknown_field_gets_a_suggestion() {
        let (kind, hint) =
            classify("unknown field `hosted`, expected one of `id`, `hosted_on`, `requires`");
        assert_eq!(kind, InputErrorKind::UnknownKey);
        assert_eq!(hint.as_deref(), Some("did you mean `hosted_on`?"));
    }
}
