using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using HdrHistogram;
using LgspHub.Contracts;
using LgspHub.Gateway.Requests;
using LgspHub.Gateway.Transactions;
using OpenTelemetry;

namespace LgspHub.Gateway.Operations;

public sealed record OutcomeCounts(long Total, long Succeeded, long Rejected, long Failed, long Abandoned)
{
    /// <summary>
    /// Succeeded over succeeded and failed: the hub's refusals, and requests their clients abandoned, are counted apart,
    /// not hidden and not blamed on agencies (nor credited to them: an abandoned request was not answered).
    /// </summary>
    public double? SuccessRate => Succeeded + Failed == 0 ? null : (double)Succeeded / (Succeeded + Failed);
}

public sealed record Latency(double P50, double P95, double P99);

/// <summary>X-Road's health statistics of a service over the window: duration spread, and when it last succeeded and failed.</summary>
public sealed record Health(double MinMs, double AverageMs, double MaxMs, double StdDevMs, DateTimeOffset? LastSuccess, DateTimeOffset? LastFailure);

public sealed record Breakdown(string Name, OutcomeCounts Counts, Latency? LatencyMs, Health? Health);

/// <summary>
/// Gateway transactions counted from the gateway's own server spans as they end, by the outcome
/// the recorder put on each span: figures come from the traces, not from counters beside the code.
/// Minute counts are kept three days (the longest burn-rate window), latency histograms one day in
/// five-minute buckets. The hub's own operations (<see cref="Operation.HubService"/>: tokens, catalogue, records,
/// /ops) are counted too, but apart: the overall figures, the minutes and the objective are the agencies' transactions.
/// </summary>
public sealed class TransactionStatistics(TimeProvider clock)
{
    private static readonly TimeSpan CountRetention = TimeSpan.FromDays(3);
    private static readonly TimeSpan LatencyRetention = TimeSpan.FromDays(1);
    private const long LatencyBucketMinutes = 5;

    private readonly ConcurrentDictionary<(long Minute, string Service, string Operation, string Consumer), Counter> _counts = new();
    private readonly ConcurrentDictionary<(long Bucket, string Service, string Operation), IntConcurrentHistogram> _latencies = new();
    private long _lastPrunedMinute;

    public void Record(DateTimeOffset at, string service, string operation, string consumer, Outcome outcome, TimeSpan duration)
    {
        var minute = at.ToUnixTimeSeconds() / 60;
        _counts.GetOrAdd((minute, service, operation, consumer), _ => new Counter()).Add(outcome, duration.TotalMilliseconds, at);
        _latencies.GetOrAdd((minute / LatencyBucketMinutes, service, operation), _ => new IntConcurrentHistogram(1, 600_000, 2))
            .RecordValue(Math.Clamp((long)Math.Round(duration.TotalMilliseconds * 10), 1, 600_000)); // tenths of a millisecond
        Prune(minute);
    }

    /// <param name="withLatency">Latency histograms are kept per operation, not per consumer: a consumer breakdown has none.</param>
    /// <param name="hub">The hub's own operations instead of the agencies' transactions.</param>
    public IReadOnlyList<Breakdown> By(TimeSpan window, Func<(string Service, string Operation, string Consumer), string> key, bool withLatency = true, bool hub = false)
    {
        var from = FromMinute(window);
        var groups = _counts.Where(c => c.Key.Minute >= from && IsHub(c.Key.Service) == hub).GroupBy(c => key((c.Key.Service, c.Key.Operation, c.Key.Consumer)));
        return groups
            .Select(g => new Breakdown(g.Key, Sum(g.Select(c => c.Value)),
                withLatency ? LatencyOf(window, k => IsHub(k.Service) == hub && key((k.Service, k.Operation, "")) == g.Key) : null, HealthOf(g.Select(c => c.Value))))
            .OrderBy(b => b.Name, StringComparer.Ordinal)
            .ToList();
    }

