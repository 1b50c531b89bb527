using System.Globalization;
using System.Text.Json;
using LgspHub.Load.Flows;
using LgspHub.ServiceDefaults.Seeding;

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

public sealed record MixEntry(FlowKind Flow, string Consumer, double Weight);

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
}

/// <summary>A condition the run must meet, or it exits non-zero. Rates are percentages; latencies milliseconds.</summary>
public sealed record Threshold(ThresholdMetric Metric, string? Operation, double? Min, double? Max)
{
    public string Describe()
    {
        var subject = Metric switch
        {
            ThresholdMetric.SuccessRate => "success rate %",
            ThresholdMetric.DossiersOnTime => "dossiers on time %",
            ThresholdMetric.DossiersCompleted => "dossiers completed %",
            ThresholdMetric.Dropped => "arrivals dropped",
            _ => $"{Metric.ToString().ToLowerInvariant()} ms",
        };
        var bound = Min is { } min ? $">= {min:0.###}" : $"<= {Max:0.###}";
        return Operation is null ? $"{subject} {bound}" : $"{subject} of {Operation} {bound}";
    }
}
