using LgspHub.Contracts;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace LgspHub.EndToEnd.Tests;

[Collection(HubTests.Name)]
public sealed class RecordsTests(HubFixture hub)
{
    [Fact]
    public async Task A_request_refused_at_the_gateway_is_recorded_as_rejected_with_no_backend_status()
    {
        using var hospital = await hub.Hospital.ClientAsync(hub.GatewayUrl);

        var response = await hospital.GetAsync("/api/land/parcels/20305/1/1");
        var record = await RecordAsync(response);

        Assert.Equal(403, record.GetProperty("gatewayStatus").GetInt32());
        Assert.Equal(JsonValueKind.Null, record.GetProperty("backendStatus").ValueKind);
        Assert.Equal("Rejected", record.GetProperty("outcome").GetString());
        Assert.Equal("forbidden", record.GetProperty("faultCode").GetString());
        Assert.Equal("land.read-parcel", record.GetProperty("operation").GetString());
    }

    [Fact]
    public async Task Refusals_of_callers_who_never_signed_in_are_counted_but_not_stored_row_by_row()
    {
        using var anonymous = new HttpClient { BaseAddress = hub.GatewayUrl };
        var refusedBefore = await RefusedAnonymousReadsAsync();

        var refused = await anonymous.GetAsync("/api/land/parcels/20305/1/1");
        // Records are written in order: once a later one is stored, the refusal would have been.
        var later = await RecordAsync(await hub.Gateway.GetAsync("/api/civil-status/dossiers/statistics"));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.NotEqual(JsonValueKind.Undefined, later.ValueKind);
        var id = refused.Headers.GetValues("X-Lgsp-Transaction-Id").Single();
        var records = await hub.Gateway.GetFromJsonAsync<JsonElement[]>("/lgsp/transactions?limit=1000");
        Assert.DoesNotContain(records!, r => r.GetProperty("id").GetString() == id);
        await Eventually.True(async () => await RefusedAnonymousReadsAsync() > refusedBefore, TimeSpan.FromSeconds(15), "the refusal counted in lgsp_transactions_total");
    }

