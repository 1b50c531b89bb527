using LgspHub.Contracts;

namespace LgspHub.LocalHub.Tests;

/// <summary>Each host where the AppHost, the command line, the benchmarks and the tests look for it: its project, its launch profile's port, its settings.</summary>
public sealed class HubRepositoryTests
{
    private static readonly HubRepository Repository = HubRepository.Find();

    [Fact]
    public void Every_host_of_the_hub_has_its_project_and_a_port_of_its_own()
    {
        Assert.Equal([HubHost.GatewayName, .. HubAgencies.All], Repository.Hosts.Select(h => h.Name));
        Assert.All(Repository.Hosts, host => Assert.True(File.Exists(host.ProjectFile), $"{host.Name}: no {host.ProjectFile}"));
        Assert.Equal("LgspHub.CivilStatus", Repository.Host(HubAgencies.CivilStatus).ProjectName);
        Assert.Equal(5080, Repository.Gateway.Port);
        Assert.Equal(Repository.Hosts.Count, Repository.Hosts.Select(h => h.Port).Distinct().Count());
    }

    [Fact]
    public void Further_instances_of_an_agency_listen_ten_ports_up_each()
    {
        var population = Repository.Host(HubAgencies.Population);

        Assert.Equal(population.Port + 10, population.InstancePort(2));
        Assert.Equal("population-2", population.InstanceName(2));
        Assert.Equal("population", population.InstanceName(1));
    }

    [Fact]
    public void A_development_setting_is_read_by_its_configuration_key()
    {
        Assert.False(string.IsNullOrEmpty(Repository.Gateway.DevelopmentSetting("Lgsp:AgencyCredentials:OperatorKey")));
        Assert.Null(Repository.Gateway.DevelopmentSetting("Lgsp:NoSuchSetting"));
    }

    [Fact]
    public void The_repository_is_found_above_a_build_and_nowhere_else()
    {
        Assert.Equal(Repository.Root, HubRepository.FindAbove(Path.Combine(Repository.Root, "tools", "LgspHub.Cli", "bin"))?.Root);
        Assert.Null(HubRepository.FindAbove(Path.GetTempPath()));
    }
}
