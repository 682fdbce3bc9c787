"""Build the stack for a CDK app from the configuration file named in context."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import aws_cdk as cdk
import cdk_nag

from .config import load_config
from .nag import add_suppressions
from .stack import MonitronSapStack

CONFIG_FILE_CONTEXT: Final = "configFile"
DEFAULT_CONFIG_FILE: Final = "appConfig.json"


def build_app(app: cdk.App, *, infra_dir: Path) -> MonitronSapStack:
    """Add the stack to ``app`` with cdk-nag's AwsSolutions checks; return the stack."""
    configured = app.node.try_get_context(CONFIG_FILE_CONTEXT) or DEFAULT_CONFIG_FILE
    config_path = Path(configured)
    if not config_path.is_absolute():
        config_path = infra_dir / config_path
    config = load_config(config_path)
    stack = MonitronSapStack(app, "MonitronSap", config=config, project_dir=infra_dir.parent)
    add_suppressions(stack)
    cdk.Validations.of(app).add_plugins(cdk_nag.AwsSolutionsChecks(app))
    return stack
