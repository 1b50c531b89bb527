using LgspHub.Load.Outputs;
using LgspHub.Load.Reporting;
using LgspHub.Load.Scenarios;

namespace LgspHub.Load.Running;

/// <summary>
/// The thresholds judged while the run goes: those over a moving window (every full window of whole seconds,
/// by answer time, must hold; the report gives the worst) and those that abort on failure (over their window,
/// else over the run so far, once past their delayAbortEval). A window with no answers in it is not judged.
/// </summary>
public sealed class LiveThresholds(Scenario scenario, Measurements measurements)
{
    private readonly Dictionary<Threshold, State> _states = scenario.Thresholds
        .Where(t => t.Window is not null || t.AbortOnFail).Distinct().ToDictionary(t => t, _ => new State());

    public string? AbortedBy { get; private set; }

    public static TimeSpan? LongestWindow(Scenario scenario) =>
        scenario.Thresholds.Select(t => t.Window).Where(w => w is not null).DefaultIfEmpty(null).Max();

    /// <summary>Whether the windows need latencies of an operation (null: of all answers), for a percentile threshold over them.</summary>
    public static Func<string?, bool> NeedsLatency(Scenario scenario)
    {
        var needed = scenario.Thresholds.Where(t => t.Window is not null && t.Metric is ThresholdMetric.P50 or ThresholdMetric.P95 or ThresholdMetric.P99)
            .Select(t => t.Operation ?? "").ToHashSet(StringComparer.Ordinal);
        return operation => needed.Contains(operation ?? "");
    }

    /// <summary>Judges every live threshold at <paramref name="now"/>; true when the run must stop.</summary>
    public bool Evaluate(TimeSpan now, IReadOnlyList<IRunOutput> outputs, bool mayAbort)
    {
        var second = (long)now.TotalSeconds;
        var stop = false;
        foreach (var (threshold, state) in _states)
        {
            double? value;
            if (threshold.Window is { } window)
            {
                if (second < (long)window.TotalSeconds)
                    continue;   // not a full window yet
                var figures = measurements.Window(second, window);
                var totals = threshold.Operation is null ? figures.All : figures.Operations.GetValueOrDefault(threshold.Operation);
                value = RunResult.ValueOf(threshold, totals, figures.Dropped, []);
                if (value is null)
                    continue;
                state.Worst = threshold.Worse(state.Worst, value);
                state.Judged = true;
            }
            else
            {
                var totals = threshold.Operation is null ? measurements.Overall() : measurements.Operations().FirstOrDefault(o => o.Operation == threshold.Operation);
                value = RunResult.ValueOf(threshold, totals, measurements.Dropped, []);
            }
            if (value is null || threshold.Holds(value))
                continue;
            var aborts = mayAbort && threshold.AbortOnFail && now >= threshold.DelayAbortEval && AbortedBy is null;
            if (!state.Reported || aborts)
            {
                state.Reported = true;
                foreach (var output in outputs)
                    output.ThresholdFailed(now, threshold.Describe(), value, aborts);
            }
            if (aborts)
            {
                AbortedBy = threshold.Describe();
                stop = true;
            }
        }
        return stop;
    }

    /// <summary>A windowed threshold's verdict: its worst window; null when no full window was judged (the whole run decides).</summary>
    public double? WorstWindow(Threshold threshold) =>
        _states.TryGetValue(threshold, out var state) && state.Judged ? state.Worst : null;

    private sealed class State
    {
        public double? Worst;
        public bool Judged;
        public bool Reported;
    }
}
