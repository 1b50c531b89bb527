using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace LgspHub.EndToEnd.Tests;

[Collection(HubTests.Name)]
public sealed class OpsFiguresTests(HubFixture hub)
{
    [Fact]
    public async Task The_trace_derived_figures_equal_what_the_client_counted()
    {
        var parcel = hub.Citizens(Pool.ReadOnly).First(c => c.Parcels.Count > 0).Parcels[0];
        using var client = await hub.Counted.ClientAsync(hub.GatewayUrl);
        using var land = hub.Hosts["land"].AdminClient();
        (await land.PutAsJsonAsync("/admin/faults", new { errorRate = 0.3 })).EnsureSuccessStatusCode();
        var counted = new Dictionary<string, int> { ["succeeded"] = 0, ["rejected"] = 0, ["failed"] = 0 };
        try
        {
            for (var i = 0; i < 40; i++)
                Count(await client.GetAsync($"/api/land/parcels/{parcel.CommuneCode}/{parcel.MapSheet}/{parcel.ParcelNumber}"));
            for (var i = 0; i < 15; i++)
                Count(await client.GetAsync("/api/population/citizens/049099999999"));      // the agency's 404: it answered
            for (var i = 0; i < 15; i++)
                Count(await client.GetAsync($"/api/health-insurance/cards/{parcel.CommuneCode}049")); // no right: 403
            for (var i = 0; i < 10; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/population/citizens/049099999999");
                request.Headers.Add("X-Lgsp-Purpose", "");                                    // no purpose: 400 at the gateway
                Count(await client.SendAsync(request));
            }
        }
        finally
        {
            (await land.PutAsJsonAsync("/admin/faults", new { errorRate = 0.0 })).EnsureSuccessStatusCode();
        }
        Assert.True(counted["failed"] > 0, "the injected faults produced failures");

        var figures = await Eventually.Get(async () =>
        {
            var summary = await hub.Gateway.GetFromJsonAsync<JsonElement>("/ops/api/summary?window=1h");
            var mine = summary.GetProperty("consumers").EnumerateArray().SingleOrDefault(c => c.GetProperty("name").GetString() == hub.Counted.Id);
            return mine.ValueKind == JsonValueKind.Object && mine.GetProperty("counts").GetProperty("total").GetInt32() == 80 ? mine.GetRawText() : null;
        }, TimeSpan.FromSeconds(15), "all 80 transactions in the figures");

        var counts = JsonDocument.Parse(figures).RootElement.GetProperty("counts");
        Assert.Equal(counted["succeeded"], counts.GetProperty("succeeded").GetInt32());
        Assert.Equal(counted["rejected"], counts.GetProperty("rejected").GetInt32());
        Assert.Equal(counted["failed"], counts.GetProperty("failed").GetInt32());
        Assert.Equal((double)counted["succeeded"] / (counted["succeeded"] + counted["failed"]), counts.GetProperty("successRate").GetDouble(), 9);

        void Count(HttpResponseMessage response)
        {
            var status = (int)response.StatusCode;
            // The client's side of the brief's definitions: the agency's 404 is an answer; 403 and 400 are the hub's refusals.
            var outcome = status >= 500 ? "failed" : status is 403 or 400 ? "rejected" : "succeeded";
            counted[outcome]++;
        }
    }

    [Fact]
    public async Task Dossiers_and_event_deliveries_are_counted_from_the_agencies_spans()
    {
        var before = await SummaryAsync();

        await hub.WaitForStateAsync(await hub.SubmitAsync("birth", Dossiers.BirthRequest(hub.Mother(10), childName: "Lý Gia Hưng")), "Completed");

        var after = await Eventually.Get(async () =>
        {
            var summary = await SummaryAsync();
            return Completed(summary, "Birth") > Completed(before, "Birth") && Delivered(summary, "health-insurance-child-personal-id-issued") > Delivered(before, "health-insurance-child-personal-id-issued")
                ? summary.GetRawText()
                : null;
        }, TimeSpan.FromSeconds(20), "the dossier and its deliveries in the figures");
        var births = JsonDocument.Parse(after).RootElement.GetProperty("dossiers").EnumerateArray().Single(d => d.GetProperty("kind").GetString() == "Birth");
        Assert.InRange(births.GetProperty("onTimeShare").GetDouble(), 0.0, 1.0);
        Assert.True(births.GetProperty("completedOnTime").GetInt64() >= 1);
        Assert.InRange(births.GetProperty("completionSeconds").GetProperty("p50").GetDouble(), 0.001, Dossiers.Wait.TotalSeconds);

        static long Completed(JsonElement summary, string kind) =>
            summary.GetProperty("dossiers").EnumerateArray().Where(d => d.GetProperty("kind").GetString() == kind).Sum(d => d.GetProperty("completed").GetInt64());
        static long Delivered(JsonElement summary, string queue) =>
            summary.GetProperty("deliveries").EnumerateArray().Where(d => d.GetProperty("queue").GetString() == queue).Sum(d => d.GetProperty("succeeded").GetInt64());
    }

