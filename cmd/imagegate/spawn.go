package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/imagegate/imagegate/harness/guest"
	"github.com/imagegate/imagegate/harness/run"
	"github.com/imagegate/imagegate/harness/runner"
)

func init() {
	register("spawn", command{summary: "boot one image and leave it running; prints how to ssh in", run: cmdSpawn})
	register("ssh", command{summary: "ssh into a guest left running by spawn or run --keep: imagegate ssh IMAGE/ARCH [command]; --destroy ends it", run: cmdSSH})
}

func cmdSpawn(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("imagegate spawn", flag.ContinueOnError)
	var o runner.Options
	var arch, image string
	targetFlags(fs, &o, &image, &arch) // spawn needs one: --image, and --arch when the image has several
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if image == "" {
		fmt.Fprintln(stderr, "imagegate spawn: --image NAME is required (see imagegate spawn -h)")
		return runner.ExitError
	}
	o.Images, o.Arches, o.Keep = split(image), split(arch), true
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	plan, err := newPlan(ctx, o)
	if err == nil && len(plan.Targets) != 1 {
		err = fmt.Errorf("--image %s matches %d targets: pick one with --arch", image, len(plan.Targets))
	}
	if err != nil {
		fmt.Fprintf(stderr, "imagegate: %v\n", err)
		return runner.ExitError
	}
	t := plan.Targets[0]
	logf := func(format string, a ...any) {
		fmt.Fprintf(stdout, "[%s] "+format+"\n", append([]any{t.ID()}, a...)...)
	}
	line, err := guest.Spawn(ctx, t, logf)
	if err != nil {
		fmt.Fprintf(stderr, "imagegate: spawn %s: %v\n", t.ID(), err)
		return runner.ExitError
	}
	fmt.Fprintf(stdout, "%s is up: %s\n", t.ID(), line)
	return 0
}

func cmdSSH(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("imagegate ssh", flag.ContinueOnError)
	workRoot := fs.String("work-dir", run.DefaultWorkRoot, "`DIR` where spawn and run --keep leave their guests")
	destroy := fs.Bool("destroy", false, "destroy the kept guest and remove its work files, instead of logging in")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() < 1 {
		fmt.Fprintln(stderr, "imagegate ssh: name the guest as IMAGE/ARCH, e.g. imagegate ssh debian-12/x86_64 [command]")
		return runner.ExitError
	}
	a, err := guest.FindAccess(*workRoot, fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "imagegate: %v\n", err)
		return runner.ExitError
	}
	if *destroy {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := a.Destroy(ctx); err != nil {
			fmt.Fprintf(stderr, "imagegate: %v\n", err)
			return runner.ExitError
		}
		fmt.Fprintf(stdout, "%s: destroyed %s and removed %s\n", a.Target, a.Domain, a.Dir)
		return 0
	}
	reach, err := a.Reach(context.Background())
	if err != nil {
		fmt.Fprintf(stderr, "imagegate: %v\n", err)
		return runner.ExitError
	}
	defer reach.Close()
	cmd := append(a.SSHArgs(), fs.Args()[1:]...)
	c := exec.Command(cmd[0], cmd[1:]...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, stdout, stderr
	if err := c.Run(); err != nil {
		if c.ProcessState != nil {
			return c.ProcessState.ExitCode()
		}
		fmt.Fprintf(stderr, "imagegate: %v\n", err)
		return runner.ExitError
	}
	return 0
}
