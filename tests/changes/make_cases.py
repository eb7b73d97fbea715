"""Write the golden diff cases (tests/cases/diff/<name>/{old,new}.sla) from base.sla: each
case is one edit of the base. `python tests/changes/make_cases.py --expected` also writes
each case's expected.json from the current output, to be read and checked by hand before
it is committed; the tests never write it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
CASES = HERE.parent / "cases" / "diff"
BASE = (HERE / "base.sla").read_text(encoding="utf-8")

# name: the edits (text in base.sla -> text in the other version); a name ending in
# `!` reads the edit backwards (the edited text is OLD, base.sla is NEW)
EDITS: dict[str, list[tuple[str, str]]] = {
    "target-lowered": [("99.95% per calendar month on plan", "99.9% per calendar month on plan")],
    "target-raised": [("99.5% per calendar month\n", "99.9% per calendar month\n")],
    "target-period-changed": [
        (
            'per calendar month\n        }\n\n        credits for "Availability" {\n            below 99.9%: 3 days',
            'per calendar quarter\n        }\n\n        credits for "Availability" {\n            below 99.9%: 3 days',
        )
    ],
    "target-kind-changed": [("availability at least 99.9% of requests per", "availability at least 99.9% per")],
    "request-target-lowered": [("99.9% of requests", "99.5% of requests")],
    "latency-bound-raised": [("p99 at most 300 ms", "p99 at most 500 ms")],
    "latency-percentile-lowered": [("p99 at most", "p95 at most")],
    "latency-bound-strict": [("p99 at most 300 ms", "p99 below 300 ms")],
    "objective-added": [
        (
            '        objective "Requests" {',
            '        objective "Errors" {\n            availability at least 99% of requests per calendar month\n        }\n\n        objective "Requests" {',
        )
    ],
    "objective-removed!": [
        (
            '        objective "Requests" {',
            '        objective "Errors" {\n            availability at least 99% of requests per calendar month\n        }\n\n        objective "Requests" {',
        )
    ],
    "service-added": [
        (
            '    calendar "Office" {',
            '    service "DNS" {\n        objective "Availability" {\n            availability at least 100% per calendar month\n        }\n    }\n\n    calendar "Office" {',
        )
    ],
    "exclusion-cause-added": [('caused by "customer"', 'caused by "customer", "network"')],
    "exclusion-cause-removed": [('            exclude incidents caused by "customer"\n', "")],
    "maintenance-notice-shortened": [("at least 5 days ahead", "at least 2 days ahead")],
    "maintenance-cap-raised": [("up to 4 hours per calendar month", "up to 8 hours per calendar month")],
    "maintenance-cap-removed": [(", up to 4 hours per calendar month", "")],
    "maintenance-exclusion-removed": [
        ("            exclude maintenance announced at least 5 days ahead, up to 4 hours per calendar month\n", "")
    ],
    "ignore-outages-widened": [("ignore outages shorter than 1 minute", "ignore outages shorter than 5 minutes")],
    "ignore-outages-or-less": [("ignore outages of 30 seconds or less", "ignore outages of 1 minute or less")],
    "ignore-outages-after-exclusions": [
        ("ignore outages of 30 seconds or less", "ignore outages of 30 seconds or less after exclusions")
    ],
    "ignore-outages-removed": [("            ignore outages shorter than 1 minute\n", "")],
    "rounding-coarser": [("round outages down to 1 minute", "round outages down to 5 minutes")],
    "rounding-removed": [("            round outages down to 1 minute\n", "")],
    "clock-units-coarser": [("count only whole clock minutes", "count only whole clock 5 minute intervals")],
    "clock-units-removed": [("            count only whole clock minutes\n", "")],
    "share-weighting-removed": [("            weight downtime by share affected\n", "")],
    "share-weighting-adds-overlaps": [
        ("weight downtime by share affected", "weight downtime by share affected, adding overlaps")
    ],
    "missing-data-counts-unavailable": [
        (
            "            downtime from incidents\n",
            "            downtime from incidents\n            missing data counts as unavailable\n",
        )
    ],
    "downtime-source-changed": [
        (
            'per calendar month\n        }\n\n        credits for "Availability" {\n            below 99.9%: 3 days',
            'per calendar month\n            downtime from samples every 1 minute\n        }\n\n        credits for "Availability" {\n            below 99.9%: 3 days',
        )
    ],
    "tier-threshold-tightened": [("below 99.5%: 10% of monthly fee", "below 99.4%: 10% of monthly fee")],
    "tier-threshold-eased-latency": [("above 300 ms: 5%", "above 250 ms: 5%")],
    "tier-amount-lowered": [
        ("below 99.0%: 25% of monthly fee\n            at most", "below 99.0%: 20% of monthly fee\n            at most")
    ],
    "tier-amount-raised-fixed": [("below 99.9%: 250 USD", "below 99.9%: 300 USD")],
    "tier-amount-changed": [("below 99.9%: 250 USD", "below 99.9%: 10% of monthly fee")],
    "tier-added": [
        (
            "below 99.0%: 25% of monthly fee\n            at most",
            "below 99.0%: 25% of monthly fee\n            below 95.0%: 50% of monthly fee\n            at most",
        )
    ],
    "tier-removed": [("            below 99.0%: 25% of monthly fee\n            at most", "            at most")],
    "outage-tier-threshold-tightened": [
        ("for each outage longer than 5 minutes", "for each outage longer than 10 minutes")
    ],
    "outage-tier-amount-per-started": [
        (
            "for each outage longer than 5 minutes: 1% of monthly fee",
            "for each outage longer than 5 minutes: 1% of monthly fee per started 10 minutes",
        )
    ],
    "outage-tier-cap-added": [
        (
            "for each outage longer than 5 minutes: 1% of monthly fee",
            "for each outage longer than 5 minutes: 1% of monthly fee, at most 5% of monthly fee",
        )
    ],
    "service-time-raised": [("below 99.9%: 3 days of service", "below 99.9%: 5 days of service")],
    "service-time-cap-lowered": [("at most 10 days of service", "at most 7 days of service")],
    "credit-cap-lowered": [("at most 50% of monthly fee\n", "at most 30% of monthly fee\n")],
    "credit-cap-removed": [("            at most 50% of monthly fee\n", "")],
    "rolling-cap-span-lengthened": [("per 12 months", "per 24 months")],
    "rolling-cap-lowered": [("at most 100% of monthly fee per 12 months", "at most 75% of monthly fee per 12 months")],
    "credit-minimum-raised": [("minimum 5 USD", "minimum 20 USD")],
    "credit-minimum-removed": [("            minimum 5 USD\n", "")],
    "payment-threshold-raised": [("pay credits only above 1 USD", "pay credits only above 10 USD")],
    "claim-window-shortened": [("claim within 30 days", "claim within 14 days")],
    "claim-window-business-days": [("claim within 30 days", 'claim within 20 business days on "Office"')],
    "claim-window-from-outage-start": [
        ("claim within 15 days after the outage ends", "claim within 15 days of the outage")
    ],
    "claim-by-month-end-shortened": [("end of the 2nd calendar month", "end of the 1st calendar month")],
    "claim-deadline-removed": [("            claim within 30 days\n", "")],
    "credits-removed": [('\n        credits for "Requests" {\n            below 99.9%: 250 USD\n        }\n', "")],
    "credits-on-plan-fall-back": [
        (
            '\n        credits for "Availability" on plan "Premium" {\n            below 99.95%: 10% of monthly fee\n            below 99.0%: 25% of monthly fee\n        }\n',
            "",
        )
    ],
    "chronic-failure-eased": [("in 3 consecutive periods", "in 2 consecutive periods")],
    "chronic-failure-or-of-any": [("in 3 consecutive periods", "in 3 consecutive periods or in 4 of any 12 periods")],
    "chronic-failure-removed": [
        ("            chronic failure when breached in 3 consecutive periods, terminate within 30 days\n", "")
    ],
    "termination-window-shortened": [("terminate within 30 days", "terminate within 10 days")],
    "termination-window-removed": [(", terminate within 30 days", "")],
    "response-target-lengthened": [
        ("first response within 4 business hours", "first response within 8 business hours")
    ],
    "response-target-business-to-clock": [("first response within 4 business hours", "first response within 4 hours")],
    "response-around-the-clock-added": [
        ("first response within 1 business day", "first response within 1 day, around the clock")
    ],
    "resolution-target-removed": [(", resolution within 2 business days", "")],
    "resolution-target-shortened": [("resolution within 2 business days", "resolution within 1 business day")],
    "priority-added": [
        (
            '        priority P2 "Degraded": first response within 1 business day\n',
            '        priority P2 "Degraded": first response within 1 business day\n        priority P3 "Question": first response within 2 business days\n',
        )
    ],
    "ticket-target-lowered": [("target 90% of tickets", "target 85% of tickets")],
    "support-calendar-changed": [
        ('        calendar "Office"\n        priority', '        calendar "Weekdays"\n        priority'),
        (
            '    support "Standard" {',
            '    calendar "Weekdays" {\n        open monday to friday 08:00 to 18:00\n        timezone "Europe/London"\n    }\n\n    support "Standard" {',
        ),
    ],
    "calendar-hours-changed": [("open monday to friday 09:00 to 17:00", "open monday to friday 09:00 to 18:00")],
    "calendar-holidays-changed": [('holidays "GB"', 'holidays "GB-SCT"')],
    "calendar-closed-days": [('holidays "GB"\n', 'holidays "GB"\n        closed on 2026-12-24\n')],
    "support-coverage": [('    support "Standard" {', '    support "Standard" on plan "Standard" {')],
    "support-plan-removed!": [
        (
            "\n    security {",
            '\n    support "Premium" on plan "Premium" {\n        priority P1 "Outage": first response within 1 hour\n    }\n\n    security {',
        )
    ],
    "certification-removed": [('        certification "ISO 27001" renewed every 12 months\n', "")],
    "certification-renewal-lengthened": [("renewed every 12 months", "renewed every 24 months")],
    "compliance-added": [('        compliance "GDPR"\n', '        compliance "GDPR"\n        compliance "HIPAA"\n')],
    "breach-notification-lengthened": [("within 72 hours", "within 96 hours")],
    "report-deadline-shortened": [("every calendar month within 10 days", "every calendar month within 5 days")],
    "report-frequency-lowered": [("report every calendar month", "report every calendar quarter")],
    "report-added": [
        (
            "        performance report every calendar month within 10 days\n",
            "        performance report every calendar month within 10 days\n        incident report every calendar quarter within 15 days\n",
        )
    ],
    "fee-raised": [("fee 1000 USD per month\n", "fee 1200 USD per month\n")],
    "fee-lowered-on-plan": [('fee 3000 USD per month on plan "Premium"', 'fee 2500 USD per month on plan "Premium"')],
    "plan-added": [('plans "Standard", "Premium"', 'plans "Standard", "Premium", "Enterprise"')],
    "term-changed": [("term 12 months", "term 24 months")],
    "timezone-changed": [('timezone "UTC"', 'timezone "Europe/Berlin"')],
    "effective-date-changed": [("effective 2026-01-01", "effective 2026-07-01")],
    "version-changed": [('version "1.0"', 'version "2.0"')],
    "definition-changed": [("cannot be reached.", "cannot be reached by the Customer.")],
    "prose-added": [
        (
            '    service "Compute" {\n',
            '    text "Credits are the Customer\'s only remedy."\n\n    service "Compute" {\n',
        )
    ],
    "order-changed": [
        (
            "            downtime from incidents\n            weight downtime by share affected\n",
            "            weight downtime by share affected\n            downtime from incidents\n",
        )
    ],
    "comments-and-layout": [
        ('    version "1.0"\n', '    # the first version\n    version   "1.0"\n\n'),
        ("term 12 months", "term 12   months"),
    ],
    "several-changes": [
        ("99.95% per calendar month on plan", "99.9% per calendar month on plan"),
        ("claim within 30 days", "claim within 45 days"),
        ('holidays "GB"', 'holidays "GB-SCT"'),
    ],
}


# edits made to both sides first, for a case that needs a clause base.sla does not have
BOTH: dict[str, list[tuple[str, str]]] = {
    "downtime-allowance-raised": [
        (
            'availability at least 99.9% per calendar month\n        }\n\n        credits for "Availability" {\n            below 99.9%: 3 days',
            'downtime at most 40 minutes per calendar month\n        }\n\n        credits for "Availability" {\n            above 40 minutes: 3 days',
        ),
    ],
}
EDITS["downtime-allowance-raised"] = [("downtime at most 40 minutes", "downtime at most 45 minutes")]
EDITS["target-applies-to-another-plan"] = [
    ('99.95% per calendar month on plan "Premium"', '99.95% per calendar month on plans "Standard", "Premium"')
]


def write(expected: bool = False) -> None:
    for name, edits in EDITS.items():
        backwards = name.endswith("!")
        folder = CASES / name.rstrip("!")
        folder.mkdir(parents=True, exist_ok=True)
        base = BASE
        for before, after in BOTH.get(name, []):
            assert base.count(before) == 1, (name, before)
            base = base.replace(before, after)
        other = base
        for before, after in edits:
            assert other.count(before) == 1, (name, before)
            other = other.replace(before, after)
        old, new = (other, base) if backwards else (base, other)
        (folder / "old.sla").write_text(old, encoding="utf-8")
        (folder / "new.sla").write_text(new, encoding="utf-8")
        if expected:
            from sladsl.changes import diff_agreements
            from sladsl.language.front_end import check_source

            a, da = check_source(old)
            b, db = check_source(new)
            assert a is not None and b is not None, name
            errors = [d for d in (*da, *db) if d.is_error]
            if errors:
                print(name, [e.message for e in errors])
                continue
            diff = diff_agreements(a, b, "old.sla", "new.sla", old == new)
            changes = [{"code": c.code, "class": c.kind, "sentence": c.sentence} for c in diff.changes]
            (folder / "expected.json").write_text(
                json.dumps(changes, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )


if __name__ == "__main__":
    write(expected="--expected" in sys.argv)
