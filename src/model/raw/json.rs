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
    let (mut header, mut site, mut service, mut client, mut function) =
        (None, None, None, None, None);
    // An unknown or repeated key is for the whole parse to report.
    for (key, span) in top_level(text)? {
        match (key, span) {
            ("model", Span::Value(r)) if header.is_none() => {
                header = Some(serde_json::from_str::<RawModelHeader>(&text[r]).ok()?)
            }
            ("site", Span::Array(items)) if site.is_none() => site = Some(entries(text, &items)?),
            ("service", Span::Array(items)) if service.is_none() => {
                service = Some(entries(text, &items)?)
            }
            ("client", Span::Array(items)) if client.is_none() => {
                client = Some(entries(text, &items)?)
            }
            ("function", Span::Array(items)) if function.is_none() => {
                let parsed = items
                    .into_iter()
                    .map(|r| serde_json::from_str(&text[r]).ok());
                function = Some(parsed.collect::<Option<Vec<RawFunction>>>()?)
            }
            _ => return None,
        }
    }
    Some(RawModelFile {
        model: header?,
        site: site.unwrap_or_default(),
        service: service.unwrap_or_default(),
        client: client.unwrap_or_default(),
        function: function.unwrap_or_default(),
    })
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
///
/// A large text is delimited on two cores: one pass from the start, and one from an entry
/// found near the middle ([`entry_near`]). That entry is only a guess until the first pass
/// arrives there at the start of an entry; if it never does, the first pass goes on to the
/// end alone.
fn top_level(text: &str) -> Option<Vec<(&str, Span)>> {
    let guess = match text.len() >= SPLIT_AT {
        true => entry_near(text.as_bytes(), text.len() / 2),
        false => None,
    };
    top_level_from(text, guess)
}

/// Texts of at least this many bytes are delimited on two cores.
const SPLIT_AT: usize = 1 << 22;

/// [`top_level`], the second pass starting at `guess`.
fn top_level_from(text: &str, guess: Option<usize>) -> Option<Vec<(&str, Span)>> {
    let Some(guess) = guess else {
        return Scan::new(text, 0)
            .object(text, usize::MAX)
            .map(|(keys, _)| keys);
    };
    let (head, tail) = rayon::join(
        || Scan::new(text, 0).object(text, guess),
        || Scan::new(text, guess).rest_from_item(text),
    );
    let (mut keys, flow) = head?;
    if flow == Flow::Done {
        return Some(keys);
    }
    let (rest, later) = tail?;
    match keys.last_mut() {
        Some((_, Span::Array(items))) => items.extend(rest),
        _ => return None,
    }
    keys.extend(later);
    Some(keys)
}

/// The start of an entry near `from`, by its look: a `{` opening `"id"`, after `},` (space
/// aside). Searched for in the next megabyte.
fn entry_near(b: &[u8], from: usize) -> Option<usize> {
    // The index of the last byte before `i` that is not white space.
    let before = |mut i: usize| {
        while i > 0 && matches!(b[i - 1], b' ' | b'\t' | b'\n' | b'\r') {
            i -= 1;
        }
        i.checked_sub(1)
    };
    let window = b.get(from..(from + (1 << 20)).min(b.len()))?;
    memchr::memmem::find_iter(window, b"\"id\"").find_map(|q| {
        let brace = before(from + q).filter(|&i| b[i] == b'{')?;
        let comma = before(brace).filter(|&i| b[i] == b',')?;
        before(comma).filter(|&i| b[i] == b'}')?;
        Some(brace)
    })
}

/// Where a pass over the top level ended.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Flow {
    /// At the end of the text.
    Done,
    /// At the start of an entry, where the pass was told to stop.
    Stopped,
}

