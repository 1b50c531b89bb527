using System.Globalization;

namespace LgspHub.Benchmarks;

/// <summary>The benches' knobs: whole numbers from the environment (LGSP_BENCH_SECONDS, LGSP_BUS_MESSAGES, …), each within its range.</summary>
public static class Knobs
{
    /// <summary>The variable's value, or <paramref name="fallback"/> when it is unset; a <see cref="FormatException"/> naming it when it is out of range.</summary>
    public static int Number(Func<string, string?> environment, string name, int fallback, int min, int max)
    {
        if (environment(name) is not { Length: > 0 } text)
            return fallback;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new FormatException($"{name}={text}: expected a whole number from {min} to {max}");
        return value;
    }
}
