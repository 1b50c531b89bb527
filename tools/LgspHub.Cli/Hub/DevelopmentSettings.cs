using LgspHub.Cli.Machine;

namespace LgspHub.Cli.Hub;

internal static class DevelopmentSettings
{
    /// <summary>A key or secret of the development hub, which the command line presents when the environment names none.</summary>
    public static string RequiredDevelopmentSetting(this HubHost host, string key) =>
        host.DevelopmentSetting(key) ?? throw new CliException($"no {key} in {host.ProjectName}/appsettings.Development.json");
}
