using LgspHub.Contracts;
using LgspHub.Gateway.Access;
using LgspHub.Gateway.Proxy;
using LgspHub.Gateway.Requests;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;

namespace LgspHub.Gateway.Tests;

public class AgencyConfigTests
{
    private const string SecondPopulation = "http://127.0.0.1:5111/";

    [Fact]
    public void Every_agency_cluster_is_health_checked_and_its_fault_route_reaches_every_destination_without_health_checks()
    {
        using var host = new GatewayHost(new Dictionary<string, string>
        {
            // A second instance, set once, as ./lgsp up --instances and compose do.
            ["ReverseProxy:Clusters:population:Destinations:population-2:Address"] = SecondPopulation,
        });
        using var client = host.CreateClient();
        var proxy = host.Services.GetRequiredService<IProxyStateLookup>();

        foreach (var agency in HubAgencies.All)
        {
            Assert.True(proxy.TryGetCluster(agency, out var cluster), agency);
            var config = cluster.Model.Config;
            Assert.Equal(agency, config.Metadata?[AgencyCredentialTransform.AgencyMetadata]);
            var active = Assert.IsType<ActiveHealthCheckConfig>(config.HealthCheck?.Active);
            Assert.True(active.Enabled);
            Assert.Equal("/health/ready", active.Path);
            Assert.Equal(TimeSpan.FromSeconds(5), active.Interval);
            Assert.True(config.HealthCheck?.Passive?.Enabled);
            Assert.Equal(TimeSpan.FromSeconds(10), config.HttpRequest?.ActivityTimeout);

            Assert.True(proxy.TryGetRoute($"lgsp.inject-faults.{agency}", out var faults), agency);
            Assert.Equal(Operation.RightsPolicy, faults.Config.AuthorizationPolicy);
            Assert.Equal(FaultHeaderTransform.Right, faults.Config.Metadata?[RouteMetadata.Operation]);
            Assert.Equal("true", faults.Config.Metadata?[RouteMetadata.EveryInstance]);
            Assert.Equal($"/lgsp/faults/{agency}", faults.Config.Match.Path);
            // An agency in an outage fails its health checks: its fault route must still reach it, every instance of it.
            var admin = faults.Cluster!.Model.Config;
            Assert.NotEqual(agency, admin.ClusterId);
            Assert.Null(admin.HealthCheck);
            Assert.Equal(AgencyCredentialTransform.OperatorCredential, admin.Metadata?[AgencyCredentialTransform.CredentialMetadata]);
            Assert.Equal(agency, admin.Metadata?[AgencyCredentialTransform.AgencyMetadata]);
            Assert.Equal(config.Destinations!.ToDictionary(d => d.Key, d => d.Value.Address), admin.Destinations!.ToDictionary(d => d.Key, d => d.Value.Address));

            Assert.True(proxy.TryGetRoute($"{agency}.openapi", out var openApi), agency);
            Assert.Equal("anonymous", openApi.Config.AuthorizationPolicy);
            Assert.Equal(agency, openApi.Config.ClusterId);
        }
        Assert.True(proxy.TryGetCluster(AgencyRoutes.AdminCluster(HubAgencies.Population), out var populationAdmin));
        Assert.Equal(SecondPopulation, populationAdmin.Model.Config.Destinations!["population-2"].Address);
    }

    [Fact]
    public void What_the_configuration_sets_for_one_agency_cluster_wins_over_the_policy_of_all()
    {
        using var host = new GatewayHost(new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:land:HealthCheck:Active:Interval"] = "00:00:30",
        });
        using var client = host.CreateClient();
        var proxy = host.Services.GetRequiredService<IProxyStateLookup>();

        Assert.True(proxy.TryGetCluster(HubAgencies.Land, out var land));
        Assert.Equal(TimeSpan.FromSeconds(30), land.Model.Config.HealthCheck?.Active?.Interval);
        Assert.True(land.Model.Config.HealthCheck?.Active?.Enabled);
        Assert.True(proxy.TryGetCluster(HubAgencies.Population, out var population));
        Assert.Equal(TimeSpan.FromSeconds(5), population.Model.Config.HealthCheck?.Active?.Interval);
    }

    [Fact]
    public void A_reload_of_the_configuration_gives_the_fault_routes_the_agencies_new_destinations()
    {
        var source = new Dictionary<string, string?> { ["Clusters:land:Destinations:primary:Address"] = "http://127.0.0.1:5103" };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(source).Build();
        using var routes = new AgencyRoutes(configuration);
        var before = routes.GetConfig();

        configuration["Clusters:land:Destinations:land-2:Address"] = "http://127.0.0.1:5113";
        configuration.Reload();

        Assert.True(before.ChangeToken.HasChanged);
        var land = routes.GetConfig().Clusters.Single(c => c.ClusterId == AgencyRoutes.AdminCluster(HubAgencies.Land));
        Assert.Equal(["land-2", "primary"], land.Destinations!.Keys.Order());
    }
}
