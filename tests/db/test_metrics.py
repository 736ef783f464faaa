"""Client tier/segment and vehicle utilization, computed in PostgreSQL (decisions.md rules).

Each test runs in one transaction, so now() is fixed and timestamps written as
`now() - interval` sit exactly on the boundaries the rules name.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection


async def new_client(db: AsyncConnection) -> uuid.UUID:
    return (
        await db.execute(text("INSERT INTO clients (name) VALUES ('Test client') RETURNING id"))
    ).scalar_one()


async def new_vehicle(db: AsyncConnection) -> uuid.UUID:
    return (
        await db.execute(text("INSERT INTO vehicles (name) VALUES ('Test car') RETURNING id"))
    ).scalar_one()


async def add_booking(
    db: AsyncConnection,
    client_id: uuid.UUID | None,
    amount: str | None,
    started: str | None,
    *,
    vehicle_id: uuid.UUID | None = None,
    ended: str | None = None,
    status: str = "preparation",
) -> uuid.UUID:
    """`started`/`ended` are offsets from now(), e.g. '-30 days' or '2 hours'."""
    return (
        await db.execute(
            text(
                "INSERT INTO bookings "
                "(client_id, vehicle_id, total_amount, start_at, end_at, status) "
                "VALUES (:client, :vehicle, :amount, "
                "now() + CAST(CAST(:started AS text) AS interval), "
                "now() + CAST(CAST(:ended AS text) AS interval), "
                "CAST(:status AS booking_status)) RETURNING id"
            ),
            {
                "client": client_id,
                "vehicle": vehicle_id,
                "amount": amount,
                "started": started,
                "ended": ended,
                "status": status,
            },
        )
    ).scalar_one()


async def tier_and_segment(db: AsyncConnection, client_id: uuid.UUID) -> tuple[str, str]:
    row = (
        await db.execute(
            text("SELECT tier::text, segment::text FROM clients WHERE id = :id"), {"id": client_id}
        )
    ).one()
    return row[0], row[1]


@pytest.mark.parametrize(
    ("amounts", "expected_tier"),
    [
        (["50000.00"], "vip"),
        (["30000.00", "20000.00"], "vip"),
        (["49999.99"], "gold"),
        (["35000.00"], "gold"),
        (["34999.99"], "silver"),
        (["15000.00"], "silver"),
        ([None, "50000.00"], "vip"),
        ([None], "silver"),
    ],
)
async def test_tier_follows_lifetime_value(
    db: AsyncConnection, amounts: list[str | None], expected_tier: str
) -> None:
    client = await new_client(db)
    for amount in amounts:
        await add_booking(db, client, amount, "-5 days")
    tier, _ = await tier_and_segment(db, client)
    assert tier == expected_tier
    ltv = (
        await db.execute(text("SELECT calculate_client_lifetime_value(:id)"), {"id": client})
    ).scalar_one()
    assert ltv == sum((Decimal(a) for a in amounts if a), Decimal("0"))


@pytest.mark.parametrize(
    ("amount", "started", "expected"),
    [
        ("50000.00", "-30 days", "premier_loyalist"),
        ("50000.00", "-30 days -1 second", "general"),
        ("60000.00", "-60 days", "high_value_dormant"),
        ("60000.00", "-60 days -1 second", "dormant_vip"),
        ("40000.00", "-45 days", "growth_gold"),
        ("40000.00", "-45 days -1 second", "high_value_dormant"),
        ("40000.00", "-90 days", "high_value_dormant"),
        ("40000.00", "-90 days -1 second", "at_risk"),
        ("5000.00", "-90 days", "general"),
        ("5000.00", "-91 days", "at_risk"),
        ("10000.00", "-30 days", "new_rising"),
        ("14999.99", "-1 day", "new_rising"),
        ("15000.00", "-1 day", "general"),
        ("10000.00", "-31 days", "general"),
        ("50000.00", "10 days", "premier_loyalist"),
        ("10000.00", "3 days", "new_rising"),
    ],
)
async def test_segment_rules_in_order_with_boundaries(
    db: AsyncConnection, amount: str, started: str, expected: str
) -> None:
    client = await new_client(db)
    await add_booking(db, client, amount, started)
    assert (await tier_and_segment(db, client))[1] == expected


async def test_client_without_bookings_is_silver_general(db: AsyncConnection) -> None:
    client = await new_client(db)
    await db.execute(
        text("SELECT refresh_client_metrics_for_ids(ARRAY[CAST(:id AS uuid)])"), {"id": client}
    )
    assert await tier_and_segment(db, client) == ("silver", "general")
    last = (
        await db.execute(text("SELECT calculate_client_last_booking_at(:id)"), {"id": client})
    ).scalar_one()
    assert last is None


async def test_booking_without_start_counts_with_created_at(db: AsyncConnection) -> None:
    client = await new_client(db)
    await db.execute(
        text(
            "INSERT INTO bookings (client_id, total_amount, created_at) "
            "VALUES (:id, 1000, now() - interval '100 days')"
        ),
        {"id": client},
    )
    assert await tier_and_segment(db, client) == ("silver", "at_risk")


async def test_latest_booking_decides_recency(db: AsyncConnection) -> None:
    client = await new_client(db)
    await add_booking(db, client, "30000.00", "-200 days")
    await add_booking(db, client, "25000.00", "-10 days")
    assert await tier_and_segment(db, client) == ("vip", "premier_loyalist")


async def test_moving_a_booking_refreshes_both_clients(db: AsyncConnection) -> None:
    first, second = await new_client(db), await new_client(db)
    booking = await add_booking(db, first, "50000.00", "-1 day")
    assert await tier_and_segment(db, first) == ("vip", "premier_loyalist")

    await db.execute(
        text("UPDATE bookings SET client_id = :to WHERE id = :id"), {"to": second, "id": booking}
    )
    assert await tier_and_segment(db, first) == ("silver", "general")
    assert await tier_and_segment(db, second) == ("vip", "premier_loyalist")

    await db.execute(text("DELETE FROM bookings WHERE id = :id"), {"id": booking})
    assert await tier_and_segment(db, second) == ("silver", "general")


async def test_amount_change_refreshes_tier(db: AsyncConnection) -> None:
    client = await new_client(db)
    booking = await add_booking(db, client, "10000.00", "-1 day")
    await db.execute(
        text("UPDATE bookings SET total_amount = 36000 WHERE id = :id"), {"id": booking}
    )
    assert await tier_and_segment(db, client) == ("gold", "growth_gold")


async def utilization(db: AsyncConnection, vehicle_id: uuid.UUID) -> Decimal:
    value: Decimal = (
        await db.execute(
            text("SELECT utilization_pct FROM vehicles WHERE id = :id"), {"id": vehicle_id}
        )
    ).scalar_one()
    return value


@pytest.mark.parametrize(
    ("windows", "expected"),
    [
        ([("-15 days", "0 days")], "0.50"),
        # Overlapping bookings count once: union of [-20,-10] and [-15,-5] is 15 days.
        ([("-20 days", "-10 days"), ("-15 days", "-5 days")], "0.50"),
        # Clipped to the 30-day window at the start...
        ([("-40 days", "-20 days")], "0.33"),
        # ... and at now.
        ([("-3 days", "10 days")], "0.10"),
        ([("-60 days", "1 day")], "1.00"),
        ([("-90 days", "-31 days")], "0.00"),
        ([("1 day", "5 days")], "0.00"),
    ],
)
async def test_utilization_is_union_clipped_to_30_days(
    db: AsyncConnection, windows: list[tuple[str, str]], expected: str
) -> None:
    vehicle = await new_vehicle(db)
    for started, ended in windows:
        await add_booking(db, None, "100.00", started, vehicle_id=vehicle, ended=ended)
    assert await utilization(db, vehicle) == Decimal(expected)


async def test_new_bookings_do_not_count_until_confirmed(db: AsyncConnection) -> None:
    vehicle = await new_vehicle(db)
    booking = await add_booking(
        db, None, "100.00", "-15 days", vehicle_id=vehicle, ended="0 days", status="new"
    )
    assert await utilization(db, vehicle) == Decimal("0.00")
    await db.execute(
        text("UPDATE bookings SET status = 'preparation' WHERE id = :id"), {"id": booking}
    )
    assert await utilization(db, vehicle) == Decimal("0.50")


async def test_moving_a_booking_refreshes_both_vehicles(db: AsyncConnection) -> None:
    first, second = await new_vehicle(db), await new_vehicle(db)
    booking = await add_booking(db, None, "1.00", "-6 days", vehicle_id=first, ended="0 days")
    assert await utilization(db, first) == Decimal("0.20")
    await db.execute(
        text("UPDATE bookings SET vehicle_id = :to WHERE id = :id"), {"to": second, "id": booking}
    )
    assert (await utilization(db, first), await utilization(db, second)) == (
        Decimal("0.00"),
        Decimal("0.20"),
    )
    await db.execute(text("DELETE FROM bookings WHERE id = :id"), {"id": booking})
    assert await utilization(db, second) == Decimal("0.00")


async def test_bulk_insert_refreshes_once_per_statement(db: AsyncConnection) -> None:
    await db.execute(text("SET LOCAL track_functions = 'all'"))
    clients = [await new_client(db) for _ in range(3)]
    vehicles = [await new_vehicle(db) for _ in range(2)]
    await db.execute(
        text(
            "INSERT INTO bookings (client_id, vehicle_id, total_amount, start_at, end_at, status) "
            "SELECT (CAST(:clients AS uuid[]))[1 + i % 3], (CAST(:vehicles AS uuid[]))[1 + i % 2], "
            "1000, now() - interval '2 days', now() - interval '1 day', 'preparation' "
            "FROM generate_series(1, 300) AS i"
        ),
        {"clients": clients, "vehicles": vehicles},
    )
    calls = dict(
        (
            await db.execute(
                text(
                    "SELECT funcname::text, calls FROM pg_stat_xact_user_functions "
                    "WHERE funcname IN "
                    "('refresh_client_metrics_for_ids', 'refresh_vehicle_utilization')"
                )
            )
        ).all()
    )
    # 3 clients created above each ran no refresh; the bulk statement ran one.
    assert calls["refresh_client_metrics_for_ids"] == 1
    assert calls["refresh_vehicle_utilization"] == 2
    for client in clients:
        assert await tier_and_segment(db, client) == ("vip", "premier_loyalist")


async def test_daily_refresh_recomputes_clock_dependent_values(db: AsyncConnection) -> None:
    client = await new_client(db)
    await add_booking(db, client, "50000.00", "-1 day")
    # Simulate a day passing without a booking change: the stored segment is stale.
    await db.execute(text("UPDATE clients SET segment = 'general' WHERE id = :id"), {"id": client})
    await db.execute(text("SELECT refresh_all_client_and_vehicle_metrics()"))
    assert await tier_and_segment(db, client) == ("vip", "premier_loyalist")


async def test_updated_at_moves_only_on_a_real_change(db: AsyncConnection) -> None:
    client = (
        await db.execute(
            text(
                "INSERT INTO clients (name, created_at, updated_at) "
                "VALUES ('A', '2020-01-01', '2020-01-01') RETURNING id"
            )
        )
    ).scalar_one()
    await db.execute(text("UPDATE clients SET name = 'A' WHERE id = :id"), {"id": client})
    unchanged = (
        await db.execute(
            text("SELECT updated_at = '2020-01-01' FROM clients WHERE id = :id"), {"id": client}
        )
    ).scalar_one()
    assert unchanged
    await db.execute(text("UPDATE clients SET name = 'B' WHERE id = :id"), {"id": client})
    moved = (
        await db.execute(
            text(
                "SELECT updated_at > now(), created_at = '2020-01-01' FROM clients WHERE id = :id"
            ),
            {"id": client},
        )
    ).one()
    assert tuple(moved) == (True, True)


@pytest.mark.parametrize(
    ("status", "event_status"),
    [
        ("new", "scheduled"),
        ("preparation", "scheduled"),
        ("delivery", "in_progress"),
        ("in_rent", "in_progress"),
        ("settlement", "completed"),
    ],
)
async def test_calendar_view_maps_booking_status(
    db: AsyncConnection, status: str, event_status: str
) -> None:
    vehicle = await new_vehicle(db)
    booking = await add_booking(
        db, None, "1.00", "1 day", vehicle_id=vehicle, ended="2 days", status=status
    )
    row = (
        await db.execute(
            text(
                "SELECT event_type::text, status::text, vehicle_id FROM calendar_events_expanded "
                "WHERE booking_id = :id"
            ),
            {"id": booking},
        )
    ).one()
    assert tuple(row) == ("rental", event_status, vehicle)


async def test_calendar_view_skips_bookings_without_car_or_dates(db: AsyncConnection) -> None:
    vehicle = await new_vehicle(db)
    no_car = await add_booking(db, None, "1.00", "1 day", ended="2 days")
    no_dates = (
        await db.execute(
            text("INSERT INTO bookings (vehicle_id) VALUES (:v) RETURNING id"), {"v": vehicle}
        )
    ).scalar_one()
    count = (
        await db.execute(
            text("SELECT count(*) FROM calendar_events_expanded WHERE booking_id IN (:a, :b)"),
            {"a": no_car, "b": no_dates},
        )
    ).scalar_one()
    assert count == 0
