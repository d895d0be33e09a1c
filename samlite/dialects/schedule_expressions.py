"""AWS schedule expressions -> Rate / Cron / At values, and when a schedule next fires. Pure.

Follows the EventBridge user guide ("Schedule expressions for rules": rate(), and cron() with
six fields, one of day-of-month / day-of-week being `?`) and the EventBridge Scheduler guide
("Schedule types", which adds one-time `at(yyyy-mm-ddThh:mm:ss)` and says how daylight saving
time is handled). Day-of-week counts 1 = SUN … 7 = SAT, as AWS does. Parse errors say what was
wrong and what was expected.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

__all__ = [
    "At",
    "Cron",
    "CronField",
    "Rate",
    "Schedule",
    "ScheduleExpressionError",
    "next_fire",
    "parse_schedule",
]


class ScheduleExpressionError(ValueError):
    """The expression is not one AWS accepts; the message says why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Rate:
    value: int
    unit: str                        # "minute" | "hour" | "day" (singular, whatever was written)

    @property
    def seconds(self) -> int:
        return self.value * _UNIT_SECONDS[self.unit]


@dataclass(frozen=True, slots=True, kw_only=True)
class CronField:
    """One cron field: the values it allows, plus AWS's special day forms."""

    text: str
    values: frozenset[int] = frozenset()
    any: bool = False                          # `*` or `?`
    last_day: bool = False                     # day-of-month `L`
    last_weekday: bool = False                 # day-of-month `LW`
    nearest_weekday: tuple[int, ...] = ()      # day-of-month `15W`
    last_of_week: tuple[int, ...] = ()         # day-of-week `6L` (last Friday)
    nth_of_week: tuple[tuple[int, int], ...] = ()   # day-of-week `3#2` (second Tuesday)

    @property
    def is_question(self) -> bool:
        return self.text == "?"


@dataclass(frozen=True, slots=True, kw_only=True)
class Cron:
    minutes: CronField
    hours: CronField
    day_of_month: CronField
    month: CronField
    day_of_week: CronField
    year: CronField


