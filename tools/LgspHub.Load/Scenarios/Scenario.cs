using System.Globalization;
using System.Text.Json;
using LgspHub.Load.Flows;
using LgspHub.Seeding;

namespace LgspHub.Load.Scenarios;

/// <summary>A validated scenario: who sends what, at which open-model rate, for how long, and what must hold.</summary>
public sealed record Scenario(
    string Name,
    string Description,
    ProvinceRange Province,
    IReadOnlyDictionary<string, ConsumerCredentials> Consumers,
    string? Admin,
    IReadOnlyList<Stage> Stages,
    IReadOnlyList<MixEntry> Mix,
    IReadOnlyList<TimedEvent> Events,
    TimeSpan Drain,
    int MaxInFlight,
    TimeSpan RequestTimeout,
    IReadOnlyList<Threshold> Thresholds,
    double TimeScale = 1,
    double RateScale = 1)
{
    /// <summary>Checks on answers, by operation (or on every answer): counted apart from the outcome.</summary>
    public IReadOnlyList<ResponseCheck> Checks { get; init; } = [];

    /// <summary>Request sequences the file defines, by name; mix entries name them beside the built-in flows.</summary>
    public IReadOnlyDictionary<string, Sequence> Sequences { get; init; } = new Dictionary<string, Sequence>();

    public TimeSpan Duration => Stages.Aggregate(TimeSpan.Zero, (sum, stage) => sum + stage.Duration);

    /// <summary>
    /// The same traffic shape in less time (durations divided by <paramref name="timeScale"/>) and at another
    /// volume (rates multiplied by <paramref name="rateScale"/>): a day's shape in ten minutes is a time scale of 144.
    /// </summary>
    public Scenario Scaled(double timeScale, double rateScale) => this with
    {
        TimeScale = 1,
        RateScale = 1,
        Stages = Stages.Select(s => new Stage(s.Duration / timeScale, s.From * rateScale, s.To * rateScale)).ToList(),
        Events = Events.Select(e => e with { At = e.At / timeScale }).ToList(),
    };
}

/// <summary>Citizens [From, To) of the synthetic province the hub was seeded with (its Seed:Value and Seed:Citizens).</summary>
public sealed record ProvinceRange(int Seed, int From, int To)
{
    /// <summary>Fewer, and the flows may find no parents, owners or card holders.</summary>
    public const int MinCitizens = 50;

    public static string CitizensFormat => $"a range 'from..to' of citizen indexes, 0 <= from < to <= {SyntheticProvince.MaxCitizens}";

    /// <summary>Parses "from..to" (0 &lt;= from &lt; to &lt;= the largest seed the hub takes).</summary>
    public static bool TryParseCitizens(string text, out int from, out int to)
    {
        from = to = 0;
        return text.Split("..") is [var low, var high]
            && int.TryParse(low, CultureInfo.InvariantCulture, out from)
            && int.TryParse(high, CultureInfo.InvariantCulture, out to)
            && from >= 0 && to > from && to <= SyntheticProvince.MaxCitizens;
    }
}

public sealed record ConsumerCredentials(string ClientId, string Secret, string Purpose, string Officer);

/// <summary>A stretch of the run whose arrival rate goes linearly from <see cref="From"/> to <see cref="To"/> per second.</summary>
public sealed record Stage(TimeSpan Duration, double From, double To);

/// <summary>A share of the arrivals: a built-in flow, or (when <see cref="Sequence"/> is set) a sequence of the file.</summary>
public sealed record MixEntry(FlowKind Flow, string Consumer, double Weight, string? Sequence = null);

/// <summary>Something done to the hub at a point of the run: faults set or cleared on an agency, or a command run.</summary>
public sealed record TimedEvent(TimeSpan At, string? Agency, JsonElement? Faults, string? Command)
{
    public bool ClearsFaults => Faults is { ValueKind: JsonValueKind.String };

    public string Describe() => Command is not null
        ? $"run `{Command}`"
        : ClearsFaults ? $"{Agency}: faults off" : $"{Agency}: faults {Faults}";
}

public enum ThresholdMetric
{
    SuccessRate,
    DossiersOnTime,
    DossiersCompleted,
    P50,
    P95,
    P99,
    Dropped,
    /// <summary>Percent of checks passed.</summary>
    Checks,
    ChecksFailed,
    /// <summary>Requests the load tool gave up on (its own timeout, or the run stopping): a count.</summary>
    Abandoned,
}

/// <summary>A condition the run must meet, or it exits non-zero. Rates are percentages; latencies milliseconds.</summary>
public sealed record Threshold(ThresholdMetric Metric, string? Operation, double? Min, double? Max)
{
    /// <summary>Held over every moving window of this length (by answer time), not only over the whole run.</summary>
    public TimeSpan? Window { get; init; }

    /// <summary>Checked while the run goes; the first miss stops it.</summary>
    public bool AbortOnFail { get; init; }

    /// <summary>How long into the run before a miss may stop it (a handful of first answers proves little).</summary>
    public TimeSpan DelayAbortEval { get; init; }

    public bool IsRate => Metric is ThresholdMetric.SuccessRate or ThresholdMetric.DossiersOnTime or ThresholdMetric.DossiersCompleted or ThresholdMetric.Checks;

    public bool IsOnDossiers => Metric is ThresholdMetric.DossiersOnTime or ThresholdMetric.DossiersCompleted;

    /// <summary>Whether a value meets the bound; no value (no traffic) does not.</summary>
    public bool Holds(double? value) => value is { } v && (Min is not { } min || v >= min) && (Max is not { } max || v <= max);

    /// <summary>The worse of two values for this bound: the lower for a minimum, the higher for a maximum.</summary>
    public double? Worse(double? a, double? b) => (a, b) switch
    {
        (null, _) => b,
        (_, null) => a,
        _ => Min is not null ? Math.Min(a.Value, b.Value) : Math.Max(a.Value, b.Value),
    };

    public string Describe()
    {
        var subject = Metric switch
        {
            ThresholdMetric.SuccessRate => "success rate %",
            ThresholdMetric.DossiersOnTime => "dossiers on time %",
            ThresholdMetric.DossiersCompleted => "dossiers completed %",
            ThresholdMetric.Dropped => "arrivals dropped",
            ThresholdMetric.Checks => "checks passed %",
            ThresholdMetric.ChecksFailed => "checks failed",
            ThresholdMetric.Abandoned => "requests abandoned",
            _ => $"{Metric.ToString().ToLowerInvariant()} ms",
        };
        var bound = Min is { } min ? $">= {min:0.###}" : $"<= {Max:0.###}";
        var text = Operation is null ? $"{subject} {bound}" : $"{subject} of {Operation} {bound}";
        if (Window is { } window)
            text += $" in every {DurationText.Format(window)} window";
        return AbortOnFail ? text + " (abort on fail)" : text;
    }
}
