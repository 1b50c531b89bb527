using LgspHub.Benchmarks;

// Benchmarks that measure the hub from outside, each against a baseline in the same run.
// ./lgsp bench bus runs the bus benchmark and writes its figures into docs/performance.md.
switch (args)
{
    case ["bus", .. var rest]:
        if (BusOptions.Parse(rest, Environment.GetEnvironmentVariable) is not { } options)
            return 2;
        return await BusBenchmark.RunAsync(options);
    case ["dossiers", .. var rest]:
        return await DossierBenchmark.RunAsync(rest);
    case ["data", .. var rest]:
        return await DataBenchmark.RunAsync(rest);
    default:
        Console.Error.WriteLine("""
            usage: LgspHub.Benchmarks bus [--broker URL] [--results FILE]
                   LgspHub.Benchmarks dossiers|data [--doc docs/performance.md] [...]

            Integration events/s and end-to-end latency through MassTransit, configured as the hub
            configures it, against a raw RabbitMQ.Client publisher and consumer with the same durability.
            Knobs (environment): LGSP_BUS_MESSAGES, LGSP_BUS_ROUNDS, LGSP_BUS_WARMUP_RUNS, LGSP_BUS_IN_FLIGHT, LGSP_BUS_PREFETCH,
            LGSP_BUS_CONCURRENCY, LGSP_BUS_VARIANTS, LGSP_BUS_RUN_TIMEOUT (see BusOptions.cs).
            """);
        return 2;
}
