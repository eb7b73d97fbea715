"""Every SQL query that evaluation runs, in one place.

Evaluation never loops over evidence rows in Python: each function here returns the
text of one query, with named parameters (`$p0`, `$services`, ...) that the evaluator
binds. Times are integer microseconds since the epoch (`epoch_us`), so interval
arithmetic is exact. Keeping the dialect in one module is what lets the same queries
move to another engine later.

Conventions: `$services` is a list of service names; `$p0`/`$p1` bound the period
[p0, p1) in microseconds; a query that produces outages yields (service, s, e).
"""

from __future__ import annotations

US = 1_000_000


def _in_period(column: str) -> str:
    return f'epoch_us("{column}") >= $p0 AND epoch_us("{column}") < $p1'


def _overlapping() -> str:
    return 'epoch_us("end") > $p0 AND epoch_us("start") < $p1'


def _service_filter() -> str:
    return "service IN (SELECT unnest($services))"


def incidents(view: str) -> str:
    """Incidents that touch the period, with whether their cause excludes them."""
    return f"""
        SELECT service, epoch_us("start") AS s, epoch_us("end") AS e, coalesce(cause, '') AS cause,
               coalesce(cause, '') IN (SELECT unnest($causes)) AS excluded
        FROM {view}
        WHERE {_service_filter()} AND {_overlapping()} AND "end" > "start"
    """


def merge(intervals: str) -> str:
    """The union of each service's intervals as disjoint outages (gaps and islands)."""
    return f"""
        SELECT service, min(s) AS s, max(e) AS e
        FROM (
            SELECT service, s, e,
                   sum(CASE WHEN s > prev_end THEN 1 ELSE 0 END) OVER (PARTITION BY service ORDER BY s, e) AS island
            FROM (
                SELECT service, s, e,
                       coalesce(max(e) OVER (PARTITION BY service ORDER BY s, e
                                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), s) AS prev_end
                FROM ({intervals})
            )
        )
        GROUP BY service, island
    """


def incident_islands(incidents: str) -> str:
    """Incidents in start order with, from two passes over one sort, their rank (for the
    explanation) and their island in two unions at once: of all incidents, and of those
    that count (not excluded by cause)."""
    return f"""
        SELECT service, s, e, cause, excluded, n,
               sum(CASE WHEN s > prev_all THEN 1 ELSE 0 END) OVER w AS island_all,
               sum(CASE WHEN NOT excluded AND (prev_counted IS NULL OR s > prev_counted) THEN 1 ELSE 0 END)
                   OVER w AS island_counted
        FROM (
            SELECT service, s, e, cause, excluded,
                   row_number() OVER w AS n,
                   coalesce(max(e) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), s) AS prev_all,
                   max(e) FILTER (WHERE NOT excluded) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                       AS prev_counted
            FROM ({incidents})
            WINDOW w AS (PARTITION BY service ORDER BY s, e)
        )
        WINDOW w AS (PARTITION BY service ORDER BY s, e)
    """


def islands(table: str, column: str, where: str = "true") -> str:
    """The outages of one union from `incident_islands`: one row per island."""
    return f"SELECT service, min(s) AS s, max(e) AS e FROM {table} WHERE {where} GROUP BY service, {column}"


def bucket_runs(buckets: str) -> str:
    """Runs of consecutive bucket numbers as outages [start, end) in microseconds."""
    return f"""
        SELECT service, $p0 + CAST(min(bucket) AS BIGINT) * $step AS s,
               least($p0 + (CAST(max(bucket) AS BIGINT) + 1) * $step, $p1) AS e
        FROM (SELECT service, bucket, bucket - row_number() OVER (PARTITION BY service ORDER BY bucket) AS run
              FROM ({buckets}))
        GROUP BY service, run
    """


def sample_summary(view: str) -> str:
    """One pass over the samples of the period: per service (every service, so that unknown
    names are found in the same pass) the count, the distinct intervals (a bitmap, linear
    time, to find duplicates), and the down intervals."""
    return f"""
        SELECT service, count(*) AS n,
               bit_count(bitstring_agg(bucket, 0, $buckets - 1)) AS distinct_buckets,
               list(bucket) FILTER (WHERE NOT up) AS down
        FROM (SELECT service, up, CAST((epoch_us("timestamp") - $p0) // $step AS INTEGER) AS bucket
              FROM {view}
              WHERE "timestamp" >= make_timestamptz($p0) AND "timestamp" < make_timestamptz($p1))
        GROUP BY service
    """


