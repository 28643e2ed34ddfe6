// Package knowledge is Layanan's answer engine: it loads the FAQ content
// that staff write (Markdown files with YAML front matter, a categories
// file and a synonyms file), validates it, builds a bleve search index with
// Indonesian analysis (package analysis), and answers a citizen's question
// with ranked entries and a decision whether the best one is a confident
// answer.
//
// The parts fit like this: Load reads a folder into Content (entries plus
// every problem found, each with file and line); Build turns Content into an
// immutable Index; Index.Search answers one question; Evaluate measures an
// Index on a question set. Nothing here knows about Telegram.
package knowledge
