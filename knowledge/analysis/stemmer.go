package analysis

import "strings"

// Stemmer removes Indonesian affixes from a word and returns its root
// (kata dasar), so that "pembuatan", "dibuat" and "membuatnya" all index and
// match as "buat". Indonesian morphology is almost entirely affixation, and a
// citizen asking "syarat perpanjangan SIM" must find a page that says
// "memperpanjang SIM ... persyaratannya", so stemming matters far more for
// recall here than it does in English.
//
// The algorithm follows the published dictionary-based approach of
// Nazief & Adriani and its Enhanced Confix Stripping refinement, with a
// Tala-style fallback:
//
//  1. A word that is protected (an acronym such as "ktp"), shorter than four
//     letters, not made only of the letters a-z, or already a known root is
//     returned unchanged.
//  2. Otherwise every way of reading the word as
//     prefix* + root + derivational suffix + possessive + particle
//     is considered: the particles -lah, -kah, -tah, -pun; the possessives
//     -ku, -mu, -nya; the derivational suffixes -i, -kan, -an; and up to three
//     derivational prefixes (di-, ke-, se-, me-, pe-, ber-, ter-, per- with
//     their allomorphs). Nasal prefixes are undone with recoding of the
//     root's first letter (meny-→s, mem-→p, men-→t, meng-→k and likewise for
//     pe-), confix pairs that Indonesian does not allow (be-…-i, di-…-an,
//     ke-…-i, ke-…-kan, me-…-an, se-…-i, se-…-kan, te-…-an) are rejected, and
//     every candidate is checked against the root dictionary. This is the
//     same search that Nazief & Adriani's backtracking and ECS's "return the
//     suffixes and try again" loop perform, done exhaustively.
//  3. Of all analyses whose root is in the dictionary, the one that removes
//     the fewest affixes wins, then the one that keeps the most letters of
//     the word, then the one with fewer prefixes, then the earlier rule
//     (meng+V before meng+kV, so "mengurus" is urus, not kurus). This is
//     what stops the classic over-stemming errors of a first-match search:
//     "bermasalah" is ber+masalah not ber+masa+lah, "membeli" is mem+beli
//     not mem+bel+i, "memohon" is me+mohon not me+(p)ohon, "masakan" is
//     masak+an not masa+kan, "memberikan" is mem+beri+kan not mem+ber+ikan.
//  4. If no dictionary root is found the word is probably a name, a loan
//     word or a root the dictionary lacks, so a conservative Tala-style rule
//     applies: strip a particle and a possessive, then at most one prefix
//     (its most likely reading) and one suffix, never leaving fewer than four
//     letters, an unpronounceable start ("disdukcapil" stays) or a
//     one-syllable remainder. se- is never removed, and ke- and plain pe-
//     only as the confixes ke-…-an and pe-…-an, because too many unknown
//     roots begin with them; -i only after a prefix and not after s or a
//     vowel, because loan words end in it (informasi). The result only has
//     to be deterministic: queries and documents go through the same code.
//
// Stem does no allocation except, when a nasal prefix is recoded, the
// returned string. A Stemmer is read-only after NewStemmer and safe for
// concurrent use.
type Stemmer struct {
	// roots is the root-word dictionary.
	roots map[string]struct{}
	// tails maps root[1:] to a bit set of the possible root[0] letters,
	// so that a recoded candidate such as 'k'+"urus" can be looked up
	// without building the string.
	tails map[string]uint32
	// protected words are never changed.
	protected map[string]struct{}
}

const (
	minStemLen   = 4 // shorter tokens are returned unchanged
	minRootLen   = 3 // shortest dictionary root a word may be reduced to
	minGuessLen  = 4 // shortest result of the no-dictionary fallback
	maxPrefixes  = 3 // Nazief & Adriani allow up to three prefixes
	maxSuffixSet = 16
)

