# The two commands a newcomer needs: `make run` and `make test`. Both set everything up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint format messages bench clean parser-report

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: $(STAMP)  ## set up, migrate the database and start the bot (polling, or webhook if WEBHOOK_URL is set)
	$(BIN)/navbot run

test: $(STAMP)  ## set up and run every test (PostgreSQL ones too when NAVBOT_TEST_POSTGRES_URL is set)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)  ## ruff, mypy (strict on bot, storage, handlers; also tests, bench), the import contracts, hadolint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/hadolint Dockerfile

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(STAMP)  ## re-extract translatable strings and update the catalogs
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k N_ -k t -k plural:1,2 -o bot/locale/navbot.pot bot handlers
	$(BIN)/pybabel update --no-fuzzy-matching -i bot/locale/navbot.pot -d bot/locale -D navbot

parser-report: $(STAMP)  ## parser accuracy on tests/parser_corpus: per field, per language, the misses
	$(BIN)/python -m bot.contacts.parser_report $(CORPUS)

bench: $(STAMP)  ## run the benchmarks (see bench/README.md)
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
