using LgspHub.Contracts;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace LgspHub.EndToEnd.Tests;

/// <summary>The operators' page in a real headless browser: Debian's Chromium, driven by Playwright.</summary>
[Collection(HubTests.Name)]
public sealed class DashboardTests(HubFixture hub)
{
    [Fact]
    public async Task The_ops_page_shows_each_service_with_the_figures_of_the_json_in_either_language()
    {
        var parcel = hub.Citizens(Pool.ReadOnly).First(c => c.Parcels.Count > 0).Parcels[0];
        var before = await LandTotalAsync();
        for (var i = 0; i < 5; i++)
            (await hub.Gateway.GetAsync($"/api/land/parcels/{parcel.CommuneCode}/{parcel.MapSheet}/{parcel.ParcelNumber}")).EnsureSuccessStatusCode();
        // A transaction counts when its span ends, a moment after the client has its answer.
        var landTotal = await Eventually.Get(async () => await LandTotalAsync() is var total && total >= before + 5 ? (object)total : null,
            TimeSpan.FromSeconds(10), "the five reads in the figures") is int counted ? counted : 0;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1600 } });
        await SignInAsync(page, Operators.Development);

        Assert.Equal("LgspHub · Vận hành", await page.TextContentAsync("h1"));
        Assert.Equal(landTotal.ToString("N0", new System.Globalization.CultureInfo("vi-VN")), (await page.TextContentAsync("#services tr[data-name=land] td.total"))?.Trim());
        Assert.Equal(3, await page.Locator("#alerts .alert").CountAsync());
        Assert.True(await page.Locator("#broker tr").CountAsync() > 1, "the broker's queues are listed");

        await page.ClickAsync("#language");
        await page.WaitForFunctionAsync("document.querySelector('h1').textContent === 'LgspHub · Operations'");
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal("By service", await page.TextContentAsync("[data-i18n=byService]"));

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "ops-dashboard.png"), FullPage = true });
    }

    [Fact]
    public async Task A_failed_transaction_opens_its_trace_as_a_waterfall_across_gateway_and_agency()
    {
        var parcel = hub.Citizens(Pool.ReadOnly).Where(c => c.Parcels.Count > 0).Skip(1).First().Parcels[0];
        using var land = hub.Hosts["land"].AdminClient();
        (await land.PutAsJsonAsync("/admin/faults", new { errorRate = 1.0 })).EnsureSuccessStatusCode();
        HttpResponseMessage failed;
        try
        {
            failed = await hub.Gateway.GetAsync($"/api/land/parcels/{parcel.CommuneCode}/{parcel.MapSheet}/{parcel.ParcelNumber}");
        }
        finally
        {
            (await land.PutAsJsonAsync("/admin/faults", new { errorRate = 0.0 })).EnsureSuccessStatusCode();
        }
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        var transactionId = failed.Headers.GetValues("X-Lgsp-Transaction-Id").Single();
        var traceId = await Eventually.Get(async () =>
        {
            var failures = await hub.Gateway.GetFromJsonAsync<JsonElement[]>("/ops/api/failures");
            return failures!.Where(f => f.GetProperty("id").GetString() == transactionId).Select(f => f.GetProperty("traceId").GetString()).FirstOrDefault();
        }, TimeSpan.FromSeconds(15), "the failure among the recent ones");
        await Eventually.True(async () =>
        {
            var response = await hub.Gateway.GetAsync($"/ops/api/traces/{traceId}");
            return response.IsSuccessStatusCode
                && (await response.Content.ReadFromJsonAsync<JsonElement[]>())!.Any(s => s.GetProperty("service").GetString() == "LgspHub.Land");
        }, TimeSpan.FromSeconds(20), "the agency's spans to reach the hub's collector");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await SignInAsync(page, Operators.Development);
        await page.ClickAsync($"button[data-trace='{traceId}']");
        await page.WaitForSelectorAsync("#waterfall .hop[data-service='LgspHub.Land']");

        Assert.True(await page.Locator("#waterfall .hop[data-service='LgspHub.Gateway']").CountAsync() >= 1);
        Assert.True(await page.Locator("#waterfall .bar.error").CountAsync() >= 1, "the failing hop is marked");
    }

    [Fact]
    public async Task The_page_asks_for_client_credentials_and_keeps_the_token_for_the_tab_only()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(OpsPage);
        await page.WaitForSelectorAsync("#signin:not([hidden])");
        Assert.True(await page.Locator("main").IsHiddenAsync(), "no figures before signing in");

        await page.FillAsync("#client-id", Operators.Development.Id);
        await page.FillAsync("#client-secret", "not-the-secret");
        await page.ClickAsync("#signin button[type=submit]");
        await page.WaitForFunctionAsync("document.querySelector('#signin-error').textContent.length > 0");
        Assert.True(await page.Locator("main").IsHiddenAsync(), "a wrong secret shows no figures");

        await SignInAsync(page, Operators.Development);
        var stored = await page.EvaluateAsync<string>("JSON.stringify(Object.entries(sessionStorage))");
        Assert.DoesNotContain(Operators.Development.Secret, stored, StringComparison.Ordinal);
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("body[data-loaded=true]");
        Assert.True(await page.Locator("#signin").IsHiddenAsync(), "the token outlives a reload of the tab");

        await page.ClickAsync("#signout");
        await page.WaitForSelectorAsync("#signin:not([hidden])");
        Assert.Equal("[]", await page.EvaluateAsync<string>("JSON.stringify(Object.keys(sessionStorage))"));
    }

    [Fact]
    public async Task A_consumer_without_the_ops_right_is_sent_back_to_the_form()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(OpsPage);
        await page.WaitForSelectorAsync("#signin:not([hidden])");

        await page.FillAsync("#client-id", hub.AllAgencies.Id);
        await page.FillAsync("#client-secret", hub.AllAgencies.Secret);
        await page.ClickAsync("#signin button[type=submit]");

        // Vietnamese by default: "Hệ thống này không có quyền lgsp.ops."
        await page.WaitForFunctionAsync("document.querySelector('#signin-error').textContent.includes('lgsp.ops')");
        Assert.True(await page.Locator("main").IsHiddenAsync());
    }

    private string OpsPage => new Uri(hub.GatewayUrl, "/ops").ToString();

    /// <summary>As an operator does: the page's form, then the figures it loads with the token.</summary>
    private async Task SignInAsync(IPage page, TestConsumer consumer)
    {
        if (page.Url != OpsPage)
            await page.GotoAsync(OpsPage);
        await page.WaitForSelectorAsync("#signin:not([hidden])");
        await page.FillAsync("#client-id", consumer.Id);
        await page.FillAsync("#client-secret", consumer.Secret);
        await page.ClickAsync("#signin button[type=submit]");
        await page.WaitForSelectorAsync("body[data-loaded=true]");
    }

    private async Task<int> LandTotalAsync()
    {
        var summary = await hub.Gateway.GetFromJsonAsync<JsonElement>("/ops/api/summary?window=1h");
        return summary.GetProperty("services").EnumerateArray().Where(s => s.GetProperty("name").GetString() == "land")
            .Sum(s => s.GetProperty("counts").GetProperty("total").GetInt32());
    }

    internal static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });

    [Fact]
    public async Task The_broker_figures_list_every_agency_queue_with_its_error_queue_count()
    {
        // RabbitMQ's management API refreshes its figures every few seconds: wait for a consumer to show.
        var json = await Eventually.Get(async () =>
        {
            var figures = await hub.Gateway.GetFromJsonAsync<JsonElement>("/ops/api/broker");
            return figures.GetProperty("available").GetBoolean() && figures.GetProperty("queues").EnumerateArray().Any(q =>
                q.GetProperty("queue").GetString() == "health-insurance-child-personal-id-issued" && q.GetProperty("consumers").GetInt32() >= 1)
                ? figures.GetRawText()
                : null;
        }, TimeSpan.FromSeconds(30), "the broker's figures with the card queue's consumer");
        var queues = JsonDocument.Parse(json).RootElement.GetProperty("queues").EnumerateArray().ToList();
        Assert.Equal(HubAgencies.All.Order(), queues.Select(q => q.GetProperty("agency").GetString()!).Distinct().Order());
    }
}
