using HdrHistogram;
using LgspHub.Contracts;
using LgspHub.Load.Outputs;

namespace LgspHub.Load.Running;

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
/// Timeline buckets are keyed by that intended time: a dip shows where the traffic was offered. The live
/// figures (the streamed intervals, the moving windows of thresholds) go by answer time: what just happened.
/// </summary>
public sealed class Measurements
{
    private const long HighestMicros = 10L * 60 * 1_000_000;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, OperationTotals> _operations = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Operation, string Check), CheckCounts> _checks = new();
    private readonly Bucket[] _buckets;
    private readonly List<DossierResult> _dossiers = [];
    private readonly IReadOnlyList<IRunOutput> _outputs;
    private readonly WindowSlot[] _slots;
    private readonly Func<string?, bool> _windowLatency;
    private LongHistogram _recent = NewHistogram(2);
    private long _recentAnswered, _recentSucceeded, _recentFailed;
    private Bucket _interval = new();
    private TimeSpan _intervalFrom;

    /// <param name="window">The longest moving window a threshold looks at, if any.</param>
    /// <param name="windowLatency">Whether a window needs the latencies of an operation (null: of all), for a percentile threshold.</param>
    public Measurements(TimeSpan span, TimeSpan bucketWidth, IReadOnlyList<IRunOutput>? outputs = null, TimeSpan? window = null, Func<string?, bool>? windowLatency = null)
    {
        BucketWidth = bucketWidth;
        _buckets = new Bucket[(int)Math.Ceiling(span / bucketWidth) + 1];
        for (var i = 0; i < _buckets.Length; i++)
            _buckets[i] = new Bucket();
        _outputs = outputs ?? [];
        _slots = new WindowSlot[window is { } w ? (int)Math.Ceiling(w.TotalSeconds) + 1 : 0];
        _windowLatency = windowLatency ?? (_ => false);
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
            _interval.Offered++;
            if (SlotAt(at) is { } slot)
                slot.Offered++;
        }
        foreach (var output in _outputs)
            output.Arrival(at, dropped: false);
    }

    public void Drop(TimeSpan at)
    {
        lock (_gate)
        {
            Dropped++;
            BucketAt(at).Dropped++;
            _interval.Dropped++;
            if (SlotAt(at) is { } slot)
                slot.Dropped++;
        }
        foreach (var output in _outputs)
            output.Arrival(at, dropped: true);
    }

    public void Record(string operation, Outcome outcome, string? fault, TimeSpan measuredFrom, TimeSpan answeredAt, int status = 0)
    {
        var micros = Math.Clamp((long)((answeredAt - measuredFrom).Ticks / 10), 1, HighestMicros);
        lock (_gate)
        {
            if (!_operations.TryGetValue(operation, out var totals))
                _operations[operation] = totals = new OperationTotals();
            totals.Add(outcome, micros, fault);
            BucketAt(measuredFrom).Operation(operation).Add(outcome, micros, null);
            _interval.Operation(operation).Add(outcome, micros, fault);
            if (SlotAt(answeredAt) is { } slot)
            {
                slot.All.Add(outcome, micros, null);
                slot.Operation(operation).Add(outcome, micros, null);
            }
            if (outcome == Outcome.Abandoned)
                return;   // no answer: the live view's "answered" and p99 are about answers
            _recent.RecordValue(micros);
            _recentAnswered++;
            if (outcome == Outcome.Succeeded)
                _recentSucceeded++;
            else if (outcome == Outcome.Failed)
                _recentFailed++;
        }
        var sample = new RequestSample(answeredAt, operation, outcome, status, fault, micros / 1000.0);
        foreach (var output in _outputs)
            output.Request(sample);
    }

    /// <summary>A check on an answer: counted apart from the answer's outcome.</summary>
    public void Check(string operation, string check, bool passed, TimeSpan measuredFrom, TimeSpan answeredAt)
    {
        lock (_gate)
        {
            if (!_operations.TryGetValue(operation, out var totals))
                _operations[operation] = totals = new OperationTotals();
            totals.AddCheck(passed);
            BucketAt(measuredFrom).Operation(operation).AddCheck(passed);
            _interval.Operation(operation).AddCheck(passed);
            if (SlotAt(answeredAt) is { } slot)
            {
                slot.All.AddCheck(passed);
                slot.Operation(operation).AddCheck(passed);
            }
            var counts = _checks.TryGetValue((operation, check), out var found) ? found : _checks[(operation, check)] = new CheckCounts();
            if (passed)
                counts.Passed++;
            else
                counts.Failed++;
        }
        var sample = new CheckSample(answeredAt, operation, check, passed);
        foreach (var output in _outputs)
            output.Check(sample);
    }

    public void Dossier(DossierResult result)
    {
        lock (_gate)
            _dossiers.Add(result);
        foreach (var output in _outputs)
            output.Dossier(result);
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

    /// <summary>What was answered since the last call, for the streamed outputs: one interval of the run.</summary>
    public IntervalFigures TakeInterval(TimeSpan now, long inFlight)
    {
        lock (_gate)
        {
            var (bucket, from) = (_interval, _intervalFrom);
            (_interval, _intervalFrom) = (new Bucket(), now);
            return new IntervalFigures(from.TotalSeconds, now.TotalSeconds, bucket.Offered, bucket.Dropped, inFlight,
                Merge(bucket.Operations.Values, 2).Snapshot("all"), Snapshots(bucket.Operations));
        }
    }

    /// <summary>The whole seconds [end - length, end) of answers, for a threshold over a moving window.</summary>
    public WindowFigures Window(long endSecond, TimeSpan length)
    {
        var seconds = (long)length.TotalSeconds;
        lock (_gate)
        {
            var all = new OperationTotals(_windowLatency(null) ? 2 : null);
            var operations = new Dictionary<string, OperationTotals>(StringComparer.Ordinal);
            long offered = 0, dropped = 0;
            for (var second = Math.Max(0, endSecond - seconds); second < endSecond; second++)
            {
                if (_slots[second % _slots.Length] is not { } slot || slot.Second != second)
                    continue;
                all.Merge(slot.All);
                foreach (var (name, totals) in slot.Operations)
                    (operations.TryGetValue(name, out var sum) ? sum : operations[name] = new OperationTotals(_windowLatency(name) ? 2 : null)).Merge(totals);
                offered += slot.Offered;
                dropped += slot.Dropped;
            }
            return new WindowFigures(offered, dropped, all.Snapshot("all"), operations.ToDictionary(o => o.Key, o => o.Value.Snapshot(o.Key), StringComparer.Ordinal));
        }
    }

    public Totals Overall()
    {
        lock (_gate)
            return Merge(_operations.Values, 3).Snapshot("all");
    }

    public IReadOnlyList<Totals> Operations()
    {
        lock (_gate)
            return Snapshots(_operations);
    }

    /// <summary>Each check's passes and failures, by operation.</summary>
    public IReadOnlyList<CheckFigures> Checks()
    {
        lock (_gate)
        {
            return _checks.OrderBy(c => c.Key.Operation, StringComparer.Ordinal).ThenBy(c => c.Key.Check, StringComparer.Ordinal)
                .Select(c => new CheckFigures(c.Key.Operation, c.Key.Check, c.Value.Passed, c.Value.Failed)).ToList();
        }
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
                return new TimelinePoint(
                    (BucketWidth * i).TotalSeconds, bucket.Offered, bucket.Dropped, Merge(bucket.Operations.Values, 2).Snapshot("all"), Snapshots(bucket.Operations));
            }).ToList();
        }
    }

    private static OperationTotals Merge(IEnumerable<OperationTotals> parts, int digits)
    {
        var all = new OperationTotals(digits);
        foreach (var totals in parts)
            all.Merge(totals);
        return all;
    }

    private static List<Totals> Snapshots(Dictionary<string, OperationTotals> operations) =>
        operations.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => o.Value.Snapshot(o.Key)).ToList();

    private Bucket BucketAt(TimeSpan at) => _buckets[Math.Clamp((int)(at / BucketWidth), 0, _buckets.Length - 1)];

    /// <summary>The second's slot of the ring the moving windows read, emptied when a later second takes its place.</summary>
    private WindowSlot? SlotAt(TimeSpan at)
    {
        if (_slots.Length == 0)
            return null;
        var second = (long)at.TotalSeconds;
        var index = (int)(second % _slots.Length);
        if (_slots[index] is { } slot && slot.Second == second)
            return slot;
        if (_slots[index] is { } older && older.Second > second)
            return null;   // later than the ring reaches back: too old for any window
        return _slots[index] = new WindowSlot(second, _windowLatency);
    }

    private static LongHistogram NewHistogram(int digits) => new(HighestMicros, digits);

    private sealed class CheckCounts
    {
        public long Passed, Failed;
    }

    private sealed class Bucket
    {
        public long Offered;
        public long Dropped;
        public readonly Dictionary<string, OperationTotals> Operations = new(StringComparer.Ordinal);

        // Two significant digits per point: a chart needs no more, and a long run keeps many points.
        public OperationTotals Operation(string name) =>
            Operations.TryGetValue(name, out var totals) ? totals : Operations[name] = new OperationTotals(2);
    }

    /// <summary>One second of answers. Latencies only where a percentile threshold over a window needs them: a second's histograms, kept for minutes, add up.</summary>
    private sealed class WindowSlot(long second, Func<string?, bool> latency)
    {
        public long Second { get; } = second;
        public long Offered;
        public long Dropped;
        public readonly OperationTotals All = new(latency(null) ? 2 : null);
        public readonly Dictionary<string, OperationTotals> Operations = new(StringComparer.Ordinal);

        public OperationTotals Operation(string name) =>
            Operations.TryGetValue(name, out var totals) ? totals : Operations[name] = new OperationTotals(latency(name) ? 2 : null);
    }

    /// <param name="digits">Significant digits of the latency histogram; null keeps counts only.</param>
    private sealed class OperationTotals(int? digits = 3)
    {
        private readonly LongHistogram? _latency = digits is { } d ? NewHistogram(d) : null;
        private readonly Dictionary<string, long> _faults = new(StringComparer.Ordinal);
        private long _succeeded, _rejected, _failed, _abandoned, _checksPassed, _checksFailed;

        public void Add(Outcome outcome, long micros, string? fault)
        {
            _latency?.RecordValue(micros);
            switch (outcome)
            {
                case Outcome.Succeeded: _succeeded++; break;
                case Outcome.Rejected: _rejected++; break;
                case Outcome.Abandoned: _abandoned++; break;
                default: _failed++; break;
            }
            if (fault is not null)
                _faults[fault] = _faults.GetValueOrDefault(fault) + 1;
        }

        public void AddCheck(bool passed)
        {
            if (passed)
                _checksPassed++;
            else
                _checksFailed++;
        }

        public void Merge(OperationTotals other)
        {
            if (other._latency is not null)
                _latency?.Add(other._latency);
            _succeeded += other._succeeded;
            _rejected += other._rejected;
            _failed += other._failed;
            _abandoned += other._abandoned;
            _checksPassed += other._checksPassed;
            _checksFailed += other._checksFailed;
            foreach (var (fault, count) in other._faults)
                _faults[fault] = _faults.GetValueOrDefault(fault) + count;
        }

        public Totals Snapshot(string name)
        {
            var latency = _latency is { TotalCount: > 0 } h ? h : null;
            double? Ms(double percentile) => latency is null ? null : latency.GetValueAtPercentile(percentile) / 1000.0;
            return new Totals(name, _succeeded, _rejected, _failed, Ms(50), Ms(95), Ms(99), latency is null ? null : latency.GetMaxValue() / 1000.0,
                new SortedDictionary<string, long>(_faults, StringComparer.Ordinal), _abandoned, _checksPassed, _checksFailed);
        }
    }
}

