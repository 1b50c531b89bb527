using System.Net;
using LgspHub.Contracts;

namespace LgspHub.EndToEnd.Tests;

[Collection(HubTests.Name)]
public sealed class ReadinessTests(HubFixture hub)
{
    [Fact]
    public async Task An_agency_without_its_broker_is_live_but_not_ready()
    {
        var nowhere = $"amqp://guest:guest@127.0.0.1:{HubFixture.FreePort()}/";
        await using var agency = HubProcess.Start("population-without-broker", HubLayout.Repository.Host(HubAgencies.Population),
            new Uri($"http://127.0.0.1:{HubFixture.FreePort()}"), hub.AgencyEnvironment("population-isolated", nowhere));
        using var client = new HttpClient { BaseAddress = agency.Url, Timeout = TimeSpan.FromSeconds(5) };

        await Eventually.True(async () => (await client.GetAsync("/health/live")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(60), "the agency to be live\n" + agency.RecentOutput);
        await Eventually.True(async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(30), "readiness to report the missing broker");
    }

    [Fact]
    public async Task Every_running_host_reports_ready()
    {
        using var client = new HttpClient();
        foreach (var host in hub.Hosts.Values)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri(host.Url, "/health/ready"))).StatusCode);
    }
}
