namespace LgspHub.Benchmarks;

/// <summary>What the dossier benchmark runs: the document to write (command line) and the knobs (environment).</summary>
/// <param name="Dossiers">Dossiers per measured run, submitted as one burst.</param>
/// <param name="Submitters">Submissions sent at once during the burst, for both pipelines.</param>
/// <param name="Repository">The repository's root: the hub's process ids and data folder are found under its .lgsp.</param>
public sealed record DossierOptions(
    Uri Gateway,
    Uri Broker,
    int Dossiers,
    int Rounds,
    int WarmUpDossiers,
    int Submitters,
    TimeSpan RunTimeout,
    string? Doc,
    string Repository)
{
    public const string DefaultGateway = "http://127.0.0.1:5080/";

    public static DossierOptions? Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        string? doc = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--doc" when i + 1 < args.Count:
                    doc = args[++i];
                    break;
                default:
                    return Fail($"unknown argument {args[i]}");
            }
        }

        var gateway = environment("LGSP_DOSSIER_GATEWAY") is { Length: > 0 } g ? g : DefaultGateway;
        var broker = environment("LGSP_RABBITMQ_URL") is { Length: > 0 } b ? b : BusOptions.DefaultBroker;
        if (!Uri.TryCreate(gateway, UriKind.Absolute, out var gatewayUri) || gatewayUri.Scheme != "http" || !gatewayUri.IsLoopback)
            return Fail($"LGSP_DOSSIER_GATEWAY={gateway}: expected an http URL on 127.0.0.1");
        if (!Uri.TryCreate(broker, UriKind.Absolute, out var brokerUri) || brokerUri.Scheme != "amqp" || !brokerUri.IsLoopback)
            return Fail($"LGSP_RABBITMQ_URL={broker}: expected an amqp URL on 127.0.0.1");

        // --doc is <repo>/docs/performance.md; without it, the working directory is taken as the repository.
        var repository = doc is null ? Directory.GetCurrentDirectory() : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(doc))!, ".."));
        try
        {
            return new DossierOptions(
                gatewayUri,
                brokerUri,
                Knobs.Number(environment, "LGSP_DOSSIER_COUNT", 100, 10, 10_000),
                Knobs.Number(environment, "LGSP_DOSSIER_ROUNDS", 5, 1, 50),
                Knobs.Number(environment, "LGSP_DOSSIER_WARMUP", 50, 0, 10_000),
                Knobs.Number(environment, "LGSP_DOSSIER_SUBMITTERS", 8, 1, 256),
                TimeSpan.FromSeconds(Knobs.Number(environment, "LGSP_DOSSIER_RUN_TIMEOUT", 120, 5, 3_600)),
                doc,
                repository);
        }
        catch (FormatException e)
        {
            return Fail(e.Message);
        }
    }

    private static DossierOptions? Fail(string message)
    {
        Console.Error.WriteLine($"bench dossiers: error: {message}");
        return null;
    }
}
