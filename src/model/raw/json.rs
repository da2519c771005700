//! A JSON model parsed on every core.
//!
//! One quick pass over the text finds the top-level keys and the span of every entry of
//! the `site`, `service`, `client` and `function` arrays; the entries are then deserialized
//! on every core, each from its own span. The pass checks only what lies between the
//! entries (keys, colons, commas, brackets); each entry's text must deserialize as a whole.
//! So a file is taken this way only if it is valid JSON of the model's shape, and the result
//! is the same as from parsing the file whole. On anything else — a syntax error, a wrong
//! type, an unknown or repeated key, an escaped key — [`model`] gives up and the caller
//! parses the file whole, for the deserializer's own located error.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::de::DeserializeOwned;

use super::{RawFunction, RawModelFile, RawModelHeader};

/// The model in `text`, or `None` when the text is not a plain, valid JSON model (then
/// parse it whole to learn why).
pub(super) fn model(text: &str) -> Option<RawModelFile> {
    let top = top_level(text)?;
    let mut header: Option<RawModelHeader> = None;
    let mut file = RawModelFile {
        model: RawModelHeader {
            name: String::new(),
            population_label: None,
            description: None,
            combine: None,
        },
        site: Vec::new(),
        service: Vec::new(),
        client: Vec::new(),
        function: Vec::new(),
    };
    let mut seen = [false; 5];
    for (key, span) in top {
        let slot = match key {
            "model" => 0,
            "site" => 1,
            "service" => 2,
            "client" => 3,
            "function" => 4,
            _ => return None,
        };
        if std::mem::replace(&mut seen[slot], true) {
            return None;
        }
        match (slot, span) {
            (0, Span::Value(r)) => header = Some(serde_json::from_str(&text[r]).ok()?),
            (1, Span::Array(items)) => file.site = entries(text, &items)?,
            (2, Span::Array(items)) => file.service = entries(text, &items)?,
            (3, Span::Array(items)) => file.client = entries(text, &items)?,
            (4, Span::Array(items)) => {
                file.function = items
                    .into_iter()
                    .map(|r| serde_json::from_str::<RawFunction>(&text[r]).ok())
                    .collect::<Option<_>>()?
            }
            _ => return None,
        }
    }
    file.model = header?;
    Some(file)
}

/// Deserializes every entry on every core, in order; `None` if any entry fails.
fn entries<T: DeserializeOwned + Default + Send>(
    text: &str,
    items: &[Range<usize>],
) -> Option<Vec<T>> {
    let failed = AtomicBool::new(false);
    let mut out = Vec::with_capacity(items.len());
    items
        .par_iter()
        .map(|r| {
            serde_json::from_str(&text[r.clone()]).unwrap_or_else(|_| {
                failed.store(true, Ordering::Relaxed);
                T::default()
            })
        })
        .collect_into_vec(&mut out);
    (!failed.into_inner()).then_some(out)
}

/// The value of a top-level key: the spans of an array's items, or the span of any other
/// value.
#[derive(Debug, PartialEq)]
enum Span {
    Array(Vec<Range<usize>>),
    Value(Range<usize>),
}

/// The top-level keys in order with their values' spans; `None` unless the text is one
/// object whose keys are plain (unescaped) strings and whose punctuation is valid. The
/// values themselves are only delimited, not checked: their deserialization checks them.
fn top_level(text: &str) -> Option<Vec<(&str, Span)>> {
    let mut s = Scan {
        b: text.as_bytes(),
        i: 0,
    };
    let mut keys = Vec::new();
    s.ws();
    s.eat(b'{')?;
    s.ws();
    if s.eat(b'}').is_none() {
        loop {
            s.ws();
            let key = s.key(text)?;
            s.ws();
            s.eat(b':')?;
            s.ws();
            let span = match (key, s.peek()?) {
                ("site" | "service" | "client" | "function", b'[') => Span::Array(s.array()?),
                _ => Span::Value(s.value()?),
            };
            keys.push((key, span));
            s.ws();
            match s.next()? {
                b',' => continue,
                b'}' => break,
                _ => return None,
            }
        }
    }
    s.ws();
    (s.i == s.b.len()).then_some(keys)
}

