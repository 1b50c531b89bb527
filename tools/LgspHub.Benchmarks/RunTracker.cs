using System.Diagnostics;
using HdrHistogram;

namespace LgspHub.Benchmarks;

/// <summary>Counts one run's deliveries and their end-to-end latency (publish call to consumer), in microseconds.</summary>
public sealed class RunTracker(Guid run, int expected)
{
    private const long MaxLatencyMicroseconds = 600_000_000;

    private readonly LongConcurrentHistogram _latency = new(1, MaxLatencyMicroseconds, 3);
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _received;
    private long _lastAt;
    private int _bodyBytes;

    public Guid Run => run;

    public int Received => Volatile.Read(ref _received);

    public Task Done => _done.Task;

    /// <summary>When the last expected message arrived (Stopwatch ticks).</summary>
    public long LastAt => Volatile.Read(ref _lastAt);

    /// <summary>The size of a message body as it crossed the broker (envelope included).</summary>
    public int BodyBytes => Volatile.Read(ref _bodyBytes);

    public HistogramBase Latency => _latency;

    public void Receive(ProbeEvent message, int bodyBytes)
    {
        // A message left over from an earlier, interrupted run is acknowledged and ignored.
        if (message.Run != run)
            return;
        var now = Stopwatch.GetTimestamp();
        var microseconds = Stopwatch.GetElapsedTime(message.SentAt, now).Ticks / 10;
        _latency.RecordValue(Math.Clamp(microseconds, 1, MaxLatencyMicroseconds));
        Interlocked.CompareExchange(ref _bodyBytes, bodyBytes, 0);
        if (Interlocked.Increment(ref _received) == expected)
        {
            Volatile.Write(ref _lastAt, now);
            _done.TrySetResult();
        }
    }
}
