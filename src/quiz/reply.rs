//! A student's reply to a question: a choice (by its letter, its number in
//! the list or its text) or a number, and whether the run proved it right.

use super::Right;
use crate::scenario::question::Question;

/// What the student answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    Choice(String),
    Number(i64),
    Word(String),
}

/// The key that picks choice `i`: `a`, `b`, ... (then `1`, `2`, ... also work).
pub fn choice_key(i: usize) -> char {
    (b'a' + (i % 26) as u8) as char
}

impl Reply {
    /// Reads a typed line: `b`, `2`, `second` for a choice; `120` or `none`
    /// for a number. `Err` says what the question wants instead.
    pub fn parse(question: &Question, line: &str) -> Result<Reply, String> {
        let text = line.trim();
        if question.choices.is_empty() {
            if let Ok(n) = text.parse::<i64>() {
                return Ok(Reply::Number(n));
            }
            if text.eq_ignore_ascii_case("none") {
                return Ok(Reply::Word("none".to_string()));
            }
            return Err("type a number, like 42".to_string());
        }
        let by_key = text
            .chars()
            .next()
            .filter(|_| text.chars().count() == 1)
            .and_then(|k| (0..question.choices.len()).find(|&i| choice_key(i) == k.to_ascii_lowercase()));
        let by_number = text.parse::<usize>().ok().filter(|n| (1..=question.choices.len()).contains(n)).map(|n| n - 1);
        let by_text = question.choices.iter().position(|c| c.eq_ignore_ascii_case(text));
        match by_text.or(by_key).or(by_number) {
            Some(i) => Ok(Reply::Choice(question.choices[i].clone())),
            None => {
                let last = choice_key(question.choices.len() - 1);
                Err(format!("type a letter from a to {last}, or the choice itself"))
            }
        }
    }

    /// Whether the run's answer agrees.
    pub fn holds(&self, right: &Right) -> bool {
        match (self, right) {
            (Reply::Choice(c), Right::Choices(rights)) => rights.contains(c),
            (Reply::Number(n), Right::Number(r)) => n == r,
            (Reply::Word(w), Right::Word(r)) => w.eq_ignore_ascii_case(r),
            _ => false,
        }
    }
}

impl std::fmt::Display for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reply::Choice(c) | Reply::Word(c) => f.write_str(c),
            Reply::Number(n) => write!(f, "{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimTime;
    use crate::scenario::question::QuestionKind;

    fn question(choices: &[&str]) -> Question {
        Question {
            asked_at: SimTime::ZERO,
            answer_at: SimTime::ZERO,
            text: "?".to_string(),
            kind: QuestionKind::Outcome(crate::scenario::OutcomeField::Lost),
            choices: choices.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn a_choice_is_picked_by_letter_number_or_text() {
        let q = question(&["first", "second", "nobody"]);
        for typed in ["b", "B", "2", "second", " Second \n"] {
            assert_eq!(Reply::parse(&q, typed), Ok(Reply::Choice("second".to_string())), "{typed:?}");
        }
        assert!(Reply::parse(&q, "d").unwrap_err().contains("from a to c"));
        assert!(Reply::parse(&q, "4").is_err());
    }

    #[test]
    fn a_number_is_a_number_or_none() {
        let q = question(&[]);
        assert_eq!(Reply::parse(&q, "120\n"), Ok(Reply::Number(120)));
        assert_eq!(Reply::parse(&q, "None"), Ok(Reply::Word("none".to_string())));
        assert!(Reply::parse(&q, "twelve").is_err());
    }

    #[test]
    fn a_reply_holds_when_the_run_agrees() {
        let right = Right::Choices(vec!["first".to_string(), "third".to_string()]);
        assert!(Reply::Choice("third".to_string()).holds(&right), "any of several idle members");
        assert!(!Reply::Choice("second".to_string()).holds(&right));
        assert!(Reply::Number(7).holds(&Right::Number(7)));
        assert!(!Reply::Number(7).holds(&Right::Number(8)));
        assert!(!Reply::Number(0).holds(&Right::Word("none".to_string())), "nothing committed is not offset 0");
    }
}
