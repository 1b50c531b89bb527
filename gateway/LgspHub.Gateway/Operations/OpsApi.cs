using LgspHub.Gateway.Access;
using LgspHub.Gateway.Transactions;
using LgspHub.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OpenTelemetry.Trace;

namespace LgspHub.Gateway.Operations;

public sealed record SloStatus(double Objective, double ErrorBudgetLeft, TimeSpan BudgetPeriod, IReadOnlyList<BurnRateAlert> Alerts);

public sealed record MinutePoint(DateTimeOffset Minute, long Total, long Succeeded, long Rejected, long Failed, double? SuccessRate);

public sealed record OpsSummary(
    TimeSpan Window, Breakdown Overall, IReadOnlyList<Breakdown> Services, IReadOnlyList<Breakdown> Operations,
    IReadOnlyList<Breakdown> Consumers, SloStatus Slo, IReadOnlyList<MinutePoint> Minutes);

public sealed class OpsOptions
{
    public const string Section = "Lgsp:Ops";

    /// <summary>The share of transactions that must succeed: the brief's 99.8 %.</summary>
    public double Objective { get; set; } = 0.998;

    /// <summary>RabbitMQ's management API, with its user in the URL: the broker `./lgsp up` starts by default.</summary>
    public string BrokerManagementUrl { get; set; } = "http://guest:guest@127.0.0.1:15673";
}

/// <summary>The operators' figures as JSON, derived from the gateway's transaction spans.</summary>
public static class OpsApi
{
    private static readonly TimeSpan MinWindow = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxWindow = TimeSpan.FromHours(24);

    public static IHostApplicationBuilder AddOps(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<OpsOptions>(builder.Configuration.GetSection(OpsOptions.Section));
        builder.Services.AddSingleton<TransactionStatistics>();
        builder.Services.AddSingleton<TransactionSpanProcessor>();
        builder.Services.AddHttpClient<BrokerClient>(http => http.Timeout = TimeSpan.FromSeconds(5));
        // Every transaction is traced, whatever the caller's sampling flag: the figures must count them all.
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor<TransactionSpanProcessor>());
        return builder;
    }

    public static IEndpointRouteBuilder MapOpsApi(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/ops").AllowAnonymous().WithTags("Operations").WithMetadata(Operation.Hub("lgsp.ops"));
        ops.MapGet("/api/summary", Summary)
            .WithSummary("Transactions, success rate, latency, error budget and burn-rate alerts over a window (5m to 24h), from the traces");
        ops.MapGet("/api/broker", async (BrokerClient broker, CancellationToken cancellationToken) => TypedResults.Ok(await broker.GetAsync(cancellationToken)))
            .WithSummary("Queue depths, consumers and error-queue counts per agency");
        ops.MapGet("/api/failures", RecentFailures)
            .WithSummary("The most recent failed transactions, with their trace ids");
        ops.MapGet("/", () => TypedResults.Content(Page.Value, "text/html; charset=utf-8"))
            .ExcludeFromDescription();
        return app;
    }

    private static Results<Ok<OpsSummary>, ValidationProblem> Summary(
        TransactionStatistics statistics, Microsoft.Extensions.Options.IOptions<OpsOptions> options, TimeProvider clock, string? window)
    {
        if (!TryParseWindow(window ?? "1h", out var span))
            return ApiProblems.Invalid("window", "A window from 5m to 24h, such as 5m, 30m, 1h, 6h or 24h.");

        var objective = options.Value.Objective;
        var now = clock.GetUtcNow();
        var budgetPeriod = Slo.Rules.Max(r => r.LongWindow);
        var series = statistics.Minutes(budgetPeriod).Select(m => new MinuteCount(m.Minute, m.Counts.Succeeded + m.Counts.Failed, m.Counts.Failed)).ToList();
        return TypedResults.Ok(new OpsSummary(
            span,
            statistics.Overall(span),
            statistics.By(span, k => k.Service),
            statistics.By(span, k => k.Operation),
            statistics.By(span, k => k.Consumer),
            new SloStatus(objective, Slo.ErrorBudgetLeft(series, now, budgetPeriod, objective), budgetPeriod, Slo.Evaluate(series, now, objective)),
            statistics.Minutes(span).Select(m => new MinutePoint(m.Minute, m.Counts.Total, m.Counts.Succeeded, m.Counts.Rejected, m.Counts.Failed, m.Counts.SuccessRate)).ToList()));
    }

    private static async Task<Ok<TransactionRecord[]>> RecentFailures(GatewayDb db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Transactions.AsNoTracking().Where(r => r.Outcome == Outcome.Failed)
            .OrderByDescending(r => r.RequestInAt).Take(20).ToArrayAsync(cancellationToken));

    /// <summary>The dashboard: one page, no build step, reading the JSON above.</summary>
    private static readonly Lazy<string> Page = new(() =>
    {
        using var stream = typeof(OpsApi).Assembly.GetManifestResourceStream("LgspHub.Gateway.Operations.ops.html")
            ?? throw new InvalidOperationException("The ops page is not embedded.");
        return new StreamReader(stream).ReadToEnd();
    });

    public static bool TryParseWindow(string text, out TimeSpan window)
    {
        window = default;
        if (text.Length < 2 || !int.TryParse(text.AsSpan(0, text.Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var amount))
            return false;
        window = text[^1] switch
        {
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            _ => TimeSpan.Zero,
        };
        return window >= MinWindow && window <= MaxWindow;
    }
}
