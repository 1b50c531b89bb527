using Yarp.ReverseProxy.Model;

namespace LgspHub.Gateway.Requests;

/// <summary>
/// What the gateway knows of the operation an endpoint serves: from a proxied route's metadata in
/// configuration, or from the metadata of the gateway's own endpoints (tokens, records, catalogue).
/// </summary>
/// <param name="ReadOnly">A lookup whatever its method (an identity verification is a POST): safe to send again.</param>
public sealed record Operation(string Name, string Service, bool PersonalData, bool ReadOnly = false)
{
    /// <summary>The endpoint's operation, worked out once per request: the rights, purpose and record checks all ask.</summary>
    public static Operation? Of(HttpContext context)
    {
        if (context.Items.TryGetValue(typeof(Operation), out var known) && context.GetEndpoint() is not null)
            return known as Operation;
        var operation = context.GetEndpoint()?.Metadata switch
        {
            { } metadata when metadata.GetMetadata<RouteModel>()?.Config is { Metadata: { } routeMetadata } => From(routeMetadata),
            { } metadata => metadata.GetMetadata<Operation>(),
            null => null,
        };
        if (context.GetEndpoint() is not null)
            context.Items[typeof(Operation)] = operation;
        return operation;
    }

    /// <summary>
    /// The service of the hub's own operations (tokens, catalogue, records, /ops, OpenAPI documents, fault injection),
    /// and the prefix of their names: records and metrics name it, the figures show it apart from the agencies'
    /// transactions, and a consumer's "*" never covers it.
    /// </summary>
    public const string HubService = "lgsp";

    /// <summary>The authorization policy that checks the consumer's rights to the endpoint's operation (Access/OperationRights.cs).</summary>
    public const string RightsPolicy = "lgsp-rights";

    /// <summary>What records, figures and metrics name a request that matched no route: the service and the operation.</summary>
    public const string Unrouted = "none";

    /// <summary>An operation of the hub itself, <c>lgsp.{name}</c>, such as <c>lgsp.read-transactions</c>.</summary>
    public static Operation Hub(string name) => new($"{HubService}.{name}", HubService, false);

    /// <summary>Whether <paramref name="name"/> names an operation of the hub itself.</summary>
    public static bool IsHub(string name) => name.StartsWith(HubService + ".", StringComparison.Ordinal);

    /// <summary>
    /// A route's operation from its metadata. Names and flags are read ignoring case, as configuration keys are:
    /// <c>"PersonalData": "True"</c> must never quietly turn the purpose check and the audit off
    /// (<see cref="RouteDeclarations"/> refuses a flag that is not a boolean).
    /// </summary>
    public static Operation? From(IReadOnlyDictionary<string, string> metadata) =>
        RouteMetadata.Get(metadata, RouteMetadata.Operation) is { Length: > 0 } name
            ? new Operation(name, name.Split('.')[0], RouteMetadata.Flag(metadata, RouteMetadata.PersonalData) ?? false,
                RouteMetadata.Flag(metadata, RouteMetadata.ReadOnly) ?? false)
            : null;
}
