package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/imagegate/imagegate/harness/gate"
	"github.com/imagegate/imagegate/harness/promote"
)

func init() {
	register("promote", command{summary: "gate an image and copy it into the production repo atomically", run: cmdPromote})
}

// cmdPromote: exit 0 promoted (or already promoted), 1 the gate rejects,
// 2 anything else (inconclusive, bad input, a changed file, a busy lock).
func cmdPromote(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("imagegate promote", flag.ContinueOnError)
	var o promote.Options
	var reports, history pathList
	fs.StringVar(&o.From, "from", "", "testing repo `DIR` holding the tested image files")
	fs.StringVar(&o.To, "to", "", "production repo `DIR` (must exist)")
	fs.StringVar(&o.Image, "image", "", "image `NAME` to promote")
	fs.StringVar(&o.Version, "version", "", "version `V` to create (default: the UTC date, YYYYMMDD[.N])")
	fs.StringVar(&o.Gate.Policy, "policy", "", "policy `FILE`")
	fs.Var(&reports, "reports", "report `DIR` (repeatable)")
	fs.Var(&history, "history", "older report `DIR` for grace_days (repeatable)")
	fs.BoolVar(&o.Wait, "wait", false, "wait for another promotion to finish instead of failing")
	fs.StringVar(&o.SignKey, "sign-key", "", "sign the new SHA256SUMS with this gpg `KEY` (id or user id in GNUPGHOME's keyring, no passphrase)")
	verify := fs.Bool("verify", false, "only check the production repo given by --to (every file hashed, the signature with --keyring) and exit")
	keyring := fs.String("keyring", "", "with --verify: public keys `FILE` (gpg --export) to check SHA256SUMS.gpg with gpgv")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *verify && o.To != "" && fs.NArg() == 0 {
		return verifyRepo(ctx, o.To, *keyring, stdout, stderr)
	}
	if fs.NArg() > 0 || o.From == "" || o.To == "" || o.Image == "" || o.Gate.Policy == "" || len(reports) == 0 {
		fmt.Fprintln(stderr, "imagegate promote: --from DIR --to DIR --image NAME --policy FILE --reports DIR are required (flags only; see -h)")
		return 2
	}
	o.Gate.Reports, o.Gate.History, o.Log = reports, history, stdout
	res, err := promote.Promote(ctx, o)
	if err != nil {
		return promoteFailed(err, stderr)
	}
	printPromoted(stdout, o.To, res)
	return 0
}

func promoteFailed(err error, stderr io.Writer) int {
	var ge promote.GateError
	if errors.As(err, &ge) {
		code := map[gate.Verdict]int{gate.Reject: 1}[ge.Decision.Verdict]
		if ge.Decision.Verdict != gate.Reject {
			code = 2
		}
		gate.Result{Decisions: []gate.Decision{ge.Decision}, ExitCode: code}.WriteText(stderr)
		fmt.Fprintf(stderr, "imagegate promote: %v\n", err)
		return code
	}
	fmt.Fprintf(stderr, "imagegate promote: %v\n", err)
	return 2
}

func printPromoted(w io.Writer, to string, res promote.Result) {
	if res.Already {
		fmt.Fprintf(w, "already promoted: %s version %s (generation %d); nothing changed\n", res.Image, res.Version, res.Generation)
	} else {
		fmt.Fprintf(w, "promoted %s version %s into %s (generation %d)\n", res.Image, res.Version, to, res.Generation)
	}
	for _, it := range res.Items {
		fmt.Fprintf(w, "  %-9s %s  %d bytes  sha256 %s\n", it.Arch, it.Path, it.Size, it.SHA256)
	}
}

// verifyRepo: exit 0 consistent, 1 a file, checksum or signature does not
// match (damaged or tampered with), 2 the repo or keyring cannot be read.
func verifyRepo(ctx context.Context, to, keyring string, stdout, stderr io.Writer) int {
	r, err := promote.Verify(ctx, to, keyring)
	if err != nil {
		fmt.Fprintf(stderr, "imagegate promote --verify: %v\n", err)
		if errors.As(err, new(promote.TamperedError)) {
			return 1
		}
		return 2
	}
	signed := "not signed"
	if r.Signed {
		signed = "SHA256SUMS signature good (" + keyring + ")"
	}
	fmt.Fprintf(stdout, "%s is consistent: generation %d, %d item(s), %d file(s) match their sha256, %s\n", to, r.Generation, r.Items, r.Files, signed)
	return 0
}
