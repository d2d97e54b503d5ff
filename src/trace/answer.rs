//! A question's answer as a run reports it: in the narration, the JSON
//! output, the outcome report and a scenario's pin. `crate::quiz` reads it
//! from the run; this is only its shape and its text.

use schemars::JsonSchema;
use serde::Serialize;

/// What the run says is right.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Right {
    /// Any of these choices is right (several consumers may sit idle).
    Choices(Vec<String>),
    Number(i64),
    /// The run has no number to give (nothing committed yet): the answer is
    /// this word, e.g. `none`.
    Word(String),
}

impl std::fmt::Display for Right {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Right::Choices(c) => f.write_str(&c.join(" or ")),
            Right::Number(n) => write!(f, "{n}"),
            Right::Word(w) => f.write_str(w),
        }
    }
}

/// One question, answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Answer {
    /// The question's place in the scenario's `questions`.
    pub index: usize,
    pub question: String,
    pub asked_at: String,
    pub answer_at: String,
    pub right: Right,
    /// The state that decided it, as of `answer_at`.
    pub why: String,
    /// The lesson's last `say:` line at or before `answer_at`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub narration: Option<String>,
}

impl Answer {
    /// `? at 5s: Which consumer ...` then `= at 10s: first (at 10s, helpdesk: ...)`.
    pub fn render(&self) -> String {
        format!(
            "  asked at {}: {}
    answer at {}: {}
      because {}
",
            self.asked_at, self.question, self.answer_at, self.right, self.why
        )
    }
}
