using System.Collections.Concurrent;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using LgspHub.AgencyDefaults;
using LgspHub.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LgspHub.EndToEnd.Tests;

/// <summary>
/// One host of the hub (the gateway or an agency instance) as the AppHost runs it: a resource of the suite's
/// DistributedApplication, a process of its own. A test may crash it, or restart it with settings of its own, which
/// the resource's environment callback applies on every start.
/// </summary>
public sealed class HubProcess
{
    private readonly DistributedApplication _app;
    private readonly ExecutableResource _resource;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Dictionary<string, string> _settings;

    /// <param name="settings">The suite's settings for this host, over the AppHost's; restarts change them.</param>
    public HubProcess(DistributedApplication app, ExecutableResource resource, Dictionary<string, string> settings)
    {
        _app = app;
        _resource = resource;
        _settings = settings;
        _ = KeepOutputAsync(app.Services.GetRequiredService<ResourceLoggerService>());
    }

    public string Name => _resource.Name;

    public Uri Url => new($"http://127.0.0.1:{_resource.GetEndpoint("http").Port}");

    /// <summary>The process of its current run, as the orchestrator reports it (0 while it has none).</summary>
    public int ProcessId => Current.Pid;

    public bool HasExited => !ProcStat.Alive(ProcessId);

    /// <summary>The orchestrator's state of the resource ("Running", "Exited", …) and its process.</summary>
    private (string? State, int Pid) Current =>
        _app.ResourceNotifications.TryGetCurrentState(Name, out var current)
            ? (current.Snapshot.State?.Text,
                current.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid ? Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture) : 0)
            : (null, 0);

    public string RecentOutput => string.Join('\n', _output.TakeLast(60));

    /// <summary>Everything the process wrote to its console that is still kept (the last 5,000 lines).</summary>
    public string AllOutput => string.Join('\n', _output);

    /// <summary>
    /// A client of the host's own port as the hub's operators call it: /admin with the operators' key, which the host
    /// reads from its development configuration (the suite runs the hub in Development).
    /// </summary>
    public HttpClient AdminClient(TimeSpan? timeout = null) => new()
    {
        BaseAddress = Url,
        Timeout = timeout ?? TimeSpan.FromSeconds(100),
        DefaultRequestHeaders = { Authorization = AgencyCredentials.Header(AgencyCredentials.OperatorScheme, DevelopmentSetting($"{AgencyAccessOptions.Section}:{nameof(AgencyAccessOptions.OperatorKey)}")) },
    };

    /// <summary>A setting of the host's appsettings.Development.json, as the host itself reads it.</summary>
    public string DevelopmentSetting(string key) =>
        new ConfigurationBuilder().AddJsonFile(Path.Combine(_resource.WorkingDirectory, DevelopmentConfiguration.FileName)).Build()[key]
            ?? throw new InvalidOperationException($"{Name}'s {DevelopmentConfiguration.FileName} has no {key}");

    /// <summary>Kills the process at once, as a crash would: no graceful shutdown, nothing flushed.</summary>
    public async Task KillAsync()
    {
        var pid = ProcessId;
        if (!ProcStat.Alive(pid))
            return;
        Posix.Signal(pid, Posix.SigKill);
        await EndedAsync(pid);
    }

    /// <summary>Starts the host again on the same port and database, with any settings changed, and waits until it is ready.</summary>
    /// <param name="healthPath">What "ready" means: /health/live for a host deliberately started without its broker.</param>
    public async Task RestartAsync(IReadOnlyDictionary<string, string>? settings = null, string healthPath = "/health/ready")
    {
        var pid = ProcessId;
        if (ProcStat.Alive(pid))
        {
            await CommandAsync(KnownResourceCommands.StopCommand);
            await EndedAsync(pid);
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            _settings[key] = value;
        await CommandAsync(KnownResourceCommands.StartCommand);
        await Eventually.True(() => Task.FromResult(Current is { State: var state, Pid: var now } && state == KnownResourceStates.Running && now != pid && ProcStat.Alive(now)),
            TimeSpan.FromSeconds(30), () => $"{Name} to run again (now {Current})");
        await WaitReadyAsync(healthPath);
    }

    private async Task WaitReadyAsync(string healthPath)
    {
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.True(async () =>
        {
            if (HasExited)
                throw new InvalidOperationException($"{Name} exited during start-up ({Current}):\n{RecentOutput}");
            return (await probe.GetAsync(new Uri(Url, healthPath))).IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(90), () => $"{Name} to be ready\n{RecentOutput}");
    }

    /// <summary>Waits until the process is gone and the orchestrator knows it, so that it may be started again.</summary>
    private async Task EndedAsync(int pid) =>
        await Eventually.True(() => Task.FromResult(!ProcStat.Alive(pid) && Current.State is { } state && KnownResourceStates.TerminalStates.Contains(state)),
            TimeSpan.FromSeconds(30), () => $"{Name} to have stopped (now {Current})");

    private async Task CommandAsync(string command)
    {
        var result = await _app.ResourceCommands.ExecuteCommandAsync(Name, command);
        if (!result.Success)
            throw new InvalidOperationException($"{command} of {Name}: {result.Message}");
    }

    /// <summary>Keeps the host's console, across its restarts, for tests that read it (personal data must never be there).</summary>
    private async Task KeepOutputAsync(ResourceLoggerService logs)
    {
        try
        {
            await foreach (var batch in logs.WatchAsync(_resource))
                foreach (var line in batch)
                {
                    _output.Enqueue(line.Content);
                    while (_output.Count > 5_000)
                        _output.TryDequeue(out _);
                }
        }
        catch (OperationCanceledException)
        {
            // The application stopped.
        }
    }
}
