// Package faq holds the FAQ content bundled with Layanan: one Markdown file
// per entry, categories.yaml and synonyms.txt. Staff edit these files; the
// README describes their format. The binary embeds them so it answers with
// no files on disk; FAQ_DIR or --faq points it at another folder.
package faq

import "embed"

// Files is the bundled content folder.
//
//go:embed *.md *.yaml *.txt
var Files embed.FS
