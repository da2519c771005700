//! Typed errors with the file, line and column they point at.
//!
//! Every problem in a model or scenario file becomes an [`InputError`]: what is wrong, where
//! (file:line:column, with the source snippet for rendering), and a hint. The binary maps
//! [`Error`] to the exit codes of SPEC section 3.

use std::path::PathBuf;
use std::sync::Arc;

use std::ops::Range;

use miette::{Diagnostic, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use thiserror::Error;

/// The result type of the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in impactsim.
#[derive(Debug, Error, Diagnostic)]
#[non_exhaustive]
pub enum Error {
    /// A model or scenario file is wrong (exit code 2).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Input(Box<InputError>),
    /// A file could not be read or written (exit code 3).
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done ("reading", "writing").
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An output could not be made or put in place (see [`OutputError`] for the exit code).
    #[error(transparent)]
    Output(#[from] OutputError),
    /// A request that makes no sense (bad command-line value, exit code 2).
    #[error("{message}")]
    Usage {
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// The exit code of SPEC section 3 for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) | Error::Usage { .. } => 2,
            Error::Io { .. } => 3,
            Error::Output(e) => e.exit_code(),
        }
    }

    /// The message as the binary prints it on stderr: a headline and, for input errors, the
    /// source snippet with the location and the hint (in colour when `color`).
    pub fn render(&self, color: bool) -> String {
        let ie = match self {
            Error::Input(ie) => ie,
            other => return format!("error: {other}\n"),
        };
        let mut text = format!("error: {}\n", ie.headline());
        let theme = if color {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        let handler = miette::GraphicalReportHandler::new_themed(theme);
        let mut snippet = String::new();
        if handler.render_report(&mut snippet, ie.as_ref()).is_ok() {
            text.push_str(&snippet);
        } else if let Some(h) = &ie.hint {
            text.push_str(&format!("hint: {h}\n"));
        }
        text
    }

    /// Puts the caller's words for a remedy in place of the library's concept: the command
    /// line names its flags (`--max-events N`) where the library names `LoadOptions`.
    pub fn name_remedies(mut self, words: impl Fn(Remedy) -> &'static str) -> Self {
        match &mut self {
            Error::Input(ie) => {
                if let (Some(r), Some(h)) = (ie.remedy, &mut ie.hint) {
                    *h = h.replace(r.concept(), words(r));
                }
            }
            Error::Output(OutputError::ForeignFiles { remedy, .. }) => {
                *remedy = words(Remedy::Force);
            }
            _ => {}
        }
        self
    }

    /// Whether this is a write to a closed pipe (`impactsim … | head`): the binary ends
    /// quietly with exit code 0 then.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// Wraps an I/O error with the path it concerns.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// Why an output was not written. Outputs are written whole or not at all, so none of
/// these leaves a partial file behind.
#[derive(Debug, Error, Diagnostic)]
#[non_exhaustive]
pub enum OutputError {
    /// An output directory holds entries impactsim did not write (exit code 2): writing there
    /// could mix its files with the user's.
    #[error(
        "{} holds files impactsim did not write: {}; {remedy}, or choose a new directory",
        dir.display(), named(entries, *more)
    )]
    ForeignFiles {
        /// How to write there anyway: [`Remedy::Force`]'s concept, or the caller's words.
        remedy: &'static str,
        /// The directory.
        dir: PathBuf,
        /// The first few entries, by name.
        entries: Vec<String>,
        /// How many more there are.
        more: usize,
    },
    /// An output path names something that is not where a file can go (exit code 2): a
    /// directory given where a file is meant, a file where a directory is meant, a path
    /// without a file name, or the name of impactsim's own manifest.
    #[error("{message}")]
    Target {
        /// What is wrong and what to do.
        message: String,
    },
    /// A table, CSV or JSON text could not be encoded (exit code 3).
    #[error("writing {format}: {message}")]
    Encode {
        /// "CSV", "JSON".
        format: &'static str,
        /// The encoder's message.
        message: String,
    },
    /// A chart or report could not be drawn (exit code 3).
    #[error("drawing {what}: {message}")]
    Draw {
        /// The chart or file.
        what: String,
        /// What went wrong.
        message: String,
    },
    /// A chart is not safe to put into an HTML report (exit code 2 as before: a model's
    /// names carried something a report must not run).
    #[error("a chart of the report is not safe to inline ({why}); nothing written")]
    UnsafeChart {
        /// What was found.
        why: String,
    },
}

impl OutputError {
    /// The exit code of SPEC section 3 for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            OutputError::ForeignFiles { .. }
            | OutputError::Target { .. }
            | OutputError::UnsafeChart { .. } => 2,
            OutputError::Encode { .. } | OutputError::Draw { .. } => 3,
        }
    }

    /// A CSV encoding failure.
    pub fn csv(e: impl std::fmt::Display) -> Self {
        OutputError::Encode {
            format: "CSV",
            message: e.to_string(),
        }
    }

    /// A JSON encoding failure.
    pub fn json(e: impl std::fmt::Display) -> Self {
        OutputError::Encode {
            format: "JSON",
            message: e.to_string(),
        }
    }
}

