using System.Diagnostics;
using System.Text.RegularExpressions;
using LgspHub.Cli.Machine;

namespace LgspHub.Cli.Hub;

/// <summary>The hub's AppHost (apphost/LgspHub.AppHost) as a process of its own: started from its build, watched, stopped.</summary>
internal sealed partial class AppHostProcess(HubRepository layout)
{
    private const string Word = "LgspHub.AppHost";
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    public string LogFile => Path.Combine(layout.Logs, "apphost.log");

    private string BuildDirectory => Path.Combine(layout.Root, "apphost", Word, "bin", "Release", "net10.0");

    public int? Pid => Processes.LivePid(layout.Run.AppHostPidFile, Word);

    /// <summary>Starts the AppHost's build with these settings (HubSettings: Hub:Instances:population=2, …), in the Development environment unless told otherwise.</summary>
    public void Start(IEnumerable<string> settings)
    {
        Directory.CreateDirectory(layout.Run.Directory);
        File.Delete(layout.Run.ReadyFile);
        File.Delete(LogFile);
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Development",
        };
        using var process = Processes.StartDetached("dotnet", [Word + ".dll", .. settings], LogFile, BuildDirectory, environment);
        File.WriteAllText(layout.Run.AppHostPidFile, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Until every host is healthy (the AppHost has written hub.json); fails if the AppHost exits first or the deadline passes.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        Say.Info($"waiting for every host's /health/ready (up to {timeout.TotalSeconds:0}s)...");
        var waited = Stopwatch.StartNew();
        while (!layout.Run.Ready)
        {
            if (Pid is null)
            {
                Say.LogTail(LogFile, 30);
                throw new CliException("the AppHost exited during start-up");
            }
            if (waited.Elapsed >= timeout)
            {
                Say.LogTail(LogFile, 20);
                throw new CliException($"the hub was not ready after {timeout.TotalSeconds:0}s; each host's log is in {layout.Logs}/");
            }
            await Task.Delay(500);
        }
    }

    /// <summary>The dashboard's login URL, as the AppHost logged it; null without a dashboard.</summary>
    public string? DashboardUrl => File.Exists(LogFile) ? DashboardLogin().Match(File.ReadAllText(LogFile)) is { Success: true } m ? m.Value : null : null;

    /// <summary>
    /// SIGTERM to the AppHost, which stops every host and the broker through Aspire's orchestrator (DCP); waits for the
    /// orchestrator's processes too, so that the ports are free when this returns.
    /// </summary>
    public async Task StopAsync()
    {
        if (Pid is { } pid)
        {
            Say.Info($"stopping the hub (AppHost pid {pid})...");
            var orchestrator = Processes.WithCommandLine($"--monitor {pid}").ToList();
            // Its controllers share its kubeconfig.
            foreach (var monitor in orchestrator.ToList())
                if (Kubeconfig().Match(Processes.CommandLine(monitor)) is { Success: true } kubeconfig)
                    orchestrator.AddRange(Processes.WithCommandLine(kubeconfig.Value).Except(orchestrator));
            await Processes.StopAsync(pid, StopTimeout, "the AppHost");
            foreach (var process in orchestrator)
                if (!await Processes.WaitExitAsync(process, StopTimeout))
                    await Processes.StopAsync(process, TimeSpan.Zero, "the orchestrator");
        }
        File.Delete(layout.Run.AppHostPidFile);
        File.Delete(layout.Run.ReadyFile);
    }

    [GeneratedRegex(@"http://\S*/login\?t=[0-9a-f]+")]
    private static partial Regex DashboardLogin();

    [GeneratedRegex(@"--kubeconfig \S+")]
    private static partial Regex Kubeconfig();
}
