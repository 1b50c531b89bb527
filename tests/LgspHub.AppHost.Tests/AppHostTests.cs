using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LgspHub.AppHost.Tests;

/// <summary>
/// The hub as its one definition starts it (apphost/LgspHub.AppHost, through Aspire.Hosting.Testing): every host
/// healthy, each agency instance a process of its own that the gateway reaches directly, a system of the developer's
/// own in place of land, and a birth dossier through the gateway to Completed, its trace gathered by the gateway's
/// collector from every agency it crossed.
/// </summary>
public sealed class AppHostTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task The_AppHost_runs_the_whole_hub_and_a_birth_dossier_completes_through_its_gateway()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        var cancellationToken = timeout.Token;
        await using var broker = await BrokerVirtualHost.CreateAsync(cancellationToken);
        await using var ownLand = await OwnLand.StartAsync(cancellationToken);
        var data = Directory.CreateTempSubdirectory("lgsp-apphost-");
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.LgspHub_AppHost>(
            [
                "Hub:DynamicPorts=true", $"Hub:DataDirectory={data.FullName}", "Hub:Instances:population=2", $"Hub:OwnAgencies:land={ownLand.Url}",
                $"ConnectionStrings:rabbitmq={broker.Url}", $"Hub:BrokerManagementUrl={broker.ManagementUrl}",
            ], cancellationToken);
            Assert.DoesNotContain(builder.Resources, r => r.Name == "land");
            await using var app = await builder.BuildAsync(cancellationToken);
            await app.StartAsync(cancellationToken);
            string[] hosts = ["population", "population-2", "civil-status", "health-insurance", "gateway"];
            foreach (var host in hosts)
                await app.ResourceNotifications.WaitForResourceHealthyAsync(host, cancellationToken);

            // No proxy in between: each instance listens on a port of its own, and the gateway is given those.
            var ports = hosts.Select(h => app.GetEndpoint(h, "http").Port).ToList();
            Assert.Equal(ports.Count, ports.Distinct().Count());

            using var gateway = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{app.GetEndpoint("gateway", "http").Port}") };
            gateway.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(gateway, "playground.developer", "playground-dev-secret", cancellationToken));
            gateway.DefaultRequestHeaders.Add("X-Lgsp-Purpose", "dev.apphost-test");
            gateway.DefaultRequestHeaders.Add("X-Lgsp-Officer", "officer-001");

            // Land is the developer's system: the gateway sends land's calls there.
            using var parcel = await gateway.GetAsync("/api/land/parcels/20815/16/3332", cancellationToken);
            Assert.Equal(HttpStatusCode.OK, parcel.StatusCode);
            Assert.Contains("/api/land/parcels/20815/16/3332", ownLand.Requests);

            using var submission = new HttpRequestMessage(HttpMethod.Post, "/api/civil-status/birth-dossiers")
            {
                // The README's example mother of the default seed, and her commune.
                Content = JsonContent.Create(new
                {
                    child = new { fullName = "Nguyễn Bảo Ngọc", sex = "Female", dateOfBirth = DateTime.UtcNow.AddDays(-3).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), placeOfBirth = "Trung tâm Y tế thành phố Hội An" },
                    motherPersonalId = "049188309340",
                    residence = new { communeCode = "20401", street = "100 Lê Lợi" },
                }),
            };
            submission.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            // The caller's trace context, which the gateway continues: the trace to look for afterwards.
            var traceId = System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString();
            submission.Headers.Add("traceparent", $"00-{traceId}-{System.Diagnostics.ActivitySpanId.CreateRandom().ToHexString()}-01");
            using var accepted = await gateway.SendAsync(submission, cancellationToken);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            var statusUrl = (await accepted.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("statusUrl").GetString()!;

            var state = await Eventually(async () =>
            {
                var dossier = await gateway.GetFromJsonAsync<JsonElement>(statusUrl, cancellationToken);
                return dossier.GetProperty("state").GetString() is "Completed" or "Rejected" or "Failed" ? dossier.GetProperty("state").GetString() : null;
            }, () => "the dossier to end", cancellationToken);
            Assert.Equal("Completed", state);

            // The agencies export to the gateway's collector, with the keys the AppHost made for this run.
            using var ops = new HttpClient { BaseAddress = gateway.BaseAddress };
            ops.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(ops, "lgsp.operator", "operator-dev-secret", cancellationToken));
            string[] crossed = ["LgspHub.Gateway", "LgspHub.CivilStatus", "LgspHub.Population", "LgspHub.HealthInsurance"];
            var seen = "nothing";
            await Eventually(async () =>
            {
                using var answer = await ops.GetAsync($"/ops/api/traces/{traceId}", cancellationToken);
                seen = $"{(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync(cancellationToken)}";
                if (!answer.IsSuccessStatusCode)
                    return null;
                var spans = await answer.Content.ReadFromJsonAsync<JsonElement[]>(cancellationToken);
                var services = spans!.Select(s => s.GetProperty("service").GetString()!).ToHashSet();
                seen = string.Join(", ", services.Order(StringComparer.Ordinal));
                return services.IsSupersetOf(crossed) ? services : null;
            }, () => $"the dossier's trace from {string.Join(", ", crossed)} (seen: {seen})", cancellationToken);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    private static async Task<string> TokenAsync(HttpClient client, string id, string secret, CancellationToken cancellationToken)
    {
        using var answer = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = id,
            ["client_secret"] = secret,
        }), cancellationToken);
        answer.EnsureSuccessStatusCode();
        return (await answer.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("access_token").GetString()!;
    }

    /// <summary>Polls until <paramref name="probe"/> gives a value, within the test's deadline.</summary>
    private static async Task<T> Eventually<T>(Func<Task<T?>> probe, Func<string> what, CancellationToken cancellationToken) where T : class
    {
        try
        {
            while (true)
            {
                if (await probe() is { } value)
                    return value;
                await Task.Delay(250, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Waited for {what()} until the test's deadline.");
        }
    }

    /// <summary>A land of the developer's own: healthy, answering every call with an empty object, noting the paths.</summary>
    private sealed class OwnLand : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private OwnLand(WebApplication app, string url)
        {
            _app = app;
            Url = url;
        }

        public string Url { get; }

        public System.Collections.Concurrent.ConcurrentBag<string> Requests { get; } = [];

        public static async Task<OwnLand> StartAsync(CancellationToken cancellationToken)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            OwnLand? land = null;
            app.Run(context =>
            {
                land!.Requests.Add(context.Request.Path);
                return context.Response.WriteAsJsonAsync(new { }, context.RequestAborted);
            });
            await app.StartAsync(cancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            land = new OwnLand(app, address);
            return land;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
