package bot

import "regexp"

// Personal data that citizens sometimes type into a question (their NIK or
// KK number, phone, e-mail) is masked before the question is stored for
// staff: Indonesia's personal data protection law (UU 27/2022) asks us to
// keep no more than the purpose needs.
var (
	emailRE = regexp.MustCompile(`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}`)
	// 16-digit NIK / KK numbers, also written with spaces or dots.
	nikRE = regexp.MustCompile(`\b\d(?:[ .-]?\d){15}\b`)
	// Phone numbers: +62 / 62 / 0 followed by 8–13 more digits, with
	// optional separators.
	phoneRE = regexp.MustCompile(`(?:\+62|\b62|\b0)[ .-]?\d(?:[ .-]?\d){7,12}\b`)
)

// MaskPersonalData replaces e-mail addresses, 16-digit identity numbers and
// phone numbers in text with placeholders.
func MaskPersonalData(text string) string {
	text = emailRE.ReplaceAllString(text, "[email]")
	text = nikRE.ReplaceAllString(text, "[nomor]")
	return phoneRE.ReplaceAllString(text, "[telepon]")
}
