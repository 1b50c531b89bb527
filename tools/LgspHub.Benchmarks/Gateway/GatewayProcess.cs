namespace LgspHub.Benchmarks.Gateway;

/// <summary>A further gateway process for a bench, on 127.0.0.1:port, from the hub's build or another one.</summary>
public static class GatewayProcess
{
    /// <param name="settings">Environment on top: configuration keys (Lgsp__Checks=false) or runtime knobs (DOTNET_*);
    /// they come last, so they may override the environment the bench sets.</param>
    public static BenchProcess Start(BenchHub hub, string name, int port, IEnumerable<KeyValuePair<string, string>> settings, string? build = null)
    {
        var logFile = Path.Combine(hub.Logs, $"bench-{name}.log");
        File.WriteAllText(logFile, "");
        IEnumerable<KeyValuePair<string, string?>> environment =
        [
            // As the hub runs it (Development, its development settings), less the hub's collector: the benches'
            // gateways export nothing, so that only the setting compared differs.
            new("OTEL_EXPORTER_OTLP_ENDPOINT", null),
            new("ASPNETCORE_ENVIRONMENT", Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") is { Length: > 0 } e ? e : "Development"),
            new("ASPNETCORE_URLS", $"http://127.0.0.1:{port}"),
            .. settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)),
        ];
        return BenchProcess.Start(name, "dotnet", [BenchHub.GatewayDll], build ?? hub.GatewayBuild, environment, logFile);
    }
}
