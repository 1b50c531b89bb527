using System.Globalization;

namespace LgspHub.Benchmarks;

/// <summary>The bus section of docs/performance.md: one row per variant run, medians, ranges and per-round ratios to raw.</summary>
public static class BusReport
{
    public static string Table(IReadOnlyList<RunResult> results, BusOptions options)
    {
        var labels = new Dictionary<string, string>
        {
            [BusVariants.Raw] = "raw RabbitMQ.Client 7.2.2",
            [BusVariants.MassTransit] = $"MassTransit 8.5.12, the hub's setup (HubMessaging.cs), prefetch {options.Prefetch}, ConcurrentMessageLimit {options.Concurrency}",
            [BusVariants.MassTransitDefaults] = "MassTransit, the hub's setup with MassTransit's own endpoint defaults (prefetch 16 here, no limit), as before the tuning",
            [BusVariants.MassTransitOneAtATime] = "MassTransit, the hub's setup, one publish at a time (as the outbox dispatcher publishes)",
        };
        var lines = new List<string>
        {
            "| variant | publishes in flight | events/s | p50 ms | p99 ms | client CPU µs/event | vs raw |",
            "|---|---|---|---|---|---|---|",
        };
        foreach (var (variant, label) in labels)
        {
            var runs = results.Where(r => r.Variant == variant).ToList();
            if (runs.Count == 0)
                continue;
            string Column(Func<RunResult, double> value, int digits = 0) => Figures.Cell(runs.Select(value).ToList(), digits);
            var versus = results.Any(r => r.Variant == BusVariants.Raw) ? Figures.RatioCell(Ratios(results, variant)) : "–";
            lines.Add($"| {label} | {runs[0].InFlight} | {Column(r => r.MessagesPerSecond)} | {Column(r => r.P50Ms, 1)} | {Column(r => r.P99Ms, 1)} " +
                $"| {Column(r => r.CpuMicrosecondsPerMessage)} | {versus} |");
        }
        return string.Join('\n', lines);
    }

    public static string Markdown(IReadOnlyList<RunResult> results, BusOptions options, int bodyBytes, string table, DateOnly today)
    {
        var markdown = $"""
            ## Bus: MassTransit against raw RabbitMQ.Client

            `./lgsp bench bus` on {today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} (tools/LgspHub.Benchmarks), broker {options.Broker.Host}:{options.Broker.Port}: {options.Messages.ToString("N0", CultureInfo.InvariantCulture)} events per run (a tenth of that one at a time), bodies of {bodyBytes} bytes for every variant (the raw client's padded to MassTransit's envelope), {options.Rounds} rounds with the variants interleaved (the order rotating) after {options.WarmUpRuns} unmeasured warm-up runs of each. Every variant: a durable queue, persistent messages, each publish awaiting its publisher confirm, manual acknowledgements, and the same window: at most {options.InFlight} publishes in flight (unless it says one), prefetch {options.Prefetch}, {options.Concurrency} deliveries handled at once (MassTransit's defaults leave its prefetch at 16). Events/s count from the first publish to the last delivery; latency from the publish call to the consumer (HdrHistogram); client CPU is the benchmark process's (publisher and consumer). Cells: median of the rounds (range); ratios per round, then median (range).

            {table}
            """;
        if (results.Any(r => r.Variant == BusVariants.MassTransit) && results.Any(r => r.Variant == BusVariants.Raw))
        {
            var tuned = Ratios(results, BusVariants.MassTransit);
            var verdict = Figures.Median(tuned) >= 0.8 ? "met" : "missed";
            markdown += $"\n\nTarget (issue #7): MassTransit at 0.8x raw or better. Measured, tuned, with the same window: {Figures.RatioCell(tuned)}x, **{verdict}**.";
        }
        return markdown;
    }

    /// <summary>The variant's events/s over raw's, in each round both ran.</summary>
    private static List<double> Ratios(IReadOnlyList<RunResult> results, string variant) =>
        results.Where(r => r.Variant == variant)
            .Select(r => results.FirstOrDefault(b => b.Round == r.Round && b.Variant == BusVariants.Raw) is { } raw ? r.MessagesPerSecond / raw.MessagesPerSecond : double.NaN)
            .Where(double.IsFinite)
            .ToList();
}
