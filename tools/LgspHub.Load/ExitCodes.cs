using LgspHub.Load.Reporting;

namespace LgspHub.Load;

/// <summary>
/// What the process's exit code says, for CI: a run that measured the hub and found it short (1) is told apart
/// from a run that could not measure it as planned (2 to 5). docs/load-testing.md lists them.
/// </summary>
public static class ExitCodes
{
    public const int Passed = 0;
    /// <summary>A threshold failed, at the end or while the run went (abortOnFail).</summary>
    public const int ThresholdsFailed = 1;
    public const int Usage = 2;
    /// <summary>The hub is not there, or refused a consumer's credentials: nothing was measured.</summary>
    public const int HubUnavailable = 3;
    /// <summary>A scenario event (faults, a command) could not be applied: the hub was not put in the state the thresholds assume.</summary>
    public const int EventFailed = 4;
    /// <summary>Stopped from outside (Ctrl-C, SIGTERM) before the end.</summary>
    public const int Interrupted = 5;

    public const string Summary = "exit 0 passed, 1 a threshold failed, 2 bad scenario or options, 3 hub unavailable, 4 an event not applied, 5 interrupted";

    /// <summary>The run's code; a run that did not go as planned says so before its thresholds do.</summary>
    public static int Of(RunResult result) => result switch
    {
        { Aborted: true } => Interrupted,
        _ when result.Events.Any(e => !e.Applied) => EventFailed,
        { Passed: false } => ThresholdsFailed,
        _ => Passed,
    };
}
