using System.Collections.Concurrent;
using LgspHub.AgencyDefaults;
using LgspHub.Faults;
using LgspHub.Messaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LgspHub.ServiceDefaults.Tests;

/// <summary>
/// An agency host as the agencies build it (service defaults, fault injection, default and admin endpoints)
/// on a real Kestrel port, with one API endpoint; no broker or database.
/// </summary>
public sealed class TestAgency : IAsyncDisposable
{
    private readonly WebApplication _app;

    /// <summary>Requests to /api that went through the whole pipeline and came out, by the id the test gave them.</summary>
    public ConcurrentDictionary<string, TaskCompletionSource> Finished { get; } = new();

    /// <summary>How many times the API endpoint itself ran.</summary>
    public int Served => Volatile.Read(ref _served);

    private int _served;

    private TestAgency(WebApplication app) => _app = app;

    public HttpClient Client { get; private set; } = null!;

    public FaultInjection Faults => _app.Services.GetRequiredService<FaultInjection>();

    public const string GatewayKey = "test-gateway-key";

    public const string OperatorKey = "test-operator-key";

    /// <summary>The agency's address, for callers that bring their own credentials (or none).</summary>
    public Uri Url { get; private set; } = null!;

    public static async Task<TestAgency> StartAsync(bool allowFaultHeader, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration[FaultInjection.AllowRequestHeaderKey] = allowFaultHeader ? "true" : "false";
        builder.Configuration[$"{AgencyAccessOptions.Section}:{nameof(AgencyAccessOptions.GatewayKey)}"] = GatewayKey;
        builder.Configuration[$"{AgencyAccessOptions.Section}:{nameof(AgencyAccessOptions.OperatorKey)}"] = OperatorKey;
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.AddAgencyDefaults();
        // The admin endpoints resolve it per request; nothing here reaches a broker.
        builder.Services.AddSingleton(new ErrorQueues(new Uri("amqp://guest:guest@127.0.0.1:1/")));

        var app = builder.Build();
        var agency = new TestAgency(app);
        // Outermost: notes when each request has left the pipeline, answered or abandoned.
        app.Use(async (context, next) =>
        {
            try
            {
                await next();
            }
            finally
            {
                if (context.Request.Headers["X-Test-Id"] is { Count: 1 } id)
                    agency.Finished.GetOrAdd(id.ToString(), _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        });
        app.MapAgencyEndpoints();
        app.MapGet("/api/test/things/{id}", (string id) =>
        {
            Interlocked.Increment(ref agency._served);
            return TypedResults.Ok(new { id });
        });
        // Where an agency's OpenAPI document is (MapOpenApi("/api/{agency}/openapi/{documentName}.json")).
        app.MapGet("/api/test/openapi/v1.json", () => TypedResults.Ok(new { openapi = "3.1.1" }));
        await app.StartAsync();
        agency.Url = new Uri(app.Urls.Single());
        // As the gateway and the operators call it: the gateway's key on the API, the operators' on /admin.
        agency.Client = new HttpClient(new Credentials()) { BaseAddress = agency.Url, Timeout = TimeSpan.FromSeconds(20) };
        return agency;
    }

    private sealed class Credentials() : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization ??= request.RequestUri!.AbsolutePath.StartsWith("/admin", StringComparison.Ordinal)
                ? AgencyCredentials.Header(AgencyCredentials.OperatorScheme, OperatorKey)
                : AgencyCredentials.Header(AgencyCredentials.GatewayScheme, GatewayKey);
            return base.SendAsync(request, cancellationToken);
        }
    }

    public Task WhenFinished(string id) => Finished.GetOrAdd(id, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
