"""The pip commands of the local bundler (not run: they need the package index)."""

from __future__ import annotations

from monitron_sap_infra.bundling import ASSET_EXCLUDES, pip_commands


def test_install_targets_lambda_platform() -> None:
    build, install = pip_commands("/src", "/out", "/wheels")

    assert build[-1] == "/src"
    assert "--no-deps" in build
    assert install[install.index("--platform") + 1] == "manylinux2014_aarch64"
    assert install[install.index("--python-version") + 1] == "3.12"
    assert install[install.index("--target") + 1] == "/out"
    assert "--only-binary=:all:" in install


def test_tests_and_infra_left_out() -> None:
    for excluded in ("tests", "infra", ".git", "cdk.out"):
        assert excluded in ASSET_EXCLUDES
