"""Alembic environment: runs on the connection handed over by ``Database.migrate`` (or, from the
alembic command line, on ``sqlalchemy.url``)."""

from alembic import context
from sqlalchemy import create_engine

from interdiction.store.models import Base

config = context.config
connection = config.attributes.get("connection")


def run(conn) -> None:
    context.configure(
        connection=conn,
        target_metadata=Base.metadata,
        render_as_batch=conn.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:
    with create_engine(config.get_main_option("sqlalchemy.url")).connect() as conn:
        run(conn)
        conn.commit()
