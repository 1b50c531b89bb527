using HdrHistogram;

namespace LgspHub.Load.Running;

/// <summary>How the hub counted a transaction (see the brief): answered by the agency, refused by the hub, or failed.</summary>
public enum Outcome
{
    Succeeded,
    Rejected,
    Failed,
}

public enum DossierEnd
{
    Completed,
    Rejected,
    Failed,
    /// <summary>Still in progress when the run's drain time ran out.</summary>
    Unfinished,
    /// <summary>The submission itself was refused or failed: no dossier was created.</summary>
    NotAccepted,
}

public sealed record DossierResult(string Kind, DossierEnd End, bool OnTime, double? CompletionSeconds);

/// <summary>
/// Everything the run measured. Latencies are in microseconds in HdrHistograms, from the intended send time
/// of each arrival, so a slow hub shows as latency rather than as fewer requests (no coordinated omission).
/// Timeline buckets are keyed by that intended time: a dip shows where the traffic was offered.
/// </summary>
public sealed class Measurements
{
    private const long HighestMicros = 10L * 60 * 1_000_000;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, OperationTotals> _operations = new(StringComparer.Ordinal);
    private readonly Bucket[] _buckets;
    private readonly List<DossierResult> _dossiers = [];
    private LongHistogram _recent = NewHistogram(2);
    private long _recentAnswered, _recentSucceeded, _recentFailed;

    public Measurements(TimeSpan span, TimeSpan bucketWidth)
    {
        BucketWidth = bucketWidth;
        _buckets = new Bucket[(int)Math.Ceiling(span / bucketWidth) + 1];
        for (var i = 0; i < _buckets.Length; i++)
            _buckets[i] = new Bucket();
    }

