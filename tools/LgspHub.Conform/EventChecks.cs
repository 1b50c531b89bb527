namespace LgspHub.Conform;

public static class EventChecks
{
    public static Task RunAsync(ConformOptions options, ConformanceReport report, SystemClient system, ProvinceValues province, CancellationToken cancellationToken) => Task.CompletedTask;
}
