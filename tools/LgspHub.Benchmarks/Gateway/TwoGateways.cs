namespace LgspHub.Benchmarks.Gateway;

/// <summary>
/// Two full gateways started for the run, "a" as configured and "b" with other settings on top (configuration keys
/// such as Lgsp__Ops__Tracing, or DOTNET_* runtime knobs) or from another build: the same signing key and agency,
/// each its own token and a fresh record database.
/// </summary>
public static class TwoGateways
{
    public const int APort = 5182;
    public const int BPort = 5183;
    public const string A = "a";
    public const string B = "b";

    public static async Task<IReadOnlyList<WrkRun>> MeasureAsync(WrkSession session, IReadOnlyList<KeyValuePair<string, string>> settingsOfB, string? buildOfB = null)
    {
        var key = await session.NewSigningKeyAsync();
        foreach (var name in new[] { A, B })
            foreach (var suffix in new[] { "", "-wal", "-shm" })
                File.Delete(Database(session, name) + suffix);

        KeyValuePair<string, string>[] Common(string name) =>
            [new("Lgsp__Tokens__SigningKey", key), new("ConnectionStrings__database", $"Data Source={Database(session, name)}")];
        var a = session.StartGateway(A, APort, Common(A));
        var b = session.StartGateway(B, BPort, [.. Common(B), .. settingsOfB], buildOfB);
        await session.WaitReadyAsync(a, new Uri($"http://127.0.0.1:{APort}/health/ready"));
        await session.WaitReadyAsync(b, new Uri($"http://127.0.0.1:{BPort}/health/ready"));
        WrkTarget[] targets =
        [
            WrkTarget.Gateway(A, APort, await session.TokenAsync(APort), WrkTarget.Process(a.Pid), fresh: true),
            WrkTarget.Gateway(B, BPort, await session.TokenAsync(BPort), WrkTarget.Process(b.Pid), fresh: true),
        ];
        foreach (var target in targets)
            await session.CheckAsync(target);
        var runs = await session.Rounds.MeasureAsync(targets, session.Stopping);
        await session.StopProcessesAsync();
        return runs;
    }

    private static string Database(WrkSession session, string name) => Path.Combine(session.Hub.Bench, $"gateway-{name}.db");
}
