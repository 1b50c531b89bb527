using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace LgspHub.Gateway.Operations;

/// <summary>
/// The most recent traces, whole, across every process of the hub: what the waterfall shows. Bounded by
/// the estimated bytes of what it holds (Lgsp:Ops:TraceStoreBytes; the oldest traces go first) and by the
/// spans of one trace (Lgsp:Ops:SpansPerTrace): a caller choosing its own traceparent, or an exporter
/// sending many spans, fills one trace at most and pushes out old traces, never the gateway's memory.
/// </summary>
public sealed class TraceStore(IOptions<OpsOptions> options)
{
    // What a span and a trace cost beyond their strings: object headers, fields, the list, dictionary and queue slots.
    private const long SpanOverhead = 160;
    private const long TraceOverhead = 200;
    private const int MaxNameLength = 200;

    private readonly long _budget = options.Value.TraceStoreBytes;
    private readonly int _spansPerTrace = options.Value.SpansPerTrace;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Trace> _traces = new(StringComparer.Ordinal);
    private readonly Queue<string> _oldestFirst = new();
    private long _bytes;

    /// <summary>The estimated bytes held: never above Lgsp:Ops:TraceStoreBytes.</summary>
    public long Bytes
    {
        get { lock (_lock) return _bytes; }
    }

    public void Add(ReceivedSpan span)
    {
        // Ids are 16 and 8 bytes in hex (W3C trace context); anything else is no span of ours.
        if (span.TraceId.Length != 32 || span.SpanId.Length != 16 || span.ParentSpanId.Length is not (0 or 16))
            return;
        // The waterfall needs neither the attributes nor a name longer than it shows.
        var kept = span.Attributes.Count == 0 && span.Service.Length <= MaxNameLength && span.Name.Length <= MaxNameLength
            ? span // the gateway's own, as they come
            : span with { Service = Truncated(span.Service), Name = Truncated(span.Name), Attributes = NoAttributes };
        var size = SpanOverhead + 2L * (kept.Service.Length + kept.TraceId.Length + kept.SpanId.Length + kept.ParentSpanId.Length + kept.Name.Length);
        lock (_lock)
        {
            if (!_traces.TryGetValue(kept.TraceId, out var trace))
            {
                trace = new Trace();
                _traces.Add(kept.TraceId, trace);
                _oldestFirst.Enqueue(kept.TraceId);
                trace.Bytes = TraceOverhead;
                _bytes += TraceOverhead;
            }
            if (trace.Spans.Count >= _spansPerTrace)
                return;
            trace.Spans.Add(kept);
            trace.Bytes += size;
            _bytes += size;
            // Oldest traces first, whichever trace this span joined.
            while (_bytes > _budget && _oldestFirst.TryDequeue(out var oldest))
            {
                if (_traces.Remove(oldest, out var evicted))
                    _bytes -= evicted.Bytes;
            }
        }
    }

    public IReadOnlyList<ReceivedSpan>? Get(string traceId)
    {
        ReceivedSpan[] spans;
        lock (_lock)
        {
            if (!_traces.TryGetValue(traceId, out var trace))
                return null;
            spans = [.. trace.Spans];
        }
        return spans.OrderBy(s => s.StartUnixNanos).ToList();
    }

    private static string Truncated(string text) => text.Length <= MaxNameLength ? text : text[..MaxNameLength];

    private static readonly IReadOnlyDictionary<string, string> NoAttributes = new Dictionary<string, string>();

    private sealed class Trace
    {
        public List<ReceivedSpan> Spans { get; } = [];

        public long Bytes { get; set; }
    }
}

/// <summary>The gateway's own spans go to the store in-process; the agencies' arrive over OTLP.</summary>
public sealed class TraceStoreProcessor(TraceStore store) : BaseProcessor<Activity>
{
    /// <summary>The gateway's service name on its spans: no sender over OTLP may use it.</summary>
    public const string Service = "LgspHub.Gateway";

    private static readonly IReadOnlyDictionary<string, string> NoAttributes = new Dictionary<string, string>();

