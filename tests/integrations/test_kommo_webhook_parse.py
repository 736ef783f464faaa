"""Kommo webhook bodies, written url-encoded exactly as Kommo posts them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from skyluxse_api.integrations.kommo_webhook import (
    KommoContactEvent,
    MalformedWebhook,
    events_from_payload,
    parse_kommo_form,
)


def body(*fields: str) -> bytes:
    return "&".join(fields).encode("ascii")


LEADS_ADD = body(
    "leads%5Badd%5D%5B0%5D%5Bid%5D=30307415",
    "leads%5Badd%5D%5B0%5D%5Bname%5D=%D0%9D%D0%BE%D0%B2%D0%B0%D1%8F+%D0%B7%D0%B0%D1%8F%D0%B2%D0%BA%D0%B0%3A+Cullinan",
    "leads%5Badd%5D%5B0%5D%5Bstatus_id%5D=42100270",
    "leads%5Badd%5D%5B0%5D%5Bprice%5D=4500.50",
    "leads%5Badd%5D%5B0%5D%5Bresponsible_user_id%5D=8283409",
    "leads%5Badd%5D%5B0%5D%5Blast_modified%5D=1689256448",
    "leads%5Badd%5D%5B0%5D%5Bpipeline_id%5D=4542166",
    "leads%5Badd%5D%5B0%5D%5Btags%5D%5B0%5D%5Bid%5D=55515",
    "leads%5Badd%5D%5B0%5D%5Btags%5D%5B0%5D%5Bname%5D=website",
    "leads%5Badd%5D%5B0%5D%5Baccount_id%5D=29638927",
    "leads%5Badd%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bid%5D=432373",
    "leads%5Badd%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bname%5D=roistat",
    "leads%5Badd%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B0%5D%5Bvalue%5D=139919",
    "leads%5Badd%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bcode%5D=ROISTAT",
    "leads%5Badd%5D%5B0%5D%5Bcontacts%5D%5B0%5D%5Bid%5D=43684612",
    "leads%5Badd%5D%5B0%5D%5Bcreated_at%5D=1689256449",
    "leads%5Badd%5D%5B1%5D%5Bid%5D=30307416",
    "account%5Bid%5D=29638927",
    "account%5Bsubdomain%5D=skyluxse",
    "account%5B_links%5D%5Bself%5D=https%3A%2F%2Fskyluxse.kommo.com",
)

LEADS_STATUS = body(
    "account%5Bsubdomain%5D=skyluxse",
    "account%5Bid%5D=29638927",
    "leads%5Bstatus%5D%5B0%5D%5Bid%5D=30307415",
    "leads%5Bstatus%5D%5B0%5D%5Bname%5D=Cullinan+3+days",
    "leads%5Bstatus%5D%5B0%5D%5Bstatus_id%5D=142",
    "leads%5Bstatus%5D%5B0%5D%5Bold_status_id%5D=41893093",
    "leads%5Bstatus%5D%5B0%5D%5Bprice%5D=",
    "leads%5Bstatus%5D%5B0%5D%5Bpipeline_id%5D=4542166",
    "leads%5Bstatus%5D%5B0%5D%5Bold_pipeline_id%5D=4542166",
    "leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bid%5D=645087",
    "leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bname%5D=Pickup+date",
    "leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B0%5D=1689282000",
)

CONTACTS_UPDATE = body(
    "contacts%5Bupdate%5D%5B0%5D%5Bid%5D=43684612",
    "contacts%5Bupdate%5D%5B0%5D%5Bname%5D=Aisha+Al+Mansouri",
    "contacts%5Bupdate%5D%5B0%5D%5Bresponsible_user_id%5D=8283409",
    "contacts%5Bupdate%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bid%5D=2031462",
    "contacts%5Bupdate%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bname%5D=%D0%A2%D0%B5%D0%BB%D0%B5%D1%84%D0%BE%D0%BD",
    "contacts%5Bupdate%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B0%5D%5Bvalue%5D=%2B971+50+123+4567",
    "contacts%5Bupdate%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B0%5D%5Benum%5D=1364056",
    "contacts%5Bupdate%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B1%5D%5Bvalue%5D=%2B971+4+555+0000",
    "contacts%5Bupdate%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B1%5D%5Benum%5D=1364058",
    "contacts%5Bupdate%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bcode%5D=PHONE",
    "contacts%5Bupdate%5D%5B0%5D%5Bcustom_fields%5D%5B1%5D%5Bid%5D=2031464",
    "contacts%5Bupdate%5D%5B0%5D%5Bcustom_fields%5D%5B1%5D%5Bname%5D=Email",
    "contacts%5Bupdate%5D%5B0%5D%5Bcustom_fields%5D%5B1%5D%5Bvalues%5D%5B0%5D%5Bvalue%5D=aisha%40example.ae",
    "contacts%5Bupdate%5D%5B0%5D%5Bcustom_fields%5D%5B1%5D%5Bcode%5D=EMAIL",
    "contacts%5Bupdate%5D%5B0%5D%5Bcustom_fields%5D%5B2%5D%5Bid%5D=2031470",
    "contacts%5Bupdate%5D%5B0%5D%5Bcustom_fields%5D%5B2%5D%5Bname%5D=Passport",
    "contacts%5Bupdate%5D%5B0%5D%5Bcustom_fields%5D%5B2%5D%5Bvalues%5D%5B0%5D%5Bvalue%5D=X1234567",
    "contacts%5Bupdate%5D%5B0%5D%5Blinked_leads_id%5D%5B35144366%5D%5BID%5D=35144366",
    "contacts%5Bupdate%5D%5B0%5D%5Blinked_leads_id%5D%5B4100%5D%5BID%5D=4100",
    "contacts%5Bupdate%5D%5B0%5D%5Btype%5D=contact",
    "account%5Bsubdomain%5D=skyluxse",
)


def test_leads_add_becomes_nested_lists_and_dicts() -> None:
    parsed = parse_kommo_form(LEADS_ADD)

    first = parsed["leads"]["add"][0]
    assert first["id"] == "30307415"
    assert first["name"] == "Новая заявка: Cullinan"
    assert first["tags"] == [{"id": "55515", "name": "website"}]
    assert first["custom_fields"][0]["values"] == [{"value": "139919"}]
    assert parsed["leads"]["add"][1] == {"id": "30307416"}
    assert parsed["account"] == {
        "id": "29638927",
        "subdomain": "skyluxse",
        "_links": {"self": "https://skyluxse.kommo.com"},
    }


def test_leads_add_events() -> None:
    leads, contacts, subdomain = events_from_payload(parse_kommo_form(LEADS_ADD))

    assert subdomain == "skyluxse"
    assert contacts == []
    assert [(lead.action, lead.id) for lead in leads] == [("add", 30307415), ("add", 30307416)]
    lead = leads[0]
    assert lead.name == "Новая заявка: Cullinan"
    assert lead.status_id == 42100270
    assert lead.pipeline_id == 4542166
    assert lead.old_status_id is None
    assert lead.price == Decimal("4500.50")
    assert lead.responsible_user_id == 8283409
    assert lead.contact_ids == (43684612,)
    assert lead.custom_fields == [
        {"id": "432373", "name": "roistat", "values": [{"value": "139919"}], "code": "ROISTAT"}
    ]
    bare = leads[1]
    assert (bare.name, bare.price, bare.status_id, bare.contact_ids) == (None, None, None, ())


def test_lead_status_change() -> None:
    leads, _, subdomain = events_from_payload(parse_kommo_form(LEADS_STATUS))

    (lead,) = leads
    assert (lead.action, lead.id) == ("status", 30307415)
    assert (lead.old_status_id, lead.status_id, lead.pipeline_id) == (41893093, 142, 4542166)
    assert lead.price is None  # Kommo sends an empty price for leads without a budget
    # Date fields send bare values: `[values][0]=...`.
    assert lead.custom_fields[0]["values"] == ["1689282000"]
    assert subdomain == "skyluxse"


def test_contact_update_extracts_phones_and_emails() -> None:
    parsed = parse_kommo_form(CONTACTS_UPDATE)
    leads, contacts, _ = events_from_payload(parsed)

    assert leads == []
    assert contacts == [
        KommoContactEvent(
            action="update",
            id=43684612,
            name="Aisha Al Mansouri",
            phones=("+971 50 123 4567", "+971 4 555 0000"),
            emails=("aisha@example.ae",),
        )
    ]
    # Sparse numeric keys keep numeric order, not text order and not their positions.
    assert parsed["contacts"]["update"][0]["linked_leads_id"] == [
        {"ID": "4100"},
        {"ID": "35144366"},
    ]


def test_account_only_body_has_no_events() -> None:
    parsed = parse_kommo_form(b"account%5Bsubdomain%5D=skyluxse&account%5Bid%5D=29638927")

    assert events_from_payload(parsed) == ([], [], "skyluxse")


def test_delete_and_note_events() -> None:
    parsed = parse_kommo_form(
        body(
            "leads%5Bdelete%5D%5B0%5D%5Bid%5D=30307415",
            "leads%5Bdelete%5D%5B0%5D%5Bstatus_id%5D=143",
            "leads%5Bnote%5D%5B0%5D%5Bnote%5D%5Belement_id%5D=30307415",
            "leads%5Bnote%5D%5B0%5D%5Bnote%5D%5Btext%5D=Called+back",
        )
    )
    leads, _, subdomain = events_from_payload(parsed)

    assert [(lead.action, lead.id, lead.status_id) for lead in leads] == [("delete", 30307415, 143)]
    # Notes nest their own object and carry no top-level id: kept raw, not an event.
    assert parsed["leads"]["note"][0]["note"]["text"] == "Called back"
    assert subdomain is None


def test_numeric_keys_sort_as_numbers() -> None:
    parsed = parse_kommo_form(
        b"leads[update][10][id]=10&leads[update][2][id]=2&leads[update][0][id]=0"
    )

    assert [item["id"] for item in parsed["leads"]["update"]] == ["0", "2", "10"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"leads%5Badd%5D%5B0%5D%5Bname%5D=%ff%fe", "undecodable"),
        (b"\xff\xfe\xfd", "undecodable"),
        (b'{"leads": {"add": [{"id": 1}]}}', "undecodable"),
        (b"leads[add][0][id=1", "malformed key"),
        (b"leads[add]][0][id]=1", "malformed key"),
        (b"leads[add][0]id]=1", "malformed key"),
        (b"leads[add][][id]=1", "malformed key"),
        (b"[add][0][id]=1", "malformed key"),
        (b"leads[add][0][id]=1&leads[add][0][id][x]=2", "both a value and a group"),
        (b"leads[add][0][id][x]=2&leads[add][0][id]=1", "both a value and a group"),
        (b"", "no Kommo section"),
        (b"foo=bar&token=abc", "no Kommo section"),
        (b"leads[add][0][name]=No+id", r"leads\[add\]\[0\] has no numeric id"),
        (b"contacts[update][0][id]=abc", r"contacts\[update\]\[0\] has no numeric id"),
        (b"leads[add]=1", r"leads\[add\] is not a numbered list"),
        (b"leads[add][first][id]=1", r"leads\[add\] is not a numbered list"),
        (b"leads=1", "leads is not a group of events"),
    ],
)
def test_malformed_bodies_are_refused(raw: bytes, reason: str) -> None:
    with pytest.raises(MalformedWebhook, match=reason) as caught:
        parse_kommo_form(raw)

    assert isinstance(caught.value, ValueError)
    assert caught.value.reason == str(caught.value)
