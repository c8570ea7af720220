"""The ``watcher`` command line: parse, make one library call, format."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click
from sqlalchemy.exc import SQLAlchemyError

from watcher import __version__
from watcher import settings as settings_module
from watcher.check import CheckResult
from watcher.errors import WatcherError
from watcher.records import WatchState
from watcher.runtime import Runtime
from watcher.settings import Settings
from watcher.watchlist import dump_watchlist, format_interval, make_spec, parse_watchlist

# The largest --limit: far above any history, and within SQLite's integers.
MAX_LIMIT = 1_000_000_000

P = ParamSpec("P")
R = TypeVar("R")


def _fail_cleanly(func: Callable[P, R]) -> Callable[P, R]:
    """Turn watcher's own errors into one clear line and exit status 1."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except WatcherError as exc:
            raise click.ClickException(str(exc)) from exc
        except SQLAlchemyError as exc:  # one the store did not foresee: still one line
            raise click.ClickException(f"database error: {exc}") from exc

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="watcher")
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="WATCHER_HOME",
    help="Data directory (default ~/.watcher; env WATCHER_HOME).",
)
@click.option("--db", "database_url", help="SQLAlchemy database URL (env WATCHER_DATABASE_URL).")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file (default <home>/watcher.toml).",
)
@click.option(
    "--fixtures", is_flag=True, help="Serve the bundled snapshots/ instead of the network."
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.pass_context
def cli(
    ctx: click.Context,
    home: Path | None,
    database_url: str | None,
    config_path: Path | None,
    fixtures: bool,
    verbose: int,
) -> None:
    """Follow release-news articles and report what their claims say.

    \b
    Example:
      watcher add https://news.example/tv/all-of-us-are-dead-season-2-tracker --every 6h
      watcher check --all
      watcher digest
    """
    # The service logs warnings; one-shot commands print their own results, so
    # their per-request warnings would only repeat them unless -v asks for more.
    quiet = ctx.invoked_subcommand not in ("run", "worker")
    level = (logging.ERROR if quiet and not verbose else logging.WARNING) - 10 * verbose
    logging.basicConfig(
        level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s"
    )
    ctx.ensure_object(dict)
    ctx.obj["options"] = {
        "home": home,
        "config_path": config_path,
        "database_url": database_url,
        "overrides": {"fixtures": True} if fixtures else {},
    }


def _settings(ctx: click.Context) -> Settings:
    options: dict[str, Any] = ctx.find_root().obj["options"]
    try:
        return settings_module.load(**options)
    except WatcherError as exc:
        raise click.ClickException(str(exc)) from exc


@contextmanager
def _runtime(ctx: click.Context) -> Iterator[Runtime]:
    try:
        runtime = Runtime.open(_settings(ctx))
    except WatcherError as exc:
        raise click.ClickException(str(exc)) from exc
    with runtime:
        yield runtime


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _watch_json(watch: WatchState) -> dict[str, object]:
    return {
        "id": watch.id,
        "url": watch.url,
        "name": watch.name,
        "every": format_interval(watch.every_seconds),
        "tags": list(watch.tags),
        "last_checked": watch.last_checked_at.isoformat() if watch.last_checked_at else None,
        "last_outcome": watch.last_outcome,
        "last_error": watch.last_error,
    }


# ---------------------------------------------------------------- the watch list


@cli.command()
@click.argument("url")
@click.option("--name", help="A short name (default: host/last path segment).")
@click.option("--every", help="Check interval: 30m, 6h, 1d, 1w (default: setting default_every).")
@click.option("--selector", help="CSS selector of the article on the page.")
@click.option(
    "--tag", "tags", multiple=True, help="A tag (repeatable); notifications can follow tags."
)
@click.option("--no-robots", is_flag=True, help="Do not obey robots.txt for this watch.")
@click.pass_context
@_fail_cleanly
def add(
    ctx: click.Context,
    url: str,
    name: str | None,
    every: str | None,
    selector: str | None,
    tags: tuple[str, ...],
    no_robots: bool,
) -> None:
    """Add URL to the watch list.

    Example: watcher add https://news.example/tv/show-season-2 --every 6h --tag tv
    """
    with _runtime(ctx) as rt:
        spec = make_spec(
            url,
            name=name,
            every=every if every is not None else rt.settings.default_every,
            selector=selector,
            tags=list(tags),
            obey_robots=not no_robots,
        )
        watch = rt.store.add_watch(spec, now=rt.clock())
    click.echo(f"added #{watch.id} {watch.url} every {format_interval(watch.every_seconds)}")


@cli.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@_fail_cleanly
def list_watches(ctx: click.Context, as_json: bool) -> None:
    """List watches with their last check time, outcome and error.

    Example: watcher list --json
    """
    with _runtime(ctx) as rt:
        watches = rt.store.list_watches()
    if as_json:
        _echo_json([_watch_json(w) for w in watches])
        return
    if not watches:
        click.echo("no watches yet: add one with `watcher add URL`")
        return
    for w in watches:
        checked = f"{w.last_checked_at:%Y-%m-%d %H:%M}" if w.last_checked_at else "never"
        state = "paused" if w.paused else (w.last_outcome or "-")
        click.echo(
            f"#{w.id:<4} {state:<9} {checked:<16} {format_interval(w.every_seconds):>4}  {w.name}"
        )
        click.echo(f"      {w.url}")
        if w.last_error:
            click.echo(f"      error ({w.last_failure_class}): {w.last_error}")


@cli.command()
@click.argument("ref")
@click.pass_context
@_fail_cleanly
def remove(ctx: click.Context, ref: str) -> None:
    """Remove a watch (by id or URL) and its history.

    Example: watcher remove 3
    """
    with _runtime(ctx) as rt:
        watch = rt.store.remove_watch(ref)
    click.echo(f"removed #{watch.id} {watch.url}")


@cli.command(name="pause")
@click.argument("ref")
@click.pass_context
@_fail_cleanly
def pause(ctx: click.Context, ref: str) -> None:
    """Stop checking a watch until resumed.  Example: watcher pause 3"""
    with _runtime(ctx) as rt:
        watch = rt.store.set_paused(ref, True)
    click.echo(f"paused #{watch.id} {watch.url}")


@cli.command(name="resume")
@click.argument("ref")
@click.pass_context
@_fail_cleanly
def resume(ctx: click.Context, ref: str) -> None:
    """Check a paused watch again.  Example: watcher resume 3"""
    with _runtime(ctx) as rt:
        watch = rt.store.set_paused(ref, False)
    click.echo(f"resumed #{watch.id} {watch.url}")


@cli.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
@_fail_cleanly
def import_(ctx: click.Context, file: Path) -> None:
    """Add the watches of a TOML watch-list file (all or none).

    Example: watcher import watches.toml
    """
    with _runtime(ctx) as rt:
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise click.ClickException(f"{file}: not UTF-8 text ({exc})") from exc
        specs = parse_watchlist(text, default_every=rt.settings.default_every, origin=str(file))
        added = rt.store.add_watches(specs, now=rt.clock())
    click.echo(f"imported {len(added)} watches from {file}")


@cli.command()
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file."
)
@click.pass_context
@_fail_cleanly
def export(ctx: click.Context, output: Path | None) -> None:
    """Print the watch list as a TOML watch-list file.

    Example: watcher export -o watches.toml
    """
    with _runtime(ctx) as rt:
        text = dump_watchlist([w.spec for w in rt.store.list_watches()])
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)


