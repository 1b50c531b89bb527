using System.Diagnostics;

namespace LgspHub.Load.Tests;

/// <summary>The load tool as CI runs it: its own process, its exit code and what it printed.</summary>
public static class ToolProcess
{
    public static Task<(int Code, string Output)> RunAsync(params string[] args) => RunAsync(args, null);

    /// <param name="onLine">Called with each line of standard output as it comes, when it came, and the process.</param>
    public static async Task<(int Code, string Output)> RunAsync(string[] args, Action<string, DateTime, Process>? onLine)
    {
        using var process = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "lgsp-load.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = new System.Text.StringBuilder();
        var reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                onLine?.Invoke(line, DateTime.UtcNow, process);
                lock (output)
                    output.AppendLine(line);
            }
        });
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        await reading;
        return (process.ExitCode, output + await errors);
    }
}
