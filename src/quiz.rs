//! Predict, then check: the questions a scenario asks (`ask:`), answered from
//! the run. A question is asked at its lesson point, before the run shows
//! what happens; its answer is read from the world's views when the run
//! reaches the question's `answer_at`, never written by hand, so a changed
//! scenario or another seed gets the answer that run gives.
//!
//! The quiz reads the world as the terminal UI does (partition views, group
//! views, consumers, delivery counts) and never changes it: a run with
//! questions has the same trace as one without.

pub mod answer;
pub mod draw;
pub mod reply;
pub mod script;

pub use answer::{Answer, Right};
pub use reply::Reply;
pub use script::{Point, Script, run_answering};
