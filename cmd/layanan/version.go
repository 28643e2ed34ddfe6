package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

const versionHelp = `layanan version

Mencetak versi modul dan commit yang dibangun (dari informasi build Go).

English: prints the module version and the commit it was built from.`

func runVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", stderr, versionHelp)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: argumen tak terduga %q", errUsage, fs.Arg(0))
	}
	fmt.Fprintln(stdout, versionLine(debug.ReadBuildInfo()))
	return nil
}

// versionLine describes a build: "layanan VERSION (commit REV, TIME,
// modified)", with what the build recorded.
func versionLine(info *debug.BuildInfo, ok bool) string {
	if !ok {
		return "layanan (versi tidak diketahui / unknown version)"
	}
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	var details []string
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		details = append(details, "commit "+rev[:min(12, len(rev))])
	}
	if t := settings["vcs.time"]; t != "" {
		details = append(details, t)
	}
	if settings["vcs.modified"] == "true" {
		details = append(details, "modified")
	}
	details = append(details, info.GoVersion)
	return fmt.Sprintf("layanan %s (%s)", version, strings.Join(details, ", "))
}
