using System.Collections.Concurrent;
using LgspHub.ServiceDefaults.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
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

    public static async Task<TestAgency> StartAsync(bool allowFaultHeader)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration[FaultInjection.AllowRequestHeaderKey] = allowFaultHeader ? "true" : "false";
        builder.AddServiceDefaults();
        builder.AddFaultInjection();
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
        app.MapDefaultEndpoints();
        app.MapGet("/api/test/things/{id}", (string id) =>
        {
            Interlocked.Increment(ref agency._served);
            return TypedResults.Ok(new { id });
        });
        await app.StartAsync();
        agency.Client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(20) };
        return agency;
    }

    public Task WhenFinished(string id) => Finished.GetOrAdd(id, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
