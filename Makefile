# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8089
export AIRFLOW_HOME ?= $(CURDIR)/.airflow
# Python keeps the compiled bytecode of our package, the sandbox and the tests (__pycache__/, not committed), as it
# does in a deployment where the provider is installed: with PYTHONDONTWRITEBYTECODE set (as on this machine kind),
# every task process, parse and component would compile them from source again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: demo test test-unit test-ha lint sandbox constraints clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt -r requirements-dev.txt -c constraints.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(PY) include/demo.py

# The suite on TEST_WORKERS pytest-xdist workers, one module per worker at a time, the modules that start real
# Airflow components in two units of their own, longest first (tests/conftest.py). TEST_WORKERS=0: one process.
TEST_WORKERS ?= 4
test: $(STAMP)
	$(PY) -m pytest -m "not ha" $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder)

# Two schedulers, triggerers and Celery workers on PostgreSQL + Redis, one of each SIGKILLed during a
# 10,000-number import (tests/deployment/test_ha.py). .ci/run runs it after make test.
test-ha: $(STAMP)
	$(PY) -m pytest -m ha

# The fast tests: every module's unit tests and the sandbox's, no Airflow component, no browser, no DAG run
# (the dag.test() scenarios of tests/dags, the deployment, browser and bench tests and the several-minute outage
# scenario are in make test).
test-unit: $(STAMP)
	$(PY) -m pytest -m "not integration and not ha and not slow" --ignore=tests/dags --ignore=tests/deployment --ignore=tests/ui \
		--ignore=tests/bench

# ruff (lint and format) on the whole tree; mypy on the package, --strict on the client, hooks and base modules.
LINT_PATHS := plugins dags include tests bench scripts
STRICT_PATHS := plugins/bandwidth_hosted_messaging/client plugins/bandwidth_hosted_messaging/hooks \
	plugins/bandwidth_hosted_messaging/statuses.py plugins/bandwidth_hosted_messaging/contracts.py \
	plugins/bandwidth_hosted_messaging/constants.py
lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(LINT_PATHS)
	$(VENV)/bin/mypy plugins/bandwidth_hosted_messaging
	$(VENV)/bin/mypy --strict $(STRICT_PATHS)

# make sandbox [PORT=8089] [ORDER_SECONDS=3] [FAULTS='[{"kind": "429", "rate": 0.2}]']
sandbox: $(STAMP)
	PYTHONPATH=include $(PY) -m bandwidth_sandbox --host 127.0.0.1 --port $(PORT) $(if $(ORDER_SECONDS),--order-seconds $(ORDER_SECONDS)) $(if $(FAULTS),--faults '$(FAULTS)')

# Re-resolve requirements.txt in a throwaway venv and write the lock.
constraints:
	rm -rf /tmp/bw-lock && $(PYTHON) -m venv /tmp/bw-lock
	/tmp/bw-lock/bin/pip install -q -r requirements.txt -r requirements-dev.txt
	{ echo "# Our lock of every distribution, generated from a resolved install (the upstream constraints URL is"; \
	  echo "# unreachable here). Regenerate with: make constraints"; \
	  /tmp/bw-lock/bin/pip freeze --exclude-editable; } > constraints.txt

clean:
	rm -rf $(VENV) .airflow

# Airflow with its UI on this machine: api-server, scheduler, dag-processor, triggerer and the Bandwidth
# sandbox as our own processes (SQLite in .airflow/local; AIRFLOW_DB=postgresql://... for PostgreSQL).
# `make airflow PORT=8080 SANDBOX_PORT=8089`; login admin/admin; Ctrl-C stops everything. See the README's "Deployment".
.PHONY: airflow
airflow: PORT = 8080
airflow: SANDBOX_PORT ?= 8089
airflow: $(STAMP)
	$(PY) scripts/airflow_local.py --home $(CURDIR)/.airflow/local --port $(PORT) --sandbox-port $(SANDBOX_PORT) $(if $(AIRFLOW_DB),--db "$(AIRFLOW_DB)")

# The benchmark (docs/bench.md): DAG parse times and the task start cost; 100, 1,000 and 10,000 numbers through
# Airflow's real components against the sandbox's processing time, a plain sequential script and a concurrent one;
# API calls against the minimum; worker slots while waiting; the resume latency; the triggerer with 10,000 waiting
# orders; 10,000 to 100,000 numbers through the report and the status page (bench/scale.py). JSON on stdout, a table
# on stderr, both kept in .airflow/bench/. Not part of `make test` (tests/bench holds a small smoke run).
.PHONY: bench
bench: $(STAMP)
	@$(PY) -m bench.run
