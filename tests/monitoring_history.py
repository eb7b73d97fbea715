"""A month of one shop's traffic, written three ways for the round trip of issue 20
(tests/test_monitoring_round_trip.py): as CSV evidence, as OpenMetrics for a real Prometheus,
and as `promtool test rules` input series; plus the maintenance the provider announced.

November 2026 in Europe/Berlin (CET all month, 30 days = 43,200 minutes from
2026-10-31T23:00Z). 1,000 requests a minute; these minutes fail:

| event | local time | errors | the contract |
|---|---|---|---|
| `outage` | 3 Nov 10:00-10:30 | 50% | 30 bad 1-minute windows: counted |
| `elevated` | 8 Nov 14:00-16:00 | 3% | under the 5% threshold: nothing counted |
| `maintenance` | 12 Nov 02:00-02:45 | 100% | announced 5 days ahead: excluded |
| `late` | 20 Nov 09:00-09:20 | 10% | 20 bad windows: counted |
| `short notice` | 25 Nov 03:00-03:10 | 100% | maintenance announced 1 hour ahead: counted |

60 minutes counted against 43.2 allowed: breached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2026, 10, 31, 23, 0, tzinfo=UTC)  # 2026-11-01 00:00 in Berlin
MINUTES = 30 * 24 * 60
REQUESTS = 1000
BERLIN = timedelta(hours=1)  # CET all November


@dataclass(frozen=True)
class Event:
    name: str
    start: int  # minute of the month
    minutes: int
    errors: int  # per minute, of REQUESTS


def _minute(day: int, hour: int, minute: int = 0) -> int:
    """The minute of the month of a local (CET) time."""
    return ((day - 1) * 24 + hour) * 60 + minute


EVENTS = (
    Event("outage", _minute(3, 10), 30, 500),
    Event("elevated", _minute(8, 14), 120, 30),
    Event("maintenance", _minute(12, 2), 45, 1000),
    Event("late", _minute(20, 9), 20, 100),
    Event("short notice", _minute(25, 3), 10, 1000),
)
# (event, announced how long before it starts)
ANNOUNCED = {"maintenance": timedelta(days=5), "short notice": timedelta(hours=1)}


def stamp(minute: int) -> datetime:
    return START + timedelta(minutes=minute)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def event(name: str) -> Event:
    return next(e for e in EVENTS if e.name == name)


def errors_in(minute: int) -> int:
    return next((e.errors for e in EVENTS if e.start <= minute < e.start + e.minutes), 0)


def write_csv(folder: Path) -> Path:
    """requests.csv (one row a minute) and maintenance.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["service,timestamp,good,total"]
    rows.extend(f"API,{iso(stamp(m))},{REQUESTS - errors_in(m)},{REQUESTS}" for m in range(MINUTES))
    (folder / "requests.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    write_maintenance(folder)
    return folder


def write_maintenance(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["service,start,end,announced"]
    for name, ahead in ANNOUNCED.items():
        e = event(name)
        lines.append(f"API,{iso(stamp(e.start))},{iso(stamp(e.start + e.minutes))},{iso(stamp(e.start) - ahead)}")
    (folder / "maintenance.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def write_openmetrics(file: Path) -> None:
    """Counters sampled at every minute boundary: the sample at the end of minute m counts
    the requests of minute m (tests/prometheus_server.py does the same)."""
    requests, errors = [], []
    total = failed = 0
    for m in range(MINUTES + 1):
        if m > 0:
            total += REQUESTS
            failed += errors_in(m - 1)
        ts = int(stamp(m).timestamp())
        requests.append(f"shop_requests_total {total} {ts}")
        errors.append(f"shop_errors_total {failed} {ts}")
    lines = ["# TYPE shop_requests counter", *requests, "# TYPE shop_errors counter", *errors, "# EOF"]
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")


def promtool_series() -> list[dict[str, str]]:
    """The same counters in promtool's expanding notation (`a+bxn`), one value a minute from
    promtool's time 0 = START."""
    requests = f"0+{REQUESTS}x{MINUTES}"
    parts, value, m = [], 0, 0
    for e in sorted(EVENTS, key=lambda e: e.start):
        if e.start > m:
            parts.append(f"{value}+0x{e.start - m}")
        parts.append(f"{value}+{e.errors}x{e.minutes}")
        value += e.errors * e.minutes
        m = e.start + e.minutes
    parts.append(f"{value}+0x{MINUTES - m}")
    # each `a+bxn` segment writes n+1 values; chain them so every minute has exactly one
    return [
        {"series": "shop_requests_total", "values": requests},
        {"series": "shop_errors_total", "values": " ".join(_chain(parts))},
    ]


def _chain(parts: list[str]) -> list[str]:
    """`a+bxn` gives a, a+b, … a+n·b (n+1 values); the next segment starts at the last value,
    so each segment after the first drops its first value by starting one step on."""
    out = [parts[0]]
    for part in parts[1:]:
        start, rest = part.split("+", 1)
        step, count = rest.split("x")
        first = int(start) + int(step)
        n = int(count) - 1
        out.append(f"{first}+{step}x{n}" if n >= 0 else "")
    return [p for p in out if p]
