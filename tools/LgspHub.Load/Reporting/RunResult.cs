using System.Text.Json;
using System.Text.Json.Serialization;
using HdrHistogram;
using LgspHub.Load.Running;
using LgspHub.Load.Scenarios;

namespace LgspHub.Load.Reporting;

public sealed record EventRecord(double AtSeconds, string Description, bool Applied, string? Problem);

public sealed record DossierFigures(
    string Kind, int Submitted, int Completed, int CompletedOnTime, int Rejected, int Failed, int Unfinished, int NotAccepted,
    double? CompletionP50Seconds, double? CompletionP95Seconds, double? CompletionP99Seconds)
{
    /// <summary>Dossiers the hub had to resolve: all but those it rightly refused (a parent not in the register, say).</summary>
    public int Owed => Submitted - Rejected;
}

public sealed record ThresholdResult(string Threshold, double? Actual, bool Passed);

/// <summary>Everything a run produced: written as result.json, drawn as report.html, checked against thresholds.</summary>
public sealed record RunResult(
    string Scenario, string Description, string Gateway, DateTimeOffset StartedAt, double DurationSeconds, double ScheduleSeconds,
    long Offered, long Dropped, Totals Overall, IReadOnlyList<Totals> Operations, IReadOnlyList<DossierFigures> Dossiers,
    double BucketSeconds, IReadOnlyList<TimelinePoint> Timeline, IReadOnlyList<EventRecord> Events, IReadOnlyList<ThresholdResult> Thresholds,
    bool Aborted)
{
    /// <summary>Each check's passes and failures, by operation.</summary>
    public IReadOnlyList<CheckFigures> Checks { get; init; } = [];

    /// <summary>The threshold that failed while the run went and stopped it (abortOnFail), if one did.</summary>
    public string? AbortedBy { get; init; }

    /// <summary>Every threshold met, every event applied, and the run not cut short.</summary>
    public bool Passed => !Aborted && AbortedBy is null && Thresholds.All(t => t.Passed) && Events.All(e => e.Applied);

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>Writes result.json and report.html into the folder.</summary>
    public async Task WriteAsync(string folder)
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "result.json"), JsonSerializer.Serialize(this, JsonOptions));
        await File.WriteAllTextAsync(Path.Combine(folder, "report.html"), HtmlReport.Render(this));
    }

    public static RunResult From(
        Scenario scenario, Uri gateway, DateTimeOffset startedAt, TimeSpan duration, TimeSpan scheduleEnded, Measurements measurements,
        IReadOnlyList<EventRecord> events, bool aborted, LiveThresholds? live = null)
    {
        var overall = measurements.Overall();
        var operations = measurements.Operations();
        var dossiers = measurements.Dossiers().GroupBy(d => d.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(Figures).ToList();
        var thresholds = scenario.Thresholds.Select(t => Check(t, overall, operations, dossiers, measurements.Dropped, live)).ToList();
        return new RunResult(scenario.Name, scenario.Description, gateway.ToString(), startedAt, duration.TotalSeconds, scheduleEnded.TotalSeconds,
            measurements.Offered, measurements.Dropped, overall, operations, dossiers, measurements.BucketWidth.TotalSeconds,
            measurements.Timeline(duration), events, thresholds, aborted)
        {
            Checks = measurements.Checks(),
            AbortedBy = live?.AbortedBy,
        };
    }

    private static DossierFigures Figures(IGrouping<string, DossierResult> kind)
    {
        var completion = new LongHistogram(24L * 3600 * 1000, 3);
        foreach (var d in kind)
            if (d is { End: DossierEnd.Completed, CompletionSeconds: { } seconds })
                completion.RecordValue(Math.Max(1, (long)(seconds * 1000)));
        double? Seconds(double p) => completion.TotalCount == 0 ? null : completion.GetValueAtPercentile(p) / 1000.0;
        int Count(DossierEnd end) => kind.Count(d => d.End == end);
        return new DossierFigures(kind.Key, kind.Count(), Count(DossierEnd.Completed), kind.Count(d => d.OnTime), Count(DossierEnd.Rejected),
            Count(DossierEnd.Failed), Count(DossierEnd.Unfinished), Count(DossierEnd.NotAccepted), Seconds(50), Seconds(95), Seconds(99));
    }

    private static ThresholdResult Check(
        Threshold threshold, Totals overall, IReadOnlyList<Totals> operations, IReadOnlyList<DossierFigures> dossiers, long dropped, LiveThresholds? live)
    {
        // Over a moving window: the worst window judged; the whole run when it was shorter than one window.
        var actual = threshold.Window is not null && live?.WorstWindow(threshold) is { } worst
            ? worst
            : ValueOf(threshold, threshold.Operation is null ? overall : operations.FirstOrDefault(o => o.Operation == threshold.Operation), dropped, dossiers);
        // No data is a failure: a threshold on traffic that never happened proves nothing.
        return new ThresholdResult(threshold.Describe(), actual, threshold.Holds(actual));
    }

    /// <summary>A threshold's metric over some answers (the run's, or a window's); null when there is nothing to judge.</summary>
    internal static double? ValueOf(Threshold threshold, Totals? totals, long dropped, IReadOnlyList<DossierFigures> dossiers)
    {
        var owed = dossiers.Sum(d => d.Owed);
        return threshold.Metric switch
        {
            ThresholdMetric.SuccessRate => totals?.SuccessRate,
            ThresholdMetric.P50 => totals?.P50Ms,
            ThresholdMetric.P95 => totals?.P95Ms,
            ThresholdMetric.P99 => totals?.P99Ms,
            ThresholdMetric.Checks => totals?.ChecksRate,
            ThresholdMetric.ChecksFailed => totals is { ChecksPassed: 0, ChecksFailed: 0 } ? null : totals?.ChecksFailed,
            ThresholdMetric.Abandoned => totals?.Abandoned,
            ThresholdMetric.DossiersOnTime => owed == 0 ? null : 100.0 * dossiers.Sum(d => d.CompletedOnTime) / owed,
            ThresholdMetric.DossiersCompleted => owed == 0 ? null : 100.0 * dossiers.Sum(d => d.Completed) / owed,
            ThresholdMetric.Dropped => dropped,
            _ => null,
        };
    }
}
