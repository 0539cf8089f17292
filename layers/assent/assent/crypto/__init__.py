"""Signatures, tokens and secrets: P-256, wallets (EIP-191, EIP-55, SIWE), JWTs, one-time codes, API keys."""
