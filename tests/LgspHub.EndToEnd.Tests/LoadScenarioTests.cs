using System.Net.Http.Json;
using System.Text.Json;
using LgspHub.Load.Running;
using LgspHub.Load.Scenarios;

namespace LgspHub.EndToEnd.Tests;

/// <summary>The load generator against the real hub: the shipped smoke scenario, and its counts next to the dashboard's.</summary>
[Collection(HubTests.Name)]
public sealed class LoadScenarioTests(HubFixture hub)
{
    [Fact]
    public async Task The_smoke_scenario_passes_against_the_hub_and_writes_its_reports()
    {
        // The shipped file as it is (its consumers are the gateway's registered ones), on this suite's own citizens.
        var scenario = ScenarioFile.Load("smoke") with { Province = hub.LoadRange };

        var result = await new LoadRunner(scenario, hub.GatewayUrl).RunAsync(null, CancellationToken.None);

        Assert.True(result.Passed, string.Join("; ", result.Thresholds.Select(t => $"{t.Threshold}: {t.Actual}")));
        Assert.Equal(ArrivalSchedule.Count(scenario.Stages), result.Offered);
        Assert.Equal(11, result.Operations.Count(o => o.Succeeded > 0) - 1);   // every operation of the mix, plus dossier reads
        Assert.All(result.Dossiers, d => Assert.Equal(d.Owed, d.Completed));
        var folder = Directory.CreateTempSubdirectory("lgsp-smoke-").FullName;
        await result.WriteAsync(folder);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "result.json")));
        Assert.True(json.RootElement.GetProperty("passed").GetBoolean());
        Assert.Contains("<svg", await File.ReadAllTextAsync(Path.Combine(folder, "report.html")), StringComparison.Ordinal);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task An_injected_error_rate_is_measured_alike_by_the_load_report_and_the_dashboard()
    {
        // 0.2 % of land's answers fail while 3,000 parcel reads are offered (300/s for 10 s).
        var scenario = ScenarioFile.Parse($$"""
            {
              "name": "error-rate",
              "province": { "seed": {{hub.Seed.Value}}, "citizens": "{{hub.LoadRange.From}}..{{hub.LoadRange.To}}" },
              "consumers": {
                "load": { "clientId": "{{hub.Load.Id}}", "secret": "{{hub.Load.Secret}}" },
                "admin": { "clientId": "{{hub.FaultInjector.Id}}", "secret": "{{hub.FaultInjector.Secret}}" }
              },
              "admin": "admin",
              "stages": [ { "duration": "10s", "rate": 300 } ],
              "mix": [ { "flow": "read-parcel", "consumer": "load", "weight": 1 } ],
              "events": [ { "at": "0s", "agency": "land", "faults": { "errorRate": 0.002 } } ]
            }
            """);

        var result = await new LoadRunner(scenario, hub.GatewayUrl).RunAsync(null, CancellationToken.None);

        var measured = result.Operations.Single(o => o.Operation == "land.read-parcel");
        Assert.True(measured.Succeeded + measured.Failed == 3_000,
            $"{measured.Succeeded} succeeded, {measured.Failed} failed, {measured.Rejected} rejected, {result.Dropped} dropped of {result.Offered} offered");
        // Binomial: 6 failures expected, standard deviation 2.4; four deviations either side.
        Assert.InRange(measured.Failed, 0, 16);
        Assert.All(result.Events, e => Assert.True(e.Applied, e.Problem));

        // The dashboard, derived from the gateway's spans, counted the same transactions the same way.
        var figures = await Eventually.Get(async () =>
        {
            var summary = await hub.Gateway.GetFromJsonAsync<JsonElement>("/ops/api/summary?window=1h");
            var load = summary.GetProperty("consumers").EnumerateArray().SingleOrDefault(c => c.GetProperty("name").GetString() == hub.Load.Id);
            return load.ValueKind == JsonValueKind.Object && load.GetProperty("counts").GetProperty("total").GetInt64() >= measured.Answered
                ? load.GetProperty("counts").GetRawText()
                : null;
        }, TimeSpan.FromSeconds(20), "the load's transactions in the figures");
        var counts = JsonDocument.Parse(figures).RootElement;
        Assert.Equal(measured.Succeeded, counts.GetProperty("succeeded").GetInt64());
        Assert.Equal(measured.Failed, counts.GetProperty("failed").GetInt64());
        Assert.Equal(measured.SuccessRate!.Value / 100, counts.GetProperty("successRate").GetDouble(), 9);
    }
}
