"""Every code `sladsl diff` can report, with its class and meaning (docs/diff.md prints
this table; a test keeps the two, and the comparisons, in step).

A: adverse, F: favourable, N: neutral, D: adverse-or-favourable (depends on the data).
"""

from __future__ import annotations

from sladsl.changes.model import ADVERSE, DEPENDS, FAVOURABLE, NEUTRAL

_TABLE = """
title-changed|N|the agreement's title
version-changed|N|the version string
provider-changed|N|the provider's name
customer-changed|N|the customer's name
term-changed|D|the term (longer or shorter carries its terms longer or shorter)
effective-date-changed|D|the effective date
timezone-changed|D|the time zone: period edges and business hours move
plan-added|F|a plan is offered
plan-removed|A|a plan is withdrawn
fee-raised|A|a monthly fee rises
fee-lowered|F|a monthly fee falls
fee-changed|D|a monthly fee changes in a way that cannot be ordered
fee-added|D|a fee is stated where none was (credits that are a share of it follow)
fee-removed|D|a fee is no longer stated
fee-currency-changed|D|a fee's currency
definition-added|N|a defined term (prose only)
definition-removed|N|a defined term (prose only)
definition-changed|N|a defined term reworded (prose only)
prose-changed|N|text paragraphs or a priority's description edited (prose only)
order-changed|N|the same clauses in another order
monitor-changed|N|monitoring queries (operational, not a term of the contract)
service-added|F|a service with its objectives
service-removed|A|a service with its objectives and credits
objective-added|F|an objective
objective-removed|A|an objective
target-added|F|a target where an objective (or plan) had none
target-removed|A|a target is removed
target-raised|F|an availability, request or window-share target is raised
target-lowered|A|an availability, request or window-share target is lowered
target-changed|D|a target changes in a way that cannot be ordered
target-kind-changed|D|a target of another kind (availability to requests, ...)
target-period-changed|D|a target judged over another period
downtime-allowance-raised|A|`downtime at most D` allows more
downtime-allowance-lowered|F|`downtime at most D` allows less
downtime-allowance-changed|D|the allowance in units that cannot be ordered
latency-bound-raised|A|a latency bound is raised
latency-bound-lowered|F|a latency bound is lowered
latency-bound-changed|D|a latency bound in units that cannot be ordered
latency-bound-strict|F|`at most` becomes `below`
latency-bound-inclusive|A|`below` becomes `at most`
latency-percentile-raised|F|a higher percentile must meet the bound
latency-percentile-lowered|A|a lower percentile must meet the bound
latency-percentile-changed|D|the average against a percentile
latency-metric-changed|D|another metric
latency-windows-changed|D|judged window by window, or in other windows
downtime-source-changed|D|downtime measured another way (incidents, samples, error rate)
error-rate-threshold-raised|A|a window needs more errors to be downtime
error-rate-threshold-lowered|F|a window needs fewer errors to be downtime
error-rate-threshold-changed|D|the error-rate threshold cannot be ordered
error-rate-minimum-raised|A|a window needs more requests to be downtime
error-rate-minimum-lowered|F|a window needs fewer requests to be downtime
error-rate-minimum-changed|D|the minimum requests cannot be ordered
missing-data-counts-available|A|time without measurements counts as available
missing-data-counts-unavailable|F|time without measurements counts as unavailable
exclusion-cause-added|A|incidents with a cause no longer count
exclusion-cause-removed|F|incidents with a cause count again
maintenance-exclusion-added|A|announced maintenance no longer counts
maintenance-exclusion-removed|F|announced maintenance counts again
maintenance-notice-lengthened|F|maintenance needs longer notice to be excluded
maintenance-notice-shortened|A|maintenance needs shorter notice to be excluded
maintenance-notice-changed|D|the notice in units that cannot be ordered
maintenance-cap-added|F|excluded maintenance is capped
maintenance-cap-removed|A|excluded maintenance is no longer capped
maintenance-cap-raised|A|more maintenance may be excluded
maintenance-cap-lowered|F|less maintenance may be excluded
maintenance-cap-changed|D|the cap in units that cannot be ordered
maintenance-cap-period-changed|D|the cap counted over another period
ignore-outages-added|A|short outages are ignored (`ignore outages ...`)
ignore-outages-removed|F|short outages count again
ignore-outages-widened|A|more outages are ignored (longer, `or less`, `after exclusions`)
ignore-outages-narrowed|F|fewer outages are ignored
ignore-outages-changed|D|wider one way, narrower another
rounding-added|A|outages are rounded down
rounding-removed|F|outages are no longer rounded down
rounding-coarser|A|outages are rounded down to a longer unit
rounding-finer|F|outages are rounded down to a shorter unit
rounding-changed|D|a rounding unit that cannot be ordered
clock-units-added|A|only whole clock units count
clock-units-removed|F|partial clock units count again
clock-units-coarser|A|longer whole clock units
clock-units-finer|F|shorter whole clock units
clock-units-changed|D|a clock unit that cannot be ordered
share-weighting-added|A|downtime weighted by the share affected
share-weighting-removed|F|every outage counts in full again
share-weighting-adds-overlaps|F|overlapping shares are added (`adding overlaps`)
share-weighting-largest-share|A|overlaps count at the largest share only
chronic-failure-added|F|the Customer may terminate for chronic failure
chronic-failure-removed|A|the right to terminate for chronic failure is removed
chronic-failure-eased|F|chronic failure is reached sooner
chronic-failure-tightened|A|chronic failure is reached later
chronic-failure-changed|D|sooner one way, later another
termination-window-added|A|the Customer must terminate within a time limit
termination-window-removed|F|the time limit to terminate is removed
termination-window-lengthened|F|more time to terminate
termination-window-shortened|A|less time to terminate
termination-window-changed|D|a time limit that cannot be ordered
credits-added|F|credits for an objective (on a plan)
credits-removed|A|credits for an objective (on a plan) are removed
tier-added|F|a credit tier (or per-outage tier)
tier-removed|A|a credit tier (or per-outage tier) is removed
tier-changed|D|a tier changes direction or kind of threshold
tier-threshold-eased|F|a tier applies sooner (its threshold moved toward the target)
tier-threshold-tightened|A|a tier applies only to a worse breach
tier-threshold-changed|D|a threshold that cannot be ordered
tier-amount-raised|F|a tier's credit is larger
tier-amount-lowered|A|a tier's credit is smaller
tier-amount-changed|D|a credit of another kind or base
credit-cap-added|A|credits for a period (or one outage) are capped
credit-cap-removed|F|the cap is removed
credit-cap-raised|F|the cap is raised
credit-cap-lowered|A|the cap is lowered
credit-cap-changed|D|a cap on another base
rolling-cap-added|A|a cap over a rolling span (`per 12 months`)
rolling-cap-removed|F|a rolling cap is removed
rolling-cap-raised|F|a rolling cap is raised
rolling-cap-lowered|A|a rolling cap is lowered
rolling-cap-changed|D|a rolling cap that cannot be ordered
rolling-cap-span-lengthened|A|a rolling cap spans longer
rolling-cap-span-shortened|F|a rolling cap spans less
service-time-cap-added|A|remedies in service time are capped
service-time-cap-removed|F|the service-time cap is removed
service-time-cap-raised|F|the service-time cap is raised
service-time-cap-lowered|A|the service-time cap is lowered
service-time-cap-changed|D|a service-time cap that cannot be ordered
service-time-cap-span-lengthened|A|a rolling service-time cap spans longer
service-time-cap-span-shortened|F|a rolling service-time cap spans less
credit-minimum-added|A|credits below a minimum are not issued
credit-minimum-removed|F|the minimum is removed
credit-minimum-raised|A|the minimum is raised
credit-minimum-lowered|F|the minimum is lowered
credit-minimum-changed|D|a minimum in another currency
payment-threshold-added|A|`pay credits only above X`
payment-threshold-removed|F|the payment threshold is removed
payment-threshold-raised|A|the payment threshold is raised
payment-threshold-lowered|F|the payment threshold is lowered
payment-threshold-changed|D|a payment threshold in another currency
claim-deadline-added|A|a claim deadline where there was none
claim-deadline-removed|F|the claim deadline is removed
claim-window-lengthened|F|more time to claim
claim-window-shortened|A|less time to claim
claim-window-changed|D|a claim deadline that cannot be ordered (kind, business days)
claim-window-start-changed|D|the window runs from the outage or the period
claim-window-calendar-changed|D|business days of another calendar
support-plan-added|F|a support plan
support-plan-removed|A|a support plan is removed
support-coverage-added|F|a support plan applies to more plans
support-coverage-removed|A|a support plan applies to fewer plans
support-calendar-changed|D|support follows another calendar
priority-added|F|a support priority with its targets
priority-removed|A|a support priority is removed
response-target-lengthened|A|a slower first response
response-target-shortened|F|a faster first response
response-target-changed|D|a response target that cannot be ordered (business against calendar time)
response-around-the-clock-added|F|the response clock runs around the clock
response-around-the-clock-removed|A|the response clock runs in business hours only
resolution-target-added|F|a resolution target
resolution-target-removed|A|a resolution target is removed
resolution-target-lengthened|A|a slower resolution
resolution-target-shortened|F|a faster resolution
resolution-target-changed|D|a resolution target that cannot be ordered
ticket-target-added|F|a ticket target
ticket-target-removed|A|the ticket target is removed
ticket-target-raised|F|more tickets must meet their targets
ticket-target-lowered|A|fewer tickets must meet their targets
ticket-target-changed|D|a ticket target that cannot be ordered
ticket-target-period-changed|D|the ticket target over another period
calendar-added|N|a calendar (the clauses that use it say so)
calendar-removed|N|a calendar no clause uses
calendar-hours-changed|D|a calendar's open hours
calendar-timezone-changed|D|a calendar's time zone
calendar-holidays-changed|D|a calendar's public holidays
calendar-closed-days-changed|D|a calendar's extra closed days
calendar-open-days-changed|D|a calendar's holidays worked as usual
certification-added|F|a certification
certification-removed|A|a certification is removed
certification-renewal-lengthened|A|a certification renewed less often
certification-renewal-shortened|F|a certification renewed more often
certification-renewal-changed|D|a renewal interval that cannot be ordered
compliance-added|F|a compliance regime
compliance-removed|A|a compliance regime is removed
breach-notification-added|F|breach notification promised
breach-notification-removed|A|breach notification no longer promised
breach-notification-lengthened|A|slower breach notification
breach-notification-shortened|F|faster breach notification
breach-notification-changed|D|a notification time that cannot be ordered
report-added|F|a report
report-removed|A|a report is removed
report-frequency-raised|F|a report sent more often
report-frequency-lowered|A|a report sent less often
report-frequency-changed|D|a report period that cannot be ordered (weeks against months)
report-deadline-lengthened|A|a report due later
report-deadline-shortened|F|a report due sooner
report-deadline-changed|D|a report deadline that cannot be ordered
reporting-calendar-changed|D|report deadlines follow another calendar
"""

_KINDS = {"A": ADVERSE, "F": FAVOURABLE, "N": NEUTRAL, "D": DEPENDS}

CODES: dict[str, tuple[str, str]] = {
    code: (_KINDS[kind], meaning) for code, kind, meaning in (line.split("|") for line in _TABLE.strip().splitlines())
}
