"""Running the service in production: security headers, request ids, metrics.

A platform module: it imports no domain app (pyproject.toml, import-linter)."""
