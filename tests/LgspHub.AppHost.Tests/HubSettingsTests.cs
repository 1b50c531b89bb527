using System.Globalization;
using LgspHub.LocalHub;
using Microsoft.Extensions.Configuration;

namespace LgspHub.AppHost.Tests;

/// <summary>`dotnet run` on the AppHost with bad Hub settings stops before anything starts, naming the setting.</summary>
public sealed class HubSettingsTests
{
    [Theory]
    [InlineData("Hub:Instances:registry", "2", "Hub:Instances: 'registry' is not an agency")]
    [InlineData("Hub:Instances:population", "5", "Hub:Instances:population: '5' is not a count from 1 to 4.")]
    [InlineData("Hub:Instances:population", "+2", "Hub:Instances:population: '+2' is not a count from 1 to 4.")]
    [InlineData("Hub:OwnAgencies:land", "127.0.0.1:7000", "Hub:OwnAgencies:land: '127.0.0.1:7000' is not the system's base URL")]
    [InlineData("ConnectionStrings:rabbitmq", "amqp://127.0.0.1:5999/", "give its management API too")]
    public void A_bad_setting_is_refused_by_name(string key, string value, string problem)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(key, value)]).Build();

        var refused = Assert.Throws<InvalidOperationException>(() => HubSettings.From(configuration, AppContext.BaseDirectory));

        Assert.Contains(problem, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_agency_of_one_s_own_replaces_its_instances_and_further_instances_are_counted()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([
            new("Hub:Instances:population", "2"),
            new("Hub:OwnAgencies:land", "http://127.0.0.1:7000/"),
        ]).Build();

        var settings = HubSettings.From(configuration, AppContext.BaseDirectory);

        Assert.Equal(2, settings.InstancesOf("population"));
        Assert.Equal(1, settings.InstancesOf("civil-status"));
        Assert.Equal("http://127.0.0.1:7000", settings.OwnAgencies["land"]);

        var both = new ConfigurationBuilder().AddInMemoryCollection([new("Hub:Instances:land", "1"), new("Hub:OwnAgencies:land", "http://127.0.0.1:7000")]).Build();
        Assert.Contains("the agency is your system", Assert.Throws<InvalidOperationException>(() => HubSettings.From(both, AppContext.BaseDirectory)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_agency_has_a_sqlite_file_of_its_own_or_a_database_of_its_own_on_the_postgres_server_named()
    {
        var files = HubSettings.From(new ConfigurationBuilder().AddInMemoryCollection([new("Hub:DataDirectory", "/srv/hub")]).Build(), AppContext.BaseDirectory);
        var server = HubSettings.From(new ConfigurationBuilder().AddInMemoryCollection([
            new("ConnectionStrings:postgres", "Host=db.example;Port=5432;Username=lgsp;Password=secret"),
        ]).Build(), AppContext.BaseDirectory);

        Assert.Equal("Data Source=/srv/hub/civil-status.db", files.DatabaseOf("civil-status"));
        var civilStatus = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = server.DatabaseOf("civil-status") };
        Assert.Equal("lgsp_civil_status", civilStatus["Database"]);
        Assert.Equal("db.example", civilStatus["Host"]);
        Assert.Equal("secret", civilStatus["Password"]);
    }

    [Fact]
    public void The_hubs_own_server_gives_each_host_a_database_on_it_and_is_not_taken_with_a_server_of_ones_own()
    {
        var local = HubSettings.From(new ConfigurationBuilder().AddInMemoryCollection([
            new("Hub:StateDirectory", "/srv/hub"), new("Hub:LocalPostgres", "true"),
        ]).Build(), AppContext.BaseDirectory);
        var both = new ConfigurationBuilder().AddInMemoryCollection([
            new("Hub:LocalPostgres", "true"), new("ConnectionStrings:postgres", "Host=db.example;Username=lgsp"),
        ]).Build();

        Assert.True(local.LocalPostgres);
        var gateway = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = local.DatabaseOf("gateway") };
        Assert.Equal(("127.0.0.1", PostgresCluster.Hub("/srv/hub").Port.ToString(CultureInfo.InvariantCulture), "lgsp_gateway"),
            ((string)gateway["Host"], (string)gateway["Port"], (string)gateway["Database"]));
        Assert.Contains("not both", Assert.Throws<InvalidOperationException>(() => HubSettings.From(both, AppContext.BaseDirectory)).Message, StringComparison.Ordinal);
    }
}