/// A cursor over the bytes of a JSON text.
struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    /// Past a string starting at the cursor. Ids and durations are short: a plain loop
    /// beats a vectorized search here.
    fn string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            match *self.b.get(self.i)? {
                b'"' => {
                    self.i += 1;
                    return Some(());
                }
                b'\\' => self.i += 2,
                _ => self.i += 1,
            }
        }
    }

    /// An object key without escapes, the cursor past it.
    fn key<'t>(&mut self, text: &'t str) -> Option<&'t str> {
        let start = self.i + 1;
        self.string()?;
        let key = text.get(start..self.i - 1)?;
        (!key.contains('\\')).then_some(key)
    }

    /// The span of the value at the cursor, the cursor past it. Brackets and braces are
    /// counted alike: a mismatch shows when the span is deserialized.
    fn value(&mut self) -> Option<Range<usize>> {
        let start = self.i;
        match self.peek()? {
            b'"' => self.string()?,
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => {
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    self.i += 1;
                }
                if self.i == start {
                    return None;
                }
            }
        }
        Some(start..self.i)
    }

    /// The spans of the items of the array at the cursor, the cursor past it.
    fn array(&mut self) -> Option<Vec<Range<usize>>> {
        self.eat(b'[')?;
        let mut items = Vec::new();
        self.ws();
        if self.eat(b']').is_some() {
            return Some(items);
        }
        loop {
            self.ws();
            items.push(self.value()?);
            self.ws();
            match self.next()? {
                b',' => continue,
                b']' => return Some(items),
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Option<Vec<(&str, Vec<&str>)>> {
        let top = top_level(text)?;
        Some(
            top.into_iter()
                .map(|(k, s)| match s {
                    Span::Array(items) => (k, items.into_iter().map(|r| &text[r]).collect()),
                    Span::Value(r) => (k, vec![&text[r]]),
                })
                .collect(),
        )
    }

    #[test]
    fn finds_keys_and_items() {
        let text = r#" { "model" : {"name": "m"} ,
            "site": [ {"id": "a"}, {"id": "b\"}{"} ],
            "service": [], "x": [1, 2], "client": [ 1 ,"s" , [ {} ] ] } "#;
        assert_eq!(
            spans(text).unwrap(),
            vec![
                ("model", vec![r#"{"name": "m"}"#]),
                ("site", vec![r#"{"id": "a"}"#, r#"{"id": "b\"}{"}"#]),
                ("service", vec![]),
                ("x", vec!["[1, 2]"]),
                ("client", vec!["1", r#""s""#, "[ {} ]"]),
            ]
        );
        assert_eq!(spans("{}").unwrap(), vec![]);
    }

    #[test]
    fn refuses_bad_punctuation_and_escaped_keys() {
        for bad in [
            "",
            "[]",
            r#"{"model": {}} x"#,
            r#"{"model": {},}"#,
            r#"{"model" {}}"#,
            r#"{"site": [{} {}]}"#,
            r#"{"site": [{},]}"#,
            r#"{"site": [{}"#,
            r#"{"site": [{"id": "a}]}"#,
            r#"{"mod\u0065l": {}}"#,
            r#"{"model": }"#,
        ] {
            assert_eq!(spans(bad), None, "{bad}");
        }
    }

    #[test]
    fn gives_up_on_what_the_whole_parse_must_explain() {
        let ok =
            r#"{"model": {"name": "m"}, "service": [{"id": "a", "requires": "b"}, {"id": "b"}]}"#;
        let file = model(ok).unwrap();
        assert_eq!(file.model.name, "m");
        assert_eq!(file.service.len(), 2);
        assert_eq!(file.service[1].id, "b");
        for bad in [
            r#"{"service": []}"#,
            r#"{"model": {"name": "m"}, "model": {"name": "n"}}"#,
            r#"{"model": {"name": "m"}, "sites": []}"#,
            r#"{"model": {"name": "m"}, "site": null}"#,
            r#"{"model": {"name": "m"}, "service": [{"id": "a", "requires": [}]]}"#,
            r#"{"model": {"name": "m"}, "service": [{"id": "a", "colour": "red"}]}"#,
            r#"{"model": {"name": "m"}, "client": [{"id": "c", "population": -1}]}"#,
        ] {
            assert!(model(bad).is_none(), "{bad}");
            assert!(serde_json::from_str::<RawModelFile>(bad).is_err(), "{bad}");
        }
    }

    /// Both ways give the same file, or both fail: `text` parsed whole and entry by entry.
    fn same_both_ways(text: &str, what: &str) {
        let whole = serde_json::from_str::<RawModelFile>(text);
        match (whole, model(text)) {
            (Ok(w), Some(m)) => assert_eq!(format!("{w:?}"), format!("{m:?}"), "{what}"),
            (Err(_), None) => {}
            (w, m) => panic!(
                "{what}: whole {:?}, by entries {:?}",
                w.is_ok(),
                m.is_some()
            ),
        }
    }

    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                files(&p, out);
            } else if p
                .file_name()
                .is_some_and(|n| n == "model.toml" || n == "model.json")
            {
                out.push(p);
            }
        }
    }

    /// Every model the repository ships or tests with, good and bad, as JSON (TOML ones
    /// converted, compact and indented), parses the same both ways.
    #[test]
    fn every_repository_model_parses_the_same_both_ways() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = Vec::new();
        for dir in ["models", "examples", "tests"] {
            files(&root.join(dir), &mut paths);
        }
        assert!(paths.len() > 50, "{} models found", paths.len());
        let mut compared = 0;
        for p in &paths {
            let Ok(text) = std::fs::read_to_string(p) else {
                continue;
            };
            let what = p.display().to_string();
            if p.extension().is_some_and(|e| e == "json") {
                same_both_ways(&text, &what);
                compared += 1;
            } else if let Ok(value) = toml::from_str::<serde_json::Value>(&text) {
                same_both_ways(&serde_json::to_string(&value).unwrap(), &what);
                same_both_ways(&serde_json::to_string_pretty(&value).unwrap(), &what);
                compared += 1;
            }
        }
        assert!(compared > 50, "{compared} models compared");
    }

    /// Generated models of either shape parse the same both ways, and entry by entry.
    #[test]
    fn generated_models_parse_the_same_both_ways() {
        use crate::generate::{Config, Format, generate};
        for (seed, clients) in [(1, 20), (2, 300)] {
            let cfg = Config {
                seed,
                services: 400,
                clients,
                uses: (3, 9),
                ..Config::default()
            };
            let text = generate(&cfg).unwrap().model_text(Format::Json);
            same_both_ways(&text, "generated");
            assert_eq!(model(&text).unwrap().service.len(), 400);
        }
    }
}
