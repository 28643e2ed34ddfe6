// Package render turns the FAQ content that staff write in Markdown into
// the HTML subset the Telegram Bot API accepts (parse_mode HTML), and cuts
// long HTML into messages Telegram will take.
//
// The parts fit like this: HTML converts a Markdown body block by block
// (paragraphs, headings, lists) and renders each block's inline text
// (emphasis, code, links, placeholders) with everything else escaped, so
// that whatever staff type — stray asterisks, angle brackets, HTML tags,
// invalid UTF-8 — comes out as text and never as a broken message. Split
// cuts that HTML into parts of at most MaxMessage UTF-16 code units,
// preferring blank lines, then line ends, then spaces, and closes and
// reopens the tags that are open at a cut so that every part stands on
// its own. Escape is for text that does not come from Markdown (titles,
// a citizen's own words echoed back), and PlainText gives back the text a
// reader sees where formatting is unavailable. Valid checks a string
// against Telegram's rules and is the bot's last guard before sending.
//
// The Markdown dialect is CommonMark's inline rules for emphasis, code and
// links; a single line break inside a paragraph is a space, as in any
// Markdown preview, and two trailing spaces or a trailing backslash force
// one. Headings become bold lines, list items lines that start with "• "
// or "1. ". Text in double brackets, such as [[LOKAL: alamat kantor]],
// is a placeholder for local details and is shown exactly as written.
package render
