using Microsoft.Extensions.Configuration;

namespace LgspHub.AppHost;

/// <summary>
/// What may change between runs of the one hub, from the AppHost's configuration (command line, environment):
/// <c>Hub:Instances:population=2</c>, <c>Hub:DataDirectory</c>, <c>Hub:Seed:Citizens</c> (and the seed's other
/// settings, given to every agency), <c>Hub:DynamicPorts=true</c> (a test's hub beside a running one), and <c>ConnectionStrings:rabbitmq</c> with <c>Hub:BrokerManagementUrl</c> for a broker of one's own
/// (otherwise the AppHost runs Debian's rabbitmq-server as the hub's private node).
/// </summary>
public sealed record HubSettings(
    IReadOnlyDictionary<string, int> Instances,
    string DataDirectory,
    bool DynamicPorts,
    string? BrokerUrl,
    string? BrokerManagementUrl,
    string StateDirectory,
    string RepositoryRoot,
    IReadOnlyDictionary<string, string> Seed)
{
    public const string Section = "Hub";

    public int InstancesOf(string agency) => Instances.TryGetValue(agency, out var count) ? count : 1;

    public static HubSettings From(IConfiguration configuration, string appHostDirectory)
    {
        var hub = configuration.GetSection(Section);
        var repository = Path.GetFullPath(Path.Combine(appHostDirectory, "..", ".."));
        // Everything a run creates lives under <repo>/.lgsp/ (git-ignored), as with ./lgsp.
        var state = Path.GetFullPath(hub["StateDirectory"] ?? Path.Combine(repository, ".lgsp"));
        var instances = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in hub.GetSection("Instances").GetChildren())
        {
            if (HubHosts.Agencies.All(a => a.Name != entry.Key))
                throw new InvalidOperationException($"Hub:Instances: '{entry.Key}' is not an agency ({string.Join(", ", HubHosts.Agencies.Select(a => a.Name))}).");
            if (!int.TryParse(entry.Value, out var count) || count is < 1 or > 9)
                throw new InvalidOperationException($"Hub:Instances:{entry.Key}: '{entry.Value}' is not a count from 1 to 9.");
            instances[entry.Key] = count;
        }
        var brokerUrl = configuration.GetConnectionString("rabbitmq");
        var management = hub["BrokerManagementUrl"];
        if (brokerUrl is not null && management is null)
            throw new InvalidOperationException("ConnectionStrings:rabbitmq names a broker of your own: give its management API too, as Hub:BrokerManagementUrl (http://user:password@host:15672).");
        return new HubSettings(instances, Path.GetFullPath(hub["DataDirectory"] ?? Path.Combine(state, "data")),
            hub.GetValue("DynamicPorts", false), brokerUrl, management, state, repository,
            hub.GetSection("Seed").GetChildren().Where(s => s.Value is not null).ToDictionary(s => s.Key, s => s.Value!, StringComparer.Ordinal));
    }
}
