using System.Collections.Concurrent;
using LgspHub.Contracts;
using LgspHub.Messaging;

namespace LgspHub.Gateway.Operations;

/// <param name="Redelivered">Attempts that will come again (a wait queue's redelivery, or the broker's after a lost connection): neither success nor failure.</param>
public sealed record DeliveryFigures(string Queue, string Agency, long Succeeded, long Failed, long Redelivered)
{
    /// <summary>Consumed over consumed and dead-lettered: a delivery fails when it ends in the error queue after its retries.</summary>
    public double? SuccessRate => Succeeded + Failed == 0 ? null : (double)Succeeded / (Succeeded + Failed);
}

public sealed record DossierIncident(DateTimeOffset At, string Kind, string State, string DossierId, string TraceId);

public sealed record DossierFigures(string Kind, long Completed, long CompletedOnTime, long Rejected, long Failed, Latency? CompletionSeconds)
{
    /// <summary>The share of completed dossiers that completed before their deadline (the brief's 99.81 %).</summary>
    public double? OnTimeShare => Completed == 0 ? null : (double)CompletedOnTime / Completed;
}

/// <summary>
/// Event deliveries and dossiers, counted from the spans the agencies export to the hub's
/// collector: MassTransit's receive spans, by what became of the delivery (<see cref="DeliveryOutcome"/>: one receive
/// span per attempt, and only the last says consumed or error queue), and civil status's dossier-state spans. Minute
/// buckets, kept as long as the transaction counts.
/// </summary>
public sealed class FlowStatistics(TimeProvider clock)
{
    private const string ReceiveSuffix = " receive";

    private const int IncidentsKept = 50;

    private readonly ConcurrentDictionary<(long Minute, string Kind, string Key, string Outcome), long> _counts = new();
    private readonly ConcurrentQueue<DossierIncident> _incidents = new();
    // Completion times per kind and minute, in milliseconds up to a day.
    private readonly ConcurrentDictionary<(long Minute, string Kind), HdrHistogram.LongConcurrentHistogram> _completion = new();

    /// <summary>The latest dossiers that were rejected or stopped on a failed step, newest first.</summary>
    public IReadOnlyList<DossierIncident> Incidents => _incidents.Reverse().ToList();

    public void Observe(ReceivedSpan span)
    {
        var minute = span.EndUnixNanos / 60_000_000_000;
        if (span.Kind == 5 && span.Name.EndsWith(ReceiveSuffix, StringComparison.Ordinal))
        {
            // Not the span's status: an event moved to the error queue ends its receive without error, and one whose
            // acknowledgement a broker restart lost ends it in error, to be delivered again.
            if (span.Attributes.GetValueOrDefault(DeliveryOutcome.Tag) switch
                {
                    DeliveryOutcome.Consumed => "succeeded",
                    DeliveryOutcome.ErrorQueue => "failed",
                    DeliveryOutcome.Redelivered or DeliveryOutcome.Interrupted => "redelivered",
                    _ => null,
                } is { } outcome)
                Increment(minute, "delivery", span.Name[..^ReceiveSuffix.Length], outcome);
        }
        else if (span.Name == "dossier state" && span.Attributes.TryGetValue("lgsp.dossier.kind", out var kind) && span.Attributes.TryGetValue("lgsp.dossier.state", out var state))
        {
            Increment(minute, "dossier", kind, state);
            if (state is "Failed" or "Rejected")
            {
                _incidents.Enqueue(new DossierIncident(DateTimeOffset.FromUnixTimeMilliseconds(span.EndUnixNanos / 1_000_000), kind, state,
                    span.Attributes.GetValueOrDefault("lgsp.dossier.id") ?? "", span.TraceId));
                while (_incidents.Count > IncidentsKept)
                    _incidents.TryDequeue(out _);
            }
            if (state == "Completed" && span.Attributes.GetValueOrDefault("lgsp.dossier.on_time") == bool.TrueString)
                Increment(minute, "dossier", kind, "OnTime");
            if (state == "Completed")
                _completion.GetOrAdd((minute, kind), _ => new HdrHistogram.LongConcurrentHistogram(1, 86_400_000, 2))
                    .RecordValue(Math.Clamp((span.EndUnixNanos - span.StartUnixNanos) / 1_000_000, 1, 86_400_000));
        }
        Prune(minute);
    }

    public IReadOnlyList<DeliveryFigures> Deliveries(TimeSpan window) =>
        Group("delivery", window)
            .Select(g => new DeliveryFigures(g.Key, HubAgencies.OwnerOf(g.Key) ?? "",
                g.Value.GetValueOrDefault("succeeded"), g.Value.GetValueOrDefault("failed"), g.Value.GetValueOrDefault("redelivered")))
            .ToList();

    public IReadOnlyList<DossierFigures> Dossiers(TimeSpan window) =>
        Group("dossier", window)
            .Select(g => new DossierFigures(g.Key, g.Value.GetValueOrDefault("Completed"), g.Value.GetValueOrDefault("OnTime"),
                g.Value.GetValueOrDefault("Rejected"), g.Value.GetValueOrDefault("Failed"), CompletionOf(g.Key, window)))
            .ToList();

    private Latency? CompletionOf(string kind, TimeSpan window)
    {
        var from = (clock.GetUtcNow() - window).ToUnixTimeSeconds() / 60 + 1;
        var merged = new HdrHistogram.LongHistogram(1, 86_400_000, 2);
        foreach (var (key, histogram) in _completion)
        {
            if (key.Kind == kind && key.Minute >= from)
                merged.Add(histogram);
        }
        return merged.TotalCount == 0
            ? null
            : new Latency(merged.GetValueAtPercentile(50) / 1000.0, merged.GetValueAtPercentile(95) / 1000.0, merged.GetValueAtPercentile(99) / 1000.0);
    }

    private IEnumerable<KeyValuePair<string, Dictionary<string, long>>> Group(string kind, TimeSpan window)
    {
        var from = (clock.GetUtcNow() - window).ToUnixTimeSeconds() / 60 + 1;
        return _counts.Where(c => c.Key.Kind == kind && c.Key.Minute >= from)
            .GroupBy(c => c.Key.Key)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => KeyValuePair.Create(g.Key, g.GroupBy(c => c.Key.Outcome).ToDictionary(o => o.Key, o => o.Sum(c => c.Value))));
    }

    private void Increment(long minute, string kind, string key, string outcome) =>
        _counts.AddOrUpdate((minute, kind, key, outcome), 1, (_, count) => count + 1);

    private long _lastPrunedMinute;

    private void Prune(long minute)
    {
        // Once every ten minutes, by whichever span gets there first.
        var last = Interlocked.Read(ref _lastPrunedMinute);
        if (minute - last < 10 || Interlocked.CompareExchange(ref _lastPrunedMinute, minute, last) != last)
            return;
        var countsBefore = minute - (long)TimeSpan.FromDays(3).TotalMinutes;
        foreach (var key in _counts.Keys.Where(k => k.Minute < countsBefore))
            _counts.TryRemove(key, out _);
        var completionBefore = minute - (long)TimeSpan.FromDays(1).TotalMinutes;
        foreach (var key in _completion.Keys.Where(k => k.Minute < completionBefore))
            _completion.TryRemove(key, out _);
    }
}
