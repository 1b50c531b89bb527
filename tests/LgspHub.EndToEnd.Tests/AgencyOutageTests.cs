namespace LgspHub.EndToEnd.Tests;

/// <summary>An agency goes away mid-flow (killed, or cut off from its broker) and comes back: the dossier completes.</summary>
[Collection(OutageHubTests.Name)]
public sealed class AgencyOutageTests(OutageHubFixture hub)
{
    [Fact]
    public async Task An_agency_stopped_mid_flow_completes_the_dossier_when_it_comes_back()
    {
        await hub.Hosts["health-insurance"].KillAsync();
        try
        {
            var statusUrl = await hub.SubmitAsync("birth", Dossiers.BirthRequest(hub.Mother(1), childName: "Lê Ngọc Hân"));
            var waiting = await hub.WaitForAsync(statusUrl, d => d.Step("personal-id-and-residence").State() == "Completed", "population's step");
            Assert.Equal("Pending", waiting.Step("health-insurance-card").State());

            await hub.RestartAsync("health-insurance");
            await hub.WaitForStateAsync(statusUrl, "Completed");
        }
        finally
        {
            if (hub.Hosts["health-insurance"].HasExited)
                await hub.RestartAsync("health-insurance");
        }
    }

    [Fact]
    public async Task An_event_written_while_the_broker_is_unreachable_is_published_once_it_is_back()
    {
        var nowhere = new Dictionary<string, string> { ["ConnectionStrings__rabbitmq"] = $"amqp://guest:guest@127.0.0.1:{HubFixture.FreePort()}/" };
        var broker = new Dictionary<string, string> { ["ConnectionStrings__rabbitmq"] = hub.AgencyBrokerUrl("civil-status") };
        await hub.RestartAsync("civil-status", nowhere, healthPath: "/health/live");
        try
        {
            var statusUrl = await hub.SubmitAsync("birth", Dossiers.BirthRequest(hub.Mother(3), childName: "Võ Thanh Tâm"));
            var id = Guid.Parse(statusUrl.Split('/')[^1]).ToString().ToUpperInvariant();
            Assert.Equal(1L, await hub.CountAsync("civil-status", "SELECT COUNT(*) FROM Outbox WHERE SentAt IS NULL AND Body LIKE '%' || $id || '%' COLLATE NOCASE", id));

            await hub.RestartAsync("civil-status", broker);
            await hub.WaitForStateAsync(statusUrl, "Completed");
        }
        finally
        {
            await hub.RestartAsync("civil-status", broker);
        }
    }
}
