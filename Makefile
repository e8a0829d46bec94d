# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8089
export AIRFLOW_HOME ?= $(CURDIR)/.airflow

.PHONY: demo test sandbox constraints clean

$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt -c constraints.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(PY) include/demo.py

test: $(STAMP)
	$(PY) -m pytest

sandbox: $(STAMP)
	$(PY) -m bandwidth_sandbox --host 127.0.0.1 --port $(PORT)

# Re-resolve requirements.txt in a throwaway venv and write the lock.
constraints:
	rm -rf /tmp/bw-lock && $(PYTHON) -m venv /tmp/bw-lock
	/tmp/bw-lock/bin/pip install -q -r requirements.txt
	{ echo "# Our lock of every distribution, generated from a resolved install (the upstream constraints URL is"; \
	  echo "# unreachable here). Regenerate with: make constraints"; \
	  /tmp/bw-lock/bin/pip freeze --exclude-editable; } > constraints.txt

clean:
	rm -rf $(VENV) .airflow
