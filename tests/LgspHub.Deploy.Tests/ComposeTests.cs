using System.Text.RegularExpressions;

namespace LgspHub.Deploy.Tests;

/// <summary>deploy/compose.yaml against the code: hosts, ports, settings, the gateway's clusters, the broker cluster.</summary>
public partial class ComposeTests
{
    private static readonly ComposeFile Compose = ComposeFile.Hub;

    [Fact]
    public void The_hosts_found_in_the_code_agree_with_the_hub_s_list_and_with_the_gateway_clusters()
    {
        Assert.Equal(5, HubCode.Hosts.Count);
        // LgspHub.LocalHub's list, which the AppHost, ./lgsp and the end-to-end tests run: the same hosts, projects and ports.
        Assert.Equal(
            LgspHub.LocalHub.HubRepository.Find().Hosts.Select(h => (h.Name, Path.GetRelativePath(Repo.Root, h.ProjectDirectory), h.Port)).Order(),
            HubCode.Hosts.Select(h => (h.Name, h.Project, h.Port)).Order());
        // One cluster per agency, named after it: the gateway makes the rest (fault injection's) from these.
        Assert.Equal(HubCode.Agencies.Select(a => a.Name).Order(), HubCode.GatewayClusters.Keys.Order());
        // The gateway's own configuration sends each agency's traffic to its launch profile's port.
        Assert.All(HubCode.Agencies, agency => Assert.Equal(agency.Port, new Uri(HubCode.GatewayClusters[agency.Name]["primary"]).Port));
    }

    [Fact]
    public void Every_host_of_the_hub_runs_from_an_image_built_from_its_own_project()
    {
        Assert.All(HubCode.Hosts, host => Assert.Contains(Compose.Instances, i => i.Host == host));
        foreach (var (name, service) in Compose.Services.Where(s => s.Value.At("build") is not null))
        {
            var project = service.Text("build", "args", "PROJECT");
            Assert.True(HubCode.HostOfProject(project) is not null, $"{name} builds {project}, which is no host of the hub");
            Assert.Equal("..", service.Text("build", "context"));
            Assert.True(File.Exists(Path.Combine(Repo.PathOf("deploy"), service.Text("build", "context")!, service.Text("build", "dockerfile")!)), $"{name}: no such Dockerfile");
        }
    }

