using LgspHub.Contracts;
using LgspHub.Gateway.Access;
using LgspHub.Gateway.Requests;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace LgspHub.Gateway.Proxy;

public static class AgencyProxyExtensions
{
    /// <summary>After <c>LoadFromConfig(proxy)</c>: the agencies' routes of one shape, and every agency cluster's policy.</summary>
    public static IReverseProxyBuilder AddAgencies(this IReverseProxyBuilder builder, IConfiguration proxy)
    {
        builder.Services.AddSingleton<IProxyConfigProvider>(_ => new AgencyRoutes(proxy));
        return builder.AddConfigFilter<AgencyClusters>();
    }
}

/// <summary>
/// The routes every agency has alike, made from <see cref="HubAgencies.All"/> next to the configuration's own (YARP
/// merges the configurations of all its providers): each agency's OpenAPI documents, anonymous, and its fault
/// injection, <c>/lgsp/faults/{agency}</c> to the agency's <c>/admin/faults</c>. Fault injection goes to a cluster of
/// its own, <c>{agency}-admin</c>, with the destinations of the agency's cluster (read from the same configuration,
/// again at each reload) and none of its health checks: an agency in an injected outage fails its readiness check,
/// and must still be reached to end the outage; a change reaches each of those destinations (<see cref="EveryInstance"/>).
/// </summary>
/// <param name="proxy">The section YARP loads the rest from (<c>ReverseProxy</c>).</param>
public sealed class AgencyRoutes(IConfiguration proxy) : IProxyConfigProvider, IDisposable
{
    public const string FaultsPath = "/lgsp/faults";
    private readonly Lock _lock = new();
    private Snapshot? _current;
    private IDisposable? _reloads;

    public static string AdminCluster(string agency) => $"{agency}-admin";

    public IProxyConfig GetConfig()
    {
        lock (_lock)
        {
            if (_current is null)
            {
                _current = Build();
                _reloads = ChangeToken.OnChange(proxy.GetReloadToken, Reload);
            }
            return _current;
        }
    }

    public void Dispose()
    {
        _reloads?.Dispose();
        _current?.Changes.Dispose();
    }

    private void Reload()
    {
        Snapshot previous;
        lock (_lock)
        {
            previous = _current!;
            _current = Build();
        }
        previous.Changes.Cancel();   // YARP then asks for the new one
    }

    private Snapshot Build() => new(
        [.. HubAgencies.All.SelectMany(agency => new[] { OpenApiRoute(agency), FaultsRoute(agency) })],
        [.. HubAgencies.All.Select(AdminClusterOf)]);

    private static RouteConfig OpenApiRoute(string agency) => new()
    {
        RouteId = $"{agency}.openapi",
        ClusterId = agency,
        AuthorizationPolicy = "anonymous",   // a contract: it holds no data
        Match = new RouteMatch { Path = $"/api/{agency}/openapi/{{**document}}", Methods = [HttpMethods.Get] },
        Metadata = new Dictionary<string, string> { [RouteMetadata.Operation] = Operation.Hub("read-openapi").Name },
    };

    private static RouteConfig FaultsRoute(string agency) => new RouteConfig
    {
        RouteId = $"{FaultHeaderTransform.Right}.{agency}",
        ClusterId = AdminCluster(agency),
        AuthorizationPolicy = Operation.RightsPolicy,
        Match = new RouteMatch { Path = $"{FaultsPath}/{agency}", Methods = [HttpMethods.Get, HttpMethods.Put, HttpMethods.Delete] },
        Metadata = new Dictionary<string, string>
        {
            [RouteMetadata.Operation] = FaultHeaderTransform.Right,
            [RouteMetadata.EveryInstance] = "true",
        },
    }.WithTransformPathSet("/admin/faults");

    private ClusterConfig AdminClusterOf(string agency) => new()
    {
        ClusterId = AdminCluster(agency),
        Metadata = new Dictionary<string, string>
        {
            [AgencyCredentialTransform.AgencyMetadata] = agency,
            [AgencyCredentialTransform.CredentialMetadata] = AgencyCredentialTransform.OperatorCredential,
        },
        HttpRequest = new() { ActivityTimeout = AgencyClusters.ActivityTimeout },
        Destinations = proxy.GetSection($"Clusters:{agency}:Destinations").GetChildren().ToDictionary(
            destination => destination.Key,
            destination => new DestinationConfig { Address = destination["Address"] ?? "", Host = destination["Host"] },
            StringComparer.OrdinalIgnoreCase),
    };

    private sealed class Snapshot(IReadOnlyList<RouteConfig> routes, IReadOnlyList<ClusterConfig> clusters) : IProxyConfig
    {
        public CancellationTokenSource Changes { get; } = new();

        public IReadOnlyList<RouteConfig> Routes => routes;

        public IReadOnlyList<ClusterConfig> Clusters => clusters;

        public IChangeToken ChangeToken => new CancellationChangeToken(Changes.Token);
    }
}
