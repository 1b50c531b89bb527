using System.Diagnostics;
using LgspHub.ServiceDefaults;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Polly;
using Polly.Simmy;
using Polly.Simmy.Latency;
using Polly.Simmy.Outcomes;

namespace LgspHub.Faults;

/// <summary>
/// Injects the agency's HTTP faults into its /api requests with Polly's chaos strategies, outermost first:
/// outage (every request 503), latency, error (503), timeout (a hang the caller gives up on). Each strategy's
/// generators read the live settings, and the X-Lgsp-Fault header where it is allowed. Admin, health and
/// metrics are never touched: an agency in an outage can still be brought back.
/// </summary>
public sealed class HttpFaults
{
    /// <summary>How long an injected timeout hangs: three times the gateway's 10 s agency timeout, so the gateway gives up first.</summary>
    public static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    private static readonly ResiliencePropertyKey<RequestedFaults> Requested = new("lgsp.requested-faults");
    private static readonly ResiliencePropertyKey<bool> HungKey = new("lgsp.hung");

    private readonly ResiliencePipeline<IResult?> _pipeline;
    private readonly bool _allowHeader;

    public HttpFaults(FaultInjection faults, IConfiguration configuration)
    {
        _allowHeader = configuration.GetValue<bool>(FaultInjection.AllowRequestHeaderKey);
        _pipeline = new ResiliencePipelineBuilder<IResult?>()
            .AddChaosOutcome(new ChaosOutcomeStrategyOptions<IResult?>
            {
                Name = "outage",
                EnabledGenerator = _ => ValueTask.FromResult(faults.Current.Outage),
                InjectionRate = 1,
                OutcomeGenerator = _ => Unavailable("outage", "Injected outage: this agency is down until the outage is ended."),
            })
            .AddChaosLatency(new ChaosLatencyStrategyOptions
            {
                Name = "latency",
                InjectionRateGenerator = args => ValueTask.FromResult(Asked(args.Context).Delay is null ? faults.Current.Latency.Rate : 1),
                LatencyGenerator = args => ValueTask.FromResult(Asked(args.Context).Delay ?? faults.Current.Latency.Sample(Random.Shared)),
            })
            .AddChaosOutcome(new ChaosOutcomeStrategyOptions<IResult?>
            {
                Name = "error",
                InjectionRateGenerator = args => ValueTask.FromResult(Asked(args.Context).Error ? 1 : faults.Current.ErrorRate),
                OutcomeGenerator = _ => Unavailable("error", "Injected fault: this agency is told to fail a share of its requests."),
            })
            .AddChaosLatency(new ChaosLatencyStrategyOptions
            {
                Name = "timeout",
                InjectionRateGenerator = args => ValueTask.FromResult(Asked(args.Context).Timeout ? 1 : faults.Current.TimeoutRate),
                Latency = Hang,
                // Reached only when no caller gave up in all that time (the gateway cancels after 10 s).
                OnLatencyInjected = args =>
                {
                    args.Context.Properties.Set(HungKey, true);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public async Task InvokeAsync(HttpContext http, Func<Task> next)
    {
        if (!http.Request.Path.StartsWithSegments("/api"))
        {
            await next();
            return;
        }
        var requested = RequestedFaults.None;
        if (_allowHeader && http.Request.Headers[HubHeaders.Fault] is { Count: > 0 } header)
        {
            if (FaultRequestHeader.Parse(header.ToString(), out var error) is not { } parsed)
            {
                await ApiProblems.Invalid(HubHeaders.Fault, error!).ExecuteAsync(http);
                return;
            }
            requested = parsed;
        }

        var context = ResilienceContextPool.Shared.Get(http.RequestAborted);
        context.Properties.Set(Requested, requested);
        try
        {
            var injected = await _pipeline.ExecuteAsync(static async (context, next) =>
            {
                if (context.Properties.GetValue(HungKey, false))
                    return TypedResults.Problem($"Injected timeout: no answer in {Hang.TotalSeconds:0} s.",
                        statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable");
                await next();
                return null;
            }, context, next);
            if (injected is not null)
                await injected.ExecuteAsync(http);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The caller went away (the gateway's timeout, most often): there is nobody to answer.
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static RequestedFaults Asked(ResilienceContext context) => context.Properties.GetValue(Requested, RequestedFaults.None);

    private static ValueTask<Outcome<IResult?>?> Unavailable(string fault, string detail)
    {
        // On the agency's server span, so a failed transaction's trace says the failure was injected.
        Activity.Current?.SetTag("lgsp.injected_fault", fault);
        return ValueTask.FromResult<Outcome<IResult?>?>(Polly.Outcome.FromResult<IResult?>(
            TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable")));
    }
}
