using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using LgspHub.Contracts;
using LgspHub.Gateway.Access;
using LgspHub.ServiceDefaults;
using Microsoft.Extensions.Configuration;

namespace LgspHub.EndToEnd.Tests;

/// <summary>
/// Prometheus scraping the suite's hub over a scripted run with injected failures and latencies: what PromQL reads
/// must be what /ops and the client counted, and the dashboard's queries must return data from it.
/// </summary>
[Collection(HubTests.Name)]
public sealed partial class PrometheusScrapeTests(HubFixture hub, ScrapedRun run) : IClassFixture<ScrapedRun>
{
    private const string Operation = "land.read-parcel";

    [Fact]
    public async Task Promql_counts_each_outcome_exactly_as_ops_and_the_client_do()
    {
        var figures = await run.RunAsync(hub);

        var promql = (await figures.Prometheus.QueryAsync($"sum by (outcome) (lgsp_transactions_total{{service!=\"lgsp\",consumer=\"{hub.Scraped.Id}\"}})"))
            .ToDictionary(s => PrometheusServer.Label(s, "outcome").ToLowerInvariant(), s => (long)PrometheusServer.Value(s));
        var ops = figures.Ops.GetProperty("consumers").EnumerateArray().Single(c => c.GetProperty("name").GetString() == hub.Scraped.Id).GetProperty("counts");

        Assert.True(figures.Counted["failed"] > 0 && figures.Counted["rejected"] > 0, "the run has failures and refusals");
        foreach (var (outcome, count) in figures.Counted)
        {
            Assert.Equal(count, promql.GetValueOrDefault(outcome));
            Assert.Equal(count, ops.GetProperty(outcome).GetInt64());
        }
    }

    [Fact]
    public async Task Promql_s_p99_lies_within_one_bucket_of_the_ops_p99_and_the_buckets_resolve_1_ms_to_30_s()
    {
        var figures = await run.RunAsync(hub);
        var selector = $"lgsp_transaction_duration_seconds_bucket{{operation=\"{Operation}\"}}";

        var bounds = (await figures.Prometheus.QueryAsync($"count by (le) ({selector})"))
            .Select(s => PrometheusServer.Label(s, "le")).Where(le => le != "+Inf").Select(le => double.Parse(le, CultureInfo.InvariantCulture)).Order().ToArray();
        var promql = PrometheusServer.Value((await figures.Prometheus.QueryAsync($"histogram_quantile(0.99, sum by (le) ({selector}))")).Single());
        var ops = figures.Ops.GetProperty("operations").EnumerateArray().Single(o => o.GetProperty("name").GetString() == Operation)
            .GetProperty("latencyMs").GetProperty("p99").GetDouble() / 1000;

        Assert.True(bounds.First() <= 0.001 && bounds.Last() >= 30, $"bounds {string.Join(", ", bounds)} cover 1 ms to 30 s");
        Assert.All(bounds.Zip(bounds.Skip(1)), pair => Assert.True(pair.First > 0 && pair.Second <= 3 * pair.First,
            $"{pair.First} to {pair.Second} s: a bucket at most 3 times as wide as its lower bound"));
        // Bucket i holds (bounds[i-1], bounds[i]]: the two estimates of one percentile lie in the same bucket or in neighbours.
        var (promqlBucket, opsBucket) = (Array.FindIndex(bounds, b => promql <= b), Array.FindIndex(bounds, b => ops <= b));
        Assert.True(opsBucket > 0 && Math.Abs(promqlBucket - opsBucket) <= 1,
            $"PromQL's p99 {promql:0.####} s (bucket {promqlBucket}) against /ops's {ops:0.####} s (bucket {opsBucket}) with bounds {string.Join(", ", bounds)}");
    }

