using LgspHub.LocalHub;
using Microsoft.Extensions.Configuration;

namespace LgspHub.AppHost;

/// <summary>
/// What may change between runs of the one hub, from the AppHost's configuration (command line, environment):
/// <c>Hub:Instances:population=2</c>; <c>Hub:OwnAgencies:land=http://127.0.0.1:7000</c>, a system of one's own in place
/// of the mock; <c>Hub:DataDirectory</c>; <c>Hub:Seed:Citizens</c> and the seed's other settings, given to every agency;
/// <c>Hub:DynamicPorts=true</c>, for a test's hub beside a running one; <c>ConnectionStrings:rabbitmq</c> with
/// <c>Hub:BrokerManagementUrl</c>, a broker of one's own (otherwise the AppHost runs Debian's rabbitmq-server as the
/// hub's private node); <c>ConnectionStrings:postgres</c>, a PostgreSQL server for the agencies' and the gateway's databases
/// instead of SQLite files (each a database of its own on it, which the host creates), or <c>Hub:LocalPostgres=true</c>,
/// the hub's own server (<see cref="PostgresCluster.Hub"/>); <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>,
/// a collector of one's own instead of the dashboard.
/// </summary>
public sealed record HubSettings(
    IReadOnlyDictionary<string, int> Instances,
    string DataDirectory,
    bool DynamicPorts,
    string? BrokerUrl,
    string? BrokerManagementUrl,
    string StateDirectory,
    string RepositoryRoot,
    IReadOnlyDictionary<string, string> Seed,
    IReadOnlyDictionary<string, string> OwnAgencies,
    string? ExternalOtlpEndpoint,
    string? PostgresServer,
    bool LocalPostgres = false)
{
    public const string Section = "Hub";

    public int InstancesOf(string agency) => Instances.TryGetValue(agency, out var count) ? count : 1;

    /// <summary>A host's database, shared by its instances: lgsp_civil_status on the PostgreSQL server, else civil-status.db.</summary>
    public string DatabaseOf(string host)
    {
        if (PostgresServer is null)
            return $"Data Source={Path.Combine(DataDirectory, host + ".db")}";
        var server = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = PostgresServer };
        server["Database"] = "lgsp_" + host.Replace('-', '_');
        return server.ConnectionString;
    }

    public static HubSettings From(IConfiguration configuration, string appHostDirectory)
    {
        var hub = configuration.GetSection(Section);
        var repository = Path.GetFullPath(Path.Combine(appHostDirectory, "..", ".."));
        // Everything a run creates lives under <repo>/.lgsp/ (git-ignored), as with ./lgsp.
        var state = Path.GetFullPath(hub["StateDirectory"] ?? Path.Combine(repository, ".lgsp"));
        var instances = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in hub.GetSection("Instances").GetChildren())
        {
            if (HubChoices.NotAnAgency(entry.Key) is { } notAnAgency)
                throw new InvalidOperationException($"Hub:Instances: {notAnAgency}.");
            instances[entry.Key] = HubChoices.InstanceCount(entry.Value)
                ?? throw new InvalidOperationException($"Hub:Instances:{entry.Key}: '{entry.Value}' is not a count from 1 to {HubChoices.MostInstances}.");
        }
        var own = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in hub.GetSection("OwnAgencies").GetChildren())
        {
            if (HubChoices.NotAnAgency(entry.Key) is { } notAnAgency)
                throw new InvalidOperationException($"Hub:OwnAgencies: {notAnAgency}.");
            var url = HubChoices.SystemBaseUrl(entry.Value)
                ?? throw new InvalidOperationException($"Hub:OwnAgencies:{entry.Key}: '{entry.Value}' is not the system's base URL, http://host:port.");
            if (instances.ContainsKey(entry.Key))
                throw new InvalidOperationException($"Hub:OwnAgencies:{entry.Key} and Hub:Instances:{entry.Key}: the agency is your system, the hub starts none of it.");
            own[entry.Key] = url;
        }
        var localPostgres = hub.GetValue("LocalPostgres", false);
        var server = configuration.GetConnectionString("postgres");
        if (localPostgres && server is not null)
            throw new InvalidOperationException("Hub:LocalPostgres and ConnectionStrings:postgres: the hub runs its own server, or uses yours, not both.");
        if (localPostgres)
            server = PostgresCluster.Hub(state).ConnectionString;
        var brokerUrl = configuration.GetConnectionString("rabbitmq");
        var management = hub["BrokerManagementUrl"];
        if (brokerUrl is not null && management is null)
            throw new InvalidOperationException("ConnectionStrings:rabbitmq names a broker of your own: give its management API too, as Hub:BrokerManagementUrl (http://user:password@host:15672).");
        return new HubSettings(instances, Path.GetFullPath(hub["DataDirectory"] ?? Path.Combine(state, "data")),
            hub.GetValue("DynamicPorts", false), brokerUrl, management, state, repository,
            hub.GetSection("Seed").GetChildren().Where(setting => setting.Value is not null).ToDictionary(setting => setting.Key, setting => setting.Value!, StringComparer.Ordinal),
            own, configuration["OTEL_EXPORTER_OTLP_ENDPOINT"], server, localPostgres);
    }
}
