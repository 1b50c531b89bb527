using LgspHub.Load.Running;
using LgspHub.Load.Scenarios;

namespace LgspHub.EndToEnd.Tests;

/// <summary>The suite's hub runs population twice; one instance dies under load and the consumers barely notice.</summary>
[Collection(OutageHubTests.Name)]
public sealed class ScaleOutTests(OutageHubFixture hub)
{
    [Fact]
    public async Task Killing_one_instance_of_an_agency_under_load_keeps_the_success_rate_at_the_objective()
    {
        var second = hub.Hosts[HubFixture.SecondPopulation];
        // 100 arrivals a second for 12 s, reads and identity checks on population; the second instance
        // is killed (SIGKILL, as a crash) 4 s in and stays dead to the end.
        var scenario = ScenarioFile.Parse($$"""
            {
              "name": "instance-killed",
              "province": { "seed": {{hub.Seed.Value}}, "citizens": "{{hub.LoadRange.From}}..{{hub.LoadRange.To}}" },
              "consumers": { "load": { "clientId": "{{hub.AllAgencies.Id}}", "secret": "{{hub.AllAgencies.Secret}}" } },
              "stages": [ { "duration": "12s", "rate": 100 } ],
              "mix": [
                { "flow": "read-citizen", "consumer": "load", "weight": 1 },
                { "flow": "verify-identity", "consumer": "load", "weight": 1 }
              ],
              "events": [ { "at": "4s", "command": "kill -KILL {{second.ProcessId}}" } ]
            }
            """);
        try
        {
            var result = await new LoadRunner(scenario, hub.GatewayUrl).RunAsync(null, CancellationToken.None);

            Assert.True(second.HasExited);
            Assert.All(result.Events, e => Assert.True(e.Applied, e.Problem));
            Assert.Equal(1_200, result.Overall.Answered);
            Assert.True(result.Overall.SuccessRate >= 99.8,
                $"success {result.Overall.SuccessRate:0.###} %, failures: {string.Join(", ", result.Overall.Faults.Select(f => $"{f.Key} {f.Value}"))}");
        }
        finally
        {
            await second.RestartAsync();
        }
    }
}