    [Fact]
    public async Task A_delivery_that_ends_in_the_error_queue_counts_as_failed_once_and_its_replay_as_succeeded()
    {
        const string queue = "health-insurance-child-personal-id-issued";
        var before = await hub.DeliveriesAsync(queue);
        using var admin = hub.Hosts["health-insurance"].AdminClient();
        (await admin.PutAsJsonAsync("/admin/faults", new { consumerFailureRate = 1.0 })).EnsureSuccessStatusCode();
        string statusUrl;
        try
        {
            statusUrl = await hub.SubmitAsync("birth", Dossiers.BirthRequest(hub.Mother(22), childName: "Trịnh Gia Huy"));
            await hub.WaitForStateAsync(statusUrl, "Failed");
        }
        finally
        {
            (await admin.PutAsJsonAsync("/admin/faults", new { consumerFailureRate = 0.0 })).EnsureSuccessStatusCode();
        }

        // The first delivery and each redelivery (HubFixture.RedeliverySchedule) came again; the last ended in the error
        // queue. At least: an earlier test's spans may still be on their way.
        var failed = await Eventually.Get(async () => await hub.DeliveriesAsync(queue) is { } now && now.Failed > before.Failed ? now : null,
            TimeSpan.FromSeconds(20), "the failed delivery in the figures");
        Assert.True(failed.Redelivered >= before.Redelivered + HubFixture.RedeliverySchedule.Length, $"{failed.Redelivered - before.Redelivered} redelivered");

        (await admin.PostAsync($"/admin/error-queues/{queue}/replay", null)).EnsureSuccessStatusCode();
        await hub.WaitForStateAsync(statusUrl, "Completed");
        var replayed = await Eventually.Get(async () => await hub.DeliveriesAsync(queue) is { } now && now.Succeeded > failed.Succeeded ? now : null,
            TimeSpan.FromSeconds(20), "the replayed delivery in the figures");
        Assert.Equal(failed.Failed, replayed.Failed);
    }

    [Fact]
    public async Task A_rejected_dossier_is_listed_with_a_trace_that_crosses_the_agencies()
    {
        var statusUrl = await hub.SubmitAsync("birth", Dossiers.BirthRequest(hub.Mother(11), motherId: "049199999998"));
        var dossierId = (await hub.WaitForStateAsync(statusUrl, "Rejected")).GetProperty("id").GetString();

        var incident = await Eventually.Get(async () =>
        {
            var incidents = await hub.Gateway.GetFromJsonAsync<JsonElement[]>("/ops/api/dossier-incidents");
            return incidents!.Where(i => i.GetProperty("dossierId").GetString() == dossierId).Select(i => i.GetRawText()).FirstOrDefault();
        }, TimeSpan.FromSeconds(20), "the rejected dossier among the incidents");
        var traceId = JsonDocument.Parse(incident).RootElement.GetProperty("traceId").GetString();

        var spans = await Eventually.Get(async () =>
        {
            var response = await hub.Gateway.GetAsync($"/ops/api/traces/{traceId}");
            var found = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement[]>() : null;
            return found is not null && found.Any(s => s.GetProperty("service").GetString() == "LgspHub.Population") ? found : null;
        }, TimeSpan.FromSeconds(20), "the trace with population's verdict");
        Assert.Contains(spans, s => s.GetProperty("service").GetString() == "LgspHub.CivilStatus");
        Assert.Contains(spans, s => s.GetProperty("service").GetString() == "LgspHub.Gateway");
    }

    private async Task<JsonElement> SummaryAsync() => await hub.Gateway.GetFromJsonAsync<JsonElement>("/ops/api/summary?window=1h");

