"""The flows: each service takes its repositories, adapters and clock, and knows nothing of HTTP."""
