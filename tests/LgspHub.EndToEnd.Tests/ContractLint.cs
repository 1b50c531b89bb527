using System.Diagnostics;

namespace LgspHub.EndToEnd.Tests;

/// <summary>The validators of tools/contract-lint (installed by ./lgsp test with npm ci), run with node.</summary>
public static class ContractLint
{
    public static async Task<(int ExitCode, string Output)> RunAsync(TimeSpan timeout, string[] arguments)
    {
        var tools = Path.Combine(HubLayout.RepositoryRoot, "tools", "contract-lint");
        if (!Directory.Exists(Path.Combine(tools, "node_modules")))
            throw new InvalidOperationException($"{tools}/node_modules is missing: run ./lgsp test, which installs the validators with npm ci.");
        var start = new ProcessStartInfo("node") { WorkingDirectory = tools, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(timeout);
        var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var errors = process.StandardError.ReadToEndAsync(deadline.Token);
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, (await output) + (await errors));
    }
}
