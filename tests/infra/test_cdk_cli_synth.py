"""`cdk synth` through the real CDK CLI, with no AWS credentials and no network.

The CLI is the aws-cdk npm package in ``.cdk-cli`` at the repository root, which ``.ci/run``
installs (``npm install --prefix .cdk-cli aws-cdk@2``). Without it the test is skipped, unless
``MONITRON_SAP_REQUIRE_CDK_CLI=1`` (set by CI) makes its absence a failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.infra.support import INFRA_DIR, resources_of_type
from tests.support import REPO_ROOT, shared_path

CDK_CLI = REPO_ROOT / ".cdk-cli" / "node_modules" / ".bin" / "cdk"
REQUIRE_CDK_CLI_ENV = "MONITRON_SAP_REQUIRE_CDK_CLI"
# A loopback port that nothing listens on: a request that honors the proxy variables fails at
# once instead of reaching the internet.
DEAD_PROXY = "http://127.0.0.1:9"
SYNTH_TIMEOUT_SECONDS = 300
# The CLI writes the values of context lookups here.
CONTEXT_FILE = INFRA_DIR / "cdk.context.json"


@dataclass(frozen=True)
class CliSynth:
    result: subprocess.CompletedProcess[str]
    out_dir: Path
    context_file_before: str | None
    context_file_after: str | None


def cdk_cli() -> Path:
    if CDK_CLI.exists():
        return CDK_CLI
    message = (
        f"CDK CLI not found at {CDK_CLI}; install it with "
        "`npm install --prefix .cdk-cli aws-cdk@2` from the repository root"
    )
    if os.environ.get(REQUIRE_CDK_CLI_ENV) == "1":
        pytest.fail(message)
    pytest.skip(message)


def offline_environment(home: Path) -> dict[str, str]:
    """Build an environment with no AWS credentials or settings and a proxy that fails fast."""
    # jsii's cache of unpacked packages contains no credential, and reusing it saves unpacking
    # aws-cdk-lib again on every run.
    jsii_cache = os.environ.get("JSII_RUNTIME_PACKAGE_CACHE_ROOT") or str(
        Path.home() / ".cache" / "aws" / "jsii" / "package-cache"
    )
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "CDK_"))
        and name.lower() not in ("http_proxy", "https_proxy", "no_proxy")
    }
    environment.update(
        {
            "HOME": str(home),
            "CDK_HOME": str(home / ".cdk"),
            "AWS_CONFIG_FILE": str(home / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "CDK_DISABLE_VERSION_CHECK": "1",
            "CDK_DISABLE_CLI_TELEMETRY": "1",
            "HTTP_PROXY": DEAD_PROXY,
            "HTTPS_PROXY": DEAD_PROXY,
            "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
            "JSII_RUNTIME_PACKAGE_CACHE_ROOT": jsii_cache,
        }
    )
    return environment


@pytest.fixture(scope="module")
def cli_synth(tmp_path_factory: pytest.TempPathFactory) -> CliSynth:
    cli = cdk_cli()
    config = shared_path("samples/seed/appConfig.json")

    work_dir = tmp_path_factory.mktemp("cdk-cli")
    home = work_dir / "home"
    home.mkdir()
    code_dir = work_dir / "code"
    code_dir.mkdir()
    (code_dir / "placeholder.py").write_text("# stands in for the bundled package\n")
    out_dir = work_dir / "cdk.out"

    command = [
        str(cli),
        "synth",
        "--app",
        f"{sys.executable} app.py",
        "--output",
        str(out_dir),
        "--context",
        f"configFile={config}",
        "--context",
        f"monitron-sap:codeAsset={code_dir}",
        "--no-notices",
        "--no-lookups",
        "--quiet",
    ]
    # --no-lookups makes the synth fail if the app needs a value from an AWS account.
    context_file_before = read_text_if_present(CONTEXT_FILE)
    result = subprocess.run(
        command,
        cwd=INFRA_DIR,
        env=offline_environment(home),
        capture_output=True,
        text=True,
        timeout=SYNTH_TIMEOUT_SECONDS,
        check=False,
    )
    return CliSynth(result, out_dir, context_file_before, read_text_if_present(CONTEXT_FILE))


def read_text_if_present(path: Path) -> str | None:
    return path.read_text() if path.exists() else None


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())


def test_cli_synth_succeeds(cli_synth: CliSynth) -> None:
    assert cli_synth.result.returncode == 0, cli_synth.result.stderr


def test_cli_synth_writes_template(cli_synth: CliSynth) -> None:
    template = read_json(cli_synth.out_dir / "MonitronSap.template.json")
    functions = resources_of_type(template, "AWS::Lambda::Function")
    handlers = {function["Properties"].get("Handler") for function in functions.values()}

    assert "monitron_sap.aws.handlers.sqs_handler" in handlers
    assert resources_of_type(template, "AWS::DynamoDB::Table")


def test_cli_synth_needs_no_lookups(cli_synth: CliSynth) -> None:
    manifest = read_json(cli_synth.out_dir / "manifest.json")

    assert manifest.get("missing", []) == []
    assert cli_synth.context_file_after == cli_synth.context_file_before


def test_cli_synth_environment_from_config(cli_synth: CliSynth) -> None:
    config = read_json(shared_path("samples/seed/appConfig.json"))
    expected = f"aws://{config['env']['account']}/{config['env']['region']}"
    manifest = read_json(cli_synth.out_dir / "manifest.json")

    # With no credentials the CLI cannot know an account: it must come from appConfig.json.
    assert manifest["artifacts"]["MonitronSap"]["environment"] == expected