    public Breakdown Overall(TimeSpan window)
    {
        var counters = _counts.Where(c => c.Key.Minute >= FromMinute(window) && !IsHub(c.Key.Service)).Select(c => c.Value).ToList();
        return new("all", Sum(counters), LatencyOf(window, k => !IsHub(k.Service)), HealthOf(counters));
    }

    private static Health? HealthOf(IEnumerable<Counter> counters)
    {
        var snapshots = counters.Select(c => c.Snapshot()).Where(s => s.Count > 0).ToList();
        if (snapshots.Count == 0)
            return null;
        var count = snapshots.Sum(s => s.Count);
        var mean = snapshots.Sum(s => s.Sum) / count;
        var variance = Math.Max(0, snapshots.Sum(s => s.SumOfSquares) / count - mean * mean);
        return new Health(snapshots.Min(s => s.Min), mean, snapshots.Max(s => s.Max), Math.Sqrt(variance),
            snapshots.Max(s => s.LastSuccess), snapshots.Max(s => s.LastFailure));
    }

    /// <summary>Per minute, oldest first: the success-rate and traffic chart, and the burn-rate windows.</summary>
    public IReadOnlyList<(DateTimeOffset Minute, OutcomeCounts Counts)> Minutes(TimeSpan window) =>
        _counts.Where(c => c.Key.Minute >= FromMinute(window) && !IsHub(c.Key.Service))
            .GroupBy(c => c.Key.Minute)
            .OrderBy(g => g.Key)
            .Select(g => (DateTimeOffset.FromUnixTimeSeconds(g.Key * 60), Sum(g.Select(c => c.Value))))
            .ToList();

    private static bool IsHub(string service) => service == Operation.HubService;

    private long FromMinute(TimeSpan window) => (clock.GetUtcNow() - window).ToUnixTimeSeconds() / 60 + 1;

    private Latency? LatencyOf(TimeSpan window, Func<(string Service, string Operation), bool> include)
    {
        // Buckets are five minutes wide: a window takes the buckets it overlaps.
        var fromBucket = FromMinute(window) / LatencyBucketMinutes;
        IntHistogram? merged = null;
        foreach (var (key, histogram) in _latencies)
        {
            if (key.Bucket < fromBucket || !include((key.Service, key.Operation)))
                continue;
            merged ??= new IntHistogram(1, 600_000, 2);
            merged.Add(histogram);
        }
        return merged is null || merged.TotalCount == 0
            ? null
            : new Latency(merged.GetValueAtPercentile(50) / 10.0, merged.GetValueAtPercentile(95) / 10.0, merged.GetValueAtPercentile(99) / 10.0);
    }

    private static OutcomeCounts Sum(IEnumerable<Counter> counters)
    {
        long succeeded = 0, rejected = 0, failed = 0, abandoned = 0;
        foreach (var counter in counters)
        {
            succeeded += counter.Succeeded;
            rejected += counter.Rejected;
            failed += counter.Failed;
            abandoned += counter.Abandoned;
        }
        return new OutcomeCounts(succeeded + rejected + failed + abandoned, succeeded, rejected, failed, abandoned);
    }

    private void Prune(long minute)
    {
        var last = Interlocked.Read(ref _lastPrunedMinute);
        if (minute - last < 10 || Interlocked.CompareExchange(ref _lastPrunedMinute, minute, last) != last)
            return;
        var countsBefore = minute - (long)CountRetention.TotalMinutes;
        foreach (var key in _counts.Keys.Where(k => k.Minute < countsBefore))
            _counts.TryRemove(key, out _);
        var latencyBefore = (minute - (long)LatencyRetention.TotalMinutes) / LatencyBucketMinutes;
        foreach (var key in _latencies.Keys.Where(k => k.Bucket < latencyBefore))
            _latencies.TryRemove(key, out _);
    }

    private sealed record Durations(long Count, double Sum, double SumOfSquares, double Min, double Max, DateTimeOffset? LastSuccess, DateTimeOffset? LastFailure);

    /// <summary>One minute of one service, operation and consumer. A lock: the counts and duration sums change together.</summary>
    private sealed class Counter
    {
        private readonly Lock _lock = new();
        private long _succeeded, _rejected, _failed, _abandoned;
        private Durations _durations = new(0, 0, 0, double.MaxValue, 0, null, null);

