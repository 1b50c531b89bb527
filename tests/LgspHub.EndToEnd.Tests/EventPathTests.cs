using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace LgspHub.EndToEnd.Tests;

[Collection(HubTests.Name)]
public sealed class EventPathTests(HubFixture hub)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_name_correction_in_population_reaches_the_card_and_the_parcels_over_the_broker()
    {
        var citizen = hub.Citizens(Pool.Changes).Where(c => c.Card is not null && c.Parcels.Count > 0).Skip(1).First();
        var corrected = citizen.FullName + " Anh";

        var response = await hub.Gateway.PatchAsJsonAsync($"/api/population/citizens/{citizen.PersonalId}", new { fullName = corrected });
        response.EnsureSuccessStatusCode();

        await Eventually.True(async () =>
            (await hub.Gateway.GetFromJsonAsync<JsonElement>($"/api/health-insurance/cards/{citizen.PersonalId}"))
                .GetProperty("holderName").GetString() == corrected, Deadline, "the card holder's name to change");
        await Eventually.True(async () =>
            (await hub.Gateway.GetFromJsonAsync<JsonElement[]>($"/api/land/owners/{citizen.PersonalId}/parcels"))!
                .All(p => p.GetProperty("ownerName").GetString() == corrected), Deadline, "the parcel owner's name to change");
    }

    [Fact]
    public async Task One_trace_spans_gateway_population_broker_and_the_consuming_agencies()
    {
        var citizen = hub.Citizens(Pool.Changes).Where(c => c.Card is not null && c.Parcels.Count > 0).Skip(2).First();
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/population/citizens/{citizen.PersonalId}")
        {
            Content = JsonContent.Create(new { permanentAddress = new { communeCode = "20401", street = "12 Bạch Đằng" } }),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        (await hub.Gateway.SendAsync(request)).EnsureSuccessStatusCode();

        // Every hop the test looks at, whatever order the processes' batches arrive in.
        (string Service, int Kind)[] expected =
        [
            ("LgspHub.Gateway", ServerKind), ("LgspHub.Population", ServerKind), ("LgspHub.Population", ProducerKind),
            ("LgspHub.HealthInsurance", ConsumerKind), ("LgspHub.Land", ConsumerKind),
        ];
        var spans = await Eventually.Get(() =>
        {
            var inTrace = hub.Traces.Spans.Where(s => s.TraceId == traceId).ToList();
            var ids = inTrace.Select(s => s.SpanId).ToHashSet();
            // Parents end after their children, so they may come in a later batch: wait for them too.
            var complete = expected.All(e => inTrace.Any(s => s.Service == e.Service && s.Kind == e.Kind))
                && inTrace.Any(s => s is { Service: "LgspHub.Gateway", Name: "PATCH /api/population/citizens/{personalId}" })
                && inTrace.Where(s => s.Service == "LgspHub.Population" && s.Kind is ServerKind or ProducerKind).All(s => ids.Contains(s.ParentSpanId));
            return Task.FromResult(complete ? inTrace : null);
        }, Deadline, () => "spans of every hop to be exported; seen: " + string.Join(", ",
            hub.Traces.Spans.Where(s => s.TraceId == traceId).Select(s => $"{s.Service}/{s.Name}/{s.Kind}")));

        var ids = spans.Select(s => s.SpanId).ToHashSet();
        var gatewayServer = Assert.Single(spans, s => s is { Service: "LgspHub.Gateway", Kind: ServerKind, Name: "PATCH /api/population/citizens/{personalId}" });
        var populationServer = Assert.Single(spans, s => s is { Service: "LgspHub.Population", Kind: ServerKind });
        var publish = Assert.Single(spans, s => s is { Service: "LgspHub.Population", Kind: ProducerKind });
        Assert.Contains(spans, s => s is { Service: "LgspHub.HealthInsurance", Kind: ConsumerKind });
        Assert.Contains(spans, s => s is { Service: "LgspHub.Land", Kind: ConsumerKind });
        Assert.True(ids.Contains(populationServer.ParentSpanId), "the agency's server span has its parent in the gateway");
        Assert.True(ids.Contains(publish.ParentSpanId), "the publish span has its parent in the agency");
        Assert.NotEqual(gatewayServer.SpanId, populationServer.SpanId);
        Assert.DoesNotContain(spans, s => s.Attributes.Values.Any(v => v.Contains(citizen.PersonalId.Value, StringComparison.Ordinal)));
    }

    // OTLP SpanKind values.
    private const int ServerKind = 2;
    private const int ProducerKind = 4;
    private const int ConsumerKind = 5;
}
