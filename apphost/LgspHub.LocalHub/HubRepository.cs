using LgspHub.Contracts;

namespace LgspHub.LocalHub;

/// <summary>
/// The repository the hub runs from: its hosts (the gateway, then the agencies in HubAgencies' order), its solution,
/// and .lgsp/ (git-ignored), which holds everything a run creates: logs, pids, SQLite files, broker data, test results.
/// </summary>
public sealed class HubRepository(string root)
{
    public string Root { get; } = root;

    public string Solution => Path.Combine(Root, "LgspHub.sln");

    public string State => Path.Combine(Root, ".lgsp");

    public string Logs => Path.Combine(State, "logs");

    /// <summary>What a running hub leaves for the command line and the benches: hub.json, each instance's pid.</summary>
    public HubRunFolder Run => new(State);

    /// <summary>The gateway's project, and its assembly: gateway/LgspHub.Gateway.</summary>
    public const string GatewayProject = "LgspHub.Gateway";

    public HubHost Gateway => new(HubHost.GatewayName, Path.Combine(Root, "gateway", GatewayProject));

    /// <summary>Each agency's project is services/LgspHub.&lt;its name in Pascal case&gt;: civil-status is LgspHub.CivilStatus.</summary>
    public IReadOnlyList<HubHost> Agencies =>
        [.. HubAgencies.All.Select(name => new HubHost(name, Path.Combine(Root, "services", "LgspHub." + string.Concat(name.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..])))))];

    public IReadOnlyList<HubHost> Hosts => [Gateway, .. Agencies];

    public HubHost Host(string name) => Hosts.Single(h => h.Name == name);

    /// <summary>The host an instance belongs to: population for population-2.</summary>
    public HubHost HostOf(string instance) => Hosts.Single(h => h.HasInstance(instance));

    /// <summary>The repository above this program's build (bin/…, or a copy under .lgsp/): the folder holding LgspHub.sln.</summary>
    public static HubRepository Find() => FindAbove(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException($"no LgspHub.sln above {AppContext.BaseDirectory}: run this from its build in the repository");

    public static HubRepository? FindAbove(string directory)
    {
        for (var folder = new DirectoryInfo(directory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "LgspHub.sln")))
                return new HubRepository(folder.FullName);
        return null;
    }
}
