using System.Collections.Concurrent;
using System.Diagnostics;
using LgspHub.AgencyDefaults;
using LgspHub.ServiceDefaults;
using Microsoft.Extensions.Configuration;

namespace LgspHub.EndToEnd.Tests;

/// <summary>One host of the hub (gateway or agency) running as its own process, as `./lgsp up` runs it.</summary>
public sealed class HubProcess : IAsyncDisposable
{
    private readonly ProcessStartInfo _start;
    private readonly ConcurrentQueue<string> _output = new();
    private Process _process;

    private HubProcess(string name, Uri url, ProcessStartInfo start)
    {
        Name = name;
        Url = url;
        _start = start;
        _process = Launch();
    }

    public string Name { get; }

    public Uri Url { get; }

    public bool HasExited => _process.HasExited;

    public int ProcessId => _process.Id;

    public string RecentOutput => string.Join('\n', _output.TakeLast(60));

    /// <summary>Everything the process wrote to its console that is still kept (the last 5,000 lines).</summary>
    public string AllOutput => string.Join('\n', _output);

    public static HubProcess Start(string name, HubHost host, Uri url, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", $"{host.ProjectName}.dll")
        {
            WorkingDirectory = HubLayout.OutputDirectory(host),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = url.ToString();
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        return new HubProcess(name, url, start);
    }

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
        new ConfigurationBuilder().AddJsonFile(Path.Combine(_start.WorkingDirectory, DevelopmentConfiguration.FileName)).Build()[key]
            ?? throw new InvalidOperationException($"{Name}'s {DevelopmentConfiguration.FileName} has no {key}");

    /// <summary>Kills the process at once, as a crash would: no graceful shutdown, nothing flushed.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited)
            return;
        _process.Kill(entireProcessTree: true);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(deadline.Token);
    }

    /// <summary>Starts the host again on the same port and database, with any settings changed, and waits until it is ready.</summary>
    /// <param name="healthPath">What "ready" means: /health/live for a host deliberately started without its broker.</param>
    public async Task RestartAsync(IReadOnlyDictionary<string, string>? environment = null, string healthPath = "/health/ready")
    {
        await KillAsync();
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            _start.Environment[key] = value;
        _process.Dispose();
        _process = Launch();
        await WaitReadyAsync(healthPath);
    }

    public async Task WaitReadyAsync(string healthPath = "/health/ready")
    {
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.True(async () =>
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{Name} exited during start-up:\n{RecentOutput}");
            return (await probe.GetAsync(new Uri(Url, healthPath))).IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(90), $"{Name} to be ready\n{RecentOutput}");
    }

    private Process Launch()
    {
        var process = new Process { StartInfo = _start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Keep(string? line)
    {
        if (line is null)
            return;
        _output.Enqueue(line);
        while (_output.Count > 5_000)
            _output.TryDequeue(out _);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}

/// <summary>Where the hub's hosts are (LgspHub.LocalHub), and their builds in the configuration this test assembly was built in.</summary>
public static class HubLayout
{
    public static HubRepository Repository { get; } = HubRepository.Find();

    public static string RepositoryRoot => Repository.Root;

    public static string OutputDirectory(HubHost host)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var directory = host.BuildDirectory(configuration);
        if (!File.Exists(Path.Combine(directory, host.ProjectName + ".dll")))
            throw new InvalidOperationException($"{host.ProjectName} is not built in {directory}: run ./lgsp test, which builds the solution first.");
        return directory;
    }
}
