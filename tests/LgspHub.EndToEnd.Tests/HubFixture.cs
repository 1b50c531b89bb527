using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using LgspHub.Contracts;
using LgspHub.Load.Scenarios;
using LgspHub.Seeding;
using Microsoft.Data.Sqlite;

// The collections (the hub's, the hub under outages', the redelivery tests') run all at once: their tests
// mostly wait on processes and brokers, so each holds a slot while it waits.
[assembly: CollectionBehavior(MaxParallelThreads = 4)]

namespace LgspHub.EndToEnd.Tests;

/// <summary>
/// The whole hub for the end-to-end tests, started by the AppHost (through Aspire.Hosting.Testing): the gateway and
/// each agency instance a process of its own, on a real RabbitMQ broker (<see cref="TestBroker"/>), the gateway
/// passing every span on to an OTLP receiver in this process. A missing broker fails the tests; it never skips them.
/// </summary>
public class HubFixture : IAsyncLifetime
{
    private readonly string _consoleFolder;

    public HubFixture() : this(TestBroker.Suite, "hub")
    {
    }

    /// <param name="broker">The broker the hub's hosts share.</param>
    /// <param name="consoleFolder">The folder of .lgsp/test-results where the hosts' consoles are left.</param>
    protected HubFixture(TestBroker broker, string consoleFolder)
    {
        Broker = broker;
        _consoleFolder = consoleFolder;
    }

    /// <summary>The broker this hub's hosts share.</summary>
    public TestBroker Broker { get; }

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("lgsp-e2e-").FullName;
    private readonly List<HubProcess> _processes = [];
    private DistributedApplication? _app;
    private Uri _gatewayUrl = null!;
    private IReadOnlyDictionary<string, string> _agencyBrokerUrls = null!;

    public SeedOptions Seed { get; } = new() { Value = 2026, Citizens = 1200 };

    public SyntheticProvince Province => new(Seed);

    /// <summary>The citizens of one pool: tests that change people take them from their own pool, so no test disturbs another.</summary>
    public IEnumerable<SyntheticCitizen> Citizens(Pool pool) =>
        Province.Citizens().Where(c => c.Index / PoolSize == (int)pool);

    private int PoolSize => Seed.Citizens / Enum.GetValues<Pool>().Length;

    /// <summary>The load generator's citizens (its death dossiers take people of their own).</summary>
    public ProvinceRange LoadRange => new(Seed.Value, (int)Pool.Load * PoolSize, ((int)Pool.Load + 1) * PoolSize);

    /// <summary>The second instance of population: the suite runs the hub scaled out, as ./lgsp up --instances population=2 does.</summary>
    public static readonly string SecondPopulation = HubLayout.Repository.Host(HubAgencies.Population).InstanceName(2);

