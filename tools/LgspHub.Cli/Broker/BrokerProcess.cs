using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LgspHub.Cli.Machine;

namespace LgspHub.Cli.Broker;

/// <summary>Starts and stops a private node of Debian's rabbitmq-server (<see cref="BrokerNode"/>) on its own, outside the AppHost.</summary>
internal sealed class BrokerProcess(BrokerNode node, HubRepository layout)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("LGSP_BROKER_START_TIMEOUT"), out var seconds) ? seconds : 60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private string LauncherPidFile => Path.Combine(node.Directory, "launcher.pid");

    private string CliLog => Path.Combine(node.Directory, "cli.log");

    /// <summary>The node's Erlang VM, if it runs (its pid file names a live beam process).</summary>
    private int? VmPid => Processes.LivePid(node.PidFile, "beam");

    public async Task<bool> RunningAsync() => VmPid is not null || (File.Exists(BrokerNode.Server) && await PingAsync());

    /// <summary>Starts the node unless it runs; true when this call started it.</summary>
    public async Task<bool> StartAsync()
    {
        await DebianPackages.EnsureAsync(layout, DebianPackages.RabbitMq);
        Directory.CreateDirectory(node.Directory);
        if (await RunningAsync())
        {
            Say.Info($"broker {node.NodeName} already running (reusing it)");
            return false;
        }
        File.Delete(node.PidFile);
        node.Prepare(layout.Root);
        Say.Info($"starting broker {node.NodeName} (amqp 127.0.0.1:{node.AmqpPort}, management 127.0.0.1:{node.ManagementPort})...");
        var started = Stopwatch.StartNew();
        using var launcher = Processes.StartDetached(BrokerNode.Server, [], Path.Combine(node.Directory, "stdout.log"), node.Directory, node.Environment);
        await File.WriteAllTextAsync(LauncherPidFile, launcher.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // The AMQP listener opens last, just before start-up completes. A connect costs nothing; each ping would be a
        // CLI Erlang VM of its own (half a second of CPU) taken from the node while it boots.
        while (!await ListensAsync(node.AmqpPort))
        {
            if (launcher.HasExited)
            {
                Say.LogTail(Path.Combine(node.Directory, "stdout.log"));
                Say.LogTail(node.LogFile, 20);
                throw new CliException($"broker {node.NodeName} exited during start-up");
            }
            if (started.Elapsed >= StartTimeout)
            {
                Say.LogTail(Path.Combine(node.Directory, "stdout.log"));
                await StopAsync();
                throw new CliException($"broker {node.NodeName} did not open its AMQP port ({node.AmqpPort}) within {StartTimeout.TotalSeconds:0}s");
            }
            await Task.Delay(200);
        }
        var left = Math.Max(1, (int)(StartTimeout - started.Elapsed).TotalSeconds);
        if (await CliAsync("rabbitmqctl", "-q", "await_startup", "--timeout", left.ToString(System.Globalization.CultureInfo.InvariantCulture)) != 0)
        {
            Say.LogTail(CliLog, 10);
            Say.LogTail(node.LogFile, 20);
            await StopAsync();
            throw new CliException($"broker {node.NodeName} failed to finish start-up (await_startup; see its log)");
        }
        Say.Info($"broker {node.NodeName} ready in {started.Elapsed.TotalSeconds:0}s");
        return true;
    }

    /// <summary>Stops the node's VM (SIGTERM, bounded), or a node still answering without a pid file; does nothing when none runs.</summary>
    public async Task StopAsync()
    {
        var started = Stopwatch.StartNew();
        if (VmPid is { } pid)
        {
            Say.Info($"stopping broker {node.NodeName} (pid {pid})...");
            await Processes.StopAsync(pid, StopTimeout, $"broker {node.NodeName}");
        }
        else if (File.Exists(BrokerNode.Server) && await PingAsync())
        {
            // No live pid file (its folder was wiped, say), but the node answers.
            Say.Info($"stopping broker {node.NodeName} (rabbitmqctl stop)...");
            await CliAsync("rabbitmqctl", "-q", "stop");
            // rabbitmqctl stop returns before the VM has exited: wait until it stops answering.
            while (await PingAsync())
            {
                if (started.Elapsed >= StopTimeout)
                    throw new CliException($"broker {node.NodeName} still answers after {StopTimeout.TotalSeconds:0}s");
                await Task.Delay(500);
            }
        }
        else
        {
            return;
        }
        if (Processes.LivePid(LauncherPidFile, "rabbitmq-server") is { } launcher && !await Processes.WaitExitAsync(launcher, TimeSpan.FromSeconds(5)))
            await Processes.StopAsync(launcher, TimeSpan.Zero, "the broker's launcher");
        File.Delete(node.PidFile);
        File.Delete(LauncherPidFile);
        Say.Info($"broker {node.NodeName} stopped in {started.Elapsed.TotalSeconds:0}s");
    }

    /// <summary>Kills the node's VM and its launcher (SIGKILL, as a crash); its state stays for the next start to recover.</summary>
    public async Task KillAsync()
    {
        if (VmPid is { } vm)
            Say.Info($"killing broker {node.NodeName} (pid {vm})");
        foreach (var pid in new[] { VmPid, Processes.LivePid(LauncherPidFile, "rabbitmq-server") }.OfType<int>())
        {
            _ = Posix.Signal(pid, Posix.SigKill);
            await Processes.WaitExitAsync(pid, TimeSpan.FromSeconds(5));
        }
        if (Directory.Exists(node.Directory))
        {
            File.Delete(node.PidFile);
            File.Delete(LauncherPidFile);
        }
    }

    /// <summary>
    /// Kills a node whose state is thrown away (the test node, wiped before each run) and deletes its folder. A stop
    /// would take 6 s for nothing: RabbitMQ 3.10's management agent waits 5 s on its way down.
    /// </summary>
    public async Task DiscardAsync()
    {
        await KillAsync();
        if (Directory.Exists(node.Directory))
            Directory.Delete(node.Directory, recursive: true);
    }

    /// <summary>Whether something accepts connections on 127.0.0.1:<paramref name="port"/>.</summary>
    private static async Task<bool> ListensAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task<bool> PingAsync() => await CliAsync("rabbitmq-diagnostics", "-q", "ping") == 0;

    /// <summary>A RabbitMQ command-line tool against this node; its output goes to the node's cli.log.</summary>
    private Task<int> CliAsync(string tool, params string[] arguments)
    {
        Directory.CreateDirectory(node.Directory);
        return Processes.RunLoggedAsync(Path.Combine(BrokerNode.BinDirectory, tool), ["-n", node.NodeName, .. arguments], CliLog, environment: node.Environment);
    }
}
