using LgspHub.Benchmarks;
using LgspHub.Benchmarks.Gateway;

// Benchmarks that measure the hub from outside, each against a baseline in the same run; with --doc, each writes
// its section of docs/performance.md (./lgsp bench passes it).
switch (args)
{
    case ["gateway", .. var rest]:
        return await GatewayBench.RunAsync(rest);
    case ["tracing", .. var rest]:
        return await TracingBench.RunAsync(rest);
    case ["compare", .. var rest]:
        return await CompareBench.RunAsync(rest);
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
            usage: LgspHub.Benchmarks gateway|tracing [--doc docs/performance.md]
                   LgspHub.Benchmarks compare [--build DIR] [VAR=VALUE...]
                   LgspHub.Benchmarks bus [--broker URL] [--doc docs/performance.md]
                   LgspHub.Benchmarks dossiers|data [--doc docs/performance.md] [...]

            gateway, tracing, compare: wrk (/usr/bin/wrk; gateway also nginx, /usr/sbin/nginx) against the running
            hub (./lgsp up --detach, default seed): the land agency direct, through nginx, the gateway with its checks
            off and with all of them (gateway); the full gateway traced and not (tracing); as configured and with
            other settings or another build (compare, which prints its table only). Knobs (environment):
            LGSP_BENCH_SECONDS (7), LGSP_BENCH_CONNECTIONS (32), LGSP_BENCH_WARMUP (3), LGSP_BENCH_WARMUP_GATEWAY (12),
            LGSP_BENCH_ROUNDS (3 for gateway, 5 for tracing and compare).
            bus: integration events/s and end-to-end latency through MassTransit, configured as the hub configures it,
            against a raw RabbitMQ.Client publisher and consumer with the same durability (default broker:
            LGSP_RABBITMQ_URL, else the hub's). Knobs: LGSP_BUS_MESSAGES, LGSP_BUS_ROUNDS, LGSP_BUS_WARMUP_RUNS,
            LGSP_BUS_IN_FLIGHT, LGSP_BUS_PREFETCH, LGSP_BUS_CONCURRENCY, LGSP_BUS_VARIANTS, LGSP_BUS_RUN_TIMEOUT (BusOptions.cs).
            """);
        return 2;
}
