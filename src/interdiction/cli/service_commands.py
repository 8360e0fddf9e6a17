"""Commands for the review service: ``serve`` it, administer organisations, users and API keys,
export statements of reasons, verify the audit trail and apply database migrations.

Exit codes: 0 done; 1 the command ran but could not do it (exists already, not found, the audit
chain is broken, a statement failed validation); 2 unusable input, settings or database, or the
port is taken."""

from __future__ import annotations

import errno
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from alembic.runtime.migration import MigrationContext
from pydantic import ValidationError
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError

from interdiction.auth.policy import NotFound, Principal, Role
from interdiction.cli.render import stderr_console
from interdiction.review.demo import USERS as DEMO_USERS
from interdiction.review.demo import DemoResult, bootstrap_demo
from interdiction.review.schemas import ApiKeyIn, UserIn
from interdiction.review.service import Conflict, Invalid, ReviewService
from interdiction.review.sor import export_statements
from interdiction.settings import Settings, SettingsError
from interdiction.store.db import Database, StoreError

EXIT_NOT_DONE = 1
EXIT_UNUSABLE = 2
SLUG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def fail(message: str, code: int = EXIT_UNUSABLE) -> typer.Exit:
    """One line on stderr (drivers' messages span several) and the exit code to raise."""
    one_line = " ".join(message.split())
    stderr_console().print(
        f"[bold red]error:[/] {escape(one_line)}", highlight=False, soft_wrap=True
    )
    return typer.Exit(code)


def load_settings() -> Settings:
    try:
        return Settings.load()
    except SettingsError as exc:
        raise fail(str(exc)) from exc


def open_database(settings: Settings, migrate: bool = True) -> Database:
    try:
        return Database.open(settings, migrate=migrate)
    except StoreError as exc:
        raise fail(str(exc)) from exc
    except SQLAlchemyError as exc:  # e.g. a database URL SQLAlchemy cannot parse or load
        raise fail(f"INTERDICTION_DATABASE_URL: {exc}") from exc


@contextmanager
def review_service() -> Iterator[ReviewService]:
    """The review service on the configured store, with the errors it raises turned into one
    clear line and an exit code."""
    settings = load_settings()
    service = ReviewService(settings, open_database(settings))
    try:
        yield service
    except (NotFound, Conflict, Invalid) as exc:
        raise fail(str(exc), EXIT_NOT_DONE) from exc
    except ValidationError as exc:
        raise fail(_validation_message(exc)) from exc
    except SQLAlchemyError as exc:
        raise fail(f"database {service.db.safe_url}: {exc.__class__.__name__}: {exc}") from exc
    finally:
        service.db.close()


def _validation_message(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}".removeprefix("Value error, ")
        for e in exc.errors()
    )


# ---------------------------------------------------------------- serve
def serve_command(
    host: Annotated[str, typer.Option(help="address to listen on (0.0.0.0: every interface)")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port (0: any free one)")] = 8000,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo/--no-demo",
            help="create the demo organisation and users and load the bundled sample first",
        ),
    ] = False,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="log every request")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="server processes sharing the port (more than one needs PostgreSQL)",
        ),
    ] = 1,
) -> None:
    """Run the review service: the web UI for reviewers and the /v1 HTTP API."""
    import uvicorn

    from interdiction.server import create_app

    settings = load_settings()
    if workers > 1 and not settings.resolved_database_url.startswith("postgresql"):
        # SQLite serialises writers across processes with errors instead of waiting when a
        # reading transaction wants to write; one process takes its writers in turn instead.
        raise fail("--workers above 1 needs PostgreSQL (INTERDICTION_DATABASE_URL)")
    listener = _listen(host, port)  # before the slow start-up, so a taken port fails at once
    url = _url(host, listener.getsockname()[1])
    with listener, review_service() as service:
        if demo:
            _print_demo(bootstrap_demo(service, settings.data_dir), url)
        service.screener  # noqa: B018 - load the screener now, not on the first request
        typer.echo(f"Interdiction review service on {url} (API: {url}docs); stop with Ctrl+C")
        options = {
            "host": host,
            "port": listener.getsockname()[1],
            "access_log": access_log,
            "log_level": "info",
        }
        if workers == 1:
            config = uvicorn.Config(create_app(settings, service), **options)
            uvicorn.Server(config).run(sockets=[listener])
            return
        from uvicorn.supervisors import Multiprocess

        # Each process builds its own app (and screener) from the same settings.
        config = uvicorn.Config(
            "interdiction.server:create_app", factory=True, workers=workers, **options
        )
        Multiprocess(config, sockets=[listener]).run()


