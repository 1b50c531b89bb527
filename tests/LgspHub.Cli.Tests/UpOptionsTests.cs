using LgspHub.Cli.Hub;
using LgspHub.Cli.Machine;

namespace LgspHub.Cli.Tests;

/// <summary>
/// <c>./lgsp up --agency land=URL --instances population=2</c> (docs/bring-your-own-agency.md) hands the AppHost its
/// settings (AppHostTests runs what they do); bad values are refused before anything starts.
/// </summary>
public sealed class UpOptionsTests
{
    [Fact]
    public void An_agency_of_one_s_own_and_further_instances_become_the_AppHost_s_settings()
    {
        var options = UpOptions.Parse(["population=2,civil-status=3"], ["land=http://127.0.0.1:7000/"], noDashboard: true);

        Assert.Equal(
            ["Hub:Instances:population=2", "Hub:Instances:civil-status=3", "Hub:OwnAgencies:land=http://127.0.0.1:7000", "Hub:Dashboard=false"],
            options.AppHostSettings(_ => null));
    }

    [Fact]
    public void Postgres_asks_the_apphost_for_the_hubs_own_server()
    {
        Assert.Contains("Hub:LocalPostgres=true", UpOptions.Parse([], [], noDashboard: false, postgres: true).AppHostSettings(_ => null));
        Assert.DoesNotContain("Hub:LocalPostgres=true", UpOptions.Parse([], [], noDashboard: false).AppHostSettings(_ => null));
    }

    [Fact]
    public void A_broker_of_one_s_own_comes_from_the_environment_with_its_management_API()
    {
        var environment = new Dictionary<string, string> { ["LGSP_RABBITMQ_URL"] = "amqp://u:p@127.0.0.1:5999/" };

        var settings = UpOptions.Parse([], [], noDashboard: false).AppHostSettings(environment.GetValueOrDefault).ToList();

        Assert.Equal(["ConnectionStrings:rabbitmq=amqp://u:p@127.0.0.1:5999/", "Hub:BrokerManagementUrl=http://guest:guest@127.0.0.1:15672"], settings);
    }

    [Theory]
    [InlineData("", "registry=http://127.0.0.1:7000", "'registry' is not an agency")]
    [InlineData("", "land=127.0.0.1:7000", "the system's base URL")]
    [InlineData("", "land=http://127.0.0.1:7000/api", "the system's base URL")]
    [InlineData("", "land", "--agency needs a value")]
    [InlineData("land=2", "land=http://127.0.0.1:7000", "the agency is your system")]
    [InlineData("gateway=2", "", "'gateway' is not an agency")]
    [InlineData("population=5", "", "from 1 to 4 instances")]
    [InlineData("population=", "", "--instances needs a value")]
    public void Up_refuses_what_it_cannot_run(string instances, string agency, string problem)
    {
        var refused = Assert.Throws<UsageException>(() => UpOptions.Parse(instances.Length > 0 ? [instances] : [], agency.Length > 0 ? [agency] : [], noDashboard: false));

        Assert.Contains(problem, refused.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
    }
}
