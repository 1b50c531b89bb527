using LgspHub.Cli.Hub;
using LgspHub.Contracts;

namespace LgspHub.Cli.Tests;

/// <summary>The command line finds each host where the AppHost does: its project, its launch profile's port, its development settings.</summary>
public sealed class HubLayoutTests
{
    private static readonly HubLayout Layout = HubLayout.Find();

    [Fact]
    public void Every_agency_of_the_hub_has_its_project_and_port()
    {
        Assert.Equal(HubAgencies.All, Layout.Agencies.Select(a => a.Name));
        Assert.All([Layout.Gateway, .. Layout.Agencies], host => Assert.True(File.Exists(Path.Combine(host.ProjectDirectory, host.AssemblyName + ".csproj")), host.Name));
        Assert.Equal(5080, Layout.Gateway.Port);
        Assert.Equal(5, new[] { Layout.Gateway }.Concat(Layout.Agencies).Select(h => h.Port).Distinct().Count());
    }

    [Fact]
    public void A_development_setting_is_read_by_its_configuration_key()
    {
        Assert.NotEmpty(Layout.Gateway.DevelopmentSetting("Lgsp:AgencyCredentials:OperatorKey"));
        Assert.Throws<Machine.CliException>(() => Layout.Gateway.DevelopmentSetting("Lgsp:NoSuchSetting"));
    }

    [Fact]
    public void A_running_hub_s_instances_come_from_hub_json_and_an_agency_gets_every_one_of_its_own()
    {
        var state = Directory.CreateTempSubdirectory();
        try
        {
            var layout = new HubLayout(state.FullName);
            var files = new HubRunFiles(layout);
            var land = new HubHost("land", Path.Combine(Layout.Root, "services", "LgspHub.Land"));
            Assert.Equal([land.Url], files.UrlsOf(land));

            Directory.CreateDirectory(layout.Run);
            File.WriteAllText(files.ReadyFile, """{"hosts":{"gateway":"http://127.0.0.1:5080","land":"http://127.0.0.1:5103","land-2":"http://127.0.0.1:5113","land-registry":"http://127.0.0.1:9"}}""");

            Assert.Equal([new Uri("http://127.0.0.1:5103"), new Uri("http://127.0.0.1:5113")], files.UrlsOf(land));
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }
}
