using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LgspHub.AgencyDefaults;

namespace LgspHub.ServiceDefaults.Tests;

/// <summary>An agency answers its API to the gateway's credential only, and /admin to the operators' only.</summary>
public class AgencyAccessTests
{
    [Fact]
    public async Task An_api_request_without_the_gateway_s_credential_is_a_401_problem_and_reaches_nothing()
    {
        await using var agency = await TestAgency.StartAsync(allowFaultHeader: false);
        using var anyone = new HttpClient { BaseAddress = agency.Url };

        var refused = await anyone.GetAsync("/api/test/things/1");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(AgencyCredentials.GatewayScheme, refused.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains("gateway", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, agency.Served);
    }

    [Theory]
    [InlineData(AgencyCredentials.GatewayScheme, "a-guess")]
    [InlineData(AgencyCredentials.GatewayScheme, "")]
    [InlineData(AgencyCredentials.OperatorScheme, TestAgency.OperatorKey)]
    [InlineData("Bearer", TestAgency.GatewayKey)]
    public async Task A_wrong_key_or_another_credential_on_the_api_is_refused(string scheme, string key)
    {
        await using var agency = await TestAgency.StartAsync(allowFaultHeader: false);

        var refused = await SendAsync(agency, "/api/test/things/1", scheme, key);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(0, agency.Served);
    }

    [Fact]
    public async Task The_gateway_s_credential_is_served()
    {
        await using var agency = await TestAgency.StartAsync(allowFaultHeader: false);

        var served = await SendAsync(agency, "/api/test/things/1", AgencyCredentials.GatewayScheme, TestAgency.GatewayKey);

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(1, agency.Served);
    }

    [Fact]
    public async Task Admin_needs_the_operators_key_and_not_the_gateway_s()
    {
        await using var agency = await TestAgency.StartAsync(allowFaultHeader: false);
        using var anyone = new HttpClient { BaseAddress = agency.Url };

        var anonymous = await anyone.PutAsJsonAsync("/admin/faults", new { outage = true });
        var asGateway = await SendAsync(agency, "/admin/faults", AgencyCredentials.GatewayScheme, TestAgency.GatewayKey);
        var asOperator = await SendAsync(agency, "/admin/faults", AgencyCredentials.OperatorScheme, TestAgency.OperatorKey);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(AgencyCredentials.OperatorScheme, anonymous.Headers.WwwAuthenticate.Single().Scheme);
        Assert.False(agency.Faults.Current.Outage);
        Assert.Equal(HttpStatusCode.Unauthorized, asGateway.StatusCode);
        Assert.Equal(HttpStatusCode.OK, asOperator.StatusCode);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/metrics")]
    [InlineData("/api/test/openapi/v1.json")]
    public async Task Health_metrics_and_the_openapi_document_stay_open(string path)
    {
        await using var agency = await TestAgency.StartAsync(allowFaultHeader: false);
        using var anyone = new HttpClient { BaseAddress = agency.Url };

        Assert.Equal(HttpStatusCode.OK, (await anyone.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task A_refused_request_gets_no_injected_fault()
    {
        await using var agency = await TestAgency.StartAsync(allowFaultHeader: true);
        using var anyone = new HttpClient { BaseAddress = agency.Url };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/test/things/1");
        request.Headers.Add(HubHeaders.Fault, "delay=30s");

        var refused = await anyone.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Theory]
    [InlineData(nameof(AgencyAccessOptions.GatewayKey))]
    [InlineData(nameof(AgencyAccessOptions.OperatorKey))]
    public async Task An_agency_without_its_keys_refuses_to_start_and_says_which(string setting)
    {
        var key = $"{AgencyAccessOptions.Section}:{setting}";

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            TestAgency.StartAsync(allowFaultHeader: false, new Dictionary<string, string?> { [key] = "" }));

        Assert.Contains(key, refused.Message, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> SendAsync(TestAgency agency, string path, string scheme, string key)
    {
        using var client = new HttpClient { BaseAddress = agency.Url };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Authorization", $"{scheme} {key}");
        return await client.SendAsync(request);
    }
}
