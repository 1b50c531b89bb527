using LgspHub.AgencyDefaults;
using LgspHub.Contracts;
using LgspHub.LocalHub;

namespace LgspHub.Benchmarks.Gateway;

/// <summary>
/// What the wrk benches need of the hub on this machine (LgspHub.LocalHub): the gateway's and the land agency's ports
/// and builds, the land agency's development key, the process ids `./lgsp up` writes to .lgsp/run, and a folder of their own.
/// </summary>
public sealed class BenchHub(HubRepository repository)
{
    public HubHost Gateway => repository.Gateway;

    public HubHost Land => repository.Host(HubAgencies.Land);

    public string Bench => Path.Combine(repository.State, "bench");

    public string Logs => repository.Logs;

    /// <summary>The gateway the hub runs: its Release build, which `./lgsp up` makes.</summary>
    public string GatewayBuild => Gateway.BuildDirectory();

    public static string GatewayDll => HubRepository.GatewayProject + ".dll";

    public static BenchHub Find() => new(HubRepository.FindAbove(AppContext.BaseDirectory)
        ?? throw new BenchException($"no LgspHub.sln above {AppContext.BaseDirectory}: run the benchmarks from their build in the repository"));

    /// <summary>The key the land agency takes from the gateway, in its development settings.</summary>
    public string LandGatewayKey()
    {
        var key = $"{AgencyAccessOptions.Section}:{nameof(AgencyAccessOptions.GatewayKey)}";
        return Land.DevelopmentSetting(key) is { Length: > 0 } value ? value : throw new BenchException($"no {key} in {Land.ProjectName}/appsettings.Development.json");
    }

    /// <summary>The process id `./lgsp up` recorded for a host of the hub (.lgsp/run/&lt;name&gt;.pid), if it did.</summary>
    public int? Pid(string instance) => HubRunFolder.ReadPid(repository.Run.PidFile(instance));

    public int? LandPid() => Pid(Land.Name);

    public int? GatewayPid() => Pid(Gateway.Name);
}

/// <summary>The bench cannot go on: said in one line, exit code 1.</summary>
public sealed class BenchException(string message) : Exception(message);
