// Package analysis turns Indonesian (and some English) citizen text into
// search tokens: normalisation, colloquial and abbreviation rewriting,
// multi-word synonyms, a FAQ-safe stop list and a rule-based Indonesian
// stemmer. The word lists live in data/*.txt and are embedded.
package analysis