// NewStemmer returns a stemmer that knows the given root words and never changes the protected words.
func NewStemmer(roots, protected []string) *Stemmer {
	s := &Stemmer{
		roots:     make(map[string]struct{}, len(roots)),
		tails:     make(map[string]uint32, len(roots)),
		protected: make(map[string]struct{}, len(protected)),
	}
	for _, r := range roots {
		r = strings.ToLower(strings.TrimSpace(r))
		if r == "" || !isLowerAZ(r) {
			continue // Stem only ever looks up a-z words
		}
		s.roots[r] = struct{}{}
		s.tails[r[1:]] |= 1 << (r[0] - 'a')
	}
	for _, p := range protected {
		p = strings.ToLower(strings.TrimSpace(p))
		if p != "" {
			s.protected[p] = struct{}{}
		}
	}
	return s
}

// Stem returns the root of one lowercase token. Tokens that are protected, shorter than 4 runes, contain a digit or a non-letter, or are already roots come back unchanged.
func (s *Stemmer) Stem(word string) string {
	if len(word) < minStemLen {
		return word
	}
	if _, ok := s.protected[word]; ok {
		return word
	}
	if !isLowerAZ(word) {
		// Digits, punctuation, capitals and non-ASCII letters: the affix
		// rules are only defined for plain Indonesian spelling.
		return word
	}
	if s.isRoot(word) {
		return word
	}
	if m, ok := s.search(word); ok {
		return m.text(word)
	}
	return s.guess(word)
}

func (s *Stemmer) isRoot(w string) bool {
	_, ok := s.roots[w]
	return ok
}

// isRecodedRoot reports whether string(c)+tail is a root.
func (s *Stemmer) isRecodedRoot(c byte, tail string) bool {
	return s.tails[tail]&(1<<(c-'a')) != 0
}

// stemMatch is one analysis of a word: the root is recode (if not 0)
// followed by word[start:end]. affixes counts every affix removed and
// prefixes the prefixes among them. The zero value means "nothing found".
type stemMatch struct {
	start, end int
	recode     byte
	prefixes   int
	affixes    int
}

// kept is the number of letters of the original word that the root keeps.
func (m stemMatch) kept() int { return m.end - m.start }

// improvedBy reports whether an analysis with the given counts is better
// than m: fewer affixes ("bermasalah" is ber+masalah, not ber+masa+lah;
// "pengeringan" is peng+kering+an, not peng+ke+ringan), then more letters
// kept ("memohon" is me+mohon, not me+(p)ohon; "masakan" is masak+an, not
// masa+kan), then fewer prefixes ("memberikan" is mem+beri+kan, not
// mem+ber+ikan). On a full tie the earlier analysis stays.
func (m *stemMatch) improvedBy(affixes, kept, prefixes int) bool {
	switch {
	case m.end == 0:
		return true
	case affixes != m.affixes:
		return affixes < m.affixes
	case kept != m.kept():
		return kept > m.kept()
	}
	return prefixes < m.prefixes
}

func (m stemMatch) text(w string) string {
	if m.recode == 0 {
		return w[m.start:m.end]
	}
	return string(rune(m.recode)) + w[m.start:m.end]
}

// derivSuffix is the derivational suffix removed in an analysis.
type derivSuffix uint8

const (
	sufNone derivSuffix = iota
	sufI
	sufAn
	sufKan
)

// prefixClass groups the allomorphs of one prefix.
type prefixClass uint8

const (
	pfxNone prefixClass = iota
	pfxDi
	pfxKe
	pfxSe
	pfxMe  // me-, mem-, men-, meng-, meny-, menge-
	pfxPe  // pe-, pem-, pen-, peng-, peny-, penge-, pel-
	pfxPer // per-
	pfxBe  // ber-, be-, bel-
	pfxTe  // ter-, te-
)

// confixDisallowed reports the confixes that Indonesian does not form: the first
// (outermost) prefix cannot combine with these derivational suffixes.
func confixDisallowed(p prefixClass, s derivSuffix) bool {
	switch p {
	case pfxBe:
		return s == sufI
	case pfxDi:
		return s == sufAn
	case pfxKe:
		return s == sufI || s == sufKan
	case pfxMe:
		return s == sufAn
	case pfxSe:
		return s == sufI || s == sufKan
	case pfxTe:
		return s == sufAn
	}
	return false
}

