using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Playwright;

namespace LgspHub.EndToEnd.Tests;

/// <summary>The agencies' OpenAPI documents send a client to the gateway with a token, and /docs shows them all.</summary>
[Collection(HubTests.Name)]
public sealed class ApiReferenceTests(HubFixture hub)
{
    private static readonly string[] Agencies = ["civil-status", "health-insurance", "land", "population"];

    [Fact]
    public async Task A_client_following_an_agencys_document_gets_its_token_and_answer_from_the_gateway()
    {
        using var anonymous = new HttpClient();
        var gateway = hub.GatewayUrl.ToString().TrimEnd('/');
        foreach (var agency in Agencies)
        {
            using var document = JsonDocument.Parse(await anonymous.GetStringAsync($"{gateway}/api/{agency}/openapi/v1.json"));
            Assert.Equal(gateway, document.RootElement.GetProperty("servers")[0].GetProperty("url").GetString());
            var flow = document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("lgsp").GetProperty("flows").GetProperty("clientCredentials");
            Assert.Equal($"{gateway}/connect/token", flow.GetProperty("tokenUrl").GetString());
            Assert.True(document.RootElement.GetProperty("security")[0].TryGetProperty("lgsp", out _), $"{agency}: every operation asks for the token");
            // The operators' endpoints are not the consumers' contract: they have a document of their own.
            Assert.DoesNotContain(document.RootElement.GetProperty("paths").EnumerateObject(), path => path.Name.StartsWith("/admin", StringComparison.Ordinal));
            using var operators = JsonDocument.Parse(await anonymous.GetStringAsync($"{gateway}/api/{agency}/openapi/admin.json"));
            Assert.Contains(operators.RootElement.GetProperty("paths").EnumerateObject(), path => path.Name == "/admin/faults");
        }

        using var land = JsonDocument.Parse(await anonymous.GetStringAsync($"{gateway}/api/land/openapi/v1.json"));
        var server = land.RootElement.GetProperty("servers")[0].GetProperty("url").GetString();
        var tokenUrl = land.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("lgsp").GetProperty("flows").GetProperty("clientCredentials").GetProperty("tokenUrl").GetString();
        var consumer = hub.AllAgencies;
        using var tokenResponse = await anonymous.PostAsync(tokenUrl, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = consumer.Id, ["client_secret"] = consumer.Secret,
        }));
        tokenResponse.EnsureSuccessStatusCode();
        var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();
        var parcel = hub.Citizens(Pool.ReadOnly).First(c => c.Parcels.Count > 0).Parcels[0];
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{server}/api/land/parcels/{parcel.CommuneCode}/{parcel.MapSheet}/{parcel.ParcelNumber}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("X-Lgsp-Purpose", "dev.api-reference");
        request.Headers.Add("X-Lgsp-Officer", "officer-001");
        using var answer = await anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
    }

    [Fact]
    public async Task The_reference_page_shows_the_combined_document_first_every_agencys_and_the_events_with_the_gateway_as_server()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await DashboardTests.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        var documents = new List<string>();
        page.Response += (_, response) =>
        {
            if (response.Url.Contains("/openapi/v1.json", StringComparison.Ordinal) || response.Url.Contains("/asyncapi/v1.json", StringComparison.Ordinal))
                documents.Add($"{response.Status} {new Uri(response.Url).AbsolutePath}");
        };

        await page.GotoAsync(new Uri(hub.GatewayUrl, "/docs/").ToString());
        // The first document, everything a consumer calls, as the page renders it: its title and the gateway as its server.
        await page.GetByText("everything a consumer calls").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        await page.GetByText(hub.GatewayUrl.ToString().TrimEnd('/')).First.WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });

        Assert.Equal("LgspHub API reference", await page.TitleAsync());
        Assert.Contains("200 /openapi/v1.json", documents);
        var sources = await page.EvaluateAsync<string>("document.body.innerHTML");
        foreach (var agency in Agencies)
            Assert.Contains($"api/{agency}/openapi/v1.json", sources, StringComparison.Ordinal);
        Assert.Contains("asyncapi/v1.json", sources, StringComparison.Ordinal);
    }
}
