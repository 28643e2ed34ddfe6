package bot

import "regexp"

// Personal data that citizens sometimes type into a question (their NIK or
// KK number, phone, e-mail) is masked before the question is stored for
// staff: Indonesia's personal data protection law (UU 27/2022) asks us to
// keep no more than the purpose needs.
var (
	emailRE = regexp.MustCompile(`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}`)
	// 16-digit NIK / KK numbers, also written with spaces or dots, also
	// glued to a word ("nik3201..."): not part of a longer number.
	nikRE = regexp.MustCompile(`(^|[^\d])\d(?:[ .-]?\d){15}([^\d]|$)`)
	// Mobile numbers: +62 / 62 / 0 followed by 8–13 more digits, with
	// optional separators.
	phoneRE = regexp.MustCompile(`(^|[^\d+])(?:\+62|62|0)[ .-]?\d(?:[ .-]?\d){7,12}([^\d]|$)`)
	// Landlines with the area code in brackets: (021) 555-1234.
	landlineRE = regexp.MustCompile(`\(0\d{1,3}\)[ .-]?\d{3,4}[ .-]?\d{3,5}`)
)

// MaskPersonalData replaces e-mail addresses, 16-digit identity numbers and
// phone numbers in text with placeholders.
func MaskPersonalData(text string) string {
	text = emailRE.ReplaceAllString(text, "[email]")
	text = nikRE.ReplaceAllString(text, "${1}[nomor]${2}")
	text = landlineRE.ReplaceAllString(text, "[telepon]")
	return phoneRE.ReplaceAllString(text, "${1}[telepon]${2}")
}
