# Sourced by run-demo.sh and run-tests.sh with the extras to install in $extras (for example
# "charts" or "test,infra,charts"). Creates .venv with Python 3.11 or newer, then installs the
# project in editable mode with those extras, again only when pyproject.toml has changed since.
python_bin="${PYTHON:-python3}"
if ! "$python_bin" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "monitron-sap needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    echo "Creating .venv with $("$python_bin" --version) ..." >&2
    "$python_bin" -m venv .venv
fi
stamp=".venv/.monitron-sap-installed-${extras//,/-}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "Installing monitron-sap[$extras] into .venv (once for these extras, again when pyproject.toml changes) ..." >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[$extras]"
    touch "$stamp"
fi
