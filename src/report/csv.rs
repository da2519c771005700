//! What every CSV output shares. Text cells that a spreadsheet would run as a formula (they
//! begin with `=`, `+`, `-` or `@`) get an apostrophe in front; every text cell is quoted.

use crate::error::{Error, OutputError};

/// A CSV writer into memory that quotes every text cell.
pub(crate) fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::NonNumeric)
        .from_writer(Vec::new())
}

/// The finished CSV text.
pub(crate) fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, Error> {
    w.into_inner().map_err(|e| OutputError::csv(e).into())
}

/// A failed CSV record, as an output error.
pub(crate) fn csv_err(e: csv::Error) -> Error {
    OutputError::csv(e).into()
}

/// A text cell made safe for spreadsheets.
pub(crate) fn text_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// An optional number; empty when undefined.
pub(crate) fn opt(x: Option<f64>) -> String {
    x.map_or_else(String::new, |v| v.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(super::text_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(super::text_cell("-x"), "'-x");
        assert_eq!(super::text_cell("sbk"), "sbk");
    }
}
