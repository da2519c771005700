//! "Did you mean ...": the closest known name to a misspelt one.

/// The candidate closest to `word` by Jaro-Winkler similarity, if any is close enough to be a
/// plausible typo (similarity at least 0.8).
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(word, c);
        if score >= 0.8 && best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_typo_and_ignores_strangers() {
        let names = ["core-insurance", "customer-email", "epa"];
        assert_eq!(
            super::closest("core-insurence", names),
            Some("core-insurance")
        );
        assert_eq!(super::closest("zzz", names), None);
    }
}
