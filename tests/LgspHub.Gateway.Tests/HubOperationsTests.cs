using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LgspHub.Gateway.Access;
using LgspHub.Gateway.Operations;
using LgspHub.Gateway.Requests;
using Microsoft.Extensions.DependencyInjection;

namespace LgspHub.Gateway.Tests;

/// <summary>The hub's own operations (tokens, catalogue, OpenAPI documents, /ops) in the figures and metrics, against the gateway in process.</summary>
[Collection(Alone.Name)]
public sealed class HubOperationsTests
{
    private const string Consumer = "test.hub-operations";
    private const string Secret = "hub-operations-test-secret";
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task The_hub_s_own_operations_are_counted_by_name_apart_from_the_agencies_transactions()
    {
        using var host = new GatewayHost(GatewayHost.Consumer(Consumer, Secret).ToDictionary());
        using var metrics = new TransactionMetrics(host.Services);
        using var client = host.CreateClient();

        var token = await TokenAsync(client);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (await client.GetAsync("/catalog")).EnsureSuccessStatusCode();
        await client.GetAsync("/api/land/openapi/v1.json");   // no agency runs here: whatever the answer, it is counted
        // OpenIddict answers these before routing's endpoint would run: they are named all the same.
        (await client.GetAsync(TokenEndpoint.DiscoveryPath)).EnsureSuccessStatusCode();
        (await client.GetAsync(TokenEndpoint.KeysPath)).EnsureSuccessStatusCode();

        var statistics = host.Services.GetRequiredService<TransactionStatistics>();
        var hub = await UntilAsync(() => statistics.By(Window, k => k.Operation, hub: true) is { Count: 5 } found ? found : null, "the five operations in the figures");
        Assert.Equal(["lgsp.issue-token", "lgsp.read-catalogue", "lgsp.read-discovery", "lgsp.read-openapi", "lgsp.read-signing-keys"],
            hub.Select(b => b.Name).Order(StringComparer.Ordinal).ToArray());
        Assert.All(hub.Where(b => b.Name != "lgsp.read-openapi"), b => Assert.Equal(1, b.Counts.Succeeded));
        // Not agencies' transactions: the overall figures, the services and the consumers are theirs alone.
        Assert.Equal(0, statistics.Overall(Window).Counts.Total);
        Assert.Empty(statistics.By(Window, k => k.Service));
        Assert.Empty(statistics.Minutes(Window));
        Assert.Contains((Operation.HubService, "lgsp.issue-token", "Succeeded"), metrics.Seen);
        Assert.Contains((Operation.HubService, "lgsp.read-catalogue", "Succeeded"), metrics.Seen);
        Assert.Contains(metrics.Seen, m => m is { Service: Operation.HubService, Operation: "lgsp.read-openapi" });
        Assert.DoesNotContain(metrics.Seen, m => m.Service == Operation.Unrouted);
    }

    private static async Task<string> TokenAsync(HttpClient client)
    {
        using var response = await client.PostAsync(TokenEndpoint.Path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = Consumer, ["client_secret"] = Secret,
        }));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    /// <summary>The figures are fed as each request's span ends, just after its answer: wait for them, within a deadline.</summary>
    private static async Task<T> UntilAsync<T>(Func<T?> probe, string what) where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } found)
                return found;
            await Task.Delay(20);
        }
        throw new TimeoutException($"Timed out waiting for {what}.");
    }

    /// <summary>The service, operation and outcome of each lgsp.transactions measurement of one gateway host.</summary>
    private sealed class TransactionMetrics : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Service, string Operation, string Outcome)> _seen = new();

        public TransactionMetrics(IServiceProvider services)
        {
            var factory = services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (published, listener) =>
            {
                if (published.Meter.Scope == factory && published.Name == "lgsp.transactions")
                    listener.EnableMeasurementEvents(published);
            };
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                string service = "", operation = "", outcome = "";
                foreach (var tag in tags)
                {
                    switch (tag.Key)
                    {
                        case "service": service = tag.Value as string ?? ""; break;
                        case "operation": operation = tag.Value as string ?? ""; break;
                        case "outcome": outcome = tag.Value as string ?? ""; break;
                    }
                }
                _seen.Enqueue((service, operation, outcome));
            });
            _listener.Start();
        }

        public IReadOnlyCollection<(string Service, string Operation, string Outcome)> Seen => _seen.ToArray();

        public void Dispose() => _listener.Dispose();
    }
}

/// <summary>
/// Tests that read a host's span-derived figures run alone: every gateway host in the process traces the ASP.NET
/// Core activities of all of them, so another test's requests would show in this one's figures.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Alone
{
    public const string Name = "alone";
}
