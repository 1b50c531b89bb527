using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LgspHub.EndToEnd.Tests;

public sealed record ExportedSpan(string Service, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// A minimal OTLP/HTTP receiver: the hub's processes export to it exactly as they would to a
/// collector. Spans are decoded with protobuf's wire reader (the OTLP message classes are not
/// published as a NuGet package); field numbers follow opentelemetry/proto/trace/v1.
/// </summary>
public sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ExportedSpan> _spans = new();
    private readonly WebApplication _app;

    private OtlpTraceReceiver(WebApplication app, string endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public string Endpoint { get; }

    public IReadOnlyCollection<ExportedSpan> Spans => _spans;

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
            foreach (var span in ReadExportRequest(payload))
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

    private static List<ExportedSpan> ReadExportRequest(byte[] payload)
    {
        var spans = new List<ExportedSpan>();
        foreach (var resourceSpans in Fields(payload, 1))
        {
            var service = "";
            foreach (var resource in Fields(resourceSpans, 1))
            {
                var attributes = ReadAttributes(resource, 1);
                service = attributes.GetValueOrDefault("service.name", "");
            }
            foreach (var scopeSpans in Fields(resourceSpans, 2))
                spans.AddRange(Fields(scopeSpans, 2).Select(span => ReadSpan(service, span)));
        }
        return spans;
    }

    private static ExportedSpan ReadSpan(string service, byte[] span)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var kind = 0;
        var input = new CodedInputStream(span);
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: traceId = Convert.ToHexStringLower(input.ReadBytes().Span); break;
                case 2: spanId = Convert.ToHexStringLower(input.ReadBytes().Span); break;
                case 4: parent = Convert.ToHexStringLower(input.ReadBytes().Span); break;
                case 5: name = input.ReadString(); break;
                case 6: kind = input.ReadEnum(); break;
                default: input.SkipLastField(); break;
            }
        }
        return new ExportedSpan(service, traceId, spanId, parent, name, kind, ReadAttributes(span, 9));
    }

    private static Dictionary<string, string> ReadAttributes(byte[] message, int field)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var keyValue in Fields(message, field))
        {
            var key = Fields(keyValue, 1).Select(b => ByteString.CopyFrom(b).ToStringUtf8()).FirstOrDefault() ?? "";
            var value = Fields(keyValue, 2).Select(ReadAnyValue).FirstOrDefault() ?? "";
            attributes[key] = value;
        }
        return attributes;
    }

    private static string ReadAnyValue(byte[] anyValue)
    {
        var input = new CodedInputStream(anyValue);
        var tag = input.ReadTag();
        return WireFormat.GetTagFieldNumber(tag) switch
        {
            1 => input.ReadString(),
            2 => input.ReadBool().ToString(),
            3 => input.ReadInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
            4 => input.ReadDouble().ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => "",
        };
    }

    /// <summary>The payloads of every length-delimited field with this number.</summary>
    private static List<byte[]> Fields(byte[] message, int field)
    {
        var found = new List<byte[]>();
        var input = new CodedInputStream(message);
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) == field && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                found.Add(input.ReadBytes().ToByteArray());
            else
                input.SkipLastField();
        }
        return found;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
