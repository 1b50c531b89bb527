using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

// Compiled into each test project whose tests run on both engines (linked, not a project: tests/ holds test projects only).
namespace LgspHub.ServiceDefaults.Tests;

/// <summary>The engines a host's database runs on (LgspHub.Data's DatabaseStore); the tests of what they share run on both.</summary>
public enum Engine
{
    Sqlite,
    Postgres,
}

/// <summary>
/// A PostgreSQL server of Debian's postgresql package for this test run alone: a cluster of its own in a temporary
/// folder, on 127.0.0.1 and a free port, started on first use and stopped when the run ends. Run as root (as CI is),
/// its programs run as the postgres user, since PostgreSQL refuses to run as root.
/// </summary>
public static class PostgresServer
{
    private static readonly Lazy<Task<string>> Server = new(StartAsync);

    /// <summary>A connection string naming a database of its own, which does not exist yet (the schema code creates it).</summary>
    public static async Task<string> NewDatabaseAsync() =>
        new NpgsqlConnectionStringBuilder(await Server.Value) { Database = $"lgsp_{Guid.NewGuid():N}" }.ConnectionString;

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var connection = new NpgsqlConnection(await Server.Value);
        await connection.OpenAsync();
        await using var drop = connection.CreateCommand();
        // The name is made above from a Guid: nothing to quote but the identifier itself.
        drop.CommandText = $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)";
        await drop.ExecuteNonQueryAsync();
    }

    private static async Task<string> StartAsync()
    {
        var bin = (Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [])
            .Select(version => Path.Combine(version, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).Order(StringComparer.Ordinal).LastOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL is not installed (Debian's postgresql): run the tests with ./lgsp test, which installs it.");
        var folder = Directory.CreateTempSubdirectory("lgsp-postgres-").FullName;
        if (Environment.UserName == "root")
            await RunAsync("chown", "postgres:postgres", folder);
        var data = Path.Combine(folder, "data");
        var port = FreePort();
        await RunAsync(Path.Combine(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync");
        // A throwaway cluster: fsync off, since a crash loses nothing worth keeping.
        await RunAsync(Path.Combine(bin, "pg_ctl"), "-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60",
            "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            RunAsync(Path.Combine(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop").GetAwaiter().GetResult();
            Directory.Delete(folder, recursive: true);
        };
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = Environment.UserName == "root" && program != "chown"
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", program, .. arguments])
            : new ProcessStartInfo(program, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(program)} exited {process.ExitCode}: {await output}{await errors}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
