using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LgspHub.AgencyDefaults;
using LgspHub.Contracts;
using LgspHub.Gateway.Access;
using LgspHub.ServiceDefaults;

namespace LgspHub.EndToEnd.Tests;

/// <summary>
/// Each agency's own port serves its API to the gateway's credential only and its /admin to the operators' only; the
/// same reads through the gateway are served, and health stays open to probes.
/// </summary>
[Collection(HubTests.Name)]
public sealed class AgencyCredentialTests(HubFixture hub)
{
    public static TheoryData<string> Instances => [.. HubAgencies.All, HubFixture.SecondPopulation];

    [Theory]
    [MemberData(nameof(Instances))]
    public async Task An_agency_s_port_answers_its_api_and_admin_with_401_to_a_caller_without_credentials(string instance)
    {
        var host = hub.Hosts[instance];
        using var anyone = new HttpClient { BaseAddress = host.Url, Timeout = TimeSpan.FromSeconds(10) };

        var api = await anyone.GetAsync(ApiPath(Agency(instance)));
        var faults = await anyone.GetAsync("/admin/faults");
        var outage = await anyone.PutAsJsonAsync("/admin/faults", new { outage = true });
        var replay = await anyone.PostAsync("/admin/error-queues/anything/replay", null);

        foreach (var refused in new[] { api, faults, outage, replay })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        Assert.False((await OperatorFaultsAsync(host)).GetProperty("outage").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Instances))]
    public async Task Health_and_the_openapi_document_stay_open_on_an_agency_s_port(string instance)
    {
        var host = hub.Hosts[instance];
        using var anyone = new HttpClient { BaseAddress = host.Url, Timeout = TimeSpan.FromSeconds(10) };

        Assert.Equal(HttpStatusCode.OK, (await anyone.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anyone.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anyone.GetAsync($"/api/{Agency(instance)}/openapi/v1.json")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Instances))]
    public async Task A_key_that_is_not_the_agency_s_own_is_refused(string instance)
    {
        var host = hub.Hosts[instance];
        var agency = Agency(instance);
        var otherAgency = HubAgencies.All.First(a => a != agency);
        var gatewayKeys = $"{AgencyCredentialOptions.Section}:{nameof(AgencyCredentialOptions.GatewayKeys)}";
        using var withAnotherAgencysKey = Client(host, AgencyCredentials.GatewayScheme, hub.Hosts["gateway"].DevelopmentSetting($"{gatewayKeys}:{otherAgency}"));
        using var withItsOwnKey = Client(host, AgencyCredentials.GatewayScheme, hub.Hosts["gateway"].DevelopmentSetting($"{gatewayKeys}:{agency}"));
        using var operatorOnTheApi = Client(host, AgencyCredentials.OperatorScheme, host.DevelopmentSetting($"{AgencyAccessOptions.Section}:{nameof(AgencyAccessOptions.OperatorKey)}"));

        Assert.Equal(HttpStatusCode.Unauthorized, (await withAnotherAgencysKey.GetAsync(ApiPath(agency))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await operatorOnTheApi.GetAsync(ApiPath(agency))).StatusCode);
        // The gateway's key for this agency is what the agency serves (a 404 for an unknown record is still an answer).
        Assert.NotEqual(HttpStatusCode.Unauthorized, (await withItsOwnKey.GetAsync(ApiPath(agency))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await withItsOwnKey.GetAsync("/admin/faults")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Instances))]
    public async Task The_same_read_through_the_gateway_is_served(string instance)
    {
        var response = await hub.Gateway.GetAsync(ApiPath(Agency(instance)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>A read each agency serves (a record of the default seed).</summary>
    private string ApiPath(string agency)
    {
        var citizen = hub.Citizens(Pool.ReadOnly).First(c => c.Card is not null && c.Parcels.Count > 0);
        var parcel = citizen.Parcels[0];
        return agency switch
        {
            "population" => $"/api/population/citizens/{citizen.PersonalId}",
            "civil-status" => "/api/civil-status/dossiers/statistics",
            "land" => $"/api/land/parcels/{parcel.CommuneCode}/{parcel.MapSheet}/{parcel.ParcelNumber}",
            "health-insurance" => $"/api/health-insurance/cards/{citizen.PersonalId}",
            _ => throw new ArgumentOutOfRangeException(nameof(agency), agency, "not an agency"),
        };
    }

    private static string Agency(string instance) => HubLayout.Repository.HostOf(instance).Name;

    private static HttpClient Client(HubProcess host, string scheme, string key) => new()
    {
        BaseAddress = host.Url,
        Timeout = TimeSpan.FromSeconds(10),
        DefaultRequestHeaders = { Authorization = AgencyCredentials.Header(scheme, key) },
    };

    private static async Task<JsonElement> OperatorFaultsAsync(HubProcess host)
    {
        using var admin = host.AdminClient(TimeSpan.FromSeconds(10));
        return await admin.GetFromJsonAsync<JsonElement>("/admin/faults");
    }
}
