//! Fuzz targets of the topic grammar ([`topic::check`], [`topic::matches`]) with the trie that
//! must agree with it.
//!
//! Owns: those targets. Arbitrary text never makes a grammar check panic, the grammar is
//! consistent (an emittable topic is a pattern that matches itself), and the trie matches exactly
//! what [`topic::matches`] matches, for topics the grammar refuses too (an events frame's topics
//! are not checked against it).

use super::frames::topics;
use super::ITERATIONS;
use crate::topic;
use crate::trie::Trie;
use bolero::check;
use bolero::generator::produce;
use std::collections::BTreeSet;

#[test]
fn topic_grammar_never_panics_and_is_consistent() {
    check!().with_iterations(ITERATIONS).for_each(|bytes| {
        let text = String::from_utf8_lossy(bytes);
        let emittable = topic::check(&text, false).is_ok();
        let listenable = topic::check(&text, true).is_ok();
        assert!(!emittable || listenable, "{text:?} may be emitted but not listened to");
        if emittable {
            assert!(!topic::is_reserved(&text), "{text:?} is reserved yet emittable");
            assert!(topic::matches(&text, &text), "{text:?} does not match itself");
        }
        if let Some((pattern, topic)) = text.split_once(' ') {
            let _ = topic::matches(pattern, topic);
        }
    });
}

#[test]
fn trie_matches_what_the_grammar_matches() {
    let texts = || produce::<Vec<String>>().with().values(topics()).len(0usize..8);
    check!().with_generator((texts(), texts())).with_iterations(ITERATIONS).for_each(
        |(patterns, topics)| {
            let patterns: Vec<&String> =
                patterns.iter().filter(|p| topic::check(p, true).is_ok()).collect();
            let mut trie = Trie::default();
            for (index, pattern) in patterns.iter().enumerate() {
                trie.insert(pattern, index);
            }
            for topic in topics {
                let mut found = BTreeSet::new();
                trie.for_each_match(topic, |index| assert!(found.insert(*index), "twice"));
                let expected: BTreeSet<usize> = (0..patterns.len())
                    .filter(|index| topic::matches(patterns[*index], topic))
                    .collect();
                assert_eq!(found, expected, "topic {topic:?} against {patterns:?}");
            }
            for (index, pattern) in patterns.iter().enumerate() {
                assert!(trie.remove(pattern, &index));
            }
            assert_eq!(trie.len(), 0);
        },
    );
}
