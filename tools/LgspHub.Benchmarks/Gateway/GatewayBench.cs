using System.Globalization;

namespace LgspHub.Benchmarks.Gateway;

/// <summary>
/// bench gateway: the land agency direct, through nginx, through the gateway with its checks off, and through the
/// hub's gateway with every check, side by side with wrk.
/// </summary>
public static class GatewayBench
{
    public const int BaselinePort = 5180;   // the gateway with its checks off
    public const int NginxPort = 5181;      // nginx in front of the land agency

    private const string Direct = "direct";
    private const string Nginx = "nginx";
    private const string Baseline = "baseline";
    private const string Hub = "hub";

    public static Task<int> RunAsync(IReadOnlyList<string> args)
    {
        if (DocOption.Parse("gateway", args) is not { } doc)
            return Task.FromResult(2);
        return WrkSession.RunAsync("gateway", 3, [WrkRounds.Program, NginxProxy.Program], async session =>
        {
            // The same gateway with its checks off, on its own port, in front of the same agency; and nginx.
            var baseline = session.StartGateway(Baseline, BaselinePort, [new("Lgsp__Checks", "false")]);
            var nginx = await session.StartNginxAsync(NginxPort);
            var nginxLabel = await NginxProxy.VersionAsync(session.Stopping);
            var token = await session.TokenAsync(session.GatewayPort);
            WrkTarget[] targets =
            [
                WrkTarget.Agency(Direct, session.LandPort, session.Hub.LandGatewayKey()),
                WrkTarget.Proxy(Nginx, NginxPort, WrkTarget.ProcessAndChildren(nginx.Pid), fresh: false),
                WrkTarget.Proxy(Baseline, BaselinePort, WrkTarget.Process(baseline.Pid), fresh: true),
                // The hub's gateway may have just started too (./lgsp up): it gets the same warm-up.
                WrkTarget.Gateway(Hub, session.GatewayPort, token, WrkTarget.Process(session.Hub.GatewayPid()), fresh: true),
            ];
            await session.WaitReadyAsync(baseline, targets[2].Url);
            await session.WaitReadyAsync(nginx, targets[1].Url);
            foreach (var target in targets)
                await session.CheckAsync(target);

            var runs = await session.Rounds.MeasureAsync(targets, session.Stopping);
            await session.StopProcessesAsync();
            var figures = new WrkFigures(runs);
            var table = Table(figures, nginxLabel);
            if (doc.Path is { } path)
                PerformanceDoc.WriteSection(path, "gateway", Markdown(figures, table, session.Knobs, DateOnly.FromDateTime(DateTime.Now), Environment.ProcessorCount));
            Console.WriteLine(table);
            Console.WriteLine($"hub/nginx {figures.RatioCell(Hub, Nginx)} (target 0.9: {Verdict(figures)}); hub/direct {figures.RatioCell(Hub, Direct)}");
            if (doc.Path is { } written)
                Console.WriteLine($"bench gateway: written to {written}");
        });
    }

    public static string Table(WrkFigures figures, string nginxLabel)
    {
        (string Label, string Key)[] rows =
        [
            ("land agency, direct", Direct),
            ($"{nginxLabel}, keepalive upstream", Nginx),
            ("gateway, checks off (routes and proxy only)", Baseline),
            ("gateway, all checks (token, rights, rate limit, purpose, records, audit, tracing)", Hub),
        ];
        var lines = new List<string>
        {
            "| path | requests/s | p99 ms | proxy CPU µs/request | agency CPU µs/request | vs direct | vs nginx |",
            "|---|---|---|---|---|---|---|",
        };
        foreach (var (label, key) in rows)
        {
            var proxy = key == Direct ? "–" : figures.Cell(key, r => r.ProxyCpuUs);
            lines.Add($"| {label} | {figures.Cell(key, r => r.RequestsPerSecond)} | {figures.Cell(key, r => r.P99Ms, 1)} | {proxy} " +
                $"| {figures.Cell(key, r => r.AgencyCpuUs)} | {figures.RatioCell(key, Direct)} | {figures.RatioCell(key, Nginx)} |");
        }
        return string.Join('\n', lines);
    }

    public static string Markdown(WrkFigures figures, string table, WrkKnobs knobs, DateOnly today, int cores) => $"""
        ## Gateway against direct and nginx

        `./lgsp bench gateway` on {today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}: `GET {WrkTarget.Path}` (default seed), `wrk -t2 -c{knobs.Connections} -d{knobs.Seconds}s`, {knobs.Rounds} rounds with the four targets interleaved (the order rotating each round). Each cell: the median of the rounds, then their range; a ratio is taken within each round (the two ran side by side), then the median and range of those. CPU per request: the processor time the proxy's processes (nginx: master and workers) and the land agency used during a run, over the requests served. wrk, nginx, the gateways and the agency share the machine's {cores} cores.

        {table}

        Target (issue #7): the full gateway at 0.9x nginx or better. Measured: {figures.RatioCell(Hub, Nginx)}x, **{Verdict(figures)}**. The full gateway keeps {figures.RatioCell(Hub, Direct)} of the agency's direct throughput; with its checks off, the gateway alone runs at {figures.RatioCell(Baseline, Nginx)}x nginx, and the checks keep {figures.RatioCell(Hub, Baseline)} of the checks-off throughput.
        """;

    private static string Verdict(WrkFigures figures) => Figures.Median(figures.Ratios(Hub, Nginx)) >= 0.9 ? "met" : "missed";
}
