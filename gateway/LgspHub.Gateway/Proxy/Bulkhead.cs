using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace LgspHub.Gateway.Proxy;

public sealed class BulkheadOptions
{
    public const string Section = "Lgsp:Proxy";

    /// <summary>Requests forwarded to one agency instance at once; more wait in the gateway.</summary>
    public int MaxInFlightPerInstance { get; set; } = 32;

    /// <summary>Requests waiting for one agency instance; past these the gateway answers 503 at once.</summary>
    public int MaxQueuedPerInstance { get; set; } = 10_000;

    /// <summary>How long a request may wait for its turn before the gateway answers 503.</summary>
    public TimeSpan MaxQueueTime { get; set; } = TimeSpan.FromSeconds(10);
}

public static class BulkheadExtensions
{
    public static IReverseProxyBuilder AddBulkhead(this IReverseProxyBuilder proxy, IConfiguration configuration)
    {
        proxy.Services.Configure<BulkheadOptions>(configuration.GetSection(BulkheadOptions.Section));
        proxy.Services.AddSingleton<Bulkhead>();
        return proxy;
    }

    /// <summary>Goes after load balancing, which leaves the request one destination.</summary>
    public static IReverseProxyApplicationBuilder UseBulkhead(this IReverseProxyApplicationBuilder proxy)
    {
        var bulkhead = proxy.ApplicationServices.GetRequiredService<Bulkhead>();
        proxy.Use(bulkhead.ForwardAsync);
        return proxy;
    }
}

/// <summary>
/// Caps the requests in flight to each agency instance and queues the rest, oldest first, in the gateway.
/// An agency handed hundreds of requests at once (a burst, or its first seconds after a start, while its
/// queries are still being compiled) shares its cores among all of them, answers none within the gateway's
/// timeout, and the timeouts throw the work away: measured here, a hub started cold and offered 400
/// requests a second answered almost nothing for 20 s. The cap leaves room for requests that wait on
/// something other than the agency's cores (land's transfers verify both parties through the gateway):
/// 8 starved those at 1,031 requests/s, 32 did not. Waiting requests hold no thread. Built on
/// System.Threading.RateLimiting's concurrency limiter, as the consumers' rate limits are.
/// </summary>
public sealed class Bulkhead(IOptions<BulkheadOptions> options)
{
    private readonly ConcurrentDictionary<string, ConcurrencyLimiter> _instances = new(StringComparer.Ordinal);

    public async Task ForwardAsync(HttpContext context, Func<Task> next)
    {
        var proxy = context.GetReverseProxyFeature();
        // After load balancing: the one destination left is where the request goes.
        if (proxy.AvailableDestinations is not [var destination])
        {
            await next();
            return;
        }
        var limiter = _instances.GetOrAdd($"{proxy.Cluster.Config.ClusterId}/{destination.DestinationId}", _ => new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.Value.MaxInFlightPerInstance,
            QueueLimit = options.Value.MaxQueuedPerInstance,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        }));
        using var lease = await AcquireAsync(limiter, context.RequestAborted);
        if (lease is not { IsAcquired: true })
        {
            await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The agency is overloaded",
                detail: $"Too many requests wait for {proxy.Cluster.Config.ClusterId}; retry shortly.").ExecuteAsync(context);
            return;
        }
        await next();
    }

    /// <summary>A turn, or null when the wait outlasted <see cref="BulkheadOptions.MaxQueueTime"/>.</summary>
    private async Task<RateLimitLease?> AcquireAsync(ConcurrencyLimiter limiter, CancellationToken requestAborted)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        timeout.CancelAfter(options.Value.MaxQueueTime);
        try
        {
            return await limiter.AcquireAsync(1, timeout.Token);
        }
        catch (OperationCanceledException) when (!requestAborted.IsCancellationRequested)
        {
            return null;
        }
    }
}
