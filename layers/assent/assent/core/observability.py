"""Logging, tracing and metrics for every function, configured once (POWERTOOLS_* variables)."""

import os

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
metrics = Metrics()
# Powertools' Tracer loads the X-Ray SDK (some 150 ms of every cold start, `python -m bench cold_start`)
# even when tracing is off, so it is built only where the deployment turned tracing on (FunctionTracing).
tracer = Tracer() if os.environ.get("ASSENT_FUNCTION_TRACING") == "Active" else None
