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
        await cluster.InitializeAsync();
        await cluster.StartAsync(Settings);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                cluster.StopAsync().GetAwaiter().GetResult();
            }
            catch (InvalidOperationException)
            {
                // Already stopped by its test.
            }
            Directory.Delete(cluster.Directory, recursive: true);
        };
        return cluster;
    }

    private static async Task<string> StartAsync() => (await StartClusterAsync()).ConnectionString;

    /// <summary>
    /// The test host may be ended before its exit handler has deleted the folder (55 MB a run): folders of stopped
    /// clusters an hour old are cleared here. Younger ones may belong to a run still starting beside this one.
    /// </summary>
    private static void ClearStaleClusters()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), "lgsp-postgres-*"))
        {
            if (File.Exists(Path.Combine(folder, "data", "postmaster.pid")) || Directory.GetCreationTimeUtc(folder) > DateTime.UtcNow.AddHours(-1))
                continue;
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another run's, going away too.
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
