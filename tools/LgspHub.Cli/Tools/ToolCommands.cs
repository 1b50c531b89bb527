using System.CommandLine;
using LgspHub.Cli.Hub;
using LgspHub.Cli.Machine;
using LgspHub.Cli.Operations;

namespace LgspHub.Cli.Tools;

/// <summary>
/// ./lgsp load, conform and bench: the programs of tools/ (the load generator, the conformance runner, the
/// benchmarks), built and run with the hub's defaults. Their own options pass through untouched: each program
/// checks and documents them itself.
/// </summary>
internal static class ToolCommands
{
    public static Command Load(HubRepository layout) => PassThrough("load",
        "With the hub running: offer a scenario's traffic through the gateway (./lgsp load <scenario|file.json> [--time-scale N] [--rate-scale F] "
        + "[--citizens FROM..TO] [--gateway URL] [--out DIR] [-o json=FILE|json-samples=FILE|otlp=URL]), reports in .lgsp/load/ by default; "
        + "./lgsp load list, ./lgsp load validate <scenario>. Exits 1 when a threshold fails, 2 on a bad scenario, 3 when the hub is not there, "
        + "4 when an event was not applied, 5 when interrupted (docs/load-testing.md)",
        async arguments =>
        {
            var project = Path.Combine(layout.Root, "tools", "LgspHub.Load");
            await DotnetBuild.ProjectAsync(Path.Combine(project, "LgspHub.Load.csproj"), Path.Combine(layout.Logs, "load-build.log"));
            var program = Path.Combine(project, "bin", "Release", "net10.0", "lgsp-load.dll");
            if (arguments is [] or ["list" or "validate", ..])
                return await Processes.RunAsync("dotnet", [program, .. arguments]);
            // Reports go under .lgsp/load/ unless the caller says where.
            string[] output = arguments.Contains("--out")
                ? []
                : ["--out", Path.Combine(layout.State, "load", $"{Path.GetFileNameWithoutExtension(arguments[0])}-{DateTime.Now:yyyyMMdd-HHmmss}")];
            return await Processes.RunAsync("dotnet", [program, "run", arguments[0], .. output, .. arguments.Skip(1)]);
        });

    public static Command Conform(HubRepository layout) => PassThrough("conform",
        "Run an agency's contract against a system of your own: ./lgsp conform <agency> <url> [--broker amqp://user:password@host:port/] [--json] "
        + "[--citizens FROM..TO] [--seed N] [--contract URL|FILE]. A score per operation and event, each mismatch named; exits 0 at 100 %, "
        + "1 below, 2 on bad options, 3 when it could not run. It calls the system as the gateway does, with LGSP_GATEWAY_KEY (default: the development hub's)",
        async arguments =>
        {
            if (arguments.Count < 2)
                throw new UsageException("usage: ./lgsp conform <agency> <url> [options]");
            var agency = AgencyAdmin.Agency(layout, arguments[0]);
            var project = Path.Combine(layout.Root, "tools", "LgspHub.Conform");
            var log = Path.Combine(layout.Logs, "conform-build.log");
            await DotnetBuild.ProjectAsync(Path.Combine(project, "LgspHub.Conform.csproj"), log);
            await DotnetBuild.ProjectAsync(Path.Combine(agency.ProjectDirectory, agency.ProjectName + ".csproj"), log);
            // The key the gateway presents to the agency goes in the environment, not on a command line any local user can read.
            var key = Environment.GetEnvironmentVariable("LGSP_GATEWAY_KEY") is { Length: > 0 } given
                ? given
                : layout.Gateway.RequiredDevelopmentSetting($"Lgsp:AgencyCredentials:GatewayKeys:{agency.Name}");
            // The hub's own build of the agency serves the OpenAPI document that is the contract.
            return await Processes.RunAsync("dotnet", [Path.Combine(project, "bin", "Release", "net10.0", "lgsp-conform.dll"), .. arguments, "--mock", agency.Dll()],
                environment: new Dictionary<string, string> { ["LGSP_GATEWAY_KEY"] = key });
        });

    public static Command Bench(HubRepository layout) => PassThrough("bench",
        "Benchmarks (default: gateway), each against its baseline side by side in one run, written into docs/performance.md (tools/LgspHub.Benchmarks): "
        + "gateway (the hub's gateway against the land agency direct, nginx and the gateway with its checks off), tracing (traced against "
        + "untraced), compare [--build DIR] [VAR=VALUE...] (prints only), bus [broker-url] (MassTransit against raw RabbitMQ.Client), "
        + "dossiers (birth dossiers through the hub against a bare pipeline), data (a full province's seed and reads). All but data need "
        + "the hub running (./lgsp up --detach, default seed). Knobs in the environment: LGSP_BENCH_SECONDS, LGSP_BENCH_ROUNDS, LGSP_BENCH_CONNECTIONS, LGSP_BUS_*, LGSP_DOSSIER_*, LGSP_DATA_* (tools/LgspHub.Benchmarks lists them)",
        async arguments =>
        {
            var bench = arguments.Count > 0 ? arguments[0] : "gateway";
            if (bench is not ("gateway" or "tracing" or "compare" or "bus" or "dossiers" or "data"))
                throw new UsageException("bench knows: gateway, tracing, compare, bus, dossiers, data");
            var rest = arguments.Skip(1).ToList();
            // ./lgsp bench bus <broker-url>, as before: the program's --broker.
            if (bench == "bus" && rest is [var broker, ..] && !broker.StartsWith('-'))
                rest = ["--broker", broker, .. rest.Skip(1)];
            if (bench is "gateway" or "tracing" or "compare")
                await DebianPackages.EnsureAsync(layout, DebianPackages.Wrk, DebianPackages.Nginx);
            var project = Path.Combine(layout.Root, "tools", "LgspHub.Benchmarks");
            Say.Info("building the benchmarks (Release)...");
            await DotnetBuild.ProjectAsync(Path.Combine(project, "LgspHub.Benchmarks.csproj"), Path.Combine(layout.Logs, "bench-build.log"));
            // Each bench but compare (which prints only) rewrites its own section of docs/performance.md.
            string[] document = bench == "compare" ? [] : ["--doc", Path.Combine(layout.Root, "docs", "performance.md")];
            return await Processes.RunAsync("dotnet", [Path.Combine(project, "bin", "Release", "net10.0", "LgspHub.Benchmarks.dll"), bench, .. document, .. rest]);
        });

    private static Command PassThrough(string name, string description, Func<IReadOnlyList<string>, Task<int>> run)
    {
        var command = new Command(name, description) { TreatUnmatchedTokensAsErrors = false };
        command.SetAction(async (parsed, _) => await run(parsed.UnmatchedTokens));
        return command;
    }
}
