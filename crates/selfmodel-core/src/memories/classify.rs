//! A small deterministic classifier: which default belief type an imported memory most likely
//! is. Each type has cue phrases with weights; a memory's score for a type is the sum of the
//! weights of its cues found in it (whole words, lower-cased; a cue ending in `*` matches any
//! word starting with it). The highest score wins; ties go to the type listed first, and a
//! memory with no cue is `context`. The accuracy on a committed set of realistic memories is
//! tested (`tests/classifier.rs`) and recorded in the README.

use std::sync::OnceLock;

/// The type a memory with no cue gets.
pub const FALLBACK: &str = "context";

/// Cue phrases per type, most specific types first (ties go to the earlier one).
const RULES: &[(&str, &[(&str, u32)])] = &[
    (
        "health",
        &[
            ("diagnos*", 3),
            ("diabet*", 3),
            ("asthma*", 3),
            ("allerg*", 3),
            ("intoleran*", 3),
            ("celiac", 3),
            ("coeliac", 3),
            ("medication*", 3),
            ("takes medication", 3),
            ("therapist", 3),
            ("therapy", 2),
            ("anxiety", 3),
            ("depression", 3),
            ("adhd", 3),
            ("migraine*", 3),
            ("pregnan*", 3),
            ("blood pressure", 3),
            ("surgery", 3),
            ("injur*", 2),
            ("chronic", 2),
            ("illness", 3),
            ("insomnia", 3),
            ("ptsd", 3),
            ("cancer", 3),
            ("recovering from", 2),
            ("back pain", 3),
            ("knee", 1),
            ("health", 2),
            ("doctor", 1),
            ("cholesterol", 3),
            ("sober", 2),
        ],
    ),
    (
        "accessibility",
        &[
            ("screen reader", 4),
            ("dyslexi*", 4),
            ("colour blind", 4),
            ("color blind", 4),
            ("colorblind", 4),
            ("low vision", 4),
            ("hard of hearing", 4),
            ("deaf", 4),
            ("captions", 3),
            ("subtitles", 2),
            ("high contrast", 4),
            ("reduced motion", 4),
            ("larger text", 4),
            ("large font*", 4),
            ("font size", 3),
            ("voice input", 3),
            ("keyboard only", 3),
            ("one hand*", 3),
            ("accessib*", 3),
            ("wheelchair", 4),
        ],
    ),
    (
        "communication-style",
        &[
            ("answer*", 2),
            ("respon*", 2),
            ("repl*", 2),
            ("explanation*", 2),
            ("explain*", 2),
            ("tone", 3),
            ("concise", 2),
            ("brief", 2),
            ("short", 1),
            ("bullet point*", 2),
            ("formal", 2),
            ("casual", 1),
            ("jargon", 2),
            ("emoji*", 2),
            ("step by step", 2),
            ("code examples", 2),
            ("direct", 1),
            ("address*", 1),
            ("call me", 3),
            ("called", 1),
            ("humor", 1),
            ("humour", 1),
            ("verbose", 2),
            ("summar*", 1),
            ("feedback", 1),
            ("communicat*", 2),
            ("speak*", 1),
            ("sugarcoat*", 2),
            ("in british english", 3),
            ("in spanish", 2),
            ("in french", 2),
            ("in german", 2),
            ("writes to me", 2),
            ("detail*", 1),
        ],
    ),
    (
        "goals",
        &[
            ("wants to", 3),
            ("want to", 3),
            ("plans to", 3),
            ("planning to", 3),
            ("planning", 2),
            ("goal*", 3),
            ("aims to", 3),
            ("hopes to", 3),
            ("trying to", 2),
            ("working towards", 3),
            ("working toward", 3),
            ("saving for", 3),
            ("saving up", 3),
            ("aspir*", 3),
            ("would like to", 3),
            ("intends to", 3),
            ("next year", 2),
            ("by the end of", 2),
            ("training for", 3),
            ("preparing for", 3),
            ("dream*", 2),
            ("someday", 2),
            ("eventually", 1),
            ("launch", 1),
            ("get promoted", 3),
            ("become", 1),
        ],
    ),
    (
        "routines",
        &[
            ("every morning", 3),
            ("every evening", 3),
            ("every day", 3),
            ("every night", 3),
            ("every week", 3),
            ("every sunday", 3),
            ("every saturday", 3),
            ("daily", 2),
            ("usually", 2),
            ("each week", 3),
            ("weekly", 2),
            ("on weekends", 2),
            ("mondays", 2),
            ("tuesdays", 2),
            ("wednesdays", 2),
            ("thursdays", 2),
            ("fridays", 2),
            ("saturdays", 2),
            ("sundays", 2),
            ("wakes up", 3),
            ("gets up", 3),
            ("goes to bed", 3),
            ("works out", 2),
            ("commut*", 2),
            ("in the evening*", 2),
            ("in the morning*", 2),
            ("before work", 2),
            ("after work", 2),
            ("at night", 1),
            ("routine*", 3),
            ("schedule*", 2),
            ("habit*", 2),
            ("meal prep*", 3),
            ("always", 1),
            ("times a week", 3),
            ("am", 1),
            ("pm", 1),
        ],
    ),
    (
        "values",
        &[
            ("values", 3),
            ("cares about", 3),
            ("cares deeply", 3),
            ("believes", 3),
            ("believe", 2),
            ("important to", 3),
            ("matters to", 3),
            ("priorit*", 3),
            ("ethic*", 3),
            ("sustainab*", 2),
            ("environment*", 2),
            ("honesty", 3),
            ("integrity", 3),
            ("fairness", 3),
            ("principle*", 3),
            ("avoids companies", 3),
            ("refuses to", 2),
            ("comes first", 3),
            ("privacy", 2),
            ("transparency", 2),
            ("animal welfare", 3),
            ("giving back", 3),
            ("open source", 1),
            ("work life balance", 3),
        ],
    ),
    (
        "expertise",
        &[
            ("expert*", 3),
            ("experienced", 3),
            ("experience in", 3),
            ("experience with", 3),
            ("years of experience", 4),
            ("proficient", 3),
            ("fluent", 3),
            ("knows", 2),
            ("knowledge", 2),
            ("is learning", 3),
            ("learning", 2),
            ("beginner", 3),
            ("new to", 3),
            ("novice", 3),
            ("familiar with", 3),
            ("background in", 3),
            ("degree in", 3),
            ("phd", 3),
            ("studied", 2),
            ("certified", 3),
            ("skilled", 3),
            ("advanced", 1),
            ("intermediate", 2),
            ("speaks", 2),
            ("self taught", 3),
            ("comfortable with", 2),
            ("understands", 2),
        ],
    ),
    (
        "preferences",
        &[
            ("prefer*", 2),
            ("likes", 1),
            ("dislikes", 2),
            ("doesn t like", 2),
            ("does not like", 2),
            ("hates", 2),
            ("favorite", 3),
            ("favourite", 3),
            ("uses", 2),
            ("would rather", 3),
            ("vegetarian", 3),
            ("vegan", 3),
            ("drinks", 2),
            ("coffee", 1),
            ("tea", 1),
            ("instead of", 2),
            ("over", 1),
            ("dark mode", 3),
            ("metric", 2),
            ("avoids", 2),
            ("rather than", 2),
            ("not a fan", 2),
            ("doesn t eat", 3),
            ("does not eat", 3),
            ("window seat*", 3),
            ("aisle seat*", 3),
        ],
    ),
    (
        "interests",
        &[
            ("interested in", 3),
            ("interest in", 3),
            ("enjoys", 3),
            ("loves", 2),
            ("fan of", 3),
            ("hobby", 3),
            ("hobbies", 3),
            ("passionate about", 3),
            ("into", 1),
            ("follows", 2),
            ("reads", 2),
            ("reading", 1),
            ("plays", 2),
            ("collects", 3),
            ("watches", 2),
            ("music", 1),
            ("podcast*", 2),
            ("hiking", 1),
            ("photography", 2),
            ("gardening", 2),
            ("chess", 1),
            ("curious about", 3),
            ("fascinated", 3),
            ("listens to", 2),
            ("in their free time", 3),
            ("in her free time", 3),
            ("in his free time", 3),
        ],
    ),
    (
        "context",
        &[
            ("lives in", 4),
            ("based in", 4),
            ("moved to", 3),
            ("has a daughter", 4),
            ("has a son", 4),
            ("has two", 2),
            ("has three", 2),
            ("daughter", 2),
            ("son", 2),
            ("kids", 2),
            ("children", 2),
            ("wife", 2),
            ("husband", 2),
            ("partner", 2),
            ("married", 3),
            ("divorced", 3),
            ("single", 1),
            ("dog", 1),
            ("cat", 1),
            ("works as", 4),
            ("works at", 4),
            ("works for", 4),
            ("works in", 3),
            ("job", 2),
            ("employ*", 2),
            ("company", 2),
            ("startup", 2),
            ("student", 3),
            ("studying at", 3),
            ("university", 2),
            ("retired", 3),
            ("years old", 3),
            ("time zone", 3),
            ("timezone", 3),
            ("family", 2),
            ("parent*", 2),
            ("mother", 2),
            ("father", 2),
            ("owns", 2),
            ("rents", 2),
            ("apartment", 2),
            ("house", 1),
            ("born in", 3),
            ("grew up", 3),
            ("manager", 2),
            ("freelance*", 3),
            ("self employed", 3),
            ("is a", 1),
            ("named", 1),
            ("team", 1),
            ("role", 2),
            ("currently", 1),
        ],
    ),
];