// innerPrefixes lists, for each outer prefix, the prefixes that may follow
// it (memper-, diper-, keber-, kepen-, berke-, terper-, ...).
var innerPrefixes = [...]uint16{
	pfxDi:  1<<pfxPer | 1<<pfxBe | 1<<pfxKe | 1<<pfxPe | 1<<pfxSe | 1<<pfxTe,
	pfxKe:  1<<pfxBe | 1<<pfxTe | 1<<pfxPe | 1<<pfxSe | 1<<pfxPer,
	pfxSe:  1<<pfxPe | 1<<pfxPer,
	pfxMe:  1<<pfxPer | 1<<pfxBe | 1<<pfxPe,
	pfxPe:  1<<pfxPer | 1<<pfxBe,
	pfxPer: 1<<pfxSe | 1<<pfxKe,
	pfxBe:  1<<pfxKe | 1<<pfxPe | 1<<pfxPer,
	pfxTe:  1<<pfxPer | 1<<pfxKe | 1<<pfxBe,
}

// Fallback use of a prefix option.
const (
	fbNever  = iota // only with a dictionary root
	fbWithAn        // in the fallback only with -an (ke-…-an, pe-…-an, per-…-an)
	fbAlways
)

// prefixOpt is one way of removing a prefix: drop n letters and, if recode
// is not 0, put recode back in front of the rest.
type prefixOpt struct {
	n      uint8
	recode byte
	class  prefixClass
	fb     uint8
	menge  bool // menge-/penge-: see stripPrefixes
}

// prefixOpts holds the options for one word, most likely first; the first
// option usable in the fallback is the fallback's choice.
type prefixOpts struct {
	a [4]prefixOpt
	n int
}

func (o *prefixOpts) add(n int, recode byte, class prefixClass, fb uint8) {
	o.a[o.n] = prefixOpt{n: uint8(n), recode: recode, class: class, fb: fb}
	o.n++
}

// prefixOptions returns the ways the start of w can be read as a prefix.
func prefixOptions(w string) prefixOpts {
	var o prefixOpts
	if len(w) < 2+minRootLen {
		return o
	}
	c2, c3 := w[2], byteAt(w, 3)
	switch w[:2] {
	case "di":
		o.add(2, 0, pfxDi, fbAlways)
	case "ke":
		o.add(2, 0, pfxKe, fbWithAn)
	case "se":
		o.add(2, 0, pfxSe, fbNever)
	case "me":
		switch c2 {
		case 'n', 'm':
			nasalOptions(&o, w, pfxMe)
		case 'l', 'r', 'w', 'y':
			o.add(2, 0, pfxMe, fbAlways) // melapor, merawat, mewarnai, meyakini
		}
	case "pe":
		switch c2 {
		case 'n', 'm':
			nasalOptions(&o, w, pfxPe)
		case 'r':
			o.add(3, 0, pfxPer, fbWithAn) // per-izin; alone it starts perda, perpres
			if isVowelByte(c3) {
				o.add(2, 0, pfxPe, fbNever) // pe-rekam
			}
		case 'l':
			if isVowelByte(c3) {
				o.add(2, 0, pfxPe, fbWithAn) // pe-lapor
				o.add(3, 0, pfxPe, fbNever)  // pel-ajar
			}
		case 'w', 'y':
			o.add(2, 0, pfxPe, fbWithAn) // pe-wawancara
		default:
			if !isVowelByte(c2) {
				o.add(2, 0, pfxPe, fbWithAn) // pe-tugas, pe-kerja, pe-dagang
			}
		}
	case "be":
		switch {
		case c2 == 'r':
			o.add(3, 0, pfxBe, fbAlways) // ber-laku
			if isVowelByte(c3) {
				o.add(2, 0, pfxBe, fbNever) // be-rantai
			}
		case c2 == 'l' && isVowelByte(c3):
			o.add(3, 0, pfxBe, fbNever) // bel-ajar
		case !isVowelByte(c2) && c2 != 'l' && c3 == 'e' && byteAt(w, 4) == 'r':
			o.add(2, 0, pfxBe, fbAlways) // be-kerja, be-ternak
		}
	case "te":
		switch {
		case c2 == 'r':
			o.add(3, 0, pfxTe, fbAlways) // ter-daftar
			if isVowelByte(c3) {
				o.add(2, 0, pfxTe, fbNever) // te-rasa
			}
		case !isVowelByte(c2) && c3 == 'e' && byteAt(w, 4) == 'r':
			o.add(2, 0, pfxTe, fbAlways) // te-percaya
		}
	}
	return o
}

