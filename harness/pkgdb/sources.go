package pkgdb

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/imagegate/imagegate/harness/remote"
)

// Commands that list configured repositories and trusted signing keys.
const (
	// AptSourcesCommand prints one-line and deb822 sources, each file
	// headed by "==> FILE".
	AptSourcesCommand = `for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do [ -f "$f" ] && echo "==> $f" && cat "$f"; done; true`
	// AptKeysCommand lists keyrings apt trusts: trusted.gpg.d and any
	// Signed-By keyring.
	AptKeysCommand = `ls -1 /etc/apt/trusted.gpg /etc/apt/trusted.gpg.d/* 2>/dev/null; grep -rhoE '(Signed-By:|signed-by=)[ ]*[^] ]+' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null | sed -E 's/(Signed-By:|signed-by=)[ ]*//'; true`
	// YumReposCommand prints the .repo files.
	YumReposCommand = `for f in /etc/yum.repos.d/*.repo; do [ -f "$f" ] && echo "==> $f" && cat "$f"; done; true`
	// RPMKeysCommand lists the imported signing keys.
	RPMKeysCommand = `LC_ALL=C rpm -q gpg-pubkey --qf '%{NAME}-%{VERSION}-%{RELEASE}\t%{SUMMARY}\n' 2>/dev/null; true`
)

// Repositories lists the enabled package sources as "URI SUITE..." (apt)
// or "ID URL" (yum/dnf).
func Repositories(ctx context.Context, r remote.Runner, manager string) ([]string, error) {
	cmd, parse := AptSourcesCommand, ParseAptSources
	if manager == "rpm" {
		cmd, parse = YumReposCommand, ParseYumRepos
	}
	res, err := remote.Check(ctx, r, cmd)
	if err != nil {
		return nil, fmt.Errorf("%s: list repositories: %w", manager, err)
	}
	return parse(res.Stdout), nil
}

// SigningKeys lists the trusted package signing keys (keyring files for
// apt, gpg-pubkey entries for rpm), sorted and without duplicates.
func SigningKeys(ctx context.Context, r remote.Runner, manager string) ([]string, error) {
	cmd := AptKeysCommand
	if manager == "rpm" {
		cmd = RPMKeysCommand
	}
	res, err := remote.Check(ctx, r, cmd)
	if err != nil {
		return nil, fmt.Errorf("%s: list signing keys: %w", manager, err)
	}
	seen := map[string]bool{}
	var out []string
	for _, l := range lines(res.Stdout) {
		if l = strings.TrimSpace(l); l != "" && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out, nil
}

// ParseAptSources reads one-line ("deb URI SUITE COMP...") and deb822
// (Types/URIs/Suites stanzas) sources; deb-src and disabled stanzas are
// left out. Each source is "URI SUITE".
func ParseAptSources(out string) []string {
	var srcs []string
	var uris, suites []string
	isDeb, enabled := false, true
	flush := func() {
		if isDeb && enabled {
			for _, u := range uris {
				for _, s := range suites {
					srcs = append(srcs, u+" "+s)
				}
			}
		}
		uris, suites, isDeb, enabled = nil, nil, false, true
	}
	for _, l := range strings.Split(out, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "==> ") || t == "":
			flush()
		case strings.HasPrefix(t, "#"):
		case strings.HasPrefix(t, "deb "):
			f := strings.Fields(t)
			i := 1
			if i < len(f) && strings.HasPrefix(f[i], "[") { // [signed-by=... arch=...]
				for i < len(f) && !strings.HasSuffix(f[i], "]") {
					i++
				}
				i++
			}
			if i+1 < len(f) {
				srcs = append(srcs, f[i]+" "+f[i+1])
			}
		default:
			k, v, ok := strings.Cut(t, ":")
			if !ok {
				continue
			}
			v = strings.TrimSpace(v)
			switch strings.ToLower(k) {
			case "types":
				isDeb = slices.Contains(strings.Fields(v), "deb")
			case "uris":
				uris = strings.Fields(v)
			case "suites":
				suites = strings.Fields(v)
			case "enabled":
				enabled = strings.ToLower(v) != "no"
			}
		}
	}
	flush()
	return srcs
}

// ParseYumRepos reads .repo files: each enabled [id] as "ID URL", URL the
// baseurl, metalink or mirrorlist.
func ParseYumRepos(out string) []string {
	var repos []string
	id, url, enabled := "", "", true
	flush := func() {
		if id != "" && enabled {
			repos = append(repos, strings.TrimSpace(id+" "+url))
		}
		id, url, enabled = "", "", true
	}
	for _, l := range strings.Split(out, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "==> "):
			flush()
		case strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]"):
			flush()
			id = strings.Trim(t, "[]")
		default:
			k, v, ok := strings.Cut(t, "=")
			if !ok {
				continue
			}
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			switch k {
			case "baseurl", "metalink", "mirrorlist":
				if url == "" {
					url = v
				}
			case "enabled":
				enabled = v != "0"
			}
		}
	}
	flush()
	return repos
}
