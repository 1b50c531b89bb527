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

/// <summary>A call the fake gateway received: when, what, its body and its headers.</summary>
public sealed record FakeCall(TimeSpan At, string Method, string Path, string Body, IReadOnlyDictionary<string, string> Headers);

/// <summary>How the fake answers a call: status, JSON body, delay.</summary>
public sealed record FakeAnswer(int Status, object? Json, TimeSpan Delay = default);

/// <summary>A stand-in gateway on 127.0.0.1: issues tokens, and answers every other call as the test says.</summary>
public sealed class FakeGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private FakeGateway(WebApplication app) => _app = app;

    public ConcurrentQueue<FakeCall> Calls { get; } = new();

    /// <summary>How the "agency" answers: status and delay. The default: 200 at once.</summary>
    public Func<int, (int Status, TimeSpan Delay)> Behaviour { get; set; } = _ => (200, TimeSpan.Zero);

    /// <summary>When set, answers every call instead of <see cref="Behaviour"/>: status, body and delay from the call.</summary>
    public Func<FakeCall, FakeAnswer>? Responder { get; set; }

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
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
            var call = new FakeCall(fake._clock.Elapsed, context.Request.Method, context.Request.Path.Value ?? "", body,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            fake.Calls.Enqueue(call);
            var n = Interlocked.Increment(ref count);
            var answer = fake.Responder?.Invoke(call) ?? fake.Behaviour(n) switch
            {
                var (status, delay) => new FakeAnswer(status, new { matches = true, alive = true }, delay),
            };
            await Task.Delay(answer.Delay, context.RequestAborted);
            context.Response.StatusCode = answer.Status;
            context.Response.Headers["X-Lgsp-Agency-Status"] = answer.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (answer.Json is not null)
                await context.Response.WriteAsJsonAsync(answer.Json);
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
