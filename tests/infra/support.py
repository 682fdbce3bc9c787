"""Synthesize the CDK app offline for the infrastructure tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support import REPO_ROOT

INFRA_DIR = REPO_ROOT / "infra"
CFN_LINT = Path(sys.executable).parent / "cfn-lint"
# CDK adds DependsOn entries that a GetAtt already implies; cfn-lint warns about them (W3005).
CFN_LINT_IGNORED = ("W3005",)


@dataclass(frozen=True)
class Synthesized:
    template: dict[str, Any]
    template_path: Path
    stack: Any
    missing_context: list[Any]


def synthesize(config_path: Path, out_dir: Path) -> Synthesized:
    """Synthesize the stack from ``config_path`` with a prepared code directory, no bundling.

    Synth raises when cdk-nag reports a finding that is not acknowledged.
    """
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    if str(INFRA_DIR) not in sys.path:
        sys.path.insert(0, str(INFRA_DIR))
    import aws_cdk as cdk
    from monitron_sap_infra.app import build_app
    from monitron_sap_infra.bundling import CODE_ASSET_CONTEXT

    code_dir = out_dir / "code"
    code_dir.mkdir()
    (code_dir / "placeholder.py").write_text("# stands in for the bundled package\n")
    app = cdk.App(
        context={"configFile": str(config_path), CODE_ASSET_CONTEXT: str(code_dir)},
        outdir=str(out_dir / "cdk.out"),
    )
    stack = build_app(app, infra_dir=INFRA_DIR)
    assembly = app.synth()
    artifact = assembly.get_stack_artifact(stack.artifact_id)
    template_path = Path(assembly.directory) / artifact.template_file
    manifest = json.loads((Path(assembly.directory) / "manifest.json").read_text())
    return Synthesized(
        json.loads(template_path.read_text()),
        template_path,
        stack,
        manifest.get("missing", []),
    )


def cfn_lint_findings(template_path: Path) -> list[dict[str, Any]]:
    """Run cfn-lint on the template and return its findings as JSON objects."""
    if not CFN_LINT.exists():
        pytest.fail(f"cfn-lint is not installed beside {sys.executable}")
    result = subprocess.run(
        [
            str(CFN_LINT),
            "--format",
            "json",
            "--ignore-checks",
            *CFN_LINT_IGNORED,
            "--",
            str(template_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    findings: list[dict[str, Any]] = json.loads(result.stdout or "[]")
    return findings


def resources_of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {
        name: resource
        for name, resource in template["Resources"].items()
        if resource["Type"] == kind
    }


def policy_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    for policy in resources_of_type(template, "AWS::IAM::Policy").values():
        statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
