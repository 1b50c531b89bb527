using Yarp.ReverseProxy.Configuration;

namespace LgspHub.Gateway.Requests;

/// <summary>The metadata keys a route of the gateway's configuration may carry, and how they are read.</summary>
public static class RouteMetadata
{
    /// <summary>The operation's name, e.g. <c>population.read-citizen</c>: what rights, records and figures name.</summary>
    public const string Operation = "Operation";

    /// <summary>The operation touches personal data: purpose and officer required, every person touched audited.</summary>
    public const string PersonalData = "PersonalData";

    /// <summary>A lookup whatever its method: safe to send to another instance again.</summary>
    public const string ReadOnly = "ReadOnly";

    /// <summary>A change copied to every instance of the agency (Proxy/EveryInstance.cs).</summary>
    public const string EveryInstance = "EveryInstance";

    private static readonly string[] Flags = [PersonalData, ReadOnly, EveryInstance];

    private const string RightsPolicy = Requests.Operation.RightsPolicy;

    public static string? Get(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var value)
            ? value
            : metadata.FirstOrDefault(m => string.Equals(m.Key, key, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>A boolean flag, "true" or "false" in any case; null when absent or not a boolean.</summary>
    public static bool? Flag(IReadOnlyDictionary<string, string> metadata, string key) =>
        bool.TryParse(Get(metadata, key)?.Trim(), out var value) ? value : null;

    /// <summary>What is wrong with a route's access declaration, or nothing.</summary>
    public static IEnumerable<string> Problems(RouteConfig route)
    {
        var metadata = route.Metadata ?? new Dictionary<string, string>();
        foreach (var flag in Flags)
            if (Get(metadata, flag) is { } value && Flag(metadata, flag) is null)
                yield return $"metadata {flag} is \"{value}\", not true or false";

        var operation = Get(metadata, Operation);
        if (string.Equals(route.AuthorizationPolicy, "anonymous", StringComparison.OrdinalIgnoreCase))
        {
            if (Flag(metadata, PersonalData) is true)
                yield return "a personal-data operation cannot be anonymous";
        }
        else if (!string.Equals(route.AuthorizationPolicy, RightsPolicy, StringComparison.OrdinalIgnoreCase))
            yield return $"AuthorizationPolicy is \"{route.AuthorizationPolicy}\": declare \"{RightsPolicy}\" with metadata {Operation}, or \"anonymous\"";
        else if (string.IsNullOrWhiteSpace(operation))
            yield return $"AuthorizationPolicy \"{RightsPolicy}\" needs metadata {Operation}";
    }
}

public static class ProxyRoutes
{
    /// <summary>The routes of every configuration provider YARP merges: the configuration's and those made in code.</summary>
    public static IEnumerable<RouteConfig> Routes(this IEnumerable<IProxyConfigProvider> providers) =>
        providers.SelectMany(provider => provider.GetConfig().Routes);
}

/// <summary>
/// Deny by default at every configuration load, reloads of appsettings.json included: a route must name its
/// operation and the rights policy, or be declared anonymous. YARP refuses a configuration a filter throws on
/// (at start the gateway does not start; on a reload it keeps the configuration it had). The authorization
/// fallback policy (AccessExtensions) is the second line, for an endpoint that declares nothing.
/// </summary>
public sealed class RouteDeclarations : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel) => new(cluster);

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel)
    {
        var problems = RouteMetadata.Problems(route).ToList();
        if (problems.Count > 0)
            throw new InvalidOperationException($"Route \"{route.RouteId}\" has no valid access declaration: {string.Join("; ", problems)}.");
        return new(route);
    }
}