    [Fact]
    public async Task Every_query_of_the_grafana_dashboard_parses_and_returns_data()
    {
        var figures = await run.RunAsync(hub);
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(HubLayout.RepositoryRoot, "deploy", "grafana", "lgsp-dashboard.json")));
        var targets = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => (Panel: p.GetProperty("title").GetString()!, Expression: t.GetProperty("expr").GetString()!)))
            .ToList();

        Assert.NotEmpty(targets);
        foreach (var (panel, expression) in targets)
        {
            var query = GrafanaVariables(expression);
            Assert.DoesNotContain("$", query, StringComparison.Ordinal);
            // At the end of the run, as a dashboard open on it would ask; the recording rules may need an evaluation more.
            var samples = await Eventually.Get(async () =>
            {
                var result = await figures.Prometheus.QueryAsync(query, figures.EndedAt);
                return result.Any(s => double.IsFinite(PrometheusServer.Value(s))) ? result : null;
            }, TimeSpan.FromSeconds(20), $"a number from panel \"{panel}\": {query}");
            Assert.NotEmpty(samples);
        }
    }

    /// <summary>
    /// Grafana's variables as a provisioned dashboard gets them: $__rate_interval is at least four scrape intervals
    /// (the datasource's 15 s, deploy/grafana/provisioning), $__interval the step of a panel over the default 6 h.
    /// </summary>
    private static string GrafanaVariables(string expression) =>
        GrafanaVariable().Replace(expression, m => m.Groups[1].Value switch
        {
            "__rate_interval" => "1m",
            "__interval" => "15s",
            "__range" => "6h",
            _ => m.Value,
        });

    [GeneratedRegex(@"\$\{?(\w+)\}?")]
    private static partial Regex GrafanaVariable();
}

/// <summary>
/// One scripted run for the tests above, done once, with its own consumer: parcel reads with X-Lgsp-Fault delays spread over
/// 0 to 300 ms and one of 1.2 s, some failed with a 503, the agency's 404s (answers), and refusals (no right, no purpose).
/// </summary>
public sealed class ScrapedRun : IAsyncLifetime
{
    private readonly Lock _lock = new();
    private Task<Figures>? _run;

    public sealed record Figures(PrometheusServer Prometheus, IReadOnlyDictionary<string, long> Counted, JsonElement Ops, DateTimeOffset EndedAt);

    public Task<Figures> RunAsync(HubFixture hub)
    {
        lock (_lock)
            return _run ??= StartAndScriptAsync(hub);
    }

    private static async Task<Figures> StartAndScriptAsync(HubFixture hub)
    {
        var prometheus = await PrometheusServer.StartAsync(Targets(hub));
        try
        {
            return await ScriptAsync(hub, prometheus);
        }
        catch
        {
            await prometheus.DisposeAsync();
            throw;
        }
    }

    private static async Task<Figures> ScriptAsync(HubFixture hub, PrometheusServer prometheus)
    {
        await Eventually.True(async () => (await prometheus.QueryAsync("up{job=\"lgsp-gateway\"} == 1")).Length == 1,
            TimeSpan.FromSeconds(30), "Prometheus to scrape the gateway");

        var parcel = hub.Citizens(Pool.ReadOnly).First(c => c.Parcels.Count > 0).Parcels[0];
        var parcelPath = $"/api/land/parcels/{parcel.CommuneCode}/{parcel.MapSheet}/{parcel.ParcelNumber}";
        var requests = new List<Func<HttpRequestMessage>>();
        for (var i = 0; i < 200; i++)
        {
            var fault = i == 100 ? "delay=1200ms" : $"delay={i * 37 % 100 * 3}ms";
            if (i % 25 == 7)
                fault += ", error";
            requests.Add(() => Get(parcelPath, (HubHeaders.Fault, fault)));
        }
        for (var i = 0; i < 20; i++)
            requests.Add(() => Get("/api/population/citizens/049099999999"));                          // the agency's 404: an answer
        for (var i = 0; i < 10; i++)
            requests.Add(() => Get($"/api/health-insurance/cards/{parcel.CommuneCode}049"));           // no right: 403
        for (var i = 0; i < 10; i++)
            requests.Add(() => Get(parcelPath, (PersonalDataPurpose.PurposeHeader, "")));             // no purpose: 400

        var counted = new ConcurrentDictionary<string, long>(new Dictionary<string, long> { ["succeeded"] = 0, ["rejected"] = 0, ["failed"] = 0 });
        using var client = await hub.Scraped.ClientAsync(hub.GatewayUrl);
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (request, token) =>
        {
            using var message = request();
            using var response = await client.SendAsync(message, token);
            var status = (int)response.StatusCode;
            counted.AddOrUpdate(status >= 500 ? "failed" : status is 403 or 400 ? "rejected" : "succeeded", 1, (_, n) => n + 1);
        });
        var total = counted.Values.Sum();

