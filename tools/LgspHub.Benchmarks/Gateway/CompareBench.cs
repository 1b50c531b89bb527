using System.Text.RegularExpressions;

namespace LgspHub.Benchmarks.Gateway;

/// <summary>
/// bench compare [--build DIR] [VAR=VALUE...]: the full gateway as built and configured against the same with these
/// settings, or another build of it (DIR holds its LgspHub.Gateway.dll: say, a worktree of an earlier commit, built).
/// Prints the figures only (docs/performance.md quotes such runs with their command).
/// </summary>
public static partial class CompareBench
{
    private const string Usage = "usage: LgspHub.Benchmarks compare [--build DIR] [VAR=VALUE...] (e.g. DOTNET_gcServer=0)";

    public static Task<int> RunAsync(IReadOnlyList<string> args)
    {
        if (Parse(args, message => Console.Error.WriteLine($"bench compare: error: {message}")) is not var (build, settings))
            return Task.FromResult(2);
        return WrkSession.RunAsync("compare", 5, [WrkRounds.Program], async session =>
        {
            var figures = new WrkFigures(await TwoGateways.MeasureAsync(session, settings, build));
            var label = string.Join(' ', (build is null ? [] : new[] { $"build {build}" }).Concat(settings.Select(s => $"{s.Key}={s.Value}")));
            Console.WriteLine(Table(figures, label));
        });
    }

    /// <summary>The other build and the settings, or null (said to <paramref name="error"/>) when the arguments are not those.</summary>
    public static (string? Build, IReadOnlyList<KeyValuePair<string, string>> Settings)? Parse(IReadOnlyList<string> args, Action<string> error)
    {
        (string?, IReadOnlyList<KeyValuePair<string, string>>)? Fail(string message)
        {
            error(message);
            return null;
        }

        string? build = null;
        var rest = args;
        if (args is ["--build", ..])
        {
            if (args.Count < 2 || !File.Exists(Path.Combine(args[1], BenchHub.GatewayDll)))
                return Fail($"--build needs a directory holding {BenchHub.GatewayDll}");
            build = Path.GetFullPath(args[1]);
            rest = [.. args.Skip(2)];
        }
        if (rest.Count == 0 && build is null)
            return Fail(Usage);
        var settings = new List<KeyValuePair<string, string>>();
        foreach (var setting in rest)
        {
            if (!Setting().IsMatch(setting))
                return Fail($"not VAR=VALUE: {setting} ({Usage})");
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            settings.Add(new(setting[..equals], setting[(equals + 1)..]));
        }
        return (build, settings);
    }

    public static string Table(WrkFigures figures, string label)
    {
        var lines = new List<string>
        {
            "| gateway (all checks) | requests/s | p99 ms | gateway CPU µs/request | agency CPU µs/request | vs as configured |",
            "|---|---|---|---|---|---|",
        };
        foreach (var (name, key) in new[] { ("as configured", TwoGateways.A), (label, TwoGateways.B) })
            lines.Add($"| {name} | {figures.Cell(key, r => r.RequestsPerSecond)} | {figures.Cell(key, r => r.P99Ms, 1)} " +
                $"| {figures.Cell(key, r => r.ProxyCpuUs)} | {figures.Cell(key, r => r.AgencyCpuUs)} | {figures.RatioCell(key, TwoGateways.A)} |");
        return string.Join('\n', lines);
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*=", RegexOptions.Singleline)]
    private static partial Regex Setting();
}
