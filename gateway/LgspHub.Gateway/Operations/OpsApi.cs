using LgspHub.Contracts;
using LgspHub.Gateway.Requests;
using LgspHub.Gateway.Transactions;
using LgspHub.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using OpenTelemetry.Trace;

namespace LgspHub.Gateway.Operations;

public sealed record SloStatus(double Objective, double ErrorBudgetLeft, TimeSpan BudgetPeriod, IReadOnlyList<BurnRateAlert> Alerts);

public sealed record MinutePoint(DateTimeOffset Minute, long Total, long Succeeded, long Rejected, long Failed, long Abandoned, double? SuccessRate);

/// <param name="HubOperations">The hub's own operations (tokens, catalogue, records, /ops), by operation: apart from the agencies' transactions.</param>
public sealed record OpsSummary(
    TimeSpan Window, Breakdown Overall, IReadOnlyList<Breakdown> Services, IReadOnlyList<Breakdown> Operations,
    IReadOnlyList<Breakdown> Consumers, IReadOnlyList<Breakdown> HubOperations, SloStatus Slo, IReadOnlyList<MinutePoint> Minutes,
    IReadOnlyList<DeliveryFigures> Deliveries, IReadOnlyList<DossierFigures> Dossiers);

public sealed record WaterfallSpan(string Service, string Name, int Kind, string SpanId, string ParentSpanId, double OffsetMs, double DurationMs, bool Error);

public sealed class OpsOptions
{
    public const string Section = "Lgsp:Ops";

    /// <summary>The share of transactions that must succeed: the brief's 99.8 %.</summary>
    public double Objective { get; set; } = 0.998;

    /// <summary>RabbitMQ's management API, with its user in the URL: the broker `./lgsp up` starts by default.</summary>
    public string BrokerManagementUrl { get; set; } = "http://guest:guest@127.0.0.1:15673";

    /// <summary>Where the telemetry the hub receives goes on to (an OTLP/HTTP endpoint such as a collector); unset keeps it here.</summary>
    public string? ForwardOtlpTo { get; set; }

    /// <summary>Headers sent with what is passed on, as OTEL_EXPORTER_OTLP_HEADERS writes them ("api-key=…,tenant=…"): an upstream's credentials.</summary>
    public string? ForwardOtlpHeaders { get; set; }

    /// <summary>
    /// The key each service sends the hub's collector as its bearer token (OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer …),
    /// by its service name ("LgspHub.Population"). The collector takes nothing without one, and a sender's spans only under its own name.
    /// </summary>
    public Dictionary<string, string> CollectorKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The most the recent traces kept for the waterfall may take, by estimate; the oldest traces go first.</summary>
    public long TraceStoreBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>The most spans kept of one trace; further ones are dropped.</summary>
    public int SpansPerTrace { get; set; } = 500;