        // Until Prometheus has scraped the whole run and /ops counts it all.
        await Eventually.True(async () =>
            (await prometheus.QueryAsync($"sum(lgsp_transactions_total{{service!=\"lgsp\",consumer=\"{hub.Scraped.Id}\"}})")).Select(PrometheusServer.Value).SingleOrDefault() == total,
            TimeSpan.FromSeconds(30), $"Prometheus to have all {total} transactions of the run");
        // rate() needs two samples: a series the run's last requests began (the refusals) has them a scrape or two later.
        await Eventually.True(async () =>
            (await prometheus.QueryAsync($"min(count_over_time(lgsp_transactions_total{{service!=\"lgsp\",consumer=\"{hub.Scraped.Id}\"}}[1m]))")).Select(PrometheusServer.Value).SingleOrDefault() >= 3,
            TimeSpan.FromSeconds(30), "three samples of every series of the run");
        var endedAt = DateTimeOffset.UtcNow;
        var operationTotal = PrometheusServer.Value((await prometheus.QueryAsync("sum(lgsp_transaction_duration_seconds_count{operation=\"land.read-parcel\"})")).Single());
        var ops = await Eventually.Get(async () =>
        {
            var summary = await hub.Gateway.GetFromJsonAsync<JsonElement>("/ops/api/summary?window=1h");
            var mine = summary.GetProperty("consumers").EnumerateArray().SingleOrDefault(c => c.GetProperty("name").GetString() == hub.Scraped.Id);
            var operation = summary.GetProperty("operations").EnumerateArray().SingleOrDefault(o => o.GetProperty("name").GetString() == "land.read-parcel");
            return mine.ValueKind == JsonValueKind.Object && mine.GetProperty("counts").GetProperty("total").GetInt64() == total
                && operation.GetProperty("counts").GetProperty("total").GetInt64() == (long)operationTotal
                ? summary.GetRawText()
                : null;
        }, TimeSpan.FromSeconds(15), $"/ops to have the run's {total} transactions and the {operationTotal} parcel reads Prometheus has");
        return new Figures(prometheus, counted, JsonDocument.Parse(ops).RootElement, endedAt);
    }

    private static HttpRequestMessage Get(string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    /// <summary>deploy/prometheus/prometheus.yml's targets, as ./lgsp up runs the hosts, by where the suite runs them.</summary>
    private static Dictionary<string, Uri> Targets(HubFixture hub)
    {
        var gateway = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(HubLayout.RepositoryRoot, "gateway", "LgspHub.Gateway", "appsettings.json")).Build();
        var targets = new Dictionary<string, Uri> { [new Uri(GatewayClients.DefaultGatewayUrl).Authority] = hub.GatewayUrl };
        foreach (var agency in HubAgencies.All)
            targets[new Uri(gateway[$"ReverseProxy:Clusters:{agency}:Destinations:primary:Address"]!).Authority] = hub.Hosts[agency].Url;
        return targets;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_run is { IsCompletedSuccessfully: true } run)
            await (await run).Prometheus.DisposeAsync();
    }
}
