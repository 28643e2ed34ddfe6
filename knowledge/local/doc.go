// Package local holds a deployment's own data, read from lokal.yaml in the
// content folder: the region's name, its timezone, its offices with their
// addresses, weekly hours and the services they handle, named local
// values the content refers to, and holidays beyond the national calendar
// (holidays.txt, embedded). It answers what the national content cannot:
// is an office open now, when does it open next, is tomorrow a holiday,
// which office is nearest. It renders nothing; the conversation does.
package local
