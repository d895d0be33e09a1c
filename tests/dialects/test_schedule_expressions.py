"""AWS schedule expressions: what parses, what is refused and why, and when a schedule fires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from samlite.dialects.schedule_expressions import (
    At,
    Cron,
    Rate,
    ScheduleExpressionError,
    next_fire,
    parse_schedule,
)


@pytest.mark.parametrize(("expression", "seconds"), [
    ("rate(1 minute)", 60),
    ("rate(5 minutes)", 300),
    ("rate(1 hour)", 3600),
    ("rate(12 hours)", 43200),
    ("rate(1 day)", 86400),
    ("rate(7 days)", 604800),
    ("  rate(2 minutes)  ", 120),
], ids=lambda v: str(v))
def test_rates_parse_to_seconds(expression: str, seconds: int) -> None:
    parsed = parse_schedule(expression)
    assert isinstance(parsed, Rate)
    assert parsed.seconds == seconds


@pytest.mark.parametrize(("expression", "expected_in_message"), [
    ("rate(1 minutes)", "rate(1 minute)"),
    ("rate(1 hours)", "rate(1 hour)"),
    ("rate(5 minute)", "rate(5 minutes)"),
    ("rate(2 day)", "rate(2 days)"),
    ("rate(0 minutes)", "positive whole number, got '0'"),
    ("rate(-1 minutes)", "positive whole number"),
    ("rate(1.5 hours)", "positive whole number"),
    ("rate(5 seconds)", "minute(s), hour(s) or day(s)"),
    ("rate(5 Minutes)", "lower case"),
    ("rate(5)", "a value and a unit"),
    ("rate()", "a value and a unit"),
], ids=lambda v: str(v))
def test_bad_rates_say_what_to_write(expression: str, expected_in_message: str) -> None:
    with pytest.raises(ScheduleExpressionError) as info:
        parse_schedule(expression)
    assert expected_in_message in str(info.value)


@pytest.mark.parametrize("expression", [
    "cron(0 12 * * ? *)",
    "cron(0 12 ? * MON-FRI *)",
    "cron(0/15 * ? * * *)",
    "cron(0 18 ? * mon-fri *)",
    "cron(15 10 ? * 6L 2026-2030)",
    "cron(0 8 1 * ? *)",
    "cron(0 9 L * ? *)",
    "cron(0 9 LW * ? *)",
    "cron(0 9 15W * ? *)",
    "cron(0 9 ? * 3#2 *)",
    "cron(0 9 ? * 2#1 *)",
    "cron(0,30 8-17 ? * 2-6 *)",
    "cron(0 0 1 JAN,JUL ? *)",
    "cron(5 * * DEC ? 2199)",
    "cron(0 22-2 ? * FRI-MON *)",
], ids=str)
def test_valid_crons_parse(expression: str) -> None:
    assert isinstance(parse_schedule(expression), Cron)


@pytest.mark.parametrize(("expression", "expected_in_message"), [
    ("cron(0 12 * * *)", "6 fields"),
    ("cron(0 12 * * ? * *)", "got 7"),
    ("cron(0 12 * * * *)", "exactly one of day-of-month and day-of-week must be '?'"),
    ("cron(0 12 ? * ? *)", "both are '?'"),
    ("cron(60 12 * * ? *)", "minutes field '60': 60 is out of range; minutes takes 0-59"),
    ("cron(0 24 * * ? *)", "hours takes 0-23"),
    ("cron(0 12 32 * ? *)", "day-of-month takes 1-31"),
    ("cron(0 12 0 * ? *)", "day-of-month takes 1-31"),
    ("cron(0 12 * 13 ? *)", "month takes 1-12"),
    ("cron(0 12 ? * 8 *)", "day-of-week takes 1-7"),
    ("cron(0 12 * * ? 1969)", "year takes 1970-2199"),
    ("cron(0 12 ? * FUN *)", "a name SUN-SAT, got 'FUN'"),
    ("cron(0 12 * FOO ? *)", "a name JAN-DEC, got 'FOO'"),
    ("cron(? 12 * * ? *)", "'?' is allowed only in day-of-month and day-of-week"),
    ("cron(0/0 12 * * ? *)", "increment after '/' must be a positive whole number"),
    ("cron(0 12 ? * 3#6 *)", "week number after '#' must be 1 to 5"),
    ("cron(0 12 1,,2 * ? *)", "empty item"),
], ids=lambda v: str(v))
def test_bad_crons_name_the_field_and_the_rule(expression: str,
                                               expected_in_message: str) -> None:
    with pytest.raises(ScheduleExpressionError) as info:
        parse_schedule(expression)
    assert expected_in_message in str(info.value)


def test_at_is_only_for_scheduler() -> None:
    with pytest.raises(ScheduleExpressionError, match="only in EventBridge Scheduler"):
        parse_schedule("at(2026-12-31T23:59:00)")
    parsed = parse_schedule("at(2026-12-31T23:59:00)", allow_at=True)
    assert parsed == At(year=2026, month=12, day=31, hour=23, minute=59, second=0)


@pytest.mark.parametrize(("expression", "expected_in_message"), [
    ("at(2026-02-30T00:00:00)", "not a real date and time"),
    ("at(2026-12-31 23:59:00)", "yyyy-mm-ddThh:mm:ss"),
    ("at(2026-12-31T25:00:00)", "not a real date and time"),
    ("at(tomorrow)", "yyyy-mm-ddThh:mm:ss"),
], ids=lambda v: str(v))
def test_bad_at_expressions(expression: str, expected_in_message: str) -> None:
    with pytest.raises(ScheduleExpressionError) as info:
        parse_schedule(expression, allow_at=True)
    assert expected_in_message in str(info.value)


@pytest.mark.parametrize("expression", ["every 5 minutes", "cron 0 12 * * ? *", "", "rate"],
                         ids=repr)
def test_other_text_is_not_a_schedule(expression: str) -> None:
    with pytest.raises(ScheduleExpressionError, match=r"expected rate\(...\) or cron\(...\)"):
        parse_schedule(expression)


FRIDAY_NOON = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)   # March 2026 starts on a Sunday


@pytest.mark.parametrize(("expression", "expected"), [
    ("cron(0 9 ? * 2 *)", datetime(2026, 3, 9, 9, 0, tzinfo=UTC)),         # AWS: 2 = Monday
    ("cron(0 9 ? * MON *)", datetime(2026, 3, 9, 9, 0, tzinfo=UTC)),
    ("cron(0 9 ? * 1 *)", datetime(2026, 3, 8, 9, 0, tzinfo=UTC)),         # 1 = Sunday
    ("cron(30 12 * * ? *)", datetime(2026, 3, 6, 12, 30, tzinfo=UTC)),
    ("cron(0 12 * * ? *)", datetime(2026, 3, 7, 12, 0, tzinfo=UTC)),       # strictly after
    ("cron(0/15 * ? * MON-FRI *)", datetime(2026, 3, 6, 12, 15, tzinfo=UTC)),
    ("cron(0 9 L * ? *)", datetime(2026, 3, 31, 9, 0, tzinfo=UTC)),
    ("cron(0 9 ? * 6L *)", datetime(2026, 3, 27, 9, 0, tzinfo=UTC)),       # last Friday
    ("cron(0 9 ? * 3#2 *)", datetime(2026, 3, 10, 9, 0, tzinfo=UTC)),      # second Tuesday
    ("cron(0 9 1W * ? *)", datetime(2026, 4, 1, 9, 0, tzinfo=UTC)),        # Apr 1 is a Wed
    ("cron(0 9 14W * ? *)", datetime(2026, 3, 13, 9, 0, tzinfo=UTC)),      # Sat 14 -> Fri 13
    ("cron(0 9 LW * ? *)", datetime(2026, 3, 31, 9, 0, tzinfo=UTC)),
    ("cron(0 0 1 JAN ? *)", datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
    ("cron(0 0 29 FEB ? *)", datetime(2028, 2, 29, 0, 0, tzinfo=UTC)),
    ("rate(5 minutes)", datetime(2026, 3, 6, 12, 5, tzinfo=UTC)),
    ("at(2026-03-07T08:00:00)", datetime(2026, 3, 7, 8, 0, tzinfo=UTC)),
], ids=lambda v: str(v))
def test_next_fire(expression: str, expected: datetime) -> None:
    assert next_fire(expression, FRIDAY_NOON) == expected


def test_next_fire_is_none_when_it_never_fires_again() -> None:
    assert next_fire("at(2026-03-01T00:00:00)", FRIDAY_NOON) is None
    assert next_fire("cron(0 0 1 1 ? 2025)", FRIDAY_NOON) is None


def test_next_fire_reads_cron_in_the_zone_of_after() -> None:
    paris = ZoneInfo("Europe/Paris")
    after = datetime(2026, 3, 6, 12, 0, tzinfo=paris)
    assert next_fire("cron(0 9 ? * MON *)", after) == datetime(2026, 3, 9, 9, 0, tzinfo=paris)


def test_next_fire_needs_an_aware_datetime() -> None:
    naive = FRIDAY_NOON.replace(tzinfo=None)
    with pytest.raises(ValueError, match="aware"):
        next_fire("rate(1 minute)", naive)


# --- daylight saving time, as the EventBridge Scheduler user guide describes it ---------------
# New York: 2026-03-08 02:00 -> 03:00 (02:xx does not exist), 2026-11-01 02:00 -> 01:00 (01:xx
# twice). Berlin: 2026-03-29 02:00 -> 03:00, 2026-10-25 03:00 -> 02:00 (02:xx twice).
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def fires_utc(expression: str, after: datetime, count: int) -> list[str]:
    """The next `count` fires after `after`, in UTC, each found from the one before."""
    times = []
    when: datetime | None = after
    for _ in range(count):
        assert when is not None
        when = next_fire(expression, when)
        assert when is not None
        times.append(when.astimezone(UTC).strftime("%m-%d %H:%M"))
    return times


def dst_case(case: str, zone: ZoneInfo, expression: str, after: tuple[int, ...],
             expected: list[str]) -> object:
    """`after` is a wall time in `zone`; `expected` are UTC times."""
    return pytest.param(zone, expression, datetime(*after, tzinfo=zone), expected, id=case)


@pytest.mark.parametrize(("zone", "expression", "after", "expected"), [
    dst_case("new-york-spring-skips-a-time-that-does-not-exist", NEW_YORK,
             "cron(30 2 * * ? *)", (2026, 3, 7, 12, 0), ["03-09 06:30", "03-10 06:30"]),
    dst_case("berlin-spring-skips-a-time-that-does-not-exist", BERLIN,
             "cron(30 2 * * ? *)", (2026, 3, 28, 12, 0), ["03-30 00:30", "03-31 00:30"]),
    dst_case("new-york-autumn-fires-a-repeated-time-once", NEW_YORK,
             "cron(30 1 * * ? *)", (2026, 10, 31, 12, 0), ["11-01 05:30", "11-02 06:30"]),
    dst_case("berlin-autumn-fires-a-repeated-time-once", BERLIN,
             "cron(30 2 * * ? *)", (2026, 10, 24, 12, 0), ["10-25 00:30", "10-26 01:30"]),
    dst_case("new-york-autumn-half-hourly-does-not-repeat-the-hour", NEW_YORK,
             "cron(0/30 * * * ? *)", (2026, 11, 1, 0, 40),
             ["11-01 05:00", "11-01 05:30", "11-01 07:00"]),
    dst_case("berlin-spring-hourly-jumps-the-gap", BERLIN,
             "cron(0 * * * ? *)", (2026, 3, 29, 0, 30),
             ["03-29 00:00", "03-29 01:00", "03-29 02:00"]),
    dst_case("new-york-spring-rate-day-is-24-real-hours", NEW_YORK,
             "rate(1 day)", (2026, 3, 7, 12, 0), ["03-08 17:00", "03-09 17:00"]),
    dst_case("berlin-autumn-rate-day-is-24-real-hours", BERLIN,
             "rate(1 day)", (2026, 10, 24, 12, 0), ["10-25 10:00", "10-26 10:00"]),
    dst_case("berlin-spring-rate-hour-is-one-real-hour", BERLIN,
             "rate(1 hour)", (2026, 3, 29, 1, 30), ["03-29 01:30", "03-29 02:30"]),
])
def test_schedules_across_daylight_saving_changes(zone: ZoneInfo, expression: str,
                                                 after: datetime, expected: list[str]) -> None:
    assert fires_utc(expression, after, len(expected)) == expected


def test_a_cron_fire_stays_on_the_wall_clock_of_its_zone_across_spring() -> None:
    after = datetime(2026, 3, 7, 12, 0, tzinfo=NEW_YORK)
    assert next_fire("cron(0 9 * * ? *)", after) == datetime(2026, 3, 8, 9, 0, tzinfo=NEW_YORK)


def test_a_rate_day_across_spring_lands_an_hour_later_on_the_wall_clock() -> None:
    after = datetime(2026, 3, 7, 12, 0, tzinfo=NEW_YORK)
    when = next_fire("rate(1 day)", after)
    assert when is not None
    assert when.hour == 13
    assert when.astimezone(UTC) - after.astimezone(UTC) == timedelta(hours=24)


def test_during_the_second_pass_of_a_repeated_hour_its_times_do_not_fire_again() -> None:
    # 01:10 EST: the clock is in New York's repeated hour for the second time
    after = datetime(2026, 11, 1, 1, 10, tzinfo=NEW_YORK, fold=1)
    when = next_fire("cron(0/30 * * * ? *)", after)
    assert when is not None
    assert when.astimezone(UTC) == datetime(2026, 11, 1, 7, 0, tzinfo=UTC)   # 02:00 EST