/// `a, b, c` and `and N more`.
fn named(entries: &[String], more: usize) -> String {
    match more {
        0 => entries.join(", "),
        n => format!("{} and {n} more", entries.join(", ")),
    }
}

impl From<InputError> for Error {
    fn from(e: InputError) -> Self {
        Error::Input(Box::new(e))
    }
}

/// What kind of input problem an [`InputError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputErrorKind {
    /// The file is not valid TOML or JSON.
    Syntax,
    /// A key the format does not know (usually a typo).
    UnknownKey,
    /// A reference to an id that no site, service or client has.
    UnknownId,
    /// The same id twice.
    DuplicateId,
    /// A duration that cannot be read.
    Duration,
    /// A value of the wrong type or outside its allowed range.
    Value,
    /// A structural problem: a cycle through a fallback, an empty group, k > n, ...
    Structure,
    /// A required key is missing.
    Missing,
    /// The input asks for more than the limits allow (see [`crate::limits`]).
    Limit,
}

/// A limit the caller can lift, named in a hint. The library's hints name the concept
/// ([`Remedy::concept`]); a front end that has its own word for it (the command line's
/// flags) puts that in its place with [`Error::name_remedies`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Remedy {
    /// More node events: [`LoadOptions::max_events`](crate::LoadOptions::max_events).
    MaxEvents,
    /// No memory check: [`LoadOptions::memory_check`](crate::LoadOptions::memory_check).
    NoMemoryCheck,
    /// Writing into a directory that holds files impactsim did not write (`force`).
    Force,
}

impl Remedy {
    /// How the library's hints name it.
    pub fn concept(self) -> &'static str {
        match self {
            Remedy::MaxEvents => "raise the node-event limit (LoadOptions::max_events)",
            Remedy::NoMemoryCheck => {
                "turn the memory check off (LoadOptions::memory_check) to try anyway"
            }
            Remedy::Force => "force the write to go into it anyway",
        }
    }
}

/// A located problem in an input file.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
pub struct InputError {
    /// The kind of problem.
    pub kind: InputErrorKind,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it.
    #[help]
    pub hint: Option<String>,
    /// The limit the hint names, if any (its wording is [`Remedy::concept`]).
    pub remedy: Option<Remedy>,
    /// The file, line and column (1-based) the error points at.
    pub location: Option<Location>,
    #[source_code]
    src: Option<Snippet>,
    #[label("{}", self.label())]
    span: Option<SourceSpan>,
}

/// The text an error shows: the whole file, or around a span on a very long line (a
/// one-line JSON model of a million nodes) a window of that line, numbered as in the file.
#[derive(Debug)]
struct Snippet {
    name: String,
    text: Arc<String>,
    /// For a window of a long line: where it starts in the file, its 0-based line and
    /// column in characters.
    window: Option<(usize, usize)>,
}

/// Lines longer than this many bytes are shown as a window around the span.
const LONG_LINE: usize = 400;
/// How much of a long line the window shows on either side of the span, in bytes.
const WINDOW: usize = 120;

impl Snippet {
    /// The snippet for `span` of `text`, and the span within it.
    fn of(name: String, text: &Arc<String>, span: Range<usize>) -> (Snippet, Range<usize>) {
        let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[span.start..]
            .find('\n')
            .map_or(text.len(), |i| span.start + i);
        if line_end - line_start <= LONG_LINE {
            let whole = Snippet {
                name,
                text: Arc::clone(text),
                window: None,
            };
            return (whole, span);
        }
        let floor = |mut i: usize| {
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let from = floor(span.start.saturating_sub(WINDOW).max(line_start));
        let shown_end = span.end.min(span.start + WINDOW).min(line_end);
        let to = floor((shown_end + WINDOW).min(line_end));
        let (line, _) = line_column(text, from);
        let snippet = Snippet {
            name,
            text: Arc::new(text[from..to].to_string()),
            window: Some((line - 1, text[line_start..from].chars().count())),
        };
        (snippet, span.start - from..shown_end.max(span.start) - from)
    }
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let c = self.text.read_span(span, before, after)?;
        // A window is one line: its place in the file is its start plus the characters
        // before the contents.
        let (line, column) = match self.window {
            None => (c.line(), c.column()),
            Some((line, column)) => {
                let before = self.text.get(..c.span().offset()).unwrap_or_default();
                (line, column + before.chars().count())
            }
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            *c.span(),
            line,
            column,
            c.line_count(),
        )))
    }
}