    /// <summary>How long a computed figure (a window's summary, the broker's queues, the recent failures) is served again before it is computed anew.</summary>
    public TimeSpan CacheFiguresFor { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>The operators' figures as JSON, derived from the gateway's transaction spans.</summary>
public static class OpsApi
{
    private const int MinCollectorKeyLength = 32;
    private static readonly TimeSpan MinWindow = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxWindow = TimeSpan.FromHours(24);

    public static IHostApplicationBuilder AddOps(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OpsOptions>().Bind(builder.Configuration.GetSection(OpsOptions.Section))
            .Validate(ops => ops.CollectorKeys.Values.All(key => key.Length >= MinCollectorKeyLength),
                $"Every key of {OpsOptions.Section}:CollectorKeys needs {MinCollectorKeyLength} characters or more (a random one, such as 32 bytes in hex).")
            .Validate(ops => !ops.CollectorKeys.ContainsKey(TraceStoreProcessor.Service),
                $"{OpsOptions.Section}:CollectorKeys names {TraceStoreProcessor.Service}: the gateway's own spans never come over OTLP.")
            .ValidateOnStart();
        builder.Services.AddSingleton<TransactionStatistics>();
        builder.Services.AddSingleton<TransactionSpanProcessor>();
        builder.Services.AddHybridCache();
        builder.Services.AddSingleton<OpsFigures>();
        builder.Services.AddHttpClient<BrokerClient>(http => http.Timeout = TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton<TraceStore>();
        builder.Services.AddSingleton<FlowStatistics>();
        builder.Services.AddSingleton<TraceStoreProcessor>();
        builder.Services.AddHttpClient(nameof(TraceCollector), http => http.Timeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton<TraceCollector>();
        builder.Services.AddHostedService(services => services.GetRequiredService<TraceCollector>());
        // Every transaction is traced, whatever the caller's sampling flag: the figures must count them all.
        // Lgsp:Ops:Tracing=false samples nothing, which also leaves the figures empty: it exists only so that
        // ./lgsp bench tracing can measure what tracing costs against the same gateway without it.
        var traced = builder.Configuration.GetValue("Lgsp:Ops:Tracing", true);
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .SetSampler(traced ? new AlwaysOnSampler() : new AlwaysOffSampler())
            .AddProcessor<TransactionSpanProcessor>()
            .AddProcessor<TraceStoreProcessor>());
        return builder;
    }

    /// <summary>The hub's own operation behind /ops/api: a consumer needs it among its rights ("lgsp.ops", or "lgsp.*").</summary>
    public const string OperationName = Operation.HubService + ".ops";

    public static IEndpointRouteBuilder MapOpsApi(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/ops").WithTags("Operations").WithMetadata(new Operation(OperationName, Operation.HubService, false));
        // The figures name consumers, failures, dossier ids and queues: an operator's token is needed, as for the records.
        var api = ops.MapGroup("/api").RequireAuthorization(Operation.RightsPolicy);
        api.MapGet("/summary", Summary)
            .WithSummary("Transactions, success rate, latency, error budget and burn-rate alerts over a window (5m to 24h), from the traces");
        api.MapGet("/broker", async (OpsFigures figures, BrokerClient broker, CancellationToken cancellationToken) =>
                TypedResults.Ok(await figures.GetAsync("ops:broker", async token => await broker.GetAsync(token), cancellationToken)))
            .WithSummary("Queue depths, consumers and error-queue counts per agency");
        api.MapGet("/failures", RecentFailures)
            .WithSummary("The most recent failed transactions, with their trace ids");
        api.MapGet("/dossier-incidents", (FlowStatistics flows) => TypedResults.Ok(flows.Incidents))
            .WithSummary("The most recent dossiers rejected or stopped on a failed step, with their trace ids");
        api.MapGet("/traces/{traceId}", Results<Ok<WaterfallSpan[]>, ProblemHttpResult> (string traceId, TraceStore store) =>
                store.Get(traceId.ToLowerInvariant()) is { Count: > 0 } spans
                    ? TypedResults.Ok(Waterfall(spans))
                    : ApiProblems.NotFound("This trace is not among the recent ones the hub keeps."))
            .WithSummary("A recent trace as a waterfall: every hop across gateway, agencies and the broker, with offsets and durations");
        // The page holds no figures: it is served to anyone, and its script signs in for the API.
        ops.MapGet("/", () => TypedResults.Content(Page.Value, "text/html; charset=utf-8"))
            .AllowAnonymous()
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok<OpsSummary>, ValidationProblem>> Summary(OpsFigures figures, string? window, CancellationToken cancellationToken)
    {
        if (!TryParseWindow(window ?? "1h", out var span))
            return ApiProblems.Invalid("window", "A window from 5m to 24h, such as 5m, 30m, 1h, 6h or 24h.");
        return TypedResults.Ok(await figures.SummaryAsync(span, cancellationToken));
    }

    private static WaterfallSpan[] Waterfall(IReadOnlyList<ReceivedSpan> spans)
    {
        var start = spans.Min(s => s.StartUnixNanos);
        return spans.Select(s => new WaterfallSpan(s.Service, s.Name, s.Kind, s.SpanId, s.ParentSpanId,
                (s.StartUnixNanos - start) / 1e6, Math.Max(0, s.EndUnixNanos - s.StartUnixNanos) / 1e6, s.Status == 2))
            .ToArray();
    }

    // The scan for failed records runs in a scope of its own: a caller that waits on it may outlive the request that started it.
    private static async Task<Ok<TransactionRecord[]>> RecentFailures(OpsFigures figures, IServiceScopeFactory scopes, CancellationToken cancellationToken) =>
        TypedResults.Ok(await figures.GetAsync("ops:failures", async token =>
        {
            await using var scope = scopes.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<GatewayDb>().Transactions.AsNoTracking().Where(r => r.Outcome == Outcome.Failed)
                .OrderByDescending(r => r.RequestInAt).Take(20).ToArrayAsync(token);
        }, cancellationToken));

    /// <summary>The dashboard: one page, no build step, reading the JSON above.</summary>
    private static readonly Lazy<string> Page = new(() =>
    {
        using var stream = typeof(OpsApi).Assembly.GetManifestResourceStream("LgspHub.Gateway.Operations.ops.html")
            ?? throw new InvalidOperationException("The ops page is not embedded.");
        return new StreamReader(stream).ReadToEnd();
    });

    public static IEndpointRouteBuilder MapTraceCollector(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/{signal:regex(^(traces|metrics|logs)$)}", async Task<Results<Ok, ProblemHttpResult, BadRequest>> (
                string signal, HttpContext context, TraceCollector collector) =>
            {
                // A key per sender, whatever its address: a proxy or sidecar on this machine is no credential.
                if (collector.SenderOf(context.Request.Headers.Authorization) is not { } sender)
                {
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    return TypedResults.Problem($"Telemetry needs the sender's collector key as its bearer token ({OpsOptions.Section}:CollectorKeys).",
                        statusCode: StatusCodes.Status401Unauthorized);
                }
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body, context.RequestAborted);
                try
                {
                    collector.Accept(signal, body.ToArray(), sender);
                }
                catch (Google.Protobuf.InvalidProtocolBufferException)
                {
                    return TypedResults.BadRequest();
                }
                return TypedResults.Ok();
            })
            .AllowAnonymous()
            .WithMetadata(new RequestSizeLimitAttribute(16 * 1024 * 1024))
            .ExcludeFromDescription();
        return app;
    }

    public static bool TryParseWindow(string text, out TimeSpan window)
    {
        window = default;
        if (text.Length < 2 || !int.TryParse(text.AsSpan(0, text.Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var amount))
            return false;
        window = (text[^1], amount) switch
        {
            ('m', <= 24 * 60) => TimeSpan.FromMinutes(amount),
            ('h', <= 24) => TimeSpan.FromHours(amount),
            _ => TimeSpan.Zero,
        };
        return window >= MinWindow && window <= MaxWindow;
    }
}
