using System.Net;
using LgspHub.Contracts;

namespace LgspHub.EndToEnd.Tests;

[Collection(OutageHubTests.Name)]
public sealed class ReadinessTests(OutageHubFixture hub)
{
    [Fact]
    public async Task An_agency_without_its_broker_is_live_but_not_ready()
    {
        var nowhere = new Dictionary<string, string> { ["ConnectionStrings__rabbitmq"] = $"amqp://guest:guest@127.0.0.1:{HubFixture.FreePort()}/" };
        var broker = new Dictionary<string, string> { ["ConnectionStrings__rabbitmq"] = hub.AgencyBrokerUrl(HubAgencies.Population) };
        var agency = hub.Hosts[HubFixture.SecondPopulation];
        await agency.RestartAsync(nowhere, healthPath: "/health/live");
        try
        {
            using var client = new HttpClient { BaseAddress = agency.Url, Timeout = TimeSpan.FromSeconds(5) };
            await Eventually.True(async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable,
                TimeSpan.FromSeconds(30), "readiness to report the missing broker");
        }
        finally
        {
            await agency.RestartAsync(broker);
        }
    }

    /// <summary>No proxy in between: each instance the AppHost runs listens on a port of its own, where the gateway reaches it.</summary>
    [Fact]
    public async Task Every_running_host_reports_ready_on_a_port_of_its_own()
    {
        Assert.Equal(hub.Hosts.Count, hub.Hosts.Values.Select(h => h.Url.Port).Distinct().Count());
        using var client = new HttpClient();
        foreach (var host in hub.Hosts.Values)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri(host.Url, "/health/ready"))).StatusCode);
    }
}