    /// <summary>The gateway's metric of land parcel reads refused to callers with no consumer.</summary>
    private async Task<double> RefusedAnonymousReadsAsync()
    {
        var metrics = await hub.Gateway.GetStringAsync("/metrics");
        return metrics.Split('\n')
            .Where(line => line.StartsWith("lgsp_transactions_total{", StringComparison.Ordinal)
                && line.Contains("operation=\"land.read-parcel\"", StringComparison.Ordinal) && line.Contains("outcome=\"Rejected\"", StringComparison.Ordinal)
                && !line.Contains("consumer=\"test.", StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_forwarded_request_is_recorded_with_both_statuses_durations_sizes_and_its_trace()
    {
        var parcel = hub.Citizens(Pool.ReadOnly).First(c => c.Parcels.Count > 0).Parcels[0];
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/land/parcels/{parcel.CommuneCode}/{parcel.MapSheet}/{parcel.ParcelNumber}");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        var record = await RecordAsync(await hub.Gateway.SendAsync(request));

        Assert.Equal(200, record.GetProperty("backendStatus").GetInt32());
        Assert.Equal(200, record.GetProperty("gatewayStatus").GetInt32());
        Assert.Equal("Succeeded", record.GetProperty("outcome").GetString());
        Assert.Equal(hub.Everything.Id, record.GetProperty("consumer").GetString());
        Assert.Equal("land", record.GetProperty("service").GetString());
        Assert.Equal(traceId, record.GetProperty("traceId").GetString());
        Assert.True(record.GetProperty("responseBytes").GetInt64() > 50);
        Assert.True(record.GetProperty("backendMilliseconds").GetDouble() <= record.GetProperty("gatewayMilliseconds").GetDouble());
    }

    [Fact]
    public async Task An_agency_answering_not_found_is_a_success_of_the_hub_with_its_status_kept()
    {
        var record = await RecordAsync(await hub.Gateway.GetAsync("/api/population/citizens/049099999999"));

        Assert.Equal(404, record.GetProperty("backendStatus").GetInt32());
        Assert.Equal("Succeeded", record.GetProperty("outcome").GetString());
        Assert.Equal("agency_404", record.GetProperty("faultCode").GetString());
    }

    [Fact]
    public async Task A_personal_data_read_is_audited_by_consumer_officer_and_purpose_and_found_by_the_subject()
    {
        var holder = hub.Citizens(Pool.ReadOnly).Where(c => c.Card is not null).Skip(3).First();
        using var hospital = await hub.Hospital.ClientAsync(hub.GatewayUrl);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/health-insurance/cards/{holder.PersonalId}");
        request.Headers.Add("X-Lgsp-Purpose", "kcb.check-in");
        request.Headers.Add("X-Lgsp-Officer", "nurse-042");
        var transactionId = (await hospital.SendAsync(request)).Headers.GetValues("X-Lgsp-Transaction-Id").Single();

        var entries = await Eventually.Get(async () =>
        {
            var found = await hub.Gateway.GetFromJsonAsync<JsonElement[]>($"/lgsp/audit?personalId={holder.PersonalId}");
            return found!.Any(e => e.GetProperty("transactionId").GetString() == transactionId) ? found : null;
        }, TimeSpan.FromSeconds(15), "the audit entry");

        var entry = entries.Single(e => e.GetProperty("transactionId").GetString() == transactionId);
        Assert.Equal(hub.Hospital.Id, entry.GetProperty("consumer").GetString());
        Assert.Equal("nurse-042", entry.GetProperty("officer").GetString());
        Assert.Equal("kcb.check-in", entry.GetProperty("purpose").GetString());
        Assert.Equal("health-insurance.check-card", entry.GetProperty("operation").GetString());
        Assert.DoesNotContain(holder.PersonalId.Value, JsonSerializer.Serialize(entries), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Records_and_the_audit_need_their_own_rights()
    {
        using var hospital = await hub.Hospital.ClientAsync(hub.GatewayUrl);

        Assert.Equal(HttpStatusCode.Forbidden, (await hospital.GetAsync("/lgsp/transactions")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await hospital.GetAsync("/lgsp/audit")).StatusCode);
    }

    [Fact]
    public async Task The_catalogue_lists_every_routed_operation_its_document_and_who_may_call_it()
    {
        var catalog = await hub.Gateway.GetFromJsonAsync<JsonElement[]>("/catalog");

        Assert.Equal(HubAgencies.All.Order(), catalog!.Select(s => s.GetProperty("service").GetString()!).Order());
        var insurance = catalog!.Single(s => s.GetProperty("service").GetString() == "health-insurance");
        Assert.Equal("/api/health-insurance/openapi/v1.json", insurance.GetProperty("openApi").GetString());
        var checkCard = insurance.GetProperty("operations").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "health-insurance.check-card");
        Assert.Contains(hub.Hospital.Id, checkCard.GetProperty("consumers").EnumerateArray().Select(c => c.GetString()));
        var land = catalog!.Single(s => s.GetProperty("service").GetString() == "land").GetProperty("operations").EnumerateArray();
        Assert.All(land, o => Assert.DoesNotContain(hub.Hospital.Id, o.GetProperty("consumers").EnumerateArray().Select(c => c.GetString())));
    }

    /// <summary>The record of a response, found by the transaction id the gateway returned with it.</summary>
    private async Task<JsonElement> RecordAsync(HttpResponseMessage response)
    {
        var id = response.Headers.GetValues("X-Lgsp-Transaction-Id").Single();
        return await Eventually.Get(async () =>
        {
            var records = await hub.Gateway.GetFromJsonAsync<JsonElement[]>("/lgsp/transactions?limit=1000");
            return records!.Where(r => r.GetProperty("id").GetString() == id).Select(r => (JsonElement?)r).FirstOrDefault() is { } found
                ? found.GetRawText()
                : null;
        }, TimeSpan.FromSeconds(15), $"the record of transaction {id}") is var json
            ? JsonDocument.Parse(json).RootElement
            : default;
    }
}