    /// <summary>About 150 points on a chart, never finer than a second.</summary>
    public static TimeSpan BucketWidthFor(TimeSpan duration) =>
        TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(duration.TotalSeconds / 150)));

    public TimeSpan BucketWidth { get; }

    public long Offered { get; private set; }
    public long Dropped { get; private set; }

    public void Offer(TimeSpan at)
    {
        lock (_gate)
        {
            Offered++;
            BucketAt(at).Offered++;
        }
    }

    public void Drop(TimeSpan at)
    {
        lock (_gate)
        {
            Dropped++;
            BucketAt(at).Dropped++;
        }
    }

    public void Record(string operation, Outcome outcome, string? fault, TimeSpan measuredFrom, TimeSpan answeredAt)
    {
        var micros = Math.Clamp((long)((answeredAt - measuredFrom).Ticks / 10), 1, HighestMicros);
        lock (_gate)
        {
            if (!_operations.TryGetValue(operation, out var totals))
                _operations[operation] = totals = new OperationTotals();
            totals.Add(outcome, micros, fault);
            BucketAt(measuredFrom).Operation(operation).Add(outcome, micros, null);
            _recent.RecordValue(micros);
            _recentAnswered++;
            if (outcome == Outcome.Succeeded)
                _recentSucceeded++;
            else if (outcome == Outcome.Failed)
                _recentFailed++;
        }
    }

    public void Dossier(DossierResult result)
    {
        lock (_gate)
            _dossiers.Add(result);
    }

    /// <summary>What happened since the last call, for the live view.</summary>
    public RecentFigures TakeRecent()
    {
        lock (_gate)
        {
            var figures = new RecentFigures(_recentAnswered, _recentSucceeded, _recentFailed,
                _recent.TotalCount == 0 ? null : _recent.GetValueAtPercentile(99) / 1000.0);
            _recent = NewHistogram(2);
            _recentAnswered = _recentSucceeded = _recentFailed = 0;
            return figures;
        }
    }

    public Totals Overall()
    {
        lock (_gate)
        {
            var all = new OperationTotals();
            foreach (var totals in _operations.Values)
                all.Merge(totals);
            return all.Snapshot("all");
        }
    }

    public IReadOnlyList<Totals> Operations()
    {
        lock (_gate)
            return _operations.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => o.Value.Snapshot(o.Key)).ToList();
    }

    public IReadOnlyList<DossierResult> Dossiers()
    {
        lock (_gate)
            return _dossiers.ToList();
    }

    public IReadOnlyList<TimelinePoint> Timeline(TimeSpan until)
    {
        lock (_gate)
        {
            var last = Math.Min(_buckets.Length - 1, (int)(until / BucketWidth));
            return Enumerable.Range(0, last + 1).Select(i =>
            {
                var bucket = _buckets[i];
                var all = new OperationTotals(2);
                foreach (var totals in bucket.Operations.Values)
                    all.Merge(totals);
                return new TimelinePoint(
                    (BucketWidth * i).TotalSeconds, bucket.Offered, bucket.Dropped, all.Snapshot("all"),
                    bucket.Operations.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => o.Value.Snapshot(o.Key)).ToList());
            }).ToList();
        }
    }

    private Bucket BucketAt(TimeSpan at) => _buckets[Math.Clamp((int)(at / BucketWidth), 0, _buckets.Length - 1)];

    private static LongHistogram NewHistogram(int digits) => new(HighestMicros, digits);

    private sealed class Bucket
    {
        public long Offered;
        public long Dropped;
        public readonly Dictionary<string, OperationTotals> Operations = new(StringComparer.Ordinal);

        // Two significant digits per point: a chart needs no more, and a long run keeps many points.
        public OperationTotals Operation(string name) =>
            Operations.TryGetValue(name, out var totals) ? totals : Operations[name] = new OperationTotals(2);
    }

    private sealed class OperationTotals(int digits = 3)
    {
        private readonly LongHistogram _latency = NewHistogram(digits);
        private readonly Dictionary<string, long> _faults = new(StringComparer.Ordinal);
        private long _succeeded, _rejected, _failed;

        public void Add(Outcome outcome, long micros, string? fault)
        {
            _latency.RecordValue(micros);
            switch (outcome)
            {
                case Outcome.Succeeded: _succeeded++; break;
                case Outcome.Rejected: _rejected++; break;
                default: _failed++; break;
            }
            if (fault is not null)
                _faults[fault] = _faults.GetValueOrDefault(fault) + 1;
        }

        public void Merge(OperationTotals other)
        {
            _latency.Add(other._latency);
            _succeeded += other._succeeded;
            _rejected += other._rejected;
            _failed += other._failed;
            foreach (var (fault, count) in other._faults)
                _faults[fault] = _faults.GetValueOrDefault(fault) + count;
        }

        public Totals Snapshot(string name)
        {
            double? Ms(double percentile) => _latency.TotalCount == 0 ? null : _latency.GetValueAtPercentile(percentile) / 1000.0;
            return new Totals(name, _succeeded, _rejected, _failed, Ms(50), Ms(95), Ms(99),
                _latency.TotalCount == 0 ? null : _latency.GetMaxValue() / 1000.0,
                new SortedDictionary<string, long>(_faults, StringComparer.Ordinal));
        }
    }
}

/// <summary>Counts and latency percentiles (milliseconds) of one operation, or of all.</summary>
public sealed record Totals(
    string Operation, long Succeeded, long Rejected, long Failed, double? P50Ms, double? P95Ms, double? P99Ms, double? MaxMs,
    IReadOnlyDictionary<string, long> Faults)
{
    public long Answered => Succeeded + Rejected + Failed;

    /// <summary>The hub's own definition: succeeded over succeeded and failed; refusals are counted apart.</summary>
    public double? SuccessRate => Succeeded + Failed == 0 ? null : 100.0 * Succeeded / (Succeeded + Failed);
}

public sealed record TimelinePoint(double AtSeconds, long Offered, long Dropped, Totals All, IReadOnlyList<Totals> Operations);

public sealed record RecentFigures(long Answered, long Succeeded, long Failed, double? P99Ms);
