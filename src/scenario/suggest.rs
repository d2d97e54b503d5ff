//! "Did you mean …?" for misspelt names, by string similarity (`strsim`).

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(did_you_mean("ack", ["acks", "linger.ms"]), Some("acks"));
        assert_eq!(did_you_mean("partitons", ["name", "partitions", "config"]), Some("partitions"));
        assert_eq!(did_you_mean("zzz", ["acks", "linger.ms"]), None);
    }
}
