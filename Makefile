# imagegate — everything a fresh Debian 12 machine needs, as root:
#   make run    set up the host, build the fixture, run the default matrix
#   make test   set up the host, build the x86_64 fixture, unit tests + e2e tests
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

GO       ?= go
# make run's quick default; make run-all-arches (or ARCHES=...) for the rest.
ARCHES   ?= x86_64,aarch64
# Extra flags for make run, e.g. RUNFLAGS='--parallel 1' or '--label-filter !slow'.
RUNFLAGS ?=
ALL_ARCHES := x86_64,aarch64,ppc64le,s390x,i686,armv7l
FIXTURES ?= $(HOME)/.cache/imagegate/fixtures
MATRIX   ?= fixtures/matrix.yaml
export IMAGEGATE_FIXTURES := $(FIXTURES)

BIN := bin/imagegate
# Reports record the version of the imagegate that wrote them (the catalogue
# of checks belongs to it). Go embeds the git revision unless -buildvcs=false
# (as GOFLAGS sets on some machines), so the Makefile passes it explicitly.
VERSION ?= $(shell git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
LDFLAGS := -X github.com/imagegate/imagegate/harness/buildinfo.Override=$(VERSION)

.PHONY: all host fixtures variants build run run-all-arches test unit e2e remote compare faults bench lint lint-jenkinsfile clean

all: build

host: ## install packages, write qemu.conf, start virtlogd + libvirtd
	ci/setup-host.sh

fixtures: host ## build the test images (cached by recipe hash)
	@for a in $(subst $(comma), ,$(ARCHES)); do fixtures/debian/build.sh --arch $$a --out "$(FIXTURES)"; done

variants: fixtures ## non-conforming variants of the x86_64 fixture (fixtures/variants.yaml)
	@for v in $$(fixtures/debian/variant.sh --list | cut -d' ' -f1); do \
		fixtures/debian/variant.sh --variant $$v --out "$(FIXTURES)"; done

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/imagegate

run: host fixtures build ## run the default matrix
	$(BIN) run --matrix $(MATRIX) --arch $(ARCHES) $(RUNFLAGS)

run-all-arches: ## every arch of the matrix: x86_64, aarch64, ppc64le, s390x, i686, armv7l
	$(MAKE) run ARCHES=$(ALL_ARCHES)

unit: ## unit tests of the libraries and the binary (no VMs)
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

e2e: host fixtures variants build ## boot the fixtures for real and check the run's outputs
	IMAGEGATE_E2E=1 IMAGEGATE_E2E_ARCHES=$(ARCHES) IMAGEGATE_BIN=$(abspath $(BIN)) $(GO) test -count=1 -timeout 80m -v -run 'E2E' ./cmd/imagegate/

# make test boots x86_64 only: every e2e test uses its fixture, and the
# aarch64 full target is the heaviest item of all (15 min on a slow day,
# and an 11-minute fixture build on a fresh machine). make run and make
# run-all-arches boot the other arches; the unit tests hold every arch's
# domain XML to its golden file.
TEST_ARCHES ?= x86_64

test: host build unit
	$(MAKE) --no-print-directory e2e ARCHES=$(TEST_ARCHES)

# A "remote" libvirt host without a second machine (harness/nshost: its own
# sshd and libvirtd in namespaces, reached over loopback and a Unix socket):
# the whole baseline over qemu+ssh, and the two-host pool (make test runs
# the pool with one check per target).
remote: host fixtures build ## the fixture's whole baseline on a namespace host over qemu+ssh, and a two-host pool
	IMAGEGATE_E2E=1 IMAGEGATE_E2E_REMOTE_FULL=1 IMAGEGATE_BIN=$(abspath $(BIN)) $(GO) test -count=1 -timeout 40m -v -run 'TestE2ERemote' ./cmd/imagegate/

# Judged against production: the fixture promoted, then a regressed
# release (the regression variant) and one identical to production run
# with --compare-to (five boots), and the flaky-check rerun.
compare: host fixtures variants build ## --compare-to end to end: new failure vs still failing, compare.json, judge: regressions
	IMAGEGATE_E2E=1 IMAGEGATE_E2E_COMPARE=1 IMAGEGATE_BIN=$(abspath $(BIN)) $(GO) test -count=1 -timeout 40m -v -run 'TestE2ECompare|TestE2EFlaky' ./cmd/imagegate/

# Every injected fault (make test runs the quick ones: not failed evidence,
# QEMU killed mid-checks, nor the --retries 1 run after QEMU is killed
# mid-boot): an image that cannot boot, QEMU killed mid-boot and
# mid-checks, libvirtd restarted, a port taken, a full work dir, failed
# evidence, SIGINT/SIGTERM. The table of exit codes, JUnit cases and gate
# verdicts is printed and kept in reports/faults.md. Then every
# non-conforming variant (make test runs none of them: its gate test fails
# the password-auth variant on exactly its checks and reproduces that).
faults: host fixtures variants build ## the fault model end to end, every scenario, and every non-conforming variant
	IMAGEGATE_E2E=1 IMAGEGATE_FAULTS=all IMAGEGATE_BIN=$(abspath $(BIN)) $(GO) test -count=1 -timeout 80m -v -run 'TestE2EFaults|TestE2EVariants' ./cmd/imagegate/

# Timing goals on real guests (one iteration each): boot-to-SSH per arch, and
# the matrix with --parallel 1 vs auto (fails if auto is not faster). ARCHES
# picks the arches; IMAGEGATE_BENCH_FILTER the specs (default '!slow', '' = all).
# AgainstBase runs a full x86_64 target with the imagegate of
# IMAGEGATE_BENCH_BASE (a git revision; default: before the speed work) and
# with this one, IMAGEGATE_BENCH_PAIRS times each, in turn (~20 min a pair
# on a slow day); BENCH='Overhead|Matrix|BootToSSH' leaves it out. The
# overhead runs IMAGEGATE_BENCH_OVERHEAD_PAIRS pairs (default 2, ~5 min each).
BENCH ?= .
bench: host fixtures build ## timing goals: boot-to-SSH per arch, --parallel 1 vs auto, overhead against plain QEMU, a full target against the code before the speed work
	IMAGEGATE_E2E=1 IMAGEGATE_BENCH_ARCHES=$(ARCHES) IMAGEGATE_BIN=$(abspath $(BIN)) $(GO) test -count=1 -run '^$$' -bench '$(BENCH)' -benchtime 1x -timeout 4h ./cmd/imagegate/

lint:
	$(GO) vet ./...
	@command -v golangci-lint >/dev/null && golangci-lint run ./... || echo "golangci-lint not installed; go vet only"

# A Groovy parse plus CodeNarc's rules; needs npm and a JRE (apt-get install
# npm default-jre-headless). Version 15 is the newest that runs on Debian 12's
# Node 20. It cannot validate declarative-pipeline steps: only a Jenkins can.
GROOVY_LINT ?= npx --yes npm-groovy-lint@15.2.2
lint-jenkinsfile: ## parse and lint ci/Jenkinsfile (errors fail, style is reported)
	$(GROOVY_LINT) --noserver --failon error --output txt ci/Jenkinsfile

clean:
	rm -rf bin

comma := ,
