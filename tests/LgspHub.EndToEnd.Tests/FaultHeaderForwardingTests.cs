using System.Net;
using LgspHub.ServiceDefaults;

namespace LgspHub.EndToEnd.Tests;

/// <summary>The gateway passes X-Lgsp-Fault on for consumers with the fault-injection right only.</summary>
[Collection(HubTests.Name)]
public sealed class FaultHeaderForwardingTests(HubFixture hub)
{
    [Fact]
    public async Task An_anonymous_request_sending_the_fault_header_is_served_normally()
    {
        using var anonymous = new HttpClient { BaseAddress = hub.GatewayUrl, Timeout = TimeSpan.FromSeconds(30) };

        var response = await anonymous.SendAsync(WithFault("/api/land/openapi/v1.json", "error"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_consumer_without_the_right_sending_the_fault_header_is_served_normally()
    {
        // Every agency operation ("*"), which never covers the hub's own lgsp.inject-faults.
        using var allAgencies = await hub.AllAgencies.ClientAsync(hub.GatewayUrl);

        var read = await allAgencies.SendAsync(WithFault(ParcelPath(), "error"));
        var document = await allAgencies.SendAsync(WithFault("/api/land/openapi/v1.json", "error"));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
    }

    [Fact]
    public async Task A_consumer_with_the_right_still_gets_the_fault()
    {
        using var injector = await hub.FaultInjector.ClientAsync(hub.GatewayUrl);

        var failed = await injector.SendAsync(WithFault(ParcelPath(), "error"));
        var served = await injector.GetAsync(ParcelPath());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    private static HttpRequestMessage WithFault(string path, string fault)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(HubHeaders.Fault, fault);
        return request;
    }

    private string ParcelPath()
    {
        var parcel = hub.Citizens(Pool.ReadOnly).Where(c => c.Parcels.Count > 0).Skip(7).First().Parcels[0];
        return $"/api/land/parcels/{parcel.CommuneCode}/{parcel.MapSheet}/{parcel.ParcelNumber}";
    }
}
