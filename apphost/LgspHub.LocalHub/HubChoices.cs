using LgspHub.Contracts;

namespace LgspHub.LocalHub;

/// <summary>
/// What a run of the hub may be asked for, checked alike by <c>./lgsp up</c> (--instances, --agency) and by the AppHost
/// (Hub:Instances, Hub:OwnAgencies): each names the setting in its own words around these rules.
/// </summary>
public static class HubChoices
{
    /// <summary>The most instances of one agency a run starts (each further one is a process on the same machine).</summary>
    public const int MostInstances = 4;

    /// <summary>Null for an agency of the hub; else why the name is refused.</summary>
    public static string? NotAnAgency(string name) =>
        HubAgencies.All.Contains(name) ? null : $"'{name}' is not an agency ({string.Join(", ", HubAgencies.All)})";

    /// <summary>"1" to "4" as a count of instances; null for anything else ("+2", " 2", "02", "5").</summary>
    public static int? InstanceCount(string? value) =>
        value is [var digit] && digit >= '1' && digit <= (char)('0' + MostInstances) ? digit - '0' : null;

    /// <summary>http(s)://host:port, the base URL of a system of one's own, as the hub names it (no path, no trailing slash); null if it is not one.</summary>
    public static string? SystemBaseUrl(string? value) =>
        value is not null && value.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(value, UriKind.Absolute, out var url)
            && url.Scheme is "http" or "https" && url.PathAndQuery == "/"
            ? url.GetLeftPart(UriPartial.Authority)
            : null;
}
