"""The HTTP API (/v1) and the application that serves it with the web UI."""
