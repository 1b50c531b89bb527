namespace LgspHub.Load.Tests;

/// <summary>
/// Tests that time a real run (arrivals on schedule, events on time, streamed lines) take turns: run side by
/// side, they and the tool processes they start compete for this machine's two cores and are late.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TimedRuns
{
    public const string Name = "Timed runs";
}