// nasalOptions handles me-/pe- followed by a nasal: w starts with "men",
// "mem", "pen" or "pem" (the class says which).
func nasalOptions(o *prefixOpts, w string, class prefixClass) {
	c3, c4 := byteAt(w, 3), byteAt(w, 4)
	if w[2] == 'm' {
		switch {
		case c3 == 'b' || c3 == 'f' || c3 == 'v' || c3 == 'p':
			o.add(3, 0, class, fbAlways) // mem-buat, mem-proses, mem-per-
		case isVowelByte(c3):
			o.add(3, 'p', class, fbAlways) // mem-(p)akai
			o.add(2, 0, class, fbNever)    // me-minta
		}
		return
	}
	// w[2] == 'n'
	switch {
	case c3 == 'y' && isVowelByte(c4):
		o.add(4, 's', class, fbAlways) // meny-(s)elesai
		o.add(2, 0, class, fbNever)    // me-nyanyi
	case c3 == 'g':
		switch {
		case c4 == 'g' || c4 == 'h' || c4 == 'k' || c4 == 'q':
			o.add(4, 0, class, fbAlways) // meng-ganti, meng-hapus, meng-kaji
		case isVowelByte(c4):
			o.add(4, 0, class, fbAlways)  // meng-urus
			o.add(4, 'k', class, fbNever) // meng-(k)irim
			if c4 == 'e' {
				o.add(5, 0, class, fbNever) // menge-cat, penge-tahu-an
				o.a[o.n-1].menge = true
			}
		}
	case c3 == 'c' || c3 == 'd' || c3 == 'j' || c3 == 'z' || c3 == 's':
		o.add(3, 0, class, fbAlways) // men-cetak, pen-daftar, men-syukuri
	case c3 == 't' && c4 != 0 && !isVowelByte(c4):
		o.add(3, 0, class, fbAlways) // men-transfer
	case isVowelByte(c3):
		o.add(3, 't', class, fbAlways) // men-(t)ulis
		o.add(2, 0, class, fbNever)    // me-nikah
	}
}

// suffixReading is one reading of the end of a word: the root and prefixes
// lie in word[:end], deriv was removed just after end, and affixes counts
// the suffixes removed (derivational, possessive and particle).
type suffixReading struct {
	end     int
	deriv   derivSuffix
	affixes int
}

// search finds the best dictionary analysis of w (see improvedBy).
func (s *Stemmer) search(w string) (stemMatch, bool) {
	var cands [maxSuffixSet]suffixReading
	n := 0
	add := func(end, inflections int) {
		cands[n] = suffixReading{end, sufNone, inflections}
		n++
		if end-1 >= minRootLen && w[end-1] == 'i' {
			cands[n] = suffixReading{end - 1, sufI, inflections + 1}
			n++
		}
		if end-2 >= minRootLen && w[end-2:end] == "an" {
			cands[n] = suffixReading{end - 2, sufAn, inflections + 1}
			n++
			if end-3 >= minRootLen && w[end-3] == 'k' {
				cands[n] = suffixReading{end - 3, sufKan, inflections + 1}
				n++
			}
		}
	}
	// Inflectional endings: none, a possessive, a particle, or a
	// possessive followed by a particle.
	add(len(w), 0)
	if k := possessiveLen(w); k > 0 && len(w)-k >= minRootLen {
		add(len(w)-k, 1)
	}
	if k := particleLen(w); k > 0 && len(w)-k >= minRootLen {
		e := len(w) - k
		add(e, 1)
		if k2 := possessiveLen(w[:e]); k2 > 0 && e-k2 >= minRootLen {
			add(e-k2, 2)
		}
	}
	// Best first (fewest suffixes, then fewest suffix letters; stable),
	// so that the first hit prunes the rest.
	for i := 1; i < n; i++ {
		for j := i; j > 0 && (cands[j].affixes < cands[j-1].affixes ||
			cands[j].affixes == cands[j-1].affixes && cands[j].end > cands[j-1].end); j-- {
			cands[j], cands[j-1] = cands[j-1], cands[j]
		}
	}

	var best stemMatch
	for _, c := range cands[:n] {
		if !best.improvedBy(c.affixes, c.end, 0) {
			break // no later reading can do better either
		}
		if c.end < len(w) && s.isRoot(w[:c.end]) {
			best = stemMatch{0, c.end, 0, 0, c.affixes}
			continue
		}
		s.stripPrefixes(w, 0, c.end, c, 0, pfxNone, 0, &best)
	}
	return best, best.end > 0
}

