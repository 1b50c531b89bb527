using System.Globalization;
using System.Net;
using System.Net.Sockets;
using LgspHub.LocalHub;
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
/// A PostgreSQL server for this test run alone (<see cref="PostgresCluster"/>): a cluster of its own in a temporary
/// folder, on 127.0.0.1 and a free port, started on first use and stopped when the run ends; and clusters of a test's
/// own, for the tests that restart their server.
/// </summary>
public static class PostgresServer
{
    private static readonly Lazy<Task<string>> Server = new(StartAsync);

    /// <summary>
    /// A connection string naming a database of its own, which does not exist yet (the schema code creates it), on the
    /// run's server or on <paramref name="cluster"/>.
    /// </summary>
    public static async Task<string> NewDatabaseAsync(PostgresCluster? cluster = null) =>
        new NpgsqlConnectionStringBuilder(cluster?.ConnectionString ?? await Server.Value) { Database = $"lgsp_{Guid.NewGuid():N}" }.ConnectionString;

    /// <summary>Drops the database, from the server's own database on the same server.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres" }.ConnectionString);
        await connection.OpenAsync();
        await using var drop = connection.CreateCommand();
        // The name is made above from a Guid: nothing to quote but the identifier itself.
        drop.CommandText = $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)";
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>A throwaway cluster's settings: fsync off, since a crash loses nothing worth keeping.</summary>
    public static readonly string[] Settings = ["fsync=off", "max_connections=200"];

    /// <summary>A cluster of the caller's own, started (with <see cref="Settings"/>): for a test that stops and starts its server.</summary>
    public static async Task<PostgresCluster> StartClusterAsync()
    {
        ClearStaleClusters();
        var cluster = new PostgresCluster(Directory.CreateTempSubdirectory("lgsp-postgres-").FullName, FreePort());
        await File.WriteAllTextAsync(OwnerFile(cluster.Directory), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        await cluster.InitializeAsync();
        await cluster.StartAsync(Settings);
        // A signal, not pg_ctl: the test host may be ended before a program it starts has finished.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Quit();
        return cluster;
    }

    private static async Task<string> StartAsync() => (await StartClusterAsync()).ConnectionString;

    /// <summary>
    /// A test host killed before its end (or ended before its exit handler ran) leaves its clusters behind, running and
    /// 55 MB each: those whose owning process is gone are stopped and deleted here.
    /// </summary>
    private static void ClearStaleClusters()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), "lgsp-postgres-*"))
        {
            if (!int.TryParse(File.Exists(OwnerFile(folder)) ? File.ReadAllText(OwnerFile(folder)) : "", CultureInfo.InvariantCulture, out var owner)
                || ProcStat.Alive(owner))
                continue;
            new PostgresCluster(folder, 0).Quit();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The server is still on its way down: the next run deletes it.
            }
        }
    }

    private static string OwnerFile(string folder) => Path.Combine(folder, "owner.pid");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
