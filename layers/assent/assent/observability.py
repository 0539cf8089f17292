"""Logging, tracing and metrics for every function, configured once (POWERTOOLS_* variables)."""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer()
metrics = Metrics()
