"""The service fixtures of tests/service, shared here: every web test runs on SQLite and on
PostgreSQL too."""

from service.conftest import (  # noqa: F401 - pytest finds fixtures by name
    app,
    client,
    database_url,
    org_a,
    org_b,
    service,
    service_settings,
)
