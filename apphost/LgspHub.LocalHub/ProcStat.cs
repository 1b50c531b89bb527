using System.Globalization;
using System.Runtime.InteropServices;

namespace LgspHub.LocalHub;

/// <summary>What the command line and the benches read of a process in /proc/&lt;pid&gt;/stat: its state, its parent and the processor time it has used.</summary>
/// <param name="State">R running, S sleeping, Z a zombie (gone, not yet reaped), …</param>
/// <param name="CpuTicks">utime + stime, its threads included, in clock ticks (<see cref="TicksPerSecond"/>).</param>
public readonly record struct ProcStat(char State, int ParentPid, long CpuTicks)
{
    /// <summary>
    /// The clock ticks /proc counts in: USER_HZ, which sysconf(_SC_CLK_TCK) reports (what `getconf CLK_TCK` prints).
    /// It is 100 on every Linux architecture .NET runs on, whatever the kernel's own HZ; read rather than assumed.
    /// </summary>
    public static readonly double TicksPerSecond = ClockTicks();

    /// <summary>A stat line: "pid (comm) state ppid ... utime stime ...". The command name may hold spaces and
    /// parentheses, so the fields are counted from the last ')': state is field 3, ppid 4, utime 14, stime 15.</summary>
    public static ProcStat Parse(string stat)
    {
        var end = stat.LastIndexOf(')');
        if (end < 0 || end + 2 > stat.Length)
            throw new FormatException($"not a /proc/<pid>/stat line: {stat}");
        var fields = stat[(end + 2)..].Split(' ');
        if (fields.Length < 13)
            throw new FormatException($"not a /proc/<pid>/stat line: {stat}");
        return new ProcStat(
            fields[0] is [var state] ? state : throw new FormatException($"not a /proc/<pid>/stat line: {stat}"),
            int.Parse(fields[1], CultureInfo.InvariantCulture),
            long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
    }

    /// <summary>The process's stat, or null when it is gone (or not readable).</summary>
    public static ProcStat? Read(int pid)
    {
        try
        {
            return Parse(File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>The process exists and has not ended: a zombie has.</summary>
    public static bool Alive(int pid) => Read(pid) is { State: not 'Z' };

    /// <summary>The processor time, in clock ticks, these processes have used; those that are gone count 0.</summary>
    public static long Ticks(IEnumerable<int> pids) => pids.Sum(pid => Read(pid)?.CpuTicks ?? 0);

    /// <summary>The processes whose parent is <paramref name="pid"/> (as `pgrep -P`): nginx's workers, say.</summary>
    public static IReadOnlyList<int> Children(int pid) =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Select(name => int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var child) ? child : 0)
            .Where(child => child > 0 && Read(child)?.ParentPid == pid)
            .ToList();

    private static double ClockTicks()
    {
        const int ScClkTck = 2; // _SC_CLK_TCK in Linux's unistd.h (glibc and musl alike)
        var ticks = SysConf(ScClkTck);
        return ticks > 0 ? ticks : 100;
    }

    [DllImport("libc", EntryPoint = "sysconf", SetLastError = true)]
    private static extern long SysConf(int name);
}

/// <summary>kill(2), which .NET has no API for: Process.Kill sends only SIGKILL, and a process asked to stop gets SIGTERM first.</summary>
public static class Posix
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>kill(2): sends <paramref name="signal"/> to the process; false if it is gone (or not ours).</summary>
    public static bool Signal(int pid, int signal) => Kill(pid, signal) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
