"""The Lambda code asset, bundled on the machine that runs ``cdk synth``, without Docker.

The bundler builds a wheel of the project, then installs it with its dependencies for the Lambda
platform (Linux, arm64, CPython 3.12) using binary wheels only, so no compiler is needed and the
machine's own architecture does not matter. By default pip downloads from the package index.

Two context keys make the synth work without the package index:

- ``monitron-sap:wheelhouse=DIR``: pip runs with ``--no-index --find-links DIR``, so every wheel
  (the build backend setuptools and wheel, and every runtime dependency for the Lambda platform)
  must be in DIR.
- ``monitron-sap:codeAsset=DIR``: DIR is used as the code as it is and nothing is bundled. Tests
  use it with a placeholder directory to synthesize the template quickly.
"""

from __future__ import annotations

import glob
import logging
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Final

import aws_cdk as cdk
import jsii
from aws_cdk import aws_lambda as lambda_

logger = logging.getLogger(__name__)

CODE_ASSET_CONTEXT: Final = "monitron-sap:codeAsset"
WHEELHOUSE_CONTEXT: Final = "monitron-sap:wheelhouse"
LAMBDA_PLATFORM: Final = "manylinux2014_aarch64"
LAMBDA_PYTHON_VERSION: Final = "3.12"
# The files the wheel is built from, relative to the project root.
PROJECT_FILES: Final = ("pyproject.toml", "README.md", "src")
# Paths under the project root that never belong in the Lambda package.
ASSET_EXCLUDES: Final = [
    ".git",
    ".venv",
    "venv",
    "**/__pycache__",
    "**/*.pyc",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "cdk.out",
    "infra",
    "tests",
    "benchmarks",
    "docs",
    "build",
    "dist",
]


def pip_commands(
    project_dir: str, output_dir: str, wheel_dir: str, wheelhouse: str | None = None
) -> list[list[str]]:
    """Return the two pip commands: build the project wheel, install it for the Lambda.

    With ``wheelhouse`` both commands run with ``--no-index``, so pip takes wheels from that
    directory (and from any ``find-links`` in the pip configuration), never from an index.
    """
    index_options = ["--no-index", "--find-links", wheelhouse] if wheelhouse else []
    return [
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            *index_options,
            "--wheel-dir",
            wheel_dir,
            project_dir,
        ],
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--target",
            output_dir,
            "--platform",
            LAMBDA_PLATFORM,
            "--implementation",
            "cp",
            "--python-version",
            LAMBDA_PYTHON_VERSION,
            "--only-binary=:all:",
            "--upgrade",
            "--no-compile",
            *index_options,
            "WHEEL",  # replaced by the wheel path once it is built
        ],
    ]


@jsii.implements(cdk.ILocalBundling)
class PipLocalBundling:
    """Bundle the project with pip on the synth machine (CDK calls ``try_bundle``)."""

    def __init__(self, project_dir: Path, wheelhouse: Path | None = None) -> None:
        self._project_dir = project_dir
        self._wheelhouse = wheelhouse

    def try_bundle(self, output_dir: str, options: cdk.BundlingOptions) -> bool:
        """Bundle into ``output_dir``; jsii passes the bundling options as one struct."""
        with tempfile.TemporaryDirectory(prefix="monitron-sap-wheel-") as work_dir:
            # setuptools writes build/ and *.egg-info beside the sources, so build from a copy.
            source_dir = Path(work_dir) / "project"
            source_dir.mkdir()
            for name in PROJECT_FILES:
                original = self._project_dir / name
                if original.is_dir():
                    ignored = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
                    shutil.copytree(original, source_dir / name, ignore=ignored)
                else:
                    shutil.copy2(original, source_dir / name)
            wheel_dir = str(Path(work_dir) / "wheels")
            wheelhouse = str(self._wheelhouse) if self._wheelhouse else None
            build, install = pip_commands(str(source_dir), output_dir, wheel_dir, wheelhouse)
            subprocess.run(build, check=True)
            wheels = glob.glob(str(Path(wheel_dir) / "monitron_sap-*.whl"))
            if len(wheels) != 1:
                raise RuntimeError(
                    f"expected one monitron_sap wheel in {wheel_dir}, found {wheels}"
                )
            install[-1] = wheels[0]
            subprocess.run(install, check=True)
        return True


def lambda_code(scope: cdk.Stack, project_dir: Path) -> lambda_.Code:
    """Return the code asset: a prepared directory from context, else a local pip bundle."""
    prepared = scope.node.try_get_context(CODE_ASSET_CONTEXT)
    if prepared:
        return lambda_.Code.from_asset(str(prepared))
    wheelhouse = wheelhouse_from_context(scope)
    return lambda_.Code.from_asset(
        str(project_dir),
        exclude=ASSET_EXCLUDES,
        bundling=cdk.BundlingOptions(
            # The image is required by the API but never pulled: local bundling always succeeds
            # or raises, so Docker is not used.
            image=lambda_.Runtime.PYTHON_3_12.bundling_image,
            # The stubs declare try_bundle with keyword options, but jsii calls it with one
            # positional struct (aws-cdk-lib 2.275, jsii 1.142), which the class follows.
            local=PipLocalBundling(project_dir, wheelhouse),  # type: ignore[arg-type]
            command=["false"],
        ),
    )


def wheelhouse_from_context(scope: cdk.Stack) -> Path | None:
    """Return the wheelhouse directory named in context, or None to use the package index.

    A relative path is taken from the directory ``cdk`` runs in. Raises ``ValueError`` when the
    directory does not exist, before any pip command runs.
    """
    configured = scope.node.try_get_context(WHEELHOUSE_CONTEXT)
    if not configured:
        return None
    wheelhouse = Path(str(configured)).resolve()
    if not wheelhouse.is_dir():
        raise ValueError(
            f"context {WHEELHOUSE_CONTEXT}={configured}: wheelhouse directory {wheelhouse} "
            "not found. Fill it with pip download as docs/deploy.md describes, or leave out "
            "the key to bundle from the package index."
        )
    return wheelhouse
