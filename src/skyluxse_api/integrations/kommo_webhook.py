"""Parse Kommo's form-encoded webhooks (`leads[add][0][id]=...`) into nested data and events.

Kommo posts `application/x-www-form-urlencoded` with PHP-style bracket keys and no signature.
Pure functions: the webhook route stores the raw body first and calls these afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl

# Top-level sections Kommo webhooks carry; a body with none of them is not a Kommo webhook.
KNOWN_SECTIONS = frozenset(
    {
        "account",
        "leads",
        "contacts",
        "companies",
        "customers",
        "tasks",
        "unsorted",
        "catalogs",
        "talk",
        "message",
    }
)
# Actions whose items describe one entity and so must carry its `id`. Others, such as
# `note` (`leads[note][0][note][element_id]`), nest differently and are left raw.
ENTITY_ACTIONS = frozenset({"add", "update", "status", "delete", "restore", "responsible"})
# A webhook has a few hundred fields; the cap stops a hostile body from costing much.
_MAX_FIELDS = 10_000

_KEY = re.compile(r"([^\[\]]+)((?:\[[^\[\]]+\])*)")
_SEGMENT = re.compile(r"\[([^\[\]]+)\]")


class MalformedWebhook(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class KommoLeadEvent:
    action: str  # add | update | status | delete | restore | responsible
    id: int
    name: str | None
    status_id: int | None
    pipeline_id: int | None
    old_status_id: int | None
    price: Decimal | None
    responsible_user_id: int | None
    contact_ids: tuple[int, ...]
    custom_fields: list[Any]  # as sent: [{"id", "name", "code"?, "values": [...]}]


@dataclass(frozen=True)
class KommoContactEvent:
    action: str
    id: int
    name: str | None
    phones: tuple[str, ...]
    emails: tuple[str, ...]


def parse_kommo_form(body: bytes) -> dict[str, Any]:
    """Nested dicts; containers whose keys are all numbers become lists in index order."""
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=True,
            errors="strict",
            max_num_fields=_MAX_FIELDS,
        )
    except ValueError as exc:  # includes UnicodeDecodeError
        raise MalformedWebhook(f"undecodable form body: {exc}") from exc
    tree: dict[str, Any] = {}
    for key, value in pairs:
        match = _KEY.fullmatch(key)
        if match is None:
            raise MalformedWebhook(f"malformed key {key!r}")
        path = [match.group(1), *_SEGMENT.findall(match.group(2))]
        node = tree
        for depth, segment in enumerate(path[:-1]):
            child = node.setdefault(segment, {})
            if not isinstance(child, dict):
                raise MalformedWebhook(f"{_render(path[: depth + 1])} is both a value and a group")
            node = child
        if isinstance(node.get(path[-1]), dict):
            raise MalformedWebhook(f"{_render(path)} is both a value and a group")
        node[path[-1]] = value
    parsed = _listify(tree)
    if not KNOWN_SECTIONS.intersection(parsed):
        raise MalformedWebhook("no Kommo section (leads, contacts, account, ...) in the body")
    events_from_payload(parsed)  # rejects entity events without a usable id
    return parsed


def events_from_payload(
    parsed: dict[str, Any],
) -> tuple[list[KommoLeadEvent], list[KommoContactEvent], str | None]:
    """Lead and contact events of a parsed webhook, plus the account subdomain if sent."""
    leads = [
        KommoLeadEvent(
            action=action,
            id=entity_id,
            name=_text(item.get("name")),
            status_id=_opt_int(item.get("status_id")),
            pipeline_id=_opt_int(item.get("pipeline_id")),
            old_status_id=_opt_int(item.get("old_status_id")),
            price=_decimal(item.get("price")),
            responsible_user_id=_opt_int(item.get("responsible_user_id")),
            contact_ids=tuple(
                contact_id
                for contact in _as_list(item.get("contacts"))
                if isinstance(contact, dict)
                and (contact_id := _opt_int(contact.get("id"))) is not None
            ),
            custom_fields=_as_list(item.get("custom_fields")),
        )
        for action, entity_id, item in _entity_items(parsed, "leads")
    ]
    contacts = []
    for action, entity_id, item in _entity_items(parsed, "contacts"):
        values = _custom_values(item.get("custom_fields"))
        contacts.append(
            KommoContactEvent(
                action=action,
                id=entity_id,
                name=_text(item.get("name")),
                phones=tuple(values.get("PHONE", ())),
                emails=tuple(values.get("EMAIL", ())),
            )
        )
    account = parsed.get("account")
    subdomain = _text(account.get("subdomain")) if isinstance(account, dict) else None
    return leads, contacts, subdomain


def _entity_items(parsed: dict[str, Any], section: str) -> list[tuple[str, int, dict[str, Any]]]:
    actions = parsed.get(section)
    if actions is None:
        return []
    if not isinstance(actions, dict):
        raise MalformedWebhook(f"{section} is not a group of events")
    found = []
    for action, items in actions.items():
        if action not in ENTITY_ACTIONS:
            continue
        if not isinstance(items, list):
            raise MalformedWebhook(f"{section}[{action}] is not a numbered list")
        for index, item in enumerate(items):
            entity_id = _opt_int(item.get("id")) if isinstance(item, dict) else None
            if entity_id is None:
                raise MalformedWebhook(f"{section}[{action}][{index}] has no numeric id")
            found.append((action, entity_id, item))
    return found


def _custom_values(custom_fields: object) -> dict[str, list[str]]:
    """Values by field code (PHONE, EMAIL, ...); a value is `{"value": ..}` or a bare string."""
    by_code: dict[str, list[str]] = {}
    for field in _as_list(custom_fields):
        if not isinstance(field, dict) or not isinstance(field.get("code"), str):
            continue
        for entry in _as_list(field.get("values")):
            value = entry.get("value") if isinstance(entry, dict) else entry
            if isinstance(value, str) and value.strip():
                by_code.setdefault(field["code"], []).append(value.strip())
    return by_code


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(key.isascii() and key.isdigit() for key in node):
        # Indices may be sparse (`linked_leads_id[35144366]`): keep their order, not positions.
        return [_listify(node[key]) for key in sorted(node, key=int)]
    return {key: _listify(value) for key, value in node.items()}


def _render(path: list[str]) -> str:
    return path[0] + "".join(f"[{segment}]" for segment in path[1:])


def _as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def _opt_int(value: object) -> int | None:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value)
    return None


def _decimal(value: object) -> Decimal | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None
