//! Input files: reading, deserializing with located errors, and finding a key path in the text.
//!
//! Files are deserialized straight into plain serde structs (fast for million-node JSON
//! models). Errors the deserializer finds carry their own position. Errors found later, when
//! ids are resolved, carry a [`Path`] (`service[3].requires[1]`) that is looked up in the text
//! only when an error is reported, so the happy path pays nothing for locations.

use std::ops::Range;
use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde::Deserialize;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess,
    Visitor,
};
use serde_json::value::RawValue;

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
///
/// Its text is kept for error messages. A large file's text is let go once it is parsed
/// ([`Source::release`]): a model of a million nodes would otherwise hold its whole text
/// through the build and the run. An error found later reads the file again, if it is
/// still the file that was read (same length and modification time); otherwise the error
/// names the file without a place.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as the user gave it.
    pub path: PathBuf,
    /// The whole text, unless it was let go (shared by the clones).
    text: Arc<Mutex<Option<Arc<String>>>>,
    /// The file's length and modification time when it was read; `None` for a text that
    /// did not come from a file (it is never let go).
    stamp: Option<(u64, SystemTime)>,
    /// TOML or JSON.
    pub format: Format,
}

/// Texts of at least this many bytes are let go once parsed (see [`Source`]).
pub const RELEASE_AT: usize = 16 << 20;

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
        let mut source = Source::from_bytes(path, bytes)?;
        source.stamp = stamp(path);
        Ok(source)
    }

    /// A source from the bytes of a file named `path`: an error unless they are UTF-8.
    pub fn from_bytes(path: &FsPath, bytes: Vec<u8>) -> Result<Source, InputError> {
        let text = String::from_utf8(bytes).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let text = Arc::new(lossy);
            InputError::new(InputErrorKind::Syntax, "the file is not valid UTF-8 text")
                .hint("save the file as UTF-8")
                .at(path, &text, offset..offset + 1)
        })?;
        Ok(Source::from_text(path, text))
    }

    /// A source from text already in memory (tests, generated models). The text is kept
    /// as it is, not copied: a file's text may be hundreds of megabytes.
    pub fn from_text(path: impl Into<PathBuf>, text: impl Into<String>) -> Source {
        let path = path.into();
        Source {
            format: Format::of(&path),
            path,
            text: Arc::new(Mutex::new(Some(Arc::new(text.into())))),
            stamp: None,
        }
    }

    /// The text: kept, or read again from the file if it was let go and the file is
    /// unchanged since; `None` when it cannot be had.
    pub fn text(&self) -> Option<Arc<String>> {
        let mut kept = self.text.lock().unwrap_or_else(|e| e.into_inner());
        if kept.is_none()
            && let Some(read) = self.stamp.filter(|&s| stamp(&self.path) == Some(s))
            && let Ok(text) = std::fs::read_to_string(&self.path)
            && text.len() as u64 == read.0
        {
            *kept = Some(Arc::new(text));
        }
        kept.clone()
    }

    /// Lets go of the text of a large file once it is parsed (see [`Source`]); a small
    /// one, or one not read from a file, is kept.
    pub fn release(&self) {
        let mut kept = self.text.lock().unwrap_or_else(|e| e.into_inner());
        if self.stamp.is_some() && kept.as_ref().is_some_and(|t| t.len() >= RELEASE_AT) {
            *kept = None;
        }
    }

    /// Deserializes the whole file, turning syntax and type errors into located errors.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, InputError> {
        let Some(text) = self.text() else {
            return Err(changed(&self.path));
        };
        match self.format {
            Format::Toml => toml::from_str(&text).map_err(|e| {
                let span = e.span().unwrap_or(0..0);
                self.serde_error(&text, e.message(), span)
            }),
            Format::Json => serde_json::from_str(&text).map_err(|e| {
                let full = e.to_string();
                let message = match full.rfind(" at line ") {
                    Some(i) => &full[..i],
                    None => &full,
                };
                let offset = offset_of(&text, e.line(), e.column());
                self.serde_error(&text, message, offset..offset + 1)
            }),
        }
    }

    fn serde_error(&self, source: &Arc<String>, message: &str, span: Range<usize>) -> InputError {
        let (kind, mut hint) = classify(message);
        let mut text = message.trim().to_string();
        // TOML names no key in its duplicate-key message; the span points at it.
        if text == "duplicate key"
            && let Some(key) = source.get(span.clone()).map(str::trim)
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
        err.at(&self.path, source, span)
    }

    /// An error pointing at a key path of this file (or at the file when the path is not found).
    pub fn error_at(&self, path: &[Seg], err: InputError) -> InputError {
        let Some(text) = self.text() else {
            return err.in_file(&self.path);
        };
        match locate(&text, self.format, path) {
            Some(span) => err.at(&self.path, &text, span),
            None => err.in_file(&self.path),
        }
    }

    /// The byte span of the value at `path`, if the text has it.
    pub fn locate(&self, path: &[Seg]) -> Option<Range<usize>> {
        locate(&self.text()?, self.format, path)
    }
}

