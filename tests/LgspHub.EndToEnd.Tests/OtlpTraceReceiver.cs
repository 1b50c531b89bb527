using System.Collections.Concurrent;
using LgspHub.Gateway.Operations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LgspHub.EndToEnd.Tests;

/// <summary>
/// A minimal OTLP/HTTP receiver standing for a team's collector: the gateway exports its own
/// telemetry here and forwards the agencies' (Lgsp:Ops:ForwardOtlpTo), as it would to Jaeger or Tempo.
/// </summary>
public sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly WebApplication _app;

    private OtlpTraceReceiver(WebApplication app, string endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public string Endpoint { get; }

    public IReadOnlyCollection<ReceivedSpan> Spans => _spans;

    /// <summary>Every payload received (traces, metrics, logs) as text: protobuf keeps strings as UTF-8, so a search finds them.</summary>
    public string AllPayloadText => string.Join('\n', _payloads.Select(p => System.Text.Encoding.UTF8.GetString(p)));

    private readonly ConcurrentQueue<byte[]> _payloads = new();

    public static async Task<OtlpTraceReceiver> StartAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpTraceReceiver(app, $"http://127.0.0.1:{port}");
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            var payload = await ReadAsync(request);
            receiver._payloads.Enqueue(payload);
            foreach (var span in OtlpTraceReader.Read(payload))
                receiver._spans.Enqueue(span);
            return Results.Ok();
        });
        app.MapPost("/v1/{signal}", async (HttpRequest request) =>
        {
            receiver._payloads.Enqueue(await ReadAsync(request));
            return Results.Ok();
        });
        await app.StartAsync();
        return receiver;
    }

    private static async Task<byte[]> ReadAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        return body.ToArray();
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
