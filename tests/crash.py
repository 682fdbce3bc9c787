"""Simulate a process that dies in the middle of a call, for crash-and-rerun tests."""

from __future__ import annotations

from typing import Any


class SimulatedCrash(BaseException):
    """Raised where the process would die; a BaseException so that no handler catches it."""


class CrashingProxy:
    """Forward every attribute to ``target``, except that calling ``method`` dies around it."""

    def __init__(self, target: Any, method: str, *, after: bool) -> None:
        self._target = target
        self._method = method
        self._after = after

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if name != self._method:
            return attribute

        def crash(*args: Any, **kwargs: Any) -> Any:
            if not self._after:
                raise SimulatedCrash(f"died before {name}")
            attribute(*args, **kwargs)
            raise SimulatedCrash(f"died after {name}")

        return crash