def duplicate_sample() -> str:
    """A condition for `Evidence.locate`: a sample that shares its interval with another."""
    return """
        (service, CAST((epoch_us("timestamp") - $p0) // $step AS INTEGER)) IN (
            SELECT (service, CAST((epoch_us("timestamp") - $p0) // $step AS INTEGER))
            FROM ev_samples WHERE service = $service AND "timestamp" >= make_timestamptz($p0)
              AND "timestamp" < make_timestamptz($p1)
            GROUP BY ALL HAVING count(*) > 1)
    """


def missing_buckets(present: str) -> str:
    """Buckets of the period with no data, for the services in `$services`."""
    return f"""
        SELECT s.service, r.bucket
        FROM (SELECT unnest($services) AS service) s, range(0, $buckets) r(bucket)
        WHERE (s.service, r.bucket) NOT IN (SELECT (service, bucket) FROM ({present}))
    """


def window_counts(view: str) -> str:
    """Request counts per service and window of the period (rows in one window add up)."""
    return f"""
        SELECT service, CAST((epoch_us("timestamp") - $p0) // $step AS INTEGER) AS bucket,
               sum(good) AS good, sum(total) AS total
        FROM {view}
        WHERE {_service_filter()} AND {_in_period("timestamp")}
        GROUP BY ALL
    """


def bad_windows(counts: str) -> str:
    """Windows whose error rate exceeds the threshold, with enough requests."""
    return f"""
        SELECT service, bucket FROM ({counts})
        WHERE total > 0 AND total >= $min_requests AND (total - good) * 100 > $threshold * total
    """


def request_totals(view: str) -> str:
    return f"""
        SELECT service, coalesce(sum(good), 0), coalesce(sum(total), 0), count(*)
        FROM {view} WHERE {_service_filter()} AND {_in_period("timestamp")} GROUP BY service
    """


def maintenance(view: str) -> str:
    """Maintenance windows from `$c0` (the start of the cap's period), with their notice."""
    return f"""
        SELECT service, epoch_us("start") AS s, epoch_us("end") AS e,
               epoch_us(announced) AS announced,
               announced IS NOT NULL AND epoch_us("start") - epoch_us(announced) >= $notice AS qualifies
        FROM {view}
        WHERE {_service_filter()} AND epoch_us("end") > $c0 AND epoch_us("start") < $p1 AND "end" > "start"
    """


def capped(windows: str) -> str:
    """Qualifying window time, capped per cap period in chronological order.

    `cap_periods(k, c0, c1)` lists the cap's periods; each window is clipped to them and
    takes what is left of its period's allowance, earliest first."""
    return f"""
        SELECT service, s, s + allowed AS e
        FROM (
            SELECT service, s, e, greatest(0, least(e - s, $cap - coalesce(
                sum(e - s) OVER (PARTITION BY service, k ORDER BY s ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
                0))) AS allowed
            FROM (SELECT w.service, c.k, greatest(w.s, c.c0) AS s, least(w.e, c.c1) AS e
                  FROM ({windows}) w JOIN cap_periods c ON w.s < c.c1 AND w.e > c.c0)
        )
        WHERE allowed > 0
    """


def downtime(outages: str, qualified: str) -> str:
    """Per service: the outage time in the period, what short-outage and maintenance rules
    removed, and what counts. Outages are disjoint, so sums are exact."""
    return f"""
        WITH o AS (SELECT service, s, e, e - s >= $ignore AS kept,
                          greatest(s, $p0) AS cs, least(e, $p1) AS ce
                   FROM ({outages}) WHERE e > $p0 AND s < $p1),
             m AS ({qualified}),
             x AS (SELECT o.service, sum(least(o.ce, m.e) - greatest(o.cs, m.s)) AS excluded
                   FROM o JOIN m ON o.service = m.service AND m.s < o.ce AND m.e > o.cs AND o.kept
                   GROUP BY o.service)
        SELECT o.service,
               sum(o.ce - o.cs) AS raw,
               coalesce(sum(o.ce - o.cs) FILTER (WHERE NOT o.kept), 0) AS ignored,
               coalesce(any_value(x.excluded), 0) AS maintenance
        FROM o LEFT JOIN x ON o.service = x.service
        GROUP BY o.service
    """