/// <summary>Counts and latency percentiles (milliseconds) of one operation, or of all.</summary>
public sealed record Totals(
    string Operation, long Succeeded, long Rejected, long Failed, double? P50Ms, double? P95Ms, double? P99Ms, double? MaxMs,
    IReadOnlyDictionary<string, long> Faults, long Abandoned = 0, long ChecksPassed = 0, long ChecksFailed = 0)
{
    /// <summary>Requests the hub answered (or failed to): all but those this tool abandoned.</summary>
    public long Answered => Succeeded + Rejected + Failed;

    /// <summary>
    /// The hub's own definition: succeeded over succeeded and failed; refusals are counted apart, and so are
    /// requests this tool abandoned (a threshold on "abandoned" keeps those in sight).
    /// </summary>
    public double? SuccessRate => Succeeded + Failed == 0 ? null : 100.0 * Succeeded / (Succeeded + Failed);

    /// <summary>Percent of checks passed.</summary>
    public double? ChecksRate => ChecksPassed + ChecksFailed == 0 ? null : 100.0 * ChecksPassed / (ChecksPassed + ChecksFailed);
}

public sealed record CheckFigures(string Operation, string Check, long Passed, long Failed);

/// <summary>One streamed interval: what was answered from <see cref="FromSeconds"/> to <see cref="ToSeconds"/> of the run.</summary>
public sealed record IntervalFigures(double FromSeconds, double ToSeconds, long Offered, long Dropped, long InFlight, Totals All, IReadOnlyList<Totals> Operations);

/// <summary>A moving window's figures: arrivals offered and dropped, and answers, in all and by operation.</summary>
public sealed record WindowFigures(long Offered, long Dropped, Totals All, IReadOnlyDictionary<string, Totals> Operations);

public sealed record TimelinePoint(double AtSeconds, long Offered, long Dropped, Totals All, IReadOnlyList<Totals> Operations);

public sealed record RecentFigures(long Answered, long Succeeded, long Failed, double? P99Ms);