/// Where an error points: file, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the user named it.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

impl InputError {
    /// A new error without a location yet.
    pub fn new(kind: InputErrorKind, message: impl Into<String>) -> Self {
        InputError {
            kind,
            message: message.into(),
            hint: None,
            remedy: None,
            location: None,
            src: None,
            span: None,
        }
    }

    /// Adds a hint that ends with `remedy`'s concept: `"{lead}, or {concept}"`.
    pub fn hint_remedy(mut self, lead: &str, remedy: Remedy) -> Self {
        self.hint = Some(format!("{lead}, or {}", remedy.concept()));
        self.remedy = Some(remedy);
        self
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Points the error at a byte span of a source text.
    pub fn at(
        mut self,
        file: &std::path::Path,
        text: &Arc<String>,
        span: std::ops::Range<usize>,
    ) -> Self {
        let start = span.start.min(text.len());
        let end = span.end.clamp(start, text.len());
        let (line, column) = line_column(text, start);
        self.location = Some(Location {
            file: file.to_path_buf(),
            line,
            column,
        });
        let (snippet, span) = Snippet::of(file.display().to_string(), text, start..end);
        self.src = Some(snippet);
        self.span = Some(SourceSpan::from(span));
        self
    }

    /// Points the error at a whole file (no line known).
    pub fn in_file(mut self, file: &std::path::Path) -> Self {
        self.location = Some(Location {
            file: file.to_path_buf(),
            line: 1,
            column: 1,
        });
        self
    }

    fn label(&self) -> String {
        match &self.location {
            Some(l) => format!("{l}"),
            None => String::new(),
        }
    }

    /// The message with its location in front: `file:line:column: message`.
    pub fn headline(&self) -> String {
        match &self.location {
            Some(l) => format!("{l}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters() {
        let text = "ab\nüx = 1\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        // 'x' follows a two-byte character: byte 5, column 2.
        assert_eq!(line_column(text, 5), (2, 2));
    }

    /// An error far along a very long line (a one-line JSON model) shows a window of that
    /// line, numbered as in the file, instead of the whole line (whose column overflowed the
    /// snippet's formatting).
    #[test]
    fn an_error_on_a_long_line_shows_a_window_of_it() {
        let pad = "\"x\",".repeat(40_000);
        let text: Arc<String> = format!("{{\n\"a\": [{pad}\"ü\", \"bad-id\"]}}\n").into();
        let start = text.find("\"bad-id\"").unwrap();
        let file = std::path::Path::new("m.json");
        let e: Error = InputError::new(InputErrorKind::UnknownId, "unknown id `bad-id`")
            .at(file, &text, start..start + 8)
            .into();
        let out = e.render(false);
        // `"a": [` (6 characters), the padding, `"ü", `: the id starts after them.
        let column = 6 + 160_000 + 5 + 1;
        assert!(
            out.starts_with(&format!("error: m.json:2:{column}: unknown id")),
            "{out}"
        );
        assert!(out.contains(&format!("[m.json:2:{column}]")), "{out}");
        assert!(out.contains("\"ü\", \"bad-id\"]}"), "{out}");
        assert!(out.lines().all(|l| l.len() < 600), "{out}");
    }

    /// A hint names the concept; a front end puts its own words in its place, and only
    /// there: the rest of the hint stays as it was.
    #[test]
    fn remedies_are_named_by_the_front_end() {
        let e: Error = InputError::new(InputErrorKind::Limit, "too many")
            .hint_remedy("select fewer nodes", Remedy::MaxEvents)
            .into();
        let Error::Input(ie) = &e else { unreachable!() };
        assert_eq!(
            ie.hint.as_deref(),
            Some("select fewer nodes, or raise the node-event limit (LoadOptions::max_events)")
        );
        let named = e.name_remedies(|r| match r {
            Remedy::MaxEvents => "pass --max-events N to allow more",
            other => other.concept(),
        });
        let Error::Input(ie) = &named else {
            unreachable!()
        };
        assert_eq!(
            ie.hint.as_deref(),
            Some("select fewer nodes, or pass --max-events N to allow more")
        );
        let foreign: Error = OutputError::ForeignFiles {
            remedy: Remedy::Force.concept(),
            dir: "out".into(),
            entries: vec!["a".into(), "b".into()],
            more: 3,
        }
        .into();
        assert_eq!(
            foreign.to_string(),
            "out holds files impactsim did not write: a, b and 3 more; force the write to go into it anyway, or choose a new directory"
        );
        let named = foreign.name_remedies(|_| "pass --force to write into it anyway");
        assert!(
            named
                .to_string()
                .contains("and 3 more; pass --force to write into it anyway, or")
        );
    }
}
