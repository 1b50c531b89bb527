using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LgspHub.Faults;

/// <summary>
/// The faults an operator or a test injects into this agency while it runs. Polly's chaos strategies
/// (<see cref="HttpFaults"/>, <see cref="ConsumerFaults"/>) read <see cref="Current"/> at every request
/// and consume attempt, so a change applies at once, without a restart.
/// </summary>
public sealed partial class FaultInjection(ILogger<FaultInjection> logger)
{
    /// <summary>Configuration key: honour the X-Lgsp-Fault request header (development hubs and tests only).</summary>
    public const string AllowRequestHeaderKey = "Lgsp:Faults:AllowRequestHeader";

    private readonly Lock _changing = new();
    private FaultSettings _current = FaultSettings.Off;
    private TaskCompletionSource _outageOver = Ended();
    private int _paused;

    public FaultSettings Current => Volatile.Read(ref _current);

    /// <summary>Consume attempts waiting for the outage to end: each holds its message unacknowledged.</summary>
    public int PausedDeliveries => Volatile.Read(ref _paused);

    /// <summary>Applies a change computed from the current settings; null from <paramref name="change"/> leaves them as they are.</summary>
    /// <returns>The new settings, or null when nothing changed.</returns>
    public FaultSettings? Update(Func<FaultSettings, FaultSettings?> change)
    {
        lock (_changing)
        {
            if (change(_current) is not { } next)
                return null;
            Volatile.Write(ref _current, next);
            // Outage flips the gate the paused consumers wait on: a fresh one to wait on, or the waiters released.
            if (next.Outage && _outageOver.Task.IsCompleted)
                Volatile.Write(ref _outageOver, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            else if (!next.Outage)
                _outageOver.TrySetResult();
            LogChanged(logger, next);
            return next;
        }
    }

    /// <summary>Completes at once outside an outage; during one, when it ends or when <paramref name="cancellationToken"/> fires.</summary>
    public async Task WhenNoOutageAsync(CancellationToken cancellationToken)
    {
        var gate = Volatile.Read(ref _outageOver).Task;
        if (gate.IsCompleted)
            return;
        Interlocked.Increment(ref _paused);
        try
        {
            await gate.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _paused);
        }
    }

    private static TaskCompletionSource Ended()
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ended.SetResult();
        return ended;
    }

    [LoggerMessage(LogLevel.Warning, "Injected faults now {Settings}")]
    private static partial void LogChanged(ILogger logger, FaultSettings settings);
}

/// <summary>An agency in an injected outage is not ready, so the gateway's active health checks take it out.</summary>
public sealed class OutageHealthCheck(FaultInjection faults) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(faults.Current.Outage
            ? HealthCheckResult.Unhealthy("Injected outage (PUT /admin/faults {\"outage\": false} ends it).")
            : HealthCheckResult.Healthy());
}

public static class FaultInjectionExtensions
{
    /// <summary>Fault injection for an agency: the live settings, the outage readiness check, the HTTP and the consume faults.</summary>
    public static IHostApplicationBuilder AddFaultInjection(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FaultInjection>();
        builder.Services.AddSingleton<HttpFaults>();
        // The consume pipeline (LgspHub.Messaging's UseLgspConsumePipeline) puts every registered observer inside its retries.
        builder.Services.AddSingleton<IConsumerConfigurationObserver, ConsumerFaults>();
        builder.Services.AddHealthChecks().AddCheck<OutageHealthCheck>("injected-outage");
        return builder;
    }
}
