namespace LgspHub.Cli.Machine;

/// <summary>What the command line tells its user: progress on standard output, problems on standard error, each "lgsp: …".</summary>
internal static class Say
{
    public static void Info(string message) => Console.Out.WriteLine($"lgsp: {message}");

    public static void Warn(string message) => Console.Error.WriteLine($"lgsp: {message}");

    /// <summary>The last lines of a log, after a process failed: what it said before it went.</summary>
    public static void LogTail(string file, int lines = 40)
    {
        if (!File.Exists(file) || new FileInfo(file).Length == 0)
        {
            Warn($"(log {file} is empty or missing)");
            return;
        }
        Warn($"---- last {lines} lines of {file} ----");
        foreach (var line in File.ReadLines(file).TakeLast(lines))
            Console.Error.WriteLine(line);
        Warn("----");
    }
}
