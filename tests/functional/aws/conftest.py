"""Fixtures for the functional AWS tests: one moto server per session, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.moto_server import aws_environment, moto_server


@pytest.fixture(scope="session")
def aws_credentials() -> Iterator[None]:
    yield from aws_environment()


@pytest.fixture(scope="session")
def moto_endpoint(aws_credentials: None) -> Iterator[str]:
    yield from moto_server()