# ---------------------------------------------------------------- checking


def _format_result(result: CheckResult) -> str:
    if result.outcome == "error":
        return f"#{result.watch_id:<4} error     {result.failure_class}: {result.error}"
    extra = f", {result.changes} claim changes" if result.changes else ""
    if result.outcome == "skipped" and result.error:
        extra = f" ({result.error})"
    return f"#{result.watch_id:<4} {result.outcome:<9} {result.url}{extra}"


@cli.command()
@click.argument("refs", nargs=-1)
@click.option("--all", "check_all", is_flag=True, help="Check every watch, due or not.")
@click.option("--due", is_flag=True, help="Check the watches that are due (default without ids).")
@click.pass_context
@_fail_cleanly
def check(ctx: click.Context, refs: tuple[str, ...], check_all: bool, due: bool) -> None:
    """Check watches once now and print what each found.

    Exits 0 even when some watches failed (they are listed); non-zero only when
    the check cannot run at all.

    Example: watcher check --all
    """
    from watcher.progress import progress_reporter

    with _runtime(ctx) as rt:
        if refs:
            watches = rt.select(refs)
        elif check_all:
            watches = [w for w in rt.store.list_watches() if not w.paused]
        else:
            watches = rt.store.due_watches(rt.clock())
        if not watches:
            click.echo("nothing to check")
            return
        with progress_reporter(len(watches), enabled=sys.stderr.isatty()) as advance:
            results = rt.check_many(watches, on_result=advance)
    for result in results:
        click.echo(_format_result(result))
    failed = [r for r in results if r.outcome == "error"]
    skipped = [r for r in results if r.outcome == "skipped"]
    changed = sum(r.changes for r in results)
    ok = len(results) - len(failed) - len(skipped)
    click.echo(
        f"checked {len(results) - len(skipped)}: {ok} ok, {len(failed)} failed, "
        + (f"{len(skipped)} skipped, " if skipped else "")
        + f"{changed} claim changes"
    )


