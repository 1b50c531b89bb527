using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace LgspHub.Gateway.Access;

/// <summary>A token bucket per consumer, sized by its registration; 429 with Retry-After when it runs dry.</summary>
public static class ConsumerRateLimits
{
    public static IServiceCollection AddConsumerRateLimits(this IServiceCollection services) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var consumerId = context.User.ConsumerId();
                var registry = context.RequestServices.GetRequiredService<IOptionsMonitor<LgspOptions>>().CurrentValue;
                if (consumerId is null || !registry.Consumers.TryGetValue(consumerId, out var consumer))
                    return RateLimitPartition.GetNoLimiter("unauthenticated");
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
            limiter.OnRejected = async (rejected, cancellationToken) =>
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
            };
        });
}
