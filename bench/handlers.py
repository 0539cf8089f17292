"""The handlers against moto, provisioned from template.yaml as the tests provision it, for the benchmarks
that call them (round trips, timing)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from moto import mock_aws

from assent_tools.template import function_environment, provision

# Imported for its setting of a fake AWS environment from template.yaml, as for the tests, and its helpers.
from tests import conftest


@contextmanager
def provisioned() -> Iterator[None]:
    """Moto with the template's tables, keys and identities, and the functions' environment aimed at them."""
    with mock_aws():
        physical_ids = provision(boto3.Session(), conftest.TEMPLATE, conftest.PARAMETERS)
        os.environ.update(function_environment(conftest.TEMPLATE, physical_ids, conftest.PARAMETERS))
        # The tables, not the handlers' logs and metrics.
        os.environ.update({"POWERTOOLS_LOG_LEVEL": "ERROR", "POWERTOOLS_METRICS_DISABLED": "true"})
        from assent import wiring

        wiring.reset()
        yield
