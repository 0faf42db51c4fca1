# The README's two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
# axe-core (the browser tests' accessibility check), pinned in package.json / package-lock.json.
NODE_STAMP := node_modules/.installed-$(shell cat package-lock.json | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install test-js lint format migrate demo worker bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11（$(PYTHON) not found）"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)
	$(BIN)/python manage.py compilemessages -v0 --ignore=.venv --ignore=var --ignore=node_modules
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory test-js; \
	else echo "（未找到 npm：浏览器测试的无障碍检查需要它，make test 会安装）"; fi

$(NODE_STAMP): package-lock.json
	@command -v npm >/dev/null || { echo "需要 npm（axe-core 无障碍检查）：./scripts/system-deps.sh --test"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

## make test-js: the browser tests' JavaScript (axe-core) into node_modules/, from the lock file.
test-js: $(NODE_STAMP)

## make run: install everything, set up the embedded database and broker, load the fixtures
## and demo data, start the portal (web + Celery worker with beat).
run:
	./scripts/system-deps.sh
	$(MAKE) --no-print-directory install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py scan_deadlines
	./scripts/run-dev.sh $(HOST) $(PORT)

## make test: install everything, lint, and pass the tests (PostgreSQL/Redis when
## DATABASE_URL/REDIS_URL are set, as .ci/run sets them).
test:
	./scripts/system-deps.sh --test
	$(MAKE) --no-print-directory install
	$(MAKE) --no-print-directory test-js
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run -v0
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf var/ .pytest_cache .ruff_cache
