using System.Diagnostics;
using System.Globalization;

namespace LgspHub.LocalHub;

/// <summary>
/// A private cluster of Debian's postgresql: its data in <see cref="Directory"/>/data, listening on 127.0.0.1 and
/// <see cref="Port"/> only, its socket in <see cref="Directory"/>, trust authentication for the postgres user (nothing
/// but this machine reaches it). The hub's cluster (./lgsp up --postgres) and each test run's differ only by folder and
/// port. PostgreSQL refuses to run as root, so under root (as CI runs) its programs run as the postgres user.
/// </summary>
public sealed record PostgresCluster(string Directory, int Port)
{
    /// <summary>The hub's cluster, in &lt;state&gt;/postgres on port 5433 (5432 stays free for a server of the machine's own).</summary>
    public static PostgresCluster Hub(string stateDirectory) => new(Path.Combine(stateDirectory, "postgres"), 5433);

    /// <summary>The newest installed PostgreSQL's programs, or null when Debian's postgresql is not installed.</summary>
    public static string? BinDirectory =>
        (System.IO.Directory.Exists("/usr/lib/postgresql") ? System.IO.Directory.GetDirectories("/usr/lib/postgresql") : [])
            .Select(version => Path.Combine(version, "bin"))
            .Where(bin => File.Exists(Path.Combine(bin, "initdb")))
            .OrderBy(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), CultureInfo.InvariantCulture, out var major) ? major : 0)
            .LastOrDefault();

    public string DataDirectory => Path.Combine(Directory, "data");

    /// <summary>
    /// Whether a server runs on the cluster: its postmaster.pid names a live process. A server killed outright leaves
    /// the file behind, and the next start replaces it.
    /// </summary>
    public bool Running => ServerPid is { } pid && ProcStat.Alive(pid);

    /// <summary>The server's pid, the first line of its postmaster.pid, or null without one.</summary>
    private int? ServerPid =>
        File.Exists(Path.Combine(DataDirectory, "postmaster.pid"))
        && int.TryParse(File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).FirstOrDefault(), CultureInfo.InvariantCulture, out var pid)
            ? pid
            : null;

    /// <summary>
    /// Stops the server as <c>pg_ctl -m immediate</c> does (SIGQUIT), without waiting: for a process on its way out,
    /// which has no time to start programs.
    /// </summary>
    public void Quit()
    {
        const int sigquit = 3;
        if (ServerPid is { } pid)
            Posix.Signal(pid, sigquit);
    }

    /// <summary>The server's own database; each host names its own (lgsp_population, …) and creates it.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database=postgres";

    /// <summary>The server in the foreground (as a supervisor runs it): program and arguments.</summary>
    public (string Program, string[] Arguments) ServerCommand(params string[] settings) =>
        AsPostgresUser(Program("postgres"), ["-D", DataDirectory, "-p", Port.ToString(CultureInfo.InvariantCulture), "-k", Directory,
            "-c", "listen_addresses=127.0.0.1", .. settings.SelectMany(setting => new[] { "-c", setting })]);

    /// <summary>Creates the cluster unless its data folder holds one.</summary>
    public async Task InitializeAsync()
    {
        if (File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
            return;
        System.IO.Directory.CreateDirectory(Directory);
        if (Environment.UserName == "root")
            await RunAsync("chown", ("chown", ["-R", "postgres:postgres", Directory]));
        await RunAsync("initdb", AsPostgresUser(Program("initdb"), ["-D", DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]));
    }

    /// <summary>Starts the server in the background (pg_ctl), for a run that stops it itself.</summary>
    public Task StartAsync(params string[] settings)
    {
        // pg_ctl passes the server's options on as one string; the folders here hold no spaces.
        var (_, server) = ServerCommand(settings);
        var options = string.Join(' ', server.SkipWhile(a => a != "-p"));
        return RunAsync("pg_ctl start", AsPostgresUser(Program("pg_ctl"), ["-D", DataDirectory, "-l", Path.Combine(Directory, "server.log"), "-w", "-t", "60", "-o", options, "start"]));
    }

    /// <summary>
    /// Stops the server: at once by default (a throwaway cluster has nothing to flush), or, <paramref name="immediately"/>
    /// false, after the sessions end and a checkpoint, as for data that is kept.
    /// </summary>
    public Task StopAsync(bool immediately = true) =>
        RunAsync("pg_ctl stop", AsPostgresUser(Program("pg_ctl"), ["-D", DataDirectory, "-m", immediately ? "immediate" : "fast", "-w", "stop"]));

    private static string Program(string name) =>
        Path.Combine(BinDirectory ?? throw new InvalidOperationException("PostgreSQL is not installed (Debian's postgresql): ./lgsp installs it."), name);

    private static (string Program, string[] Arguments) AsPostgresUser(string program, string[] arguments) =>
        Environment.UserName == "root" ? ("runuser", ["-u", "postgres", "--", program, .. arguments]) : (program, arguments);

    private static async Task RunAsync(string name, (string Program, string[] Arguments) command)
    {
        var start = new ProcessStartInfo(command.Program, command.Arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{name} exited {process.ExitCode}: {await output}{await errors}");
    }
}
