using System.Diagnostics;
using LgspHub.LocalHub;

namespace LgspHub.Benchmarks.Gateway;

/// <summary>
/// A process the bench started (a gateway, nginx), in a session of its own (setsid: a Ctrl-C at the terminal reaches
/// the bench, which stops it, not the process itself mid-run), its output in a log file. Disposing it stops it:
/// SIGTERM, then SIGKILL if it is still there after 10 s.
/// </summary>
public sealed class BenchProcess : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly StreamWriter _log;

    private BenchProcess(string name, Process process, StreamWriter log, string logFile)
    {
        Name = name;
        _process = process;
        _log = log;
        LogFile = logFile;
    }

    public string Name { get; }

    public string LogFile { get; }

    /// <summary>The process itself: setsid and dotnet exec what they run, so this is the gateway's (or nginx master's) pid.</summary>
    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <paramref name="program"/> in <paramref name="folder"/> with <paramref name="environment"/> on top of
    /// this process's (a null value removes a variable); appends its output to <paramref name="logFile"/>.</summary>
    public static BenchProcess Start(string name, string program, IEnumerable<string> arguments, string folder,
        IEnumerable<KeyValuePair<string, string?>> environment, string logFile)
    {
        var start = new ProcessStartInfo("setsid", [program, .. arguments])
        {
            WorkingDirectory = folder,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment)
        {
            if (value is null)
                start.Environment.Remove(key);
            else
                start.Environment[key] = value;
        }
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new BenchException($"could not start {program} for {name}");
        process.StandardInput.Close();
        var started = new BenchProcess(name, process, log, logFile);
        process.OutputDataReceived += (_, e) => started.Write(e.Data);
        process.ErrorDataReceived += (_, e) => started.Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>The last lines of its log, for an error message.</summary>
    public string Tail(int lines = 20)
    {
        lock (_log)
        {
            try
            {
                using var reader = new StreamReader(new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
                return string.Join('\n', reader.ReadToEnd().Split('\n').TakeLast(lines));
            }
            catch (IOException e)
            {
                return $"({LogFile}: {e.Message})";
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = Posix.Signal(_process.Id, Posix.SigTerm);
            using var deadline = new CancellationTokenSource(StopTimeout);
            try
            {
                await _process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }
        _process.Dispose();
        lock (_log)
            _log.Dispose();
    }

    private void Write(string? line)
    {
        if (line is null)
            return;
        lock (_log)
        {
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // A last line after the process was stopped and its log closed.
            }
        }
    }
}