def outage_details(outages: str) -> str:
    """Outages of one service in the period, for the explanation."""
    return f"""
        SELECT s, e, e - s >= $ignore AS kept FROM ({outages})
        WHERE service = $service AND e > $p0 AND s < $p1 ORDER BY s
    """


def daily_downtime(outages: str, qualified: str, days: str) -> str:
    """Counted downtime per service and local day of the period, for the report's chart."""
    return f"""
        WITH o AS (SELECT service, s, e FROM ({outages}) WHERE e > $p0 AND s < $p1 AND e - s >= $ignore),
             m AS (SELECT service, s, e FROM ({qualified})),
             d AS ({days}),
             od AS (SELECT o.service, d.day, greatest(o.s, d.s) AS s, least(o.e, d.e) AS e
                    FROM o JOIN d ON o.s < d.e AND o.e > d.s),
             down AS (SELECT service, day, sum(e - s) AS us FROM od GROUP BY ALL),
             x AS (SELECT od.service, od.day, sum(least(od.e, m.e) - greatest(od.s, m.s)) AS us
                   FROM od JOIN m ON m.service = od.service AND m.s < od.e AND m.e > od.s GROUP BY ALL)
        SELECT down.service, down.day, down.us - coalesce(x.us, 0)
        FROM down LEFT JOIN x ON x.service = down.service AND x.day = down.day
        ORDER BY 1, 2
    """


def first_rows(query: str, order: str) -> str:
    """At most `$limit` rows per service, and how many there were: explanations stay
    readable (and bounded in memory) when a service has a million incidents."""
    return f"""
        SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY service ORDER BY {order}) AS n,
                              count(*) OVER (PARTITION BY service) AS of
                       FROM ({query}))
        WHERE n <= $limit ORDER BY service, n
    """


def latency_count(view: str) -> str:
    return f"""
        SELECT count(*), sum(value_ms) FROM {view}
        WHERE service = $service AND metric = $metric AND {_in_period("timestamp")}
    """


def latency_at_rank(view: str) -> str:
    """The value at a rank of the sorted samples: the nearest-rank percentile."""
    return f"""
        SELECT value_ms FROM {view}
        WHERE service = $service AND metric = $metric AND {_in_period("timestamp")}
        ORDER BY value_ms LIMIT 1 OFFSET $offset
    """


def ticket_times(view: str) -> str:
    """Each ticket of a plan opened in the period, with the time counted against its target.

    `open_time` holds the calendar's open intervals; a priority counted around the clock
    uses wall time. Elapsed time runs to the first response, or to `$cutoff` when there
    is none yet (a response after the cutoff has not happened yet)."""
    return f"""
        WITH t AS (
            SELECT id, priority, epoch_us(opened) AS o,
                   CASE WHEN first_response IS NOT NULL AND epoch_us(first_response) <= $cutoff
                        THEN epoch_us(first_response) END AS r
            FROM {view} WHERE plan = $plan AND {_in_period("opened")}
        ), p AS (SELECT * FROM priorities)
        SELECT t.id, t.priority, t.o, t.r, p.allowed, p.around,
               CASE WHEN p.around THEN greatest(coalesce(t.r, $cutoff) - t.o, 0)
                    ELSE coalesce((SELECT sum(least(coalesce(t.r, $cutoff), c.e) - greatest(t.o, c.s))
                                   FROM open_time c WHERE c.s < coalesce(t.r, $cutoff) AND c.e > t.o), 0)
               END AS elapsed
        FROM t JOIN p ON t.priority = p.priority
        ORDER BY t.o, t.id
    """


def security_incidents(view: str) -> str:
    return f"""
        SELECT id, epoch_us(detected), CASE WHEN notified IS NOT NULL AND epoch_us(notified) <= $cutoff
                                            THEN epoch_us(notified) END
        FROM {view} WHERE {_in_period("detected")} ORDER BY detected, id
    """


def reports(view: str) -> str:
    return f"""
        SELECT min(epoch_us(delivered)) FILTER (WHERE delivered IS NOT NULL AND epoch_us(delivered) <= $cutoff),
               count(*)
        FROM {view} WHERE period = $label
    """


def certificates(view: str) -> str:
    return f"""
        SELECT epoch_us(issued), epoch_us(expires) FROM {view}
        WHERE name = $name AND epoch_us(expires) > $p0 AND epoch_us(issued) < $p1 ORDER BY issued
    """
