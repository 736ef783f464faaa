"""The demo data set: shaped like the prototype's ids, idempotent (`ON CONFLICT DO NOTHING`).

Every row has a deterministic id (uuid5 of its natural key), so loading the set
twice inserts nothing the second time and never duplicates a row.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from skyluxse_api import models as m

_NAMESPACE = uuid.UUID("5b1f3c3e-9d0a-4d59-9a57-7d1c5e0b1052")


def demo_id(kind: str, key: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{kind}:{key}")


def _staff() -> list[dict[str, Any]]:
    people = [
        ("ceo@skyluxse.ae", "Alexander Volkov", "ceo", "/executive"),
        ("olga.ops@skyluxse.ae", "Olga Markova", "operations", "/operations/board"),
        ("anna.sales@skyluxse.ae", "Anna Sokolova", "sales", "/sales/pipeline"),
        ("max.sales@skyluxse.ae", "Max Orlov", "sales", "/sales/pipeline"),
        ("sara.sales@skyluxse.ae", "Sara Haddad", "sales", "/sales/pipeline"),
        ("omar.driver@skyluxse.ae", "Omar Khalid", "driver", "/driver/tasks"),
        ("rahul.driver@skyluxse.ae", "Rahul Singh", "driver", "/driver/tasks"),
        ("yusuf.driver@skyluxse.ae", "Yusuf Al Amiri", "driver", "/driver/tasks"),
    ]
    return [
        {
            "id": demo_id("staff", email),
            "email": email,
            "full_name": name,
            "role": role,
            "phone": None,
            "locale": "en-AE",
            "timezone": "Asia/Dubai",
            "default_route": route,
            "is_active": True,
        }
        for email, name, role, route in people
    ]


def _drivers(now: datetime) -> list[dict[str, Any]]:
    rows = [
        ("omar.driver@skyluxse.ae", "on_task", 8, ["English", "Arabic"], "25.204800", "55.270800"),
        (
            "rahul.driver@skyluxse.ae",
            "available",
            5,
            ["English", "Hindi"],
            "25.197200",
            "55.274400",
        ),
        ("yusuf.driver@skyluxse.ae", "standby", 11, ["Arabic", "English", "Russian"], None, None),
    ]
    return [
        {
            "id": demo_id("driver", email),
            "staff_account_id": demo_id("staff", email),
            "status": status,
            "experience_years": years,
            "languages": languages,
            "current_lat": Decimal(lat) if lat else None,
            "current_lng": Decimal(lng) if lng else None,
            "notes": "VIP chauffeur certification",
            "last_status_at": now - timedelta(minutes=20),
        }
        for email, status, years, languages, lat, lng in rows
    ]


CLIENTS = [
    ("Dmitri Ivanov", "+971501234567", "dmitri.ivanov@example.com", "RU", "ru"),
    ("Fatima Al Mansouri", "+971552223344", "fatima.m@example.com", "AE", "ar"),
    ("James Whitmore", "+447700900123", "j.whitmore@example.co.uk", "GB", "en"),
    ("Li Wei", "+8613800138000", "li.wei@example.cn", "CN", "en"),
    ("Sophie Laurent", "+33612345678", "sophie.laurent@example.fr", "FR", "en"),
]


def _clients() -> list[dict[str, Any]]:
    return [
        {
            "id": demo_id("client", email),
            "name": name,
            "phone": phone,
            "email": email,
            "residency_country": country,
            "preferred_language": language,
            "preferred_channels": ["whatsapp", "email"],
            "timezone": "Asia/Dubai",
            "nps_score": 9,
        }
        for name, phone, email, country, language in CLIENTS
    ]


VEHICLES = [
    ("1", "Rolls-Royce Ghost", "Rolls-Royce", "Ghost", 2023, "Arctic White", "Black/Red", "Sedan",
     "Luxury", 5, "6.75", 563, 12, "4.80", "R 11052"),
    ("2", "Lamborghini Huracan EVO", "Lamborghini", "Huracan EVO", 2022, "Verde Mantis", "Nero Ade",
     "Coupe", "Sport", 2, "5.20", 631, 10, "2.90", "L 22019"),
    ("3", "Mercedes-AMG G 63", "Mercedes-Benz", "G 63", 2024, "Obsidian Black", "Beige", "SUV",
     "SUV", 5, "4.00", 577, 8, "4.50", "G 36363"),
    ("4", "Bentley Bentayga", "Bentley", "Bentayga", 2023, "Glacier White", "Linen", "SUV",
     "Luxury", 5, "4.00", 542, 8, "4.50", "B 44021"),
    ("5", "Ferrari Roma", "Ferrari", "Roma", 2023, "Rosso Corsa", "Cuoio", "Coupe", "Sport", 4,
     "3.90", 612, 8, "3.40", "F 55077"),
]  # fmt: skip


def _vehicles(ceo: uuid.UUID) -> list[dict[str, Any]]:
    rows = []
    for index, vehicle in enumerate(VEHICLES):
        (ref, name, make, model, year, ext, interior, body, vclass, seats, litres, hp, cyl, sprint,
         plate) = vehicle  # fmt: skip
        rows.append(
            {
                "id": demo_id("vehicle", ref),
                "external_ref": ref,
                "name": name,
                "make": make,
                "model": model,
                "model_year": year,
                "exterior_color": ext,
                "interior_color": interior,
                "body_style": body,
                "vehicle_class": vclass,
                "segment": body,
                "seating_capacity": seats,
                "engine_displacement_l": Decimal(litres),
                "power_hp": hp,
                "cylinders": cyl,
                "zero_to_hundred_sec": Decimal(sprint),
                "transmission": "Automatic",
                "plate_number": f"Dubai {plate}",
                "mileage_km": 8200 + 3100 * index,
                "revenue_ytd": Decimal("185000.00") - Decimal(21000 * index),
                "health_score": Decimal("0.92") - Decimal("0.07") * index,
                "location": "SkyLuxse HQ, Business Bay",
                "status": "maintenance" if ref == "2" else "available",
                "created_by": ceo,
            }
        )
    return rows


async def _insert(conn: AsyncConnection, model: Any, rows: list[dict[str, Any]]) -> int:
    # Rows of one multi-row VALUES must name the same columns; the others keep
    # their server defaults, so rows are grouped by the columns they set.
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    inserted = 0
    for group in groups.values():
        result = await conn.execute(pg_insert(model).values(group).on_conflict_do_nothing())
        inserted += int(result.rowcount or 0)
    return inserted


async def _load(conn: AsyncConnection, now: datetime) -> int:
    staff = _staff()
    by_email = {row["email"]: row["id"] for row in staff}
    ceo, ops = by_email["ceo@skyluxse.ae"], by_email["olga.ops@skyluxse.ae"]
    anna, maxim = by_email["anna.sales@skyluxse.ae"], by_email["max.sales@skyluxse.ae"]
    omar = demo_id("driver", "omar.driver@skyluxse.ae")
    rahul = demo_id("driver", "rahul.driver@skyluxse.ae")
    clients = _clients()
    dmitri, fatima, james = (row["id"] for row in clients[:3])
    ghost, huracan, g63 = (demo_id("vehicle", ref) for ref in ("1", "2", "3"))
    today = now.date()
    n = 0
    n += await _insert(conn, m.StaffAccount, staff)
    n += await _insert(conn, m.DriverProfile, _drivers(now))
    n += await _insert(conn, m.Client, [{**row, "created_by": anna} for row in clients])
    n += await _insert(
        conn,
        m.ClientNotification,
        [
            {
                "id": demo_id("notification", "NT-101"),
                "external_ref": "NT-101",
                "client_id": dmitri,
                "channel": "whatsapp",
                "subject": "Delivery confirmed",
                "content": "Your Rolls-Royce Ghost will arrive at 18:00 at Atlantis The Royal.",
                "sent_at": now - timedelta(days=3),
                "status": "delivered",
                "meta": {"template": "delivery_confirmation"},
            },
            {
                "id": demo_id("notification", "NT-102"),
                "external_ref": "NT-102",
                "client_id": fatima,
                "channel": "email",
                "subject": "Your invoice",
                "content": "Invoice INV-1049-1 is attached.",
                "sent_at": now - timedelta(days=40),
                "status": "sent",
                "meta": {},
            },
        ],
    )
    n += await _insert(
        conn,
        m.ClientPreferences,
        [
            {"id": demo_id("preferences", str(dmitri)), "client_id": dmitri,
             "marketing_opt_in": True, "vip_concierge": True, "concierge_staff_id": anna},
            {"id": demo_id("preferences", str(fatima)), "client_id": fatima,
             "marketing_opt_in": False, "vip_concierge": False},
        ],
    )  # fmt: skip
    n += await _insert(conn, m.Vehicle, _vehicles(ceo))
    n += await _insert(
        conn,
        m.VehicleReminder,
        [
            {"id": demo_id("reminder", "RM-huracan-service"), "external_ref": "RM-huracan-service",
             "vehicle_id": huracan, "reminder_type": "maintenance", "due_date": today - timedelta(days=2),
             "status": "critical", "severity": "danger", "notes": "10,000 km service", "created_by": ops},
            {"id": demo_id("reminder", "RM-ghost-insurance"), "external_ref": "RM-ghost-insurance",
             "vehicle_id": ghost, "reminder_type": "insurance", "due_date": today + timedelta(days=10),
             "status": "warning", "severity": "warning", "created_by": ops},
            {"id": demo_id("reminder", "RM-g63-mulkiya"), "external_ref": "RM-g63-mulkiya",
             "vehicle_id": g63, "reminder_type": "mulkiya", "due_date": today + timedelta(days=90),
             "status": "scheduled", "severity": "info", "created_by": ops},
        ],
    )  # fmt: skip
    n += await _insert(
        conn,
        m.VehicleInspection,
        [
            {"id": demo_id("inspection", "ghost-1"), "vehicle_id": ghost,
             "inspection_date": today - timedelta(days=4), "driver_id": omar,
             "performed_by": "Omar Khalid", "notes": "No scratches; interior detailed.",
             "photo_document_ids": []},
        ],
    )  # fmt: skip
    huracan_job = demo_id("maintenance", "huracan-service")
    n += await _insert(
        conn,
        m.MaintenanceJob,
        [
            {"id": huracan_job, "vehicle_id": huracan, "job_type": "maintenance",
             "status": "in_progress", "scheduled_start": now - timedelta(days=1),
             "scheduled_end": now + timedelta(days=2), "actual_start": now - timedelta(days=1),
             "odometer_start": 11300, "vendor": "Lamborghini Dubai Service",
             "cost_estimate": Decimal("7800.00"), "description": "10,000 km service and brake check"},
        ],
    )  # fmt: skip
    n += await _insert(
        conn,
        m.CalendarEvent,
        [
            {"id": demo_id("calendar", "EVT-huracan-service"), "external_ref": "EVT-huracan-service",
             "vehicle_id": huracan, "maintenance_job_id": huracan_job, "event_type": "maintenance",
             "title": "Huracan 10,000 km service", "start_at": now - timedelta(days=1),
             "end_at": now + timedelta(days=2), "status": "in_progress", "priority": "high",
             "color_token": "amber"},
        ],
    )  # fmt: skip
    n += await _insert(conn, m.BookingTag, [
        {"id": demo_id("tag", "vip"), "slug": "vip", "label": "VIP", "color_token": "gold"},
        {"id": demo_id("tag", "long-rent"), "slug": "long-rent", "label": "Long rent",
         "color_token": "blue"},
    ])  # fmt: skip
    bk1052 = demo_id("booking", "BK-1052")
    bookings = [
        {"id": bk1052, "external_code": "BK-1052", "client_id": dmitri, "vehicle_id": ghost,
         "driver_id": omar, "owner_id": anna, "status": "in_rent", "booking_type": "vip",
         "channel": "Kommo", "priority": "high", "segment": "general",
         "start_at": now - timedelta(days=3), "end_at": now + timedelta(days=4),
         "pickup_location": {"label": "Atlantis The Royal", "lat": 25.1372, "lng": 55.1304},
         "dropoff_location": {"label": "SkyLuxse HQ", "lat": 25.1865, "lng": 55.2644},
         "sla_minutes": 30, "promised_at": now - timedelta(days=3, minutes=-30),
         "actual_at": now - timedelta(days=3, minutes=-22),
         "total_amount": Decimal("24150.00"), "paid_amount": Decimal("14700.00"),
         "deposit_amount": Decimal("10000.00"), "currency": "AED", "pickup_mileage": 8150,
         "pickup_fuel_level": "Full", "zoho_sync_status": "pending"},
        {"id": demo_id("booking", "BK-1053"), "external_code": "BK-1053", "client_id": james,
         "vehicle_id": g63, "owner_id": maxim, "status": "new", "booking_type": "short",
         "channel": "Website", "priority": "medium", "segment": "general",
         "start_at": now + timedelta(days=5), "end_at": now + timedelta(days=7),
         "pickup_location": {"label": "DXB Terminal 3"}, "sla_minutes": 45,
         "total_amount": Decimal("6400.00"), "deposit_amount": Decimal("5000.00"),
         "currency": "AED"},
        {"id": demo_id("booking", "BK-1054"), "external_code": "BK-1054", "client_id": fatima,
         "vehicle_id": demo_id("vehicle", "4"), "driver_id": rahul, "owner_id": anna,
         "status": "delivery", "booking_type": "corporate", "channel": "Referral",
         "priority": "high", "segment": "general", "start_at": now + timedelta(hours=2),
         "end_at": now + timedelta(days=14), "pickup_location": {"label": "Emirates Towers"},
         "sla_minutes": 30, "promised_at": now + timedelta(minutes=25),
         "total_amount": Decimal("28000.00"), "deposit_amount": Decimal("10000.00"),
         "currency": "AED", "pickup_mileage": 12400, "pickup_fuel_level": "Full"},
        {"id": demo_id("booking", "BK-1049"), "external_code": "BK-1049", "client_id": fatima,
         "vehicle_id": demo_id("vehicle", "5"), "owner_id": anna, "status": "settlement",
         "booking_type": "vip", "channel": "Kommo", "priority": "low", "segment": "general",
         "start_at": now - timedelta(days=45), "end_at": now - timedelta(days=38),
         "sla_minutes": 30, "promised_at": now - timedelta(days=45),
         "actual_at": now - timedelta(days=45, minutes=-12), "total_amount": Decimal("12600.00"),
         "paid_amount": Decimal("12600.00"), "deposit_amount": Decimal("5000.00"),
         "currency": "AED", "pickup_mileage": 20100, "pickup_fuel_level": "Full",
         "return_mileage": 20980, "return_fuel_level": "3/4", "sales_rating_value": 9,
         "sales_rating_feedback": "Smooth hand-over, client asked for the Roma again.",
         "rated_by_role": "ceo", "rated_at": now - timedelta(days=37),
         "zoho_sync_status": "synced", "zoho_sales_order_id": "ZSO-88231"},
    ]  # fmt: skip
    n += await _insert(conn, m.Booking, bookings)
    n += await _insert(conn, m.BookingTagLink, [
        {"booking_id": bk1052, "tag_id": demo_id("tag", "vip")},
        {"booking_id": bk1052, "tag_id": demo_id("tag", "long-rent")},
    ])  # fmt: skip
    n += await _insert(conn, m.BookingAddon, [
        {"id": demo_id("addon", "1052-base"), "booking_id": bk1052, "label": "Rolls-Royce Ghost, 7 days",
         "amount": Decimal("21000.00"), "category": "base"},
        {"id": demo_id("addon", "1052-chauffeur"), "booking_id": bk1052, "label": "chauffeur",
         "amount": Decimal("3500.00"), "category": "addon"},
        {"id": demo_id("addon", "1052-insurance"), "booking_id": bk1052, "label": "insurance-premium",
         "amount": Decimal("700.00"), "category": "addon"},
        {"id": demo_id("addon", "1052-loyalty"), "booking_id": bk1052, "label": "Loyalty discount",
         "amount": Decimal("1050.00"), "category": "discount"},
    ])  # fmt: skip
    n += await _insert(conn, m.BookingInvoice, [
        {"id": demo_id("invoice", "INV-1052-1"), "booking_id": bk1052, "external_ref": "INV-1052-1",
         "label": "Rental, 7 days", "invoice_type": "rental", "scope": "rental",
         "amount": Decimal("14700.00"), "status": "paid", "issued_at": now - timedelta(days=4),
         "due_at": now - timedelta(days=3), "paid_at": now - timedelta(days=3, hours=2)},
        {"id": demo_id("invoice", "INV-1052-2"), "booking_id": bk1052, "external_ref": "INV-1052-2",
         "label": "Security deposit", "invoice_type": "deposit", "scope": "deposit",
         "amount": Decimal("10000.00"), "status": "issued", "issued_at": now - timedelta(days=4),
         "due_at": now - timedelta(days=3)},
    ])  # fmt: skip
    extension = demo_id("extension", "EXT-1052-1")
    n += await _insert(conn, m.BookingExtension, [
        {"id": extension, "booking_id": bk1052, "label": "EXT-1052-1",
         "start_at": now + timedelta(days=4), "end_at": now + timedelta(days=6),
         "status": "requested", "note": "Client stays two more nights.",
         "pricing_base": Decimal("6000.00"), "pricing_addons": Decimal("1000.00"),
         "pricing_fees": Decimal("0.00"), "pricing_discounts": Decimal("300.00"),
         "pricing_total": Decimal("6700.00"), "currency": "AED",
         "deposit_adjustment": Decimal("0.00"), "created_by": anna},
    ])  # fmt: skip
    n += await _insert(conn, m.BookingTimelineEvent, [
        {"id": demo_id("timeline", f"1052-{status}"), "booking_id": bk1052, "status": status,
         "event_ts": now - timedelta(days=5 - offset), "actor_type": "staff",
         "actor_id": ops if status != "new" else anna, "note": note}
        for offset, (status, note) in enumerate([
            ("new", "Lead converted from Kommo"), ("preparation", "Car detailed"),
            ("delivery", "Driver en route"), ("in_rent", "Handed over at Atlantis"),
        ])
    ])  # fmt: skip
    delivery_task = demo_id("task", "BK-1054-delivery")
    pickup_task = demo_id("task", "BK-1052-pickup")
    n += await _insert(conn, m.Task, [
        {"id": delivery_task, "booking_id": demo_id("booking", "BK-1054"),
         "vehicle_id": demo_id("vehicle", "4"), "client_id": fatima, "task_type": "delivery",
         "category": "logistics", "status": "inprogress", "priority": "high",
         "title": "Deliver Bentley Bentayga to Emirates Towers", "deadline_at": now + timedelta(minutes=25),
         "sla_minutes": 30, "geo_pickup": {"label": "SkyLuxse HQ", "lat": 25.1865, "lng": 55.2644},
         "geo_dropoff": {"label": "Emirates Towers", "lat": 25.2174, "lng": 55.2826},
         "route_distance_km": Decimal("6.40"), "assignee_driver_id": rahul, "created_by": ops,
         "started_at": now - timedelta(minutes=10)},
        {"id": pickup_task, "booking_id": bk1052, "vehicle_id": ghost, "client_id": dmitri,
         "task_type": "pickup", "category": "logistics", "status": "todo", "priority": "medium",
         "title": "Collect Rolls-Royce Ghost from Atlantis The Royal",
         "deadline_at": now + timedelta(days=4), "sla_minutes": 30,
         "geo_pickup": {"label": "Atlantis The Royal", "lat": 25.1372, "lng": 55.1304},
         "geo_dropoff": {"label": "SkyLuxse HQ", "lat": 25.1865, "lng": 55.2644},
         "route_distance_km": Decimal("18.20"), "assignee_driver_id": omar, "created_by": ops},
        {"id": demo_id("task", "huracan-docs"), "vehicle_id": huracan, "task_type": "documents",
         "category": "operations", "status": "todo", "priority": "low",
         "title": "Renew Huracan mulkiya", "deadline_at": now + timedelta(days=20),
         "assignee_staff_id": ops, "created_by": ops},
    ])  # fmt: skip
    n += await _insert(conn, m.TaskChecklistItem, [
        {"id": demo_id("checklist", f"{task}-{position}"), "task_id": task, "label": label,
         "required": True, "position": position}
        for task in (delivery_task, pickup_task)
        for position, label in enumerate(["Walk-around photos", "Check fuel level",
                                          "Client signs hand-over"])
    ])  # fmt: skip
    n += await _insert(conn, m.TaskRequiredInput, [
        {"id": demo_id("input", f"{task}-{key}"), "task_id": task, "key": key, "label": label,
         "input_type": kind, "accept": accept, "multiple": multiple, "required": True}
        for task in (delivery_task, pickup_task)
        for key, label, kind, accept, multiple in [
            ("odometer", "Odometer (km)", "number", None, False),
            ("fuel", "Fuel level", "select", "Full,3/4,1/2,1/4,Empty", False),
            ("photos", "Car photos", "file", "image/*", True),
        ]
    ])  # fmt: skip
    stages = [("new", "New", 10, 2, "slate"), ("qualified", "Qualified", 30, 3, "blue"),
              ("proposal", "Proposal", 50, 4, "violet"), ("negotiation", "Negotiation", 70, 5, "amber"),
              ("won", "Won", 100, 0, "green"), ("lost", "Lost", 0, 0, "red")]  # fmt: skip
    n += await _insert(conn, m.SalesPipelineStage, [
        {"id": key, "name": name, "probability": Decimal(probability), "sla_days": sla,
         "badge_color": color, "position": position}
        for position, (key, name, probability, sla, color) in enumerate(stages)
    ])  # fmt: skip
    lead = demo_id("lead", "LD-1201")
    n += await _insert(conn, m.SalesLead, [
        {"id": lead, "lead_code": "LD-1201", "client_id": demo_id("client", CLIENTS[3][2]),
         "title": "Corporate fleet for Expo delegation", "company": "Shanghai Trade Group",
         "owner_id": maxim, "stage_id": "proposal", "value_amount": Decimal("96000.00"),
         "currency": "AED", "source": "Kommo", "expected_close_at": now + timedelta(days=12),
         "requested_start_at": now + timedelta(days=20), "requested_end_at": now + timedelta(days=27),
         "fleet_size": 3, "next_action": "Send revised proposal with G 63 and Bentayga",
         "velocity_days": 3, "status": "active"},
        {"id": demo_id("lead", "LD-1202"), "lead_code": "LD-1202",
         "client_id": demo_id("client", CLIENTS[4][2]), "title": "Weekend Ferrari Roma",
         "owner_id": None, "stage_id": "new", "value_amount": Decimal("7200.00"),
         "currency": "AED", "source": "Website", "status": "active"},
    ])  # fmt: skip
    n += await _insert(conn, m.SalesLeadPricingItem, [
        {"id": demo_id("lead-pricing", "1201-base"), "lead_id": lead, "label": "3 cars x 7 days",
         "amount": Decimal("90000.00"), "category": "base"},
        {"id": demo_id("lead-pricing", "1201-chauffeur"), "lead_id": lead, "label": "chauffeur",
         "amount": Decimal("6000.00"), "category": "addon"},
    ])  # fmt: skip
    n += await _insert(conn, m.SalesLeadVehicleMatch, [
        {"id": demo_id("lead-match", f"1201-{ref}"), "lead_id": lead,
         "vehicle_id": demo_id("vehicle", ref), "fit_score": Decimal(score)}
        for ref, score in (("3", "92.50"), ("4", "88.00"), ("1", "71.00"))
    ])  # fmt: skip
    n += await _insert(conn, m.SalesLeadTimelineEvent, [
        {"id": demo_id("lead-timeline", "1201-1"), "lead_id": lead, "event_type": "call",
         "label": "Discovery call", "owner_id": maxim, "event_ts": now - timedelta(days=3)},
        {"id": demo_id("lead-timeline", "1201-2"), "lead_id": lead, "event_type": "proposal",
         "label": "Proposal v1 sent", "owner_id": maxim, "event_ts": now - timedelta(days=1)},
    ])  # fmt: skip
    n += await _insert(conn, m.SalesLeadTask, [
        {"id": demo_id("lead-task", "1201-1"), "lead_id": lead, "label": "Confirm delegation dates",
         "due_date": today + timedelta(days=2), "status": "todo"},
    ])  # fmt: skip
    n += await _insert(conn, m.SalesLeadOffer, [
        {"id": demo_id("lead-offer", "1201-1"), "lead_id": lead, "name": "Executive trio",
         "description": "G 63 + Bentayga + Ghost with chauffeurs", "price": Decimal("96000.00"),
         "margin_pct": Decimal("34.00")},
    ])  # fmt: skip
    n += await _insert(conn, m.SalesLeadPlaybookStep, [
        {"id": demo_id("lead-playbook", f"1201-{position}"), "lead_id": lead, "label": label,
         "position": position, "is_done": position == 0}
        for position, label in enumerate(["Qualify budget", "Match vehicles", "Send proposal",
                                          "Collect deposit"])
    ])  # fmt: skip
    n += await _insert(conn, m.SalesLeadConflict, [
        {"id": demo_id("lead-conflict", "1201-1"), "lead_id": lead, "conflict_type": "maintenance",
         "severity": "warning", "message": "Huracan is in service until the requested start."},
    ])  # fmt: skip
    n += await _insert(conn, m.SalesLeadFinancial, [
        {"id": demo_id("lead-financial", "1201-1"), "lead_id": lead, "label": "Deposit",
         "amount": Decimal("30000.00"), "due_at": now + timedelta(days=14), "status": "upcoming"},
    ])  # fmt: skip
    n += await _insert(conn, m.KnowledgeBaseArticle, [
        {"id": demo_id("kb", key), "category": category, "title": title, "body": body,
         "owner_id": ops}
        for key, category, title, body in [
            ("delivery-checklist", "Operations", "Delivery hand-over checklist",
             "Photograph all four corners, record odometer and fuel, and have the client sign."),
            ("salik", "Operations", "Salik tolls and fines",
             "Salik toll gates charge per crossing; fines are re-invoiced with a handling fee."),
            ("deposit-policy", "Sales", "Security deposit policy",
             "Deposits are pre-authorised on card and released 14 days after return."),
        ]
    ])  # fmt: skip
    n += await _insert(conn, m.KpiSnapshot, [
        {"id": demo_id("kpi", str(today - timedelta(days=1))), "snapshot_date": today - timedelta(days=1),
         "period": "day", "fleet_utilization": Decimal("0.64"), "sla_compliance": Decimal("0.95"),
         "driver_availability": Decimal("0.67"), "tasks_completed": 7, "pending_documents": 2,
         "client_nps": Decimal("9.10"), "avg_revenue_per_car": Decimal("4120.00"),
         "active_bookings": 3},
    ])  # fmt: skip
    return n


async def seed_demo_data(database_url: str) -> bool:
    """Load the demo set; True when anything was inserted (False on a second run)."""
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            inserted = await _load(conn, datetime.now(UTC))
    finally:
        await engine.dispose()
    return inserted > 0
