using System.Diagnostics;

namespace LgspHub.EndToEnd.Tests;

/// <summary>
/// <c>./lgsp up --agency land=URL</c> (docs/bring-your-own-agency.md) hands the AppHost <c>Hub:OwnAgencies:land=URL</c>,
/// which starts no mock land and routes the gateway's land clusters there (AppHostTests runs that; UpOptionsTests
/// checks the settings); bad values are refused by the command line itself, exit 2, before anything starts.
/// </summary>
public sealed class BringYourOwnAgencyTests
{
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
