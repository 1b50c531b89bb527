using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using LgspHub.Contracts;
using LgspHub.LocalHub;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LgspHub.AppHost.Tests;

/// <summary>
/// The AppHost with every agency a system of the developer's own (docs/bring-your-own-agency.md): it runs the gateway
/// alone, no mock of any agency, and the gateway sends each agency's calls to that agency's system. (The whole hub as
/// the AppHost starts it, dossiers and traces, is what the end-to-end suite runs on.)
/// </summary>
public sealed class AppHostTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task With_every_agency_a_system_of_ones_own_the_AppHost_runs_only_the_gateway_which_routes_each_agency_to_its_system()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        var cancellationToken = timeout.Token;
        await using var broker = await BrokerVirtualHost.CreateAsync(cancellationToken);
        var systems = new Dictionary<string, OwnSystem>();
        var state = Directory.CreateTempSubdirectory("lgsp-apphost-");
        try
        {
            foreach (var agency in HubAgencies.All)
                systems[agency] = await OwnSystem.StartAsync(cancellationToken);
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.LgspHub_AppHost>(
            [
                "Hub:DynamicPorts=true", $"Hub:StateDirectory={state.FullName}",
                $"ConnectionStrings:rabbitmq={broker.Url}", $"Hub:BrokerManagementUrl={broker.ManagementUrl}",
                .. systems.Select(s => $"Hub:OwnAgencies:{s.Key}={s.Value.Url}"),
            ], cancellationToken);
            Assert.Equal([HubHost.GatewayName], builder.Resources.OfType<ExecutableResource>().Select(r => r.Name));
            await using var app = await builder.BuildAsync(cancellationToken);
            await app.StartAsync(cancellationToken);
            await app.ResourceNotifications.WaitForResourceHealthyAsync(HubHost.GatewayName, cancellationToken);

            using var gateway = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{app.GetEndpoint(HubHost.GatewayName, "http").Port}") };
            gateway.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(gateway, "playground.developer", "playground-dev-secret", cancellationToken));
            gateway.DefaultRequestHeaders.Add("X-Lgsp-Purpose", "dev.apphost-test");
            gateway.DefaultRequestHeaders.Add("X-Lgsp-Officer", "officer-001");
            // One read of each agency, each answered by its own system.
            string[] reads = ["/api/population/citizens/049188309340", "/api/civil-status/dossiers/statistics", "/api/land/parcels/20815/16/3332", "/api/health-insurance/cards/049188309340"];
            foreach (var (agency, path) in HubAgencies.All.Zip(reads))
            {
                using var answer = await gateway.GetAsync(path, cancellationToken);
                Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{path}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync(cancellationToken)}");
                Assert.Contains(path, systems[agency].Requests);
            }

            // ./lgsp up prints, and ./lgsp faults reaches, each agency at its own system.
            var ready = new HubRunFolder(state.FullName);
            await Eventually(() => Task.FromResult(ready.Ready ? ready : null), () => "the run's hub.json", cancellationToken);
            foreach (var (agency, system) in systems)
                Assert.Contains(ready.Instances(), i => i.Instance == agency && i.Url == new Uri(system.Url));
        }
        finally
        {
            foreach (var system in systems.Values)
                await system.DisposeAsync();
            state.Delete(recursive: true);
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

    /// <summary>An agency's system of the developer's own: healthy, answering every call with an empty object, noting the paths.</summary>
    private sealed class OwnSystem : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private OwnSystem(WebApplication app, string url)
        {
            _app = app;
            Url = url;
        }

        public string Url { get; }

        public System.Collections.Concurrent.ConcurrentBag<string> Requests { get; } = [];

        public static async Task<OwnSystem> StartAsync(CancellationToken cancellationToken)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            OwnSystem? system = null;
            app.Run(context =>
            {
                system!.Requests.Add(context.Request.Path);
                return context.Response.WriteAsJsonAsync(new { }, context.RequestAborted);
            });
            await app.StartAsync(cancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            system = new OwnSystem(app, address);
            return system;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
