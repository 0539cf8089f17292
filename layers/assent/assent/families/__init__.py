"""One module per API family: its documented wire format, success and error, and nothing else."""
