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
               coalesce(cause, '') IN (SELECT unnest($causes)) AS excluded,
               CAST(coalesce(affected, 1) * 1000000000 AS BIGINT) AS a
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
        SELECT service, s, e, cause, excluded, a, n,
               sum(CASE WHEN s > prev_all THEN 1 ELSE 0 END) OVER w AS island_all,
               sum(CASE WHEN NOT excluded AND (prev_counted IS NULL OR s > prev_counted) THEN 1 ELSE 0 END)
                   OVER w AS island_counted
        FROM (
            SELECT service, s, e, cause, excluded, a,
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
    time, to find duplicates), and the down intervals. The bitmap itself is kept as
    `present` only for a service with an interval that has no sample: `missing_in_summary`
    reads its gaps from it without a second pass over the samples."""
    return f"""
        SELECT service, n, bit_count(intervals) AS distinct_buckets, down,
               CASE WHEN bit_count(intervals) < $buckets THEN intervals END AS present
        FROM (SELECT service, count(*) AS n, bitstring_agg(bucket, 0, $buckets - 1) AS intervals,
                     list(bucket) FILTER (WHERE NOT up) AS down
              FROM (SELECT service, up, CAST((epoch_us("timestamp") - $p0) // $step AS INTEGER) AS bucket
                    FROM {view}
                    WHERE "timestamp" >= make_timestamptz($p0) AND "timestamp" < make_timestamptz($p1))
              GROUP BY service)
    """


def missing_in_summary(summary: str) -> str:
    """The intervals of the period without a sample, for the services in `$services`, from a
    `sample_summary` table: the zero bits of a service's `present` bitmap (bit i is interval
    i), and every interval for a service the summary does not name."""
    return f"""
        SELECT service, CAST(unnest([i FOR i IN range($buckets) IF get_bit(present, CAST(i AS INTEGER)) = 0])
                             AS INTEGER) AS bucket
        FROM {summary} WHERE present IS NOT NULL AND service IN (SELECT unnest($services))
        UNION ALL
        SELECT s.service, CAST(unnest(range(0, $buckets)) AS INTEGER) AS bucket
        FROM (SELECT unnest($services) AS service) s ANTI JOIN {summary} m ON m.service = s.service
    """


def duplicate_sample() -> str:
    """A condition for `Evidence.locate`: a sample of the period that shares its interval with
    another, among the rows one customer (`$customer`; NULL: any) reads."""
    return """
        "timestamp" >= make_timestamptz($p0) AND "timestamp" < make_timestamptz($p1)
        AND ($customer IS NULL OR customer IS NULL OR customer = $customer)
        AND (service, CAST((epoch_us("timestamp") - $p0) // $step AS INTEGER)) IN (
            SELECT (service, CAST((epoch_us("timestamp") - $p0) // $step AS INTEGER))
            FROM ev_samples WHERE service = $service AND "timestamp" >= make_timestamptz($p0)
              AND "timestamp" < make_timestamptz($p1)
              AND ($customer IS NULL OR customer IS NULL OR customer = $customer)
            GROUP BY ALL HAVING count(*) > 1)
    """


def missing_buckets(present: str) -> str:
    """Buckets of the period with no data, for the services in `$services`: the `$buckets`
    buckets from `$first` (the buckets before it are read only to see outages whole)."""
    return f"""
        SELECT s.service, CAST(r.bucket AS INTEGER) AS bucket
        FROM (SELECT unnest($services) AS service) s CROSS JOIN range($first, $first + $buckets) r(bucket)
        ANTI JOIN ({present}) p ON p.service = s.service AND p.bucket = r.bucket
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


def windows_with_exclusions(counts: str, qualified: str) -> str:
    """Every window of the period (`$buckets` of `$step`), its requests (NULL when it has no
    row) and how much of it the excluded time `qualified` covers (qualifying maintenance and
    incidents with an excluded cause): an average error rate counts that part as 0% errors."""
    start = "$p0 + w.bucket * $step"
    end = "least($p0 + (w.bucket + 1) * $step, $p1)"
    return f"""
        WITH windows AS (SELECT CAST(range AS BIGINT) AS bucket FROM range(0, $buckets)),
        covered AS (
            SELECT w.bucket, {end} - ({start}) AS length,
                   coalesce(sum(least(m.e, {end}) - greatest(m.s, {start})) FILTER (WHERE m.s IS NOT NULL), 0)
                       AS covered  -- DuckDB's least/greatest skip NULLs: no match must add nothing
            FROM windows w LEFT JOIN ({qualified}) m
                ON m.service IN (SELECT unnest($services)) AND m.s < {end} AND m.e > {start}
            GROUP BY ALL
        )
        SELECT c.bucket, n.good, n.total, c.covered, c.length
        FROM covered c LEFT JOIN ({counts}) n ON n.bucket = c.bucket
        ORDER BY c.bucket
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


# Whether an outage (s, e) counts under the short-outage rule: `shorter than D` ignores what
# is shorter than `$ignore`; draft 3's `of D or less` (`$or_less`) also what is exactly D.
KEPT = "(CASE WHEN $or_less THEN e - s > $ignore ELSE e - s >= $ignore END)"


def stretches(outages: str, qualified: str) -> str:
    """Outages less the qualifying maintenance inside them, as separate stretches (draft 3's
    `after exclusions` and whole clock units test and count what is left). Each outage is cut
    at the maintenance edges inside it; a piece inside a maintenance window is dropped."""
    return f"""
        WITH o AS (SELECT service, s, e FROM ({outages})),
             m AS (SELECT o.service, o.s AS os, greatest(q.s, o.s) AS s, least(q.e, o.e) AS e
                   FROM ({qualified}) q JOIN o ON q.service = o.service AND q.s < o.e AND q.e > o.s),
             pts AS (SELECT service, s AS os, s AS p FROM o UNION SELECT service, s, e FROM o
                     UNION SELECT service, os, s FROM m UNION SELECT service, os, e FROM m),
             seg AS (SELECT service, os, p AS s, lead(p) OVER (PARTITION BY service, os ORDER BY p) AS e FROM pts)
        SELECT service, s, e FROM seg
        WHERE e IS NOT NULL AND e > s
          AND NOT EXISTS (SELECT 1 FROM m WHERE m.service = seg.service AND m.os = seg.os AND m.s <= seg.s AND m.e >= seg.e)
    """


def downtime(outages: str, qualified: str) -> str:
    """Per service: the outage time in the period, what short-outage and maintenance rules
    removed, and what counts. Outages are disjoint, so sums are exact."""
    return f"""
        WITH o AS (SELECT service, s, e, {KEPT} AS kept,
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


NANO = 1_000_000_000  # weighted downtime is counted in 10^-9 microseconds (shares have 9 decimals)


def weighted_pieces(incidents: str, qualified: str, adding: bool = False) -> str:
    """The pieces of downtime for `weight downtime by share affected` (draft 2), from the
    incidents of `incident_islands`: each outage (island of counted incidents) is cut at
    every boundary of its incidents and of the qualifying maintenance inside it; each
    piece outside maintenance carries the largest `affected` share (`a`, in 10^-9) of the
    incidents covering it, so overlapping incidents count once, at their largest share.
    `o` is the outage's start, to join `counted_outages` on; the incidents are matched
    within their own island, so the work grows with the incidents, not their square.
    With `adding` (draft 3's `adding overlaps`), a piece carries the sum of the shares of
    the incidents covering it, at most 1."""
    share = f"least(sum(i2.a), {NANO})" if adding else "max(i2.a)"
    return f"""
        WITH i AS (SELECT service, island_counted AS k, min(s) OVER (PARTITION BY service, island_counted) AS o,
                          greatest(s, $p0) AS s, least(e, $p1) AS e, a
                   FROM {incidents} WHERE NOT excluded),
             i2 AS (SELECT * FROM i WHERE e > s),
             ext AS (SELECT service, k, min(s) AS s, max(e) AS e FROM i2 GROUP BY ALL),
             m AS (SELECT ext.service, ext.k, greatest(q.s, ext.s) AS s, least(q.e, ext.e) AS e
                   FROM ({qualified}) q JOIN ext ON q.service = ext.service AND q.s < ext.e AND q.e > ext.s),
             pts AS (SELECT service, k, s AS p FROM i2 UNION SELECT service, k, e FROM i2
                     UNION SELECT service, k, s FROM m UNION SELECT service, k, e FROM m),
             seg AS (SELECT service, k, p AS s, lead(p) OVER (PARTITION BY service, k ORDER BY p) AS e FROM pts),
             r AS (SELECT seg.service, seg.k, any_value(i2.o) AS o, seg.s, seg.e, {share} AS a
                   FROM seg JOIN i2 ON i2.service = seg.service AND i2.k = seg.k AND i2.s <= seg.s AND i2.e >= seg.e
                   WHERE seg.e IS NOT NULL GROUP BY seg.service, seg.k, seg.s, seg.e)
        SELECT service, o, s, e, a FROM r
        WHERE NOT EXISTS (SELECT 1 FROM m WHERE m.service = r.service AND m.k = r.k AND m.s <= r.s AND m.e >= r.e)
    """


def counted_outages(outages: str, qualified: str, pieces: str) -> str:
    """Each outage that touches the period with what counts of it: clipped to the period;
    kept when its whole length passes the short-outage rule (`KEPT`); minus qualifying
    maintenance (`maintenance`); `rounded` down to a whole multiple of `$round` (0: no
    rounding), which drops the outage's last partial unit, or, with `$clock` (draft 3's
    whole clock units, in µs, aligned at `$clock_off`), the whole clock units inside it;
    and `counted` in 10^-9 microseconds: with
    `$weights`, the first `rounded` of its remaining time (the `pieces` inside it, in time
    order) at each piece's rate; without, the rounded time at rate 1."""
    return f"""
        WITH o AS (SELECT service, s, e, {KEPT} AS kept,
                          greatest(s, $p0) AS cs, least(e, $p1) AS ce
                   FROM ({outages}) WHERE e > $p0 AND s < $p1),
             m AS ({qualified}),
             x AS (SELECT o.service, o.s, sum(least(o.ce, m.e) - greatest(o.cs, m.s)) AS excluded
                   FROM o JOIN m ON o.service = m.service AND m.s < o.ce AND m.e > o.cs AND o.kept
                   GROUP BY o.service, o.s),
             c AS (SELECT o.service, o.s, o.e, o.cs, o.ce, o.kept, coalesce(x.excluded, 0) AS maintenance,
                          CASE WHEN o.kept THEN o.ce - o.cs - coalesce(x.excluded, 0) ELSE 0 END AS remaining
                   FROM o LEFT JOIN x ON x.service = o.service AND x.s = o.s),
             r AS (SELECT *, CASE WHEN $clock > 0 AND remaining > 0
                                    THEN greatest(0, (ce - $clock_off) // $clock - (cs - $clock_off + $clock - 1) // $clock) * $clock
                                  WHEN $round > 0 THEN remaining // $round * $round
                                  ELSE remaining END AS rounded FROM c),
             wp AS (SELECT r.service, r.s AS o, p.s, p.e, p.a, r.rounded,
                           coalesce(sum(p.e - p.s) OVER (PARTITION BY r.service, r.s ORDER BY p.s
                                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
                    FROM r JOIN ({pieces}) p ON p.service = r.service AND p.o = r.s
                    WHERE r.kept),
             w AS (SELECT service, o, sum(CAST(greatest(0, least(e - s, rounded - before)) AS HUGEINT) * a) AS weighted
                   FROM wp GROUP BY ALL)
        SELECT r.service, r.s, r.e, r.cs, r.ce, r.kept, r.maintenance, r.remaining, r.rounded,
               CASE WHEN r.remaining = 0 THEN CAST(0 AS HUGEINT)
                    WHEN $weights THEN coalesce(w.weighted, 0)
                    ELSE CAST(r.rounded AS HUGEINT) * {NANO} END AS counted
        FROM r LEFT JOIN w ON w.service = r.service AND w.o = r.s
    """


def outage_totals(counted: str) -> str:
    """Per service, from `counted_outages`: the outage time in the period; what the short-outage
    rule, maintenance and rounding removed; and the counted downtime (10^-9 µs)."""
    return f"""
        SELECT service, sum(ce - cs) AS raw,
               coalesce(sum(ce - cs) FILTER (WHERE NOT kept), 0) AS ignored,
               sum(maintenance) AS maintenance,
               sum(remaining - rounded) AS rounded_off,
               sum(counted) AS counted
        FROM {counted} GROUP BY service
    """


def outage_details(outages: str) -> str:
    """Outages of one service in the period, for the explanation."""
    return f"""
        SELECT s, e, {KEPT} AS kept FROM ({outages})
        WHERE service = $service AND e > $p0 AND s < $p1 ORDER BY s
    """


def daily_downtime(counted: str, qualified: str, days: str, scaled: bool) -> str:
    """Counted downtime per service and local day of the period, for the report's chart.

    With rounding or weights (`scaled`), in 10^-9 µs: each day's share of an outage's
    remaining time carries that share of what the outage counts; without, in µs."""
    piece = "(od.e - od.s - coalesce(x.us, 0))"
    amount = f"{piece} * od.counted // od.remaining" if scaled else piece
    return f"""
        WITH c AS (SELECT service, s AS o, cs, ce, remaining, counted FROM {counted} WHERE remaining > 0),
             m AS (SELECT service, s, e FROM ({qualified})),
             d AS ({days}),
             od AS (SELECT c.service, c.o, d.day, greatest(c.cs, d.s) AS s, least(c.ce, d.e) AS e, c.remaining, c.counted
                    FROM c JOIN d ON c.cs < d.e AND c.ce > d.s),
             x AS (SELECT od.service, od.o, od.day, sum(least(od.e, m.e) - greatest(od.s, m.s)) AS us
                   FROM od JOIN m ON m.service = od.service AND m.s < od.e AND m.e > od.s GROUP BY ALL)
        SELECT od.service, od.day, sum({amount})
        FROM od LEFT JOIN x ON x.service = od.service AND x.o = od.o AND x.day = od.day
        GROUP BY ALL ORDER BY 1, 2
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


def latency_windows(view: str) -> str:
    """Latency per service and window, for every service of `$services` in one pass: each
    window [p0 + k·step, p0 + (k+1)·step) with samples (one window of the whole period
    when `$step` is its length), its sample count and its value: the nearest-rank
    percentile (rank ⌈pct·n/100⌉, exactly, with pct = `$pct_num` / `$pct_den`) or, when
    `$average`, the sum of the samples (to divide by n, or compare with bound × n).
    With `$days` > 0, windows are runs of that many local days from `$first` instead (the
    session's time zone is the agreement's), so day windows follow DST like the period."""
    return f"""
        WITH v AS (SELECT service,
                          CASE WHEN $days > 0
                               THEN date_diff('day', CAST($first AS DATE), CAST("timestamp" AS DATE)) // $days
                               ELSE CAST((epoch_us("timestamp") - $p0) // $step AS BIGINT) END AS bucket,
                          value_ms
                   FROM {view}
                   WHERE {_service_filter()} AND metric = $metric AND {_in_period("timestamp")}),
             ranked AS (SELECT service, bucket, value_ms,
                               row_number() OVER (PARTITION BY service, bucket ORDER BY value_ms) AS rn,
                               count(*) OVER (PARTITION BY service, bucket) AS n,
                               sum(value_ms) OVER (PARTITION BY service, bucket) AS total
                        FROM v)
        SELECT service, bucket, n, CASE WHEN $average THEN total ELSE value_ms END AS value
        FROM ranked
        WHERE CASE WHEN $average THEN rn = 1
                   ELSE rn = greatest(1, (CAST($pct_num AS HUGEINT) * n + CAST($pct_den AS HUGEINT) * 100 - 1)
                                         // (CAST($pct_den AS HUGEINT) * 100)) END
    """


def latency_window_verdicts(windows: str) -> str:
    """Per service: windows with samples, those meeting the bound (`$bound` ms; strict
    `<` when `$strict`, else `<=`; an average as sum against bound × n), and the first
    failing windows for the explanation."""
    return f"""
        SELECT service, count(*) AS with_samples,
               count(*) FILTER (WHERE ok) AS met,
               list(bucket ORDER BY bucket) FILTER (WHERE NOT ok)[1:$limit] AS failing,
               list(value ORDER BY bucket) FILTER (WHERE NOT ok)[1:$limit] AS values,
               list(n ORDER BY bucket) FILTER (WHERE NOT ok)[1:$limit] AS counts
        FROM (SELECT service, bucket, n, value,
                     CASE WHEN $average THEN (CASE WHEN $strict THEN value < $bound * n ELSE value <= $bound * n END)
                          ELSE (CASE WHEN $strict THEN value < $bound ELSE value <= $bound END) END AS ok
              FROM ({windows}))
        GROUP BY service
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
