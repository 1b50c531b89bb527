using System.Text.Json;
using LgspHub.Load.Running;
using LgspHub.Load.Scenarios;

namespace LgspHub.Load.Tests;

[Collection(TimedRuns.Name)]
public class LoadRunnerTests
{
    private static Scenario Scenario(string stages, string extra = "") => ScenarioFile.Parse($$"""
        {
          "name": "test",
          "consumers": { "hospital": { "clientId": "hospital.x", "secret": "s" }, "admin": { "clientId": "lgsp.load", "secret": "s" } },
          "admin": "admin",
          "stages": {{stages}},
          "mix": [ { "flow": "verify-identity", "consumer": "hospital", "weight": 1 } ],
          "drain": "5s"
          {{extra}}
        }
        """);

    [Fact]
    public async Task A_slow_hub_is_offered_the_same_rate_and_the_wait_counts_as_latency()
    {
        await using var gateway = await FakeGateway.StartAsync();
        gateway.Behaviour = _ => (200, TimeSpan.FromSeconds(1));

        var result = await new LoadRunner(Scenario("""[ { "duration": "2s", "rate": 50 } ]"""), gateway.Url).RunAsync(null, CancellationToken.None);

        // Every answer takes a second, yet all 100 arrivals were sent within the 2 s they were due in;
        // a closed model (wait for the answer, then send) would have sent a handful.
        var calls = gateway.Calls.Select(c => c.At).Order().ToList();
        Assert.Equal(100, calls.Count);
        Assert.InRange((calls[^1] - calls[0]).TotalSeconds, 1.8, 2.6);
        Assert.Equal(100, result.Offered);
        Assert.Equal(100, result.Overall.Succeeded);
        Assert.InRange(result.Overall.P50Ms!.Value, 1000, 3000);
    }

    [Fact]
    public async Task Beyond_the_in_flight_limit_arrivals_are_dropped_and_counted()
    {
        await using var gateway = await FakeGateway.StartAsync();
        gateway.Behaviour = _ => (200, TimeSpan.FromSeconds(3));

        var result = await new LoadRunner(Scenario("""[ { "duration": "1s", "rate": 40 } ]""", ""","maxInFlight": 10"""), gateway.Url)
            .RunAsync(null, CancellationToken.None);

        Assert.Equal(40, result.Offered);
        Assert.Equal(30, result.Dropped);
        Assert.Equal(10, result.Overall.Answered);
    }

    [Fact]
    public async Task Failures_below_a_threshold_fail_the_run()
    {
        await using var gateway = await FakeGateway.StartAsync();
        gateway.Behaviour = n => (n % 5 == 0 ? 503 : 200, TimeSpan.Zero);   // 80 % succeed

        var result = await new LoadRunner(Scenario("""[ { "duration": "1s", "rate": 50 } ]""",
            ""","thresholds": [ { "metric": "success-rate", "min": 99.8 }, { "metric": "p99", "max": 5000 } ]"""), gateway.Url)
            .RunAsync(null, CancellationToken.None);

        Assert.False(result.Passed);
        Assert.Equal(80, result.Overall.SuccessRate!.Value, 6);
        Assert.False(result.Thresholds[0].Passed);
        Assert.True(result.Thresholds[1].Passed);
        Assert.Equal(10, result.Operations.Single().Faults["agency_503"]);
    }

    [Fact]
    public async Task Fault_events_reach_the_hub_on_time_and_are_cleared_at_the_end()
    {
        await using var gateway = await FakeGateway.StartAsync();

        var result = await new LoadRunner(Scenario("""[ { "duration": "2s", "rate": 10 } ]""",
            ""","events": [ { "at": "1s", "agency": "land", "faults": { "errorRate": 0.5 } } ]"""), gateway.Url)
            .RunAsync(null, CancellationToken.None);

        var admin = gateway.Calls.Where(c => c.Path == "/lgsp/faults/land").ToList();
        Assert.Equal(["PUT", "DELETE"], admin.Select(c => c.Method));
        Assert.Equal(2, result.Events.Count);
        Assert.All(result.Events, e => Assert.True(e.Applied));
        Assert.InRange(result.Events[0].AtSeconds, 1, 1.5);
    }

    [Fact]
    public async Task An_unreachable_hub_stops_the_run_before_it_starts()
    {
        var error = await Assert.ThrowsAsync<LoadException>(() =>
            new LoadRunner(Scenario("""[ { "duration": "1s", "rate": 1 } ]"""), new Uri("http://127.0.0.1:9")).RunAsync(null, CancellationToken.None));

        Assert.Contains("does not answer", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(200, 0)]
    [InlineData(503, 1)]
    public async Task The_command_line_writes_its_reports_and_exits_by_the_thresholds(int status, int exitCode)
    {
        await using var gateway = await FakeGateway.StartAsync();
        gateway.Behaviour = _ => (status, TimeSpan.Zero);
        var folder = Directory.CreateTempSubdirectory("lgsp-load-test-").FullName;
        var file = Path.Combine(folder, "scenario.json");
        await File.WriteAllTextAsync(file, """
            {
              "name": "cli",
              "consumers": { "hospital": { "clientId": "hospital.x", "secret": "s" } },
              "stages": [ { "duration": "1s", "rate": 20 } ],
              "mix": [ { "flow": "check-card", "consumer": "hospital", "weight": 1 }, { "flow": "read-parcel", "consumer": "hospital", "weight": 1 } ],
              "thresholds": [ { "metric": "success-rate", "min": 99.8 } ]
            }
            """);

        var (code, output) = await ToolProcess.RunAsync("run", file, "--gateway", gateway.Url.ToString(), "--out", Path.Combine(folder, "out"));

        Assert.True(code == exitCode, output);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "out", "result.json")));
        Assert.Equal(20, json.RootElement.GetProperty("offered").GetInt64());
        Assert.Equal(exitCode == 0, json.RootElement.GetProperty("passed").GetBoolean());
        Assert.Equal(2, json.RootElement.GetProperty("operations").GetArrayLength());
        Assert.True(json.RootElement.GetProperty("timeline").GetArrayLength() >= 1);
        var html = await File.ReadAllTextAsync(Path.Combine(folder, "out", "report.html"));
        Assert.StartsWith("<!doctype html>", html, StringComparison.Ordinal);
        Assert.Contains("<polyline", html, StringComparison.Ordinal);
        Assert.Contains("health-insurance.check-card", html, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", html, StringComparison.Ordinal);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task The_command_line_refuses_a_bad_scenario_with_exit_code_2()
    {
        var (code, output) = await ToolProcess.RunAsync("validate", "no-such-scenario");

        Assert.Equal(2, code);
        Assert.Contains("shipped", output, StringComparison.Ordinal);
    }
}