/// A cursor over the bytes of a JSON text.
struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scan<'_> {
    fn new(text: &str, i: usize) -> Scan<'_> {
        Scan {
            b: text.as_bytes(),
            i,
        }
    }

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

    /// The spans of the items of an array, the cursor just inside it (or at an item), added
    /// to `items`; the cursor past the array, or at `stop` when an item starts there.
    fn items(&mut self, items: &mut Vec<Range<usize>>, stop: usize) -> Option<Flow> {
        self.ws();
        if self.eat(b']').is_some() {
            return Some(Flow::Done);
        }
        loop {
            self.ws();
            if self.i == stop {
                return Some(Flow::Stopped);
            }
            items.push(self.value()?);
            self.ws();
            match self.next()? {
                b',' => continue,
                b']' => return Some(Flow::Done),
                _ => return None,
            }
        }
    }

    /// One `"key": value` of the top-level object, the cursor at the key; the array of an
    /// entry kind is delimited item by item, up to `stop`.
    fn member<'t>(&mut self, text: &'t str, stop: usize) -> Option<((&'t str, Span), Flow)> {
        self.ws();
        let key = self.key(text)?;
        self.ws();
        self.eat(b':')?;
        self.ws();
        Some(match (key, self.peek()?) {
            ("site" | "service" | "client" | "function", b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                let flow = self.items(&mut items, stop)?;
                ((key, Span::Array(items)), flow)
            }
            _ => ((key, Span::Value(self.value()?)), Flow::Done),
        })
    }

    /// The members after the one the cursor is past, then the end of the text.
    fn members<'t>(
        &mut self,
        text: &'t str,
        keys: &mut Vec<(&'t str, Span)>,
        stop: usize,
    ) -> Option<Flow> {
        loop {
            self.ws();
            match self.next()? {
                b',' => {
                    let (member, flow) = self.member(text, stop)?;
                    keys.push(member);
                    if flow == Flow::Stopped {
                        return Some(flow);
                    }
                }
                b'}' => break,
                _ => return None,
            }
        }
        self.ws();
        (self.i == self.b.len()).then_some(Flow::Done)
    }

    /// The whole top-level object from the cursor at the text's start, unless it stops at
    /// `stop`; then the last key is that of the array being delimited, with the items
    /// before `stop`.
    fn object<'t>(&mut self, text: &'t str, stop: usize) -> Option<(Vec<(&'t str, Span)>, Flow)> {
        let mut keys = Vec::new();
        self.ws();
        self.eat(b'{')?;
        self.ws();
        if self.eat(b'}').is_some() {
            self.ws();
            return (self.i == self.b.len()).then_some((keys, Flow::Done));
        }
        let (member, flow) = self.member(text, stop)?;
        keys.push(member);
        let flow = match flow {
            Flow::Stopped => flow,
            Flow::Done => self.members(text, &mut keys, stop)?,
        };
        Some((keys, flow))
    }

    /// From the cursor at an item of an entry array to the end of the text: the items from
    /// there on, and the top-level keys after the array.
    #[allow(clippy::type_complexity)]
    fn rest_from_item<'t>(
        &mut self,
        text: &'t str,
    ) -> Option<(Vec<Range<usize>>, Vec<(&'t str, Span)>)> {
        let mut items = Vec::new();
        self.items(&mut items, usize::MAX)?;
        let mut keys = Vec::new();
        self.members(text, &mut keys, usize::MAX)?;
        Some((items, keys))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Option<Vec<(&str, Vec<&str>)>> {
        let top = top_level_from(text, None)?;
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
            // A large file's second pass starts mid-file: the same spans.
            let guess = entry_near(text.as_bytes(), text.len() / 2);
            assert!(guess.is_some());
            assert_eq!(top_level_from(&text, guess), top_level_from(&text, None));
        }
    }

    /// The second pass may start anywhere: where the first pass does not confirm it, the
    /// first pass does it all; the spans are the same either way.
    #[test]
    fn a_second_pass_from_anywhere_gives_the_same_spans() {
        let pretty = r#"{
  "model": {"name": "m", "description": "},{\"id\": ]"},
  "site": [ {"id": "a"} , {"id": "b"} ],
  "x": [{"id": "y"}, {"id": "z"}],
  "service": [
    {"id": "s1", "requires": [{"any_of": ["a", "b"]}]},
    {"id": "s2", "name": "},{\"id\":"},
    {"id": "s3"}
  ],
  "client": [{"id": "c", "function": [{"id": "f"}, {"id": "g"}]}, {"id": "d"}]
}
"#;
        let compact =
            r#"{"site":[{"id":"a"},{"id":"b"}],"service":[{"id":"s"},{"id":"t"}],"model":{}}"#;
        let broken = r#"{"site":[{"id":"a"},{"id":"b"}],"service":[{"id":"s"},{"id":"t"}}"#;
        for text in [pretty, compact, broken] {
            let alone = top_level_from(text, None);
            assert_eq!(alone.is_some(), text != broken);
            let mut confirmed = 0;
            for g in 0..text.len() {
                assert_eq!(top_level_from(text, Some(g)), alone, "second pass from {g}");
                confirmed += usize::from(
                    Scan::new(text, 0)
                        .object(text, g)
                        .is_some_and(|(_, f)| f == Flow::Stopped),
                );
            }
            // Every entry of an entry array can be a meeting point: 7, 4 and 4 of them.
            let entries = [7, 4, 4][[pretty, compact, broken]
                .iter()
                .position(|t| *t == text)
                .unwrap()];
            assert_eq!(confirmed, entries, "{text}");
        }
    }

    #[test]
    fn entries_are_found_by_their_look() {
        let b = br#"{"a": [{"id": 1},{"id": 2}, {"x": {"id": 3}}, { "id": 4} ,
 {"id": 5}]}"#;
        let at = |from| entry_near(b, from).map(|i| &b[i..i + 3]);
        assert_eq!(at(0), Some(&b"{\"i"[..]));
        // Not the first entry (after `[`), nor one that starts with another key, nor an
        // object inside an entry; space around the comma is allowed.
        assert_eq!(entry_near(b, 0), Some(17));
        assert_eq!(entry_near(b, 19), Some(46));
        assert_eq!(entry_near(b, 49), Some(60));
        assert_eq!(entry_near(b, 62), None);
    }
}
