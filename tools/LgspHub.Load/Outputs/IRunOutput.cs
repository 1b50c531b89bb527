using LgspHub.Contracts;
using LgspHub.Load.Reporting;
using LgspHub.Load.Running;
using LgspHub.Load.Scenarios;

namespace LgspHub.Load.Outputs;

/// <summary>One answer (or a request abandoned): never its path, which may hold a personal ID.</summary>
public readonly record struct RequestSample(TimeSpan At, string Operation, Outcome Outcome, int Status, string? Fault, double LatencyMs);

public readonly record struct CheckSample(TimeSpan At, string Operation, string Check, bool Passed);

/// <summary>
/// Somewhere a run streams to while it goes (k6's outputs): every sample as it is measured, a line of figures
/// each second, and the result at the end. Sample calls come from many threads at once and must not block.
/// </summary>
public interface IRunOutput : IAsyncDisposable
{
    void Start(Scenario scenario, DateTimeOffset startedAt, Func<long> inFlight) { }

    void Request(RequestSample s) { }

    void Check(CheckSample s) { }

    void Arrival(TimeSpan at, bool dropped) { }

    void Dossier(DossierResult d) { }

    void Interval(IntervalFigures f) { }

    /// <summary>A threshold checked while the run goes has failed (the run stops if it aborts on failure).</summary>
    void ThresholdFailed(TimeSpan at, string threshold, double? actual, bool aborts) { }

    Task EndAsync(RunResult result) => Task.CompletedTask;
}
