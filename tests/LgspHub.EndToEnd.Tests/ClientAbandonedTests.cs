using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using LgspHub.ServiceDefaults;

namespace LgspHub.EndToEnd.Tests;

/// <summary>A request its client gives up on (nginx's 499) is an outcome of its own: not a refusal of the hub, nor a failure.</summary>
[Collection(HubTests.Name)]
public sealed class ClientAbandonedTests(HubFixture hub)
{
    [Fact]
    public async Task A_client_that_gives_up_on_a_slow_agency_is_counted_abandoned_in_the_records_the_figures_and_the_metrics()
    {
        var consumer = hub.FaultInjector;
        using var client = await consumer.ClientAsync(hub.GatewayUrl);
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        var before = await CountsAsync(consumer.Id);
        var metricBefore = await AbandonedMetricAsync(consumer.Id);

        using var request = new HttpRequestMessage(HttpMethod.Get, ParcelPath());
        request.Headers.Add(HubHeaders.Fault, "delay=5s");
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SendAsync(request, giveUp.Token));

        var record = await Eventually.Get(async () =>
        {
            var found = await hub.Gateway.GetFromJsonAsync<JsonElement[]>(
                $"/lgsp/transactions?consumer={consumer.Id}&outcome=Abandoned&from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}");
            return found!.Select(r => r.GetRawText()).FirstOrDefault();
        }, TimeSpan.FromSeconds(15), "the abandoned request in the records");
        var stored = JsonDocument.Parse(record).RootElement;
        Assert.Equal("land.read-parcel", stored.GetProperty("operation").GetString());
        Assert.Equal("client_closed", stored.GetProperty("faultCode").GetString());
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("backendStatus").ValueKind);

        var after = await Eventually.Get(async () => await CountsAsync(consumer.Id) is { } now && now.Abandoned > before.Abandoned ? now : null,
            TimeSpan.FromSeconds(15), "the abandoned request in the figures");
        Assert.Equal(before with { Abandoned = before.Abandoned + 1, Succeeded = after.Succeeded, SuccessRate = after.SuccessRate }, after);
        // Out of the success rate, as refusals are: succeeded over succeeded and failed.
        Assert.Equal(after.Succeeded + after.Failed == 0 ? null : (double)after.Succeeded / (after.Succeeded + after.Failed), after.SuccessRate);
        await Eventually.True(async () => await AbandonedMetricAsync(consumer.Id) == metricBefore + 1, TimeSpan.FromSeconds(15),
            "the abandoned request in lgsp_transactions_total");
    }

    private sealed record Counts(long Succeeded, long Rejected, long Failed, long Abandoned, double? SuccessRate);

    /// <summary>The consumer's counts in /ops/api/summary: zero before its first transaction of the window.</summary>
    private async Task<Counts> CountsAsync(string consumer)
    {
        var summary = await hub.Gateway.GetFromJsonAsync<JsonElement>("/ops/api/summary?window=1h");
        var row = summary.GetProperty("consumers").EnumerateArray().SingleOrDefault(c => c.GetProperty("name").GetString() == consumer);
        if (row.ValueKind != JsonValueKind.Object)
            return new Counts(0, 0, 0, 0, null);
        var counts = row.GetProperty("counts");
        long Count(string name) => counts.TryGetProperty(name, out var value) ? value.GetInt64() : 0;
        return new Counts(Count("succeeded"), Count("rejected"), Count("failed"), Count("abandoned"),
            counts.GetProperty("successRate") is { ValueKind: JsonValueKind.Number } rate ? rate.GetDouble() : null);
    }

    private async Task<double> AbandonedMetricAsync(string consumer)
    {
        var metrics = await hub.Gateway.GetStringAsync("/metrics");
        return metrics.Split('\n')
            .Where(line => line.StartsWith("lgsp_transactions_total{", StringComparison.Ordinal)
                && line.Contains($"consumer=\"{consumer}\"", StringComparison.Ordinal) && line.Contains("outcome=\"Abandoned\"", StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
    }

    private string ParcelPath()
    {
        var parcel = hub.Citizens(Pool.ReadOnly).Where(c => c.Parcels.Count > 0).Skip(9).First().Parcels[0];
        return $"/api/land/parcels/{parcel.CommuneCode}/{parcel.MapSheet}/{parcel.ParcelNumber}";
    }
}
