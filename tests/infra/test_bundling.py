"""The local bundler's pip commands and wheelhouse option (pip itself is not run here)."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from monitron_sap_infra.bundling import (
    ASSET_EXCLUDES,
    WHEELHOUSE_CONTEXT,
    pip_commands,
    wheelhouse_from_context,
)


def test_install_targets_lambda_platform() -> None:
    build, install = pip_commands("/src", "/out", "/wheels")

    assert build[-1] == "/src"
    assert "--no-deps" in build
    assert install[install.index("--platform") + 1] == "manylinux2014_aarch64"
    assert install[install.index("--python-version") + 1] == "3.12"
    assert install[install.index("--target") + 1] == "/out"
    assert "--only-binary=:all:" in install


def test_default_uses_package_index() -> None:
    for command in pip_commands("/src", "/out", "/wheels"):
        assert "--no-index" not in command
        assert "--find-links" not in command


def test_wheelhouse_replaces_package_index() -> None:
    for command in pip_commands("/src", "/out", "/wheels", "/wheelhouse"):
        assert "--no-index" in command
        assert command[command.index("--find-links") + 1] == "/wheelhouse"


def test_wheelhouse_context_resolved(tmp_path: Path) -> None:
    app = cdk.App(context={WHEELHOUSE_CONTEXT: str(tmp_path)})
    stack = cdk.Stack(app, "Probe")

    assert wheelhouse_from_context(stack) == tmp_path.resolve()


def test_wheelhouse_context_absent() -> None:
    stack = cdk.Stack(cdk.App(), "Probe")

    assert wheelhouse_from_context(stack) is None


def test_missing_wheelhouse_rejected(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-wheelhouse"
    app = cdk.App(context={WHEELHOUSE_CONTEXT: str(missing)})
    stack = cdk.Stack(app, "Probe")

    with pytest.raises(ValueError) as raised:
        wheelhouse_from_context(stack)

    assert str(missing) in str(raised.value)


def test_tests_and_infra_left_out() -> None:
    for excluded in ("tests", "infra", ".git", "cdk.out"):
        assert excluded in ASSET_EXCLUDES
