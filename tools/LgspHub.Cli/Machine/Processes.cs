using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LgspHub.Cli.Machine;

/// <summary>The processes the command line starts, watches and stops, by pid, as a supervisor on Linux does.</summary>
internal static class Processes
{
    /// <summary>The process's command line, its arguments joined by spaces ("" once it has gone).</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').TrimEnd();
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>The pid a file holds (a pid file), if it names a live process whose command line mentions <paramref name="word"/>: a reused pid does not.</summary>
    public static int? LivePid(string pidFile, string word) =>
        HubRunFolder.ReadPid(pidFile) is { } pid && ProcStat.Alive(pid) && CommandLine(pid).Contains(word, StringComparison.Ordinal) ? pid : null;

    /// <summary>Every other live process whose command line holds <paramref name="words"/> as whole words.</summary>
    public static IEnumerable<int> WithCommandLine(string words) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && pid != Environment.ProcessId && $" {CommandLine(pid)} ".Contains($" {words} ", StringComparison.Ordinal));

    /// <summary>True once the process has gone, false if it still runs after <paramref name="timeout"/>.</summary>
    public static async Task<bool> WaitExitAsync(int pid, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (ProcStat.Alive(pid))
        {
            if (deadline.Elapsed >= timeout)
                return false;
            await Task.Delay(200);
        }
        return true;
    }

    /// <summary>SIGTERM, so that it stops what it started itself; SIGKILL if it has not gone within <paramref name="timeout"/>.</summary>
    public static async Task StopAsync(int pid, TimeSpan timeout, string name)
    {
        _ = Posix.Signal(pid, Posix.SigTerm);
        if (await WaitExitAsync(pid, timeout))
            return;
        Say.Warn($"{name} (pid {pid}) did not stop within {timeout.TotalSeconds:0}s; killing it");
        _ = Posix.Signal(pid, Posix.SigKill);
        await WaitExitAsync(pid, TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// Starts a program in a session of its own (setsid: a Ctrl-C on the terminal reaches only the command line,
    /// which then stops it in order), its output appended to <paramref name="logFile"/>. Through sh, because Process
    /// can only redirect output to pipes, and a pipe would end with this process: the program must outlive it
    /// (up --detach, broker start) and a daemon it forks (epmd) must not hold a pipe of ours open.
    /// </summary>
    public static Process StartDetached(string program, IEnumerable<string> arguments, string logFile,
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = Redirected(program, arguments, logFile, session: true, workingDirectory, environment);
        return Process.Start(start) ?? throw new CliException($"could not start {program}");
    }

    /// <summary>Runs a program to its end, its output appended to <paramref name="logFile"/>; its exit code.</summary>
    public static async Task<int> RunLoggedAsync(string program, IEnumerable<string> arguments, string logFile,
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        using var process = Process.Start(Redirected(program, arguments, logFile, session: false, workingDirectory, environment))
            ?? throw new CliException($"could not start {program}");
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode;
    }

    /// <summary>
    /// Runs a program on this terminal (its output is the user's to read) and returns its exit code. A Ctrl-C reaches
    /// it too: this process waits for it to stop rather than going first.
    /// </summary>
    public static async Task<int> RunAsync(string program, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program, arguments) { WorkingDirectory = workingDirectory ?? "" };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new CliException($"could not start {program}");
        using var interrupted = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    private static ProcessStartInfo Redirected(string program, IEnumerable<string> arguments, string logFile, bool session,
        string? workingDirectory, IReadOnlyDictionary<string, string>? environment)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logFile))!);
        var start = new ProcessStartInfo("/bin/sh",
            ["-c", """log=$1; shift; exec "$@" >>"$log" 2>&1 </dev/null""", "sh", logFile, .. session ? ["setsid"] : Array.Empty<string>(), program, .. arguments])
        {
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        return start;
    }
}
