using System.Diagnostics;
using LgspHub.LocalHub;

namespace LgspHub.Deploy.Tests;

/// <summary>Paths in the repository, and bounded runs of the tools the tests read files with.</summary>
internal static class Repo
{
    public static readonly string Root = HubRepository.Find().Root;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string Read(params string[] parts) => File.ReadAllText(PathOf(parts));

    /// <summary>Runs a tool to completion (killed after <paramref name="timeout"/>) and returns its exit code and output.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(string tool, string workingDirectory, TimeSpan timeout, params string[] arguments) =>
        RunAsync(tool, workingDirectory, timeout, arguments, new Dictionary<string, string>());

    public static async Task<(int ExitCode, string Output)> RunAsync(
        string tool, string workingDirectory, TimeSpan timeout, string[] arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(tool) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }
        return (process.ExitCode, await output + await error);
    }
}
