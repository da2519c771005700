//! The report's charts: SVG from [`crate::chart`], checked before it is inlined.
//!
//! The check is a second line of defence behind the escaping the chart functions do
//! themselves (and behind the page's CSP): markup that could run script or load anything
//! (`<script>`, `<foreignObject>`, images, frames, animations that can rewrite links,
//! event-handler attributes, links that leave the page) makes the report fail instead of
//! being written.

use crate::chart;
use crate::compare::{Input, PatchUse};
use crate::error::{Error, OutputError};
use crate::metrics::RunResult;
use crate::montecarlo::McResult;

/// SVG markup that passed [`Svg::check`].
pub(crate) struct Svg(String);

impl Svg {
    /// The markup, to be inlined as is.
    pub(crate) fn markup(&self) -> &str {
        &self.0
    }

    /// Accepts `svg` when it is one `<svg>` element without anything active in it; an XML
    /// declaration or doctype in front is dropped (HTML would show them as text).
    pub(crate) fn check(svg: String) -> Result<Svg, Error> {
        let mut body = svg.trim_start();
        for prefix in ["<?xml", "<!DOCTYPE", "<!doctype"] {
            if body.starts_with(prefix)
                && let Some(end) = body.find('>')
            {
                body = body[end + 1..].trim_start();
            }
        }
        if !body.starts_with("<svg") {
            return Err(unsafe_svg("it does not start with <svg"));
        }
        check_tags(body)?;
        Ok(Svg(body.trim_end().to_string()))
    }
}

fn unsafe_svg(why: &str) -> Error {
    OutputError::UnsafeChart {
        why: why.to_string(),
    }
    .into()
}

/// Elements that can run script, load content or rewrite attributes over time.
const FORBIDDEN: [&str; 14] = [
    "script",
    "foreignobject",
    "iframe",
    "object",
    "embed",
    "img",
    "image",
    "audio",
    "video",
    "animate",
    "set",
    "animatemotion",
    "animatetransform",
    "handler",
];

/// Walks the tags of `svg` (in escaped markup every `<` opens a tag or comment) and rejects
/// forbidden elements, `on*` attributes, links that do not stay on the page, CDATA sections
/// and processing instructions.
fn check_tags(svg: &str) -> Result<(), Error> {
    let b = svg.as_bytes();
    let mut i = 0;
    while let Some(off) = svg[i..].find('<') {
        i += off + 1;
        let rest = &svg[i..];
        if rest.starts_with("!--") {
            i += rest
                .find("-->")
                .ok_or_else(|| unsafe_svg("an open comment"))?
                + 3;
            continue;
        }
        if rest.starts_with('!') || rest.starts_with('?') {
            return Err(unsafe_svg(
                "a CDATA section, doctype or processing instruction",
            ));
        }
        let closing = rest.starts_with('/');
        let start = i + usize::from(closing);
        let mut j = start;
        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' && b[j] != b'/' {
            j += 1;
        }
        let name = svg[start..j].to_ascii_lowercase();
        if FORBIDDEN.contains(&name.as_str()) {
            return Err(unsafe_svg(&format!("a <{name}> element")));
        }
        // Attributes: name, optionally = and a quoted or bare value, up to '>'.
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() {
                return Err(unsafe_svg("an unterminated tag"));
            }
            if b[j] == b'>' {
                i = j + 1;
                break;
            }
            let a = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>' | b'/')
            {
                j += 1;
            }
            let attr = svg[a..j].to_ascii_lowercase();
            let mut value = "";
            if j < b.len() && b[j] == b'=' {
                j += 1;
                let (v0, v1) = match b.get(j) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let end = svg[j + 1..]
                            .find(q as char)
                            .ok_or_else(|| unsafe_svg("an unterminated attribute"))?;
                        (j + 1, j + 1 + end)
                    }
                    _ => {
                        let mut e = j;
                        while e < b.len() && !b[e].is_ascii_whitespace() && b[e] != b'>' {
                            e += 1;
                        }
                        (j, e)
                    }
                };
                value = &svg[v0..v1];
                j = if v1 < b.len() && matches!(b[v1], b'"' | b'\'') {
                    v1 + 1
                } else {
                    v1
                };
            }
            if attr.starts_with("on") {
                return Err(unsafe_svg(&format!("an {attr} attribute")));
            }
            let link = matches!(attr.as_str(), "href" | "xlink:href" | "src" | "action");
            if link && !value.trim_start().starts_with('#') {
                return Err(unsafe_svg(&format!("a link {attr} that leaves the page")));
            }
        }
    }
    Ok(())
}

