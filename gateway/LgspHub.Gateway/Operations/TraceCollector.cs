using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace LgspHub.Gateway.Operations;

/// <summary>The most recent traces, whole, across every process of the hub: what the waterfall shows.</summary>
public sealed class TraceStore
{
    private const int MaxTraces = 5_000;
    private const int MaxSpansPerTrace = 500;

    private readonly ConcurrentDictionary<string, ConcurrentQueue<ReceivedSpan>> _traces = new();
    private readonly ConcurrentQueue<string> _order = new();

    public void Add(ReceivedSpan span)
    {
        var spans = _traces.GetOrAdd(span.TraceId, id =>
        {
            _order.Enqueue(id);
            return new ConcurrentQueue<ReceivedSpan>();
        });
        if (spans.Count < MaxSpansPerTrace)
            spans.Enqueue(span);
        while (_order.Count > MaxTraces && _order.TryDequeue(out var oldest))
            _traces.TryRemove(oldest, out _);
    }

    public IReadOnlyList<ReceivedSpan>? Get(string traceId) =>
        _traces.TryGetValue(traceId, out var spans) ? spans.OrderBy(s => s.StartUnixNanos).ToList() : null;
}

/// <summary>The gateway's own spans go to the store in-process; the agencies' arrive over OTLP.</summary>
public sealed class TraceStoreProcessor(TraceStore store) : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data)
    {
        var start = new DateTimeOffset(data.StartTimeUtc, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000;
        store.Add(new ReceivedSpan(
            "LgspHub.Gateway", data.TraceId.ToHexString(), data.SpanId.ToHexString(),
            data.ParentSpanId == default ? "" : data.ParentSpanId.ToHexString(), data.DisplayName, (int)data.Kind + 1,
            start, start + data.Duration.Ticks * 100, data.Status == ActivityStatusCode.Error ? 2 : (int)data.Status,
            data.TagObjects.Where(t => t.Key.StartsWith("lgsp.", StringComparison.Ordinal) || t.Key == "http.response.status_code")
                .ToDictionary(t => t.Key, t => Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "")));
    }
}

/// <summary>
/// The hub's own OTLP/HTTP endpoint (/v1/traces, /v1/metrics, /v1/logs): agencies export to the
/// gateway, which keeps recent traces for the operators' waterfall and passes every payload on,
/// unchanged, to Lgsp:Ops:ForwardOtlpTo (a collector, Jaeger, Tempo) when that is set.
/// </summary>
public sealed class TraceCollector(TraceStore store, FlowStatistics flows, IHttpClientFactory clients, IOptions<OpsOptions> options, ILogger<TraceCollector> logger)
    : BackgroundService
{
    private readonly Channel<(string Signal, byte[] Payload)> _forward =
        Channel.CreateBounded<(string, byte[])>(new BoundedChannelOptions(1_000) { FullMode = BoundedChannelFullMode.DropOldest });

    public void Accept(string signal, byte[] payload)
    {
        if (signal == "traces")
        {
            foreach (var span in OtlpTraceReader.Read(payload))
            {
                store.Add(span);
                flows.Observe(span);
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
        await foreach (var (signal, payload) in _forward.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                using var content = new ByteArrayContent(payload);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                using var response = await http.PostAsync(new Uri(new Uri(upstream), $"/v1/{signal}"), content, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // An upstream that is down or slow loses this payload, never the gateway.
                logger.LogWarning(e, "Forwarding OTLP {Signal} to {Upstream} failed", signal, upstream);
            }
        }
    }
}
