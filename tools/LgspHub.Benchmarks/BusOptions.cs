namespace LgspHub.Benchmarks;

/// <summary>What the bus benchmark runs: from the command line (broker, the document to write) and the environment (the knobs).</summary>
public sealed record BusOptions(
    Uri Broker,
    int Messages,
    int Rounds,
    int WarmUpRuns,
    int InFlight,
    ushort Prefetch,
    ushort Concurrency,
    IReadOnlyList<string> Variants,
    TimeSpan RunTimeout,
    string? Doc)
{
    /// <summary>The broker `./lgsp up` starts (the hub's own), unless told otherwise.</summary>
    public const string DefaultBroker = "amqp://guest:guest@127.0.0.1:5673/";

    public static readonly string[] AllVariants = [BusVariants.Raw, BusVariants.MassTransit, BusVariants.MassTransitDefaults, BusVariants.MassTransitOneAtATime];

    public static BusOptions? Parse(string[] args, Func<string, string?> environment)
    {
        var broker = environment("LGSP_RABBITMQ_URL") is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultBroker;
        string? doc = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--broker" when i + 1 < args.Length:
                    broker = args[++i];
                    break;
                case "--doc" when i + 1 < args.Length:
                    doc = args[++i];
                    break;
                default:
                    return Fail($"unknown argument {args[i]}");
            }
        }
        if (!Uri.TryCreate(broker, UriKind.Absolute, out var brokerUri) || brokerUri.Scheme is not ("amqp" or "amqps"))
            return Fail($"not an AMQP URL: {broker}");

        var variants = (environment("LGSP_BUS_VARIANTS") ?? string.Join(',', AllVariants))
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (variants.FirstOrDefault(v => !AllVariants.Contains(v)) is { } unknown)
            return Fail($"unknown variant {unknown} in LGSP_BUS_VARIANTS (known: {string.Join(", ", AllVariants)})");

        try
        {
            var inFlight = Knobs.Number(environment, "LGSP_BUS_IN_FLIGHT", 100, 1, 10_000);
            return new BusOptions(
                brokerUri,
                Knobs.Number(environment, "LGSP_BUS_MESSAGES", 20_000, 100, 10_000_000),
                Knobs.Number(environment, "LGSP_BUS_ROUNDS", 5, 1, 100),
                Knobs.Number(environment, "LGSP_BUS_WARMUP_RUNS", 2, 0, 100),
                inFlight,
                // By default the consumers may hold as many unacknowledged deliveries as the publisher keeps unconfirmed.
                (ushort)Knobs.Number(environment, "LGSP_BUS_PREFETCH", Math.Min(inFlight, ushort.MaxValue), 1, ushort.MaxValue),
                (ushort)Knobs.Number(environment, "LGSP_BUS_CONCURRENCY", 8, 1, ushort.MaxValue),
                variants,
                TimeSpan.FromSeconds(Knobs.Number(environment, "LGSP_BUS_RUN_TIMEOUT", 60, 1, 3_600)),
                doc);
        }
        catch (FormatException e)
        {
            return Fail(e.Message);
        }
    }

    private static BusOptions? Fail(string message)
    {
        Console.Error.WriteLine($"bench bus: error: {message}");
        return null;
    }

    /// <summary>The broker without its password, for printing.</summary>
    public string BrokerForDisplay => new UriBuilder(Broker) { Password = Broker.UserInfo.Contains(':') ? "***" : "" }.Uri.ToString();
}
