"""Assent's shared layer, from the bottom up: core, model, crypto, repositories and adapters, services,
families, then the composition root (wiring, access); docs/architecture.md states the rule."""