    [Fact]
    public async Task Prometheus_reads_the_transactions_by_service_operation_consumer_and_outcome()
    {
        var citizen = hub.Citizens(Pool.ReadOnly).First();
        (await hub.Gateway.GetAsync($"/api/population/citizens/{citizen.PersonalId}")).EnsureSuccessStatusCode();

        var metrics = await Eventually.Get(async () =>
        {
            var text = await hub.Gateway.GetStringAsync("/metrics");
            return text.Contains("lgsp_transactions_total{", StringComparison.Ordinal) ? text : null;
        }, TimeSpan.FromSeconds(15), "the transaction counter on /metrics");

        var lines = metrics.Split('\n').Where(l => l.StartsWith("lgsp_transactions_total{", StringComparison.Ordinal)).ToList();
        Assert.Contains(lines, l => l.Contains("consumer=\"test.everything\"", StringComparison.Ordinal)
            && l.Contains("operation=\"population.read-citizen\"", StringComparison.Ordinal) && l.Contains("outcome=\"Succeeded\"", StringComparison.Ordinal));
        Assert.Contains("lgsp_transaction_duration_seconds_bucket{", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain(citizen.PersonalId.Value, metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/ops/api/summary?window=1h")]
    [InlineData("/ops/api/broker")]
    [InlineData("/ops/api/failures")]
    [InlineData("/ops/api/dossier-incidents")]
    [InlineData("/ops/api/traces/0af7651916cd43dd8448eb211c80319c")]
    public async Task Without_a_token_the_operators_figures_answer_401_with_a_problem(string path)
    {
        using var anonymous = new HttpClient { BaseAddress = hub.GatewayUrl };

        var response = await anonymous.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_consumer_without_the_ops_right_gets_a_403_however_many_agency_rights_it_has()
    {
        using var client = await hub.AllAgencies.ClientAsync(hub.GatewayUrl);

        var response = await client.GetAsync("/ops/api/summary?window=1h");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("lgsp.ops", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_development_operator_reads_the_figures_and_anyone_gets_the_page_that_signs_in()
    {
        using var client = await Operators.Development.ClientAsync(hub.GatewayUrl);
        using var anonymous = new HttpClient { BaseAddress = hub.GatewayUrl };

        var summary = await client.GetAsync("/ops/api/summary?window=1h");
        var page = await anonymous.GetAsync("/ops");

        Assert.Equal(HttpStatusCode.OK, summary.StatusCode);
        Assert.Equal(0.998, (await summary.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("slo").GetProperty("objective").GetDouble());
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("id=\"signin\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer not-a-collector-key")]
    public async Task The_collector_takes_no_telemetry_without_a_sender_s_key_even_from_this_machine(string? authorization)
    {
        foreach (var signal in new[] { "traces", "metrics", "logs" })
        {
            var response = await ExportAsync(signal, authorization);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        }
    }

    [Fact]
    public async Task The_collector_takes_an_export_with_an_agency_s_key()
    {
        var response = await ExportAsync("traces", $"Bearer {hub.CollectorKeys[HubFixture.ServiceName("land")]}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>An empty export, which OTLP allows: the collector's answer is about the credential alone.</summary>
    private async Task<HttpResponseMessage> ExportAsync(string signal, string? authorization)
    {
        using var local = new HttpClient { BaseAddress = hub.GatewayUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/{signal}") { Content = new ByteArrayContent([]) };
        request.Content.Headers.ContentType = new("application/x-protobuf");
        if (authorization is not null)
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return await local.SendAsync(request);
    }

    [Theory]
    [InlineData("1m")]
    [InlineData("25h")]
    [InlineData("abc")]
    [InlineData("-5m")]
    public async Task A_window_outside_5m_to_24h_is_a_400(string window)
    {
        var response = await hub.Gateway.GetAsync($"/ops/api/summary?window={window}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task The_summary_reports_the_objective_its_budget_and_every_burn_rate_alert()
    {
        var summary = await hub.Gateway.GetFromJsonAsync<JsonElement>("/ops/api/summary?window=5m");

        var slo = summary.GetProperty("slo");
        Assert.Equal(0.998, slo.GetProperty("objective").GetDouble());
        Assert.Equal(["fast-burn", "slow-burn", "steady-burn"], slo.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("name").GetString()!).ToArray());
    }
}
