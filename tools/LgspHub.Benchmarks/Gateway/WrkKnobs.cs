using System.Globalization;

namespace LgspHub.Benchmarks.Gateway;

/// <summary>
/// The wrk benches' knobs, from the environment; by default each bench stays under about two minutes.
/// A gateway process is measured once its JIT has settled (tiering, dynamic PGO): under load on these two cores
/// that took 15 to 40 s (a profile showed the JIT at a fifth of the gateway's time after 15 s), hence the longer
/// warm-up of the gateway processes (<see cref="WarmUpFreshSeconds"/>).
/// </summary>
public sealed record WrkKnobs(int Seconds, int Connections, int WarmUpSeconds, int WarmUpFreshSeconds, int Rounds)
{
    public static WrkKnobs FromEnvironment(Func<string, string?> environment, int defaultRounds) => new(
        Number(environment, "LGSP_BENCH_SECONDS", 7, 1, 3_600),
        Number(environment, "LGSP_BENCH_CONNECTIONS", 32, 1, 10_000),
        Number(environment, "LGSP_BENCH_WARMUP", 3, 1, 3_600),
        Number(environment, "LGSP_BENCH_WARMUP_GATEWAY", 12, 1, 3_600),
        Number(environment, "LGSP_BENCH_ROUNDS", defaultRounds, 1, 100));

    private static int Number(Func<string, string?> environment, string name, int fallback, int min, int max)
    {
        if (environment(name) is not { Length: > 0 } text)
            return fallback;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new FormatException($"{name}={text}: expected a whole number from {min} to {max}");
        return value;
    }
}