@dataclass(frozen=True, slots=True, kw_only=True)
class At:
    """A one-time schedule; the wall-clock time is read in the schedule's time zone."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int

    def in_zone(self, zone: tzinfo) -> datetime:
        return datetime(self.year, self.month, self.day, self.hour, self.minute, self.second,
                        tzinfo=zone)


Schedule = Rate | Cron | At

_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {name: i for i, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)}
_DAYS = {name: i for i, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)}


@dataclass(frozen=True, slots=True)
class _FieldSpec:
    name: str
    low: int
    high: int
    names: dict[str, int] | None = None


_FIELDS = (
    _FieldSpec("minutes", 0, 59),
    _FieldSpec("hours", 0, 23),
    _FieldSpec("day-of-month", 1, 31),
    _FieldSpec("month", 1, 12, _MONTHS),
    _FieldSpec("day-of-week", 1, 7, _DAYS),
    _FieldSpec("year", 1970, 2199),
)

_RATE = re.compile(r"rate\((?P<body>.*)\)", re.DOTALL)
_CRON = re.compile(r"cron\((?P<body>.*)\)", re.DOTALL)
_AT = re.compile(r"at\((?P<body>.*)\)", re.DOTALL)
_AT_BODY = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})")


def parse_schedule(expression: str, *, allow_at: bool = False) -> Schedule:
    """Parse `rate(...)`, `cron(...)` or (with `allow_at`, EventBridge Scheduler only)
    `at(...)`. Raises ScheduleExpressionError with a message naming what is wrong."""
    text = expression.strip()
    if match := _RATE.fullmatch(text):
        return _parse_rate(match["body"], expression)
    if match := _CRON.fullmatch(text):
        return _parse_cron(match["body"], expression)
    if match := _AT.fullmatch(text):
        if not allow_at:
            raise ScheduleExpressionError(
                f"{expression!r}: at(...) one-time schedules exist only in EventBridge Scheduler "
                "(ScheduleV2, AWS::Scheduler::Schedule); use rate(...) or cron(...) here")
        return _parse_at(match["body"], expression)
    kinds = "rate(...), cron(...) or at(...)" if allow_at else "rate(...) or cron(...)"
    raise ScheduleExpressionError(f"{expression!r} is not a schedule expression; expected {kinds}")


def _parse_rate(body: str, expression: str) -> Rate:
    parts = body.split()
    if len(parts) != 2:
        raise ScheduleExpressionError(
            f"{expression!r}: rate(...) takes a value and a unit, e.g. rate(5 minutes)")
    value_text, unit_text = parts
    if not value_text.isdigit() or int(value_text) <= 0:
        raise ScheduleExpressionError(
            f"{expression!r}: the rate value must be a positive whole number, got {value_text!r}")
    value = int(value_text)
    unit = unit_text.lower()
    singular = unit.removesuffix("s")
    if singular not in _UNIT_SECONDS or unit_text != unit:
        raise ScheduleExpressionError(
            f"{expression!r}: the rate unit must be minute(s), hour(s) or day(s) in lower case, "
            f"got {unit_text!r}")
    if value == 1 and unit != singular:
        raise ScheduleExpressionError(
            f"{expression!r}: use the singular unit when the value is 1: rate(1 {singular})")
    if value > 1 and unit == singular:
        raise ScheduleExpressionError(
            f"{expression!r}: use the plural unit when the value is more than 1: "
            f"rate({value} {singular}s)")
    return Rate(value=value, unit=singular)


def _parse_at(body: str, expression: str) -> At:
    match = _AT_BODY.fullmatch(body.strip())
    if not match:
        raise ScheduleExpressionError(
            f"{expression!r}: at(...) takes a date and time as yyyy-mm-ddThh:mm:ss, "
            "e.g. at(2026-12-31T23:59:00)")
    year, month, day, hour, minute, second = (int(g) for g in match.groups())
    try:
        # validates the calendar (Feb 30, hour 25); the zone is applied by the schedule
        At(year=year, month=month, day=day, hour=hour, minute=minute,
           second=second).in_zone(_NO_ZONE)
    except ValueError as exc:
        raise ScheduleExpressionError(f"{expression!r}: not a real date and time ({exc})") from exc
    return At(year=year, month=month, day=day, hour=hour, minute=minute, second=second)


def _parse_cron(body: str, expression: str) -> Cron:
    parts = body.split()
    if len(parts) != 6:
        raise ScheduleExpressionError(
            f"{expression!r}: AWS cron has 6 fields (minutes hours day-of-month month "
            f"day-of-week year), got {len(parts)}")
    fields = [_parse_field(part, spec, expression) for part, spec in zip(parts, _FIELDS,
                                                                         strict=True)]
    dom, dow = fields[2], fields[4]
    if dom.is_question == dow.is_question:
        found = "both are '?'" if dom.is_question else f"got {dom.text!r} and {dow.text!r}"
        raise ScheduleExpressionError(
            f"{expression!r}: exactly one of day-of-month and day-of-week must be '?' ({found}); "
            "e.g. cron(0 12 * * ? *) or cron(0 12 ? * MON-FRI *)")
    return Cron(minutes=fields[0], hours=fields[1], day_of_month=dom, month=fields[3],
                day_of_week=dow, year=fields[5])


def _parse_field(text: str, spec: _FieldSpec, expression: str) -> CronField:
    def fail(what: str) -> ScheduleExpressionError:
        return ScheduleExpressionError(f"{expression!r}: {spec.name} field {text!r}: {what}")

    is_day = spec.name in ("day-of-month", "day-of-week")
    if text == "?":
        if not is_day:
            raise fail("'?' is allowed only in day-of-month and day-of-week")
        return CronField(text=text, any=True)
    values: set[int] = set()
    found = {"any": False, "last_day": False, "last_weekday": False}
    nearest: list[int] = []
    last_of_week: list[int] = []
    nth: list[tuple[int, int]] = []
    for item in text.split(","):
        if not item:
            raise fail("empty item between commas")
        upper = item.upper()
        if spec.name == "day-of-month" and upper in ("L", "LW"):
            found["last_day" if upper == "L" else "last_weekday"] = True
        elif spec.name == "day-of-month" and upper.endswith("W"):
            nearest.append(_number(upper[:-1], spec, fail))
        elif spec.name == "day-of-week" and upper.endswith("L"):
            last_of_week.append(_number(upper[:-1], spec, fail) if upper != "L" else 7)
        elif spec.name == "day-of-week" and "#" in upper:
            day_text, _, nth_text = upper.partition("#")
            if not nth_text.isdigit() or not 1 <= int(nth_text) <= 5:
                raise fail(f"the week number after '#' must be 1 to 5, got {nth_text!r}")
            nth.append((_number(day_text, spec, fail), int(nth_text)))
        else:
            values |= _range_item(upper, spec, fail, found)
    return CronField(text=text, values=frozenset(values), any=found["any"],
                     last_day=found["last_day"], last_weekday=found["last_weekday"],
                     nearest_weekday=tuple(nearest), last_of_week=tuple(last_of_week),
                     nth_of_week=tuple(nth))


def _range_item(item: str, spec: _FieldSpec, fail, found: dict[str, bool]) -> set[int]:  # type: ignore[no-untyped-def]
    base, slash, step_text = item.partition("/")
    step = 1
    if slash:
        if not step_text.isdigit() or int(step_text) <= 0:
            raise fail(f"the increment after '/' must be a positive whole number, "
                       f"got {step_text!r}")
        step = int(step_text)
    if base == "*":
        if not slash:
            found["any"] = True
            return set()
        start, end = spec.low, spec.high
    elif "-" in base:
        start_text, _, end_text = base.partition("-")
        start, end = _number(start_text, spec, fail), _number(end_text, spec, fail)
    else:
        start = _number(base, spec, fail)
        end = spec.high if slash else start
    span = end - start if end >= start else (spec.high - start) + (end - spec.low) + 1
    # a range may wrap around (FRI-MON, 22-2), as Quartz-style cron allows
    size = spec.high - spec.low + 1
    return {spec.low + (start - spec.low + offset) % size for offset in range(0, span + 1, step)}


def _number(text: str, spec: _FieldSpec, fail) -> int:  # type: ignore[no-untyped-def]
    if spec.names and text in spec.names:
        return spec.names[text]
    if not text.isdigit():
        names = f" or a name {min(spec.names, key=spec.names.__getitem__)}-" \
            f"{max(spec.names, key=spec.names.__getitem__)}" if spec.names else ""
        raise fail(f"expected a number from {spec.low} to {spec.high}{names}, got {text!r}")
    value = int(text)
    if not spec.low <= value <= spec.high:
        raise fail(f"{value} is out of range; {spec.name} takes {spec.low}-{spec.high}")
    return value


class _NoZone(tzinfo):
    """A placeholder zone used only to validate a calendar date."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)


