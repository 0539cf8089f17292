"""Assent's shared layer: the domain, its repositories and the HTTP conventions of each API family."""