@cli.command()
@click.pass_context
@_fail_cleanly
def run(ctx: click.Context) -> None:
    """Run the background service until SIGINT or SIGTERM.

    -v (more log lines) is an option of `watcher` itself, before the command.

    Example: watcher -v run
    """
    from watcher.service import serve

    with _runtime(ctx) as rt:
        serve(rt)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@_fail_cleanly
def status(ctx: click.Context, as_json: bool) -> None:
    """Show the last run, the watches due and the failing watches.

    Example: watcher status
    """
    from watcher.status import service_status

    with _runtime(ctx) as rt:
        report = service_status(rt.store, now=rt.clock(), threshold=rt.settings.failure_threshold)
    if as_json:
        _echo_json(report.to_json())
    else:
        click.echo(report.to_text())


# ---------------------------------------------------------------- reading


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=click.IntRange(min=1, max=MAX_LIMIT), default=50, show_default=True)
@click.pass_context
@_fail_cleanly
def changes(ctx: click.Context, as_json: bool, limit: int) -> None:
    """List claim changes, newest first.

    Example: watcher changes --json
    """
    from watcher.edtf import describe

    with _runtime(ctx) as rt:
        rows = rt.store.changes_since(limit=limit)
    if as_json:
        _echo_json([row.to_json() for row in rows])
        return

    def say(claim: Any) -> str:
        if claim is None:
            return "-"
        value = describe(claim.value) if claim.kind == "release_date" else claim.value
        return f"{value} ({claim.certainty})"

    for row in rows:
        mark = "*" if row.headline else " "
        when = f"{row.at:%Y-%m-%d %H:%M}" if row.at else ""
        click.echo(
            f"{mark} {when} {row.subject} {row.kind} {row.change}: "
            f"{say(row.old)} -> {say(row.new)}  [{row.watch_name}]"
        )