def _listen(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise fail(f"--host {host}: {exc.strerror}") from exc
    listener = socket.socket(family, kind, proto)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(address)
        listener.listen(2048)
    except OSError as exc:
        listener.close()
        if exc.errno == errno.EADDRINUSE:
            raise fail(
                f"port {port} on {host} is in use by another program; choose another with --port"
            ) from exc
        raise fail(f"cannot listen on {host} port {port}: {exc.strerror}") from exc
    return listener


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else "[::1]" if host == "::" else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def _print_demo(result: DemoResult, url: str) -> None:
    others = ", ".join(name for name in DEMO_USERS if name != "demo-reviewer")
    if result.stored or result.notices or result.decisions:
        loaded = (
            f"{result.stored} of {result.listings} sample listings screened and stored, "
            f"{result.notices} notices and {result.decisions} decisions added"
        )
    else:
        loaded = "its sample was loaded on an earlier start"
    typer.echo(f"Demo organisation '{result.organisation}': {loaded}.")
    typer.echo(f"  Queue     {result.queue} items wait for review")
    typer.echo(f"  Open      {url}")
    if result.password is None:
        typer.echo(
            f"  Log in    demo-reviewer (or {others}); the password file {result.password_file} "
            "is missing: the demo users were created with another data directory"
        )
        return
    typer.echo(f"  Log in    demo-reviewer   password {result.password}")
    typer.echo(f"            (the same password for {others})")
    typer.echo(f"  Password  kept in {result.password_file}")


# ---------------------------------------------------------------- organisations, users, keys
org_app = typer.Typer(help="Organisations.", no_args_is_help=True)
user_app = typer.Typer(
    help="Users: people who log in, or accounts that hold API keys.", no_args_is_help=True
)
key_app = typer.Typer(help="API keys for machines.", no_args_is_help=True)


@org_app.command("create")
def org_create(
    slug: Annotated[str, typer.Argument(help="short name: lower-case letters, digits, -")],
    name: Annotated[str, typer.Argument(help="full name")],
) -> None:
    """Create an organisation."""
    if not (1 <= len(slug) <= 64 and set(slug) <= SLUG_CHARS and not slug.startswith("-")):
        raise fail(f"slug {slug!r}: use 1 to 64 lower-case letters, digits and -")
    if not 1 <= len(name.strip()) <= 200:
        raise fail("the name needs 1 to 200 characters")
    with review_service() as service:
        org = service.bootstrap_organisation(slug, name.strip())
    typer.echo(f"created organisation {org.slug} ({org.name}), id {org.id}")


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Argument(help="login name: letters, digits, _ . @ -")],
    org: Annotated[str, typer.Option("--org", help="the organisation's slug")],
    role: Annotated[Role, typer.Option("--role", help="what the user may do")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
    display_name: Annotated[str, typer.Option(help="name shown in the UI")] = "",
    email: Annotated[str | None, typer.Option(help="e-mail address")] = None,
) -> None:
    """Create a user with a password (asked for on a terminal, or read with --password-stdin)."""
    with review_service() as service:
        organisation = service.organisation_by_slug(org)
        data = UserIn(
            username=username,
            role=role,
            display_name=display_name,
            email=email,
            password=_read_password(password_stdin),
        )
        user = service.bootstrap_user(organisation.id, data)
    typer.echo(f"created user {user.username} ({user.role}) in {org}, id {user.id}")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        raise fail("no terminal to ask for the password: pipe it in with --password-stdin")
    if not password:
        raise fail("the password is empty")
    return password