// stripPrefixes tries every prefix option of w[start:end], recursively, and
// records in best any dictionary root that improves on it.
func (s *Stemmer) stripPrefixes(w string, start, end int, r suffixReading, depth int, outer prefixClass, used uint16, best *stemMatch) {
	confix := r.deriv == sufI || r.deriv == sufAn
	// "memasukan" is a common spelling of memasukkan: after a root ending
	// in k, -an may be -kan written with one k, so me-/di-/te-…-an pass.
	kanSpelledAn := r.deriv == sufAn && w[end-1] == 'k'
	opts := prefixOptions(w[start:end])
	for _, o := range opts.a[:opts.n] {
		if depth == 0 {
			if confixDisallowed(o.class, r.deriv) && !(kanSpelledAn && !confixDisallowed(o.class, sufKan)) {
				continue
			}
		} else if innerPrefixes[outer]&(1<<o.class) == 0 || used&(1<<o.class) != 0 {
			continue
		} else if o.class == pfxKe && !confix {
			continue // an inner ke- only occurs in ke-…-i and ke-…-an
		}
		ns := start + int(o.n)
		kept, prefixes := end-ns, depth+1
		if o.menge {
			// menge- only before a one-syllable root (mengecat, pengecekan);
			// before a longer one it is meng- + ke-…-i/-an (mengetahui,
			// pengetahuan). Either way the root follows directly.
			if vowelGroupCount(w[ns:end]) != 1 {
				if !confix || depth+2 > maxPrefixes {
					continue
				}
				prefixes++
			}
			if kept >= minRootLen && best.improvedBy(r.affixes+prefixes, kept, prefixes) && s.isRoot(w[ns:end]) {
				*best = stemMatch{ns, end, 0, prefixes, r.affixes + prefixes}
			}
			continue
		}
		if !best.improvedBy(r.affixes+prefixes, kept, prefixes) {
			continue // and removing more prefixes cannot help
		}
		if o.recode != 0 {
			// A recoded nasal starts the root; no prefix follows it.
			if kept+1 >= minRootLen && s.isRecodedRoot(o.recode, w[ns:end]) {
				*best = stemMatch{ns, end, o.recode, prefixes, r.affixes + prefixes}
			}
			continue
		}
		if kept >= minRootLen && s.isRoot(w[ns:end]) {
			*best = stemMatch{ns, end, 0, prefixes, r.affixes + prefixes}
			continue // more prefixes would only be worse
		}
		if prefixes < maxPrefixes {
			s.stripPrefixes(w, ns, end, r, prefixes, o.class, used|1<<o.class, best)
		}
	}
}

// guess is the fallback for words with no dictionary root: a Tala-style
// removal of a particle, a possessive, one prefix and one suffix.
func (s *Stemmer) guess(w string) string {
	end := len(w)
	if k := particleLen(w); k > 0 && plausibleGuess(w[:end-k]) {
		end -= k
	}
	if k := possessiveLen(w[:end]); k > 0 && plausibleGuess(w[:end-k]) {
		end -= k
	}
	m, class, fb := stemMatch{0, end, 0, 0, 0}, pfxNone, uint8(fbNever)
	opts := prefixOptions(w[:end])
	for _, o := range opts.a[:opts.n] {
		if o.fb == fbNever {
			continue
		}
		ns := int(o.n)
		if o.class == pfxDi && byteAt(w, ns) == 's' && !isVowelByte(byteAt(w, ns+1)) {
			break // dis- of a loan word: dispensasi, distribusi
		}
		if (o.recode != 0 && end-ns+1 >= minGuessLen && containsVowel(w[ns:end])) ||
			(o.recode == 0 && end-ns >= minGuessLen && validRootOnset(w[ns:end])) {
			m, class, fb = stemMatch{ns, end, o.recode, 1, 1}, o.class, o.fb
		}
		break // only the most likely reading is used
	}
	m.end -= guessSuffix(w[m.start:m.end], class)
	if fb == fbWithAn && !(m.end+2 == end && w[m.end:end] == "an") {
		// ke-, per- and plain pe- alone begin too many roots; undo.
		m = stemMatch{0, end, 0, 0, 0}
		m.end -= guessSuffix(w[:end], pfxNone)
	}
	if m.kept() == len(w) {
		return w
	}
	return m.text(w)
}

