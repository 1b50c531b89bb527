using System.Collections.Concurrent;
using System.Diagnostics;

namespace LgspHub.EndToEnd.Tests;

/// <summary>One host of the hub (gateway or agency) running as its own process, as `./lgsp up` runs it.</summary>
public sealed class HubProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private HubProcess(string name, Uri url, Process process)
    {
        Name = name;
        Url = url;
        _process = process;
    }

    public string Name { get; }

    public Uri Url { get; }

    public bool HasExited => _process.HasExited;

    public string RecentOutput => string.Join('\n', _output.TakeLast(60));

    public static HubProcess Start(string name, string project, Uri url, IReadOnlyDictionary<string, string> environment)
    {
        var outputDirectory = HubLayout.OutputDirectory(project);
        var start = new ProcessStartInfo("dotnet", $"{Path.GetFileName(project)}.dll")
        {
            WorkingDirectory = outputDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = url.ToString();
        foreach (var (key, value) in environment)
            start.Environment[key] = value;

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var hub = new HubProcess(name, url, process);
        process.OutputDataReceived += (_, line) => hub.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => hub.Keep(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return hub;
    }

    private void Keep(string? line)
    {
        if (line is null)
            return;
        _output.Enqueue(line);
        while (_output.Count > 500)
            _output.TryDequeue(out _);
    }

    public async Task StopAsync()
    {
        if (_process.HasExited)
            return;
        _process.Kill(entireProcessTree: true);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(deadline.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }
}

public static class HubLayout
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Build output of a hub project, in the configuration this test assembly was built in.</summary>
    public static string OutputDirectory(string project)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (framework, configuration) = (testOutput.Name, testOutput.Parent!.Name);
        var directory = Path.Combine(RepositoryRoot, project, "bin", configuration, framework);
        if (!File.Exists(Path.Combine(directory, Path.GetFileName(project) + ".dll")))
            throw new InvalidOperationException($"{project} is not built in {directory}: run ./lgsp test, which builds the solution first.");
        return directory;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "LgspHub.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException("LgspHub.sln not found above " + AppContext.BaseDirectory);
    }
}