@key_app.command("create")
def key_create(
    name: Annotated[str, typer.Argument(help="what the key is for, e.g. 'listing pipeline'")],
    org: Annotated[str, typer.Option("--org", help="the organisation's slug")],
    user: Annotated[str, typer.Option("--user", help="the username the key acts as")],
) -> None:
    """Create an API key; it is printed once (on stdout, alone), only its hash is kept."""
    with review_service() as service:
        organisation = service.organisation_by_slug(org)
        owner = service.user_by_username(organisation.id, user)
        data = ApiKeyIn(name=name)
        key, secret = service.bootstrap_api_key(organisation.id, owner.id, data.name)
    stderr_console().print(
        f"API key {escape(key.name)!r} for {escape(owner.username)} ({owner.role}), prefix "
        f"{key.prefix}: shown once, store it now.",
        highlight=False,
        soft_wrap=True,
    )
    typer.echo(secret)


# ---------------------------------------------------------------- statements, audit, database
sor_app = typer.Typer(help="DSA statements of reasons.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]


@sor_app.command("export")
def sor_export(
    org: Annotated[str, typer.Option("--org", help="the organisation's slug")],
    out: Annotated[Path, typer.Option("--out", help="JSON lines, one batch of <= 100 a line")],
    since: Annotated[
        datetime | None,
        typer.Option(formats=DATE_FORMATS, help="decisions made from this day (UTC) on"),
    ] = None,
    until: Annotated[
        datetime | None, typer.Option(formats=DATE_FORMATS, help="decisions made before this")
    ] = None,
    include_exported: Annotated[
        bool, typer.Option("--include-exported", help="also decisions exported before")
    ] = False,
    mark_exported: Annotated[
        bool, typer.Option("--mark-exported", help="mark them exported: the next run skips them")
    ] = False,
) -> None:
    """Export restricting decisions as DSA Transparency Database (v2) statements of reasons,
    each validated first; exit 1 when some failed validation (they are listed, not written)."""
    with review_service() as service:
        organisation = service.organisation_by_slug(org)
        try:
            summary = export_statements(
                service,
                command_line_principal(organisation.id),
                out,
                since=since,
                until=until,
                include_exported=include_exported,
                mark_exported=mark_exported,
            )
        except OSError as exc:
            raise fail(f"cannot write {out}: {exc.strerror or exc}") from exc
    marked = f"; {summary.marked} decisions marked exported" if mark_exported else ""
    batches = f"{summary.batches} batch{'' if summary.batches == 1 else 'es'}"
    typer.echo(f"wrote {summary.exported} statements in {batches} to {out}{marked}")
    if summary.problems:
        typer.echo(f"{len(summary.invalid)} decisions not exported, their statements are invalid:")
        for problem in summary.problems:
            typer.echo(f"  {problem}")
        raise typer.Exit(EXIT_NOT_DONE)


def command_line_principal(org_id: str) -> Principal:
    """Whoever runs the command line can read the database anyway; they act for the
    organisation with an auditor's rights (the least that may export) and are audited as the
    command line."""
    return Principal(
        user_id="", username="cli", org_id=org_id, role=Role.AUDITOR, via="command line"
    )


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit chain: exit 0 when intact, 1 with the problems when not."""
    with review_service() as service:
        result = service.verify_audit()
    if result.ok:
        typer.echo(f"{result.events} events, chain intact, head {result.head_hash}")
        return
    typer.echo(f"{result.events} events, chain BROKEN ({len(result.problems)} problems):")
    for problem in result.problems:
        typer.echo(f"  {problem}")
    raise typer.Exit(EXIT_NOT_DONE)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (the service also does this when it starts)."""
    database = open_database(load_settings(), migrate=False)
    try:
        before = _revision(database)
        database.migrate()
        after = _revision(database)
    except StoreError as exc:
        raise fail(str(exc)) from exc
    finally:
        database.close()
    change = "up to date" if before == after else f"upgraded from {before or 'empty'}"
    typer.echo(f"database {database.safe_url} at revision {after} ({change})")


def _revision(database: Database) -> str | None:
    try:
        with database.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open the database {database.safe_url}: {exc}") from exc


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
    app.add_typer(org_app, name="org")
    app.add_typer(user_app, name="user")
    app.add_typer(key_app, name="key")
    app.add_typer(sor_app, name="sor")
    app.add_typer(audit_app, name="audit")
    app.add_typer(db_app, name="db")
