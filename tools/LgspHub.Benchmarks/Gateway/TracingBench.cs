using System.Globalization;

namespace LgspHub.Benchmarks.Gateway;

/// <summary>bench tracing: the full gateway tracing as the hub does ("a") against the same with tracing off ("b").</summary>
public static class TracingBench
{
    public static Task<int> RunAsync(IReadOnlyList<string> args)
    {
        if (DocOption.Parse("tracing", args) is not { } doc)
            return Task.FromResult(2);
        return WrkSession.RunAsync("tracing", 5, [WrkRounds.Program], async session =>
        {
            var figures = new WrkFigures(await TwoGateways.MeasureAsync(session, [new("Lgsp__Ops__Tracing", "false")]));
            var table = Table(figures);
            if (doc.Path is { } path)
                PerformanceDoc.WriteSection(path, "tracing", Markdown(figures, table, session.Knobs, DateOnly.FromDateTime(DateTime.Now)));
            var cost = Cost(figures);
            Console.WriteLine(table);
            Console.WriteLine($"tracing costs {Figures.Percent(Figures.Median(cost), 1)} (rounds: {Figures.Percent(cost.Min(), 1)} to {Figures.Percent(cost.Max(), 1)}); target 10 %: {Verdict(cost)}");
            if (doc.Path is { } written)
                Console.WriteLine($"bench tracing: written to {written}");
        });
    }

    public static string Table(WrkFigures figures)
    {
        var lines = new List<string>
        {
            "| gateway (all checks) | requests/s | p99 ms | gateway CPU µs/request | agency CPU µs/request | vs tracing off |",
            "|---|---|---|---|---|---|",
        };
        foreach (var (label, key) in new[] { ("traced, as the hub runs (every transaction)", TwoGateways.A), ("tracing off (`Lgsp__Ops__Tracing=false`: samples nothing)", TwoGateways.B) })
            lines.Add($"| {label} | {figures.Cell(key, r => r.RequestsPerSecond)} | {figures.Cell(key, r => r.P99Ms, 1)} " +
                $"| {figures.Cell(key, r => r.ProxyCpuUs)} | {figures.Cell(key, r => r.AgencyCpuUs)} | {figures.RatioCell(key, TwoGateways.B)} |");
        return string.Join('\n', lines);
    }

    public static string Markdown(WrkFigures figures, string table, WrkKnobs knobs, DateOnly today)
    {
        var cost = Cost(figures);
        return $"""
            ## Tracing: what it costs the gateway

            `./lgsp bench tracing` on {today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}: two gateways started for the run, the same build and configuration (all checks, each its own fresh record database, no OTLP export) but for `Lgsp__Ops__Tracing`; `GET {WrkTarget.Path}`, `wrk -t2 -c{knobs.Connections} -d{knobs.Seconds}s`, {knobs.Rounds} rounds, the two interleaved. Medians, ranges and per-round ratios as above.

            {table}

            Tracing costs {Figures.Percent(Figures.Median(cost))} of the throughput ({Figures.Percent(cost.Min())} to {Figures.Percent(cost.Max())} across rounds). Target (issue #7): 10 % or less, **{Verdict(cost)}**. The agency follows the caller's sampling flag: behind the gateway with tracing off it records none of these requests either, so the cost measured is the trace as a whole, the agency's part included (its CPU column).
            """;
    }

    /// <summary>The share of the throughput tracing takes, round by round.</summary>
    private static List<double> Cost(WrkFigures figures) => figures.Ratios(TwoGateways.A, TwoGateways.B).Select(r => 1 - r).ToList();

    private static string Verdict(IReadOnlyList<double> cost) => Figures.Median(cost) <= 0.10 ? "met" : "missed";
}