    public override void OnEnd(Activity data)
    {
        var start = new DateTimeOffset(data.StartTimeUtc, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000;
        store.Add(new ReceivedSpan(
            Service, data.TraceId.ToHexString(), data.SpanId.ToHexString(),
            data.ParentSpanId == default ? "" : data.ParentSpanId.ToHexString(), data.DisplayName, (int)data.Kind + 1,
            start, start + data.Duration.Ticks * 100, data.Status == ActivityStatusCode.Error ? 2 : (int)data.Status, NoAttributes));
    }
}

/// <summary>
/// The hub's own OTLP/HTTP endpoint (/v1/traces, /v1/metrics, /v1/logs): agencies export to the
/// gateway, which keeps recent traces for the operators' waterfall and passes every payload on,
/// unchanged, to Lgsp:Ops:ForwardOtlpTo (a collector, Jaeger, Tempo) when that is set. Each sender
/// presents its own key (Lgsp:Ops:CollectorKeys, by service name) as a bearer token, and only its own
/// spans count: a key of population's never adds spans said to be civil status's, or the gateway's.
/// </summary>
public sealed class TraceCollector(TraceStore store, FlowStatistics flows, IHttpClientFactory clients, IOptions<OpsOptions> options, ILogger<TraceCollector> logger)
    : BackgroundService
{
    private readonly Channel<(string Signal, byte[] Payload)> _forward =
        Channel.CreateBounded<(string, byte[])>(new BoundedChannelOptions(1_000) { FullMode = BoundedChannelFullMode.DropOldest });

    // Digests, so that keys of any length compare in constant time.
    private readonly (string Service, byte[] Digest)[] _keys = options.Value.CollectorKeys
        .Where(k => k.Key != TraceStoreProcessor.Service && k.Value.Length > 0)
        .Select(k => (k.Key, SHA256.HashData(Encoding.UTF8.GetBytes(k.Value))))
        .ToArray();

    /// <summary>The service whose collector key is the bearer token of <paramref name="authorization"/>, or null.</summary>
    public string? SenderOf(string? authorization)
    {
        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            return null;
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim()));
        string? sender = null;
        foreach (var (service, digest) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, digest))
                sender ??= service;
        }
        return sender;
    }

    /// <summary>Keeps the spans that <paramref name="sender"/> sent as itself; any other service's are dropped.</summary>
    public void Accept(string signal, byte[] payload, string sender)
    {
        if (signal == "traces")
        {
            var dropped = 0;
            foreach (var span in OtlpTraceReader.Read(payload))
            {
                if (span.Service != sender)
                {
                    dropped++;
                    continue;
                }
                store.Add(span);
                flows.Observe(span);
            }
            if (dropped > 0)
            {
                // Nor passed on: the collector upstream would show them as the other service's.
                logger.LogWarning("{Sender} sent {Dropped} spans of other services over OTLP: dropped", sender, dropped);
                return;
            }
        }
        if (options.Value.ForwardOtlpTo is not null)
            _forward.Writer.TryWrite((signal, payload));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.ForwardOtlpTo is not { } upstream)
            return;
        var http = clients.CreateClient(nameof(TraceCollector));
        var headers = OtlpHeaders(options.Value.ForwardOtlpHeaders);
        await foreach (var (signal, payload) in _forward.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(upstream), $"/v1/{signal}"))
                {
                    Content = new ByteArrayContent(payload) { Headers = { ContentType = new MediaTypeHeaderValue("application/x-protobuf") } },
                };
                foreach (var (name, value) in headers)
                    request.Headers.TryAddWithoutValidation(name, value);
                using var response = await http.SendAsync(request, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // An upstream that is down or slow loses this payload, never the gateway.
                logger.LogWarning(e, "Forwarding OTLP {Signal} to {Upstream} failed", signal, upstream);
            }
        }
    }

    /// <summary>"name=value,name=value" with values percent-encoded: the OTLP exporters' header format.</summary>
    public static IReadOnlyList<(string Name, string Value)> OtlpHeaders(string? setting) =>
        (setting ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split('=', 2))
            .Where(pair => pair.Length == 2 && pair[0].Trim().Length > 0)
            .Select(pair => (pair[0].Trim(), Uri.UnescapeDataString(pair[1].Trim())))
            .ToList();
}
