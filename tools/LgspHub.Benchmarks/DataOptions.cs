using LgspHub.Contracts;

namespace LgspHub.Benchmarks;

/// <summary>What the data benchmark runs, from the environment (LGSP_DATA_*); the defaults finish in a few minutes.</summary>
public sealed record DataOptions(
    int Citizens,
    int SeedRounds,
    IReadOnlyList<string> Agencies,
    int EfSample,
    Uri? Broker,
    int Port,
    int Rate,
    int Seconds,
    int WarmUpSeconds,
    int Rounds,
    TimeSpan StartTimeout)
{
    /// <summary>The population agency's own default seed: the baseline of the verification run.</summary>
    public const int DefaultSeedCitizens = 5_000;

    public static DataOptions? FromEnvironment(Func<string, string?> environment)
    {
        try
        {
            var agencies = (environment("LGSP_DATA_AGENCIES") ?? string.Join(',', HubAgencies.All))
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (agencies.FirstOrDefault(a => !HubAgencies.All.Contains(a)) is { } unknown)
                throw new FormatException($"LGSP_DATA_AGENCIES: unknown agency {unknown} (known: {string.Join(", ", HubAgencies.All)})");
            var broker = environment("LGSP_DATA_BROKER") is { Length: > 0 } own ? own : environment("LGSP_RABBITMQ_URL");
            return new DataOptions(
                Knobs.Number(environment, "LGSP_DATA_CITIZENS", 1_500_000, 1_000, 2_000_000),
                Knobs.Number(environment, "LGSP_DATA_SEED_ROUNDS", 2, 0, 20),
                agencies,
                Knobs.Number(environment, "LGSP_DATA_EF_SAMPLE", 50_000, 1_000, 2_000_000),
                string.IsNullOrWhiteSpace(broker) ? null : new Uri(broker),
                Knobs.Number(environment, "LGSP_DATA_PORT", 5190, 1_024, 65_000),
                Knobs.Number(environment, "LGSP_DATA_RATE", 200, 1, 20_000),
                Knobs.Number(environment, "LGSP_DATA_SECONDS", 10, 1, 600),
                Knobs.Number(environment, "LGSP_DATA_WARMUP_SECONDS", 10, 0, 600),
                Knobs.Number(environment, "LGSP_DATA_ROUNDS", 5, 0, 100),
                TimeSpan.FromSeconds(Knobs.Number(environment, "LGSP_DATA_START_TIMEOUT", 600, 10, 3_600)));
        }
        catch (Exception e) when (e is FormatException or UriFormatException)
        {
            Console.Error.WriteLine($"bench data: error: {e.Message}");
            return null;
        }
    }
}
