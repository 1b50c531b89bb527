using System.Globalization;
using LgspHub.LocalHub;
using RabbitMQ.Client.Exceptions;

namespace LgspHub.Benchmarks;

/// <summary>The figures of one measured run of one pipeline.</summary>
/// <param name="CpuMs">Processor time per dossier, in ms: the hub's processes, the broker, this process.</param>
public sealed record DossierRun(int Round, string Pipeline, double PerSecond, double P50Seconds, double P99Seconds, (double Hub, double Broker, double Bench) CpuMs);

/// <summary>
/// Completed birth dossiers/s and completion time, the running hub against a bare pipeline doing the same
/// durable work (BareDossierPipeline), in interleaved rounds; medians, ranges and per-round ratios.
/// </summary>
public static class DossierBenchmark
{
    private const string Hub = "hub";
    private const string Bare = "bare";

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        if (DossierOptions.Parse(args, Environment.GetEnvironmentVariable) is not { } options)
            return 2;
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.WriteLine($"bench dossiers: gateway {options.Gateway}, {options.Dossiers} dossiers per run ({options.Submitters} submitted at once), " +
            $"{options.Rounds} rounds, warm-up {options.WarmUpDossiers} dossiers each");

        try
        {
            var mothers = BareMothers();
            await using var hub = new HubDossierPipeline(options.Gateway);
            // On the hub's disk (its data lives in .lgsp/data): the same fsyncs cost the same.
            await using var bare = await BareDossierPipeline.StartAsync(options.Broker, Path.Combine(options.Repository, ".lgsp", "bench", "dossiers"),
                mothers, stop.Token);
            var pipelines = new Dictionary<string, IDossierPipeline> { [Hub] = hub, [Bare] = bare };
            var cpu = new ProcessCpu(options.Repository);
            if (!cpu.SeesHub)
                Console.WriteLine($"bench dossiers: no hub process ids under {options.Repository}/.lgsp/run: the hub's CPU column will read 0");

            if (options.WarmUpDossiers > 0)
            {
                Console.WriteLine("bench dossiers: warming up (unmeasured)...");
                foreach (var (name, pipeline) in pipelines)
                    await MeasureAsync(0, name, pipeline, options.WarmUpDossiers, options, cpu, stop.Token);
            }

            var runs = new List<DossierRun>();
            for (var round = 1; round <= options.Rounds; round++)
            {
                // The order alternates, so neither always runs first.
                var order = round % 2 == 1 ? new[] { Hub, Bare } : [Bare, Hub];
                foreach (var name in order)
                {
                    var run = await MeasureAsync(round, name, pipelines[name], options.Dossiers, options, cpu, stop.Token);
                    runs.Add(run);
                    Console.WriteLine(Invariant($"  round {run.Round} {run.Pipeline,-4} {run.PerSecond,8:N1} dossiers/s  p50 {run.P50Seconds,6:N3} s  p99 {run.P99Seconds,6:N3} s  cpu ms/dossier: hub {run.CpuMs.Hub,5:N1}  broker {run.CpuMs.Broker,5:N1}  bench {run.CpuMs.Bench,5:N1}"));
                }
            }

            var markdown = Report(runs, options);
            Console.WriteLine();
            Console.WriteLine(markdown);
            if (options.Doc is { } doc)
            {
                PerformanceDoc.WriteSection(doc, "dossiers", markdown);
                Console.WriteLine($"bench dossiers: written to {doc}");
            }
            return 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Console.Error.WriteLine("bench dossiers: interrupted");
            return 130;
        }
        catch (Exception e) when (e is DossierBenchException or TimeoutException or BrokerUnreachableException or AlreadyClosedException or HttpRequestException)
        {
            Console.Error.WriteLine($"bench dossiers: error: {e.Message}");
            return 1;
        }
    }

    private static async Task<DossierRun> MeasureAsync(int round, string name, IDossierPipeline pipeline, int dossiers, DossierOptions options,
        ProcessCpu cpu, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RunTimeout);
        var before = cpu.Sample();
        IReadOnlyList<DossierTiming> timings;
        try
        {
            timings = await pipeline.RunAsync(dossiers, options.Submitters, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{name}: {dossiers} dossiers did not all complete within {options.RunTimeout.TotalSeconds:N0} s (LGSP_DOSSIER_RUN_TIMEOUT)");
        }
        var after = cpu.Sample();

        var seconds = (timings.Max(t => t.Ended) - timings.Min(t => t.Submitted)).TotalSeconds;
        var completion = timings.Select(t => (t.Ended - t.Submitted).TotalSeconds).Order().ToArray();
        return new DossierRun(round, name, dossiers / seconds, Percentile(completion, 50), Percentile(completion, 99),
            ((after.Hub - before.Hub) / dossiers, (after.Broker - before.Broker) / dossiers, (after.Bench - before.Bench) / dossiers));
    }

    /// <summary>Nearest rank: the smallest value with at least p % of them at or below it.</summary>
    private static double Percentile(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];

    /// <summary>The hub's default seed's mothers, for the bare pipeline's register (it checks a declared mother as Population does).</summary>
    private static IEnumerable<(string, string)> BareMothers() =>
        HubDossierPipeline.SeedMothers().Select(c => (c.PersonalId.Value, c.Commune.Code));

    private static string Report(List<DossierRun> runs, DossierOptions options)
    {
        string Cell(IEnumerable<double> values, string format)
        {
            var sorted = values.Order().ToArray();
            return Invariant($"{Median(sorted).ToString(format, CultureInfo.InvariantCulture)} ({sorted[0].ToString(format, CultureInfo.InvariantCulture)}–{sorted[^1].ToString(format, CultureInfo.InvariantCulture)})");
        }
        IEnumerable<double> Ratios(Func<DossierRun, double> value) => runs.Where(r => r.Pipeline == Hub)
            .Select(h => value(h) / value(runs.Single(b => b.Pipeline == Bare && b.Round == h.Round)));
        string Row(string pipeline, string label)
        {
            var mine = runs.Where(r => r.Pipeline == pipeline).ToList();
            var vs = pipeline == Hub ? Cell(Ratios(r => r.PerSecond), "N2") : "1.00";
            return $"| {label} | {Cell(mine.Select(r => r.PerSecond), "N1")} | {Cell(mine.Select(r => r.P50Seconds), "N2")} | {Cell(mine.Select(r => r.P99Seconds), "N2")} " +
                $"| {Cell(mine.Select(r => r.CpuMs.Hub), "N1")} | {Cell(mine.Select(r => r.CpuMs.Broker), "N1")} | {Cell(mine.Select(r => r.CpuMs.Bench), "N1")} | {vs} |";
        }

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return $"""
            ## Dossiers: birth dossiers through the hub

            `./lgsp bench dossiers` on {today} (tools/LgspHub.Benchmarks): {options.Dossiers} birth dossiers per run, submitted as one burst ({options.Submitters} submissions at a time), {options.Rounds} rounds with the two pipelines interleaved (the order alternating) after an unmeasured warm-up run of {options.WarmUpDossiers} dossiers each. A dossier completes when civil status has recorded its last step (birth registered → personal ID and permanent residence → child's health-insurance card): six consumes across the three agencies, five events, the same for both pipelines. Dossiers/s: the run's dossiers over the time from the first submission sent to the last completion; completion time: from its submission sent to its completion (the hub's own `endedAt`), on the machine's clock. CPU: processor time per dossier of the hub's five processes (gateway and agencies, busy or not), of the broker, and of the benchmark process (which runs the bare pipeline itself). Cells: median of the rounds (range); the ratio is taken per round, then median (range).

            | pipeline | dossiers/s | p50 completion s | p99 completion s | hub CPU ms/dossier | broker CPU ms/dossier | bench CPU ms/dossier | vs bare |
            |---|---|---|---|---|---|---|---|
            {Row(Hub, "LgspHub (`./lgsp up`): through the gateway (all checks), MassTransit 8.5.12, EF Core, transactional outboxes, tracing")}
            {Row(Bare, "bare pipeline: the same hops, one SQLite transaction (WAL) each, raw RabbitMQ.Client 7.2.2 with publisher confirms and manual acks")}

            The hub completes {Cell(Ratios(r => r.PerSecond), "N2")} of the bare pipeline's dossiers a second; its p99 completion time is {Cell(Ratios(r => r.P99Seconds), "N1")} times the bare pipeline's.
            """;
    }

    private static double Median(double[] sorted) => sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Processor time, in ms, of the hub's processes (their pid files under .lgsp/run), its broker and this process.</summary>
public sealed class ProcessCpu(string repository)
{
    private static readonly double MsPerTick = 1000 / ProcStat.TicksPerSecond;

    private readonly HubRepository _hub = new(repository);

    /// <summary>Whether the hub was started from this repository (./lgsp up writes its process ids there).</summary>
    public bool SeesHub => _hub.Run.PidFiles().Count > 0;

    public (double Hub, double Broker, double Bench) Sample()
    {
        var hub = _hub.Run.PidFiles().Sum(Ticks);
        var broker = Ticks(BrokerNode.Hub(_hub.State).PidFile);
        return (hub * MsPerTick, broker * MsPerTick, Environment.CpuUsage.TotalTime.TotalMilliseconds);
    }

    /// <summary>utime + stime of the process whose id the file holds; 0 when it is not there.</summary>
    private static long Ticks(string pidFile) => HubRunFolder.ReadPid(pidFile) is { } pid ? ProcStat.Read(pid)?.CpuTicks ?? 0 : 0;
}
