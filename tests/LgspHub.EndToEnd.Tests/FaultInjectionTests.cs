using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace LgspHub.EndToEnd.Tests;

/// <summary>Fault injection through the gateway's /lgsp/faults/{agency} and the X-Lgsp-Fault header, on the running hub.</summary>
[Collection(HubTests.Name)]
public sealed class FaultInjectionTests(HubFixture hub)
{
    /// <summary>The gateway's active health checks probe every 5 s and need two failures (or one success) to change their mind.</summary>
    private static readonly TimeSpan HealthCheckTurn = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Faults_are_injected_and_cleared_through_the_gateway_by_consumers_with_the_right_only()
    {
        var parcel = ParcelPath(4);
        using var hospital = await hub.Hospital.ClientAsync(hub.GatewayUrl);
        using var allAgencies = await hub.AllAgencies.ClientAsync(hub.GatewayUrl);
        using var injector = await hub.FaultInjector.ClientAsync(hub.GatewayUrl);

        Assert.Equal(HttpStatusCode.Forbidden, (await hospital.GetAsync("/lgsp/faults/land")).StatusCode);
        var refused = await allAgencies.PutAsJsonAsync("/lgsp/faults/land", new { errorRate = 1.0 });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("This consumer has no right to call lgsp.inject-faults.", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, (await hub.Gateway.GetAsync(parcel)).StatusCode);

        try
        {
            var injected = await injector.PutAsJsonAsync("/lgsp/faults/land", new { errorRate = 1.0 });
            Assert.Equal(HttpStatusCode.OK, injected.StatusCode);
            Assert.Equal(1.0, (await injected.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errorRate").GetDouble());
            var failed = await hub.Gateway.GetAsync(parcel);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            Assert.StartsWith("Injected fault", (await failed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(1.0, (await injector.GetFromJsonAsync<JsonElement>("/lgsp/faults/land")).GetProperty("errorRate").GetDouble());

            var invalid = await injector.PutAsJsonAsync("/lgsp/faults/land", new { timeoutRate = 3, latency = new { distribution = "normal" } });
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
            var errors = (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
            Assert.Equal(["latency.distribution", "timeoutRate"], errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        }
        finally
        {
            Assert.Equal(HttpStatusCode.OK, (await injector.DeleteAsync("/lgsp/faults/land")).StatusCode);
        }
        Assert.Equal(0.0, (await injector.GetFromJsonAsync<JsonElement>("/lgsp/faults/land")).GetProperty("errorRate").GetDouble());
        Assert.Equal(HttpStatusCode.OK, (await hub.Gateway.GetAsync(parcel)).StatusCode);
    }

    [Fact]
    public async Task A_change_through_the_gateway_reaches_every_instance_of_the_agency()
    {
        using var injector = await hub.FaultInjector.ClientAsync(hub.GatewayUrl);
        var instances = new[] { hub.Hosts["population"], hub.Hosts[HubFixture.SecondPopulation] };
        // Harmless to the other tests: one request in ten thousand delayed by a millisecond.
        var harmless = new { latency = new { rate = 0.0001, distribution = "fixed", meanMs = 1 } };

        try
        {
            Assert.Equal(HttpStatusCode.OK, (await injector.PutAsJsonAsync("/lgsp/faults/population", harmless)).StatusCode);
            foreach (var instance in instances)
                Assert.Equal(0.0001, (await InstanceFaultsAsync(instance)).GetProperty("latency").GetProperty("rate").GetDouble());

            var invalid = await injector.PutAsJsonAsync("/lgsp/faults/population", new { errorRate = 2 });
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
            Assert.True((await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("errorRate", out _));
            foreach (var instance in instances)
                Assert.Equal(0.0, (await InstanceFaultsAsync(instance)).GetProperty("errorRate").GetDouble());
        }
        finally
        {
            Assert.Equal(HttpStatusCode.OK, (await injector.DeleteAsync("/lgsp/faults/population")).StatusCode);
        }
        foreach (var instance in instances)
            Assert.Equal(0.0, (await InstanceFaultsAsync(instance)).GetProperty("latency").GetProperty("rate").GetDouble());
    }

    private static async Task<JsonElement> InstanceFaultsAsync(HubProcess instance)
    {
        using var client = instance.AdminClient(TimeSpan.FromSeconds(10));
        return await client.GetFromJsonAsync<JsonElement>("/admin/faults");
    }

    [Fact]
    public async Task The_fault_header_fails_or_delays_one_request_and_leaves_the_next_alone()
    {
        var parcel = ParcelPath(5);

        var failed = await SendAsync(parcel, "error");
        var clock = Stopwatch.StartNew();
        var delayed = await SendAsync(parcel, "delay=400ms");
        var elapsed = clock.Elapsed;
        var malformed = await SendAsync(parcel, "delay=soon");
        var plain = await hub.Gateway.GetAsync(parcel);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, delayed.StatusCode);
        // Timers may fire a tick early against the stopwatch, so allow one tick.
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(385), $"the delayed read took {elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
    }

    [Fact]
    public async Task An_injected_timeout_hangs_past_the_gateway_s_agency_timeout_which_answers_504()
    {
        var clock = Stopwatch.StartNew();
        var response = await SendAsync("/api/civil-status/dossiers/statistics", "timeout");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.OK, (await hub.Gateway.GetAsync("/api/civil-status/dossiers/statistics")).StatusCode);
    }

    [Fact]
    public async Task An_agency_in_an_outage_answers_503_is_not_ready_and_is_brought_back_through_the_gateway()
    {
        var parcel = ParcelPath(6);
        using var injector = await hub.FaultInjector.ClientAsync(hub.GatewayUrl);
        using var land = hub.Hosts["land"].AdminClient();
        try
        {
            (await injector.PutAsJsonAsync("/lgsp/faults/land", new { outage = true })).EnsureSuccessStatusCode();

            var down = await hub.Gateway.GetAsync(parcel);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.StartsWith("Injected outage", (await down.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
            // Not ready, so the gateway's active health checks mark it unhealthy; alive, so nothing restarts it.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await land.GetAsync("/health/ready")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await land.GetAsync("/health/live")).StatusCode);
            // The faults route has its own cluster, without health checks: the way back stays open.
            Assert.True((await injector.GetFromJsonAsync<JsonElement>("/lgsp/faults/land")).GetProperty("outage").GetBoolean());
            (await injector.PutAsJsonAsync("/lgsp/faults/land", new { outage = false })).EnsureSuccessStatusCode();

            Assert.Equal(HttpStatusCode.OK, (await land.GetAsync("/health/ready")).StatusCode);
            await Eventually.True(async () => (await hub.Gateway.GetAsync(parcel)).StatusCode == HttpStatusCode.OK,
                HealthCheckTurn, "the gateway to route to land again");
        }
        finally
        {
            await injector.DeleteAsync("/lgsp/faults/land");
        }
    }

    [Fact]
    public async Task Events_published_during_an_outage_wait_in_the_queue_and_are_consumed_after_it()
    {
        using var injector = await hub.FaultInjector.ClientAsync(hub.GatewayUrl);
        try
        {
            (await injector.PutAsJsonAsync("/lgsp/faults/health-insurance", new { outage = true })).EnsureSuccessStatusCode();

            var statusUrl = await hub.SubmitAsync("birth", Dossiers.BirthRequest(hub.Mother(12), childName: "Phan Minh Triết"));
            // Population has issued the child's ID and published it; health insurance holds that event, unacknowledged.
            var waiting = await hub.WaitForAsync(statusUrl, d => d.Step("personal-id-and-residence").State() == "Completed",
                "the child's personal ID to be issued");
            Assert.Equal("Pending", waiting.Step("health-insurance-card").State());
            Assert.Equal("InProgress", waiting.GetProperty("state").GetString());

            (await injector.PutAsJsonAsync("/lgsp/faults/health-insurance", new { outage = false })).EnsureSuccessStatusCode();

            var completed = await hub.WaitForStateAsync(statusUrl, "Completed");
            Assert.StartsWith("Free card TE1", completed.Step("health-insurance-card").GetProperty("result").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            await injector.DeleteAsync("/lgsp/faults/health-insurance");
            // The outage may have cost health insurance its place in the gateway: wait until it has it back.
            await Eventually.True(async () => (await hub.Gateway.GetAsync("/api/health-insurance/openapi/v1.json")).IsSuccessStatusCode,
                HealthCheckTurn, "the gateway to route to health insurance again");
        }
    }

    /// <summary>A parcel read (personal data: the gateway's client declares purpose and officer), one per test.</summary>
    private string ParcelPath(int which)
    {
        var parcel = hub.Citizens(Pool.ReadOnly).Where(c => c.Parcels.Count > 0).Skip(which).First().Parcels[0];
        return $"/api/land/parcels/{parcel.CommuneCode}/{parcel.MapSheet}/{parcel.ParcelNumber}";
    }

    private Task<HttpResponseMessage> SendAsync(string path, string fault)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Lgsp-Fault", fault);
        return hub.Gateway.SendAsync(request);
    }
}