_NO_ZONE = _NoZone()


# --- when does it fire next -------------------------------------------------------------------

def next_fire(schedule: Schedule | str, after: datetime) -> datetime | None:
    """The first time strictly after `after` (an aware datetime) at which the schedule fires,
    in `after`'s time zone; None when it never fires again. A rate fires every interval from
    `after` (AWS counts from when the rule was created).

    Across a daylight saving change this does what the EventBridge Scheduler user guide
    ("Schedule types on EventBridge Scheduler", section "Daylight savings time on EventBridge
    Scheduler", and the re:Post article "eventbridge-scheduler-adjust-dst") says: a rate counts
    real elapsed time (rate(1 day) is always 24 hours), a cron time that does not exist on the
    spring-forward day is skipped, and one that occurs twice on the fall-back day fires once."""
    if after.tzinfo is None:
        raise ValueError("next_fire needs an aware datetime (with a time zone)")
    parsed = parse_schedule(schedule, allow_at=True) if isinstance(schedule, str) else schedule
    if isinstance(parsed, Rate):
        return _plus_real_seconds(after, parsed.seconds)
    if isinstance(parsed, At):
        when = parsed.in_zone(after.tzinfo)
        return when if when.astimezone(UTC) > after.astimezone(UTC) else None
    return _next_cron(parsed, after)


