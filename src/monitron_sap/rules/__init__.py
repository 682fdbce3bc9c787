"""Decisions about Monitron events and their reasons; pure functions without I/O."""

from monitron_sap.rules.decide import Action, Decision, decide, position_of
from monitron_sap.rules.settings import DEFAULT_PRIORITIES, RuleSettings

__all__ = ["DEFAULT_PRIORITIES", "Action", "Decision", "RuleSettings", "decide", "position_of"]
