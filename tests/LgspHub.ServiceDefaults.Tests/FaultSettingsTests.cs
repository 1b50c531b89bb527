using System.Text.Json;
using LgspHub.Faults;

namespace LgspHub.ServiceDefaults.Tests;

public class FaultSettingsTests
{
    private static (FaultSettings? Merged, Dictionary<string, string[]> Errors) Merge(FaultSettings current, string json)
    {
        var errors = new FieldErrors();
        var merged = FaultSettingsUpdate.Merge(current, JsonDocument.Parse(json).RootElement, errors);
        var problem = errors.Problem().ProblemDetails.Errors;
        return (merged, new Dictionary<string, string[]>(problem));
    }

    [Fact]
    public void A_put_changes_the_fields_it_gives_and_keeps_the_others()
    {
        var current = FaultSettings.Off with { ConsumerFailureRate = 0.5, Latency = new LatencyFault(0.1, LatencyDistribution.Uniform, 10, 20, 0) };

        var (merged, errors) = Merge(current, """{ "errorRate": 0.25, "outage": true, "latency": { "maxMs": 400 }, "timeoutRate": null }""");

        Assert.Empty(errors);
        Assert.Equal(new FaultSettings(0.25, new LatencyFault(0.1, LatencyDistribution.Uniform, 10, 400, 0), 0, 0.5, true), merged);
    }

    [Fact]
    public void One_bad_request_names_every_bad_field()
    {
        var (merged, errors) = Merge(FaultSettings.Off, """
            { "errorRate": 1.5, "timeoutRate": "often", "consumerFailureRate": -0.1, "outage": "yes", "httpFailureRate": 0.3,
              "latency": { "rate": 2, "distribution": "gaussian", "minMs": -1, "meanMs": 60001, "jitter": 1 } }
            """);

        Assert.Null(merged);
        Assert.Equal(
            ["consumerFailureRate", "errorRate", "httpFailureRate", "latency.distribution", "latency.jitter", "latency.meanMs", "latency.minMs", "latency.rate", "outage", "timeoutRate"],
            errors.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("""{ "latency": { "distribution": "uniform", "minMs": 300, "maxMs": 100 } }""", "latency.maxMs")]
    [InlineData("""{ "latency": { "distribution": "exponential", "minMs": 50, "meanMs": 200 } }""", "latency.maxMs")]
    [InlineData("""{ "latency": { "distribution": "exponential", "minMs": 300, "meanMs": 200, "maxMs": 900 } }""", "latency.meanMs")]
    [InlineData("""[1, 2]""", "body")]
    [InlineData("""{ "latency": 250 }""", "latency")]
    public void Latency_must_make_sense_for_its_distribution(string json, string field)
    {
        var (merged, errors) = Merge(FaultSettings.Off, json);

        Assert.Null(merged);
        Assert.Contains(field, errors.Keys);
    }

    [Fact]
    public void The_settings_travel_as_camel_case_json_with_named_distributions()
    {
        var settings = FaultSettings.Off with { Latency = new LatencyFault(0.2, LatencyDistribution.Exponential, 20, 900, 150), Outage = true };

        var json = JsonSerializer.Serialize(settings, JsonSerializerOptions.Web);

        Assert.Equal("""{"errorRate":0,"latency":{"rate":0.2,"distribution":"exponential","minMs":20,"maxMs":900,"meanMs":150},"timeoutRate":0,"consumerFailureRate":0,"outage":true}""", json);
        Assert.Equal(settings, JsonSerializer.Deserialize<FaultSettings>(json, JsonSerializerOptions.Web));
    }

    [Fact]
    public void Each_distribution_stays_in_its_bounds_and_keeps_its_mean()
    {
        var random = new Random(6);
        var uniform = Enumerable.Range(0, 20_000).Select(_ => new LatencyFault(1, LatencyDistribution.Uniform, 100, 300, 0).Sample(random).TotalMilliseconds).ToList();
        var exponential = Enumerable.Range(0, 20_000).Select(_ => new LatencyFault(1, LatencyDistribution.Exponential, 20, 5_000, 120).Sample(random).TotalMilliseconds).ToList();

        Assert.Equal(250, new LatencyFault(1, LatencyDistribution.Fixed, 0, 0, 250).Sample(random).TotalMilliseconds);
        Assert.All(uniform, ms => Assert.InRange(ms, 100, 300));
        Assert.InRange(uniform.Average(), 195, 205);
        Assert.All(exponential, ms => Assert.InRange(ms, 20, 5_000));
        Assert.InRange(exponential.Average(), 115, 125);
        Assert.InRange(exponential.Count(ms => ms > 20 + 100 * 3) / 20_000.0, 0.03, 0.07); // P(X > 3 means) = e^-3, about 5 %
        // The cap holds the tail: with maxMs at the mean, about e^-1 (37 %) of the draws are cut to it.
        var capped = Enumerable.Range(0, 1_000).Select(_ => new LatencyFault(1, LatencyDistribution.Exponential, 0, 50, 50).Sample(random).TotalMilliseconds).ToList();
        Assert.All(capped, ms => Assert.InRange(ms, 0, 50));
        Assert.InRange(capped.Count(ms => ms == 50), 250, 500);
    }

    [Theory]
    [InlineData("error", true, false, null)]
    [InlineData("timeout", false, true, null)]
    [InlineData("delay=250ms", false, false, 250)]
    [InlineData("Delay=2s, ERROR", true, false, 2000)]
    [InlineData(" delay=0ms ,timeout ", false, true, 0)]
    public void The_fault_header_grammar(string header, bool error, bool timeout, int? delayMs)
    {
        var requested = FaultRequestHeader.Parse(header, out var problem);

        Assert.Null(problem);
        Assert.Equal(new RequestedFaults(error, timeout, delayMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null), requested);
    }

    [Theory]
    [InlineData("")]
    [InlineData("crash")]
    [InlineData("delay=250")]
    [InlineData("delay=-5ms")]
    [InlineData("delay=61s")]
    [InlineData("delay=1.5s")]
    [InlineData("error;timeout")]
    public void A_fault_header_outside_the_grammar_is_refused(string header)
    {
        Assert.Null(FaultRequestHeader.Parse(header, out var problem));
        Assert.Contains("error, timeout or delay=<n>ms", problem, StringComparison.Ordinal);
    }
}