    [Fact]
    public void Each_instance_listens_on_its_host_s_default_port()
    {
        foreach (var instance in Compose.Instances)
        {
            var service = Compose.Services[instance.Name];
            Assert.Equal($"http://+:{instance.Host.Port}", instance.Environment["ASPNETCORE_URLS"]);
            if (service.Text("build", "args", "PORT") is { } port)
                Assert.Equal(instance.Host.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), port);
            // Published on loopback only; a second instance takes another host port, never another container port.
            Assert.All(service.Texts("ports"), published =>
            {
                Assert.StartsWith("127.0.0.1:", published, StringComparison.Ordinal);
                Assert.EndsWith(":" + instance.Host.Port, published, StringComparison.Ordinal);
            });
        }
        Assert.Contains("127.0.0.1:5080:5080", Compose.Services["gateway"].Texts("ports"));
    }

    [Fact]
    public void Population_runs_as_two_instances_on_the_same_queues_and_the_same_database()
    {
        var population = Compose.InstancesOf("population").ToList();

        Assert.Equal(2, population.Count);
        // The same broker and queue names (they come from the agency's name): competing consumers.
        Assert.Single(population.Select(i => i.Environment["ConnectionStrings__rabbitmq"]).Distinct());
        // One database, as ./lgsp up --instances runs it: what one instance writes, the other reads.
        var dataVolume = Assert.Single(population.Select(i => ComposeFile.Volumes(Compose.Services[i.Name]).Single(v => v.Target == "/data").Source).Distinct());
        Assert.NotNull(Compose.Root.At("volumes", dataVolume));
        Assert.Single(population.Select(i => i.Environment["ConnectionStrings__database"]).Distinct());
        // The second waits for the first to have created and seeded it.
        Assert.Equal("service_healthy", Compose.Services["population-2"].Text("depends_on", "population-1", "condition"));
    }

    [Fact]
    public void Every_agency_seeds_the_same_synthetic_province()
    {
        var seeds = Compose.Instances.Where(i => !i.Host.IsGateway)
            .Select(i => (i.Environment.GetValueOrDefault("Seed__Value"), i.Environment.GetValueOrDefault("Seed__Citizens"))).Distinct().ToList();

        var seed = Assert.Single(seeds);
        Assert.NotNull(seed.Item1);
        Assert.NotNull(seed.Item2);
    }

    [Fact]
    public void Each_instance_keeps_its_sqlite_database_on_a_named_volume()
    {
        foreach (var instance in Compose.Instances)
        {
            var database = DataSource().Match(instance.Environment.GetValueOrDefault("ConnectionStrings__database") ?? "");
            Assert.True(database.Success, $"{instance.Name}: ConnectionStrings__database is not a SQLite Data Source");
            var folder = Path.GetDirectoryName(database.Groups[1].Value)!;
            var volume = ComposeFile.Volumes(Compose.Services[instance.Name]).SingleOrDefault(v => v.Target == folder);
            Assert.True(volume.Source is not null, $"{instance.Name}: {folder} is not a volume, the database would die with the container");
            Assert.NotNull(Compose.Root.At("volumes", volume.Source));
        }
    }

    [Fact]
    public void The_gateway_sends_every_cluster_of_its_configuration_to_running_instances()
    {
        var gateway = Compose.InstancesOf("gateway").Single();

        var destinations = GatewayDestinations.Of(gateway.Environment);
        foreach (var (cluster, configured) in HubCode.GatewayClusters)
        {
            // Every destination of appsettings.json is replaced: a 127.0.0.1 one left behind would point nowhere.
            Assert.True(destinations.TryGetValue(cluster, out var deployed), $"cluster {cluster} keeps its 127.0.0.1 destinations");
            Assert.All(configured.Keys, name => Assert.True(deployed!.ContainsKey(name), $"{cluster}: destination {name} is not replaced"));
            var agency = HubCode.Host(cluster);
            foreach (var address in deployed!.Values.Select(a => new Uri(a)))
            {
                var target = Compose.Instances.SingleOrDefault(i => i.Name == address.Host);
                Assert.True(target?.Host == agency, $"{cluster} → {address}: no {agency.Name} service of that name");
                Assert.Equal(agency.Port, address.Port);
            }
        }
        // Scale-out: one destination per population instance, so YARP balances and health-checks each.
        Assert.Equal(Compose.InstancesOf("population").Select(i => i.Name).Order(), destinations["population"].Values.Select(a => new Uri(a).Host).Order());
    }

    [Fact]
    public void Healthchecks_ask_each_host_whether_it_is_ready()
    {
        foreach (var instance in Compose.Instances)
            Assert.Equal(["CMD", "lgsp-probe", "/health/ready"], Compose.Services[instance.Name].Texts("healthcheck", "test"));
        Assert.All(Compose.RabbitMqNodes, node => Assert.NotEmpty(node.Service.Texts("healthcheck", "test")));
    }

    [Fact]
    public void RabbitMq_runs_three_nodes_that_find_each_other_share_a_cookie_and_load_the_quorum_definitions()
    {
        var nodes = Compose.RabbitMqNodes.ToList();
        var conf = Repo.Read("deploy", "compose", "rabbitmq.conf");

        Assert.Equal(3, nodes.Count);
        Assert.Equal("classic_config", Broker.Setting(conf, "cluster_formation.peer_discovery_backend"));
        Assert.Equal(nodes.Select(n => "rabbit@" + n.Service.Text("hostname")), Broker.ClassicConfigNodes(conf));
        Assert.Equal(nodes.Select(n => n.Name), nodes.Select(n => n.Service.Text("hostname")));
        var entrypoint = Repo.Read("deploy", "compose", "broker-entrypoint.sh");
        foreach (var (name, service) in nodes)
        {
            // Required, never defaulted: a cookie in the file would be everyone's cookie.
            var cookie = ComposeFile.Raw.Services[name].Text("environment", "RABBITMQ_ERLANG_COOKIE");
            Assert.Matches(@"^\$\{LGSP_ERLANG_COOKIE:\?[^}]+\}$", cookie);
            var mounts = ComposeFile.Volumes(service).ToList();
            Assert.Contains(("./compose/rabbitmq.conf", "/etc/rabbitmq/conf.d/20-lgsp.conf"), mounts);
            // The definitions template and the entrypoint that writes it, passwords filled in, where load_definitions reads.
            Assert.Contains(("./compose/definitions.json", "/etc/lgsp/definitions.json"), mounts);
            Assert.Contains(("./compose/broker-entrypoint.sh", "/etc/lgsp/broker-entrypoint.sh"), mounts);
            Assert.Equal(["bash", "/etc/lgsp/broker-entrypoint.sh"], service.Texts("entrypoint"));
            Assert.Contains($"template=\"${{LGSP_DEFINITIONS_TEMPLATE:-/etc/lgsp/definitions.json}}\"", entrypoint, StringComparison.Ordinal);
            Assert.Contains($"target=\"${{LGSP_DEFINITIONS:-{Broker.Setting(conf, "load_definitions")}}}\"", entrypoint, StringComparison.Ordinal);
            Assert.Contains(mounts, m => m.Target == "/var/lib/rabbitmq" && Compose.Root.At("volumes", m.Source) is not null);
            Assert.Contains("rabbitmq", service.Texts("networks", "hub", "aliases"));
        }
        Assert.Equal("quorum", Broker.Definitions.DefaultQueueType("/"));
    }

    [Fact]
    public void Agencies_and_the_gateway_reach_the_cluster_as_users_of_the_definitions()
    {
        var broker = ComposeFile.EnvironmentOf(Compose.RabbitMqNodes.First().Service);
        Broker.AssertAgenciesConnect(Compose.Instances, brokerHost: "rabbitmq", broker);
        Broker.AssertGatewayReadsManagementApi(Compose.InstancesOf("gateway").Single(), brokerHost: "rabbitmq", broker);
        // The land agency calls population through the gateway service.
        Assert.Equal("http://gateway:5080", Compose.InstancesOf("land").Single().Environment["Gateway__Url"]);
    }

    [Fact]
    public void Every_variable_given_to_a_host_is_a_setting_that_host_reads()
    {
        Assert.Empty(ConfigurationSurface.Refused(Compose.Instances));
    }

    [Fact]
    public void The_settings_check_refuses_a_misspelt_or_unknown_variable()
    {
        var gateway = ConfigurationSurface.Of(HubCode.Host("gateway"));
        var population = ConfigurationSurface.Of(HubCode.Host("population"));

        Assert.Null(gateway.Refuses("Lgsp__Ops__BrokerManagementUrl"));
        Assert.Null(population.Refuses("Seed__Citizens"));
        Assert.NotNull(gateway.Refuses("Lgsp__Ops__BrokerManagmentUrl"));
        Assert.NotNull(gateway.Refuses("ReverseProxy__Clusters__census__Destinations__primary__Address"));
        Assert.NotNull(population.Refuses("ConnectionStrings__rabbit"));
        Assert.NotNull(population.Refuses("Seed__Citizen"));
    }

    [Fact]
    public void The_optional_prometheus_scrapes_every_instance_and_loads_the_hub_s_rules()
    {
        var prometheus = Compose.Services["prometheus"];
        var config = Yaml.LoadAll(Repo.PathOf("deploy", "compose", "prometheus.yml")).Single();
        var targets = config.List("scrape_configs").SelectMany(job => job.List("static_configs").SelectMany(c => c.Texts("targets"))).ToList();

        Assert.Equal(["observability"], prometheus.Texts("profiles"));
        Assert.All(Compose.Instances, i => Assert.Contains($"{i.Name}:{i.Host.Port}", targets));
        Assert.Contains(("./prometheus/lgsp-slo.rules.yml", "/etc/prometheus/lgsp-slo.rules.yml"), ComposeFile.Volumes(prometheus));
        Assert.Equal(["lgsp-slo.rules.yml"], config.Texts("rule_files"));
    }

    [Fact]
    public void The_optional_grafana_provisions_the_compose_prometheus_and_the_hub_s_dashboard()
    {
        var grafana = Compose.Services["grafana"];
        var provisioning = Repo.PathOf("deploy", "grafana", "provisioning");
        var source = Assert.Single(Yaml.LoadAll(Path.Combine(provisioning, "datasources", "lgsp-prometheus.yaml")).Single().List("datasources"));
        var provider = Assert.Single(Yaml.LoadAll(Path.Combine(provisioning, "dashboards", "lgsp.yaml")).Single().List("providers"));
        var scrapes = Yaml.LoadAll(Repo.PathOf("deploy", "compose", "prometheus.yml")).Single();
        var volumes = ComposeFile.Volumes(grafana).ToList();

        Assert.Equal(["observability"], grafana.Texts("profiles"));
        Assert.All(grafana.Texts("ports"), published => Assert.StartsWith("127.0.0.1:", published, StringComparison.Ordinal));
        Assert.Contains(("./grafana/provisioning", "/etc/grafana/provisioning"), volumes);
        Assert.Contains(("./grafana/lgsp-dashboard.json", $"{provider.Text("options", "path")}/lgsp-dashboard.json"), volumes);
        Assert.All(volumes, v => Assert.True(Path.Exists(Path.Combine(Repo.PathOf("deploy"), v.Source)), $"{v.Source} is missing"));
        Assert.Equal("file", provider.Text("type"));
        // The compose Prometheus by its service name and its own port; $__rate_interval follows its scrape interval.
        Assert.Equal(("prometheus", "true", "http://prometheus:9090"), (source.Text("type"), source.Text("isDefault"), source.Text("url")));
        Assert.Contains("127.0.0.1:9090:9090", Compose.Services["prometheus"].Texts("ports"));
        Assert.Equal(scrapes.Text("global", "scrape_interval"), source.Text("jsonData", "timeInterval"));
    }

    [Fact]
    public async Task The_compose_scrape_configuration_is_valid_for_promtool_with_the_hub_s_rules()
    {
        // Laid out as the container sees it: the configuration and the rules side by side.
        var folder = Directory.CreateTempSubdirectory("lgsp-prometheus-").FullName;
        try
        {
            File.Copy(Repo.PathOf("deploy", "compose", "prometheus.yml"), Path.Combine(folder, "prometheus.yml"));
            File.Copy(Repo.PathOf("deploy", "prometheus", "lgsp-slo.rules.yml"), Path.Combine(folder, "lgsp-slo.rules.yml"));

            var (exitCode, output) = await Repo.RunAsync("promtool", folder, TimeSpan.FromSeconds(60), "check", "config", "prometheus.yml");

            Assert.True(exitCode == 0, output);
            Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [GeneratedRegex(@"^Data Source=(/\S+\.db)$")]
    private static partial Regex DataSource();
}

/// <summary>The gateway's cluster destinations set through ReverseProxy__Clusters__&lt;id&gt;__Destinations__&lt;name&gt;__Address.</summary>
internal static partial class GatewayDestinations
{
    public static Dictionary<string, Dictionary<string, string>> Of(IReadOnlyDictionary<string, string> environment) =>
        environment.Select(e => (Match: Destination().Match(e.Key), e.Value)).Where(e => e.Match.Success)
            .GroupBy(e => e.Match.Groups[1].Value)
            .ToDictionary(g => g.Key, g => g.ToDictionary(e => e.Match.Groups[2].Value, e => e.Value));

    [GeneratedRegex("^ReverseProxy__Clusters__([^_]+(?:_[^_]+)*)__Destinations__([^_]+)__Address$")]
    private static partial Regex Destination();
}