def _plus_real_seconds(when: datetime, seconds: float) -> datetime:
    # Adding a timedelta to a zoned datetime moves its wall clock (23 real hours for a day
    # across spring-forward); adding in UTC counts elapsed time.
    return (when.astimezone(UTC) + timedelta(seconds=seconds)).astimezone(when.tzinfo)


def _next_cron(cron: Cron, after: datetime) -> datetime | None:
    zone = after.tzinfo
    after_utc = after.astimezone(UTC)
    # Wall times only grow with real time once gaps and second passes are left out, so the
    # wall clock just after `after` is where the search can start.
    start = (after + timedelta(minutes=1)).replace(second=0, microsecond=0)
    day = start.date()
    while day.year <= _FIELDS[5].high:
        if _matches(cron.year, day.year) and _matches(cron.month, day.month) \
                and _day_matches(cron, day.year, day.month, day.day):
            for hour, minute in _times(cron, first=(start.hour, start.minute)
                                       if day == start.date() else (0, 0)):
                # fold=0 is a repeated wall time's first pass: the one it fires at
                local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
                if _exists(local) and local.astimezone(UTC) > after_utc:
                    return local
        day += timedelta(days=1)
    return None


def _exists(local: datetime) -> bool:
    """False for a wall time in a spring-forward gap (02:30 in New York on its change day)."""
    round_trip = local.astimezone(UTC).astimezone(local.tzinfo)
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None)


def _times(cron: Cron, first: tuple[int, int]) -> Iterator[tuple[int, int]]:
    for hour in range(24):
        if not _matches(cron.hours, hour):
            continue
        for minute in range(60):
            if (hour, minute) >= first and _matches(cron.minutes, minute):
                yield hour, minute


def _matches(field: CronField, value: int) -> bool:
    return field.any or value in field.values


def _day_matches(cron: Cron, year: int, month: int, day: int) -> bool:
    days_in_month = calendar.monthrange(year, month)[1]
    aws_weekday = (calendar.weekday(year, month, day) + 1) % 7 + 1   # Mon=0 -> 2, Sun=6 -> 1
    if not cron.day_of_month.is_question:
        dom = cron.day_of_month
        if dom.any or day in dom.values:
            return True
        if dom.last_day and day == days_in_month:
            return True
        if dom.last_weekday and day == _last_weekday(year, month):
            return True
        return any(day == _nearest_weekday(year, month, d) for d in dom.nearest_weekday)
    dow = cron.day_of_week
    if dow.any or aws_weekday in dow.values:
        return True
    if aws_weekday in dow.last_of_week and day + 7 > days_in_month:
        return True
    return any(aws_weekday == wd and (day - 1) // 7 + 1 == n for wd, n in dow.nth_of_week)


def _last_weekday(year: int, month: int) -> int:
    day = calendar.monthrange(year, month)[1]
    while calendar.weekday(year, month, day) >= 5:
        day -= 1
    return day


def _nearest_weekday(year: int, month: int, day: int) -> int:
    """AWS `nW`: the weekday nearest to day n, staying inside the month."""
    days_in_month = calendar.monthrange(year, month)[1]
    day = min(day, days_in_month)
    weekday = calendar.weekday(year, month, day)
    if weekday == 5:    # Saturday -> Friday, or Monday when the 1st is a Saturday
        return day - 1 if day > 1 else day + 2
    if weekday == 6:    # Sunday -> Monday, or Friday when it is the month's last day
        return day + 1 if day < days_in_month else day - 2
    return day
