using LgspHub.Contracts;
using LgspHub.Gateway.Access;
using Yarp.ReverseProxy.Configuration;

namespace LgspHub.Gateway.Proxy;

/// <summary>
/// The agencies are alike to the gateway but for where they run: the configuration names each agency's cluster and
/// its destinations, and this filter gives every agency cluster (<see cref="HubAgencies.All"/>) the same policy, at
/// every configuration load: active health checks on <c>/health/ready</c>, passive ones, the 10 s agency timeout and
/// the <c>Agency</c> metadata its credential is chosen by. What the configuration sets itself is kept, so one agency
/// can still differ (<c>ReverseProxy:Clusters:land:HealthCheck:Active:Interval</c>).
/// </summary>
public sealed class AgencyClusters : IProxyConfigFilter
{
    /// <summary>How long the gateway waits on an agency that has stopped sending (fault injection's timeouts hang past it).</summary>
    public static readonly TimeSpan ActivityTimeout = TimeSpan.FromSeconds(10);

    public const string ReadinessPath = "/health/ready";

    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        if (!HubAgencies.All.Contains(cluster.ClusterId))
            return new(cluster);
        var health = cluster.HealthCheck;
        var active = health?.Active ?? new ActiveHealthCheckConfig();
        var passive = health?.Passive ?? new PassiveHealthCheckConfig();
        var request = cluster.HttpRequest ?? new();
        var metadata = new Dictionary<string, string>(cluster.Metadata ?? new Dictionary<string, string>());
        metadata.TryAdd(AgencyCredentialTransform.AgencyMetadata, cluster.ClusterId);
        return new(cluster with
        {
            Metadata = metadata,
            HealthCheck = (health ?? new HealthCheckConfig()) with
            {
                Active = active with
                {
                    Enabled = active.Enabled ?? true,
                    Interval = active.Interval ?? TimeSpan.FromSeconds(5),
                    Timeout = active.Timeout ?? TimeSpan.FromSeconds(2),
                    Policy = active.Policy ?? "ConsecutiveFailures",
                    Path = active.Path ?? ReadinessPath,
                },
                // Takes an instance out as soon as connections to it fail, before its next readiness check.
                Passive = passive with
                {
                    Enabled = passive.Enabled ?? true,
                    Policy = passive.Policy ?? "TransportFailureRate",
                    ReactivationPeriod = passive.ReactivationPeriod ?? TimeSpan.FromSeconds(10),
                },
            },
            HttpRequest = request with { ActivityTimeout = request.ActivityTimeout ?? ActivityTimeout },
        });
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) => new(route);
}
