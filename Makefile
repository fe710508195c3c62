# CytoReset — see README.md. `make demo` and `make test` work on a fresh Debian machine
# with the Swift toolchain: they install what is missing first.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
SWIFT ?= swift
BIN := .build/debug/cytoreset
INTEROP_DIR := $(CURDIR)/.build/interop-fixtures
# Release builds target AVX2/FMA/POPCNT (the SIMD kernels); `native` adds AVX-512 on this machine.
RELEASE_FLAGS := -c release -Xswiftc -target-cpu -Xswiftc haswell
FUZZ_SECONDS ?= 1800
FUZZ_JOBS ?= 0

.PHONY: help deps build release test browser-test workflow-test demo qc-real analysis-identity interop fuzz fuzz-workspace bench bench-peers bench-clinical bench-adaptive bench-serve regenerate clean

help:
	@echo "make demo         run cytoreset on bundled generated data"
	@echo "make test         all tests (Swift unit/conformance/CLI + Python interop with flowio, fcsparser, FlowKit + the review page in Selenium/Chromium)"
	@echo "make browser-test the review page in headless Chromium (Selenium); REVIEW_SCREENSHOT=PATH keeps a screenshot"
	@echo "make workflow-test  the Snakemake workflow on a simulated cohort, locally and on a SLURM started on loopback"
	@echo "make release      optimized build (.build/release/cytoreset)"
	@echo "make qc-real      the gates found in every real file of ../shared/testdata, as docs/qc/*.svg"
	@echo "make analysis-identity BEFORE=BIN  every analysis (real files + simulated cohort) of BIN and of this build, byte for byte"
	@echo "make fuzz         fuzz the FCS reader (libFuzzer + ASan) for FUZZ_SECONDS (default 1800), FUZZ_JOBS workers"
	@echo "make fuzz-workspace  the same for the FlowJo workspace reader and counter"
	@echo "make bench        Swift benchmarks of every stage (Benchmarks/ package; SUITE=Transforms for one)"
	@echo "make bench-peers  CytoReset vs flowio/fcsparser (parse), FlowKit/flowutils (gating), and the clinical path at 10^6-10^8"
	@echo "make bench-clinical  gate vs analyze vs ingest vs FlowKit on one strategy, 10^6 and 10^7 events (SIZES=\"... 100000000\" for 10^8; docs/clinical-path.md)"
	@echo "make bench-adaptive  analyze per file before (BEFORE=de3999a) and after adaptive gating (docs/adaptive-cost.md)"
	@echo "make bench-serve  gate-drag latency through the review server, 10^5 and 10^6 events (docs/serve-api.md)"
	@echo "make regenerate   rewrite the generated test files (demo sample, panel strategy XML)"

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build $(RELEASE_FLAGS)

test: deps
	rm -rf $(INTEROP_DIR)
	CYTORESET_INTEROP_DIR=$(INTEROP_DIR) $(SWIFT) test
	CYTORESET=$(BIN) CYTORESET_INTEROP_DIR=$(INTEROP_DIR) scripts/interop.sh
	CYTORESET=$(BIN) scripts/browser-test.sh
	CYTORESET=$(BIN) scripts/workflow-test.sh

# The review server in headless Chromium via Selenium (also part of `make test`).
browser-test: build
	CYTORESET=$(BIN) scripts/browser-test.sh

# The Snakemake workflow (workflow/): local and through a real single-node SLURM (also part of `make test`).
workflow-test: build
	CYTORESET=$(BIN) scripts/workflow-test.sh

demo: build
	CYTORESET=$(BIN) scripts/demo.sh

# The gates `analyze --panel auto` finds in the real files of other labs (docs/qc/README.md).
REAL_FILES = $(sort $(wildcard ../shared/testdata/realdata/*/*.fcs)) $(sort $(wildcard ../shared/testdata/flowjo/*/*.fcs))
qc-real: build
	mkdir -p docs/qc && rm -f docs/qc/*.svg docs/qc/*.png docs/qc/*.txt
	@# Exit 1 means some file could not be analysed (named in diagnostics.txt); anything else is a failure.
	rc=0; $(BIN) analyze --panel auto --qc docs/qc $(REAL_FILES) > docs/qc/analyses.txt 2> docs/qc/diagnostics.txt || rc=$$?; [ $$rc -le 1 ] || exit $$rc
	@if command -v rsvg-convert >/dev/null; then for f in 68983.fcs immunoClust_t1_CD19neg_dat.fcs; do \
	  rsvg-convert -b white docs/qc/$$f.qc.svg -o docs/qc/$$f.qc.png; done; fi
	@echo "wrote docs/qc/ ($$(ls docs/qc/*.svg | wc -l) files)"

fuzz:
	JOBS=$(FUZZ_JOBS) fuzz/run.sh $(FUZZ_SECONDS)

# Inputs up to 16 KiB: ~4x the executions per second of whole real workspaces. libFuzzer's own
# process RSS grows ~2 MB per 1,000 executions here while one input's does not (fuzz/README.md),
# so the process cap is 4 GB; one allocation is still capped at 2 GB.
fuzz-workspace:
	FUZZ_TARGET=workspace JOBS=$(FUZZ_JOBS) fuzz/run.sh $(FUZZ_SECONDS) -max_len=16384 -rss_limit_mb=4096

# SUITE: empty for every suite, or e.g. Transforms, GateKinds,Statistics (docs/benchmark-suites.md).
bench:
	Benchmarks/run-benchmarks.sh $(SUITE)

bench-peers:
	Benchmarks/peers/run-peers.sh

# Issue #12's cost check: release analyze of BEFORE (default de3999a) vs this checkout at 10^5 and
# 10^6 events; REPEAT runs each (default 5). Not part of `make test`: machine- and load-dependent.
analysis-identity: build
	@test -n "$(BEFORE)" || { echo "give BEFORE=path/to/an/older/cytoreset"; exit 2; }
	scripts/analysis-identity.sh "$(BEFORE)" $(BIN)

bench-clinical: release
	Benchmarks/clinical-path.sh

bench-adaptive:
	Benchmarks/analyze-adaptive.sh

bench-serve: release
	CYTORESET=.build/release/cytoreset Benchmarks/serve-drag.py

regenerate:
	CYTORESET_REGENERATE=1 $(SWIFT) test --filter committedDemoFileIsReproducible
	rm -rf $(INTEROP_DIR)
	CYTORESET_REGENERATE=1 CYTORESET_INTEROP_DIR=$(INTEROP_DIR) $(SWIFT) test --filter writeInteropFixtures

clean:
	rm -rf .build demo .venv-interop .venv-flowkit .venv-h5py .venv-browser .venv-workflow
