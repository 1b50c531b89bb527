using System.Diagnostics;

namespace LgspHub.EndToEnd.Tests;

/// <summary>
/// <c>./lgsp up --agency land=URL</c> (docs/bring-your-own-agency.md) hands the AppHost <c>Hub:OwnAgencies:land=URL</c>,
/// which starts no mock land and routes the gateway's land clusters there (AppHostTests runs that); bad values are
/// refused before anything starts.
/// </summary>
public sealed class BringYourOwnAgencyTests
{
    [Fact]
    public async Task Up_with_an_agency_of_one_s_own_hands_it_to_the_AppHost_beside_the_instances()
    {
        var (code, output, _) = await LgspAsync("source ./lgsp; parse_own_agency land=http://127.0.0.1:7000/; parse_instances population=2; NO_DASHBOARD=1; apphost_arguments");

        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("Hub:OwnAgencies:land=http://127.0.0.1:7000", lines);
        Assert.Contains("Hub:Instances:population=2", lines);
        Assert.Contains("Hub:Dashboard=false", lines);
    }

    [Theory]
    [InlineData("--agency registry=http://127.0.0.1:7000", "'registry' is not an agency")]
    [InlineData("--agency land=127.0.0.1:7000", "the system's base URL")]
    [InlineData("--agency land=http://127.0.0.1:7000 --instances land=2", "the agency is your system")]
    public async Task Up_refuses_an_agency_of_one_s_own_it_cannot_route_to(string options, string problem)
    {
        var (code, _, error) = await LgspAsync($"./lgsp up {options}");

        Assert.Equal(2, code);
        Assert.Contains(problem, error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> LgspAsync(string script)
    {
        var start = new ProcessStartInfo("bash", ["-c", script])
        {
            WorkingDirectory = HubLayout.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
