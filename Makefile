# The two commands a newcomer needs:
#   make run    virtualenv + install + migrate + demo data + site on http://127.0.0.1:8000
#   make test   virtualenv + install + the whole test suite (PostgreSQL/Redis when they answer)
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run test fuzz lint messages bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo
	@echo "Open http://$(HOST)/ (admin at http://$(HOST)/admin/). Ctrl-C stops the site."
	$(BIN)/python manage.py runserver $(HOST)

test: $(VENV)/.installed-dev
	./scripts/test $(ARGS)

fuzz: $(VENV)/.installed-dev
	./scripts/fuzz-api

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

# Each app keeps its own translations (<app>/locale/); the project's
# templates and socialshop/ keep theirs in locale/.
APPS = ledger accounts catalog distribution shops orders commissions webhooks sandbox audit demo
messages: $(VENV)/.installed-dev
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=tests --ignore=bench \
		$(foreach app,$(APPS),--ignore=$(app))
	for app in $(APPS); do (cd $$app && ../$(BIN)/python ../manage.py makemessages -l zh_Hans --no-obsolete --ignore=tests) || exit 1; done
	$(BIN)/python manage.py compilemessages --ignore=.venv

bench: $(VENV)/.installed-dev
	@echo "see bench/README.md"

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles artifacts
