//! Drawing a quiz: which questions of the built-in scenarios, in which
//! order, and with which seed each scenario runs, all from one quiz seed,
//! so a teacher who gives the seed gets the same quiz back, and another seed
//! gives other member ids, partition choices and timings, and so other answers.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::scenario::{Scenario, builtin, lessons, load_str};

/// One question of a quiz: a built-in scenario, the question's place in it,
/// and the seed its run uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drawn {
    pub scenario: &'static str,
    pub question: usize,
    pub run_seed: u64,
}

/// The built-in scenarios with questions, of one chapter (its `lesson:` name
/// or its number) or of all.
pub fn pool(chapter: Option<&str>) -> Result<Vec<(&'static str, Scenario)>, String> {
    let lesson = match chapter {
        None => None,
        Some(c) => Some(chapter_lesson(c)?),
    };
    let mut pool = Vec::new();
    for (name, text) in builtin::BUILTIN {
        let scenario = load_str(name, text).map_err(|e| format!("built-in scenario {name} is broken:\n{e}"))?;
        if scenario.questions.is_empty() || (lesson.is_some() && scenario.lesson.as_deref() != lesson) {
            continue;
        }
        pool.push((*name, scenario));
    }
    if pool.is_empty() {
        return Err(format!("no built-in scenario of chapter `{}` asks questions yet", chapter.unwrap_or("any")));
    }
    Ok(pool)
}

/// `consumer-groups` or `7` → the lesson name.
fn chapter_lesson(chapter: &str) -> Result<&'static str, String> {
    let found =
        lessons::CHAPTERS.iter().find(|c| c.lesson == chapter || chapter.parse::<u32>().is_ok_and(|n| n == c.number));
    found.map(|c| c.lesson).ok_or_else(|| format!("unknown chapter `{chapter}`; chapters: {}", lessons::lesson_names()))
}

/// Up to `count` questions from the pool, in an order and with run seeds
/// drawn from `seed`.
pub fn draw(pool: &[(&'static str, Scenario)], seed: u64, count: usize) -> Vec<Drawn> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut all: Vec<(&'static str, usize)> =
        pool.iter().flat_map(|(name, s)| (0..s.questions.len()).map(move |i| (*name, i))).collect();
    // Fisher–Yates, so the draw depends only on the seed.
    for i in (1..all.len()).rev() {
        let j = rng.random_range(0..=i);
        all.swap(i, j);
    }
    all.truncate(count);
    all.into_iter().map(|(scenario, question)| Drawn { scenario, question, run_seed: rng.random() }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_draws_the_same_quiz_and_another_seed_another() {
        let pool = pool(None).expect("built-in scenarios ask questions");
        let first = draw(&pool, 7, 5);
        assert_eq!(first, draw(&pool, 7, 5));
        assert_ne!(first, draw(&pool, 8, 5));
        assert!(first.len() <= 5 && !first.is_empty());
    }

    #[test]
    fn a_chapter_is_named_by_lesson_or_number() {
        assert_eq!(chapter_lesson("consumer-groups"), chapter_lesson("6"));
        assert!(chapter_lesson("no-such-chapter").unwrap_err().contains("unknown chapter"));
    }
}
