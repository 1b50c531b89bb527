namespace LgspHub.LocalHub.Tests;

public sealed class PostgresClusterTests : IDisposable
{
    private readonly PostgresCluster _cluster = new(Directory.CreateTempSubdirectory("lgsp-cluster-test-").FullName, 5999);

    public void Dispose() => Directory.Delete(_cluster.Directory, recursive: true);

    [Fact]
    public void A_cluster_runs_while_its_pid_file_names_a_live_process_not_after_a_kill_left_the_file_behind()
    {
        Assert.False(_cluster.Running);   // never started

        Directory.CreateDirectory(_cluster.DataDirectory);
        WritePidFile(Environment.ProcessId);
        Assert.True(_cluster.Running);

        using var gone = System.Diagnostics.Process.Start("true")!;
        gone.WaitForExit();
        WritePidFile(gone.Id);
        Assert.False(_cluster.Running);
    }

    [Fact]
    public void The_server_listens_on_loopback_at_its_port_with_its_socket_in_its_folder()
    {
        var (_, arguments) = _cluster.ServerCommand("fsync=off");

        Assert.Equal(["-D", _cluster.DataDirectory, "-p", "5999", "-k", _cluster.Directory, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
            arguments.SkipWhile(a => a != "-D"));
        Assert.Contains("Port=5999", _cluster.ConnectionString, StringComparison.Ordinal);
    }

    // postmaster.pid's first line is the server's pid; the rest (folder, start time, port, …) is not read here.
    private void WritePidFile(int pid) => File.WriteAllLines(Path.Combine(_cluster.DataDirectory, "postmaster.pid"), [pid.ToString(System.Globalization.CultureInfo.InvariantCulture), _cluster.DataDirectory]);
}
