using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LgspHub.Load.Tests;

/// <summary>A stand-in gateway on 127.0.0.1: issues tokens, and answers every other call as the test says.</summary>
public sealed class FakeGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private FakeGateway(WebApplication app) => _app = app;

    public ConcurrentQueue<(TimeSpan At, string Method, string Path)> Calls { get; } = new();

    /// <summary>How the "agency" answers: status and delay. The default: 200 at once.</summary>
    public Func<int, (int Status, TimeSpan Delay)> Behaviour { get; set; } = _ => (200, TimeSpan.Zero);

    public Uri Url => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public static async Task<FakeGateway> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeGateway(app);
        var count = 0;
        app.MapPost("/connect/token", () => Results.Json(new { access_token = "token", expires_in = 600 }));
        app.Map("/{**path}", async (HttpContext context) =>
        {
            fake.Calls.Enqueue((fake._clock.Elapsed, context.Request.Method, context.Request.Path.Value ?? ""));
            var (status, delay) = fake.Behaviour(Interlocked.Increment(ref count));
            await Task.Delay(delay, context.RequestAborted);
            context.Response.StatusCode = status;
            context.Response.Headers["X-Lgsp-Agency-Status"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await context.Response.WriteAsJsonAsync(new { matches = true, alive = true });
        });
        await app.StartAsync();
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