    /// <summary>Restarts a host and waits until the gateway routes to it again (its active health check may still mark it down).</summary>
    public async Task RestartAsync(string name, IReadOnlyDictionary<string, string>? environment = null, string healthPath = "/health/ready")
    {
        var host = Hosts[name];
        await host.RestartAsync(environment, healthPath);
        if (name == "gateway")
            return;
        await Eventually.True(async () => (await Gateway.GetAsync($"/api/{name}/openapi/v1.json")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(30), $"the gateway to route to {name} again");
    }

    public OtlpTraceReceiver Traces { get; private set; } = null!;

    public HttpClient Gateway { get; private set; } = null!;

    public IReadOnlyDictionary<string, HubProcess> Hosts => _processes.ToDictionary(p => p.Name);

    public async Task InitializeAsync()
    {
        await EnsureBrokerReachableAsync(Broker.Url);
        Traces = await OtlpTraceReceiver.StartAsync(FreePort());
        _agencyBrokerUrls = await BrokerUsers.CreateAsync(Broker.Url, Broker.ManagementUrl, HubAgencies.All);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        // The hub as ./lgsp up --instances population=2 starts it, from its one definition (apphost/LgspHub.AppHost),
        // beside a running hub: ports of its own, its data and run folder in a temporary directory, the suite's broker,
        // and what the gateway gathers passed on to this process's receiver (there is no dashboard here).
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.LgspHub_AppHost>(
        [
            "Hub:DynamicPorts=true", $"Hub:StateDirectory={_dataDirectory}", $"Hub:DataDirectory={_dataDirectory}",
            $"Hub:Instances:{HubAgencies.Population}=2",
            $"Hub:Seed:Value={Seed.Value}", $"Hub:Seed:Citizens={Seed.Citizens}",
            $"ConnectionStrings:rabbitmq={Broker.Url}", $"Hub:BrokerManagementUrl={Broker.ManagementUrl}",
            $"OTEL_EXPORTER_OTLP_ENDPOINT={Traces.Endpoint}",
        ], timeout.Token);
        var hosts = builder.Resources.OfType<ExecutableResource>().ToList();
        var settings = hosts.ToDictionary(h => h.Name, h => SuiteSettings(h.Name));
        foreach (var host in hosts)
            builder.CreateResourceBuilder(host).WithEnvironment(context =>
            {
                foreach (var (key, value) in settings[host.Name])
                    context.EnvironmentVariables[key] = value;
            });
        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        // Once started, when each resource has its orchestrator's name, under which its console is kept.
        _processes.AddRange(hosts.Select(h => new HubProcess(_app, h, settings[h.Name])));
        foreach (var host in hosts)
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(host.Name, timeout.Token);

        _gatewayUrl = Hosts[HubHost.GatewayName].Url;
        var gateway = _app.ResourceNotifications.TryGetCurrentState(HubHost.GatewayName, out var state)
            ? state.Snapshot.EnvironmentVariables
            : throw new InvalidOperationException("the gateway has no state");
        CollectorKeys = HubAgencies.All.Select(ServiceName)
            .ToDictionary(service => service, service => gateway.Single(v => v.Name == $"Lgsp__Ops__CollectorKeys__{service}").Value!);
        Gateway = await Everything.ClientAsync(_gatewayUrl);
    }

    /// <summary>The suite's settings for a host, over the AppHost's: its consumers and signing key, each agency's own broker user, short waits.</summary>
    private Dictionary<string, string> SuiteSettings(string host)
    {
        var settings = new Dictionary<string, string>
        {
            // Spans exported within a tenth of a second, for tests that wait on them; metrics left to Prometheus's scrape.
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "60000",
        };
        if (host == HubHost.GatewayName)
        {
            settings["Lgsp__Tokens__SigningKey"] = SigningKey;
            foreach (var consumer in TestConsumers)
                foreach (var (key, value) in consumer.Registration())
                    settings[key] = value;
            return settings;
        }
        settings["ConnectionStrings__rabbitmq"] = _agencyBrokerUrls[HubLayout.Repository.HostOf(host).Name];
        // Redeliveries after seconds, not minutes, so a poisoned event reaches its error queue within a test's wait.
        foreach (var (wait, i) in RedeliverySchedule.Select((wait, i) => (wait, i)))
            settings[$"Lgsp__Messaging__Redelivery__{i}"] = wait.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        return settings;
    }

    /// <summary>A consumer with every right: the tests of flows call the hub as it.</summary>
    public TestConsumer Everything { get; } = new("test.everything", ["*", "lgsp.*"]);

    /// <summary>A hospital's rights: card checks, check-ins and identity verification, nothing else.</summary>
    public TestConsumer Hospital { get; } = new("test.hospital", ["population.verify-identity", "health-insurance.check-card", "health-insurance.check-in"]);

    /// <summary>A consumer allowed two requests at once and one a second.</summary>
    public TestConsumer Throttled { get; } = new("test.throttled", ["land.*"], RequestsPerSecond: 1, Burst: 2);

    public Uri GatewayUrl => _gatewayUrl;

    /// <summary>The gateway's token signing key (PKCS#8, base64), so tests can present it with expired tokens.</summary>
    public string SigningKey { get; } = LgspHub.Gateway.Access.TokenSigningKey.NewKey();

    /// <summary>A consumer of its own for the figures test, so its counts are not mixed with other tests'.</summary>
    public TestConsumer Counted { get; } = new("test.counted", ["land.read-parcel", "population.read-citizen"]);

    /// <summary>Every agency operation ("*"), as playground.developer: "*" never covers the hub's own lgsp.* operations.</summary>
    public TestConsumer AllAgencies { get; } = new("test.all-agencies", ["*"]);

    /// <summary>As lgsp.load: every agency operation and fault injection.</summary>
    public TestConsumer FaultInjector { get; } = new("test.fault-injector", ["*", "lgsp.inject-faults"]);

    /// <summary>The load generator's own consumer in the figures test, so its counts are not mixed with other tests'.</summary>
    public TestConsumer Load { get; } = new("test.load", ["land.read-parcel"]);

    /// <summary>The consumer of the Prometheus test's scripted run (with the fault header), so its counts are its own.</summary>
    public TestConsumer Scraped { get; } = new("test.scraped", ["land.read-parcel", "population.read-citizen", "lgsp.inject-faults"]);

    private IEnumerable<TestConsumer> TestConsumers => [Everything, Hospital, Throttled, Counted, AllAgencies, FaultInjector, Load, Scraped];

    /// <summary>Each agency's key for the hub's OTLP collector, by service name: the ones the AppHost made for this run.</summary>
    public IReadOnlyDictionary<string, string> CollectorKeys { get; private set; } = null!;

    /// <summary>A host's service name (service.name on its spans): its project's name.</summary>
    public static string ServiceName(string host) => HubLayout.Repository.Host(host).ProjectName;

    /// <summary>The agencies' delayed redeliveries, short: immediate retries (about 3 s), 1 s, retries, 2 s, retries, then the error queue.</summary>
    public static readonly TimeSpan[] RedeliverySchedule = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    /// <summary>An agency's SQLite file, for tests that check what was (not) written.</summary>
    public string DatabasePath(string agency) => Path.Combine(_dataDirectory, agency + ".db");

    /// <summary>The number an agency's database answers to <paramref name="sql"/> (a SELECT COUNT), with $id bound to <paramref name="id"/>.</summary>
    public async Task<long> CountAsync(string agency, string sql, object? id = null)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath(agency)};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (id is not null)
            command.Parameters.AddWithValue("$id", id is Guid guid ? guid.ToString().ToUpperInvariant() : id);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The suite's broker as the agency's own user (deploy/compose/definitions.json), as a deployment connects it.</summary>
    public string AgencyBrokerUrl(string agency) => _agencyBrokerUrls[agency];

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task EnsureBrokerReachableAsync(Uri broker)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await client.ConnectAsync(broker.Host, broker.Port, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            throw new InvalidOperationException($"The RabbitMQ broker at {broker.Host}:{broker.Port} does not answer: the end-to-end tests need a real broker.", e);
        }
    }

    /// <summary>Where the suite leaves each host's console when it ends, to read after a failure (CI keeps nothing else).</summary>
    private string ConsoleDirectory => Path.Combine(HubLayout.Repository.State, "test-results", _consoleFolder);

    public async Task DisposeAsync()
    {
        Gateway?.Dispose();
        Directory.CreateDirectory(ConsoleDirectory);
        foreach (var process in _processes)
            await File.WriteAllTextAsync(Path.Combine(ConsoleDirectory, process.Name + ".log"), process.AllOutput);
        if (_app is not null)
            await _app.DisposeAsync();
        if (Traces is not null)
            await Traces.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}

public enum Pool
{
    /// <summary>Only read: routing and read tests.</summary>
    ReadOnly,
    /// <summary>Parents and the deceased of dossier tests.</summary>
    Dossiers,
    /// <summary>Sellers and buyers of land transfers.</summary>
    Transfers,
    /// <summary>Citizens whose details are corrected.</summary>
    Changes,
    /// <summary>The load generator's: its dossiers and transfers change people as they please.</summary>
    Load,
    /// <summary>The conformance runs': their events kill people, issue cards and correct names.</summary>
    Conformance,
}

[CollectionDefinition(Name)]
public sealed class HubTests : ICollectionFixture<HubFixture>
{
    public const string Name = "hub";
}

/// <summary>
/// A second hub, on the outage tests' own broker (<see cref="TestBroker.Outage"/>), for the tests that take parts of
/// a hub away: its broker killed and stopped, an agency killed or cut off from the broker, an instance killed. Their
/// collection runs beside the hub's, which stays whole.
/// </summary>
public sealed class OutageHubFixture() : HubFixture(TestBroker.Outage, "hub-under-outages");

[CollectionDefinition(Name)]
public sealed class OutageHubTests : ICollectionFixture<OutageHubFixture>
{
    public const string Name = "hub under outages";
}
