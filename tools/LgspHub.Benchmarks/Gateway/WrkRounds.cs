using System.Diagnostics;
using System.Globalization;
using LgspHub.LocalHub;

namespace LgspHub.Benchmarks.Gateway;

/// <summary>
/// Runs wrk against targets side by side: each warmed up, then rounds of one run per target, the order rotating each
/// round so that none always runs first. Around each run, the processor time of the target's proxy and of the land agency.
/// </summary>
public sealed class WrkRounds(BenchHub hub, WrkKnobs knobs, string bench)
{
    public const string Program = "/usr/bin/wrk";

    public async Task<IReadOnlyList<WrkRun>> MeasureAsync(IReadOnlyList<WrkTarget> targets, CancellationToken cancellationToken)
    {
        Console.WriteLine($"bench {bench}: warming up (JIT, connection pools): {knobs.WarmUpFreshSeconds}s per gateway process, {knobs.WarmUpSeconds}s per other target...");
        foreach (var target in targets)
            await HitAsync(0, target, target.Fresh ? knobs.WarmUpFreshSeconds : knobs.WarmUpSeconds, cancellationToken);

        Console.WriteLine($"bench {bench}: measuring: GET {WrkTarget.Path}, wrk -t2 -c{knobs.Connections} -d{knobs.Seconds}s, {knobs.Rounds} rounds");
        Console.WriteLine($"bench {bench}: (round, target, requests/s, p99 ms, non-2xx, proxy CPU µs/request, agency CPU µs/request):");
        var runs = new List<WrkRun>();
        for (var round = 1; round <= knobs.Rounds; round++)
        {
            for (var i = 0; i < targets.Count; i++)
            {
                var run = await HitAsync(round, targets[(round - 1 + i) % targets.Count], knobs.Seconds, cancellationToken);
                runs.Add(run);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{run.Round} {run.Target} {run.RequestsPerSecond:F0} {run.P99Ms:F2} {run.Non2xx} {run.ProxyCpuUs:F0} {run.AgencyCpuUs:F0}"));
            }
        }
        return runs;
    }

    private async Task<WrkRun> HitAsync(int round, WrkTarget target, int seconds, CancellationToken cancellationToken)
    {
        var proxy = target.ProxyPids();
        int[] agency = hub.LandPid() is { } pid ? [pid] : [];
        var (proxyBefore, agencyBefore) = (ProcStat.Ticks(proxy), ProcStat.Ticks(agency));
        var output = await RunAsync(target, seconds, cancellationToken);
        var (proxyTicks, agencyTicks) = (ProcStat.Ticks(proxy) - proxyBefore, ProcStat.Ticks(agency) - agencyBefore);
        if (output.SocketErrors is { } errors)
            Console.Error.WriteLine($"wrk: {errors}");
        // Per request: over the requests wrk counted in the run's nominal length.
        var requests = output.RequestsPerSecond * seconds;
        double PerRequest(long ticks) => requests > 0 ? ticks * 1e6 / ProcStat.TicksPerSecond / requests : 0;
        return new WrkRun(round, target.Name, output.RequestsPerSecond, output.P99Ms, output.Non2xx, PerRequest(proxyTicks), PerRequest(agencyTicks));
    }

    private async Task<WrkOutput> RunAsync(WrkTarget target, int seconds, CancellationToken cancellationToken)
    {
        string[] arguments =
        [
            "-t2", $"-c{knobs.Connections}", $"-d{seconds}s", "--latency",
            .. target.Headers.SelectMany(h => new[] { "-H", $"{h.Key}: {h.Value}" }),
            target.Url.ToString(),
        ];
        using var wrk = Process.Start(new ProcessStartInfo(Program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new BenchException($"could not run {Program}");
        try
        {
            var output = wrk.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = wrk.StandardError.ReadToEndAsync(cancellationToken);
            await wrk.WaitForExitAsync(cancellationToken);
            if (wrk.ExitCode != 0)
                throw new BenchException($"wrk failed against {target.Name} ({target.Url}), exit code {wrk.ExitCode}:\n{(await errors).TrimEnd()}");
            return WrkOutput.Parse(await output);
        }
        catch (FormatException e)
        {
            throw new BenchException($"wrk failed against {target.Name} ({target.Url}): {e.Message}");
        }
        catch (OperationCanceledException)
        {
            wrk.Kill();
            throw;
        }
    }
}
