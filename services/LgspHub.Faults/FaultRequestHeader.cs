using System.Globalization;

namespace LgspHub.Faults;

/// <summary>Faults one request asks for itself through the X-Lgsp-Fault header.</summary>
public sealed record RequestedFaults(bool Error, bool Timeout, TimeSpan? Delay)
{
    public static readonly RequestedFaults None = new(false, false, null);
}

/// <summary>
/// <c>X-Lgsp-Fault</c>: a comma-separated list of <c>error</c> (answer 503), <c>timeout</c> (hang until the caller
/// gives up) and <c>delay=&lt;n&gt;ms</c> or <c>delay=&lt;n&gt;s</c> (wait first, up to 60 s), case-insensitive;
/// e.g. <c>X-Lgsp-Fault: delay=250ms, error</c>. Honoured only where <see cref="FaultInjection.AllowRequestHeaderKey"/>
/// is true, so a test can fail one request of its own without touching the agency's settings.
/// </summary>
public static class FaultRequestHeader
{
    /// <returns>The faults asked for, or null with <paramref name="error"/> saying what is wrong.</returns>
    public static RequestedFaults? Parse(string value, out string? error)
    {
        var requested = RequestedFaults.None;
        error = null;
        foreach (var directive in value.Split(',', StringSplitOptions.TrimEntries))
        {
            var lower = directive.ToLowerInvariant();
            if (lower == "error")
                requested = requested with { Error = true };
            else if (lower == "timeout")
                requested = requested with { Timeout = true };
            else if (lower.StartsWith("delay=", StringComparison.Ordinal) && Delay(lower["delay=".Length..]) is { } delay)
                requested = requested with { Delay = delay };
            else
            {
                error = $"Not a fault: \"{directive}\". Give error, timeout or delay=<n>ms (or <n>s, up to {LatencyFault.LongestMs / 1000} s), separated by commas.";
                return null;
            }
        }
        return requested;
    }

    private static TimeSpan? Delay(string text)
    {
        var (digits, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1)
            : text.EndsWith('s') ? (text[..^1], 1000)
            : ("", 0);
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
            && (long)amount * unit <= LatencyFault.LongestMs
                ? TimeSpan.FromMilliseconds((long)amount * unit)
                : null;
    }
}
