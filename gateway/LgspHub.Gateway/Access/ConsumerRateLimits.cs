using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using LgspHub.Gateway.Requests;

namespace LgspHub.Gateway.Access;

/// <summary>
/// A token bucket per consumer with a validated token, sized by its registration; 429 with Retry-After
/// when it runs dry. Anonymous callers (the operators' page, forged or expired tokens) share a bucket
/// per network (<see cref="CallerNetwork"/>). Calls to the token endpoint, bearer or not, have buckets per network
/// of their own: a consumer's token does not lift the limit on guessing secrets (ClientSecretChecks bounds the rest).
/// </summary>
public static class ConsumerRateLimits
{
    private const int AnonymousPerSecond = 50;
    private const int AnonymousBurst = 200;

    public static IServiceCollection AddConsumerRateLimits(this IServiceCollection services) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (LgspHub.ServiceDefaults.Extensions.IsHousekeeping(context.Request.Path) || IsTokenEndpoint(context))
                    return RateLimitPartition.GetNoLimiter("unlimited-here"); // the hub's telemetry and probes; the token endpoint has its own
                // Authentication ran before: the user is set only from a token the gateway signed and that is valid.
                var consumerId = context.User.Identity?.IsAuthenticated == true ? context.User.ConsumerId() : null;
                var registry = context.RequestServices.GetRequiredService<IConsumerRegistry>();
                if (consumerId is null || registry.Find(consumerId) is not { } consumer)
                    return Anonymous(context);
                // The limits are part of the key, so a changed registration takes effect at once.
                return RateLimitPartition.GetTokenBucketLimiter($"{consumerId}:{consumer.RequestsPerSecond}:{consumer.Burst}", _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, consumer.Burst),
                    TokensPerPeriod = Math.Max(1, consumer.RequestsPerSecond),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = RejectAsync;
        });

    /// <summary>
    /// The token endpoint's limit, by network and before authentication: OpenIddict answers token requests in the
    /// authentication middleware, so the limiter after it would never see them.
    /// </summary>
    public static WebApplication UseTokenEndpointRateLimit(this WebApplication app) =>
        (WebApplication)app.UseRateLimiter(new RateLimiterOptions
        {
            GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                IsTokenEndpoint(context) ? Anonymous(context) : RateLimitPartition.GetNoLimiter("not-the-token-endpoint")),
            OnRejected = RejectAsync,
        });

    private static bool IsTokenEndpoint(HttpContext context) => context.Request.Path.StartsWithSegments(TokenEndpoint.Path);

    private static RateLimitPartition<string> Anonymous(HttpContext context) =>
        RateLimitPartition.GetTokenBucketLimiter($"anonymous:{CallerNetwork.Of(context.Connection.RemoteIpAddress)}", _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = AnonymousBurst,
            TokensPerPeriod = AnonymousPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        var response = rejected.HttpContext.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        await rejected.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = rejected.HttpContext,
            ProblemDetails = { Status = 429, Title = "Too many requests", Detail = $"This consumer's rate limit is reached; retry after {retryAfter} s." },
        });
    }
}
