"""The store: SQLAlchemy models, the database (SQLite by default, PostgreSQL by URL), migrations
and the hash-chained audit trail."""

from interdiction.store.db import Database, StoreError

__all__ = ["Database", "StoreError"]