/// The byte span of the value at `path` in `text`.
fn locate(text: &str, format: Format, path: &[Seg]) -> Option<Range<usize>> {
    match format {
        Format::Toml => locate_toml(text, path),
        Format::Json => locate_json(text, path),
    }
}

/// A file's length and modification time, if they can be read.
fn stamp(path: &FsPath) -> Option<(u64, SystemTime)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// The error for a file whose text was let go and that changed since it was read.
fn changed(path: &FsPath) -> InputError {
    InputError::new(
        InputErrorKind::Syntax,
        "the file changed or went away after it was read",
    )
    .hint("run again on the file as it is now")
    .in_file(path)
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

/// The span of the value at `path` in a JSON text, found in one pass of serde_json that
/// keeps nothing of what it skips (a whole-file syntax tree of a million-node model took
/// gigabytes): the value found is taken as raw text, whose place in `text` is the span.
fn locate_json(text: &str, path: &[Seg]) -> Option<Range<usize>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let raw = Walk(path).deserialize(&mut de).ok()??;
    let start = raw.get().as_ptr() as usize - text.as_ptr() as usize;
    Some(start..start + raw.get().len())
}

/// Follows a key path through JSON values, skipping the rest: the raw text of the value at
/// the end of the path, if it is there (the first one, where a key is repeated).
struct Walk<'p>(&'p [Seg]);

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = Option<&'de RawValue>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        match self.0 {
            [] => <&RawValue>::deserialize(d).map(Some),
            _ => d.deserialize_any(self),
        }
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = Option<&'de RawValue>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match (self.0, found.is_none()) {
                ([Seg::Key(k), rest @ ..], true) if key == *k => {
                    found = map.next_value_seed(Walk(rest))?;
                }
                _ => {
                    let IgnoredAny = map.next_value()?;
                }
            }
        }
        Ok(found)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        let mut at = 0;
        loop {
            let more = match self.0 {
                [Seg::Index(i), rest @ ..] if *i == at => {
                    seq.next_element_seed(Walk(rest))?.map(|f| found = f)
                }
                _ => seq.next_element::<IgnoredAny>()?.map(|IgnoredAny| ()),
            };
            if more.is_none() {
                return Ok(found);
            }
            at += 1;
        }
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
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

    /// A large file's text is let go once parsed; an error found later reads the file again
    /// and is located, unless the file changed in between.
    #[test]
    fn a_released_text_is_read_again_for_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        let pad = " ".repeat(RELEASE_AT);
        std::fs::write(&path, format!("{{{pad}\"service\": [{{\"id\": \"a\"}}]}}")).unwrap();
        let source = Source::read(&path).unwrap();
        source.release();
        assert!(
            source.text.lock().unwrap().is_none(),
            "a large text is let go"
        );
        let path_a = [Seg::Key("service"), Seg::Index(0), Seg::Key("id")];
        let located = source.error_at(&path_a, InputError::new(InputErrorKind::Value, "x"));
        let at = located.location.expect("located from the text read again");
        assert_eq!((at.line, at.column), (1, RELEASE_AT + 21));
        // Changed (longer) since it was read: named without a place.
        std::fs::write(&path, format!("{{{pad} \"service\": [{{\"id\": \"a\"}}]}}")).unwrap();
        let source = Source::read(&path).unwrap();
        source.release();
        std::fs::write(&path, "{}").unwrap();
        let e = source.error_at(&path_a, InputError::new(InputErrorKind::Value, "x"));
        let at = e.location.expect("the file is named");
        assert_eq!(
            (at.line, at.column),
            (1, 1),
            "at the file, not at a place in it"
        );
        // A small text is kept.
        let small = Source::from_text("s.json", "{}");
        small.release();
        assert!(small.text().is_some());
    }

    /// The JSON walk takes the first of a repeated key, reads escaped keys, and finds
    /// nothing past the end of an array or inside a scalar.
    #[test]
    fn locates_json_edge_cases() {
        let json = r#"{"a": 1, "s": [{"i\u0064": "x"}, {"id": "y", "n": [true, null]}], "s": []}"#;
        let at = |path: &[Seg]| locate_json(json, path).map(|r| &json[r]);
        let (s, id) = (Seg::Key("s"), Seg::Key("id"));
        assert_eq!(at(&[s, Seg::Index(0), id]), Some("\"x\""));
        assert_eq!(at(&[s, Seg::Index(1), id]), Some("\"y\""));
        assert_eq!(
            at(&[s, Seg::Index(1), Seg::Key("n"), Seg::Index(1)]),
            Some("null")
        );
        assert_eq!(at(&[s, Seg::Index(2)]), None);
        assert_eq!(at(&[Seg::Key("a"), Seg::Index(0)]), None);
        assert_eq!(at(&[Seg::Key("zz")]), None);
        assert_eq!(locate_json("{not json", &[Seg::Key("a")]), None);
    }

    #[test]
    fn unknown_field_gets_a_suggestion() {
        let (kind, hint) =
            classify("unknown field `hosted`, expected one of `id`, `hosted_on`, `requires`");
        assert_eq!(kind, InputErrorKind::UnknownKey);
        assert_eq!(hint.as_deref(), Some("did you mean `hosted_on`?"));
    }
}