/// A chart of a run (its timeline, its Gantt chart), checked for the page.
pub(super) fn run_chart(chart: &chart::Chart) -> Result<Svg, Error> {
    Svg::check(chart.svg()?)
}

/// Percentile bands of people affected over a Monte Carlo study.
pub(super) fn bands(r: &McResult) -> Result<Svg, Error> {
    Svg::check(chart::bands_svg(r)?)
}

/// People affected over time in each compared scenario, labelled "A: name" as the tables
/// label them; `results` are the runs of `inputs`, in order.
pub(super) fn compare(inputs: &[Input], results: &[RunResult]) -> Result<Svg, Error> {
    let curves: Vec<(String, Vec<(f64, f64)>)> = inputs
        .iter()
        .zip(results)
        .enumerate()
        .map(|(i, (input, r))| {
            let title = match input.patch {
                PatchUse::Removed => format!("{} (without its patch)", r.scenario),
                _ => r.scenario.clone(),
            };
            (format!("{}: {title}", label(i)), chart::curve(r))
        })
        .collect();
    let population = results
        .first()
        .map_or("people", |r| r.population_label.as_str());
    let start = crate::compare::common_start(inputs);
    Svg::check(chart::compare_svg(&curves, population, start)?)
}

pub(super) use crate::compare::label;

#[cfg(test)]
mod tests {
    use super::*;

    fn rejects(svg: &str, why: &str) {
        match Svg::check(svg.to_string()) {
            Ok(_) => panic!("accepted {svg}"),
            Err(e) => assert!(e.to_string().contains(why), "{e} for {svg}"),
        }
    }

    #[test]
    fn plain_svg_passes_and_loses_its_xml_declaration() {
        let svg = Svg::check(
            "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><!-- c --><g>\
             <use href=\"#m\"/><text x='1'>&lt;script&gt; a &gt; b</text></g></svg>\n"
                .to_string(),
        )
        .unwrap();
        assert!(svg.markup().starts_with("<svg"));
        assert!(svg.markup().ends_with("</svg>"));
    }

    #[test]
    fn active_markup_is_rejected() {
        rejects("<p>x</p>", "does not start with <svg");
        rejects("<svg><script>alert(1)</script></svg>", "<script>");
        rejects(
            "<svg><text>\"><img src=x onerror=alert(1)></text></svg>",
            "<img>",
        );
        rejects("<svg><g onclick=\"alert(1)\"></g></svg>", "onclick");
        rejects("<svg><g ONLOAD=alert(1)></g></svg>", "onload");
        rejects(
            "<svg><a href=\"javascript:alert(1)\">x</a></svg>",
            "leaves the page",
        );
        rejects(
            "<svg><use xlink:href='http://x/y#z'/></svg>",
            "leaves the page",
        );
        rejects(
            "<svg><foreignObject></foreignObject></svg>",
            "foreignobject",
        );
        rejects(
            "<svg><set attributeName=\"href\" to=\"javascript:x\"/></svg>",
            "<set>",
        );
        rejects("<svg><![CDATA[ <script> ]]></svg>", "CDATA");
        rejects("<svg><g", "unterminated");
        // An attribute value broken out of by an unescaped quote shows up as markup.
        rejects(
            "<svg><text data-id=\"\"><img src=x onerror=alert(1)>\"></text></svg>",
            "<img>",
        );
    }

    #[test]
    fn labels_like_compare() {
        assert_eq!(label(0), "A");
        assert_eq!(label(25), "Z");
        assert_eq!(label(26), "AA");
    }
}
