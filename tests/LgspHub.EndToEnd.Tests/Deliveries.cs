using System.Net.Http.Json;
using System.Text.Json;

namespace LgspHub.EndToEnd.Tests;

/// <summary>One queue's event deliveries as /ops counts them over the last hour.</summary>
public sealed record Delivered(long Succeeded, long Failed, long Redelivered);

public static class Deliveries
{
    public static async Task<Delivered> DeliveriesAsync(this HubFixture hub, string queue)
    {
        var summary = await hub.Gateway.GetFromJsonAsync<JsonElement>("/ops/api/summary?window=1h");
        var rows = summary.GetProperty("deliveries").EnumerateArray().Where(d => d.GetProperty("queue").GetString() == queue).ToList();
        return new Delivered(rows.Sum(d => d.GetProperty("succeeded").GetInt64()), rows.Sum(d => d.GetProperty("failed").GetInt64()),
            rows.Sum(d => d.TryGetProperty("redelivered", out var redelivered) ? redelivered.GetInt64() : 0));
    }
}
