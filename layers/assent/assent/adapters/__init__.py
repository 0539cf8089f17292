"""Outside services a flow talks to besides its tables: SES mail, the deployment queue, identity providers."""
