"""What every app's ``api/`` package shares: the error body, pagination and
the money field. One way to do each, documented in docs/api.md."""