        public long Succeeded { get { lock (_lock) return _succeeded; } }
        public long Rejected { get { lock (_lock) return _rejected; } }
        public long Failed { get { lock (_lock) return _failed; } }
        public long Abandoned { get { lock (_lock) return _abandoned; } }

        public Durations Snapshot()
        {
            lock (_lock)
                return _durations;
        }

        public void Add(Outcome outcome, double milliseconds, DateTimeOffset at)
        {
            lock (_lock)
            {
                var d = _durations;
                _durations = d with
                {
                    Count = d.Count + 1,
                    Sum = d.Sum + milliseconds,
                    SumOfSquares = d.SumOfSquares + milliseconds * milliseconds,
                    Min = Math.Min(d.Min, milliseconds),
                    Max = Math.Max(d.Max, milliseconds),
                    LastSuccess = outcome == Outcome.Succeeded && (d.LastSuccess is null || at > d.LastSuccess) ? at : d.LastSuccess,
                    LastFailure = outcome == Outcome.Failed && (d.LastFailure is null || at > d.LastFailure) ? at : d.LastFailure,
                };
                switch (outcome)
                {
                    case Outcome.Succeeded: _succeeded++; break;
                    case Outcome.Rejected: _rejected++; break;
                    case Outcome.Abandoned: _abandoned++; break;
                    default: _failed++; break;
                }
            }
        }
    }
}

/// <summary>
/// Feeds <see cref="TransactionStatistics"/> from every gateway transaction span as it ends, and the
/// same counts as metrics (lgsp_transactions_total, lgsp_transaction_duration_seconds) for Prometheus.
/// </summary>
public sealed class TransactionSpanProcessor : BaseProcessor<Activity>
{
    /// <summary>
    /// The bounds, in seconds, of lgsp_transaction_duration_seconds: 1 ms to 30 s (the agency timeout is 10 s), about
    /// 1.5x apart where the hub's answers fall, so a percentile PromQL estimates lands close to the one /ops gives.
    /// OpenTelemetry's default bounds (0, 5, 10 … 10,000) are meant for milliseconds and put every answer in (0, 5 s].
    /// </summary>
    public static readonly IReadOnlyList<double> DurationBuckets =
        [0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2.5, 5, 10, 30];

    private readonly TransactionStatistics _statistics;
    private readonly Counter<long> _transactions;
    private readonly Histogram<double> _duration;

    public TransactionSpanProcessor(TransactionStatistics statistics, IMeterFactory meters)
    {
        _statistics = statistics;
        var meter = meters.Create("LgspHub.Gateway");
        _transactions = meter.CreateCounter<long>("lgsp.transactions", description: "Gateway transactions by service, operation, consumer and outcome");
        // Advice, which OpenTelemetry's SDK takes as the histogram's bounds unless a view overrides them.
        _duration = meter.CreateHistogram("lgsp.transaction.duration", unit: "s", description: "Gateway transaction duration",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    }

    public override void OnEnd(Activity data)
    {
        if (data.GetTagItem(TransactionTags.Outcome) is not string outcome || !Enum.TryParse<Outcome>(outcome, out var parsed))
            return;
        // The hub's own operations (tokens, records, /ops) too, under their service: the statistics keep them apart.
        var service = data.GetTagItem(TransactionTags.Service) as string ?? Operation.Unrouted;
        var operation = data.GetTagItem(TransactionTags.Operation) as string ?? Operation.Unrouted;
        var consumer = data.GetTagItem(TransactionTags.Consumer) as string ?? "anonymous";
        _statistics.Record(new DateTimeOffset(data.StartTimeUtc, TimeSpan.Zero), service, operation, consumer, parsed, data.Duration);

        var tags = new TagList { { "service", service }, { "operation", operation }, { "consumer", consumer }, { "outcome", outcome } };
        _transactions.Add(1, tags);
        _duration.Record(data.Duration.TotalSeconds, tags);
    }
}
