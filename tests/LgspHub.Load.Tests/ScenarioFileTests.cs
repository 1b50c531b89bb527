using LgspHub.Load.Flows;
using LgspHub.Load.Scenarios;

namespace LgspHub.Load.Tests;

public class ScenarioFileTests
{
    private const string Minimal = """
        {
          "name": "minimal",
          "consumers": { "hospital": { "clientId": "hospital.x", "secret": "s" } },
          "stages": [ { "duration": "10s", "rate": 5 }, { "duration": "1m", "rampTo": 20 } ],
          "mix": [ { "flow": "verify-identity", "consumer": "hospital", "weight": 1 } ]
        }
        """;

    [Theory]
    [InlineData("smoke")]
    [InlineData("province-day")]
    [InlineData("birth-wave")]
    [InlineData("spike")]
    [InlineData("outage")]
    [InlineData("province-day-replay")]
    [InlineData("province-day-flat")]
    public void Every_shipped_scenario_is_valid(string name)
    {
        var scenario = ScenarioFile.Load(name);

        Assert.Equal(name, scenario.Name);
        Assert.NotEmpty(scenario.Description);
        Assert.NotEmpty(scenario.Thresholds);
    }

    [Fact]
    public void A_minimal_file_gets_defaults_and_ramps_from_the_previous_rate()
    {
        var scenario = ScenarioFile.Parse(Minimal);

        Assert.Equal(TimeSpan.FromSeconds(70), scenario.Duration);
        Assert.Equal(new Stage(TimeSpan.FromMinutes(1), 5, 20), scenario.Stages[1]);
        Assert.Equal(new ProvinceRange(2026, 0, 5000), scenario.Province);
        Assert.Equal(FlowKind.VerifyIdentity, scenario.Mix[0].Flow);
        Assert.Equal(TimeSpan.FromSeconds(60), scenario.Drain);
        Assert.Equal("lgsp.load", scenario.Consumers["hospital"].Purpose);
    }

    [Fact]
    public void The_province_day_plays_a_year_of_Quang_Nam_at_its_average_rate()
    {
        var day = ScenarioFile.Load("province-day");

        // 265.66 million transactions a year: 727,836 a day.
        var arrivals = day.Stages.Sum(s => (s.From + s.To) / 2 * s.Duration.TotalSeconds);
        Assert.InRange(arrivals, 727_836 * 0.999, 727_836 * 1.001);
        Assert.Equal(TimeSpan.FromHours(24), day.Duration);
        Assert.Equal(TimeSpan.FromMinutes(10), day.Scaled(day.TimeScale, 1).Duration);
    }

    [Fact]
    public void Scaling_divides_durations_and_multiplies_rates()
    {
        var scaled = ScenarioFile.Parse(Minimal).Scaled(10, 3);

        Assert.Equal(new Stage(TimeSpan.FromSeconds(1), 15, 15), scaled.Stages[0]);
        Assert.Equal(new Stage(TimeSpan.FromSeconds(6), 15, 60), scaled.Stages[1]);
    }

    [Theory]
    [InlineData("""{ "name": "x", "stages": [], "mix": [] }""", "consumers", "stages", "mix")]
    [InlineData("""
        { "name": "x", "consumers": { "c": { "clientId": "a", "secret": "s" } },
          "stages": [ { "duration": "ten seconds", "rate": 5 }, { "duration": "5s", "rate": 1, "rampTo": 2 } ],
          "mix": [ { "flow": "fly", "consumer": "nobody", "weight": 0 } ] }
        """, "stages[0].duration", "stages[1]", "mix[0].flow", "mix[0].consumer", "mix[0].weight")]
    [InlineData("""
        { "name": "x", "consumers": { "c": { "clientId": "a", "secret": "s" } },
          "stages": [ { "duration": "5s", "rate": 5 } ], "mix": [ { "flow": "check-card", "consumer": "c", "weight": 1 } ],
          "events": [ { "at": "9s", "agency": "moon", "faults": { "outage": true } } ],
          "thresholds": [ { "metric": "p42", "max": 1 }, { "metric": "success-rate", "min": 120 }, { "metric": "dossiers-on-time", "min": 99 } ] }
        """, "events[0].at", "events[0].agency", "admin", "thresholds[0].metric", "thresholds[1]", "thresholds[2].metric")]
    public void Every_problem_is_named_with_where_it_is(string json, params string[] paths)
    {
        var error = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse(json, "test.json"));

        foreach (var path in paths)
            Assert.Contains(error.Problems, p => p.StartsWith(path + ":", StringComparison.Ordinal));
        Assert.Equal(paths.Length, error.Problems.Count);
    }

    [Fact]
    public void A_misspelt_field_is_refused_with_its_line()
    {
        var error = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse(
            Minimal.Replace("\"name\": \"minimal\",", "\"name\": \"minimal\",\n  \"stagse\": [],", StringComparison.Ordinal)));

        Assert.Contains("line 3", Assert.Single(error.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_scenario_name_lists_the_shipped_ones()
    {
        var error = Assert.Throws<ScenarioException>(() => ScenarioFile.Load("no-such-scenario"));

        Assert.Contains("smoke", Assert.Single(error.Problems), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("250ms", 0.25)]
    [InlineData("30s", 30)]
    [InlineData("2m", 120)]
    [InlineData("1h30m", 5400)]
    [InlineData("1.5s", 1.5)]
    public void Durations_read_as_written(string text, double seconds)
    {
        Assert.True(DurationText.TryParse(text, out var duration));
        Assert.Equal(seconds, duration.TotalSeconds, 6);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("s")]
    [InlineData("5 minutes")]
    [InlineData("-3s")]
    public void Durations_without_a_unit_are_refused(string text) => Assert.False(DurationText.TryParse(text, out _));

    [Theory]
    [InlineData("0..5000", 0, 5000)]
    [InlineData("1000..1500000", 1000, 1_500_000)]
    [InlineData("0..2000000", 0, 2_000_000)]
    public void Citizen_ranges_reach_a_full_province_and_its_twins(string text, int from, int to)
    {
        Assert.True(ProvinceRange.TryParseCitizens(text, out var parsedFrom, out var parsedTo));
        Assert.Equal((from, to), (parsedFrom, parsedTo));
    }

    [Theory]
    [InlineData("")]
    [InlineData("5000")]
    [InlineData("5000..100")]
    [InlineData("-1..100")]
    [InlineData("0..2000001")]
    [InlineData("0..1.5e6")]
    public void Citizen_ranges_outside_the_seed_are_refused(string text) => Assert.False(ProvinceRange.TryParseCitizens(text, out _, out _));
}
