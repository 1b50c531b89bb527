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
        Knobs.Number(environment, "LGSP_BENCH_SECONDS", 7, 1, 3_600),
        Knobs.Number(environment, "LGSP_BENCH_CONNECTIONS", 32, 1, 10_000),
        Knobs.Number(environment, "LGSP_BENCH_WARMUP", 3, 1, 3_600),
        Knobs.Number(environment, "LGSP_BENCH_WARMUP_GATEWAY", 12, 1, 3_600),
        Knobs.Number(environment, "LGSP_BENCH_ROUNDS", defaultRounds, 1, 100));
}
