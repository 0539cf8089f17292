"""The bottom layer: settings, the clock, domain errors, HTTP conventions, observability and AWS handles."""
