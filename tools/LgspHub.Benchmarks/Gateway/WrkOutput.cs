using System.Globalization;
using System.Text.RegularExpressions;

namespace LgspHub.Benchmarks.Gateway;

/// <summary>One wrk run's figures, read from what it prints.</summary>
/// <param name="SocketErrors">wrk's "Socket errors: ..." line, when it had any.</param>
public sealed partial record WrkOutput(double RequestsPerSecond, double P99Ms, int Non2xx, string? SocketErrors)
{
    /// <summary>
    /// wrk has no machine-readable output (short of a Lua script for its done() hook, one more file to ship and keep in
    /// step), so its report is read as text: "Requests/sec:", the 99% line of --latency's distribution, and the lines it
    /// prints only when there were any: "Non-2xx or 3xx responses:" and "Socket errors:".
    /// </summary>
    public static WrkOutput Parse(string output)
    {
        if (RequestsPerSecondLine().Match(output) is not { Success: true } rps)
            throw new FormatException("wrk measured nothing:\n" + output);
        if (P99Line().Match(output) is not { Success: true } p99)
            throw new FormatException("wrk printed no 99th percentile (it runs with --latency):\n" + output);
        var unit = p99.Groups[2].Value switch { "us" => 0.001, "ms" => 1, "s" => 1000, _ => 60_000 };
        var non2xx = Non2xxLine().Match(output);
        return new WrkOutput(
            double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture),
            double.Parse(p99.Groups[1].Value, CultureInfo.InvariantCulture) * unit,
            non2xx.Success ? int.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            SocketErrorsLine().Match(output) is { Success: true } errors ? errors.Value.TrimEnd() : null);
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecondLine();

    [GeneratedRegex(@"99%\s+([\d.]+)(us|ms|s|m)\b")]
    private static partial Regex P99Line();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xxLine();

    [GeneratedRegex(@"Socket errors:.*")]
    private static partial Regex SocketErrorsLine();
}