// guessSuffix returns how many letters of derivational suffix the fallback
// removes from body, given the prefix already removed.
func guessSuffix(body string, class prefixClass) int {
	var order []derivSuffix
	switch class {
	case pfxKe, pfxPe, pfxPer:
		order = []derivSuffix{sufAn}
	case pfxMe, pfxDi, pfxTe:
		order = []derivSuffix{sufKan, sufI}
	case pfxBe:
		order = []derivSuffix{sufKan, sufAn}
	default: // no prefix: -i is too often part of a loan word (informasi)
		order = []derivSuffix{sufKan, sufAn}
	}
	for _, suf := range order {
		if confixDisallowed(class, suf) {
			continue
		}
		var k int
		switch suf {
		case sufKan:
			if strings.HasSuffix(body, "kan") {
				k = 3
			}
		case sufAn:
			if strings.HasSuffix(body, "an") {
				k = 2
			}
		case sufI:
			// Not after s (aplikasi, registrasi) or a vowel.
			if n := len(body); n >= 2 && body[n-1] == 'i' && body[n-2] != 's' && !isVowelByte(body[n-2]) {
				k = 1
			}
		}
		if k > 0 && plausibleGuess(body[:len(body)-k]) {
			return k
		}
	}
	return 0
}

// plausibleGuess reports whether the fallback may cut a word down to r:
// at least four letters, two syllables, and no final consonant cluster
// other than ng (so "ombudsman" does not lose -an).
func plausibleGuess(r string) bool {
	if len(r) < minGuessLen || vowelGroupCount(r) < 2 {
		return false
	}
	a, b := r[len(r)-2], r[len(r)-1]
	return isVowelByte(a) || isVowelByte(b) || (a == 'n' && b == 'g')
}

// particleLen returns the length of an inflectional particle ending w.
func particleLen(w string) int {
	if len(w) > 3 {
		switch w[len(w)-3:] {
		case "lah", "kah", "tah", "pun":
			return 3
		}
	}
	return 0
}

// possessiveLen returns the length of a possessive pronoun ending w.
func possessiveLen(w string) int {
	if len(w) > 3 && w[len(w)-3:] == "nya" {
		return 3
	}
	if len(w) > 2 {
		switch w[len(w)-2:] {
		case "ku", "mu":
			return 2
		}
	}
	return 0
}

func byteAt(w string, i int) byte {
	if i < len(w) {
		return w[i]
	}
	return 0
}

func isVowelByte(c byte) bool {
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'
}

func containsVowel(w string) bool {
	for i := 0; i < len(w); i++ {
		if isVowelByte(w[i]) {
			return true
		}
	}
	return false
}

// vowelGroups counts runs of vowels, a stand-in for syllables.
func vowelGroupCount(w string) int {
	n := 0
	for i := 0; i < len(w); i++ {
		if isVowelByte(w[i]) && (i == 0 || !isVowelByte(w[i-1])) {
			n++
		}
	}
	return n
}

// validOnset reports whether w begins the way an Indonesian root can: a
// vowel, a consonant and a vowel, or a common consonant cluster (ny, ng,
// kh, sy and the clusters of loan words). It stops the fallback turning
// "disdukcapil" into "sdukcapil".
func validRootOnset(w string) bool {
	if len(w) < 2 || !containsVowel(w) {
		return false
	}
	if isVowelByte(w[0]) || isVowelByte(w[1]) {
		return true
	}
	switch w[:2] {
	case "bl", "br", "dr", "fl", "fr", "gl", "gr", "kh", "kl", "kr", "ng", "ny",
		"pl", "pr", "sk", "sl", "sp", "st", "sw", "sy", "tr":
		return len(w) > 2 && (isVowelByte(w[2]) || w[2] == 'r' || w[2] == 'l')
	}
	return false
}

// isLowerASCII reports whether w is made only of the letters a-z.
func isLowerAZ(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