@cli.command()
@click.argument("file", type=click.File("rb"))
@click.option("--reference-date", help="Publication date YYYY-MM-DD for relative dates.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@_fail_cleanly
def claims(ctx: click.Context, file: Any, reference_date: str | None, as_json: bool) -> None:
    """Print the claims of one plain-text or HTML file (- for standard input).

    Example: watcher claims snapshots/004_29035f49391a91f7.txt --reference-date 2023-02-15
    """
    from watcher.analysis import claims_of_document

    ref: date | None = None
    if reference_date:
        try:
            ref = date.fromisoformat(reference_date)
        except ValueError as exc:
            raise click.BadParameter(f"{reference_date!r} is not YYYY-MM-DD") from exc
    # A page is read up to max_bytes when fetched; a file or a pipe is held to the same.
    limit = _settings(ctx).max_bytes
    name = getattr(file, "name", None) or "standard input"
    if name == "<stdin>":
        name = "standard input"
    try:
        data = file.read(limit + 1)
    except OSError as exc:
        raise click.ClickException(f"cannot read {name}: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise click.ClickException(
            f"{name} is larger than max_bytes ({limit} bytes); "
            "raise max_bytes in the settings to read it"
        )
    result = claims_of_document(data, reference_date=ref)
    if as_json:
        _echo_json(result.to_json())
        return
    click.echo(f"subject: {result.subject}  (reference date {result.reference_date})")
    for claim in result.claims:
        who = f" [{claim.subject}]" if claim.subject else ""
        role = f" ({claim.role})" if claim.role else ""
        when = f" (from {claim.date})" if claim.date else ""
        old = " (superseded)" if claim.superseded else ""
        click.echo(f"- {claim.kind}{who}: {claim.value}{when}{role} — {claim.certainty}{old}")
        click.echo(f"    “{claim.evidence}”")


@cli.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option(
    "--since",
    default="previous",
    show_default=True,
    help="Changes to list: 'previous' (since the last digest), 'all', or a window like 7d.",
)
@click.pass_context
@_fail_cleanly
def digest(ctx: click.Context, out: Path | None, since: str) -> None:
    """Write the HTML digest (index.html, subject and watch pages, feed.xml).

    Example: watcher digest --out ./digest --since 7d
    """
    from datetime import timedelta

    from watcher.publish import write_digest
    from watcher.watchlist import parse_interval

    with _runtime(ctx) as rt:
        start: datetime | str | None = since
        if since == "all":
            start = None
        elif since != "previous":
            start = rt.clock() - timedelta(seconds=parse_interval(since))
        out_dir = out or rt.settings.digest_path
        try:
            index = write_digest(rt, out_dir=out_dir, since=start)
        except OSError as exc:
            raise click.ClickException(
                f"cannot write the digest to {out_dir}: {exc.strerror or exc}"
                + (f" ({exc.filename})" if exc.filename else "")
            ) from exc
    click.echo(str(index))


@cli.command()
@click.option(
    "--home",
    "demo_home",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("watcher-demo"),
    show_default=True,
    help="Fresh data directory for the demo (emptied first).",
)
@_fail_cleanly
def demo(demo_home: Path) -> None:
    """Replay the bundled articles offline and write a digest; prints its index.html.

    Example: watcher demo
    """
    from watcher.demo import run_demo

    index = run_demo(demo_home, echo=lambda line: click.echo(line, err=True))
    click.echo(str(index.resolve()))


@cli.command()
@click.option("--concurrency", type=click.IntRange(1, 64), default=4, show_default=True)
@click.pass_context
@_fail_cleanly
def worker(ctx: click.Context, concurrency: int) -> None:
    """Run a scaled-mode worker (PostgreSQL + procrastinate) until SIGINT/SIGTERM.

    Example: WATCHER_DATABASE_URL=postgresql+psycopg://watcher@db/watcher watcher worker
    """
    from watcher.worker import run_worker

    with _runtime(ctx) as rt:
        run_worker(rt, concurrency=concurrency)


@cli.command()
@click.pass_context
@_fail_cleanly
def migrate(ctx: click.Context) -> None:
    """Create or upgrade the database schema (and the job queue's, on PostgreSQL).

    Example: watcher --db postgresql+psycopg://watcher@db/watcher migrate
    """
    with _runtime(ctx) as rt:  # opening the store runs the Alembic migrations
        if rt.store.engine.dialect.name == "postgresql":
            from watcher.worker import apply_queue_schema

            apply_queue_schema(rt.settings.db_url)
    click.echo("database is up to date")


@cli.command(name="settings")
def show_settings() -> None:
    """Print every setting with its default and meaning.  Example: watcher settings"""
    for name, default, help_text in settings_module.describe():
        click.echo(f"{name:<22} {default:<28} {help_text}")


def main() -> None:
    cli(prog_name="watcher")
