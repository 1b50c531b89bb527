using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace LgspHub.Benchmarks;

/// <summary>
/// ./lgsp bench data: a full province seeded into fresh databases, against EF Core's change tracking on a sample and
/// against generating the same rows alone; then identity verification's p99 on the full population database,
/// against the same agency build on its default seed, the two interleaved round by round at one offered rate.
/// </summary>
public static class DataBenchmark
{
    private const int PoolSize = 20_000;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var doc = PerformanceDoc.Option(args, "--doc");
        if (DataOptions.FromEnvironment(Environment.GetEnvironmentVariable) is not { } options)
            return 2;
        if (options.Rounds > 0 && options.Broker is null)
        {
            Console.Error.WriteLine("bench data: error: the agencies it starts need a broker of their own: set LGSP_DATA_BROKER (or LGSP_RABBITMQ_URL).");
            return 2;
        }
        if (options.Broker is { Port: 5673 })
        {
            Console.Error.WriteLine("bench data: error: not the hub's broker (5673): the agencies started here would consume the hub's population queues.");
            return 2;
        }
        var repo = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(doc ?? "docs/performance.md") ?? ".", ".."));
        var started = DateTime.UtcNow;

        var seeding = await RunSeedingAsync(options);
        var verification = options.Rounds > 0 ? await RunVerificationAsync(options, repo) : null;

        var markdown = Markdown(options, started, seeding, verification);
        Console.WriteLine();
        Console.WriteLine(markdown);
        if (doc is not null)
        {
            PerformanceDoc.WriteSection(doc, "data", markdown);
            Console.WriteLine($"bench data: wrote the data section of {doc}");
        }
        return 0;
    }

    private sealed record SeedingFigures(
        Dictionary<string, List<SeedResult>> Full,
        List<SeedResult> Generation,
        Dictionary<string, List<SeedResult>> TrackedSample,
        Dictionary<string, List<SeedResult>> BulkSample);

    private static async Task<SeedingFigures> RunSeedingAsync(DataOptions options)
    {
        var folder = Directory.CreateTempSubdirectory("lgsp-bench-seed-").FullName;
        var run = new SeedingRun(folder);
        var agencies = options.Agencies.Select(SeedingRun.For).ToList();
        var figures = new SeedingFigures(
            agencies.ToDictionary(a => a.Name, _ => new List<SeedResult>()), [],
            agencies.ToDictionary(a => a.Name, _ => new List<SeedResult>()),
            agencies.ToDictionary(a => a.Name, _ => new List<SeedResult>()));
        Console.WriteLine($"bench data: seeding {options.Citizens:N0} citizens into {string.Join(", ", options.Agencies)}, {options.SeedRounds} rounds; " +
            $"EF Core against the bulk path on {options.EfSample:N0} citizens");
        try
        {
            for (var round = 1; round <= options.SeedRounds; round++)
            {
                // The order rotates, so no agency always runs first on a cold cache or last on a tired machine.
                var order = agencies.Skip((round - 1) % agencies.Count).Concat(agencies.Take((round - 1) % agencies.Count)).ToList();
                foreach (var agency in order)
                {
                    var full = await run.SeedAsync(agency, options.Citizens, tracked: false);
                    figures.Full[agency.Name].Add(full);
                    Print(round, $"{agency.Name} full", full);
                }
                var generation = await SeedingRun.GenerateAsync(SeedingRun.For("population"), options.Citizens);
                figures.Generation.Add(generation);
                Print(round, "generation alone", generation);
                foreach (var agency in order)
                {
                    // Side by side on the same sample, the order alternating by round.
                    var trackedFirst = round % 2 == 1;
                    for (var k = 0; k < 2; k++)
                    {
                        var tracked = trackedFirst == (k == 0);
                        var sample = await run.SeedAsync(agency, options.EfSample, tracked);
                        (tracked ? figures.TrackedSample : figures.BulkSample)[agency.Name].Add(sample);
                        Print(round, $"{agency.Name} sample, {(tracked ? "EF Core" : "bulk")}", sample);
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return figures;
    }

    private static void Print(int round, string what, SeedResult result) =>
        Console.WriteLine($"  round {round} {what,-36} {result.Rows,10:N0} rows {result.Elapsed.TotalSeconds,7:N1} s {result.RowsPerSecond,9:N0} rows/s " +
            $"{result.AllocatedBytes / Math.Max(1, result.Rows),6:N0} B/row allocated {result.FileBytes / 1e6,7:N1} MB");

    private sealed record VerificationFigures(TimeSpan FullReady, long FullFileBytes, long BaselineFileBytes, List<OfferResult> Full, List<OfferResult> Baseline);

    private static async Task<VerificationFigures> RunVerificationAsync(DataOptions options, string repo)
    {
        var dll = Path.Combine(repo, "services/LgspHub.Population/bin/Release/net10.0/LgspHub.Population.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException($"{dll} not found: build the solution (Release) first", dll);
        foreach (var port in new[] { options.Port, options.Port + 1 })
            EnsurePortFree(port);

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = AgencyProcess.Credential;
        Console.WriteLine($"bench data: population agencies on 127.0.0.1:{options.Port} ({options.Citizens:N0} citizens) and :{options.Port + 1} " +
            $"(default seed, {DataOptions.DefaultSeedCitizens:N0}); identity verification at {options.Rate}/s, {options.Seconds} s a run, {options.Rounds} rounds");
        await using var full = AgencyProcess.Start(dll, options.Port, options.Citizens, options.Broker!);
        await using var baseline = AgencyProcess.Start(dll, options.Port + 1, DataOptions.DefaultSeedCitizens, options.Broker!);
        var fullReady = await full.WaitReadyAsync(client, options.StartTimeout);
        Console.WriteLine($"  the full province's agency seeded itself and was ready after {fullReady.TotalSeconds:N1} s");
        await baseline.WaitReadyAsync(client, options.StartTimeout);

        var targets = new[] { full, baseline };
        var pools = targets.ToDictionary(t => t, t => VerificationLoad.Pool(t.Citizens, PoolSize, seed: t.Citizens));
        var results = targets.ToDictionary(t => t, _ => new List<OfferResult>());
        foreach (var target in targets.Where(_ => options.WarmUpSeconds > 0))
            await VerificationLoad.OfferAsync(client, target.Url, pools[target], options.Rate, TimeSpan.FromSeconds(options.WarmUpSeconds));
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var target in round % 2 == 1 ? targets : targets.Reverse())
            {
                var result = await VerificationLoad.OfferAsync(client, target.Url, pools[target], options.Rate, TimeSpan.FromSeconds(options.Seconds));
                results[target].Add(result);
                Console.WriteLine($"  round {round} {target.Citizens,9:N0} citizens  p50 {result.P50Ms,6:N2} ms  p99 {result.P99Ms,7:N2} ms  max {result.MaxMs,7:N1} ms  " +
                    $"{result.Failed} of {result.Sent:N0} failed");
            }
        }
        return new VerificationFigures(fullReady, FileBytes(full.DatabaseFile), FileBytes(baseline.DatabaseFile), results[full], results[baseline]);
    }

    private static long FileBytes(string database) => File.Exists(database) ? new FileInfo(database).Length : 0;

    private static void EnsurePortFree(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
        }
        catch (SocketException)
        {
            throw new InvalidOperationException($"127.0.0.1:{port} is taken: choose other ports with LGSP_DATA_PORT (it uses that one and the next)");
        }
    }

    private static string Markdown(DataOptions options, DateTime started, SeedingFigures seeding, VerificationFigures? verification)
    {
        var md = new StringBuilder();
        md.AppendLine("## Data: a full province");
        md.AppendLine();
        md.AppendLine(Invariant($"`./lgsp bench data` on {started:yyyy-MM-dd} (tools/LgspHub.Benchmarks/DataBenchmark.cs). Cells: the median of the rounds, then their range; a ratio is taken within each round (the two ran side by side), then the median and range of those."));
        if (options.SeedRounds > 0)
        {
            md.AppendLine();
            md.AppendLine(Invariant($"**Seeding** {options.Citizens:N0} citizens (seed 2026), {options.SeedRounds} rounds, each agency into a fresh SQLite file in the benchmark's process, through the code an agency runs on first start: the schema and one prepared INSERT reused for every row, streamed from the generator, in one transaction (`AgencyDatabase.EnsureSeededAsync`, `SeedWriter`). Allocated: managed bytes allocated during the seeding, over its rows. Generation alone: the same citizens generated and turned into population rows, written nowhere: every agency's seed generates the whole province, so this is the floor of each."));
            md.AppendLine();
            md.AppendLine("| agency: table | rows | seconds | rows/s | file MB | allocated B/row | time vs generation alone |");
            md.AppendLine("|---|---|---|---|---|---|---|");
            foreach (var (agency, runs) in seeding.Full)
                md.AppendLine(Invariant($"| {agency}: {SeedingRun.For(agency).Table} | {runs[0].Rows:N0} | {Cell(runs.Select(r => r.Elapsed.TotalSeconds), 1)} | {Cell(runs.Select(r => r.RowsPerSecond))} | {runs[0].FileBytes / 1e6:N0} | {Cell(runs.Select(r => (double)r.AllocatedBytes / r.Rows))} | {Cell(runs.Zip(seeding.Generation, (s, g) => s.Elapsed / g.Elapsed), 1)}x |"));
            md.AppendLine(Invariant($"| generation alone (no database) | {seeding.Generation[0].Rows:N0} | {Cell(seeding.Generation.Select(r => r.Elapsed.TotalSeconds), 1)} | {Cell(seeding.Generation.Select(r => r.RowsPerSecond))} | – | {Cell(seeding.Generation.Select(r => (double)r.AllocatedBytes / r.Rows))} | 1.0x |"));
            md.AppendLine();
            md.AppendLine(Invariant($"**Against EF Core's change tracking** (every row added to the context, then one `SaveChanges`, as the agencies seeded before), side by side on a sample of {options.EfSample:N0} citizens, the order alternating by round:"));
            md.AppendLine();
            md.AppendLine("| agency | rows | EF Core rows/s | EF Core allocated B/row | bulk rows/s | bulk allocated B/row | bulk vs EF Core |");
            md.AppendLine("|---|---|---|---|---|---|---|");
            foreach (var agency in seeding.Full.Keys)
            {
                var tracked = seeding.TrackedSample[agency];
                var bulk = seeding.BulkSample[agency];
                md.AppendLine(Invariant($"| {agency} | {bulk[0].Rows:N0} | {Cell(tracked.Select(r => r.RowsPerSecond))} | {Cell(tracked.Select(r => (double)r.AllocatedBytes / r.Rows))} | {Cell(bulk.Select(r => r.RowsPerSecond))} | {Cell(bulk.Select(r => (double)r.AllocatedBytes / r.Rows))} | {Cell(bulk.Zip(tracked, (b, t) => b.RowsPerSecond / t.RowsPerSecond), 1)}x |"));
            }
        }
        if (verification is not null)
        {
            md.AppendLine();
            md.AppendLine(Invariant($"**Identity verification** (`POST /api/population/identity-verifications`, direct to the agency): two population agencies of the same build, started by the benchmark, one seeded with {options.Citizens:N0} citizens (it seeded itself on first start and was ready {verification.FullReady.TotalSeconds:N0} s after it was started), the other with the default {DataOptions.DefaultSeedCitizens:N0}. Open model: {options.Rate} requests/s offered for {options.Seconds} s a run, whatever the agency's pace, each request's latency counted from when it should have been sent (HdrHistogram); identities picked uniformly over each agency's whole seed, all of them matching. {options.Rounds} rounds, the two interleaved (the order alternating), after a {options.WarmUpSeconds} s warm-up of each."));
            md.AppendLine();
            md.AppendLine("| population database | file MB | requests | p50 ms | p99 ms | max ms | failed | p99 vs default seed |");
            md.AppendLine("|---|---|---|---|---|---|---|---|");
            var ratios = verification.Full.Zip(verification.Baseline, (f, b) => f.P99Ms / b.P99Ms).ToList();
            md.AppendLine(Invariant($"| {options.Citizens:N0} citizens | {verification.FullFileBytes / 1e6:N0} | {verification.Full.Sum(r => r.Sent):N0} | {Cell(verification.Full.Select(r => r.P50Ms), 2)} | {Cell(verification.Full.Select(r => r.P99Ms), 2)} | {Cell(verification.Full.Select(r => r.MaxMs), 1)} | {verification.Full.Sum(r => r.Failed)} | {Cell(ratios, 2)} |"));
            md.AppendLine(Invariant($"| default seed, {DataOptions.DefaultSeedCitizens:N0} citizens | {verification.BaselineFileBytes / 1e6:N1} | {verification.Baseline.Sum(r => r.Sent):N0} | {Cell(verification.Baseline.Select(r => r.P50Ms), 2)} | {Cell(verification.Baseline.Select(r => r.P99Ms), 2)} | {Cell(verification.Baseline.Select(r => r.MaxMs), 1)} | {verification.Baseline.Sum(r => r.Failed)} | 1.00 |"));
        }
        return md.ToString();
    }

    /// <summary>"median (min–max)" of per-round values.</summary>
    private static string Cell(IEnumerable<double> values, int decimals = 0)
    {
        var list = values.ToList();
        var format = "N" + decimals;
        return string.Create(CultureInfo.InvariantCulture,
            $"{Figures.Median(list).ToString(format, CultureInfo.InvariantCulture)} ({list.Min().ToString(format, CultureInfo.InvariantCulture)}–{list.Max().ToString(format, CultureInfo.InvariantCulture)})");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
