using System.Diagnostics;

namespace LgspHub.EndToEnd.Tests;

/// <summary>
/// <c>./lgsp up --agency land=URL</c> (docs/bring-your-own-agency.md): the mock land is not planned, and the gateway's
/// land clusters get that URL as their destination, the setting the suite's own hub is routed by (HubFixture).
/// </summary>
public sealed class BringYourOwnAgencyTests
{
    [Fact]
    public async Task Up_with_an_agency_of_one_s_own_routes_the_gateway_to_it_and_starts_no_mock_of_it()
    {
        var (code, output, _) = await LgspAsync("source ./lgsp; parse_own_agency land=http://127.0.0.1:7000/; plan_instances; "
            + "printf 'instance %s\\n' \"${INSTANCES[@]}\"; gateway_destinations");

        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var instances = lines.Where(l => l.StartsWith("instance ", StringComparison.Ordinal)).Select(l => l.Split(' ')[1]).ToList();
        Assert.Equal(["gateway", "population", "civil-status", "health-insurance"], instances);
        Assert.Contains("ReverseProxy__Clusters__land__Destinations__primary__Address=http://127.0.0.1:7000", lines);
        Assert.Contains("ReverseProxy__Clusters__land-admin__Destinations__primary__Address=http://127.0.0.1:7000", lines);
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
