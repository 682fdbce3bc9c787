#!/usr/bin/env python3
"""Synthesize the monitron-sap stack from an ``appConfig.json`` file.

The file is ``appConfig.json`` beside this script unless the context key ``configFile`` names
another (``cdk synth -c configFile=../my/appConfig.json``). Synth needs no AWS account and no
context lookups. cdk-nag's AwsSolutions checks run on every synth.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from monitron_sap_infra.app import build_app

INFRA_DIR = Path(__file__).resolve().parent

if __name__ == "__main__":
    app = cdk.App()
    build_app(app, infra_dir=INFRA_DIR)
    app.synth()
