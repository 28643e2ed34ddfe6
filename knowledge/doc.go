// Package knowledge is Layanan's answer engine: it loads the FAQ content
// that staff write (Markdown files with YAML front matter, a categories
// file, a synonyms file and the deployment's lokal.yaml), validates it, indexes it with Indonesian
// analysis (package analysis), and answers a citizen's question with ranked
// entries and a decision whether the best one is a confident answer.
//
// The parts fit like this: Load reads a folder into Content (entries plus
// every problem found, each with file and line); Build turns Content into an
// immutable Index: bleve analyses and inverts the content (index.go), the
// index reads bleve's postings into per-entry BM25F statistics and builds
// character n-gram centroids (rank.go), and then calibrates itself on the
// content's own example questions, held out one at a time (calibrate.go):
// the ranking's parameters, a confidence model and its threshold.
// Index.Search recognises small talk, ranks, and decides; Evaluate
// measures an Index on a question set, and Calibration is the report staff
// read with `layanan eval --self`. lokal.yaml (package local) fills the
// content's named placeholders. Nothing here knows about Telegram or
// renders anything: the bot's Cards are the one renderer.
package knowledge
