using LgspHub.Contracts;
using LgspHub.ServiceDefaults;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms;

namespace LgspHub.Gateway.Access;

/// <summary>
/// Section "Lgsp:AgencyCredentials": what the gateway presents to the agencies (ServiceDefaults' AgencyAccess checks
/// it), each agency its own key, so that an agency's port answers nobody but the gateway.
/// </summary>
public sealed class AgencyCredentialOptions
{
    public const string Section = "Lgsp:AgencyCredentials";

    /// <summary>Per agency (a cluster's <c>Agency</c> metadata): the agency's Lgsp:Access:GatewayKey.</summary>
    public Dictionary<string, string> GatewayKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The agencies' Lgsp:Access:OperatorKey, sent to the clusters whose metadata say <c>"Credential": "operator"</c> (fault injection).</summary>
    public string OperatorKey { get; set; } = "";
}

/// <summary>
/// A request transform on every route: the agency's credential in <c>Authorization</c>, replacing whatever the
/// caller sent there. Clusters name their agency in metadata (<c>"Agency": "land"</c>, which the agencies' own clusters
/// get from Proxy/AgencyClusters.cs); the admin clusters that forward fault changes to <c>/admin</c>
/// (Proxy/AgencyRoutes.cs) also say <c>"Credential": "operator"</c> and carry the operators' key.
/// </summary>
public static class AgencyCredentialTransform
{
    public const string AgencyMetadata = "Agency";
    public const string CredentialMetadata = "Credential";
    public const string OperatorCredential = "operator";

    public static IReverseProxyBuilder AddAgencyCredentials(this IReverseProxyBuilder proxy)
    {
        // Checked when the host starts: a cluster without a key would be forwarded to and answered 401.
        proxy.Services.AddOptions<AgencyCredentialOptions>()
            .BindConfiguration(AgencyCredentialOptions.Section)
            .ValidateOnStart();
        proxy.Services.AddSingleton<IValidateOptions<AgencyCredentialOptions>, Validation>();
        return proxy.AddTransforms(context =>
        {
            if (context.Cluster is not { } cluster)
                return;
            var agency = cluster.Metadata?.GetValueOrDefault(AgencyMetadata);
            var asOperator = cluster.Metadata?.GetValueOrDefault(CredentialMetadata) == OperatorCredential;
            var options = context.Services.GetRequiredService<IOptionsMonitor<AgencyCredentialOptions>>();
            context.AddRequestTransform(transform =>
            {
                var current = options.CurrentValue;
                var (scheme, key) = asOperator
                    ? (AgencyCredentials.OperatorScheme, current.OperatorKey)
                    : (AgencyCredentials.GatewayScheme, agency is null ? null : current.GatewayKeys.GetValueOrDefault(agency));
                // Never the caller's own value: without a key (a reload that dropped it) the agency answers 401.
                transform.ProxyRequest.Headers.Authorization = string.IsNullOrEmpty(key) ? null : AgencyCredentials.Header(scheme, key);
                return ValueTask.CompletedTask;
            });
        });
    }

    /// <summary>What the configuration lacks for the clusters it defines, or null.</summary>
    private static string? Missing(AgencyCredentialOptions options, IConfiguration configuration)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.OperatorKey))
            problems.Add($"{AgencyCredentialOptions.Section}:{nameof(AgencyCredentialOptions.OperatorKey)} (every agency's fault injection forwards to its /admin)");
        foreach (var cluster in configuration.GetSection("ReverseProxy:Clusters").GetChildren())
        {
            // An agency's cluster is named after it (Proxy/AgencyClusters.cs adds the metadata); any other names its agency.
            var agency = cluster[$"Metadata:{AgencyMetadata}"] is { Length: > 0 } named ? named
                : HubAgencies.All.Contains(cluster.Key) ? cluster.Key : null;
            if (agency is null)
                problems.Add($"ReverseProxy:Clusters:{cluster.Key}:Metadata:{AgencyMetadata} (the agency whose key the cluster presents)");
            else if (string.IsNullOrWhiteSpace(options.GatewayKeys.GetValueOrDefault(agency)))
                problems.Add($"{AgencyCredentialOptions.Section}:{nameof(AgencyCredentialOptions.GatewayKeys)}:{agency} (cluster {cluster.Key})");
        }
        return problems.Count == 0 ? null
            : $"The gateway refuses to start without: {string.Join("; ", problems.Distinct())}. Each agency answers only the key it is given " +
              "(its Lgsp:Access:GatewayKey and OperatorKey); development values are in appsettings.Development.json.";
    }

    private sealed class Validation(IConfiguration configuration) : IValidateOptions<AgencyCredentialOptions>
    {
        public ValidateOptionsResult Validate(string? name, AgencyCredentialOptions options) =>
            Missing(options, configuration) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
