"""``monitron-sap notifications show``: a notification as SAP has it, with its history as the
ledger recorded it."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final, TypeVar

import click

from monitron_sap.cli._common import EXIT_OK, EXIT_PROBLEMS, config_option, run_guarded

if TYPE_CHECKING:
    from monitron_sap.runtime import SapClients
    from monitron_sap.sap.items import CodedEntry
    from monitron_sap.store.ports import LedgerStore

T = TypeVar("T")
REASON_WIDTH: Final = 94


_NOTIFICATION_NUMBER = re.compile(r"[0-9A-Za-z]{1,12}")


@click.group("notifications")
def notifications_group() -> None:
    """Look at notifications that monitron-sap created or updated."""


def _check_number(ctx: click.Context, param: click.Parameter, value: str) -> str:
    # SAP notification numbers are at most 12 characters, digits in the standard number range.
    if not _NOTIFICATION_NUMBER.fullmatch(value):
        raise click.BadParameter(
            f"{value!r} is not a notification number: expected 1 to 12 letters or digits"
        )
    return value


@notifications_group.command("show")
@click.argument("number", callback=_check_number)
@config_option
def show_command(number: str, config_file: Path | None) -> None:
    """Print notification NUMBER as SAP has it, with its items, attachments and history.

    The history lists every ledger entry for the notification: the alert that created it,
    updates, escalations, the acknowledgement, the closure and trend charts. Exits with 1 when
    SAP cannot be read or has no such notification.
    """

    def run() -> int:
        from monitron_sap.config import load_settings
        from monitron_sap.runtime import build_sap_clients, open_store

        settings = load_settings(config_file)
        with open_store(settings) as store, build_sap_clients(settings.sap) as clients:
            return print_notification_life(number, clients, store)

    run_guarded(run)


def print_notification_life(number: str, clients: SapClients, store: LedgerStore) -> int:
    """Print a notification read from SAP and its ledger entries; return the exit code.

    A part that SAP cannot return is reported in place of that part, and the ledger history is
    printed in every case.
    """
    from monitron_sap.pipeline.lifecycle import phase_name

    ok = True
    notification = _read(lambda: clients.notifications.get(number), "the notification")
    if notification is None:
        ok = False
    else:
        click.echo(
            f"Notification {notification.number}: type {notification.notification_type}, "
            f"priority {notification.priority or '-'}, {phase_name(notification.phase)}"
        )
        click.echo(f"Text: {notification.text}")
        click.echo(f"Technical object: {notification.technical_object or '-'}")
        click.echo(f"External reference: {notification.external_reference or '-'}")
        click.echo("Long text:")
        for line in (notification.long_text or "(none)").splitlines():
            click.echo(f"  {line}")

        items = _read(lambda: clients.items.list_items(number), "the items")
        if items is not None:
            click.echo(f"Items ({len(items)}):")
            for item in items:
                damage = _code(item.damage_code_group, item.damage_code)
                click.echo(f"  {item.number}  {item.text}  damage {damage}")
                for cause in item.causes:
                    click.echo(f"      cause: {_coded(cause)}")
                for activity in item.activities:
                    click.echo(f"      activity: {_coded(activity)}")
        ok = ok and items is not None

        attachments = _read(lambda: clients.attachments.list_attachments(number), "attachments")
        if attachments is not None:
            click.echo(f"Attachments ({len(attachments)}):")
            for attachment in attachments:
                size = f"{attachment.size} bytes" if attachment.size is not None else "size -"
                click.echo(f"  {attachment.file_name}  {attachment.mime_type}  {size}")
        ok = ok and attachments is not None

    key = notification.number if notification is not None else number
    entries = store.entries_for_notification(key)
    click.echo(f"History in the ledger ({len(entries)} entries):")
    if not entries:
        click.echo("  (none: monitron-sap did not create or change this notification)")
    for entry in entries:
        click.echo(
            f"  {entry.updated_at:%Y-%m-%d %H:%M:%S}  {entry.status.value:<10} {entry.record_key}"
        )
        detail = entry.error or entry.reason or ""
        for line in textwrap.wrap(detail, REASON_WIDTH):
            click.echo(f"      {line}")
    return EXIT_OK if ok else EXIT_PROBLEMS


def _read(call: Callable[[], T], what: str) -> T | None:
    from monitron_sap.errors import InputError, SapError

    try:
        return call()
    except (SapError, InputError) as error:
        click.echo(f"error: cannot read {what} from SAP: {error}", err=True)
        return None


def _code(group: str | None, code: str | None) -> str:
    return f"{group}/{code}" if group and code else "(no catalog code)"


def _coded(entry: CodedEntry) -> str:
    return f"{entry.text} ({_code(entry.code_group, entry.code)})"


def register(group: click.Group) -> None:
    group.add_command(notifications_group)
