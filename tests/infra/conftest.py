"""The CDK app's package lives in infra/, which is not on the import path by default."""

from __future__ import annotations

import os
import sys

from tests.infra.support import INFRA_DIR

if str(INFRA_DIR) not in sys.path:
    sys.path.insert(0, str(INFRA_DIR))
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
