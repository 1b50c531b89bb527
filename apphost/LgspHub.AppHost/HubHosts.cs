using LgspHub.Contracts;

namespace LgspHub.AppHost;

/// <summary>One host of the hub: its name (the resource's, and the gateway's cluster's for an agency) and its project.</summary>
/// <remarks>Its port is its project's: the applicationUrl of Properties/launchSettings.json, which `dotnet run` there binds too.</remarks>
public sealed record HubHost(string Name, IProjectMetadata Project)
{
    /// <summary>The resource of its n-th instance: population, population-2, …</summary>
    public string InstanceName(int instance) => instance == 1 ? Name : $"{Name}-{instance}";

    /// <summary>Further instances listen 10 ports up each: population-2 on 5111.</summary>
    public static int InstancePort(int firstPort, int instance) => firstPort + 10 * (instance - 1);
}

/// <summary>The hosts of the hub, the one place they are listed.</summary>
public static class HubHosts
{
    public static readonly HubHost Gateway = new("gateway", new Projects.LgspHub_Gateway());

    public static readonly IReadOnlyList<HubHost> Agencies =
    [
        new(HubAgencies.Population, new Projects.LgspHub_Population()),
        new(HubAgencies.CivilStatus, new Projects.LgspHub_CivilStatus()),
        new(HubAgencies.Land, new Projects.LgspHub_Land()),
        new(HubAgencies.HealthInsurance, new Projects.LgspHub_HealthInsurance()),
    ];
}