/// A cue phrase split into words; the last is a prefix if the phrase ends in `*`.
struct Cue {
    words: Vec<&'static str>,
    prefix: bool,
    weight: u32,
}

/// [`RULES`], split into words once.
fn cues() -> &'static [(&'static str, Vec<Cue>)] {
    static CUES: OnceLock<Vec<(&'static str, Vec<Cue>)>> = OnceLock::new();
    CUES.get_or_init(|| {
        RULES
            .iter()
            .map(|(ty, cues)| {
                let cues = cues
                    .iter()
                    .map(|(cue, weight)| {
                        let stem = cue.trim_end_matches('*');
                        Cue {
                            words: stem.split(' ').collect(),
                            prefix: stem.len() < cue.len(),
                            weight: *weight,
                        }
                    })
                    .collect();
                (*ty, cues)
            })
            .collect()
    })
}

/// The default belief type this memory most likely is (an id of
/// [`crate::catalogue::default_types`]).
pub fn classify(memory: &str) -> &'static str {
    let lower = memory.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut best = (FALLBACK, 0);
    for (ty, cues) in cues() {
        let score: u32 = cues
            .iter()
            .filter(|cue| cue.found_in(&words))
            .map(|cue| cue.weight)
            .sum();
        if score > best.1 {
            best = (ty, score);
        }
    }
    best.0
}

impl Cue {
    /// Whether `words` hold this cue's words in a row.
    fn found_in(&self, words: &[&str]) -> bool {
        let Some((last, init)) = self.words.split_last() else {
            return false;
        };
        words.windows(self.words.len()).any(|w| {
            w[..init.len()] == *init
                && if self.prefix {
                    w[init.len()].starts_with(last)
                } else {
                    w[init.len()] == *last
                }
        })
    }
}

#[cfg(test)]
mod tests;
